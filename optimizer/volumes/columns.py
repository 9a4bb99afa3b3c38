"""Coupled stages by columns: proven bounds and plans for the stages that couple the categories.

Every volume rule separates by category except equity (max_h ceil(1000 X_h / I_h)) and the
terms held region-wide once a coupled stage has been solved. Such a stage is decomposed
(Dantzig-Wolfe): each category contributes plans ("columns"), each summarised by its
patient-months beyond the guarantee per hospital and its objective values, and a small LP (GLOP)
mixes one convex combination of columns per category:

- equity stage: minimise E with 1000 (X_h outside + mixed X_h) <= E * I_h for every hospital
  with inflow;
- a later stage: minimise the stage's term with every hospital's X_h within the equity value
  reached (X_h <= floor(E * I_h / 1000)) and every term held region-wide within its value.

The LP's prices on these linking rows (its duals) say what a patient-month of each hospital, and
a unit of each held term, costs; each category's network then finds, exactly, its plan of least
priced cost within the plans optimal for its own stages so far, and that plan joins the columns.
This stops when no category has a cheaper plan or the time is up.

Bounds are exact integer arithmetic, not the LP's floating values (Lagrangian relaxation): with
the prices rounded to whole weights w >= 0 and a whole scale S >= 1, every plan obeying the
linking rows has S * objective >= sum_k min_k(S * objective_k + sum_h w_h X_hk + sum_t w_t t_k)
- sum_h w_h cap_h - sum_t w_t held_t, and each min_k is an exact network minimum. (For equity:
sum_h w_h X_h <= E * sum_h w_h I_h / 1000, so E >= 1000 * min sum w X / sum w I.)

The plan: each category takes its column of largest LP weight, or where the LP split its weight
between columns (in a basic solution at most one category per linking row) a whole flow within
one unit of the mix. When that rounding breaks a linking row, with_margin runs the generation
again from the same columns with every equity cap lowered, so that its rounding lands within the
real caps (its bound is then not the stage's).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.scenario import SolverSettings
from leveransplan.optimizer.search import current_run
from leveransplan.optimizer.volumes.flow import CategoryFlow
from leveransplan.optimizer.volumes.mip import NotLinear, solve_as_mip
from leveransplan.optimizer.volumes.pricing import NetworkPricer, network_pricer

# Largest whole weight in the pricing networks: weighted sums stay far inside 64-bit costs.
_WEIGHT_SCALE = 1_000_000
# Largest weighted unit cost of an arc in a pricing network, and the largest scale of a stage's
# own costs: sums of cost times flow stay far inside 64 bits.
_COST_SCALE = 10**12
_LARGEST_SCALE = 10**9
# A column enters when its reduced cost is below this, relative (the LP is floating point).
_ENTERS = 1e-7
# The LP's price of a patient-month above a lowered cap (Linking.margin): more than any stage's
# objective gains from one (at most a few hundred SEK or travel-minutes per patient-month).
_ABOVE_CAP_PRICE = 1e7
# Seconds for a dive (_dived) when no time is given, and how many of a category's columns, by
# their LP weight, it tries before pricing new ones.
_DIVE_SECONDS = 10.0
_DIVE_TRIES = 3
_DIVE_PRICINGS = 3
_DIVE_BACKTRACKS = 10
# Smoothing of the prices a later stage's networks are priced at (_Smoothing): the first round's
# weight on the prices of the best bound so far, and the most it may reach.
_SMOOTHING_START = 0.5
_SMOOTHING_MOST = 0.99
# Prices of one round: each hospital's (by index) and each held term's.
_PriceVector = tuple[np.ndarray, dict[str, float]]
# Terms the columns can carry: their value is the network's cost plus a constant per category.
# Besides these, each hospital's spend under its frame (`spend:<hospital>`, CategoryFlow.costs).
CARRIED = ("over_guarantee", "out_of_region", "cost", "travel", "stability")


def carried(term: str) -> bool:
    """Whether the networks carry `term` as a cost on their arcs (a column can hold it)."""
    return term in CARRIED or term.startswith(SPEND)


# Held terms named so are one hospital's spend (spec section 7), `spend:<hospital>`.
SPEND = "spend:"


@dataclass
class Linking:
    """The rules that couple the categories in a stage.

    objective: the stage's term, or None for the equity stage (minimise E).
    equity: the equity value held (hospital caps floor(E * I_h / 1000)), or None.
    held: terms held region-wide over the decomposed categories, with their values.
    """

    objective: str | None
    equity: int | None = None
    held: dict[str, int] = field(default_factory=dict)
    # Patient-months kept free below every hospital's equity cap, so that the LP's rounding
    # lands within the caps. The bound proven is then that of a tighter problem: not the stage's.
    margin: int = 0


@dataclass
class ColumnsResult:
    """The rounded plan (the decomposed categories' columns, the current plan elsewhere), its
    value of the stage's objective (E for equity, else the objective's sum over those
    categories), the proven bound on that value, whether the plan obeys every linking rule, and
    the categories the LP mixed."""

    decisions: Decisions
    value: int
    bound: int
    obeys_linking: bool
    mixed: list[str]
    rounds: int
    shares: dict[str, list[float]]
    problem: _Problem | None = field(default=None, repr=False)
    # The LP's rounding when it breaks a linking rule: often every term within its hold and only
    # a few hospitals a few patient-months above their equity cap (repaired in solve.py).
    unlinked: Decisions | None = field(default=None, repr=False)
    # The column each category takes (its index in the problem's columns).
    chosen: dict[str, int] = field(default_factory=dict, repr=False)
    # A dive that stopped with some categories free (its `mixed`): every other category at a
    # column, for the driver to settle the free ones by CP-SAT.
    unsettled: ColumnsResult | None = field(default=None, repr=False)

    def hold(self, value: int) -> int:
        """The stage's value `value` is held from now on: fix, in each category's network, the
        arcs no plan within it can change (reduced-cost fixing at the best bound's weights).
        Returns the arcs fixed."""
        budget = self._budget(value)
        if budget is None or self.problem is None or self.problem.best is None:
            return 0
        best = self.problem.best
        return sum(self.problem.flows[k].fix_beyond(best.priced[k], budget) for k in self.problem.categories)

    def ranges_within(self, value: int) -> dict[str, dict[tuple[str, Any], tuple[int, int]]] | None:
        """Each category's decision ranges that every plan with the stage's term at most `value`
        (and obeying the linking rules) keeps, by reduced-cost fixing; None if not available."""
        budget = self._budget(value)
        if budget is None or self.problem is None or self.problem.best is None:
            return None
        ranges = {}
        for k in self.problem.categories:
            flow = self.problem.flows[k]
            tightened = flow.bounds_beyond(self.problem.best.priced[k], budget)
            ranges[k] = flow.decision_bounds(tightened)
        return ranges

    def _budget(self, value: int) -> int | None:
        """How much more than the least, at the best bound's weights, the categories' plans
        together may cost when the stage's term is at most `value`: every plan obeying the
        linking rules has sum_k (priced_k(x_k) - min_k) <= S * value + rows - least (equity:
        sum_h w_h floor(value * I_h / 1000) - least)."""
        problem = self.problem
        if problem is None or problem.best is None:
            return None
        best = problem.best
        if problem.linking.objective is None:
            rhs = sum(
                int(best.hospital[i]) * (value * int(problem.inflow[i]) // 1000) for i in problem.counted
            )
            return rhs + best.rows - best.least
        return best.scale * value + best.rows - best.least


@dataclass
class _Column:
    over: np.ndarray  # X_hk per hospital
    values: dict[str, int]  # the objective's and every held term's value in this category
    network: CategoryFlow
    arcs: np.ndarray  # the plan as the network's flow

    def decisions(self) -> Decisions:
        return self.network.decisions(self.arcs)


@dataclass
class _Prices:
    """The whole weights of the round that proved the best bound, with its exact figures."""

    bound: int
    least: int  # sum of the categories' priced minimums (and, for equity, the outside's)
    rows: int  # the linking rows' right-hand sides at these weights (cap mode)
    scale: int
    hospital: np.ndarray
    priced: dict[str, np.ndarray]


class _Problem:
    """The decomposition of one stage: linking rows, columns, constants."""

    def __init__(
        self,
        data: VolumeData,
        flows: dict[str, CategoryFlow],
        categories: list[str],
        current: Decisions,
        linking: Linking,
    ) -> None:
        self.data = data
        self.flows = flows
        self.categories = categories
        self.linking = linking
        self.current = current
        self.terms = [t for t in [linking.objective, *linking.held] if t is not None]
        hospitals = data.hospitals
        self.inflow = np.array([data.hospital_inflow(h) for h in hospitals], dtype=np.int64)
        self.counted = [i for i, value in enumerate(self.inflow) if value > 0]
        values = TermValues(data, current)
        chosen = set(categories)
        self.outside = np.zeros(len(hospitals), dtype=np.int64)
        for (h, k), patient_months in values.over_by_hospital_category.items():
            if k not in chosen:
                self.outside[hospitals.index(h)] += patient_months
        # Each term's value in a category is its network cost plus this constant (take-or-pay).
        self.constant = {(t, k): self._constant(t, k) for t in self.terms for k in categories}
        self.columns: dict[str, list[_Column]] = {}
        # The last round's priced cost of each category's arcs (for rounding the LP's mix).
        self.priced: dict[str, np.ndarray] = {}
        # Each category's cheapest plan at the last round's prices, whether it joined or not.
        self.cheapest: dict[str, _Column] = {}
        # The column each category takes in the rounded plan.
        self.chosen: dict[str, int] = {}
        self.best: _Prices | None = None
        self.complete = True
        for k in categories:
            arcs = flows[k].flow_of(current)
            if arcs is None:
                self.complete = False
                continue
            over = np.array(
                [values.over_by_hospital_category.get((h, k), 0) for h in hospitals], dtype=np.int64
            )
            values_k = {t: _term_value(values, t, k) for t in self.terms}
            self.columns[k] = [_Column(over, values_k, flows[k], arcs)]

    def _constant(self, term: str, category: str) -> int:
        if term != "cost":
            # Stability: the previous plan's values, less what the arcs below them carry.
            return self.flows[category].constants.get(term, 0)
        contracts = self.data.contracts.values()
        return sum(c.volume_min * c.price_sek for c in contracts if c.category == category)

    def cap(self, i: int) -> int:
        """X_h allowed by the equity value held, less the categories outside."""
        assert self.linking.equity is not None
        return self.linking.equity * int(self.inflow[i]) // 1000 - int(self.outside[i]) - self.linking.margin


def _term_value(values: TermValues, term: str, category: str) -> int:
    """A term's value in one category, a hospital's spend (`spend:<hospital>`) included."""
    if term.startswith(SPEND):
        return values.spend(term.removeprefix(SPEND), [category])
    return values.term(term, [category])


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
    dive_seconds: float = _DIVE_SECONDS,
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
    problem = _Problem(data, flows, categories, current, linking)
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
    dive_seconds: float = _DIVE_SECONDS,
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
    problem: _Problem,
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
    # The equity stage converges in a few rounds unsmoothed; smoothed at a fixed 0.8 it went from
    # 30 s OPTIMAL to 60 s FEASIBLE at scale 20.
    smoothing = _Smoothing() if problem.linking.objective is not None else None
    # A round is not started when less time is left than the last one took: at scale 20 a
    # round takes seconds, and one started at the deadline ran the stage that far past it.
    round_seconds = 0.0
    with network_pricer(problem.flows, problem.categories, workers) as pricer:
        while rounds < max_rounds and time_left() > round_seconds:
            round_started = clock()
            rounds += 1
            master = _solve_master(problem)
            if master is None:
                # GLOP gave up (numerics): the columns and mix of the last round stand.
                break
            hospital_prices, term_prices, convexity, shares, relaxed = master
            lp_prices = (hospital_prices, term_prices)
            if smoothing is None:
                entered, round_bound = _price(problem, pricer, *lp_prices, convexity)
            else:
                smoothed = smoothing.prices_between(lp_prices)
                smoothed_apart = smoothing.center is not None and smoothing.weight > 0
                entered, round_bound = _price(problem, pricer, *smoothed, convexity, lp_prices=lp_prices)
                smoothing.adapt(problem, lp_prices)
                smoothing.proved(round_bound, smoothed)
                if smoothed_apart and not entered:
                    # The smoothed prices gave no column the LP wants (mispricing): the LP's own,
                    # which also say when no column can improve the LP.
                    entered, lp_bound = _price(problem, pricer, *lp_prices, convexity)
                    smoothing.proved(lp_bound, lp_prices)
                    if lp_bound is not None:
                        round_bound = lp_bound if round_bound is None else max(round_bound, lp_bound)
            if round_bound is not None:
                bound = round_bound if bound is None else max(bound, round_bound)
            # The proven bound is whole and at most the LP's value: once it reaches that value
            # rounded up, more columns cannot raise it.
            if not entered or (bound is not None and bound >= math.ceil(relaxed - 1e-6)):
                break
            round_seconds = clock() - round_started
        if not shares:
            return None
        rounded = _rounded(problem, shares, bound, rounds)
        unlinked = None if rounded.obeys_linking else rounded
        dive = None
        if not rounded.obeys_linking:
            # With lowered caps the LP may go above them at a price (Linking.margin), so a dive
            # would not stay within them: none then.
            if problem.linking.margin == 0:
                dive = _dived(problem, rounded, pricer, dive_seconds, clock)
            candidates = [_switched(problem, rounded), dive]
            found = [c for c in candidates if c is not None and c.obeys_linking]
            if found:
                rounded = min(found, key=lambda c: c.value)
                problem.chosen = dict(rounded.chosen)
    best = _best_combination(problem, rounded, combination_seconds, settings or SolverSettings())
    result = best if best is not None else rounded
    if unlinked is not None:
        result.unlinked = unlinked.decisions
    if dive is not None and not dive.obeys_linking:
        result.unsettled = dive
    return result


def _dived(
    problem: _Problem,
    rounded: ColumnsResult,
    pricer: NetworkPricer,
    seconds: float,
    clock: Callable[[], float] = time.perf_counter,
) -> ColumnsResult | None:
    """A whole plan within every linking rule from the LP, one category at a time: fix the
    category whose mix is nearest to one column (to its plan nearest the mix, else to its
    columns by weight), solve the LP again so that the categories still free make up for the
    rounding, and when no column of it leaves the LP feasible, price the free categories at the
    LP's prices for new columns (at most _DIVE_PRICINGS times for a category).

    When a category cannot be fixed so, or time is up, the categories still free (the result's
    `mixed`) take their column of largest weight: the plan may then break a linking rule, and
    the driver settles those categories by CP-SAT with every other one fixed at its column.
    None when GLOP fails.

    Why: each category's own rounding is close to its mix, but the rows are tight. At scale 20's
    travel stage the 100 equity caps were within 4 271 patient-months of the plan, and the
    separate roundings put 44 hospitals 2 475 patient-months above them together; every
    combination of whole columns the LP had was then no better than the plan it started from."""
    # On the run's clock: in deterministic mode it stands still outside CP-SAT, and the dive
    # ends by its own count of pricings instead.
    deadline = clock() + seconds
    columns = problem.columns
    free: list[str] = []
    working = {k: list(cs) for k, cs in columns.items()}
    problem.columns = working
    choice: dict[str, _Column] = {}
    # Each category's columns before it was fixed, and the categories fixed in turn (the last
    # one is freed again when the next cannot be fixed: at most _DIVE_BACKTRACKS times).
    unfixed: dict[str, list[_Column]] = {}
    fixed_in_turn: list[str] = []
    backtracks = 0
    first: str | None = None
    try:
        master = _solve_master(problem)
        while master is not None and clock() < deadline:
            shares = master[3]
            for k in problem.categories:
                if k not in choice and sum(1 for w in shares[k] if w > 1e-6) == 1:
                    choice[k] = working[k][int(np.argmax(shares[k]))]
                    working[k] = [choice[k]]
            free = [k for k in problem.categories if k not in choice]
            if not free:
                break
            category = first if first in free else max(free, key=lambda k: max(shares[k]))
            first = None
            unfixed[category] = working[category]
            fixed = _fix_one(problem, category, shares[category], choice, pricer, (clock, deadline), master)
            if fixed is not None:
                fixed_in_turn.append(category)
                master = fixed
                continue
            if not fixed_in_turn or backtracks >= _DIVE_BACKTRACKS:
                break
            # Free the category fixed last, and fix this one before it.
            backtracks += 1
            last = fixed_in_turn.pop()
            working[last] = unfixed[last]
            del choice[last]
            first = category
            master = _solve_master(problem)
        if master is None:
            return None
        free = [k for k in problem.categories if k not in choice]
        # The categories left free take their column of largest weight.
        for k in free:
            choice[k] = working[k][int(np.argmax(master[3][k]))]
    finally:
        # The columns chosen, and those priced for the categories left free, join the columns.
        for k, cs in working.items():
            if k in free or k not in choice:
                columns[k] = cs
            elif all(choice[k] is not c for c in columns[k]):
                columns[k].append(choice[k])
        problem.columns = columns
    chosen = {k: next(j for j, c in enumerate(columns[k]) if c is choice[k]) for k in problem.categories}
    return _result_of(problem, chosen, free, rounded.shares, rounded.bound, rounded.rounds)


def _fix_one(
    problem: _Problem,
    category: str,
    share: list[float],
    choice: dict[str, _Column],
    pricer: NetworkPricer,
    deadline: tuple[Callable[[], float], float],
    master: tuple[np.ndarray, dict[str, float], dict[str, float], dict[str, list[float]], float],
) -> tuple[np.ndarray, dict[str, float], dict[str, float], dict[str, list[float]], float] | None:
    """Fix `category` to one column that leaves the LP feasible; the LP then, or None."""
    working = problem.columns
    clock, until = deadline
    for _ in range(_DIVE_PRICINGS + 1):
        if clock() >= until:
            return None
        all_columns = working[category]
        near = _near_the_mix(problem, category, share)
        by_weight = sorted(range(len(share)), key=lambda j: -share[j])[:_DIVE_TRIES]
        for column in [*([near] if near is not None else []), *(all_columns[j] for j in by_weight)]:
            working[category] = [column]
            fixed = _solve_master(problem)
            if fixed is not None:
                choice[category] = column
                return fixed
        working[category] = all_columns
        # No column of it fits with the others as fixed: new columns for the free categories.
        hospital_prices, term_prices, convexity, _, _ = master
        free = [k for k in problem.categories if k not in choice]
        everyone = problem.categories
        problem.categories = free
        try:
            entered, _ = _price(problem, pricer, hospital_prices, term_prices, convexity, prove=False)
        finally:
            problem.categories = everyone
        if not entered:
            return None
        refreshed = _solve_master(problem)
        if refreshed is None:
            return None
        master, share = refreshed, refreshed[3][category]
    return None


def _switched(problem: _Problem, rounded: ColumnsResult) -> ColumnsResult | None:
    """From the current plan (column 0 everywhere, which obeys every linking rule), switch one
    category at a time to the column that lowers the objective most while every linking rule
    still holds; the rounded plan's column first. A plan that obeys the rules, when the LP's
    rounding does not (its rows are tight: the held terms at their optimum)."""
    linking = problem.linking
    objective = linking.objective
    if objective is None:
        return None
    choice = dict.fromkeys(problem.categories, 0)
    over = sum((problem.columns[k][0].over for k in problem.categories), np.zeros_like(problem.outside))
    held = {t: sum(problem.columns[k][0].values[t] for k in problem.categories) for t in linking.held}
    caps = (
        np.array(
            [problem.cap(i) if i in problem.counted else np.iinfo(np.int64).max for i in range(len(over))]
        )
        if linking.equity is not None
        else None
    )
    improved = True
    while improved:
        improved = False
        for k in problem.categories:
            columns = problem.columns[k]
            now = columns[choice[k]]
            order = sorted(
                range(len(columns)), key=lambda j: (j != problem.chosen.get(k), columns[j].values[objective])
            )
            for j in order:
                candidate = columns[j]
                if candidate.values[objective] >= now.values[objective]:
                    continue
                new_over = over - now.over + candidate.over
                if caps is not None and np.any(new_over > caps):
                    continue
                new_held = {t: held[t] - now.values[t] + candidate.values[t] for t in held}
                if any(new_held[t] > linking.held[t] for t in held):
                    continue
                choice[k], over, held, now = j, new_over, new_held, candidate
                improved = True
                break
    decisions = problem.current.copy()
    decisions.replace({k: problem.columns[k][j].decisions() for k, j in choice.items() if j}, problem.data)
    value = sum(problem.columns[k][j].values[objective] for k, j in choice.items())
    problem.chosen = choice
    return ColumnsResult(
        decisions,
        value,
        min(rounded.bound, value),
        True,
        rounded.mixed,
        rounded.rounds,
        rounded.shares,
        problem,
        chosen=dict(choice),
    )


class _Smoothing:
    """Prices smoothed towards those of the best bound so far (Wentges), with the weight adapted
    each round by the direction the bound rises in (Pessoa, Sadykov, Uchoa, Vanderbeck 2018,
    "Automation and combination of linear-programming based stabilization techniques in
    column generation").

    Why: the LP's own prices swing from round to round while the LP is far from its optimum,
    and their bounds with them. At scale 20's travel stage, 60 s of rounds at the LP's prices
    left the LP at 28.9 M with no bound above the first round's 19.9 M (a gap of 31 %); smoothed,
    the LP was at 22.6 M and the bound 20.8 M (8 %). At scale 5 the travel stage converged in
    9.7 s instead of 16.8 s. The columns still enter only at a negative reduced cost at the
    LP's prices, and each round's bound is exact at whatever prices it was priced at."""

    def __init__(self) -> None:
        self.weight = _SMOOTHING_START
        self.best_bound: int | None = None
        self.center: _PriceVector | None = None

    def prices_between(self, lp_prices: _PriceVector) -> _PriceVector:
        """weight * the best bound's prices + (1 - weight) * the LP's (the LP's in the first round)."""
        if self.center is None:
            return lp_prices
        center_hospital, center_term = self.center
        lp_hospital, lp_term = lp_prices
        a = self.weight
        hospital = a * center_hospital + (1 - a) * lp_hospital
        term = {t: a * center_term.get(t, 0.0) + (1 - a) * p for t, p in lp_term.items()}
        return hospital, term

    def proved(self, bound: int | None, prices: _PriceVector) -> None:
        """The best bound's prices become the centre."""
        if bound is not None and (self.best_bound is None or bound > self.best_bound):
            self.best_bound = bound
            self.center = (prices[0].copy(), dict(prices[1]))

    def adapt(self, problem: _Problem, lp_prices: _PriceVector) -> None:
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


def _solve_master(
    problem: _Problem,
) -> tuple[np.ndarray, dict[str, float], dict[str, float], dict[str, list[float]], float] | None:
    """The restricted master LP. Returns each hospital's and each held term's price (-dual,
    >= 0), each category's convexity dual, the columns' weights and the LP's value; None if
    GLOP fails."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    linking = problem.linking
    weights = {
        k: [solver.NumVar(0.0, 1.0, f"l[{k},{j}]") for j in range(len(columns))]
        for k, columns in problem.columns.items()
    }
    convexity_rows = {k: solver.Add(sum(ws) == 1.0) for k, ws in weights.items()}

    infinity = solver.infinity()
    hospital_rows: dict[int, pywraplp.Constraint] = {}
    term_rows: dict[str, pywraplp.Constraint] = {}
    objective_row = solver.Objective()
    objective_row.SetMinimization()
    if linking.objective is None:
        equity = solver.NumVar(0.0, infinity, "equity")
        for i in problem.counted:
            # In patient-months (1000 X_h <= E I_h divided by 1000): rows of like size keep GLOP stable.
            hospital_rows[i] = solver.Constraint(-infinity, -float(problem.outside[i]))
            hospital_rows[i].SetCoefficient(equity, -float(problem.inflow[i]) / 1000.0)
        objective_row.SetCoefficient(equity, 1.0)
    elif linking.equity is not None:
        for i in problem.counted:
            hospital_rows[i] = solver.Constraint(-infinity, float(problem.cap(i)))
            if linking.margin > 0:
                # The lowered caps may not be met by the columns so far: patient-months above
                # them are allowed at a price no plan's objective reaches.
                above = solver.NumVar(0.0, infinity, f"above[{i}]")
                hospital_rows[i].SetCoefficient(above, -1.0)
                objective_row.SetCoefficient(above, _ABOVE_CAP_PRICE)
    for term, value in linking.held.items():
        term_rows[term] = solver.Constraint(-infinity, float(value))
    # Each column's coefficients, set one by one where they are not 0: building the rows as
    # expressions over every column took most of the master's time at scale 20.
    for k, columns in problem.columns.items():
        for column, weight in zip(columns, weights[k], strict=True):
            for hospital in np.flatnonzero(column.over).tolist():
                if hospital in hospital_rows:
                    hospital_rows[hospital].SetCoefficient(weight, float(column.over[hospital]))
            for term, row in term_rows.items():
                row.SetCoefficient(weight, float(column.values[term]))
            if linking.objective is not None:
                objective_row.SetCoefficient(weight, float(column.values[linking.objective]))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    hospital_prices = np.zeros(len(problem.inflow), dtype=float)
    for i, row in hospital_rows.items():
        hospital_prices[i] = max(0.0, -row.dual_value())
    term_prices = {t: max(0.0, -row.dual_value()) for t, row in term_rows.items()}
    convexity = {k: row.dual_value() for k, row in convexity_rows.items()}
    shares = {k: [w.solution_value() for w in ws] for k, ws in weights.items()}
    return hospital_prices, term_prices, convexity, shares, solver.Objective().Value()


def _price(
    problem: _Problem,
    pricer: NetworkPricer,
    hospital_prices: np.ndarray,
    term_prices: dict[str, float],
    convexity: dict[str, float],
    prove: bool = True,
    lp_prices: _PriceVector | None = None,
) -> tuple[bool, int | None]:
    """Each category's cheapest plan at the given prices joins the columns if its reduced cost
    at the LP's prices (`lp_prices` when the prices given are smoothed, else the same) is
    negative. Returns whether any joined, and the exact bound the given prices prove (or
    None). `prove` False: problem.categories are only some of the stage's (a dive), and no
    bound is proven."""
    lp_hospital, lp_term = lp_prices if lp_prices is not None else (hospital_prices, term_prices)
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
        column = _column_of(problem, k, over, arcs)
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
        problem.best = _Prices(bound, least, rows, scale, whole_hospital, dict(problem.priced))
    return entered, bound


def _column_of(problem: _Problem, category: str, over: np.ndarray, arcs: np.ndarray) -> _Column:
    flow = problem.flows[category]
    values = {t: int(np.dot(flow.costs[t], arcs)) + problem.constant[t, category] for t in problem.terms}
    if "over_guarantee" in values:
        values["over_guarantee"] = int(over.sum())
    return _Column(over, values, flow, arcs)


def _best_combination(
    problem: _Problem, rounded: ColumnsResult, seconds: float, settings: SolverSettings
) -> ColumnsResult | None:
    """The best choice of one generated column per category (CP-SAT on a small model: one
    Boolean per column), when it beats the LP's rounding; None when it does not or finds none."""
    linking = problem.linking
    model = cp_model.CpModel()
    chosen = {
        k: [model.new_bool_var(f"y[{k},{j}]") for j in range(len(columns))]
        for k, columns in problem.columns.items()
    }
    for ys in chosen.values():
        model.add_exactly_one(ys)

    def total_over(i: int) -> cp_model.LinearExprT:
        return int(problem.outside[i]) + sum(
            int(c.over[i]) * y
            for k, columns in problem.columns.items()
            for c, y in zip(columns, chosen[k], strict=True)
        )

    def total_term(term: str) -> cp_model.LinearExprT:
        return sum(
            c.values[term] * y
            for k, columns in problem.columns.items()
            for c, y in zip(columns, chosen[k], strict=True)
        )

    for term, value in linking.held.items():
        model.add(total_term(term) <= value)
    objective: cp_model.LinearExprT
    if linking.objective is None:
        # The start (column 0 where the rounding breaks a linking row) must lie in the domain.
        start_over = problem.outside + sum(
            (columns[0].over for columns in problem.columns.values()), np.zeros_like(problem.outside)
        )
        start_equity = max(
            (-(-1000 * int(start_over[i]) // int(problem.inflow[i])) for i in problem.counted), default=0
        )
        top = max(rounded.value, rounded.bound, start_equity)
        equity = model.new_int_var(rounded.bound, top, "equity")
        for i in problem.counted:
            model.add(1000 * total_over(i) <= equity * int(problem.inflow[i]))
        objective = equity
    else:
        if linking.equity is not None:
            for i in problem.counted:
                model.add(total_over(i) - int(problem.outside[i]) <= problem.cap(i))
        objective = total_term(linking.objective)
        model.add(objective >= rounded.bound)
    model.minimize(objective)
    for k, ys in chosen.items():
        # The rounded plan, or when it breaks a linking rule the current plan (column 0), which
        # obeys them all.
        start = problem.chosen[k] if rounded.obeys_linking else 0  # column 0: the current plan
        for j, y in enumerate(ys):
            model.add_hint(y, j == start)
    picked = _combination(model, objective, chosen, seconds, settings)
    if picked is None:
        return None
    value = (
        sum(problem.columns[k][j].values[linking.objective] for k, j in picked.items())
        if linking.objective is not None
        else _equity_of(problem, picked)
    )
    if rounded.obeys_linking and value >= rounded.value:
        return None
    decisions = problem.current.copy()
    decisions.replace({k: problem.columns[k][j].decisions() for k, j in picked.items()}, problem.data)
    mixed = [k for k in rounded.mixed]
    return ColumnsResult(
        decisions, value, min(rounded.bound, value), True, mixed, rounded.rounds, rounded.shares, problem
    )


def _combination(
    model: cp_model.CpModel,
    objective: cp_model.LinearExprT,
    chosen: dict[str, list[cp_model.IntVar]],
    seconds: float,
    settings: SolverSettings,
) -> dict[str, int] | None:
    """The column each category takes in the best combination found, or None.

    By HiGHS when the run is not deterministic: the rows are the money and the held terms to
    the last SEK over a few hundred 0/1 choices, where CP-SAT's own neighbourhood searches
    reported plans their model then refused (its log: "Infeasible LNS solution")."""
    run = current_run()
    if not run.deterministic:
        try:
            status, _bound, values = solve_as_mip(model, objective, settings, max(seconds, 0.05))
        except NotLinear:
            values = None
        else:
            if values is None:
                return None
            return {k: next(j for j, y in enumerate(ys) if values[y.index]) for k, ys in chosen.items()}
    model.minimize(objective)
    status, solver, _seconds = run.solve(model, settings, max(seconds, 0.05))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {k: next(j for j, y in enumerate(ys) if solver.boolean_value(y)) for k, ys in chosen.items()}


def _equity_of(problem: _Problem, picked: dict[str, int]) -> int:
    """max_h ceil(1000 X_h / I_h) of the plan of the columns `picked`."""
    over = problem.outside + sum(
        (problem.columns[k][j].over for k, j in picked.items()), np.zeros_like(problem.outside)
    )
    return max((-(-1000 * int(over[i]) // int(problem.inflow[i])) for i in problem.counted), default=0)


def _near_the_mix(problem: _Problem, category: str, share: list[float]) -> _Column | None:
    """A whole plan within one unit, on every arc, of the LP's mix of the category's columns,
    the cheapest at the last round's prices; it joins the columns."""
    network = problem.flows[category]
    columns = problem.columns[category]
    # Only the columns the mix uses: the ones added after the LP have no share.
    mix = sum(w * c.arcs.astype(float) for w, c in zip(share, columns, strict=False))
    cost = problem.priced.get(category)
    if cost is None or not isinstance(mix, np.ndarray):
        return None
    arcs = network.rounded(mix, cost)
    if arcs is None:
        return None
    column = _column_of(problem, category, network.over_by_hospital(arcs), arcs)
    columns.append(column)
    return column


def _rounded(
    problem: _Problem, shares: dict[str, list[float]], bound: int | None, rounds: int
) -> ColumnsResult:
    """Each category's column of largest LP weight (the others keep the current plan); the
    categories the LP split are `mixed`."""
    mixed = []
    for k in problem.categories:
        share = shares[k]
        problem.chosen[k] = int(np.argmax(share))
        if sum(1 for s in share if s > 1e-6) > 1:
            mixed.append(k)
            if _near_the_mix(problem, k, share) is not None:
                problem.chosen[k] = len(problem.columns[k]) - 1
    return _result_of(problem, dict(problem.chosen), mixed, shares, bound, rounds)


def _result_of(
    problem: _Problem,
    chosen: dict[str, int],
    mixed: list[str],
    shares: dict[str, list[float]],
    bound: int | None,
    rounds: int,
) -> ColumnsResult:
    """The plan of one column per category (`chosen`), with its value and whether it obeys every
    linking rule, in exact integer arithmetic."""
    data = problem.data
    linking = problem.linking
    decisions = problem.current.copy()
    decisions.replace({k: problem.columns[k][chosen[k]].decisions() for k in problem.categories}, data)
    over = problem.outside.copy()
    totals = dict.fromkeys(problem.terms, 0)
    for k in problem.categories:
        column = problem.columns[k][chosen[k]]
        over += column.over
        for t in problem.terms:
            totals[t] += column.values[t]
    equity = max((-(-1000 * int(over[i]) // int(problem.inflow[i])) for i in problem.counted), default=0)
    obeys = all(totals[t] <= value for t, value in linking.held.items())
    if linking.equity is not None:
        obeys = obeys and equity <= linking.equity
    value = equity if linking.objective is None else totals[linking.objective]
    proven = 0 if bound is None else bound
    return ColumnsResult(
        decisions,
        value,
        min(proven, value) if obeys else proven,
        obeys,
        mixed,
        rounds,
        shares,
        problem,
        chosen=chosen,
    )
