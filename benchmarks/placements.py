"""Benchmark of the ST-A placement model on a scenario (default: the shipped VGR 2026 cohort).

Prints model size, build seconds, each stage's value, bound, gap, status and seconds, and peak
memory, with the command that reproduces them. Target: the shipped cohort solved to a
proven optimum in 30 s or less on 2 cores. A benchmark, not a test: read the target off the output.

    python benchmarks/placements.py [SCENARIO] [--time-limit S] [--propose-places]
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
from leveransplan.models.training import PlacementData
from leveransplan.optimizer.placements.model import PlacementModel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=None)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds for all stages (default 60)")
    parser.add_argument("--propose-places", action="store_true")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario or default_scenario_path())
    print(f"$ python {' '.join(sys.argv)}")
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    started = time.perf_counter()
    data = PlacementData(scenario)
    model = PlacementModel(data, propose_places=args.propose_places)
    built = time.perf_counter() - started
    variables = model.vars
    print(
        f"{len(data.trainees)} trainees, {len(data.requirements)} requirements, {data.horizon_label()}; "
        f"{sum(len(s) for s in variables.site.values())} site, "
        f"{sum(len(p) for p in variables.patterns.values())} pattern, "
        f"{sum(len(s) for s in variables.start.values())} start and {len(variables.stay)} stay Booleans "
        f"({len(variables.monthly)} trainees month by month); built in {built:.1f} s"
    )
    solution = model.solve(args.time_limit)
    for stage in solution.stages:
        gap = (stage.value - stage.bound) / max(abs(stage.value), 1)
        print(
            f"  {stage.objective:<12} value {stage.value:>9} bound {stage.bound:>9} gap {gap:6.1%} "
            f"{stage.status:<8} {stage.seconds:6.1f} s"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"whole solve {time.perf_counter() - started:.1f} s; peak memory {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
