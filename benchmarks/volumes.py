"""Benchmark of the volume model on a scenario (default: the shipped VGR 2026 one).

Prints model build and per-stage seconds, status and gap, and peak memory, with the command
that reproduces them. A benchmark, not a test: targets are read off its output, never asserted.

    python benchmarks/volumes.py [SCENARIO] [--runs N] [--time-limit S]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
from pathlib import Path

from leveransplan.inputs import default_scenario_path, load_scenario
from leveransplan.optimizer.volumes.driver import solve_volumes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3, help="solves in a row (CP-SAT timing varies)")
    parser.add_argument("--time-limit", type=float, default=None, help="override the scenario's time limit")
    args = parser.parse_args()
    folder = args.scenario or default_scenario_path()
    scenario = load_scenario(folder)
    if args.time_limit is not None:
        scenario = scenario.model_copy(
            update={"solver": scenario.solver.model_copy(update={"time_limit_s": args.time_limit})}
        )
    print(f"command: python {' '.join(sys.argv)}")
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"time limit {scenario.solver.time_limit_s:g} s, workers {scenario.solver.workers} (0 = all cores)"
    )
    print(f"{'run':>3} {'stage':<15} {'status':<9} {'value':>15} {'bound':>15} {'gap %':>7} {'seconds':>8}")
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        solution = solve_volumes(scenario)
        total = time.perf_counter() - started
        for stage in solution.stages:
            gap = 0.0 if stage.value == 0 else 100 * (stage.value - stage.bound) / stage.value
            print(
                f"{run:>3} {stage.objective:<15} {stage.status:<9} {stage.value:>15,} {stage.bound:>15,} "
                f"{gap:>7.3f} {stage.seconds:>8.2f}".replace(",", " ")
            )
        print(f"{run:>3} {'(whole solve)':<15} {'':<9} {'':>15} {'':>15} {'':>7} {total:>8.2f}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
