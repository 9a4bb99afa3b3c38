"""How a sweep scales with Dask workers: N variants of a scenario (default: the shipped VGR 2026 one)
on an embedded LocalCluster of 1, 2, ... workers, each worker one process with one CP-SAT worker.

A full solve of the shipped scenario takes about 16 s, 13 of them in the travel stage, so 100
variants would take half an hour per run. The variants here are made cheap, and honestly so:
each solves the volume model's objective order without its last term, travel
(`volumes=over_guarantee,equity,out_of_region,cost`), about 1 s each, on deterministic time
(the same work on every run). The built-in variants come first (each provider left out, inflow
-10/+10/+20 %, each hospital -30 % for three months), then inflow scaled in steps of 0.5 % until
there are N. A benchmark, not a test: the figures are read off its output, never asserted.

    python benchmarks/sweep.py [SCENARIO] [--variants 100] [--workers 1 2] [--full]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

from leveransplan.inputs import default_scenario_path, load_scenario
from leveransplan.optimizer.cluster import dask_client
from leveransplan.optimizer.sweep import Variant, built_in_variants, sweep

# The objective order of the cheap variants: the shipped order without travel.
CHEAP_ORDER = "volumes=over_guarantee,equity,out_of_region,cost"


def variants(folder: Path, count: int, full: bool) -> list[Variant]:
    """`count` variants: the built-in ones, then inflow in steps of 0.5 %; cheap unless `full`."""
    chosen = built_in_variants(load_scenario(folder))[:count]
    step = 1
    while len(chosen) < count:
        factor = f"{1 + step * 0.005:.3f}"
        chosen.append(Variant(f"inflow x{factor}", {"scale": [f"need.inflow={factor}"]}))
        step += 1
    if full:
        return chosen
    return [Variant(v.name, {**v.flags, "objective": [CHEAP_ORDER]}) for v in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=None)
    parser.add_argument("--variants", type=int, default=100, help="variants besides the base plan")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="cluster sizes to run")
    parser.add_argument("--time-limit", type=float, default=60.0, help="deterministic seconds per variant")
    parser.add_argument("--full", action="store_true", help="the scenario's whole objective order")
    args = parser.parse_args()
    folder = args.scenario or default_scenario_path()
    chosen = variants(folder, args.variants, args.full)
    order = "the whole objective order" if args.full else CHEAP_ORDER
    print(f"command: python {' '.join(sys.argv)}")
    print(
        f"machine: {os.cpu_count()} cores, Python {platform.python_version()}, load average at the "
        f"start {os.getloadavg()[0]:.2f} (load: at each run's end); {len(chosen)} variants and the base "
        f"plan, {order}, deterministic limit {args.time_limit:g} s"
    )
    # solve s: the seconds of every solve added up (loading included), as each worker measured
    # them; solve s / sweep s is how many solves ran at once on average.
    print(
        f"{'workers':>7} {'start s':>8} {'sweep s':>8} {'s/variant':>9} {'speed-up':>8} {'solve s':>8} "
        f"{'at once':>7} {'load':>5} statuses"
    )
    first = None
    for workers in args.workers:
        started = time.perf_counter()
        with dask_client(workers=workers) as client:
            client.wait_for_workers(workers)
            ready = time.perf_counter()
            rows = sweep(client, folder, chosen, args.time_limit, deterministic=True)
            seconds = time.perf_counter() - ready
        first = first or seconds
        statuses: dict[str, int] = {}
        for row in rows:
            statuses[row["status"]] = statuses.get(row["status"], 0) + 1
        solving = sum(row["seconds"] for row in rows)
        print(
            f"{workers:>7} {ready - started:>8.1f} {seconds:>8.1f} {seconds / len(rows):>9.2f} "
            f"{first / seconds:>8.2f} {solving:>8.1f} {solving / seconds:>7.2f} {os.getloadavg()[0]:>5.2f} "
            f"{', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))}"
        )


if __name__ == "__main__":
    main()
