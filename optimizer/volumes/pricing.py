"""Pricing in column generation: each category's cheapest plan at a round's prices, which joins
the columns when the LP wants it, and the exact bound those prices prove.

Bounds are exact integer arithmetic, not the LP's floating values (Lagrangian relaxation): with
the prices rounded to whole weights w >= 0 and a whole scale S >= 1, every plan obeying the
linking rules has S * objective >= sum_k min_k(S * objective_k + sum_h w_h X_hk + sum_t w_t t_k)
- sum_h w_h cap_h - sum_t w_t held_t, and each min_k is an exact network minimum. (For equity:
sum_h w_h X_h <= E * sum_h w_h I_h / 1000, so E >= 1000 * min sum w X / sum w I.)

The networks are priced side by side, one process per core. Each round of column generation
solves every coupled category's network at the round's prices (CategoryFlow.cheapest). The
networks are independent, but OR-Tools' min-cost flow holds the Python interpreter lock while it
solves, so threads run them one after the other. Worker processes forked from the solve share
the networks as they stand (copy-on-write, nothing is pickled but each round's arc costs and the
flows found) and price them in parallel.

The results are the same as pricing one network after the other: each network's min-cost flow
depends only on its arcs and costs, so a plan does not depend on how many cores priced it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import numpy as np

from leveransplan.optimizer.volumes.decomposition import BestPrices, Decomposition
from leveransplan.optimizer.volumes.flow import CategoryFlow
from leveransplan.optimizer.volumes.master import PriceVector

# Below this many arcs over all the networks a round takes a few hundredths of a second, less
# than starting the workers and sending them the costs: priced in this process.
PARALLEL_FROM_ARCS = 100_000
# Largest whole weight in the pricing networks: weighted sums stay far inside 64-bit costs.
_WEIGHT_SCALE = 1_000_000
# Largest weighted unit cost of an arc in a pricing network, and the largest scale of a stage's
# own costs: sums of cost times flow stay far inside 64 bits.
_COST_SCALE = 10**12
_LARGEST_SCALE = 10**9
# A column enters when its reduced cost is below this, relative (the LP is floating point).
_ENTERS = 1e-7

# The networks of the pricer being run, as the forked workers inherit them.
_networks: dict[str, CategoryFlow] = {}


def _cheapest_in_worker(category: str, priced_cost: np.ndarray) -> tuple[int, np.ndarray] | None:
    return _networks[category].cheapest(priced_cost)


def _worker_of(solve: int) -> None:
    """A worker ignores Ctrl-C and SIGTERM: forked, it would inherit the solve's handlers and
    raise the solve's Interrupted in the middle of a network (a traceback, and a pool the solve
    then waits for). The solve stops its workers itself when it stops (the pool is shut down as
    its pricing ends). If the solve is killed outright (SIGKILL), nothing would tell them: each
    worker looks every half second whether its solve is still its parent, and ends if not."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def end_with_the_solve() -> None:
        while os.getppid() == solve:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=end_with_the_solve, daemon=True).start()


class NetworkPricer:
    """Solves the networks' min-cost flows at given arc costs, in worker processes when that pays."""

    def __init__(self, flows: dict[str, CategoryFlow], executor: ProcessPoolExecutor | None) -> None:
        self.flows = flows
        self.executor = executor

    def cheapest(self, priced: dict[str, np.ndarray]) -> dict[str, tuple[int, np.ndarray] | None]:
        """Each category's least cost at its arc costs and a flow reaching it (CategoryFlow.cheapest)."""
        if self.executor is None:
            return {k: self.flows[k].cheapest(cost) for k, cost in priced.items()}
        # Largest networks first, so that neither worker is left with a large one at the end.
        order = sorted(priced, key=lambda k: -self.flows[k].arc_count)
        found = self.executor.map(_cheapest_in_worker, order, [priced[k] for k in order])
        return dict(zip(order, found, strict=True))


def pricing_workers() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@contextmanager
def network_pricer(
    flows: dict[str, CategoryFlow],
    categories: list[str],
    workers: int | None = None,
    parallel_from_arcs: int | None = None,
) -> Iterator[NetworkPricer]:
    """A pricer for `categories`' networks as they stand now (they must not change while it is
    used: the workers see them as they were when it started). Worker processes when there is
    more than one core (or `workers` > 1), the networks have `parallel_from_arcs` arcs or more
    (default PARALLEL_FROM_ARCS), and the platform can fork; else pricing runs here."""
    workers = pricing_workers() if workers is None else workers
    parallel_from_arcs = PARALLEL_FROM_ARCS if parallel_from_arcs is None else parallel_from_arcs
    arcs = sum(flows[k].arc_count for k in categories)
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or len(categories) <= 1 or arcs < parallel_from_arcs or not forkable:
        yield NetworkPricer(flows, None)
        return
    global _networks
    _networks = {k: flows[k] for k in categories}
    executor = ProcessPoolExecutor(
        max_workers=min(workers, len(categories)),
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_of,
        initargs=(os.getpid(),),
    )
    try:
        yield NetworkPricer(flows, executor)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        _networks = {}


def price(
    problem: Decomposition,
    pricer: NetworkPricer,
    prices: PriceVector,
    convexity: dict[str, float],
    prove: bool = True,
    lp_prices: PriceVector | None = None,
) -> tuple[bool, int | None]:
    """Each category's cheapest plan at `prices` joins the columns if its reduced cost at the
    LP's prices (`lp_prices` when the prices given are smoothed, else the same) is negative.
    Returns whether any joined, and the exact bound the given prices prove (or None). `prove`
    False: problem.categories are only some of the stage's (a dive), and no bound is proven."""
    hospital_prices, term_prices = prices
    lp_hospital, lp_term = lp_prices if lp_prices is not None else prices
    linking = problem.linking
    objective = linking.objective
    flows = problem.flows
    # Whole weights: the prices scaled by `unit` and rounded, and the objective's costs by
    # `scale`. Any whole weights give a valid bound; the larger the scale, the less rounding
    # loses, as long as every arc's weighted cost stays far inside 64 bits.
    largest_price = max([*hospital_prices, *term_prices.values(), 0.0])
    if objective is None:
        if largest_price <= 0:
            return False, None
        scale = 1
        unit = _WEIGHT_SCALE / largest_price
        # A held term's price is per SEK (a budget): its weighted arc costs stay within 64 bits.
        per_unit = max(
            sum(p * float(np.abs(flows[k].costs[t]).max(initial=0)) for t, p in term_prices.items())
            + float(hospital_prices.max(initial=0.0))
            for k in problem.categories
        )
        if per_unit * unit > _COST_SCALE:
            unit = _COST_SCALE / per_unit
    else:
        per_unit = max(
            float(np.abs(flows[k].costs[objective]).max(initial=0))
            + sum(p * float(np.abs(flows[k].costs[t]).max(initial=0)) for t, p in term_prices.items())
            + float(hospital_prices.max(initial=0.0))
            for k in problem.categories
        )
        scale = 1
        while scale < _LARGEST_SCALE and 10 * scale * per_unit <= _COST_SCALE:
            scale *= 10
        unit = float(scale)
    whole_hospital = np.rint(hospital_prices * unit).astype(np.int64)
    whole_term = {t: round(p * unit) for t, p in term_prices.items()}
    least = 0  # sum over categories of the exact weighted minimum (with the constants)
    entered = False
    constants = {}
    for k in problem.categories:
        flow = flows[k]
        cost = np.zeros_like(flow.upper)
        constants[k] = 0
        if objective is not None:
            cost += scale * flow.costs[objective]
            constants[k] += scale * problem.constant[objective, k]
        for t, weight in whole_term.items():
            cost += weight * flow.costs[t]
            constants[k] += weight * problem.constant[t, k]
        problem.priced[k] = flow.priced(cost, whole_hospital)
    cheapest = pricer.cheapest({k: problem.priced[k] for k in problem.categories})
    for k in problem.categories:
        flow = flows[k]
        result = cheapest[k]
        if result is None:
            return False, None
        value, arcs = result
        least += value + constants[k]
        over = flow.over_by_hospital(arcs)
        column = problem.column_of(k, over, arcs)
        problem.cheapest[k] = column
        reduced = float(np.dot(lp_hospital, over)) - convexity[k]
        reduced += sum(lp_term.get(t, 0.0) * column.values[t] for t in linking.held)
        if objective is not None:
            reduced += column.values[objective]
        if reduced < -_ENTERS * max(1.0, abs(convexity[k])):
            problem.columns[k].append(column)
            entered = True
    if not prove:
        return entered, None
    if objective is None:
        # sum_h w_h X_h + sum_t w_t t <= E sum_h w_h I_h / 1000 + sum_t w_t held_t for every
        # plan obeying the linking rows.
        least += int(np.dot(whole_hospital, problem.outside))
        rows = sum(whole_term[t] * linking.held[t] for t in whole_term)
        total = int(np.dot(whole_hospital, problem.inflow))
        bound = -(-1000 * (least - rows) // total) if total > 0 else None
        if bound is not None:
            bound = max(bound, 0)
    else:
        rows = sum(whole_term[t] * linking.held[t] for t in whole_term)
        if linking.equity is not None:
            rows += sum(int(whole_hospital[i]) * problem.cap(i) for i in problem.counted)
        bound = -(-(least - rows) // scale)
    if bound is not None and (problem.best is None or bound > problem.best.bound):
        problem.best = BestPrices(bound, least, rows, scale, whole_hospital, dict(problem.priced))
    return entered, bound
