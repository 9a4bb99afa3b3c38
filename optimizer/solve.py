"""The lexicographic solve driver: each objective term minimised in order, earlier ones held.

The volume model separates by category except where equity or the budget couples the
categories, so the driver solves category by category where that is exact, and one joint
model where it is not:

- A stage is first solved per category, with each category's earlier stages held at the
  values reached for that category. When every category is proven optimal this is the same
  as holding the region-wide total (each category is at its own minimum, and any plan with the
  same total has every category at its minimum too).
- The per-category plans together are then checked against the coupling rules: the budget
  cap, and the equity value once that stage is solved. If they obey them, the relaxation's
  optimum is feasible and therefore optimal for the coupled problem.
- Equity is solved jointly over the categories where it can still move: those where more
  than one hospital can carry patients beyond the guarantee. Elsewhere each hospital's part
  of over_guarantee is already fixed by the earlier stages and enters as a constant.
- When a check fails, that stage and all later ones are solved jointly over the coupled
  categories (all of them with a budget), hinted with the plan reached so far, and the
  region-wide value is held from then on.

When a stage stops on the time limit, its best value and proven bound are reported and held.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from models.derived import VolumeData
from models.evaluation import Decisions, TermValues
from models.plan import StageResult, VolumeSolution
from models.pro_rata import pro_rata_plan
from models.scenario import Scenario
from optimizer.search import current_run
from optimizer.volumes.model import SolveOutcome, SolveParameters, VolumeModel

_RESERVE_PER_STAGE_S = 4.0
# Below this many seconds left, categories not yet solved in a stage keep their plan unsolved.
_OUT_OF_TIME_S = 0.1
# A joint stage is built only when, after its estimated build time, at least this much is left.
_MIN_JOINT_SOLVE_S = 1.0


class VolumeInfeasible(Exception):
    """No plan obeys every rule (for example a budget below the take-or-pay minimums)."""


class NoSolutionInTime(Exception):
    """The time limit ran out before any plan was found."""


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
        self.scenario = scenario
        self.data = VolumeData.from_scenario(scenario)
        self.previous = previous
        self.order = list(scenario.objective.volumes)
        self.settings = scenario.solver
        self.budget = scenario.max_cost_sek
        self.frozen_until = frozen_until
        # The time limit counts from here: building the models is part of the solve.
        self.search = current_run()
        self.progress = self.search.progress
        self.started = self.search.now()
        build_started = time.perf_counter()
        self.models = {k: VolumeModel(self.data, [k], previous, frozen_until) for k in self.data.categories}
        self.build_seconds = time.perf_counter() - build_started
        self.holds = _Holds()
        self.joint: VolumeModel | None = None
        self.joint_locked = False
        self.joint_terms: list[str] = []  # terms held region-wide in the joint model
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
        within_budget = self.budget is None or analyst_values.term("cost") <= self.budget
        if within_budget and analyst_values.over_guarantee() < TermValues(self.data, base).over_guarantee():
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
        remaining = self.remaining()
        reserve = min(_RESERVE_PER_STAGE_S * (stages_left - 1), remaining / 2)
        return max(remaining - reserve, remaining / stages_left)

    # -- stages ---------------------------------------------------------------------------
    def run(self) -> VolumeSolution:
        self._start_within_budget()
        for index, term in enumerate(self.order):
            stages_left = len(self.order) - index
            self.progress.start_stage(term, self.search.now())
            if term == "stability" and self.previous is None:
                self.stages.append(
                    StageResult(objective=term, value=0, bound=0, status="OPTIMAL", seconds=0.0)
                )
            elif term == "equity":
                self._equity_stage(stages_left)
            else:
                self._separable_stage(term, stages_left)
        return VolumeSolution(self.solution, self.stages, TermValues(self.data, self.solution, self.previous))

    def _start_within_budget(self) -> None:
        """Replace the starting plan by one within the budget when it is not (or say there is none)."""
        if self.budget is None or self._couplings_hold(self.solution):
            return
        self._open_joint(list(self.data.categories))
        assert self.joint is not None
        self.joint.hint(self.solution)
        outcome = self.joint.solve(self.joint.term("cost"), self.parameters(self.remaining() / 2))
        if outcome.status == "INFEASIBLE":
            raise VolumeInfeasible("no plan obeys every rule" + self._budget_words())
        if outcome.decisions is None:
            raise NoSolutionInTime("no plan within the budget was found in time")
        self.solution.update(outcome.decisions, set(self.data.categories), self.data)

    def _separable_stage(self, term: str, stages_left: int) -> None:
        """A term that sums over categories: per category if the couplings allow, else jointly."""
        outside = [k for k in self.data.categories if self.joint is None or k not in self.joint.categories]
        if self.joint_locked:
            parts = self._solve_each(outside, term, stages_left)
        else:
            parts = self._solve_each(self.data.categories, term, stages_left)
            candidate = self.solution.copy()
            for k, part in parts.items():
                if part.decisions is not None:
                    candidate.update(part.decisions, {k}, self.data)
            if self._couplings_hold(candidate):
                self._accept_each(term, parts)
                self._record(term, list(parts.values()))
                return
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
            if self.joint is None:
                self._open_joint(list(self.data.categories))
            assert self.joint is not None
            failed_attempt = sum(parts[k].seconds for k in self.joint.categories)
            failed_attempt += sum(
                restricted[k].seconds
                for k in self.joint.categories
                if k in restricted and restricted[k] is not parts[k]
            )
            outside = [k for k in self.data.categories if k not in self.joint.categories]
            parts = {k: parts[k] for k in outside}
            parts["(attempt)"] = _Part("OPTIMAL", 0, 0, failed_attempt, None)
            self.joint_locked = True
        self._accept_each(term, {k: p for k, p in parts.items() if k in self.models})
        assert self.joint is not None
        joint = self._solve_joint(term, stages_left)
        self._record(term, [*parts.values(), joint])

    def _equity_stage(self, stages_left: int) -> None:
        """max over hospitals of patient-months beyond the guarantee per 1000 inflow."""
        if self.joint is None:
            contested = self._contested()
            if self.budget is not None:
                contested = list(self.data.categories)
            if not contested:
                value = TermValues(self.data, self.solution).equity()
                self.equity_value = value
                self.stages.append(
                    StageResult(objective="equity", value=value, bound=value, status="OPTIMAL", seconds=0.0)
                )
                return
            if self._no_time_to_build(contested):
                # Building the joint model alone would overrun the limit: the plan's equity
                # stands, with the trivial bound (a wall-clock estimate, so never when deterministic).
                value = TermValues(self.data, self.solution).equity()
                self.equity_value = value
                self.stages.append(
                    StageResult(objective="equity", value=value, bound=0, status="FEASIBLE", seconds=0.0)
                )
                return
            self._open_joint(contested)
        assert self.joint is not None
        joint = self.joint
        outside = self._over_outside()
        equity = joint.objectives.equity_variable(outside)
        joint.hint(self.solution)
        outcome = joint.solve(equity, self.parameters(self.joint_time(stages_left)))
        part = self._joint_part("equity", outcome)
        joint.model.add(equity <= part.value)
        self.equity_value = part.value
        self._record("equity", [part])

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
            model = self.models[k]
            if model.is_empty:
                value = before.term(term, [k])
                parts[k] = _Part("OPTIMAL", value, value, 0.0, Decisions())
            elif self.remaining() <= _OUT_OF_TIME_S:
                # The time is up: the category keeps its plan (valid under every hold so far)
                # with the trivial bound, rather than overrunning the limit category by category.
                parts[k] = _Part("FEASIBLE", before.term(term, [k]), 0, 0.0, None)
            else:
                model.hint(self.solution)
                limit = self.parameters(min(stage_time, self.remaining()))
                with self.progress.part(f"{k}, category {number} of {len(categories)}"):
                    outcome = model.solve(model.term(term), limit)
                parts[k] = self._part(term, [k], outcome)
            bound_so_far += parts[k].bound
            self.progress.update(self.search.now(), bound=bound_so_far)
        return parts

    def _part(self, term: str, categories: list[str], outcome: SolveOutcome) -> _Part:
        if outcome.status == "INFEASIBLE":
            raise VolumeInfeasible(
                f"no plan obeys every rule in {', '.join(categories)}" + self._budget_words()
            )
        decisions = outcome.decisions
        status = outcome.status
        if decisions is None:
            # Out of time: the plan reached in the earlier stages still obeys every hold.
            decisions = Decisions()
            decisions.update(self.solution, set(categories), self.data)
            status = "FEASIBLE"
        # Every term but equity is a sum over categories of what each category's own decisions
        # give, so the part's decisions alone evaluate it (no copy of the whole plan per category).
        value = TermValues(self.data, decisions, self.previous).term(term, categories)
        return _Part(status, value, min(outcome.bound, value), outcome.seconds, decisions)

    def _accept_each(self, term: str, parts: dict[str, _Part]) -> None:
        """Adopt per-category results and hold each category's value in later stages."""
        for k, part in parts.items():
            if part.decisions is not None:
                self.solution.update(part.decisions, {k}, self.data)
            self.holds.value[term, k] = part.value
            self.holds.optimal[term, k] = part.status == "OPTIMAL"
            self.models[k].hold(term, part.value)
            if self.joint is not None and k in self.joint.categories:
                self.joint.hold(term, part.value, [k])

    def _solve_joint(self, term: str, stages_left: int) -> _Part:
        assert self.joint is not None
        joint = self.joint
        started = self.search.now()
        joint.hint(self._restricted_improvement(term))
        outside = [k for k in self.data.categories if k not in joint.categories]
        outcome = joint.solve(
            joint.term(term),
            self.parameters(self.joint_time(stages_left)),
            value_offset=TermValues(self.data, self.solution, self.previous).term(term, outside),
        )
        outcome.seconds = self.search.now() - started
        part = self._joint_part(term, outcome)
        joint.hold(term, part.value)
        self.joint_terms.append(term)
        return part

    def _restricted_improvement(self, term: str) -> Decisions:
        """A good start for a joint stage: the coupled categories improved one by one under caps."""
        assert self.joint is not None
        improved = self.solution.copy()
        for k, part in self._restricted_parts(term, self.joint.categories, {}).items():
            if part.decisions is not None:
                improved.update(part.decisions, {k}, self.data)
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

    def _capped_terms(self) -> list[str]:
        """Terms whose per-category values a restricted improvement must not raise."""
        return [*self.joint_terms, *(["cost"] if self.budget is not None else [])]

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
        return all(
            values.term(held, [category]) <= current.term(held, [category]) for held in self._capped_terms()
        )

    def _joint_part(self, term: str, outcome: SolveOutcome) -> _Part:
        assert self.joint is not None
        categories = self.joint.categories
        if term == "equity":
            if outcome.status == "INFEASIBLE":
                raise VolumeInfeasible("no plan obeys every rule" + self._budget_words())
            decisions = outcome.decisions
            if decisions is not None:
                self.solution.update(decisions, set(categories), self.data)
            value = TermValues(self.data, self.solution).equity()
            status = outcome.status if decisions is not None else "FEASIBLE"
            return _Part(status, value, min(outcome.bound, value), outcome.seconds, decisions)
        part = self._part(term, categories, outcome)
        if part.decisions is not None:
            self.solution.update(part.decisions, set(categories), self.data)
        return part

    def _budget_words(self) -> str:
        if self.budget is None:
            return ""
        return f" within the budget of {self.budget:,} SEK".replace(",", " ")

    def _open_joint(self, categories: list[str]) -> None:
        """Build the joint model of the coupled categories, with every hold reached so far."""
        joint = VolumeModel(self.data, categories, self.previous, self.frozen_until)
        chosen = set(categories)
        for (term, k), value in self.holds.value.items():
            if k in chosen:
                joint.hold(term, value, [k])
        if self.budget is not None:
            outside_cost = TermValues(self.data, self.solution).term(
                "cost", [k for k in self.data.categories if k not in chosen]
            )
            joint.add_budget(self.budget - outside_cost)
        if self.equity_value is not None:
            joint.hold_equity(self.equity_value, self._over_outside(categories))
        self.joint = joint

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

    def _no_time_to_build(self, categories: list[str]) -> bool:
        """Whether what is left of the time would not even build a joint model of `categories`
        (estimated from the per-category models' build time; wall clock, so not when deterministic)."""
        if self.search.deterministic:
            return False
        estimate = self.build_seconds * len(categories) / max(len(self.data.categories), 1)
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
        if self.budget is not None and values.term("cost") > self.budget:
            return False
        return self.equity_value is None or values.equity() <= self.equity_value

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
