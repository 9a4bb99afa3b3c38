"""The CP-SAT models of a volume solve, each with every hold reached so far: one per category
(built when a category's network cannot answer), the joint model of the coupled categories,
partial models of a few categories with the others fixed, and each category improved on its own
within the coupling rules."""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.language import _
from leveransplan.optimizer.volumes.model import VolumeModel
from leveransplan.optimizer.volumes.state import Part, SolveState

# A joint stage is built only when, after its estimated build time, at least this much is left.
_MIN_JOINT_SOLVE_S = 1.0
# The largest CP-SAT model built over several categories, in network arcs (about one variable
# each): a national model several times this size takes gigabytes and most of the time limit
# to build and search.
_MAX_MODEL_ARCS = 150_000


class CpModels:
    """The solve's CP-SAT models, built when first needed and held to every stage since."""

    def __init__(self, state: SolveState) -> None:
        self.state = state
        self.per_category: dict[str, VolumeModel] = {}
        # The joint model of the coupled categories (Holds.coupled), once a stage needs it.
        self.joint: VolumeModel | None = None
        # Seconds one category's model took to build per network arc (no_time_to_build).
        self.build_seconds_per_arc: float | None = None

    def category_model(self, category: str) -> VolumeModel:
        """The category's CP-SAT model, built on first use with every hold reached so far."""
        if category not in self.per_category:
            state = self.state
            model = VolumeModel(state.data, [category], state.previous, state.frozen_until)
            for (term, k), value in state.holds.value.items():
                if k == category:
                    model.hold(term, value)
            self.per_category[category] = model
        return self.per_category[category]

    def open_joint(self, categories: list[str]) -> None:
        """Build the joint model of the coupled categories, with every hold reached so far."""
        self.joint = self.coupled_model(categories)

    def joint_model(self) -> VolumeModel:
        """The joint CP-SAT model of the coupled categories, built when first needed."""
        if self.joint is None:
            assert self.state.holds.coupled is not None
            self.open_joint(self.state.holds.coupled)
        assert self.joint is not None
        return self.joint

    def coupled_model(self, categories: list[str]) -> VolumeModel:
        """A CP-SAT model of `categories` with every hold reached so far."""
        state = self.state
        holds = state.holds
        joint = VolumeModel(state.data, categories, state.previous, state.frozen_until)
        holds.add_to(joint, set(categories))
        state.money.add_rules(joint, state.values())
        if holds.equity is not None:
            joint.hold_equity(holds.equity, self.over_outside(categories))
        for term, value in holds.jointly.items():
            joint.hold(term, value, floor=holds.floor[term])
        return joint

    def hold(self, term: str, category: str, value: int) -> None:
        """A category's value of `term` held in the CP-SAT models that have the category."""
        if category in self.per_category:
            self.per_category[category].hold(term, value)
        if self.joint is not None and category in self.joint.categories:
            self.joint.hold(term, value, [category])

    def hold_jointly(self, term: str, value: int, bound: int) -> None:
        """Hold `term` over the coupled categories at `value` from now on, with its proven `bound`
        as a floor (see VolumeModel.hold)."""
        self.state.holds.hold_jointly(term, value, bound)
        if self.joint is not None:
            self.joint.hold(term, value, floor=bound)

    def over_outside(self, joint_categories: list[str] | None = None) -> dict[str, int]:
        """X_h over the categories outside the joint model (fixed there by earlier stages)."""
        if joint_categories is None:
            assert self.joint is not None
            joint_categories = self.joint.categories
        chosen = set(joint_categories)
        state = self.state
        values = TermValues(state.data, state.plan)
        return {
            h: sum(
                v for (hh, k), v in values.over_by_hospital_category.items() if hh == h and k not in chosen
            )
            for h in state.data.hospitals
        }

    def partial_model(
        self, free: list[str], base: Decisions, term: str | None
    ) -> tuple[VolumeModel, cp_model.LinearExprT, int]:
        """CP-SAT over the `free` categories, every other category fixed at `base`: each free
        category's holds, the terms held region-wide less the fixed categories' part, and the
        equity caps with the fixed categories' patient-months. Returns the model, its objective
        (the equity variable, or `term` over the free categories) and what the fixed coupled
        categories add to the objective (0 for equity). `term` None is the equity stage."""
        state = self.state
        holds = state.holds
        chosen = set(free)
        model = VolumeModel(state.data, free, state.previous, state.frozen_until)
        self.restrict_to_faces(model)
        holds.add_to(model, chosen)
        fixed = state.values(base)
        outside = {
            h: sum(v for (hh, k), v in fixed.over_by_hospital_category.items() if hh == h and k not in chosen)
            for h in state.data.hospitals
        }
        others = [k for k in holds.coupled or [] if k not in chosen]
        for held, value in holds.jointly.items():
            fixed_part = fixed.term(held, others)
            model.hold(held, value - fixed_part, floor=holds.floor[held] - fixed_part)
        state.money.add_rules(model, fixed)
        if term is None:
            return model, model.objectives.equity_variable(outside), 0
        if holds.equity is not None:
            model.hold_equity(holds.equity, outside)
        return model, model.term(term), fixed.term(term, others)

    def restrict_to_faces(self, model: VolumeModel) -> None:
        """Each category's decisions within its network's face: the plans still allowed."""
        for k in model.categories:
            if self.state.flows[k].usable:
                model.restrict(self.state.flows[k].decision_bounds())

    def no_time_to_build(self, categories: list[str]) -> bool:
        """Whether a CP-SAT model of `categories` is out of reach: larger than
        _MAX_MODEL_ARCS (memory), or more than what is left of the time would build, estimated
        from the time one category's model took per network arc (the largest one's, built here;
        wall clock, so never when deterministic)."""
        flows = self.state.flows
        if sum(flows[k].arc_count for k in categories) > _MAX_MODEL_ARCS:
            return True
        if self.state.search.deterministic:
            return False
        if self.build_seconds_per_arc is None:
            largest = max(categories, key=lambda k: flows[k].arc_count)
            started = time.perf_counter()
            self.category_model(largest)
            self.build_seconds_per_arc = (time.perf_counter() - started) / max(flows[largest].arc_count, 1)
        estimate = self.build_seconds_per_arc * sum(flows[k].arc_count for k in categories)
        return self.state.time.remaining() < estimate + _MIN_JOINT_SOLVE_S

    # -- each category improved on its own within the coupling rules -------------------------
    def restricted_improvement(self, term: str) -> Decisions:
        """A good start for a joint stage: the coupled categories improved one by one under caps."""
        assert self.joint is not None
        improved = self.state.plan.copy()
        parts = self.restricted_parts(term, self.joint.categories, {})
        improved.replace(
            {k: p.decisions for k, p in parts.items() if p.decisions is not None}, self.state.data
        )
        return improved

    def restricted_parts(self, term: str, categories: list[str], relaxed: dict[str, Part]) -> dict[str, Part]:
        """Each category improved on its own, with every hospital's patient-months beyond the
        guarantee (once equity is held), its cost (under a budget) and every term held
        region-wide capped at the current plan's values in that category. Whatever each category
        then does, the combined plan still obeys the coupling rules. A category whose relaxed
        result already keeps within the caps is taken as it is."""
        state = self.state
        holds = state.holds
        current = state.values()
        time_budget = state.time.remaining() / 4
        started = state.search.now()
        parts: dict[str, Part] = {}
        for k in categories:
            if k in relaxed and self._within_caps(k, relaxed[k], current):
                parts[k] = relaxed[k]
                continue
            model = VolumeModel(state.data, [k], state.previous, state.frozen_until)
            if model.is_empty or state.search.now() - started > time_budget:
                continue
            for (held_term, category), value in holds.value.items():
                if category == k:
                    model.hold(held_term, value)
            for held_term in holds.capped_terms(state.money):
                model.hold(held_term, current.term(held_term, [k]))
            if state.money.frames:
                model.add_frames({h: current.spend(h, [k]) for h in state.money.frames})
            if holds.equity is not None:
                for h in state.data.hospitals:
                    model.model.add(
                        model.objectives.over_of_hospital(h)
                        <= current.over_by_hospital_category.get((h, k), 0)
                    )
            model.hint(state.plan)
            limit = max(time_budget / max(len(categories), 1), 0.2)
            with state.progress.part(_("{category}, improved within the coupled rules").format(category=k)):
                outcome = model.solve(model.term(term), state.time.parameters(limit))
            if outcome.status == "INFEASIBLE":
                # The caps are the current plan's values; if even they cannot be met (a start
                # that breaks a rule), this category has no capped improvement: not a verdict.
                continue
            parts[k] = state.part(term, [k], outcome)
        return parts

    def _within_caps(self, category: str, part: Part, current: TermValues) -> bool:
        if part.decisions is None:
            return True
        state = self.state
        merged = state.plan.copy()
        merged.update(part.decisions, {category}, state.data)
        values = state.values(merged)
        if state.holds.equity is not None and any(
            values.over_by_hospital_category.get((h, category), 0)
            > current.over_by_hospital_category.get((h, category), 0)
            for h in state.data.hospitals
        ):
            return False
        if any(values.spend(h, [category]) > current.spend(h, [category]) for h in state.money.frames):
            return False
        return all(
            values.term(held, [category]) <= current.term(held, [category])
            for held in state.holds.capped_terms(state.money)
        )
