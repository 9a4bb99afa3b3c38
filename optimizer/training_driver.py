"""Lexicographic stages over one CP-SAT model: each term minimised in order, earlier ones held.

The training models are small enough to solve whole, so unlike the volume driver this needs no
decomposition: minimise a term, record its value and proven bound, hold it at or below the value
reached, hint the next stage with the plan found, go on.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from leveransplan.models.language import N_, _
from leveransplan.models.plan import StageResult, StageStatus
from leveransplan.models.scenario import SolverSettings
from leveransplan.models.wording import Words, phrase
from leveransplan.optimizer.errors import Infeasible, NoPlanInTime
from leveransplan.optimizer.search import current_run, starting_plan

_STATUS: dict[Any, StageStatus] = {cp_model.OPTIMAL: "OPTIMAL", cp_model.FEASIBLE: "FEASIBLE"}
_RESERVE_PER_STAGE_S = 3.0


def no_plan_for_stage(name: str) -> Words:
    """Why a stage has no plan: the time limit ran out first. English in summary.json's
    not_solved, the reader's language on the terminal (models/wording.py)."""
    return phrase(N_("no plan was found for the {name} stage within the time limit"), name=name)


@dataclass
class StagedSolve:
    """The stages solved and the solver that holds the last plan's values."""

    stages: list[StageResult]
    solver: cp_model.CpSolver


def stage_time(remaining: float, stages_left: int) -> float:
    """All the time left but a reserve for each later stage: the first stage is usually the hard one."""
    reserve = min(_RESERVE_PER_STAGE_S * (stages_left - 1), remaining / 2)
    return max(remaining - reserve, remaining / stages_left, 0.05)


def solve_in_order(
    model: cp_model.CpModel,
    terms: Mapping[str, cp_model.LinearExprT],
    order: Sequence[str],
    settings: SolverSettings,
    time_limit_s: float,
    constant_terms: Mapping[str, int] | None = None,
    on_infeasible: Callable[[], str] | None = None,
    full_subsolvers: Sequence[str] = (),
) -> StagedSolve:
    """Minimise each term of `order` in turn, holding each at the value reached before the next.

    `constant_terms` are terms that are the same for every plan (for example stability without
    a previous plan): they are reported as an optimal stage without a solve.
    """
    search = current_run()
    started = search.now()
    stages: list[StageResult] = []
    solver = last_solver = cp_model.CpSolver()
    solved_once = False
    for index, name in enumerate(order):
        if constant_terms and name in constant_terms:
            value = constant_terms[name]
            stages.append(
                StageResult(objective=name, value=value, bound=value, status="OPTIMAL", seconds=0.0)
            )
            continue
        remaining = time_limit_s - (search.now() - started)
        model.minimize(terms[name])
        solved_later = sum(1 for later in order[index:] if not constant_terms or later not in constant_terms)
        search.progress.start_stage(name, search.now())
        status, solver, seconds = search.solve(
            model, settings, stage_time(remaining, solved_later), full_subsolvers
        )
        if status == cp_model.INFEASIBLE:
            raise Infeasible(on_infeasible() if on_infeasible else _("no plan obeys every rule"))
        if status not in _STATUS:
            proven = solver.best_objective_bound
            if not solved_once:
                # No plan of the search's own: the starting plan stands, if the model has one.
                started_from = starting_plan(model, settings, terms[name])
                if started_from is None:
                    raise NoPlanInTime(no_plan_for_stage(name))
                last_solver = started_from
                solved_once = True
            # The plan of the earlier stages stands: report this term's value in it, with the
            # bound proven before the time ran out (0, the trivial one, when there is none).
            solver = last_solver
            value = round(solver.value(terms[name]))
            bound = min(math.ceil(proven - 1e-6), value) if math.isfinite(proven) and proven > 0 else 0
            stages.append(
                StageResult(objective=name, value=value, bound=bound, status="FEASIBLE", seconds=seconds)
            )
            search.progress.finish_stage(search.now(), value, bound)
            model.add(terms[name] <= value)
            continue
        value = round(solver.objective_value)
        bound = min(math.ceil(solver.best_objective_bound - 1e-6), value)
        stages.append(
            StageResult(objective=name, value=value, bound=bound, status=_STATUS[status], seconds=seconds)
        )
        search.progress.finish_stage(search.now(), value, bound)
        last_solver = solver
        model.add(terms[name] <= value)
        hint_solution(model, solver)
        solved_once = True
    if not solved_once:
        # Every term was constant: one solve for a plan that obeys the rules.
        model.clear_objective()
        status, solver, _seconds = search.solve(model, settings, time_limit_s)
        if status == cp_model.INFEASIBLE:
            raise Infeasible(on_infeasible() if on_infeasible else _("no plan obeys every rule"))
        if status not in _STATUS:
            raise NoPlanInTime(phrase(N_("no plan was found within the time limit")))
    return StagedSolve(stages, solver)


def hint_solution(model: cp_model.CpModel, solver: cp_model.CpSolver) -> None:
    """Start the next search from every variable's value in the solver's solution of `model`."""
    model.clear_hints()
    # The response holds every variable's value in the model's order; setting the hint proto
    # from it directly is fifty times faster than a hint per variable on a big model.
    values = solver.response_proto.solution
    hint = model.proto.solution_hint
    hint.vars.extend(range(len(values)))
    hint.values.extend(values)
