"""What money buys: patient-months beyond the guarantee against the region's budget (no solver imports).

A `Frontier` is the least over_guarantee within each of a row of budgets, from the least possible
cost (the take-or-pay minimums) to the cost of the unconstrained optimum, where more money buys
nothing. A `MarginalFigure` is one step of it at a plan's budget: what another sum removes, and
where that money goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from leveransplan.models.evaluation import Decisions
from leveransplan.models.language import N_
from leveransplan.models.plan import StageStatus, gap_percent
from leveransplan.models.wording import Words, phrase

# A point's marks: the two ends of the curve and the scenario's own budget.
LEAST_COST = "least_cost"
UNCONSTRAINED = "unconstrained_optimum"
SCENARIO_BUDGET = "scenario_budget"


@dataclass(frozen=True)
class FrontierPoint:
    """The best plan found within one budget, and how far from the best possible it may be.

    `over_guarantee` is the plan's value; `bound` is proven: no plan within the budget leaves
    fewer patient-months beyond the guarantee. `seconds` is this budget's own solve (on the run's
    clock: deterministic time with --deterministic).
    """

    budget_sek: int
    over_guarantee: int
    bound: int
    seconds: float
    cost_sek: int
    decisions: Decisions = field(repr=False, compare=False)
    marks: tuple[str, ...] = ()

    @property
    def status(self) -> StageStatus:
        return "OPTIMAL" if self.over_guarantee == self.bound else "FEASIBLE"

    @property
    def gap_pct(self) -> float:
        return gap_percent(self.over_guarantee, self.bound)


@dataclass
class Frontier:
    """The curve, ascending in budget, with its two ends and the scenario's own budget."""

    scenario: str
    points: list[FrontierPoint]
    least_cost_sek: int
    unconstrained_cost_sek: int
    scenario_budget_sek: int | None
    points_asked: int

    @property
    def partial(self) -> bool:
        """Whether the time limit left any point unproven."""
        return any(p.status != "OPTIMAL" for p in self.points)

    def removed_per_msek(self, index: int) -> float | None:
        """Patient-months beyond the guarantee that the money from the point before buys away, per
        million SEK (None for the first point)."""
        if index == 0:
            return None
        before, here = self.points[index - 1], self.points[index]
        return (before.over_guarantee - here.over_guarantee) / ((here.budget_sek - before.budget_sek) / 1e6)

    def scenario_budget_words(self) -> Words | None:
        """Where the scenario's own [budget] lies against the curve, in words (None without one):
        English as the frontier's files keep it, `shown` in the reader's language."""
        return budget_words(self.scenario_budget_sek, self.least_cost_sek, self.unconstrained_cost_sek)


def budget_words(budget: int | None, least_cost: int, unconstrained_cost: int) -> Words | None:
    """Where a budget lies against a curve from `least_cost` to `unconstrained_cost` (SEK), in
    words (None without a budget); also for a reader of a frontier's files, which hold the three."""
    if budget is None:
        return None
    if budget < least_cost:
        return phrase(
            N_(
                "the scenario's budget of {budget} SEK is below the take-or-pay minimums ({least} SEK): "
                "no plan keeps it"
            ),
            budget=budget,
            least=least_cost,
        )
    if budget >= unconstrained_cost:
        return phrase(
            N_(
                "the scenario's budget of {budget} SEK is at or above the unconstrained optimum's "
                "cost: money does not bind there"
            ),
            budget=budget,
        )
    return phrase(N_("the scenario's budget of {budget} SEK is marked on the curve"), budget=budget)


@dataclass(frozen=True)
class Spending:
    """What a change of plan does for one hospital's patients in one category, over the horizon.

    Units more (negative: fewer) of each kind: the hospital's own additional units, its patients
    transferred to other hospitals, and its patients referred to contracts; the SEK spent on its
    patients (transfers at the receiving hospital's price); and the patient-months beyond the
    guarantee (negative: removed).
    """

    hospital: str
    category: str
    additional: int
    transfers: int
    referrals: int
    cost_sek: int
    over_guarantee: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "hospital": self.hospital,
            "category": self.category,
            "additional": self.additional,
            "transfers": self.transfers,
            "referrals": self.referrals,
            "cost_sek": self.cost_sek,
            "over_guarantee": self.over_guarantee,
        }


@dataclass(frozen=True)
class BudgetResult:
    """The least over_guarantee found within one budget: the plan's value and cost, the proven bound."""

    budget_sek: int
    over_guarantee: int
    bound: int
    cost_sek: int

    @property
    def status(self) -> StageStatus:
        return "OPTIMAL" if self.over_guarantee == self.bound else "FEASIBLE"

    def as_dict(self) -> dict[str, Any]:
        return {
            "budget_sek": self.budget_sek,
            "over_guarantee": self.over_guarantee,
            "bound": self.bound,
            "status": self.status,
            "gap": round(gap_percent(self.over_guarantee, self.bound), 4),
            "cost_sek": self.cost_sek,
        }


@dataclass(frozen=True)
class MarginalFigure:
    """What another `extra_sek` would remove at a plan's budget, and where that money would go.

    Without a budget, or with one the unconstrained optimum keeps, money does not bind: then
    `at_budget` and `with_extra` are None and `spending` is empty. `unused_minimum_sek` is the
    change in unused take-or-pay minimums, the region's and in no hospital's spending (negative:
    more of what is paid anyway is used).
    """

    budget_sek: int | None
    extra_sek: int
    unconstrained_cost_sek: int | None
    at_budget: BudgetResult | None = None
    with_extra: BudgetResult | None = None
    spending: tuple[Spending, ...] = ()
    unused_minimum_sek: int = 0
    frames: bool = False  # whether hospitals' frames cap their spending (the figure moves the budget only)

    @property
    def binds(self) -> bool:
        return self.at_budget is not None

    @property
    def removed(self) -> int:
        """Patient-months beyond the guarantee the extra money removes, between the plans found."""
        if self.at_budget is None or self.with_extra is None:
            return 0
        return self.at_budget.over_guarantee - self.with_extra.over_guarantee

    @property
    def removed_range(self) -> tuple[int, int]:
        """What the extra money removes at least and at most, from the proven bounds."""
        if self.at_budget is None or self.with_extra is None:
            return 0, 0
        least = max(self.at_budget.bound - self.with_extra.over_guarantee, 0)
        most = self.at_budget.over_guarantee - self.with_extra.bound
        return least, most

    @property
    def proven(self) -> bool:
        return all(r is None or r.status == "OPTIMAL" for r in (self.at_budget, self.with_extra))

    def as_dict(self) -> dict[str, Any]:
        least, most = self.removed_range
        return {
            "budget_sek": self.budget_sek,
            "extra_sek": self.extra_sek,
            "budget_binds": self.binds,
            "unconstrained_cost_sek": self.unconstrained_cost_sek,
            "removed_patient_months": self.removed,
            "removed_at_least": least,
            "removed_at_most": most,
            "proven": self.proven,
            "at_budget": None if self.at_budget is None else self.at_budget.as_dict(),
            "with_extra": None if self.with_extra is None else self.with_extra.as_dict(),
            "spending": [s.as_dict() for s in self.spending],
            "unused_minimum_sek": self.unused_minimum_sek,
            "frames": self.frames,
        }
