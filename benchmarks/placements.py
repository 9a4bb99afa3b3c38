"""Benchmark of the ST-A placement model, side by side with HiGHS and the quick plan, over N runs.

For the shipped VGR 2026 cohort (scale 1) and generated cohorts (`leveransplan generate --scale
N --seed 0`), each run a process of its own so that its peak memory is its own:

- CP-SAT, the tool's staged solve: model size, build seconds, each stage's value, bound, gap,
  status and seconds, the whole solve's seconds and peak memory; then over the runs the fewest,
  median and most seconds, and how many runs proved every stage optimal;
- the quick plan an analyst could draw up by hand, which the solve starts from (the trainees in
  order, each stay at the nearest hospital with a place left: optimizer/placements/greedy.py):
  its unplaced and travel;
- HiGHS on a plain formulation of spec section 5 (benchmarks/highs_placements.py, one process),
  once per scale.

Targets, read off the output, never asserted: the shipped cohort proven optimal in every stage in
10 s or less in every run; scale 5 within 0.5 % of every stage's bound in 120 s; scale 20
measured; with --propose-places, the shipped cohort within 1 % of every stage's bound in 60 s.

    python benchmarks/placements.py [--scales 1 5 20] [--runs 5] [--time-limit S]
        [--propose-places] [--no-highs] [--scenario FOLDER]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# Seconds for all stages by scale, when --time-limit is not given (the allowances).
DEFAULT_SECONDS = {1: 60.0, 5: 120.0}
LATER_SECONDS = 300.0


def one_solve(folder: Path, seconds: float, propose: bool) -> dict[str, Any]:
    """One staged solve (child process): size, stages, seconds, memory, and the quick plan's terms."""
    from leveransplan.inputs import load_scenario
    from leveransplan.models.training import PlacementData, PlacementPlan, placement_terms
    from leveransplan.optimizer.placements.greedy import greedy_plan
    from leveransplan.optimizer.placements.model import PlacementModel

    scenario = load_scenario(folder)
    started = time.perf_counter()
    data = PlacementData(scenario)
    model = PlacementModel(data, propose_places=propose)
    built = time.perf_counter() - started
    variables = model.vars
    solution = model.solve(seconds)
    whole = time.perf_counter() - started
    patterns = {t: [p for p, _ in options] for t, options in variables.patterns.items()}
    _, quick = greedy_plan(data, patterns, limited_places=not propose)
    quick_terms = placement_terms(data, PlacementPlan(quick), None)
    return {
        "trainees": len(data.trainees),
        "requirements": len(data.requirements),
        "size": {
            "site": sum(len(s) for s in variables.site.values()),
            "pattern": sum(len(p) for p in variables.patterns.values()),
            "start": sum(len(s) for s in variables.start.values()),
            "stay": len(variables.stay),
            "monthly_trainees": len(variables.monthly),
        },
        "build_seconds": built,
        "seconds": whole,
        "stages": [stage.model_dump() for stage in solution.stages],
        "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "quick_plan": {"unplaced": quick_terms["unplaced"], "travel": quick_terms["travel"]},
    }


def _run(command: list[str]) -> dict[str, Any] | None:
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        last = (finished.stderr.strip().splitlines() or ["no message"])[-1]
        print(f"    failed: {last}")
        return None
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def _gap(stage: dict[str, Any]) -> float:
    if stage["value"] is None:  # HiGHS's NO_PLAN
        return 1.0
    return (stage["value"] - stage["bound"]) / max(abs(stage["value"]), 1)


def _stages(stages: list[dict[str, Any]]) -> str:
    shown = []
    for s in stages:
        if s["objective"] == "stability" and not s["value"]:
            continue  # 0 without a previous plan, which the benchmark never gives
        if s["value"] is None:
            shown.append(f"{s['objective']} no plan (bound {s['bound']}, {s['seconds']:.1f} s)")
            continue
        shown.append(
            f"{s['objective']} {s['value']} (bound {s['bound']}, {_gap(s):.2%}, {s['status']}, "
            f"{s['seconds']:.1f} s)"
        )
    return "; ".join(shown)


def _scenario(scale: int, given: Path | None, workdir: Path) -> Path:
    if given is not None:
        return given
    if scale == 1:
        from leveransplan.inputs import default_scenario_path

        return Path(default_scenario_path())
    folder = workdir / f"scale{scale}"
    subprocess.run(
        [sys.executable, "-m", "leveransplan", "generate", str(folder), "--scale", str(scale), "--seed", "0"],
        check=True,
        capture_output=True,
    )
    return folder


def bench_scale(scale: int, folder: Path, args: argparse.Namespace) -> None:
    seconds = args.time_limit or DEFAULT_SECONDS.get(scale, LATER_SECONDS)
    propose = ["--propose-places"] if args.propose_places else []
    asked = " (--propose-places)" if propose else ""
    print(f"\n## scale {scale}: {folder.name}, {seconds:.0f} s allowed{asked}")
    results = []
    for run in range(1, args.runs + 1):
        command = [sys.executable, __file__, "--child", str(folder), "--time-limit", str(seconds), *propose]
        result = _run(command)
        if result is None:
            continue
        if run == 1:
            size = result["size"]
            print(
                f"  {result['trainees']} trainees, {result['requirements']} requirements; "
                f"{size['site']} site, {size['pattern']} pattern, {size['start']} start and "
                f"{size['stay']} stay Booleans ({size['monthly_trainees']} trainees month by month); "
                f"built in {result['build_seconds']:.1f} s"
            )
            quick = result["quick_plan"]
            print(f"  quick plan: unplaced {quick['unplaced']}, travel {quick['travel']}")
        print(
            f"  run {run}: {result['seconds']:.1f} s, {result['peak_memory_mb']:.0f} MB: "
            f"{_stages(result['stages'])}"
        )
        results.append(result)
    if results:
        times = [r["seconds"] for r in results]
        proven = sum(all(s["status"] == "OPTIMAL" for s in r["stages"]) for r in results)
        worst = max(_gap(s) for r in results for s in r["stages"])
        print(
            f"  CP-SAT over {len(results)} runs: {min(times):.1f} / {statistics.median(times):.1f} / "
            f"{max(times):.1f} s (fewest / median / most); every stage proven optimal in {proven} of "
            f"{len(results)}; worst gap {worst:.2%}"
        )
    if args.highs and not args.propose_places:
        script = str(HERE / "highs_placements.py")
        highs = _run([sys.executable, script, str(folder), "--time-limit", str(seconds), "--json"])
        if highs is not None:
            took = highs["build_seconds"] + highs["solve_seconds"]
            print(
                f"  HiGHS, the same rules as one MILP: {took:.1f} s, {highs['peak_memory_mb']} MB: "
                f"{_stages(highs['stages'])}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--runs", type=int, default=5, help="CP-SAT runs per scale (default 5)")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds for all stages")
    parser.add_argument("--propose-places", action="store_true")
    parser.add_argument("--no-highs", dest="highs", action="store_false", help="leave HiGHS out")
    parser.add_argument("--scenario", type=Path, default=None, help="a scenario folder instead of the scales")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(one_solve(args.child, args.time_limit, args.propose_places)))
        return
    print(f"$ python benchmarks/placements.py {' '.join(sys.argv[1:])}")
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as workdir:
        for scale in [1] if args.scenario is not None else args.scales:
            bench_scale(scale, _scenario(scale, args.scenario, Path(workdir)), args)


if __name__ == "__main__":
    main()
