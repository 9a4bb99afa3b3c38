"""Benchmark of the risk of breaching the guarantee and of the robust plan (docs/risk.md).

On a scenario (default: the shipped VGR 2026 one), in one run:
1. the plans compared: made at forecast inflow (CP-SAT), made at the 90th-percentile inflow of
   each hospital and category, the robust plan of `solve --robust` (its LP by GLOP, and the same
   LPs by HiGHS for the time), and the analyst's pro-rata plan;
2. each played through the same evaluation futures (the risk stream, never the planning one):
   patient-months beyond the guarantee (mean, P50, P90, P99), the plan's cost and what the
   region pays on average;
3. the time of the sampling: in this process, on the embedded Dask cluster, and `leveransplan risk`
   end to end (plan verified, futures, files written).
A benchmark, not a test: targets are read off its output, never asserted.

    python benchmarks/risk.py [SCENARIO] [--samples 1000] [--plan-samples 30] [--seed 0] [--no-highs]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from leveransplan.inputs import default_scenario_path, load_scenario
from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.pro_rata import pro_rata_plan
from leveransplan.models.risk import (
    PlanArrays,
    RiskSummary,
    forecast_future,
    play,
    play_chunk,
    sample_outcomes,
    summarise,
)
from leveransplan.models.scenario import Scenario
from leveransplan.models.uncertainty import RISK_STREAM, UncertaintyModel
from leveransplan.optimizer.cluster import chunk_mapper, dask_client
from leveransplan.optimizer.volumes.driver import solve_volumes
from leveransplan.optimizer.volumes.robust import planning_futures, solve_robust


def at_inflow_quantile(scenario: Scenario, data: VolumeData, q: float) -> Scenario:
    """The scenario with each hospital's and category's inflow at its quantile q."""
    factors = UncertaintyModel.of(data).inflow_quantile(q)
    index = {pair: p for p, pair in enumerate(data.pairs)}
    need = tuple(
        row.model_copy(
            update={"inflow": int(np.floor(row.inflow * factors[index[row.hospital, row.category]] + 0.5))}
        )
        for row in scenario.need
    )
    return scenario.model_copy(update={"need": need})


def judged(data: VolumeData, decisions: Decisions, samples: int, seed: int) -> RiskSummary:
    plan = PlanArrays.of(data, decisions)
    outcome = sample_outcomes(data, plan, UncertaintyModel.of(data), samples, seed, RISK_STREAM)
    return summarise(data.hospitals, outcome, play(plan, forecast_future(data)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=None)
    parser.add_argument("--samples", type=int, default=1000, help="evaluation futures")
    parser.add_argument("--plan-samples", type=int, default=30, help="the robust plan's futures")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-highs", action="store_true", help="leave out the robust LPs by HiGHS")
    args = parser.parse_args()
    folder = args.scenario or default_scenario_path()
    scenario = load_scenario(folder)
    data = VolumeData.from_scenario(scenario)
    print(f"command: python {' '.join(sys.argv)}")
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}; scenario {scenario.name}: "
        f"{len(data.pairs)} hospital-category pairs, {len(data.contracts)} contracts, "
        f"{len(data.months)} months"
    )

    plans: dict[str, tuple[Decisions, float]] = {}
    started = time.perf_counter()
    forecast = solve_volumes(scenario)
    plans["forecast inflow (CP-SAT)"] = (forecast.decisions, time.perf_counter() - started)
    started = time.perf_counter()
    p90 = solve_volumes(at_inflow_quantile(scenario, data, 0.9))
    plans["P90 inflow (CP-SAT)"] = (p90.decisions, time.perf_counter() - started)
    cost = forecast.values.term("cost")
    cap = cost if scenario.max_cost_sek is None else min(cost, scenario.max_cost_sek)
    futures = planning_futures(data, args.plan_samples, args.seed)
    for backend in ("GLOP",) if args.no_highs else ("GLOP", "HIGHS"):
        started = time.perf_counter()
        result = solve_robust(data, futures, cap, backend, threads=os.cpu_count() or 1)
        seconds = time.perf_counter() - started
        print(f"robust LP by {backend}: {seconds:.1f} s, LP cost {result.lp_cost:,.0f} SEK".replace(",", " "))
        if backend == "GLOP":
            plans[f"robust, {args.plan_samples} futures (GLOP)"] = (result.decisions, seconds)
    started = time.perf_counter()
    plans["pro-rata (analyst)"] = (pro_rata_plan(data), time.perf_counter() - started)

    print(
        f"\n{args.samples} evaluation futures (seed {args.seed}, risk stream); "
        "patient-months beyond the guarantee:"
    )
    header = (
        f"{'plan':<28} {'at forecast':>12} {'cost MSEK':>10} {'mean':>9} {'P50':>9} {'P90':>9} {'P99':>9} "
        f"{'paid MSEK':>10} {'equity':>7} {'travel':>10} {'made in s':>9}"
    )
    print(header)
    for name, (decisions, seconds) in plans.items():
        values = TermValues(data, decisions)
        summary = judged(data, decisions, args.samples, args.seed)
        region = summary.area("region")
        line = (
            f"{name:<28} {values.over_guarantee():>12,} {values.term('cost') / 1e6:>10,.1f} "
            f"{region.mean:>9,.0f} {region.p50:>9,} {region.p90:>9,} {region.p99:>9,} "
            f"{summary.paid_mean / 1e6:>10,.1f} {values.equity():>7,} {values.term('travel'):>10,} "
            f"{seconds:>9.1f}"
        )
        print(line.replace(",", " "))

    plan = PlanArrays.of(data, forecast.decisions)
    model = UncertaintyModel.of(data)
    started = time.perf_counter()
    sample_outcomes(data, plan, model, args.samples, args.seed, RISK_STREAM)
    in_process = time.perf_counter() - started
    started = time.perf_counter()
    with dask_client() as client:
        ready = time.perf_counter() - started
        mapper = chunk_mapper(client, play_chunk)
        sample_outcomes(data, plan, model, args.samples, args.seed, RISK_STREAM, mapper)
    on_dask = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as holder:
        plan_dir = Path(holder) / "plan"
        solve = [
            sys.executable,
            "-m",
            "leveransplan",
            "solve",
            str(folder),
            "--only",
            "volumes",
            "--out",
            str(plan_dir),
        ]
        subprocess.run([*solve, "--quiet"], check=True, capture_output=True)
        started = time.perf_counter()
        risk = [sys.executable, "-m", "leveransplan", "risk", str(plan_dir), "--samples", str(args.samples)]
        subprocess.run([*risk, "--out", str(Path(holder) / "risk")], check=True, capture_output=True)
        end_to_end = time.perf_counter() - started
    print(f"\n{args.samples} futures of the forecast plan:")
    print(f"  in this process (numpy):            {in_process:6.2f} s")
    print(f"  on the embedded Dask cluster:       {on_dask:6.2f} s (of which {ready:.2f} s starting it)")
    print(f"  `leveransplan risk` end to end:     {end_to_end:6.2f} s (target: 30 s)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
