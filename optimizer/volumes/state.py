"""What the stages of one volume solve share: the region and its rules, the networks, the time,
the holds, and the plan and stage results so far."""

from __future__ import annotations

from dataclasses import dataclass, field

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.language import _
from leveransplan.models.plan import StageResult
from leveransplan.models.scenario import SolverSettings
from leveransplan.optimizer.errors import Infeasible
from leveransplan.optimizer.search import Progress, SearchRun
from leveransplan.optimizer.volumes.flow import CategoryFlow
from leveransplan.optimizer.volumes.holds import Holds, Money
from leveransplan.optimizer.volumes.model import SolveOutcome
from leveransplan.optimizer.volumes.time_budget import TimeBudget


@dataclass
class Part:
    """One category's (or the coupled categories') result in a stage."""

    status: str
    value: int
    bound: int
    seconds: float
    decisions: Decisions | None


@dataclass
class SolveState:
    """One volume solve as its stages see it. `plan` is the best plan so far: it obeys every rule
    and every hold reached, and each stage replaces it only by a plan that does too."""

    data: VolumeData
    previous: Decisions | None
    frozen_until: int | None
    settings: SolverSettings
    money: Money
    # Each category's network (optimizer/volumes/flow.py), holding its stages so far as its face.
    flows: dict[str, CategoryFlow]
    time: TimeBudget
    plan: Decisions
    holds: Holds = field(default_factory=Holds)
    stages: list[StageResult] = field(default_factory=list)

    @property
    def search(self) -> SearchRun:
        return self.time.search

    @property
    def progress(self) -> Progress:
        return self.time.search.progress

    def values(self, plan: Decisions | None = None) -> TermValues:
        """The terms of `plan` (the plan so far when None), stability against the previous plan."""
        return TermValues(self.data, self.plan if plan is None else plan, self.previous)

    def decomposable(self, categories: list[str]) -> bool:
        """Whether a coupled stage over `categories` can be decomposed into the networks
        (optimizer/volumes/columns.py): every network usable."""
        return all(self.flows[k].usable for k in categories)

    def couplings_hold(self, candidate: Decisions) -> bool:
        """Whether a plan solved category by category obeys the rules that couple categories."""
        values = TermValues(self.data, candidate)
        if not self.money.kept(candidate, values):
            return False
        return self.holds.equity is None or values.equity() <= self.holds.equity

    def infeasible(self, where: str = "") -> Infeasible:
        """The verdict that no plan obeys every rule (`where`: " in <categories>")."""
        return Infeasible(_("no plan obeys every rule") + where + self.money.words())

    def part(self, term: str, categories: list[str], outcome: SolveOutcome) -> Part:
        """A CP-SAT search's outcome in `categories` as the stage's part there."""
        if outcome.status == "INFEASIBLE" and self.frozen_until is None:
            # Without frozen months the current plan obeys every rule and hold (the base plan,
            # within the money, or a plan adopted since): a verdict of no plan contradicts it, and
            # is taken as a search that found nothing better.
            outcome = SolveOutcome("UNKNOWN", 0, outcome.seconds, None)
        if outcome.status == "INFEASIBLE":
            raise self.infeasible(" " + _("in {categories}").format(categories=", ".join(categories)))
        decisions = outcome.decisions
        status = outcome.status
        if decisions is None:
            # Out of time: the plan reached in the earlier stages still obeys every hold.
            decisions = Decisions()
            decisions.update(self.plan, set(categories), self.data)
            status = "FEASIBLE"
        # Every term but equity is a sum over categories of what each category's own decisions
        # give, so the part's decisions alone evaluate it (no copy of the whole plan per category).
        value = TermValues(self.data, decisions, self.previous, categories).term(term, categories)
        return Part(status, value, min(outcome.bound, value), outcome.seconds, decisions)

    def record(self, term: str, parts: list[Part]) -> None:
        """The stage of `term` done: the plan's value, and the bound its parts prove together."""
        total = self.values().term(term)
        bound = min(sum(p.bound for p in parts), total)
        optimal = all(p.status == "OPTIMAL" for p in parts) and bound == total
        self.progress.finish_stage(self.search.now(), total, bound)
        self.stages.append(
            StageResult(
                objective=term,
                value=total,
                bound=bound,
                status="OPTIMAL" if optimal else "FEASIBLE",
                seconds=round(sum(p.seconds for p in parts), 3),
            )
        )
