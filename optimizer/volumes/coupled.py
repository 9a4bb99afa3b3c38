"""The stages that couple the categories: equity, and a later stage whose per-category plans
break a coupling rule (the equity value, the budget, a hospital's frame).

Equity couples the contested categories (those where more than one hospital can carry patients
beyond the guarantee); the money couples every category. Each such stage is solved by columns,
settled, probed and searched near the bound (optimizer/volumes/closing.py), and only when that
does not close it by the joint CP-SAT model of the coupled categories, started from the best plan
and bound found. Only a category whose network cannot be used (a frozen month the rules no
longer allow) sends a coupled stage to the joint model at once. The stage's value is then held
over the coupled categories, and reduced-cost fixing at it shrinks the networks.
"""

from __future__ import annotations

from leveransplan.models.evaluation import TermValues
from leveransplan.models.plan import StageResult
from leveransplan.optimizer.volumes.closing import Closing
from leveransplan.optimizer.volumes.cp_models import CpModels
from leveransplan.optimizer.volumes.holds import hold_in_networks
from leveransplan.optimizer.volumes.model import SolveOutcome
from leveransplan.optimizer.volumes.routing import Routing
from leveransplan.optimizer.volumes.state import Part, SolveState


class CoupledStages:
    """The equity stage, and the later stages over the coupled categories."""

    def __init__(self, state: SolveState, models: CpModels, routing: Routing) -> None:
        self.state = state
        self.models = models
        self.routing = routing
        self.closing = Closing(state, models, routing)

    def equity_stage(self, stages_left: int) -> None:
        """max over hospitals of patient-months beyond the guarantee per 1000 inflow."""
        state = self.state
        holds = state.holds
        started = state.search.now()
        bound = 0
        by_columns = None
        if self.models.joint is None:
            contested = self._contested()
            if state.money.couples:
                contested = list(state.data.categories)
            if not any(state.data.hospital_inflow(h) > 0 for h in state.data.hospitals):
                # No hospital with inflow: equity is 0 by definition, whatever the plan.
                contested = []
            holds.contested = contested
            if not contested:
                value = TermValues(state.data, state.plan).equity()
                holds.equity = value
                state.stages.append(
                    StageResult(objective="equity", value=value, bound=value, status="OPTIMAL", seconds=0.0)
                )
                return
            by_columns = self.closing.close(None, contested, stages_left)
            if by_columns is not None:
                bound = by_columns.bound
                if by_columns.done:
                    holds.equity = by_columns.value
                    hold_in_networks(by_columns.columns, by_columns.value, stages_left)
                    seconds = state.search.now() - started
                    status = "OPTIMAL" if by_columns.value <= bound else "FEASIBLE"
                    state.record("equity", [Part(status, by_columns.value, bound, seconds, None)])
                    return
            if self.models.no_time_to_build(contested):
                # Building the joint model alone would overrun the limit: the best plan's equity
                # stands with the bound proven so far (a wall-clock estimate, so never when deterministic).
                value = TermValues(state.data, state.plan).equity()
                holds.equity = value
                if by_columns is not None:
                    hold_in_networks(by_columns.columns, value, stages_left)
                state.stages.append(
                    StageResult(
                        objective="equity",
                        value=value,
                        bound=min(bound, value),
                        status="OPTIMAL" if bound >= value else "FEASIBLE",
                        seconds=round(state.search.now() - started, 3),
                    )
                )
                return
            self.models.open_joint(contested)
        assert self.models.joint is not None
        joint = self.models.joint
        equity = joint.objectives.equity_variable(self.models.over_outside())
        if bound > 0:
            # Proven by the networks (columns.py): it only spares CP-SAT proving it again.
            joint.model.add(equity >= bound)
        joint.hint(state.plan)
        outcome = joint.solve(equity, state.time.parameters(state.time.joint_time(stages_left)))
        outcome.bound = max(outcome.bound, bound)
        outcome.seconds = state.search.now() - started
        part = self._joint_part("equity", outcome)
        joint.model.add(equity <= part.value)
        holds.equity = part.value
        if by_columns is not None:
            hold_in_networks(by_columns.columns, part.value, stages_left)
        state.record("equity", [part])

    def joint_stage(self, term: str, stages_left: int) -> Part:
        """The stage over the coupled categories: by columns when that closes the gap, else by
        the joint CP-SAT model started from the best plan and bound found."""
        state = self.state
        assert state.holds.coupled is not None
        categories = state.holds.coupled
        started = state.search.now()
        state.plan = self.routing.routed(state.plan, term)
        outside = [k for k in state.data.categories if k not in set(categories)]
        outside_value = state.values().term(term, outside)
        bound = 0
        by_columns = self.closing.close(term, categories, stages_left, outside_value)
        if by_columns is not None:
            bound = by_columns.bound
            if by_columns.done:
                self.models.hold_jointly(term, by_columns.value, bound)
                hold_in_networks(by_columns.columns, by_columns.value, stages_left)
                status = "OPTIMAL" if by_columns.value <= bound else "FEASIBLE"
                return Part(status, by_columns.value, bound, state.search.now() - started, None)
        if self.models.joint is None and self.models.no_time_to_build(categories):
            # Building the joint model alone would overrun the limit: the plan so far stands.
            value = state.values().term(term, categories)
            self.models.hold_jointly(term, value, min(bound, value))
            if by_columns is not None:
                hold_in_networks(by_columns.columns, value, stages_left)
            return Part("FEASIBLE", value, min(bound, value), state.search.now() - started, None)
        joint = self.models.joint_model()
        # Every plan adopted by columns obeys every rule and hold: the stage keeps the best of
        # them if CP-SAT finds nothing better.
        joint.hint(state.plan if by_columns is not None else self.models.restricted_improvement(term))
        objective = joint.term(term)
        outcome = joint.solve(
            objective, state.time.parameters(state.time.joint_time(stages_left)), value_offset=outside_value
        )
        outcome.bound = max(outcome.bound, bound)
        outcome.seconds = state.search.now() - started
        part = self._joint_part(term, outcome)
        self.models.hold_jointly(term, part.value, part.bound)
        if by_columns is not None:
            hold_in_networks(by_columns.columns, part.value, stages_left)
        return part

    def _contested(self) -> list[str]:
        """Categories where a hospital's part of over_guarantee can still move."""
        state = self.state
        result = []
        for k in state.data.categories:
            with_need = [h for h in state.data.hospitals if state.data.has_need(h, k)]
            held = state.holds.value.get(("over_guarantee", k))
            if not with_need or held == 0:
                continue
            if len(with_need) == 1 and state.holds.optimal.get(("over_guarantee", k), False):
                continue
            result.append(k)
        return result

    def _joint_part(self, term: str, outcome: SolveOutcome) -> Part:
        """The joint model's outcome as the stage's part over the coupled categories, adopted."""
        state = self.state
        assert self.models.joint is not None
        categories = self.models.joint.categories
        if term == "equity":
            if outcome.status == "INFEASIBLE" and state.frozen_until is not None:
                raise state.infeasible()
            if outcome.status == "INFEASIBLE":
                # As in SolveState.part: the current plan witnesses that a plan exists.
                outcome = SolveOutcome("UNKNOWN", 0, outcome.seconds, None)
            decisions = outcome.decisions
            if decisions is not None:
                state.plan.update(decisions, set(categories), state.data)
            value = TermValues(state.data, state.plan).equity()
            status = outcome.status if decisions is not None else "FEASIBLE"
            return Part(status, value, min(outcome.bound, value), outcome.seconds, decisions)
        if outcome.decisions is not None:
            outcome.decisions = self.routing.routed(outcome.decisions, term, categories)
        part = state.part(term, categories, outcome)
        if part.decisions is not None:
            state.plan.update(part.decisions, set(categories), state.data)
        return part
