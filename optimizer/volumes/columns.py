"""Coupled stages by column generation: proven bounds and plans for the stages that couple the
categories (the decomposition: optimizer/volumes/decomposition.py).

Each round solves the master LP over the columns so far (optimizer/volumes/master.py) and prices
every category's network at its prices (optimizer/volumes/pricing.py): each category's plan of
least priced cost joins the columns when the LP wants it, and the prices prove an exact bound.
This stops when no category has a cheaper plan, the bound reaches the LP's value, or the time is
up. The LP's mix is then rounded to a whole plan (optimizer/volumes/rounding.py). When that
rounding breaks a linking rule, with_margin runs the generation again from the same columns with
every equity cap lowered, so that its rounding lands within the real caps (its bound is then not
the stage's).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
from collections.abc import Callable

import numpy as np

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions
from leveransplan.models.scenario import SolverSettings
from leveransplan.optimizer.volumes import rounding
from leveransplan.optimizer.volumes.decomposition import ColumnsResult, Decomposition, Linking, carried
from leveransplan.optimizer.volumes.flow import CategoryFlow
from leveransplan.optimizer.volumes.master import PriceVector, solve_master
from leveransplan.optimizer.volumes.pricing import network_pricer, price

# Seconds for a dive (rounding.dived) when no time is given.
DIVE_SECONDS = 10.0
# Smoothing of the prices a later stage's networks are priced at (_Smoothing): the first round's
# weight on the prices of the best bound so far, and the most it may reach.
_SMOOTHING_START = 0.5
_SMOOTHING_MOST = 0.99


def by_columns(
    data: VolumeData,
    flows: dict[str, CategoryFlow],
    categories: list[str],
    current: Decisions,
    linking: Linking,
    time_left: Callable[[], float],
    settings: SolverSettings | None = None,
    combination_seconds: float = 2.0,
    max_rounds: int = 100,
    dive_seconds: float = DIVE_SECONDS,
    clock: Callable[[], float] = time.perf_counter,
) -> ColumnsResult | None:
    """Column generation over `categories` (the others keep `current`) while time is left.

    None when the decomposition does not apply (a category's network cannot be used, a term the
    networks do not carry) or GLOP fails: the caller then searches as before.
    """
    if any(not flows[k].usable for k in categories) or not categories:
        return None
    if any(not carried(t) for t in [linking.objective, *linking.held] if t is not None):
        return None
    if any(t not in flows[k].costs for t in linking.held for k in categories):
        return None
    problem = Decomposition(data, flows, categories, current, linking)
    if not problem.complete or (linking.objective is None and not problem.counted):
        return None
    return _generate_and_round(
        problem, time_left, settings, combination_seconds, max_rounds, dive_seconds, clock
    )


def with_margin(
    result: ColumnsResult,
    margin: int,
    time_left: Callable[[], float],
    settings: SolverSettings | None = None,
    combination_seconds: float = 2.0,
    max_rounds: int = 100,
    dive_seconds: float = DIVE_SECONDS,
    clock: Callable[[], float] = time.perf_counter,
) -> ColumnsResult | None:
    """The same stage again, every hospital's equity cap lowered by `margin` patient-months
    (Linking.margin), continued from `result`'s columns: its rounding lands within the real
    caps where `result`'s did not. Its bound is not the stage's. None as for by_columns."""
    first = result.problem
    if first is None or first.linking.equity is None or margin <= 0:
        return None
    problem = copy.copy(first)
    problem.linking = dataclasses.replace(first.linking, margin=margin)
    problem.columns = {k: list(columns) for k, columns in first.columns.items()}
    problem.priced = {}
    problem.chosen = {}
    problem.best = None
    return _generate_and_round(
        problem, time_left, settings, combination_seconds, max_rounds, dive_seconds, clock
    )


def _generate_and_round(
    problem: Decomposition,
    time_left: Callable[[], float],
    settings: SolverSettings | None,
    combination_seconds: float,
    max_rounds: int,
    dive_seconds: float,
    clock: Callable[[], float],
) -> ColumnsResult | None:
    """Column generation while time is left, then the LP's mix rounded to a whole plan (by a
    dive when rounding each category on its own breaks a linking rule)."""
    bound: int | None = None
    rounds = 0
    shares: dict[str, list[float]] = {}
    workers = settings.workers if settings is not None and settings.workers > 0 else None
    # The equity stage converges in a few rounds unsmoothed; smoothing slowed it down so far that
    # its large instances were no longer proven.
    smoothing = _Smoothing() if problem.linking.objective is not None else None
    # A round is not started when less time is left than the last one took: a large round
    # takes seconds, and one started at the deadline runs the stage that far past it.
    round_seconds = 0.0
    with network_pricer(problem.flows, problem.categories, workers) as pricer:
        while rounds < max_rounds and time_left() > round_seconds:
            round_started = clock()
            rounds += 1
            master = solve_master(problem)
            if master is None:
                # GLOP gave up (numerics): the columns and mix of the last round stand.
                break
            shares, lp_prices = master.shares, master.prices
            if smoothing is None:
                entered, round_bound = price(problem, pricer, lp_prices, master.convexity)
            else:
                smoothed = smoothing.prices_between(lp_prices)
                smoothed_apart = smoothing.center is not None and smoothing.weight > 0
                entered, round_bound = price(problem, pricer, smoothed, master.convexity, lp_prices=lp_prices)
                smoothing.adapt(problem, lp_prices)
                smoothing.proved(round_bound, smoothed)
                if smoothed_apart and not entered:
                    # The smoothed prices gave no column the LP wants (mispricing): the LP's own,
                    # which also say when no column can improve the LP.
                    entered, lp_bound = price(problem, pricer, lp_prices, master.convexity)
                    smoothing.proved(lp_bound, lp_prices)
                    if lp_bound is not None:
                        round_bound = lp_bound if round_bound is None else max(round_bound, lp_bound)
            if round_bound is not None:
                bound = round_bound if bound is None else max(bound, round_bound)
            # The proven bound is whole and at most the LP's value: once it reaches that value
            # rounded up, more columns cannot raise it.
            if not entered or (bound is not None and bound >= math.ceil(master.value - 1e-6)):
                break
            round_seconds = clock() - round_started
        if not shares:
            return None
        rounded = rounding.rounded_mix(problem, shares, bound, rounds)
        unlinked = None if rounded.obeys_linking else rounded
        dive = None
        if not rounded.obeys_linking:
            # With lowered caps the LP may go above them at a price (Linking.margin), so a dive
            # would not stay within them: none then.
            if problem.linking.margin == 0:
                dive = rounding.dived(problem, rounded, pricer, dive_seconds, clock)
            candidates = [rounding.switched(problem, rounded), dive]
            found = [c for c in candidates if c is not None and c.obeys_linking]
            if found:
                rounded = min(found, key=lambda c: c.value)
                problem.chosen = dict(rounded.chosen)
    best = rounding.best_combination(problem, rounded, combination_seconds, settings or SolverSettings())
    result = best if best is not None else rounded
    if unlinked is not None:
        result.unlinked = unlinked.decisions
    if dive is not None and not dive.obeys_linking:
        result.unsettled = dive
    return result


class _Smoothing:
    """Prices smoothed towards those of the best bound so far (Wentges), with the weight adapted
    each round by the direction the bound rises in (Pessoa, Sadykov, Uchoa, Vanderbeck 2018,
    "Automation and combination of linear-programming based stabilization techniques in
    column generation").

    Why: the LP's own prices swing from round to round while the LP is far from its optimum,
    and their bounds with them: at the LP's own prices the bound of a large travel stage stayed at
    its first round's while the LP moved, and smoothed it closed most of that gap and converged
    sooner. The columns still enter only at a negative reduced cost at the
    LP's prices, and each round's bound is exact at whatever prices it was priced at."""

    def __init__(self) -> None:
        self.weight = _SMOOTHING_START
        self.best_bound: int | None = None
        self.center: PriceVector | None = None

    def prices_between(self, lp_prices: PriceVector) -> PriceVector:
        """weight * the best bound's prices + (1 - weight) * the LP's (the LP's in the first round)."""
        if self.center is None:
            return lp_prices
        center_hospital, center_term = self.center
        lp_hospital, lp_term = lp_prices
        a = self.weight
        hospital = a * center_hospital + (1 - a) * lp_hospital
        term = {t: a * center_term.get(t, 0.0) + (1 - a) * p for t, p in lp_term.items()}
        return hospital, term

    def proved(self, bound: int | None, prices: PriceVector) -> None:
        """The best bound's prices become the centre."""
        if bound is not None and (self.best_bound is None or bound > self.best_bound):
            self.best_bound = bound
            self.center = (prices[0].copy(), dict(prices[1]))

    def adapt(self, problem: Decomposition, lp_prices: PriceVector) -> None:
        """Less weight on the centre when the bound rises towards the LP's prices (the rows'
        excess at this round's plans priced at the smoothed prices, problem.cheapest, a
        subgradient, points that way), else more."""
        if self.center is None:
            return
        linking = problem.linking
        excess = np.zeros(len(problem.inflow), dtype=float)
        for k in problem.categories:
            excess += problem.cheapest[k].over
        step = 0.0
        if linking.equity is not None:
            for i in problem.counted:
                step += (excess[i] - problem.cap(i)) * (lp_prices[0][i] - self.center[0][i])
        for t, held in linking.held.items():
            excess_t = sum(problem.cheapest[k].values[t] for k in problem.categories) - held
            step += excess_t * (lp_prices[1].get(t, 0.0) - self.center[1].get(t, 0.0))
        if step > 0:
            self.weight = max(0.0, self.weight - 0.1)
        else:
            self.weight = min(_SMOOTHING_MOST, self.weight + (1 - self.weight) * 0.1)
