"""What a solve spends outside the search: reading the scenario, writing the plan and checking it.

A user's --time-limit covers the whole command, so the driver has to stop searching early enough
to write and check the plan within it. This measures, on one scenario (default: the shipped VGR
2026 one; `--scale N` generates one as `leveransplan generate --scale N --seed S` does):

- import: the pipeline's modules (inputs, optimizer, outputs);
- load: inputs.load_scenario;
- solve: optimizer.solve.solve_scenario with the given time limit;
- then for each model solved, its plan alone: write (outputs.publish.write_plan) and check
  (outputs/checker/plan.py, check_plan), best of `--repeat`, wall clock and CPU time.

Per model it prints the rows written and the seconds per 1 000 rows of write + check: per
production row (a hospital, category and month of production_plan.csv) for volumes, per ST-A
requirement (placements.csv + unplaced.csv) for placements. A benchmark, not a test: figures are
read off its output, never asserted.

    python benchmarks/publish_time.py [SCENARIO] [--scale N] [--seed S] [--models volumes placements]
        [--time-limit S] [--repeat N]
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def _timed(action: Callable[[], T]) -> tuple[T, float, float]:
    """The action's result, its wall-clock seconds and its CPU seconds (this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _data_rows(path: Path) -> int:
    """Rows below the header of a CSV file the tool wrote (no cell of its has a line break)."""
    if not path.is_file():
        return 0
    with path.open(encoding="utf-8-sig") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def _generated(scale: int, seed: int, parent: Path) -> Path:
    from leveransplan.inputs.generators.synthetic import generate_scenario

    folder = parent / f"scale{scale}-seed{seed}"
    folder.mkdir()
    for name, text in generate_scenario(scale, seed).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _write_and_check(scenario: Any, plan: Any, model: str, repeat: int, parent: Path) -> dict[str, Any]:
    """Best of `repeat` writes and checks of `model`'s plan alone, with the rows written."""
    from leveransplan.models.results import ScenarioPlan
    from leveransplan.outputs.checker.plan import check_plan
    from leveransplan.outputs.publish import write_plan

    alone = ScenarioPlan(**{model: getattr(plan, model)})
    best: dict[str, Any] = {}
    for attempt in range(repeat):
        folder = parent / f"{model}-{attempt}"
        folder.mkdir()
        _, write_s, write_cpu = _timed(partial(write_plan, folder, scenario, alone, None))
        problems, check_s, check_cpu = _timed(partial(check_plan, scenario, folder))
        if problems:
            raise SystemExit(f"the {model} plan fails its check:\n" + "\n".join(problems[:20]))
        if not best or write_s + check_s < best["write_s"] + best["check_s"]:
            best = {"write_s": write_s, "write_cpu": write_cpu, "check_s": check_s, "check_cpu": check_cpu}
        if model == "volumes":
            best["rows"] = {
                "production": _data_rows(folder / "production_plan.csv"),
                "delivery": _data_rows(folder / "delivery_plan.csv"),
            }
        else:
            best["rows"] = {
                "requirements": _data_rows(folder / "placements.csv") + _data_rows(folder / "unplaced.csv"),
                "placed": _data_rows(folder / "placements.csv"),
            }
        shutil.rmtree(folder)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=None)
    parser.add_argument("--scale", type=int, default=None, help="generate a scenario of this scale instead")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", nargs="+", default=["volumes"], choices=["volumes", "placements"])
    parser.add_argument("--time-limit", type=float, default=60.0, help="the solve's time limit, seconds")
    parser.add_argument("--repeat", type=int, default=3, help="writes and checks of each plan (best kept)")
    args = parser.parse_args()

    pipeline = tuple(
        f"leveransplan.{name}"
        for name in ("inputs", "optimizer.solve", "outputs.publish", "outputs.checker.plan")
    )
    _, import_s, _ = _timed(lambda: [importlib.import_module(name) for name in pipeline])
    from leveransplan.inputs import default_scenario_path, load_scenario
    from leveransplan.optimizer.search import search_run
    from leveransplan.optimizer.solve import solve_scenario

    with tempfile.TemporaryDirectory(prefix="publish_time.") as temporary:
        parent = Path(temporary)
        if args.scale is not None:
            folder = _generated(args.scale, args.seed, parent)
        else:
            folder = args.scenario or default_scenario_path()
        scenario, load_s, _ = _timed(lambda: load_scenario(folder))
        scenario = scenario.model_copy(
            update={"solver": scenario.solver.model_copy(update={"time_limit_s": args.time_limit})}
        )

        def solve() -> Any:
            with search_run(False, False):
                return solve_scenario(scenario, list(args.models))

        plan, solve_s, _ = _timed(solve)
        results = {
            model: _write_and_check(scenario, plan, model, args.repeat, parent)
            for model in args.models
            if getattr(plan, model) is not None
        }

    print(f"command: python {' '.join(sys.argv)}")
    print(f"scenario: {scenario.name} ({folder if args.scale is None else 'generated'})")
    print(f"machine: {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"import {import_s:7.2f} s   load {load_s:7.2f} s   "
        f"solve {solve_s:7.2f} s (limit {args.time_limit:g} s)"
    )
    for model, figures in results.items():
        rows = figures["rows"]
        unit, count = (
            ("production row", rows["production"])
            if model == "volumes"
            else ("requirement", rows["requirements"])
        )
        both = figures["write_s"] + figures["check_s"]
        per_thousand = 1000 * both / count if count else float("nan")
        counted = ", ".join(f"{name} {n}" for name, n in rows.items())
        print(
            f"{model}: rows {counted}\n"
            f"  write {figures['write_s']:6.2f} s (cpu {figures['write_cpu']:6.2f})   "
            f"check {figures['check_s']:6.2f} s (cpu {figures['check_cpu']:6.2f})   "
            f"write + check {both:6.2f} s = {per_thousand:.3f} s per 1 000 {unit}s"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
