"""Coupled stages decomposed by category: the linking rules, the columns and the result.

Every volume rule separates by category except equity (max_h ceil(1000 X_h / I_h)), the money
(the budget and each hospital's frame) and the terms held region-wide once a coupled stage has
been solved. Such a stage is decomposed (Dantzig-Wolfe): each category contributes plans
("columns"), each summarised by its patient-months beyond the guarantee per hospital and its
objective values, and a small LP (optimizer/volumes/master.py) mixes one convex combination of
columns per category:

- equity stage: minimise E with 1000 (X_h outside + mixed X_h) <= E * I_h for every hospital
  with inflow;
- a later stage: minimise the stage's term with every hospital's X_h within the equity value
  reached (X_h <= floor(E * I_h / 1000)) and every term held region-wide within its value.

The LP's prices on these linking rows (its duals) say what a patient-month of each hospital, and
a unit of each held term, costs; each category's network then finds, exactly, its plan of least
priced cost within the plans optimal for its own stages so far (optimizer/volumes/pricing.py),
and that plan joins the columns (optimizer/volumes/columns.py). The LP's mix is then rounded to
a whole plan (optimizer/volumes/rounding.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues, changed_hospital
from leveransplan.optimizer.volumes.flow import TERMS, CategoryFlow

# Held terms named so are one hospital's spend (spec section 7), `spend:<hospital>`.
SPEND = "spend:"


def carried(term: str) -> bool:
    """Whether the networks carry `term` as a cost on their arcs (a column can hold it): the
    separable terms (flow.TERMS), each the network's cost plus a constant per category, each
    hospital's spend under its frame (`spend:<hospital>`, CategoryFlow.costs) and, under a
    re-plan's change allowance, each hospital's change (CategoryFlow.add_change_terms)."""
    return term in TERMS or term.startswith(SPEND) or changed_hospital(term) is not None


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
    problem: Decomposition | None = field(default=None, repr=False)
    # The LP's rounding when it breaks a linking rule: often every term within its hold and only
    # a few hospitals a few patient-months above their equity cap (repaired by the driver with
    # lowered caps, optimizer/volumes/closing.py).
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
class Column:
    """One category's plan as a column of the master LP."""

    over: np.ndarray  # X_hk per hospital
    values: dict[str, int]  # the objective's and every held term's value in this category
    network: CategoryFlow
    arcs: np.ndarray  # the plan as the network's flow

    def decisions(self) -> Decisions:
        return self.network.decisions(self.arcs)


@dataclass
class BestPrices:
    """The whole weights of the round that proved the best bound, with its exact figures."""

    bound: int
    least: int  # sum of the categories' priced minimums (and, for equity, the outside's)
    rows: int  # the linking rows' right-hand sides at these weights (cap mode)
    scale: int
    hospital: np.ndarray
    priced: dict[str, np.ndarray]


class Decomposition:
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
        self.columns: dict[str, list[Column]] = {}
        # The last round's priced cost of each category's arcs (for rounding the LP's mix).
        self.priced: dict[str, np.ndarray] = {}
        # Each category's cheapest plan at the last round's prices, whether it joined or not.
        self.cheapest: dict[str, Column] = {}
        # The column each category takes in the rounded plan.
        self.chosen: dict[str, int] = {}
        self.best: BestPrices | None = None
        self.complete = True
        for k in categories:
            arcs = flows[k].flow_of(current)
            if arcs is None:
                self.complete = False
                continue
            over = np.array(
                [values.over_by_hospital_category.get((h, k), 0) for h in hospitals], dtype=np.int64
            )
            # Valued like every later column, from its arcs: stability against the previous plan
            # the networks were built with (`values` knows no previous plan, so it would say 0).
            self.columns[k] = [self.column_of(k, over, arcs)]

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

    def column_of(self, category: str, over: np.ndarray, arcs: np.ndarray) -> Column:
        """The column of the category's plan `arcs` (its X_hk `over`), with every term's value."""
        flow = self.flows[category]
        values = {t: int(np.dot(flow.costs[t], arcs)) + self.constant[t, category] for t in self.terms}
        if "over_guarantee" in values:
            values["over_guarantee"] = int(over.sum())
        return Column(over, values, flow, arcs)
