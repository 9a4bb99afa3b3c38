"""Benchmark at regional and national scale, side by side with HiGHS and an analyst's pro-rata plan.

For each scale it generates a scenario (`leveransplan generate --scale N --seed S`), then, each in
a process of its own so that peak memory is that solve's alone:

- CP-SAT on the volume model: model build seconds, each stage's value, bound, gap, status and
  seconds, peak memory;
- HiGHS on the same volume formulation as a MILP (benchmarks/highs_volumes.py; highspy and
  ortools are kept in separate processes), with the ratio of times and whether the optimal values
  agree;
- the pro-rata plan an analyst makes in a spreadsheet (benchmarks/greedy.py): how many more
  patient-months beyond the guarantee and how many more SEK it leaves than CP-SAT's plan;
- CP-SAT on the ST-A placement model (scale 1 by default; `--placements-scales`).

Targets, read off the output, never asserted: scale 1 volumes every stage proven
optimal in 10 s or less and not slower than HiGHS; scale 20 every stage within 0.5 % of its
bound in 120 s or less, peak memory 2 GB or less; ST-A at scale 1 proven optimal in 30 s or less.

    python benchmarks/scale.py [--scales 1 5 20] [--seed 0] [--placements-scales 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# Seconds for the whole volume solve, per scale (the targets: 10 s at scale 1, 120 s at 20).
VOLUME_SECONDS = {1: 10.0, 5: 60.0, 20: 120.0}
PLACEMENT_SECONDS = 30.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _workers_peak_mb() -> float:
    """The largest resident size of any process this one started and waited for: the pricing
    workers (optimizer/volumes/pricing.py). Forked, they share the solve's pages until they
    write to them, so this counts those shared pages again: an upper bound on what they add."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def cpsat_volumes(folder: Path, seconds: float) -> dict[str, Any]:
    """The volume model solved by the tool's own driver (child process)."""
    from leveransplan.inputs import load_scenario
    from leveransplan.optimizer.volumes.driver import LexicographicVolumes

    scenario = load_scenario(folder)
    scenario = scenario.model_copy(
        update={"solver": scenario.solver.model_copy(update={"time_limit_s": seconds, "workers": 0})}
    )
    started = time.perf_counter()
    driver = LexicographicVolumes(scenario)
    built = time.perf_counter() - started
    solution = driver.run()
    return {
        "build_seconds": built,
        "solve_seconds": time.perf_counter() - started - built,
        "stages": [stage.model_dump() for stage in solution.stages],
        "peak_memory_mb": _peak_mb(),
        "workers_peak_memory_mb": _workers_peak_mb(),
    }


def cpsat_placements(folder: Path, seconds: float) -> dict[str, Any]:
    """The ST-A placement model solved by the tool's own driver (child process)."""
    from leveransplan.inputs import load_scenario
    from leveransplan.models.training import PlacementData
    from leveransplan.optimizer.placements.model import PlacementModel

    scenario = load_scenario(folder)
    started = time.perf_counter()
    model = PlacementModel(PlacementData(scenario))
    built = time.perf_counter() - started
    solution = model.solve(seconds)
    return {
        "build_seconds": built,
        "solve_seconds": time.perf_counter() - started - built,
        "stages": [stage.model_dump() for stage in solution.stages],
        "peak_memory_mb": _peak_mb(),
        "workers_peak_memory_mb": _workers_peak_mb(),
    }


def greedy(folder: Path) -> dict[str, Any]:
    """The analyst's pro-rata plan's terms (child process)."""
    sys.path.insert(0, str(HERE))
    from greedy import greedy_terms

    from leveransplan.inputs import load_scenario
    from leveransplan.models.derived import VolumeData

    return greedy_terms(VolumeData.from_scenario(load_scenario(folder)))


CHILDREN = {"cpsat-volumes": cpsat_volumes, "cpsat-placements": cpsat_placements}


def _child(kind: str, folder: Path, seconds: float) -> dict[str, Any] | None:
    """Run one measurement in a fresh process; None (with the reason printed) if it failed."""
    if kind == "highs":
        command = [sys.executable, str(HERE / "highs_volumes.py"), str(folder), "--time-limit", str(seconds)]
        command.append("--json")
    else:
        command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(folder), str(seconds)]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        last = (finished.stderr.strip().splitlines() or ["no message"])[-1]
        print(f"  {kind}: failed ({last})")
        return None
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def _gap(stage: dict[str, Any]) -> float:
    value, bound = stage["value"], stage["bound"]
    return 0.0 if value == bound else 100.0 * abs(value - bound) / max(abs(value), 1)


def _print_stages(title: str, result: dict[str, Any], other: dict[str, Any] | None = None) -> None:
    workers = result.get("workers_peak_memory_mb", 0.0)
    shared = (
        f" (pricing workers: {workers:.0f} MB each at most, pages shared with it counted)" if workers else ""
    )
    peak = result["peak_memory_mb"]
    print(f"  {title}: build {result['build_seconds']:.2f} s, peak memory {peak:.0f} MB{shared}")
    head = f"    {'stage':<15} {'status':<9} {'value':>15} {'bound':>15} {'gap %':>7} {'seconds':>8}"
    if other is not None:
        head += f" {'HiGHS value':>15} {'HiGHS s':>8} {'ratio':>6}"
    print(head)
    others = {s["objective"]: s for s in (other or {}).get("stages", [])}
    for stage in result["stages"]:
        line = (
            f"    {stage['objective']:<15} {stage['status']:<9} {stage['value']:>15,} {stage['bound']:>15,} "
            f"{_gap(stage):>7.3f} {stage['seconds']:>8.2f}"
        )
        theirs = others.get(stage["objective"])
        if theirs is not None:
            ratio = stage["seconds"] / theirs["seconds"] if theirs["seconds"] > 0 else float("inf")
            value = "-" if theirs.get("value") is None else f"{theirs['value']:,}"
            both_optimal = theirs["status"] == stage["status"] == "OPTIMAL"
            agree = ("  same" if theirs["value"] == stage["value"] else "  DIFFERENT") if both_optimal else ""
            line += f" {value:>15} {theirs['seconds']:>8.2f} {ratio:>6.2f}{agree}"
        print(line.replace(",", " "))
    total = result["build_seconds"] + result["solve_seconds"]
    print(f"    {'(whole solve)':<15} {'':<9} {'':>15} {'':>15} {'':>7} {total:>8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--placements-scales", type=int, nargs="*", default=[1])
    parser.add_argument("--no-highs", action="store_true", help="leave out the HiGHS side")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FOLDER", "SECONDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, folder, seconds = args.child
        print(
            json.dumps(
                CHILDREN[kind](Path(folder), float(seconds)) if kind in CHILDREN else greedy(Path(folder))
            )
        )
        return

    from leveransplan.outputs.generated import write_scenario

    print(f"$ python {' '.join(sys.argv)}")
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as temporary:
        for scale in args.scales:
            folder = Path(temporary) / f"scale-{scale}"
            started = time.perf_counter()
            write_scenario(folder, scale, args.seed)
            seconds = VOLUME_SECONDS.get(scale, 60.0 * scale**0.5)
            print(
                f"\nscale {scale} (seed {args.seed}, generated in {time.perf_counter() - started:.1f} s), "
                f"volumes given {seconds:g} s"
            )
            volumes = _child("cpsat-volumes", folder, seconds)
            highs = None if args.no_highs else _child("highs", folder, seconds)
            if volumes is not None:
                _print_stages("CP-SAT volumes", volumes, highs)
            if highs is not None:
                total = sum(s["seconds"] for s in highs["stages"])
                print(
                    f"  HiGHS: build {highs['build_seconds']:.2f} s, stages {total:.2f} s, "
                    f"peak memory {highs['peak_memory_mb']:.0f} MB"
                )
            baseline = _child("greedy", folder, 0)
            if baseline is not None and volumes is not None:
                ours = {s["objective"]: s["value"] for s in volumes["stages"]}
                more_over = baseline["over_guarantee"] - ours["over_guarantee"]
                more_cost = baseline["cost"] - ours["cost"]
                print(
                    f"  pro-rata plan: over_guarantee {baseline['over_guarantee']:,} "
                    f"({more_over:+,} patient-months against CP-SAT); "
                    f"cost {baseline['cost']:,} SEK ({more_cost:+,} SEK)".replace(",", " ")
                )
            if scale in args.placements_scales:
                placements = _child("cpsat-placements", folder, PLACEMENT_SECONDS)
                if placements is not None:
                    _print_stages(f"CP-SAT ST-A placements ({PLACEMENT_SECONDS:g} s)", placements)


if __name__ == "__main__":
    main()
