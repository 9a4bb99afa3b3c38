"""A coupled stage by columns, from the LP's bound to the best plan near it: one sequence for
the equity stage and the stages after it.

1. Column generation over the coupled categories (optimizer/volumes/columns.py): an exact bound
   and the LP's mix rounded to a plan, taken when it obeys every linking rule and is better.
2. A later stage then closes the gap from both sides: CP-SAT settles the categories a dive left
   free; a rounding that breaks an equity cap is run again with the caps lowered by a margin
   (_with_a_margin); within 1 % of the bound, CP-SAT probes for plans just above it within the
   ranges reduced-cost fixing leaves there (_probe); and it settles the categories the LP mixed.
3. CP-SAT searches the plans at least as good as the best found, over only the decisions
   reduced-cost fixing leaves free (_better_than): at once in the equity stage, in a later
   stage only when the joint model of the coupled categories is out of reach.

In the travel stage every plan is routed to the same places at the least travel
(optimizer/volumes/routing.py) before it is compared.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.language import _
from leveransplan.models.numbers import grouped
from leveransplan.optimizer.volumes.columns import DIVE_SECONDS, by_columns, with_margin
from leveransplan.optimizer.volumes.cp_models import CpModels
from leveransplan.optimizer.volumes.decomposition import ColumnsResult, Linking
from leveransplan.optimizer.volumes.mip import NotLinear
from leveransplan.optimizer.volumes.model import SolveOutcome, VolumeModel
from leveransplan.optimizer.volumes.routing import Routing
from leveransplan.optimizer.volumes.state import SolveState

# Probing plans just above the proven bound (_probe): only when the plan is within this relative
# gap of it (farther, the ranges near the bound are no longer narrow and the joint search from
# above gains more), for at most this share of the stage's time.
_PROBING_GAP = 0.01
_PROBING_SHARE = 0.5
# Runs of a coupled stage with lowered equity caps (_with_a_margin), each margin twice the last.
_MARGIN_TRIES = 3


@dataclass
class _Goal:
    """What a coupled stage minimises over `categories`: equity (`term` None) or `term`."""

    state: SolveState
    routing: Routing
    term: str | None
    categories: list[str]

    def value_of(self, plan: Decisions) -> int:
        """`plan`'s equity, or its value of the term over the categories."""
        if self.term is None:
            return TermValues(self.state.data, plan).equity()
        return self.state.values(plan).term(self.term, self.categories)

    def adopt(self, plan: Decisions) -> None:
        """Take `plan`'s decisions in the categories when they are better there (`plan` obeys
        every rule and hold): a lower equity, or (routed, in the travel stage) a lower term."""
        state = self.state
        if self.term is None and plan is state.plan:
            return
        if self.term is not None:
            plan = self.routing.routed(plan, self.term)
        if self.value_of(plan) < self.value_of(state.plan):
            state.plan.update(plan, set(self.categories), state.data)


@dataclass
class ColumnsOutcome:
    """A coupled stage by columns: the columns, the best plan's value over the categories (the
    plan is the solve's plan so far), the bound proven, and whether the stage is done."""

    columns: ColumnsResult
    value: int
    bound: int
    done: bool


class Closing:
    """The sequence that takes a coupled stage from its columns to its best plan."""

    def __init__(self, state: SolveState, models: CpModels, routing: Routing) -> None:
        self.state = state
        self.models = models
        self.routing = routing

    def close(
        self, term: str | None, categories: list[str], stages_left: int, outside: int = 0
    ) -> ColumnsOutcome | None:
        """The stage over `categories` by columns, settled, probed and searched near the bound.
        `term` None is the equity stage; `outside`: the term over the other categories, for the
        progress shown. None when the decomposition does not apply."""
        state = self.state
        time_budget = state.time
        if not state.decomposable(categories):
            return None
        linking = Linking(
            term, state.holds.equity, state.holds.linking(state.money, state.plan, state.previous, categories)
        )
        share, combination = time_budget.share_of_stage(stages_left), time_budget.combination_seconds()
        # The equity stage's dive (when its rounding breaks the money or a term held jointly)
        # keeps the columns' own limit, on the wall clock.
        dive_seconds: float = DIVE_SECONDS
        clock: Callable[[], float] = time.perf_counter
        if term is not None:
            dive_seconds, clock = time_budget.dive_seconds(stages_left), state.search.now
        columns = by_columns(
            state.data,
            state.flows,
            categories,
            state.plan,
            linking,
            share,
            state.settings,
            combination,
            dive_seconds=dive_seconds,
            clock=clock,
        )
        if columns is None:
            return None
        goal = _Goal(state, self.routing, term, categories)
        bound = columns.bound
        if columns.obeys_linking:
            goal.adopt(columns.decisions)
        value = goal.value_of(state.plan)
        if term is not None:
            value, bound = self._near_the_bound(goal, columns, value, bound, stages_left, outside)
        searched = False
        if value > bound and (term is None or self.models.no_time_to_build(categories)):
            # A later stage searches the joint model instead when it can build it.
            value, bound, searched = self._better_than(goal, columns, value, bound, stages_left)
        # Optimal when the plan reaches the proven bound; otherwise the search of the plans
        # better than it has had the stage's time.
        done = value <= bound or searched or self.models.no_time_to_build(categories)
        return ColumnsOutcome(columns, value, bound, done)

    def _near_the_bound(
        self, goal: _Goal, columns: ColumnsResult, value: int, bound: int, stages_left: int, outside: int
    ) -> tuple[int, int]:
        """A later stage's plan brought near its bound: the categories a dive left free settled,
        the rounding repaired with lowered caps, probing from below and the categories the LP
        mixed settled. Returns the categories' (value, bound)."""
        assert goal.term is not None
        state = self.state
        if columns.unsettled is not None and value > bound:
            # The dive from the LP stopped with a few categories free: CP-SAT on them,
            # every other category at the column the dive fixed.
            settled = self._settle_mixed(columns.unsettled, stages_left, goal.term)
            if settled is not None:
                goal.adopt(settled)
                value = goal.value_of(state.plan)
        if columns.unlinked is not None and value > bound:
            repaired = self._with_a_margin(columns, goal.term, stages_left)
            if repaired is not None:
                goal.adopt(repaired)
                value = goal.value_of(state.plan)
        probed = False
        if bound < value <= bound * (1 + _PROBING_GAP):
            value, bound = self._probe(goal, columns, value, bound, stages_left, outside)
            probed = True
        if value > bound:
            # The categories the LP mixed are settled (CP-SAT on them alone, the others
            # fixed at their columns): cheaper than searching them all.
            settled = self._settle_mixed(columns, stages_left, goal.term)
            if settled is not None:
                goal.adopt(settled)
                value = goal.value_of(state.plan)
        if not probed and bound < value <= bound * (1 + _PROBING_GAP):
            value, bound = self._probe(goal, columns, value, bound, stages_left, outside)
        return value, bound

    def _settle_mixed(self, columns: ColumnsResult, stages_left: int, term: str) -> Decisions | None:
        """CP-SAT on the categories the LP mixed, every other category fixed at its column: a
        small model with the stage's coupling rules, solved to the proven bound or for a share of
        the stage's time. None if it finds no plan."""
        mixed = columns.mixed
        if not mixed:
            return columns.decisions
        if self.models.no_time_to_build(mixed):
            return None
        model, objective, offset = self.models.partial_model(mixed, columns.decisions, term)
        model.model.add(objective >= columns.bound - offset)
        model.hint(columns.decisions)
        with self.state.progress.part(_("{count} categories the LP mixed").format(count=len(mixed))):
            outcome = self._near_bound_search(model, objective, self.state.time.joint_time(stages_left) / 3)
        if outcome.decisions is None:
            return None
        settled = columns.decisions.copy()
        settled.update(outcome.decisions, set(mixed), self.state.data)
        return settled

    def _with_a_margin(self, columns: ColumnsResult, term: str, stages_left: int) -> Decisions | None:
        """The stage by columns again with every hospital's equity cap lowered, so that the
        LP's rounding lands within the real caps where columns.unlinked did not: the best such
        plan that keeps every hold, or None. The margin is twice the most any hospital's X_h lies
        above its cap in that rounding, doubled while the rounding still breaks a cap (at most
        _MARGIN_TRIES runs, each continuing from the last one's columns, in half the time left
        for the stage). The bound stays the first run's: lowered caps make a tighter problem.

        Why: the rounding usually keeps every held term to the last unit and comes close to the
        LP, but leaves a few hospitals a few patient-months above their caps, and the plans
        adopted instead are far above the bound. Rounding a run with the caps lowered by such a
        margin lands within the real caps close to the bound; repairs of the rounding itself
        (CP-SAT from it, or the networks with the LP's prices and a penalty per patient-month
        above a cap) did not reach the caps."""
        state = self.state
        if columns.unlinked is None or state.holds.equity is None or columns.problem is None:
            return None
        coupled = list(columns.problem.categories)
        time_left = state.time.share_of_stage(stages_left)
        best: Decisions | None = None
        best_value: int | None = None
        last, unlinked = columns, columns.unlinked
        margin = 0
        # Every plan has the same patient-months beyond the guarantee in each category (held
        # since the first stage), so caps lowered by more than the room below them together
        # leave no plan at all.
        room = self._room_below_the_caps(state.plan)
        for _attempt in range(_MARGIN_TRIES):
            above = self._most_above_the_caps(unlinked)
            margin = max(2 * above, 2 * margin)
            if above <= 0 or time_left() <= 0 or margin * len(columns.problem.counted) > room:
                break
            with state.progress.part(
                _("equity caps lowered by {margin} patient-months").format(margin=grouped(margin))
            ):
                tighter = with_margin(
                    last,
                    margin,
                    time_left,
                    state.settings,
                    state.time.combination_seconds(),
                    dive_seconds=state.time.combination_seconds(),
                    clock=state.search.now,
                )
            if tighter is None:
                break
            plan = tighter.decisions
            if tighter.obeys_linking:
                values = state.values(plan)
                if state.holds.kept(values, coupled) and state.couplings_hold(plan):
                    value = values.term(term, coupled)
                    if best_value is None or value < best_value:
                        best, best_value = plan, value
            if tighter.unlinked is None:
                break
            last, unlinked = tighter, tighter.unlinked
        return best

    def _most_above_the_caps(self, plan: Decisions) -> int:
        """The most patient-months any hospital's X_h lies above its equity cap in `plan`."""
        state = self.state
        assert state.holds.equity is not None
        values = state.values(plan)
        most = 0
        for h in state.data.hospitals:
            inflow = state.data.hospital_inflow(h)
            if inflow > 0:
                most = max(most, values.over_of_hospital(h) - state.holds.equity * inflow // 1000)
        return most

    def _room_below_the_caps(self, plan: Decisions) -> int:
        """The patient-months all hospitals' X_h lie below their equity caps in `plan`, together."""
        state = self.state
        assert state.holds.equity is not None
        values = state.values(plan)
        room = 0
        for h in state.data.hospitals:
            inflow = state.data.hospital_inflow(h)
            if inflow > 0:
                room += max(state.holds.equity * inflow // 1000 - values.over_of_hospital(h), 0)
        return room

    def _probe(
        self, goal: _Goal, columns: ColumnsResult, value: int, bound: int, stages_left: int, outside: int
    ) -> tuple[int, int]:
        """Close the gap of a coupled stage from below: is there a plan with the term at most
        a target T just above the proven bound? Every such plan lies within the ranges
        reduced-cost fixing leaves at T (ColumnsResult.ranges_within), and near the bound
        those are narrow, so CP-SAT answers on a small model: no plan (the bound rises to
        T + 1, and T moves up by twice the last step), or the least plan within them,
        which is then the stage's optimum. A search that runs out of time ends the probing.

        Why: the LP's bound is usually within a few units of the optimum, but when a held term
        (cost, to the last SEK) makes the rows tight, CP-SAT finds that last plan slowly from
        above in the whole model, and the small model within the ranges answers sooner.
        `outside`: the term over the other categories, for the
        progress shown. Returns the coupled categories' (value, bound)."""
        state = self.state
        term = goal.term
        assert term is not None
        coupled = list(columns.problem.categories) if columns.problem is not None else []
        deadline = state.search.now() + state.time.joint_time(stages_left) * _PROBING_SHARE
        step = 1
        while bound < value and state.search.now() < deadline:
            target = min(bound + step - 1, value - 1)
            ranges = columns.ranges_within(target)
            if ranges is None or self.models.no_time_to_build(coupled):
                break
            # Every coupled category is in the model, also those whose decisions the ranges fix
            # (presolve removes them): CP-SAT checks that their fixed plans obey every rule.
            model, objective, _others = self.models.partial_model(coupled, state.plan, term)
            for k in coupled:
                model.restrict(ranges[k])
            # No hint: the current plan is above the target. (A hint that breaks the model also
            # crashes CP-SAT 9.15's interleaved search, --deterministic, when the model has no plan.)
            model.model.add(objective <= target)
            with state.progress.part(
                _("plans with {term} at most {target}").format(term=term, target=grouped(target))
            ):
                outcome = self._near_bound_search(model, objective, deadline - state.search.now())
            if outcome.status == "INFEASIBLE":
                bound = target + 1
                step *= 2
                state.progress.update(state.search.now(), bound=bound + outside)
                continue
            if outcome.decisions is not None:
                candidate = state.plan.copy()
                candidate.update(outcome.decisions, set(coupled), state.data)
                candidate = self.routing.routed(candidate, term)
                found = state.values(candidate).term(term, coupled)
                if found < value:
                    state.plan = candidate
                    value = found
                if outcome.status == "OPTIMAL":
                    # The least of all plans within the ranges, and every plan at most the
                    # target lies within them.
                    bound = max(bound, min(outcome.bound, value))
            break
        return value, bound

    def _better_than(
        self, goal: _Goal, columns: ColumnsResult, value: int, bound: int, stages_left: int
    ) -> tuple[int, int, bool]:
        """Search the plans at least as good as the current one (`value`, over the coupled
        categories): reduced-cost fixing at the columns' best weights fixes most decisions, and
        CP-SAT, started from the current plan, searches the categories with a decision left free.
        Returns (value, bound, whether the search ran)."""
        state = self.state
        ranges = columns.ranges_within(value)
        if ranges is None:
            return value, bound, False
        free = [k for k, decisions in ranges.items() if any(low < high for low, high in decisions.values())]
        if not free:
            # Every decision is fixed: the current plan, which lies within the ranges, is the only one.
            return value, value, True
        if self.models.no_time_to_build(free):
            return value, bound, False
        model, objective, offset = self.models.partial_model(free, state.plan, goal.term)
        for k in free:
            model.restrict(ranges[k])
        model.model.add(objective >= bound - offset)
        model.hint(state.plan)
        with state.progress.part("plans at least as good as the best found"):
            outcome = self._near_bound_search(model, objective, state.time.joint_time(stages_left))
        if outcome.decisions is None:
            return value, max(bound, outcome.bound + offset), True
        candidate = state.plan.copy()
        candidate.update(outcome.decisions, set(free), state.data)
        candidate = self.routing.routed(candidate, goal.term)
        found = goal.value_of(candidate)
        if found < value:
            state.plan = candidate
            value = found
        return value, max(bound, min(outcome.bound + offset, value)), True

    def _near_bound_search(
        self, model: VolumeModel, objective: cp_model.LinearExprT, seconds: float
    ) -> SolveOutcome:
        """A search near the proven bound, within reduced-cost ranges: a network with a few
        linking rows, whose LP is tight. HiGHS's branch and bound (optimizer/volumes/mip.py)
        answers such models far sooner than CP-SAT; CP-SAT when the run is deterministic (HiGHS
        has only the wall clock) or reads the model not as a MIP."""
        parameters = self.state.time.parameters(seconds)
        if not self.state.search.deterministic:
            try:
                return model.solve_as_mip(objective, parameters)
            except NotLinear:
                pass
        return model.solve(objective, parameters)
