"""A stage whose term sums over categories: each category's network (or CP-SAT model) solves it
exactly on its own, each holding its earlier stages as its face. When every category is at its
own minimum this is the same as holding the region-wide total.

The per-category plans together are then checked against the rules that couple the categories:
the budget, the hospitals' frames, and the equity value once that stage is solved. If they obey
them, the relaxation's optimum is feasible and therefore optimal for the coupled problem; if
not, the stage is solved over the coupled categories (optimizer/volumes/coupled.py).
"""

from __future__ import annotations

from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.language import _
from leveransplan.optimizer.volumes.coupled import CoupledStages
from leveransplan.optimizer.volumes.cp_models import CpModels
from leveransplan.optimizer.volumes.state import Part, SolveState


class SeparableStages:
    """The stages solved category by category, and when their plans break a coupling rule, over
    the coupled categories."""

    def __init__(self, state: SolveState, models: CpModels, coupled: CoupledStages) -> None:
        self.state = state
        self.models = models
        self.coupled = coupled

    def stage(self, term: str, stages_left: int) -> bool:
        """Solve `term` per category if the couplings allow, else over the coupled categories.
        Returns whether it searched the coupled categories jointly."""
        state = self.state
        holds = state.holds
        if holds.coupled is not None:
            chosen = set(holds.coupled)
            parts = self.solve_each([k for k in state.data.categories if k not in chosen], term, stages_left)
        else:
            parts = self.solve_each(state.data.categories, term, stages_left)
            candidate = state.plan.copy()
            candidate.replace(
                {k: p.decisions for k, p in parts.items() if p.decisions is not None}, state.data
            )
            if state.couplings_hold(candidate):
                self.accept_each(term, parts)
                state.record(term, list(parts.values()))
                return False
            # Equity couples only the contested categories (elsewhere each hospital's part is fixed
            # by the earlier stages); the budget and the frames couple them all.
            coupled = (
                self.models.joint.categories
                if self.models.joint is not None
                else holds.contested
                if holds.contested is not None and not state.money.couples
                else list(state.data.categories)
            )
            restricted: dict[str, Part] = {}
            if not state.decomposable(coupled):
                # The relaxation broke a coupling rule. Each category's relaxed optimum is still a
                # lower bound for it; if a capped per-category improvement reaches that bound in
                # every category, the plan is optimal and the stage stays separable.
                # (The caps are the current plan's values, so this needs a current plan that obeys
                # the coupling rules; before the first stage under a budget it may not.)
                restricted = (
                    self.models.restricted_parts(term, state.data.categories, parts)
                    if state.couplings_hold(state.plan)
                    else {}
                )
                if restricted and all(
                    k in restricted
                    and restricted[k].status == parts[k].status == "OPTIMAL"
                    and restricted[k].value == parts[k].value
                    for k in parts
                ):
                    attempt = sum(p.seconds for k, p in parts.items() if restricted[k] is not p)
                    self.accept_each(term, restricted)
                    state.record(term, [*restricted.values(), Part("OPTIMAL", 0, 0, attempt, None)])
                    return False
            failed_attempt = sum(parts[k].seconds for k in coupled)
            failed_attempt += sum(
                restricted[k].seconds for k in coupled if k in restricted and restricted[k] is not parts[k]
            )
            for k in coupled:
                # This stage's per-category optimum is not what is held there: it is held jointly.
                state.flows[k].undo()
            chosen = set(coupled)
            parts = {k: parts[k] for k in state.data.categories if k not in chosen}
            parts["(attempt)"] = Part("OPTIMAL", 0, 0, failed_attempt, None)
            holds.coupled = coupled
        self.accept_each(term, {k: p for k, p in parts.items() if k in state.flows})
        joint = self.coupled.joint_stage(term, stages_left)
        state.record(term, [*parts.values(), joint])
        return True

    def solve_each(self, categories: list[str], term: str, stages_left: int) -> dict[str, Part]:
        """Solve one stage in every category's own model."""
        state = self.state
        stage_time = state.time.remaining() / stages_left
        parts: dict[str, Part] = {}
        before = state.values()
        # The stage's proven bound as categories finish (0 for those not solved yet). Their plans
        # are not recorded: until the coupling rules are checked they may not be the stage's.
        bound_so_far = 0
        for number, k in enumerate(categories, start=1):
            flow = state.flows[k]
            if flow.is_empty:
                value = before.term(term, [k])
                parts[k] = Part("OPTIMAL", value, value, 0.0, Decisions())
            elif flow.usable and (network := flow.solve(term)).decisions is not None:
                # Exact: the category's network holds every earlier stage's optimum as its face.
                # (Its seconds are wall clock, so in deterministic mode they count as none.)
                value = TermValues(state.data, network.decisions, state.previous, [k]).term(term, [k])
                flow.optimum[term] = value
                seconds = 0.0 if state.search.deterministic else network.seconds
                parts[k] = Part("OPTIMAL", value, value, seconds, network.decisions)
            elif state.time.is_up():
                # The time is up: the category keeps its plan (valid under every hold so far)
                # with the trivial bound, rather than overrunning the limit category by category.
                parts[k] = Part("FEASIBLE", before.term(term, [k]), 0, 0.0, None)
            else:
                model = self.models.category_model(k)
                model.hint(state.plan)
                limit = state.time.parameters(min(stage_time, state.time.remaining()))
                with state.progress.part(
                    _("{category}, category {number} of {count}").format(
                        category=k, number=number, count=len(categories)
                    )
                ):
                    outcome = model.solve(model.term(term), limit)
                parts[k] = state.part(term, [k], outcome)
            bound_so_far += parts[k].bound
            state.progress.update(state.search.now(), bound=bound_so_far)
        return parts

    def accept_each(self, term: str, parts: dict[str, Part]) -> None:
        """Adopt per-category results and hold each category's value in later stages."""
        state = self.state
        state.plan.replace({k: p.decisions for k, p in parts.items() if p.decisions is not None}, state.data)
        for k, part in parts.items():
            state.holds.hold_each(term, k, part.value, part.status == "OPTIMAL")
            self.models.hold(term, k, part.value)
            if part.status != "OPTIMAL" or part.value != state.flows[k].optimum.get(term):
                # The network holds only a stage's optimum; any other value is CP-SAT's to hold.
                state.flows[k].usable = False
