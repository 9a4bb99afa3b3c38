"""The lexicographic solve driver: each objective term minimised in order, earlier ones held.

The volume model separates by category except where equity or the money (the budget and the
hospitals' frames) couples the categories, and within a category it is a network
(optimizer/volumes/flow.py). So each stage in the scenario's order is:

- separable (optimizer/volumes/separable.py): solved per category, exactly, as a min-cost flow,
  each category holding its earlier stages as its network's face; when the per-category plans
  together obey the coupling rules, that is the stage's optimum;
- coupled (optimizer/volumes/coupled.py): equity, and a later stage whose per-category plans
  break a coupling rule, solved over the coupled categories by column generation, then settled,
  probed and searched near the bound (optimizer/volumes/closing.py), and by the joint CP-SAT
  model when that does not close it.

What each stage holds the later ones to is in optimizer/volumes/holds.py, and how the time limit
is shared between the stages in optimizer/volumes/time_budget.py. A plan within the money always
exists when the plan of base units only is within it (its cost and every hospital's spend are the
least any plan has): otherwise none does.

When a stage stops on the time limit, its best value and proven bound are reported and held.
"""

from __future__ import annotations

import copy
from typing import Any

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues, change_term
from leveransplan.models.plan import ChangeAllowance, StageResult, StageStatus, VolumeSolution
from leveransplan.models.pro_rata import pro_rata_plan
from leveransplan.models.scenario import Scenario
from leveransplan.optimizer.search import current_run
from leveransplan.optimizer.volumes.coupled import CoupledStages
from leveransplan.optimizer.volumes.cp_models import CpModels
from leveransplan.optimizer.volumes.flow import CategoryFlow, SavedFace
from leveransplan.optimizer.volumes.holds import Holds, Money
from leveransplan.optimizer.volumes.routing import Routing
from leveransplan.optimizer.volumes.separable import SeparableStages
from leveransplan.optimizer.volumes.state import SolveState
from leveransplan.optimizer.volumes.time_budget import TimeBudget


def greedy_base_plan(
    data: VolumeData, previous: Decisions | None = None, frozen_until: int | None = None
) -> Decisions:
    """Use each month's base units as far as there are patients; nothing else (a feasible start).

    Months up to `frozen_until` keep the previous plan's decisions, as every later plan must.
    """
    plan = Decisions()
    until = frozen_until if previous is not None and frozen_until is not None else 0
    if previous is not None and until:
        kinds: tuple[tuple[dict[Any, int], dict[Any, int]], ...] = (
            (plan.base_used, previous.base_used),
            (plan.additional_own, previous.additional_own),
            (plan.transfers, previous.transfers),
            (plan.referrals, previous.referrals),
        )
        for mine, theirs in kinds:
            mine.update({key: v for key, v in theirs.items() if key[-1] <= until})
    decided = TermValues(data, plan).waiting if until else {}
    for h, k in data.pairs:
        level = data.waiting[h, k]
        for m in data.months:
            if m <= until:
                level = decided[h, k, m]
                continue
            level += data.inflow[h, k, m]
            used = min(data.base_capacity[h, k, m], max(level, 0))
            if used:
                plan.base_used[h, k, m] = used
            level -= used
    return plan


def _starting_plan(
    data: VolumeData, money: Money, previous: Decisions | None = None, frozen_until: int | None = None
) -> Decisions:
    """Base units as far as there are patients, or the analyst's pro-rata plan when that
    leaves fewer patient-months beyond the guarantee within the budget. Each category's search
    starts from it, and a category the time limit stops keeps it: no plan is ever worse than
    the one an analyst would make by hand. (With frozen months, base units after them.)"""
    base = greedy_base_plan(data, previous, frozen_until)
    if previous is not None and frozen_until is not None:
        return base
    analyst = pro_rata_plan(data)
    analyst_values = TermValues(data, analyst)
    if money.kept(analyst) and analyst_values.over_guarantee() < TermValues(data, base).over_guarantee():
        return analyst
    return base


class LexicographicVolumes:
    """Runs the volume stages of one scenario in the configured order."""

    def __init__(
        self,
        scenario: Scenario,
        previous: Decisions | None = None,
        frozen_until: int | None = None,
        allowance: ChangeAllowance | None = None,
    ) -> None:
        # The time limit counts from here: building the data, the networks and the models is
        # part of the solve (at scale 20 the networks take seconds).
        search = current_run()
        time_budget = TimeBudget(search, scenario.solver, started=search.now())
        self.data = VolumeData.from_scenario(scenario)
        self.order = list(scenario.objective.volumes)
        # Each hospital's frame (spec section 7): with it or the budget, money couples every category.
        money = Money(self.data, scenario.max_cost_sek, self.data.frames)
        flows = {k: CategoryFlow(self.data, k, previous, frozen_until) for k in self.data.categories}
        # A change allowance needs stages after stability to use it, and a previous plan.
        self.allowance = (
            allowance
            if allowance is not None
            and allowance.given
            and previous is not None
            and "stability" in self.order[:-1]
            else None
        )
        self.change_caps: dict[str, dict[str, int]] | None = None
        if self.allowance is not None:
            assert previous is not None
            for flow in flows.values():
                flow.add_change_terms(previous)
        start = _starting_plan(self.data, money, previous, frozen_until)
        self.state = SolveState(
            self.data, previous, frozen_until, scenario.solver, money, flows, time_budget, start
        )
        self.models = CpModels(self.state)
        self.routing = Routing(self.state)
        self.coupled = CoupledStages(self.state, self.models, self.routing)
        self.separable = SeparableStages(self.state, self.models, self.coupled)

    def run(self) -> VolumeSolution:
        state = self.state
        search = state.search
        self._start_within_budget()
        # Stability without a previous plan is 0 by definition: it needs no share of the time.
        timed = [t for t in self.order if t != "stability" or state.previous is not None]
        for term in self.order:
            stages_left = max(len(timed) - (timed.index(term) if term in timed else len(timed)), 1)
            stage_started = search.now()
            state.progress.start_stage(term, stage_started)
            # Only the travel stage routes its plans: no other stage leaves time for it.
            state.time.routing_seconds = 0.0
            if term == "stability" and state.previous is None:
                state.stages.append(
                    StageResult(objective=term, value=0, bound=0, status="OPTIMAL", seconds=0.0)
                )
                continue
            searched_jointly = term == "equity"
            before_stability = (
                self._held_so_far() if term == "stability" and self.allowance is not None else None
            )
            if state.time.no_time_for_a_stage():
                self._stage_not_searched(term)
            elif term == "equity":
                self.coupled.equity_stage(stages_left)
            else:
                searched_jointly = self.separable.stage(term, stages_left)
            by_networks = state.stages[-1].status == "OPTIMAL" and not searched_jointly
            state.time.stage_done(stage_started, by_networks)
            if before_stability is not None:
                self._allow_change(*before_stability)
        return VolumeSolution(
            state.plan,
            state.stages,
            state.values(),
            allowance=self.allowance,
            change_caps=self.change_caps,
        )

    def _held_so_far(self) -> tuple[dict[str, SavedFace], Holds]:
        """What the stages before stability hold: each network's face and the holds."""
        return {k: flow.saved() for k, flow in self.state.flows.items()}, copy.deepcopy(self.state.holds)

    def _allow_change(self, faces: dict[str, SavedFace], holds: Holds) -> None:
        """After the stage of least change: the later stages hold each hospital's change within
        its cap (ChangeAllowance.caps, from the plan of least change, which keeps every cap)
        instead of the least total. The caps couple the categories, so the later stages are
        solved over all of them, and the stability stage's own holds are taken back: the
        networks' faces, the holds, and the CP-SAT models built with them."""
        state = self.state
        assert self.allowance is not None
        values = state.values()
        self.change_caps = self.allowance.caps(
            {
                h: (values.term(change_term(h, False)), values.term(change_term(h, True)))
                for h in state.data.hospitals
            }
        )
        for k, flow in state.flows.items():
            flow.restore(faces[k])
        state.holds = holds
        self.models.per_category.clear()
        self.models.joint = None
        holds.coupled = list(state.data.categories)
        for h, caps in self.change_caps.items():
            for measure in ("units", "sek"):
                if measure in caps:
                    holds.hold_jointly(change_term(h, measure == "sek"), caps[measure], 0)

    def _stage_not_searched(self, term: str) -> None:
        """A stage the time limit leaves no time for: the plan so far stands (it obeys every rule
        and hold), with its value of the term and the trivial bound 0, FEASIBLE."""
        state = self.state
        values = state.values()
        value = values.equity() if term == "equity" else values.term(term)
        if term == "equity":
            state.holds.equity = value
        status: StageStatus = "OPTIMAL" if value == 0 else "FEASIBLE"
        state.progress.finish_stage(state.search.now(), value, 0)
        state.stages.append(StageResult(objective=term, value=value, bound=0, status=status, seconds=0.0))

    def _start_within_budget(self) -> None:
        """Start from base units only when the starting plan spends more than the budget or a
        frame allows; when even that plan does, no plan obeys every rule.

        Why the base plan settles it: every plan makes the decisions of the frozen months, and
        beyond them a plan of base units only buys nothing (it pays the take-or-pay minimums,
        as every plan does). Its cost and every hospital's spend are the least any plan has."""
        state = self.state
        if state.money.kept(state.plan):
            return
        base = greedy_base_plan(state.data, state.previous, state.frozen_until)
        if not state.money.kept(base):
            raise state.infeasible()
        state.plan = base


def solve_volumes(
    scenario: Scenario,
    previous: Decisions | None = None,
    frozen_until: int | None = None,
    allowance: ChangeAllowance | None = None,
) -> VolumeSolution:
    """Solve the volume model lexicographically in the scenario's objective order.

    With `frozen_until` (a month number) every decision of the months up to it equals `previous`;
    with `allowance`, the stages after stability may change each hospital up to its cap.
    """
    return LexicographicVolumes(scenario, previous, frozen_until, allowance).run()
