"""The lexicographic solve driver: each objective term minimised in order, earlier ones held.

The volume model separates by category except where equity or the budget couples the
categories, and within a category it is a network (optimizer/volumes/flow.py). So:

- A stage is first solved per category, exactly, as a min-cost flow, each category holding its
  earlier stages as its network's face. When every category is at its own minimum this is the
  same as holding the region-wide total.
- The per-category plans together are then checked against the coupling rules: the budget
  cap, the hospitals' frames, and the equity value once that stage is solved. If they obey
  them, the relaxation's optimum is feasible and therefore optimal for the coupled problem.
- Equity, and a later stage whose per-category plans break the equity value, are solved over
  the coupled categories (those where more than one hospital can carry patients beyond the
  guarantee) by column generation (optimizer/volumes/columns.py): an exact Lagrangian bound from
  the networks and a plan near the LP's mix (when that plan breaks an equity cap, the columns run
  again with the caps lowered by a margin: _with_a_margin). In the travel stage every plan is
  routed to the same places at the least travel (optimizer/volumes/routing.py). Within 1 % of
  the bound, CP-SAT probes for plans just above it within the ranges reduced-cost fixing leaves
  there (_probe). Otherwise it settles the categories the LP mixed and searches for better
  plans: the joint model started from that plan when it fits in memory and time, else only the
  decisions reduced-cost fixing leaves free.
  The stage's value is then held region-wide from then on, and reduced-cost fixing at it shrinks
  the networks.
- The budget and each hospital's frame are linking rows of the same decomposition (the cost,
  and each hospital's spend, summed over the categories), so a stage that breaks them is solved
  by columns over every category; so are the stages against a previous plan (stability is a
  cost on the networks' arcs). Only a category whose network cannot be used (a frozen month
  the rules no longer allow) sends a coupled stage to the joint CP-SAT model.
- A plan within the money always exists when the plan of base units only is within it (its
  cost and every hospital's spend are the least any plan has): otherwise none does.

When a stage stops on the time limit, its best value and proven bound are reported and held.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues, frames_kept
from leveransplan.models.numbers import grouped
from leveransplan.models.plan import StageResult, StageStatus, VolumeSolution
from leveransplan.models.pro_rata import pro_rata_plan
from leveransplan.models.scenario import Scenario
from leveransplan.optimizer.errors import Infeasible
from leveransplan.optimizer.search import current_run
from leveransplan.optimizer.volumes.columns import SPEND, ColumnsResult, Linking, by_columns, with_margin
from leveransplan.optimizer.volumes.flow import CategoryFlow
from leveransplan.optimizer.volumes.mip import NotLinear
from leveransplan.optimizer.volumes.model import SolveOutcome, SolveParameters, VolumeModel
from leveransplan.optimizer.volumes.routing import nearest_routing

# Kept for each later stage when a stage may take all the time left: at least this, or as long as
# the longest stage proven optimal so far took (LexicographicVolumes.stage_floor_s).
_RESERVE_PER_STAGE_S = 4.0
# Below this many seconds left, categories not yet solved in a stage keep their plan unsolved.
_OUT_OF_TIME_S = 0.1
# A joint stage is built only when, after its estimated build time, at least this much is left.
_MIN_JOINT_SOLVE_S = 1.0
# The largest CP-SAT model built over several categories, in network arcs (about one variable
# each): at scale 20 a model of 600 000 took 4 GB and most of the time limit to build and search.
_MAX_MODEL_ARCS = 150_000
# At most this long for the best combination of the columns of a coupled stage.
_COMBINATION_SECONDS = 3.0
# Probing plans just above the proven bound (_probe): only when the plan is within this relative
# gap of it (farther, the ranges near the bound are no longer narrow and the joint search from
# above gains more), for at most this share of the stage's time.
_PROBING_GAP = 0.01
_PROBING_SHARE = 0.5
# Runs of a coupled stage with lowered equity caps (_with_a_margin), each margin twice the last.
_MARGIN_TRIES = 3


@dataclass
class _Part:
    """One category's (or the joint model's) result in a stage."""

    status: str
    value: int
    bound: int
    seconds: float
    decisions: Decisions | None


@dataclass
class _Holds:
    """Values held per category: (term, category) -> value, and whether proven optimal."""

    value: dict[tuple[str, str], int] = field(default_factory=dict)
    optimal: dict[tuple[str, str], bool] = field(default_factory=dict)


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


class LexicographicVolumes:
    """Runs the volume stages of one scenario in the configured order."""

    def __init__(
        self, scenario: Scenario, previous: Decisions | None = None, frozen_until: int | None = None
    ) -> None:
        # The time limit counts from here: building the data, the networks and the models is
        # part of the solve (at scale 20 the networks take seconds).
        self.search = current_run()
        self.progress = self.search.progress
        self.started = self.search.now()
        self.scenario = scenario
        self.data = VolumeData.from_scenario(scenario)
        self.previous = previous
        self.order = list(scenario.objective.volumes)
        self.settings = scenario.solver
        self.budget = scenario.max_cost_sek
        # Each hospital's frame (spec section 7): with it or the budget, money couples every category.
        self.frames: dict[str, int] = self.data.frames
        self.money_couples = self.budget is not None or bool(self.frames)
        self.frozen_until = frozen_until
        self.flows = {k: CategoryFlow(self.data, k, previous, frozen_until) for k in self.data.categories}
        # CP-SAT models per category, built when a category needs one (see _category_model).
        self.models: dict[str, VolumeModel] = {}
        self.cp_build_seconds_per_arc: float | None = None
        # The longest a routing of the travel stage's plan took (_routed): every search in that
        # stage is followed by one, so the searches leave it that much of their time.
        self.routing_seconds = 0.0
        # The longest a stage solved by the networks alone took (wall clock): a stage's fixed
        # work, which no time limit shortens (every category's network, evaluations, holds; 3 to
        # 5 s at scale 20). A stage that also searches jointly takes about twice that even with no
        # time left for the search, so each later stage keeps twice this in reserve.
        self.stage_floor_s = 0.0
        self.searched_jointly = False
        self.out_of_time = False
        self.holds = _Holds()
        self.joint: VolumeModel | None = None
        self.joint_locked = False
        # Once a stage couples the categories: which ones, and each term held over them jointly.
        self.joint_categories: list[str] | None = None
        self.joint_held: dict[str, int] = {}
        self.joint_floor: dict[str, int] = {}
        # The categories the equity stage found coupled (None before it).
        self.contested: list[str] | None = None
        self.equity_value: int | None = None
        self.solution = self._starting_plan()
        self.stages: list[StageResult] = []

    def _starting_plan(self) -> Decisions:
        """Base units as far as there are patients, or the analyst's pro-rata plan when that
        leaves fewer patient-months beyond the guarantee within the budget. Each category's search
        starts from it, and a category the time limit stops keeps it: no plan is ever worse than
        the one an analyst would make by hand. (With frozen months, base units after them.)"""
        base = greedy_base_plan(self.data, self.previous, self.frozen_until)
        if self.previous is not None and self.frozen_until is not None:
            return base
        analyst = pro_rata_plan(self.data)
        analyst_values = TermValues(self.data, analyst)
        if (
            self._money_kept(analyst)
            and analyst_values.over_guarantee() < TermValues(self.data, base).over_guarantee()
        ):
            return analyst
        return base

    # -- time -----------------------------------------------------------------------------
    def remaining(self) -> float:
        return self.settings.time_limit_s - (self.search.now() - self.started)

    def parameters(self, limit: float) -> SolveParameters:
        return SolveParameters(max(limit, 0.05), self.settings.workers, self.settings.seed)

    def joint_time(self, stages_left: int) -> float:
        """Time for a joint solve: all that is left but a reserve for each later stage.

        Joint stages are the hard ones; per-category stages take a second or two on the region,
        so an even split would starve the joint stage for nothing.
        """
        # What follows a search in this stage (rounding, holds, evaluations) cannot stop at the
        # deadline: it takes about a stage's fixed work, so the search leaves that too.
        remaining = self.remaining() - self.routing_seconds - self.stage_floor_s
        per_stage = max(_RESERVE_PER_STAGE_S, 2 * self.stage_floor_s)
        reserve = min(per_stage * (stages_left - 1), remaining / 2)
        return max(remaining - reserve, remaining / stages_left)

    # -- stages ---------------------------------------------------------------------------
    def run(self) -> VolumeSolution:
        self._start_within_budget()
        # Stability without a previous plan is 0 by definition: it needs no share of the time.
        timed = [t for t in self.order if t != "stability" or self.previous is not None]
        for term in self.order:
            stages_left = max(len(timed) - (timed.index(term) if term in timed else len(timed)), 1)
            stage_started = self.search.now()
            self.progress.start_stage(term, stage_started)
            # Only the travel stage routes its plans: no other stage leaves time for it.
            self.routing_seconds = 0.0
            if term == "stability" and self.previous is None:
                self.stages.append(
                    StageResult(objective=term, value=0, bound=0, status="OPTIMAL", seconds=0.0)
                )
                continue
            self.searched_jointly = term == "equity"
            if self._no_time_for_a_stage():
                self._stage_not_searched(term)
            elif term == "equity":
                self._equity_stage(stages_left)
            else:
                self._separable_stage(term, stages_left)
            by_networks = self.stages[-1].status == "OPTIMAL" and not self.searched_jointly
            if by_networks and not self.search.deterministic:
                self.stage_floor_s = max(self.stage_floor_s, self.search.now() - stage_started)
        return VolumeSolution(self.solution, self.stages, TermValues(self.data, self.solution, self.previous))

    def _no_time_for_a_stage(self) -> bool:
        """Whether the time left is too short to search a stage at all: none is left, or less than
        half of what a stage has been seen to take even when it finds its optimum at once (its
        fixed work: every category's network, the evaluations, the holds)."""
        left = self.remaining()
        # Once a stage is not searched, no later one is: it would not hold that stage's value.
        # (A stage that searches jointly has about twice the fixed work: see stage_floor_s.)
        self.out_of_time = self.out_of_time or left <= _OUT_OF_TIME_S or left < self.stage_floor_s / 2
        return self.out_of_time

    def _stage_not_searched(self, term: str) -> None:
        """A stage the time limit leaves no time for: the plan so far stands (it obeys every rule
        and hold), with its value of the term and the trivial bound 0, FEASIBLE."""
        values = TermValues(self.data, self.solution, self.previous)
        value = values.equity() if term == "equity" else values.term(term)
        if term == "equity":
            self.equity_value = value
        status: StageStatus = "OPTIMAL" if value == 0 else "FEASIBLE"
        self.progress.finish_stage(self.search.now(), value, 0)
        self.stages.append(StageResult(objective=term, value=value, bound=0, status=status, seconds=0.0))

    def _start_within_budget(self) -> None:
        """Start from base units only when the starting plan spends more than the budget or a
        frame allows; when even that plan does, no plan obeys every rule.

        Why the base plan settles it: every plan makes the decisions of the frozen months, and
        beyond them a plan of base units only buys nothing (it pays the take-or-pay minimums,
        as every plan does). Its cost and every hospital's spend are the least any plan has."""
        if self._money_kept(self.solution):
            return
        base = greedy_base_plan(self.data, self.previous, self.frozen_until)
        if not self._money_kept(base):
            raise Infeasible("no plan obeys every rule" + self._budget_words())
        self.solution = base

    def _separable_stage(self, term: str, stages_left: int) -> None:
        """A term that sums over categories: per category if the couplings allow, else jointly."""
        if self.joint_locked:
            assert self.joint_categories is not None
            chosen = set(self.joint_categories)
            parts = self._solve_each([k for k in self.data.categories if k not in chosen], term, stages_left)
        else:
            parts = self._solve_each(self.data.categories, term, stages_left)
            candidate = self.solution.copy()
            candidate.replace(
                {k: p.decisions for k, p in parts.items() if p.decisions is not None}, self.data
            )
            if self._couplings_hold(candidate):
                self._accept_each(term, parts)
                self._record(term, list(parts.values()))
                return
            # Equity couples only the contested categories (elsewhere each hospital's part is fixed
            # by the earlier stages); the budget and the frames couple them all.
            coupled = (
                self.joint.categories
                if self.joint is not None
                else self.contested
                if self.contested is not None and not self.money_couples
                else list(self.data.categories)
            )
            restricted: dict[str, _Part] = {}
            if not self._decomposable(coupled):
                # The relaxation broke a coupling rule. Each category's relaxed optimum is still a
                # lower bound for it; if a capped per-category improvement reaches that bound in
                # every category, the plan is optimal and the stage stays separable.
                # (The caps are the current plan's values, so this needs a current plan that obeys
                # the coupling rules; before the first stage under a budget it may not.)
                restricted = (
                    self._restricted_parts(term, self.data.categories, parts)
                    if self._couplings_hold(self.solution)
                    else {}
                )
                if restricted and all(
                    k in restricted
                    and restricted[k].status == parts[k].status == "OPTIMAL"
                    and restricted[k].value == parts[k].value
                    for k in parts
                ):
                    attempt = sum(p.seconds for k, p in parts.items() if restricted[k] is not p)
                    self._accept_each(term, restricted)
                    self._record(term, [*restricted.values(), _Part("OPTIMAL", 0, 0, attempt, None)])
                    return
            failed_attempt = sum(parts[k].seconds for k in coupled)
            failed_attempt += sum(
                restricted[k].seconds for k in coupled if k in restricted and restricted[k] is not parts[k]
            )
            for k in coupled:
                # This stage's per-category optimum is not what is held there: it is held jointly.
                self.flows[k].undo()
            chosen = set(coupled)
            parts = {k: parts[k] for k in self.data.categories if k not in chosen}
            parts["(attempt)"] = _Part("OPTIMAL", 0, 0, failed_attempt, None)
            self.joint_categories = coupled
            self.joint_locked = True
        self._accept_each(term, {k: p for k, p in parts.items() if k in self.flows})
        joint = self._solve_joint(term, stages_left)
        self._record(term, [*parts.values(), joint])

    def _decomposable(self, categories: list[str]) -> bool:
        """Whether a coupled stage over `categories` can be decomposed into the networks
        (optimizer/volumes/columns.py): every network usable."""
        return all(self.flows[k].usable for k in categories)

    def _linking_held(self, categories: list[str]) -> dict[str, int]:
        """The rows that link `categories` besides equity: every term held over them, the
        budget less the cost of the other categories, and each frame less the spend there."""
        held = dict(self.joint_held)
        if not self.money_couples:
            return held
        chosen = set(categories)
        outside = [k for k in self.data.categories if k not in chosen]
        values = TermValues(self.data, self.solution, self.previous)
        if self.budget is not None:
            cap = self.budget - values.term("cost", outside)
            held["cost"] = min(held.get("cost", cap), cap)
        for h, frame in self.frames.items():
            held[f"{SPEND}{h}"] = frame - values.spend(h, outside)
        return held

    def _equity_stage(self, stages_left: int) -> None:
        """max over hospitals of patient-months beyond the guarantee per 1000 inflow."""
        started = self.search.now()
        bound = 0
        start = self.solution
        columns: ColumnsResult | None = None
        if self.joint is None:
            contested = self._contested()
            if self.money_couples:
                contested = list(self.data.categories)
            if not any(self.data.hospital_inflow(h) > 0 for h in self.data.hospitals):
                # No hospital with inflow: equity is 0 by definition, whatever the plan.
                contested = []
            self.contested = contested
            if not contested:
                value = TermValues(self.data, self.solution).equity()
                self.equity_value = value
                self.stages.append(
                    StageResult(objective="equity", value=value, bound=value, status="OPTIMAL", seconds=0.0)
                )
                return
            if self._decomposable(contested):
                columns = by_columns(
                    self.data,
                    self.flows,
                    contested,
                    self.solution,
                    Linking(None, held=self._linking_held(contested)),
                    self._share_of_stage(stages_left),
                    self.settings,
                    self._combination_seconds(),
                )
                if columns is not None:
                    bound = columns.bound
                    # Without money rows every plan obeys the equity stage's rules; with them
                    # only a rounding within the budget and frames is a start.
                    if columns.obeys_linking:
                        start = columns.decisions
                    self._adopt_if_better(start, contested)
                    value = TermValues(self.data, self.solution).equity()
                    searched = False
                    if value > bound:
                        value, bound, searched = self._better_than(columns, None, value, bound, stages_left)
                    if value <= bound or searched or self._no_time_to_build(contested):
                        # Optimal when the plan reaches the proven bound; otherwise the search of
                        # the plans better than it has had the stage's time.
                        self.equity_value = value
                        self._hold_columns(columns, value, stages_left)
                        seconds = self.search.now() - started
                        status = "OPTIMAL" if value <= bound else "FEASIBLE"
                        self._record("equity", [_Part(status, value, bound, seconds, None)])
                        return
            if self._no_time_to_build(contested):
                # Building the joint model alone would overrun the limit: the best plan's equity
                # stands with the bound proven so far (a wall-clock estimate, so never when deterministic).
                self._adopt_if_better(start, contested)
                value = TermValues(self.data, self.solution).equity()
                self.equity_value = value
                if columns is not None:
                    self._hold_columns(columns, value, stages_left)
                self.stages.append(
                    StageResult(
                        objective="equity",
                        value=value,
                        bound=min(bound, value),
                        status="OPTIMAL" if bound >= value else "FEASIBLE",
                        seconds=round(self.search.now() - started, 3),
                    )
                )
                return
            self._open_joint(contested)
        assert self.joint is not None
        joint = self.joint
        outside = self._over_outside()
        equity = joint.objectives.equity_variable(outside)
        if bound > 0:
            # Proven by the networks (columns.py): it only spares CP-SAT proving it again.
            joint.model.add(equity >= bound)
        self._adopt_if_better(start, joint.categories)
        joint.hint(self.solution)
        outcome = joint.solve(equity, self.parameters(self.joint_time(stages_left)))
        outcome.bound = max(outcome.bound, bound)
        outcome.seconds = self.search.now() - started
        part = self._joint_part("equity", outcome)
        joint.model.add(equity <= part.value)
        self.equity_value = part.value
        if columns is not None:
            self._hold_columns(columns, part.value, stages_left)
        self._record("equity", [part])

    def _adopt_if_better(self, plan: Decisions, categories: list[str]) -> None:
        """Take `plan`'s decisions in `categories` when its equity is lower than the current plan's."""
        if plan is self.solution:
            return
        if TermValues(self.data, plan).equity() < TermValues(self.data, self.solution).equity():
            self.solution.update(plan, set(categories), self.data)

    def _settle_mixed(
        self, columns: ColumnsResult, stages_left: int, term: str | None = None
    ) -> Decisions | None:
        """CP-SAT on the categories the LP mixed, every other category fixed at its column: a
        small model with the stage's coupling rules, solved to the proven bound or for a share of
        the stage's time. `term` None is the equity stage. None if it finds no plan."""
        mixed = columns.mixed
        if not mixed:
            return columns.decisions
        if self._no_time_to_build(mixed):
            return None
        model, objective, offset = self._partial_model(mixed, columns.decisions, term)
        model.model.add(objective >= columns.bound - offset)
        model.hint(columns.decisions)
        with self.progress.part(f"{len(mixed)} categories the LP mixed"):
            outcome = self._closing(model, objective, self.joint_time(stages_left) / 3)
        if outcome.decisions is None:
            return None
        settled = columns.decisions.copy()
        settled.update(outcome.decisions, set(mixed), self.data)
        return settled

    def _partial_model(
        self, free: list[str], base: Decisions, term: str | None
    ) -> tuple[VolumeModel, cp_model.LinearExprT, int]:
        """CP-SAT over the `free` categories, every other category fixed at `base`: each free
        category's holds, the terms held region-wide less the fixed categories' part, and the
        equity caps with the fixed categories' patient-months. Returns the model, its objective
        (the equity variable, or `term` over the free categories) and what the fixed coupled
        categories add to the objective (0 for equity). `term` None is the equity stage."""
        chosen = set(free)
        model = VolumeModel(self.data, free, self.previous, self.frozen_until)
        self._restrict_to_faces(model)
        for (held, k), value in self.holds.value.items():
            if k in chosen:
                model.hold(held, value, [k])
        fixed = TermValues(self.data, base, self.previous)
        outside = {
            h: sum(v for (hh, k), v in fixed.over_by_hospital_category.items() if hh == h and k not in chosen)
            for h in self.data.hospitals
        }
        others = [k for k in self.joint_categories or [] if k not in chosen]
        for held, value in self.joint_held.items():
            fixed_part = fixed.term(held, others)
            model.hold(held, value - fixed_part, floor=self.joint_floor[held] - fixed_part)
        self._money_rules(model, fixed)
        if term is None:
            return model, model.objectives.equity_variable(outside), 0
        if self.equity_value is not None:
            model.hold_equity(self.equity_value, outside)
        return model, model.term(term), fixed.term(term, others)

    # -- pieces ---------------------------------------------------------------------------
    def _solve_each(self, categories: list[str], term: str, stages_left: int) -> dict[str, _Part]:
        """Solve one stage in every category's own model."""
        stage_time = self.remaining() / stages_left
        parts: dict[str, _Part] = {}
        before = TermValues(self.data, self.solution, self.previous)
        # The stage's proven bound as categories finish (0 for those not solved yet). Their plans
        # are not recorded: until the coupling rules are checked they may not be the stage's.
        bound_so_far = 0
        for number, k in enumerate(categories, start=1):
            flow = self.flows[k]
            if flow.is_empty:
                value = before.term(term, [k])
                parts[k] = _Part("OPTIMAL", value, value, 0.0, Decisions())
            elif flow.usable and (network := flow.solve(term)).decisions is not None:
                # Exact: the category's network holds every earlier stage's optimum as its face.
                # (Its seconds are wall clock, so in deterministic mode they count as none.)
                value = TermValues(self.data, network.decisions, self.previous, [k]).term(term, [k])
                flow.optimum[term] = value
                seconds = 0.0 if self.search.deterministic else network.seconds
                parts[k] = _Part("OPTIMAL", value, value, seconds, network.decisions)
            elif self.remaining() <= _OUT_OF_TIME_S:
                # The time is up: the category keeps its plan (valid under every hold so far)
                # with the trivial bound, rather than overrunning the limit category by category.
                parts[k] = _Part("FEASIBLE", before.term(term, [k]), 0, 0.0, None)
            else:
                model = self._category_model(k)
                model.hint(self.solution)
                limit = self.parameters(min(stage_time, self.remaining()))
                with self.progress.part(f"{k}, category {number} of {len(categories)}"):
                    outcome = model.solve(model.term(term), limit)
                parts[k] = self._part(term, [k], outcome)
            bound_so_far += parts[k].bound
            self.progress.update(self.search.now(), bound=bound_so_far)
        return parts

    def _part(self, term: str, categories: list[str], outcome: SolveOutcome) -> _Part:
        if outcome.status == "INFEASIBLE" and self.frozen_until is None:
            # Without frozen months the current plan obeys every rule and hold (the base plan,
            # within the money, or a plan adopted since): a verdict of no plan contradicts it, and
            # is taken as a search that found nothing better.
            outcome = SolveOutcome("UNKNOWN", 0, outcome.seconds, None)
        if outcome.status == "INFEASIBLE":
            raise Infeasible(f"no plan obeys every rule in {', '.join(categories)}" + self._budget_words())
        decisions = outcome.decisions
        status = outcome.status
        if decisions is None:
            # Out of time: the plan reached in the earlier stages still obeys every hold.
            decisions = Decisions()
            decisions.update(self.solution, set(categories), self.data)
            status = "FEASIBLE"
        # Every term but equity is a sum over categories of what each category's own decisions
        # give, so the part's decisions alone evaluate it (no copy of the whole plan per category).
        value = TermValues(self.data, decisions, self.previous, categories).term(term, categories)
        return _Part(status, value, min(outcome.bound, value), outcome.seconds, decisions)

    def _accept_each(self, term: str, parts: dict[str, _Part]) -> None:
        """Adopt per-category results and hold each category's value in later stages."""
        self.solution.replace(
            {k: p.decisions for k, p in parts.items() if p.decisions is not None}, self.data
        )
        for k, part in parts.items():
            self.holds.value[term, k] = part.value
            self.holds.optimal[term, k] = part.status == "OPTIMAL"
            if k in self.models:
                self.models[k].hold(term, part.value)
            if part.status != "OPTIMAL" or part.value != self.flows[k].optimum.get(term):
                # The network holds only a stage's optimum; any other value is CP-SAT's to hold.
                self.flows[k].usable = False
            if self.joint is not None and k in self.joint.categories:
                self.joint.hold(term, part.value, [k])

    def _solve_joint(self, term: str, stages_left: int) -> _Part:
        """The stage over the coupled categories: by columns when that closes the gap, else by
        the joint CP-SAT model started from the best plan and bound found."""
        assert self.joint_categories is not None
        self.searched_jointly = True
        categories = self.joint_categories
        started = self.search.now()
        self.solution = self._routed(self.solution, term)
        outside = [k for k in self.data.categories if k not in set(categories)]
        outside_value = TermValues(self.data, self.solution, self.previous).term(term, outside)
        bound = 0
        start: Decisions | None = None
        columns: ColumnsResult | None = None
        if self._decomposable(categories):
            linking = Linking(term, self.equity_value, self._linking_held(categories))
            columns = by_columns(
                self.data,
                self.flows,
                categories,
                self.solution,
                linking,
                self._share_of_stage(stages_left),
                self.settings,
                self._combination_seconds(),
                dive_seconds=self._dive_seconds(stages_left),
                clock=self.search.now,
            )
            if columns is not None:
                bound = columns.bound
                if columns.obeys_linking:
                    self._adopt_if_lower(columns.decisions, term, categories)
                value = TermValues(self.data, self.solution, self.previous).term(term, categories)
                if columns.unsettled is not None and value > bound:
                    # The dive from the LP stopped with a few categories free: CP-SAT on them,
                    # every other category at the column the dive fixed.
                    settled = self._settle_mixed(columns.unsettled, stages_left, term)
                    if settled is not None:
                        self._adopt_if_lower(settled, term, categories)
                        value = TermValues(self.data, self.solution, self.previous).term(term, categories)
                if columns.unlinked is not None and value > bound:
                    repaired = self._with_a_margin(columns, term, stages_left)
                    if repaired is not None:
                        self._adopt_if_lower(repaired, term, categories)
                        value = TermValues(self.data, self.solution, self.previous).term(term, categories)
                probed = False
                if bound < value <= bound * (1 + _PROBING_GAP):
                    value, bound = self._probe(columns, term, value, bound, stages_left, outside_value)
                    probed = True
                if value > bound:
                    # The categories the LP mixed are settled (CP-SAT on them alone, the others
                    # fixed at their columns): cheaper than searching them all.
                    settled = self._settle_mixed(columns, stages_left, term)
                    if settled is not None:
                        self._adopt_if_lower(settled, term, categories)
                        value = TermValues(self.data, self.solution, self.previous).term(term, categories)
                if not probed and bound < value <= bound * (1 + _PROBING_GAP):
                    value, bound = self._probe(columns, term, value, bound, stages_left, outside_value)
                # Every plan adopted obeys every rule and hold: the stage keeps the best of them
                # if CP-SAT finds nothing better.
                start = self.solution.copy()
                searched = False
                if value > bound and self._no_time_to_build(categories):
                    # The joint model is out of reach: search the categories left free by
                    # reduced-cost fixing instead.
                    value, bound, searched = self._better_than(columns, term, value, bound, stages_left)
                if value <= bound or searched or self._no_time_to_build(categories):
                    # Optimal when the plan reaches the proven bound; otherwise the search of
                    # the plans better than it has had the stage's time.
                    self._hold_jointly(term, value, bound)
                    self._hold_columns(columns, value, stages_left)
                    status = "OPTIMAL" if value <= bound else "FEASIBLE"
                    return _Part(status, value, bound, self.search.now() - started, None)
        if self.joint is None and self._no_time_to_build(categories):
            # Building the joint model alone would overrun the limit: the plan so far stands.
            value = TermValues(self.data, self.solution, self.previous).term(term, categories)
            self._hold_jointly(term, value, min(bound, value))
            if columns is not None:
                self._hold_columns(columns, value, stages_left)
            return _Part("FEASIBLE", value, min(bound, value), self.search.now() - started, None)
        joint = self._joint_model()
        joint.hint(start if start is not None else self._restricted_improvement(term))
        objective = joint.term(term)
        outcome = joint.solve(
            objective, self.parameters(self.joint_time(stages_left)), value_offset=outside_value
        )
        outcome.bound = max(outcome.bound, bound)
        outcome.seconds = self.search.now() - started
        part = self._joint_part(term, outcome)
        self._hold_jointly(term, part.value, part.bound)
        if columns is not None:
            self._hold_columns(columns, part.value, stages_left)
        return part

    def _hold_columns(self, columns: ColumnsResult, value: int, stages_left: int) -> None:
        """The stage's value held in the networks (ColumnsResult.hold) for the stages after it;
        not after the last stage that solves anything (at scale 20 it took 2 s of 28 networks and
        ran the whole solve past its time limit)."""
        if stages_left > 1:
            columns.hold(value)

    def _with_a_margin(self, columns: ColumnsResult, term: str, stages_left: int) -> Decisions | None:
        """The stage by columns again with every hospital's equity cap lowered, so that the
        LP's rounding lands within the real caps where columns.unlinked did not: the best such
        plan that keeps every hold, or None. The margin is twice the most any hospital's X_h lies
        above its cap in that rounding, doubled while the rounding still breaks a cap (at most
        _MARGIN_TRIES runs, each continuing from the last one's columns, in half the time left
        for the stage). The bound stays the first run's: lowered caps make a tighter problem.

        Why: at scale 5 the travel stage's rounding came within 222 travel-minutes of the LP
        (5 208 456 against 5 208 234), cost and out_of_region held to the last SEK and patient,
        with 11 hospitals 1 to 26 patient-months above their caps; the plans adopted instead
        were three times the bound. A margin of 52 gave a plan 0.1 % above the bound. Repairs of
        the rounding itself (CP-SAT from it, or the networks with the LP's prices and a penalty
        per patient-month above a cap) did not reach the caps."""
        if columns.unlinked is None or self.equity_value is None or columns.problem is None:
            return None
        coupled = list(columns.problem.categories)
        time_left = self._share_of_stage(stages_left)
        best: Decisions | None = None
        best_value: int | None = None
        last, unlinked = columns, columns.unlinked
        margin = 0
        # Every plan has the same patient-months beyond the guarantee in each category (held
        # since the first stage), so caps lowered by more than the room below them together
        # leave no plan at all (scale 20's travel stage: 100 caps, 4 271 patient-months of room).
        room = self._room_below_the_caps(self.solution)
        for _ in range(_MARGIN_TRIES):
            above = self._most_above_the_caps(unlinked)
            margin = max(2 * above, 2 * margin)
            if above <= 0 or time_left() <= 0 or margin * len(columns.problem.counted) > room:
                break
            with self.progress.part(f"equity caps lowered by {margin} patient-months"):
                tighter = with_margin(
                    last,
                    margin,
                    time_left,
                    self.settings,
                    self._combination_seconds(),
                    dive_seconds=self._combination_seconds(),
                    clock=self.search.now,
                )
            if tighter is None:
                break
            plan = tighter.decisions
            if tighter.obeys_linking and self._holds_kept(plan, coupled) and self._couplings_hold(plan):
                value = TermValues(self.data, plan, self.previous).term(term, coupled)
                if best_value is None or value < best_value:
                    best, best_value = plan, value
            if tighter.unlinked is None:
                break
            last, unlinked = tighter, tighter.unlinked
        return best

    def _most_above_the_caps(self, plan: Decisions) -> int:
        """The most patient-months any hospital's X_h lies above its equity cap in `plan`."""
        assert self.equity_value is not None
        values = TermValues(self.data, plan, self.previous)
        most = 0
        for h in self.data.hospitals:
            inflow = self.data.hospital_inflow(h)
            if inflow > 0:
                most = max(most, values.over_of_hospital(h) - self.equity_value * inflow // 1000)
        return most

    def _room_below_the_caps(self, plan: Decisions) -> int:
        """The patient-months all hospitals' X_h lie below their equity caps in `plan`, together."""
        assert self.equity_value is not None
        values = TermValues(self.data, plan, self.previous)
        room = 0
        for h in self.data.hospitals:
            inflow = self.data.hospital_inflow(h)
            if inflow > 0:
                room += max(self.equity_value * inflow // 1000 - values.over_of_hospital(h), 0)
        return room

    def _holds_kept(self, plan: Decisions, coupled: list[str]) -> bool:
        """Whether `plan` keeps every term held so far, over the coupled categories and in each."""
        values = TermValues(self.data, plan, self.previous)
        if any(values.term(held, coupled) > value for held, value in self.joint_held.items()):
            return False
        chosen = set(coupled)
        return all(
            values.term(held, [k]) <= value for (held, k), value in self.holds.value.items() if k in chosen
        )

    def _adopt_if_lower(self, plan: Decisions, term: str, categories: list[str]) -> None:
        """Take `plan`'s decisions in `categories` when they give `term` a lower value there
        (`plan` obeys every rule and hold)."""
        plan = self._routed(plan, term)
        ours = TermValues(self.data, self.solution, self.previous).term(term, categories)
        if TermValues(self.data, plan, self.previous).term(term, categories) < ours:
            self.solution.update(plan, set(categories), self.data)

    def _routed(self, plan: Decisions, term: str | None, categories: list[str] | None = None) -> Decisions:
        """In the travel stage, `plan` with each month's patients of the coupled categories (or
        `categories`) routed to the same places at the least travel (optimizer/volumes/routing.py):
        every other term keeps its value, so every hold still holds. Not while stability against a
        previous plan is held (routing changes it), nor in frozen months."""
        held = {stage.objective for stage in self.stages}
        if term != "travel" or (self.previous is not None and "stability" in held):
            return plan
        chosen = categories if categories is not None else self.joint_categories or list(self.data.categories)
        first_month = self.frozen_until + 1 if self.frozen_until is not None else 1
        # On the run's clock: in deterministic mode it stands still outside CP-SAT.
        started = self.search.now()
        routed = nearest_routing(self.data, plan, chosen, first_month)
        if self.frames and not self._money_kept(routed):
            routed = self._routed_within_frames(plan, chosen, first_month)
        self.routing_seconds = max(self.routing_seconds, self.search.now() - started)
        return routed

    def _routed_within_frames(self, plan: Decisions, categories: list[str], first_month: int) -> Decisions:
        """`plan` routed category by category, each category's routing kept when every frame
        still holds. Routing keeps the cost but moves spend between hospitals (A's patient sent
        to C instead of B's), so routing every category at once may break a frame that binds."""
        spend = {h: TermValues(self.data, plan).spend(h) for h in self.frames}
        result = plan
        for k in categories:
            candidate = nearest_routing(self.data, result, [k], first_month)
            before = TermValues(self.data, result, categories=[k])
            after = TermValues(self.data, candidate, categories=[k])
            changed = {h: spend[h] - before.spend(h, [k]) + after.spend(h, [k]) for h in self.frames}
            if all(changed[h] <= frame for h, frame in self.frames.items()):
                result, spend = candidate, changed
        return result

    def _probe(
        self, columns: ColumnsResult, term: str, value: int, bound: int, stages_left: int, outside: int
    ) -> tuple[int, int]:
        """Close the gap of a coupled stage from below: is there a plan with the term at most
        a target T just above the proven bound? Every such plan lies within the ranges
        reduced-cost fixing leaves at T (ColumnsResult.ranges_within), and near the bound
        those are narrow, so CP-SAT answers on a small model: no plan (the bound rises to
        T + 1, and T moves up by twice the last step), or the least plan within them,
        which is then the stage's optimum. A search that runs out of time ends the probing.

        Why: the LP's bound is usually within a few units of the optimum, but when a held term
        (cost, to the last SEK) makes the rows tight, CP-SAT finds that last plan slowly from
        above in the whole model. (Scale 1: the travel stage proven optimal in 2 s, where the
        joint model had not in 9 s.) `outside`: the term over the other categories, for the
        progress shown. Returns the coupled categories' (value, bound)."""
        coupled = list(columns.problem.categories) if columns.problem is not None else []
        deadline = self.search.now() + self.joint_time(stages_left) * _PROBING_SHARE
        step = 1
        while bound < value and self.search.now() < deadline:
            target = min(bound + step - 1, value - 1)
            ranges = columns.ranges_within(target)
            if ranges is None or self._no_time_to_build(coupled):
                break
            # Every coupled category is in the model, also those whose decisions the ranges fix
            # (presolve removes them): CP-SAT checks that their fixed plans obey every rule.
            model, objective, _others = self._partial_model(coupled, self.solution, term)
            for k in coupled:
                model.restrict(ranges[k])
            # No hint: the current plan is above the target. (A hint that breaks the model also
            # crashes CP-SAT 9.15's interleaved search, --deterministic, when the model has no plan.)
            model.model.add(objective <= target)
            with self.progress.part(f"plans with {term} at most {target}"):
                outcome = self._closing(model, objective, deadline - self.search.now())
            if outcome.status == "INFEASIBLE":
                bound = target + 1
                step *= 2
                self.progress.update(self.search.now(), bound=bound + outside)
                continue
            if outcome.decisions is not None:
                candidate = self.solution.copy()
                candidate.update(outcome.decisions, set(coupled), self.data)
                candidate = self._routed(candidate, term)
                found = TermValues(self.data, candidate, self.previous).term(term, coupled)
                if found < value:
                    self.solution = candidate
                    value = found
                if outcome.status == "OPTIMAL":
                    # The least of all plans within the ranges, and every plan at most the
                    # target lies within them.
                    bound = max(bound, min(outcome.bound, value))
            break
        return value, bound

    def _better_than(
        self, columns: ColumnsResult, term: str | None, value: int, bound: int, stages_left: int
    ) -> tuple[int, int, bool]:
        """Search the plans at least as good as the current one (`value`, over the coupled
        categories): reduced-cost fixing at the columns' best weights fixes most decisions, and
        CP-SAT, started from the current plan, searches the categories with a decision left free.
        Returns (value, bound, whether the search ran). `term` None is the equity stage."""
        ranges = columns.ranges_within(value)
        if ranges is None:
            return value, bound, False
        coupled = list(ranges)
        free = [k for k, decisions in ranges.items() if any(low < high for low, high in decisions.values())]
        if not free:
            # Every decision is fixed: the current plan, which lies within the ranges, is the only one.
            return value, value, True
        if self._no_time_to_build(free):
            return value, bound, False
        model, objective, offset = self._partial_model(free, self.solution, term)
        for k in free:
            model.restrict(ranges[k])
        model.model.add(objective >= bound - offset)
        model.hint(self.solution)
        with self.progress.part("plans at least as good as the best found"):
            outcome = self._closing(model, objective, self.joint_time(stages_left))
        if outcome.decisions is None:
            return value, max(bound, outcome.bound + offset), True
        candidate = self.solution.copy()
        candidate.update(outcome.decisions, set(free), self.data)
        candidate = self._routed(candidate, term)
        values = TermValues(self.data, candidate, self.previous)
        found = values.equity() if term is None else values.term(term, coupled)
        if found < value:
            self.solution = candidate
            value = found
        return value, max(bound, min(outcome.bound + offset, value)), True

    def _closing(self, model: VolumeModel, objective: cp_model.LinearExprT, seconds: float) -> SolveOutcome:
        """A search near the proven bound, within reduced-cost ranges: a network with a few
        linking rows, whose LP is tight. HiGHS's branch and bound (optimizer/volumes/mip.py)
        answers such models far sooner than CP-SAT; CP-SAT when the run is deterministic (HiGHS
        has only the wall clock) or reads the model not as a MIP."""
        parameters = self.parameters(seconds)
        if not self.search.deterministic:
            try:
                return model.solve_as_mip(objective, parameters)
            except NotLinear:
                pass
        return model.solve(objective, parameters)

    def _share_of_stage(self, stages_left: int) -> Callable[[], float]:
        """Seconds left of half the stage's time: the column generation's share, leaving the rest
        for settling the categories it mixed and the joint search."""
        deadline = self.search.now() + self.joint_time(stages_left) / 2
        return lambda: deadline - self.search.now()

    def _dive_seconds(self, stages_left: int) -> float:
        """For diving from the LP to a whole plan (columns._dived): a quarter of the stage's time,
        taken from the half that follows the column generation."""
        return self.joint_time(stages_left) / 4

    def _combination_seconds(self) -> float:
        """For choosing the best combination of the columns: a small model, a tenth of what is left."""
        return min(_COMBINATION_SECONDS, self.remaining() / 10)

    def _restrict_to_faces(self, model: VolumeModel) -> None:
        """Each category's decisions within its network's face: the plans still allowed."""
        for k in model.categories:
            if self.flows[k].usable:
                model.restrict(self.flows[k].decision_bounds())

    def _hold_jointly(self, term: str, value: int, bound: int) -> None:
        """Hold `term` over the coupled categories at `value` from now on, with its proven `bound`
        as a floor (see VolumeModel.hold)."""
        self.joint_held[term] = value
        self.joint_floor[term] = bound
        if self.joint is not None:
            self.joint.hold(term, value, floor=bound)

    def _joint_model(self) -> VolumeModel:
        """The joint CP-SAT model of the coupled categories, built when first needed."""
        if self.joint is None:
            assert self.joint_categories is not None
            self._open_joint(self.joint_categories)
        assert self.joint is not None
        return self.joint

    def _restricted_improvement(self, term: str) -> Decisions:
        """A good start for a joint stage: the coupled categories improved one by one under caps."""
        assert self.joint is not None
        improved = self.solution.copy()
        parts = self._restricted_parts(term, self.joint.categories, {})
        improved.replace({k: p.decisions for k, p in parts.items() if p.decisions is not None}, self.data)
        return improved

    def _restricted_parts(
        self, term: str, categories: list[str], relaxed: dict[str, _Part]
    ) -> dict[str, _Part]:
        """Each category improved on its own, with every hospital's patient-months beyond the
        guarantee (once equity is held), its cost (under a budget) and every term held
        region-wide capped at the current plan's values in that category. Whatever each category
        then does, the combined plan still obeys the coupling rules. A category whose relaxed
        result already keeps within the caps is taken as it is."""
        current = TermValues(self.data, self.solution, self.previous)
        time_budget = self.remaining() / 4
        started = self.search.now()
        parts: dict[str, _Part] = {}
        for k in categories:
            if k in relaxed and self._within_caps(k, relaxed[k], current):
                parts[k] = relaxed[k]
                continue
            model = VolumeModel(self.data, [k], self.previous, self.frozen_until)
            if model.is_empty or self.search.now() - started > time_budget:
                continue
            for (held_term, category), value in self.holds.value.items():
                if category == k:
                    model.hold(held_term, value)
            for held_term in self._capped_terms():
                model.hold(held_term, current.term(held_term, [k]))
            if self.frames:
                model.add_frames({h: current.spend(h, [k]) for h in self.frames})
            if self.equity_value is not None:
                for h in self.data.hospitals:
                    model.model.add(
                        model.objectives.over_of_hospital(h)
                        <= current.over_by_hospital_category.get((h, k), 0)
                    )
            model.hint(self.solution)
            limit = max(time_budget / max(len(categories), 1), 0.2)
            with self.progress.part(f"{k}, improved within the coupled rules"):
                outcome = model.solve(model.term(term), self.parameters(limit))
            if outcome.status == "INFEASIBLE":
                # The caps are the current plan's values; if even they cannot be met (a start
                # that breaks a rule), this category has no capped improvement: not a verdict.
                continue
            parts[k] = self._part(term, [k], outcome)
        return parts

    def _money_rules(self, model: VolumeModel, fixed: TermValues) -> None:
        """The budget and the frames on a model of some categories, the others as in `fixed`."""
        chosen = set(model.categories)
        others = [k for k in self.data.categories if k not in chosen]
        if self.budget is not None:
            model.add_budget(self.budget - fixed.term("cost", others))
        if self.frames:
            model.add_frames({h: frame - fixed.spend(h, others) for h, frame in self.frames.items()})

    def _capped_terms(self) -> list[str]:
        """Terms whose per-category values a restricted improvement must not raise."""
        return [*self.joint_held, *(["cost"] if self.budget is not None else [])]

    def _within_caps(self, category: str, part: _Part, current: TermValues) -> bool:
        if part.decisions is None:
            return True
        merged = self.solution.copy()
        merged.update(part.decisions, {category}, self.data)
        values = TermValues(self.data, merged, self.previous)
        if self.equity_value is not None and any(
            values.over_by_hospital_category.get((h, category), 0)
            > current.over_by_hospital_category.get((h, category), 0)
            for h in self.data.hospitals
        ):
            return False
        if any(values.spend(h, [category]) > current.spend(h, [category]) for h in self.frames):
            return False
        return all(
            values.term(held, [category]) <= current.term(held, [category]) for held in self._capped_terms()
        )

    def _joint_part(self, term: str, outcome: SolveOutcome) -> _Part:
        assert self.joint is not None
        categories = self.joint.categories
        if term == "equity":
            if outcome.status == "INFEASIBLE" and self.frozen_until is not None:
                raise Infeasible("no plan obeys every rule" + self._budget_words())
            if outcome.status == "INFEASIBLE":
                # As in _part: the current plan witnesses that a plan exists.
                outcome = SolveOutcome("UNKNOWN", 0, outcome.seconds, None)
            decisions = outcome.decisions
            if decisions is not None:
                self.solution.update(decisions, set(categories), self.data)
            value = TermValues(self.data, self.solution).equity()
            status = outcome.status if decisions is not None else "FEASIBLE"
            return _Part(status, value, min(outcome.bound, value), outcome.seconds, decisions)
        if outcome.decisions is not None:
            outcome.decisions = self._routed(outcome.decisions, term, categories)
        part = self._part(term, categories, outcome)
        if part.decisions is not None:
            self.solution.update(part.decisions, set(categories), self.data)
        return part

    def _budget_words(self) -> str:
        words = []
        if self.budget is not None:
            words.append(f"the budget of {grouped(self.budget)} SEK")
        if self.frames:
            words.append(
                "the hospitals' frames" if len(self.frames) > 1 else f"{next(iter(self.frames))}'s frame"
            )
        return " within " + " and ".join(words) if words else ""

    def _open_joint(self, categories: list[str]) -> None:
        """Build the joint model of the coupled categories, with every hold reached so far."""
        self.joint = self._coupled_model(categories)

    def _coupled_model(self, categories: list[str]) -> VolumeModel:
        """A CP-SAT model of `categories` with every hold reached so far."""
        joint = VolumeModel(self.data, categories, self.previous, self.frozen_until)
        chosen = set(categories)
        for (term, k), value in self.holds.value.items():
            if k in chosen:
                joint.hold(term, value, [k])
        self._money_rules(joint, TermValues(self.data, self.solution, self.previous))
        if self.equity_value is not None:
            joint.hold_equity(self.equity_value, self._over_outside(categories))
        for term, value in self.joint_held.items():
            joint.hold(term, value, floor=self.joint_floor[term])
        return joint

    def _over_outside(self, joint_categories: list[str] | None = None) -> dict[str, int]:
        """X_h over the categories outside the joint model (fixed there by earlier stages)."""
        chosen = set(joint_categories if joint_categories is not None else self.joint.categories)  # type: ignore[union-attr]
        values = TermValues(self.data, self.solution)
        return {
            h: sum(
                v for (hh, k), v in values.over_by_hospital_category.items() if hh == h and k not in chosen
            )
            for h in self.data.hospitals
        }

    def _category_model(self, category: str) -> VolumeModel:
        """The category's CP-SAT model, built on first use with every hold reached so far."""
        if category not in self.models:
            model = VolumeModel(self.data, [category], self.previous, self.frozen_until)
            for (term, k), value in self.holds.value.items():
                if k == category:
                    model.hold(term, value)
            self.models[category] = model
        return self.models[category]

    def _no_time_to_build(self, categories: list[str]) -> bool:
        """Whether a CP-SAT model of `categories` is out of reach: larger than
        _MAX_MODEL_ARCS (memory), or more than what is left of the time would build, estimated
        from the time one category's model took per network arc (the largest one's, built here;
        wall clock, so never when deterministic)."""
        if sum(self.flows[k].arc_count for k in categories) > _MAX_MODEL_ARCS:
            return True
        if self.search.deterministic:
            return False
        if self.cp_build_seconds_per_arc is None:
            largest = max(categories, key=lambda k: self.flows[k].arc_count)
            started = time.perf_counter()
            self._category_model(largest)
            self.cp_build_seconds_per_arc = (time.perf_counter() - started) / max(
                self.flows[largest].arc_count, 1
            )
        estimate = self.cp_build_seconds_per_arc * sum(self.flows[k].arc_count for k in categories)
        return self.remaining() < estimate + _MIN_JOINT_SOLVE_S

    def _contested(self) -> list[str]:
        """Categories where a hospital's part of over_guarantee can still move."""
        result = []
        for k in self.data.categories:
            with_need = [h for h in self.data.hospitals if self.data.has_need(h, k)]
            held = self.holds.value.get(("over_guarantee", k))
            if not with_need or held == 0:
                continue
            if len(with_need) == 1 and self.holds.optimal.get(("over_guarantee", k), False):
                continue
            result.append(k)
        return result

    def _couplings_hold(self, candidate: Decisions) -> bool:
        """Whether a plan solved category by category obeys the rules that couple categories."""
        values = TermValues(self.data, candidate)
        if not self._money_kept(candidate, values):
            return False
        return self.equity_value is None or values.equity() <= self.equity_value

    def _money_kept(self, plan: Decisions, values: TermValues | None = None) -> bool:
        """Whether `plan` keeps within the budget and every hospital's frame."""
        if not self.money_couples:
            return True
        values = values if values is not None else TermValues(self.data, plan)
        if self.budget is not None and values.term("cost") > self.budget:
            return False
        return frames_kept(self.data, values)

    def _record(self, term: str, parts: list[_Part]) -> None:
        total = TermValues(self.data, self.solution, self.previous).term(term)
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


def solve_volumes(
    scenario: Scenario, previous: Decisions | None = None, frozen_until: int | None = None
) -> VolumeSolution:
    """Solve the volume model lexicographically in the scenario's objective order.

    With `frozen_until` (a month number) every decision of the months up to it equals `previous`.
    """
    return LexicographicVolumes(scenario, previous, frozen_until).run()
