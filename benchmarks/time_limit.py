"""Does `--time-limit` hold for the whole command? Wall-clock seconds of `leveransplan solve`,
start-up, reading, solving, writing and checking included, against the limit it was given.

Each run is a process of its own, timed from outside as a user would time it. The scenarios are
the shipped one (scale 1) and generated ones (`leveransplan generate --scale N --seed 0`). The
target (read off the output, never asserted): wall time within 5 % of the limit. The solver's
own statuses and the exit code (0 proven, 8 partial) are shown beside it.

    python benchmarks/time_limit.py [--scales 1 5 20] [--limits 30 60] [--only volumes]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMAND = [sys.executable, "-c", "from leveransplan.cli import main; main()"]


def _scenario(scale: int, workdir: Path) -> Path | None:
    """The shipped scenario at scale 1 (None: the default), else a generated one."""
    if scale == 1:
        return None
    folder = workdir / f"scale-{scale}"
    if not folder.exists():
        subprocess.run(
            [*COMMAND, "generate", str(folder), "--scale", str(scale)], check=True, capture_output=True
        )
    return folder


def run(scenario: Path | None, limit: float, only: str | None, out: Path) -> tuple[float, int, list[str]]:
    """(wall seconds, exit code, each stage's status) of one solve."""
    args = [*COMMAND, "solve", *([str(scenario)] if scenario else []), "--time-limit", str(limit)]
    args += [*(["--only", only] if only else []), "--out", str(out), "--quiet"]
    started = time.perf_counter()
    finished = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - started
    statuses = []
    if (out / "summary.json").is_file():
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        for model in ("volumes", "at", "placements"):
            for stage in summary.get(model, {}).get("stages", []):
                statuses.append(f"{model}.{stage['objective']} {stage['status']}")
    return wall, finished.returncode, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--limits", type=float, nargs="+", default=[30.0, 60.0])
    parser.add_argument("--only", default="volumes", help="a model, or 'all' for every model")
    args = parser.parse_args()
    only = None if args.only == "all" else args.only
    print("| scale | model | limit s | wall s | wall / limit | exit | stages not proven |")
    print("|---:|---|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for scale in args.scales:
            scenario = _scenario(scale, workdir)
            for limit in args.limits:
                out = workdir / f"plan-{scale}-{limit:g}"
                wall, code, statuses = run(scenario, limit, only, out)
                stopped = [s.rsplit(" ", 1)[0] for s in statuses if not s.endswith("OPTIMAL")]
                print(
                    f"| {scale} | {only or 'all'} | {limit:g} | {wall:.1f} | {wall / limit:.3f} | {code} "
                    f"| {', '.join(stopped) or '-'} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
