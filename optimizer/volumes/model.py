"""The volume CP-SAT model for a set of categories: variables, rules, terms, holds and one solve."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues, changed_hospital
from leveransplan.models.scenario import SolverSettings
from leveransplan.optimizer.search import current_run
from leveransplan.optimizer.volumes.constraints import Constraints
from leveransplan.optimizer.volumes.mip import solve_as_mip
from leveransplan.optimizer.volumes.objectives import Objectives
from leveransplan.optimizer.volumes.variables import Variables

_STATUS = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE"}


@dataclass
class SolveOutcome:
    """What one CP-SAT solve of one stage gave."""

    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE or UNKNOWN
    bound: int
    seconds: float
    decisions: Decisions | None


@dataclass(frozen=True)
class SolveParameters:
    time_limit_s: float
    workers: int
    seed: int


class VolumeModel:
    """CP-SAT model of spec sections 3-4 restricted to `categories` (the model separates by category)."""

    def __init__(
        self,
        data: VolumeData,
        categories: list[str],
        previous: Decisions | None = None,
        frozen_until: int | None = None,
    ) -> None:
        self.data = data
        self.categories = categories
        self.previous = previous
        self.model = cp_model.CpModel()
        self.vars = Variables(self.model, data, categories)
        Constraints(self.model, data, self.vars).add_constraints()
        if previous is not None and frozen_until is not None:
            self._frozen_months_stay(previous, frozen_until)
        self.objectives = Objectives(self.model, data, self.vars, previous)

    def _frozen_months_stay(self, previous: Decisions, until: int) -> None:
        """Hard: every decision of the months up to `until` (already decided) equals the previous plan's."""
        contracts = self.data.contracts
        # Each kind of decision, its variables, and where its key holds the category.
        kinds: tuple[tuple[dict[Any, int], dict[Any, cp_model.IntVar], Callable[[Any], str]], ...] = (
            (previous.base_used, self.vars.base_used, lambda key: key[1]),
            (previous.additional_own, self.vars.additional_own, lambda key: key[1]),
            (previous.transfers, self.vars.transfers, lambda key: key[2]),
            (previous.referrals, self.vars.referrals, lambda key: contracts[key[1]].category),
        )
        chosen = set(self.categories)
        for decided, variables, category_of in kinds:
            for key, var in variables.items():
                if key[-1] <= until:
                    self.model.add(var == decided.get(key, 0))
            # A decided flow that the rules no longer allow has no variable: it cannot stay.
            for key, value in decided.items():
                if key[-1] <= until and value > 0 and key not in variables and category_of(key) in chosen:
                    self.model.add_bool_or([])

    @property
    def is_empty(self) -> bool:
        """True when no decision can be made: every term is a constant."""
        return not (self.vars.waiting or self.vars.referrals)

    def term(self, name: str, categories: list[str] | None = None) -> cp_model.LinearExprT:
        if changed_hospital(name) is not None:
            by_category = self.objectives.change(name)
        else:
            by_category = self.objectives.by_category[name]
        return sum(by_category[k] for k in (categories or self.categories))  # type: ignore[return-value]

    def hold(
        self, name: str, value: int, categories: list[str] | None = None, floor: int | None = None
    ) -> None:
        """Keep a term (over some categories) at or below a value reached in an earlier stage.

        `floor`, the stage's proven bound, adds no rule (no plan goes below it) but lets CP-SAT
        propagate the held term both ways: a term held at its optimum is an equality, and a cost
        held to the last SEK then prunes far more of the search."""
        term = self.term(name, categories)
        self.model.add(term <= value)
        if floor is not None and floor > 0:
            self.model.add(term >= floor)

    def restrict(self, bounds: dict[tuple[str, Any], tuple[int, int]]) -> None:
        """Keep each decision within a range every plan still allowed lies in (a network's face:
        optimizer/volumes/flow.py); it only spares CP-SAT finding the ranges again."""
        for (kind, key), (low, high) in bounds.items():
            var = getattr(self.vars, kind).get(key)
            if var is not None:
                self.model.add_linear_constraint(var, low, high)

    def hold_equity(self, value: int, over_outside: dict[str, int]) -> None:
        """Keep equity at or below a value reached: 1000 X_h <= value * I_h for every hospital."""
        self.objectives.add_equity_cap(over_outside, value)

    def add_budget(self, max_cost_sek: int) -> None:
        """Hard: the plan's cost stays within the budget cap."""
        self.model.add(self.term("cost") <= max_cost_sek)

    def add_frames(self, caps: dict[str, int]) -> None:
        """Hard: what the plan spends on each hospital's patients in this model's categories stays
        within `caps[h]` (the driver passes the frame less the spend of categories outside it)."""
        for h, cap in caps.items():
            # A cap below 0 (categories outside spend more than the frame) leaves no plan.
            self.model.add(self.objectives.spend(h) <= cap)

    def hint(self, decisions: Decisions) -> None:
        """Start the search from a known plan, with the waiting lists it implies."""
        self.model.clear_hints()
        values = TermValues(self.data, decisions)
        variables = self.vars
        flows: tuple[tuple[dict[Any, int], dict[Any, cp_model.IntVar]], ...] = (
            (decisions.base_used, variables.base_used),
            (decisions.additional_own, variables.additional_own),
            (decisions.transfers, variables.transfers),
            (decisions.referrals, variables.referrals),
        )
        for source, target in flows:
            for key, var in target.items():
                self.model.add_hint(var, source.get(key, 0))
        for key, var in variables.waiting.items():
            self.model.add_hint(var, values.waiting[key])
            self.model.add_hint(variables.over[key], max(0, values.waiting[key] - self.data.limit[key[:2]]))
        used: dict[str, int] = {}
        for (_h, c, _m), v in decisions.referrals.items():
            used[c] = used.get(c, 0) + v
        for c, var in variables.unused_min.items():
            self.model.add_hint(var, max(0, self.data.contracts[c].volume_min - used.get(c, 0)))

    def solve(
        self,
        objective: cp_model.LinearExprT,
        parameters: SolveParameters,
        value_offset: int = 0,
    ) -> SolveOutcome:
        """Minimise `objective` under every rule and hold added so far.

        `value_offset`: what the rest of the stage adds to the objective, for the progress shown.
        """
        self.model.minimize(objective)
        settings = SolverSettings(workers=parameters.workers, seed=parameters.seed)
        # Presolve's search for dominated linear constraints is off: on these models it takes
        # many times longer than finding the first plan without it, and CP-SAT charges it almost
        # no deterministic time, so a deterministic limit would not stop it.
        status, solver, seconds = current_run().solve(
            self.model,
            settings,
            parameters.time_limit_s,
            value_offset=value_offset,
            presolve_inclusions=False,
        )
        if status == cp_model.INFEASIBLE:
            return SolveOutcome("INFEASIBLE", 0, seconds, None)
        if status not in _STATUS:
            # No plan in time, but the bound proven so far still holds (0 when there is none).
            proven = solver.best_objective_bound
            bound = math.ceil(proven - 1e-6) if math.isfinite(proven) and proven > 0 else 0
            return SolveOutcome("UNKNOWN", bound, seconds, None)
        bound = math.ceil(solver.best_objective_bound - 1e-6)
        return SolveOutcome(_STATUS[status], bound, seconds, self._decisions(solver))

    def solve_as_mip(self, objective: cp_model.LinearExprT, parameters: SolveParameters) -> SolveOutcome:
        """Minimise `objective` as a MIP by HiGHS (optimizer/volumes/mip.py), on the wall clock;
        the plan found is confirmed exactly by CP-SAT. Raises NotLinear if it cannot be read."""
        run = current_run()
        started = run.now()
        settings = SolverSettings(workers=parameters.workers, seed=parameters.seed)
        status, bound, values = solve_as_mip(self.model, objective, settings, parameters.time_limit_s)
        seconds = run.now() - started
        if values is None:
            return SolveOutcome(status, bound, seconds, None)

        def chosen(variables: dict) -> dict:  # type: ignore[type-arg]
            return {key: v for key, var in variables.items() if (v := values[var.index])}

        decisions = Decisions(
            chosen(self.vars.base_used),
            chosen(self.vars.additional_own),
            chosen(self.vars.transfers),
            chosen(self.vars.referrals),
        )
        return SolveOutcome(status, bound, seconds, decisions)

    def _decisions(self, solver: cp_model.CpSolver) -> Decisions:
        def values(variables: dict) -> dict:  # type: ignore[type-arg]
            return {key: v for key, var in variables.items() if (v := solver.value(var))}

        return Decisions(
            values(self.vars.base_used),
            values(self.vars.additional_own),
            values(self.vars.transfers),
            values(self.vars.referrals),
        )
