"""A volume CP-SAT model solved as a mixed-integer program by HiGHS (bundled with OR-Tools).

The volume model is linear: every rule and term of VolumeModel is a linear constraint over
integer variables. Near a coupled stage's optimum the question left is small and its LP is tight
(a network with a few linking rows: the money, the equity caps, the terms held region-wide), and
there an LP-based branch and bound answers far sooner than CP-SAT's search, whose LP bound is
weaker on these models (docs/solver.md).

The model is read from CP-SAT's own proto, so the two solvers answer exactly the same model. A
plan HiGHS finds is confirmed by CP-SAT with every variable fixed to it (exact integer
arithmetic, where HiGHS works in floating point within tolerances); a plan CP-SAT does not
confirm is dropped.

Only on the wall clock: HiGHS has no deterministic time, so runs with --deterministic keep
CP-SAT throughout (their results must not depend on the machine's speed).
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Iterator
from typing import Any

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from leveransplan.models.scenario import SolverSettings
from leveransplan.optimizer.search import current_run

# CP-SAT's domains use the int64 range for "unbounded".
_UNBOUNDED = 2**62
# Confirming a plan with every variable fixed takes milliseconds; this is a ceiling.
_CONFIRM_S = 5.0


class NotLinear(Exception):
    """The model holds a constraint that is not linear: it cannot be read as a MIP."""


def _linear_program(proto: Any) -> tuple[pywraplp.Solver, list[pywraplp.Variable]]:
    """The MIP of a CP-SAT model of linear constraints, with its objective."""
    solver = pywraplp.Solver.CreateSolver("HIGHS")
    if solver is None:
        raise NotLinear("HiGHS is not available in this OR-Tools")
    infinity = solver.infinity()
    variables = []
    for index, variable in enumerate(proto.variables):
        domain = list(variable.domain)
        variables.append(solver.IntVar(float(domain[0]), float(domain[-1]), f"x{index}"))

    def term(reference: int) -> tuple[pywraplp.Variable, int]:
        # A negative reference is the negation of variable -reference - 1.
        return (variables[reference], 1) if reference >= 0 else (variables[-reference - 1], -1)

    for constraint in proto.constraints:
        if len(constraint.enforcement_literal):
            raise NotLinear("an enforced constraint")
        if constraint.has_linear():
            domain = list(constraint.linear.domain)
            if len(domain) != 2:
                raise NotLinear("a linear constraint with holes in its domain")
            lower = float(domain[0]) if domain[0] > -_UNBOUNDED else -infinity
            upper = float(domain[1]) if domain[1] < _UNBOUNDED else infinity
            row = solver.Constraint(lower, upper)
            for reference, coefficient in zip(constraint.linear.vars, constraint.linear.coeffs, strict=True):
                variable, sign = term(reference)
                row.SetCoefficient(variable, row.GetCoefficient(variable) + sign * coefficient)
        elif constraint.has_bool_or():
            # At least one literal true (an empty clause: the model has no plan). CP-SAT writes a
            # rule on one 0/1 variable, such as x >= 1, as a clause.
            _literals(solver, variables, list(constraint.bool_or.literals), 1.0, infinity)
        elif constraint.has_bool_and():
            for literal in constraint.bool_and.literals:
                _literals(solver, variables, [literal], 1.0, 1.0)
        elif constraint.has_at_most_one():
            _literals(solver, variables, list(constraint.at_most_one.literals), -infinity, 1.0)
        elif constraint.has_exactly_one():
            _literals(solver, variables, list(constraint.exactly_one.literals), 1.0, 1.0)
        else:
            raise NotLinear("a constraint that is not linear")
    objective = solver.Objective()
    for reference, coefficient in zip(proto.objective.vars, proto.objective.coeffs, strict=True):
        variable, sign = term(reference)
        objective.SetCoefficient(variable, objective.GetCoefficient(variable) + sign * coefficient)
    objective.SetOffset(float(proto.objective.offset))
    objective.SetMinimization()
    return solver, variables


def _literals(
    solver: pywraplp.Solver,
    variables: list[pywraplp.Variable],
    literals: list[int],
    lower: float,
    upper: float,
) -> None:
    """lower <= the number of true literals <= upper; literal -r - 1 is 1 - x_r."""
    negated = sum(1 for literal in literals if literal < 0)
    row = solver.Constraint(lower - negated, upper - negated)
    for literal in literals:
        variable = variables[literal] if literal >= 0 else variables[-literal - 1]
        row.SetCoefficient(variable, row.GetCoefficient(variable) + (1 if literal >= 0 else -1))


def solve_as_mip(
    model: cp_model.CpModel, objective: cp_model.LinearExprT, settings: SolverSettings, time_limit_s: float
) -> tuple[str, int, list[int] | None]:
    """Minimise `objective` in `model` with HiGHS within `time_limit_s` of wall clock.

    Returns (status, bound, values of every variable of the model or None): status OPTIMAL,
    FEASIBLE, INFEASIBLE or UNKNOWN; `bound` is the proven lower bound (0 when none). Every plan
    returned is confirmed exactly by CP-SAT. Raises NotLinear for a model it cannot read.
    """
    model.minimize(objective)
    proto = model.proto
    solver, variables = _linear_program(proto)
    solver.SetTimeLimit(max(int(time_limit_s * 1000), 50))
    # Whole objectives: a gap below 1 is no gap. One thread: the machine's cores are CP-SAT's
    # elsewhere, and the answer should not depend on how threads meet.
    solver.SuppressOutput()
    solver.SetSolverSpecificParametersAsString(
        "mip_rel_gap = 0\nmip_abs_gap = 0.999\nthreads = 1\noutput_flag = false\nlog_to_console = false\n"
    )
    with _native_output_silenced():
        status = solver.Solve()
    best_bound = solver.Objective().BestBound() if status != pywraplp.Solver.INFEASIBLE else math.inf
    bound = math.ceil(best_bound - 1e-6) if math.isfinite(best_bound) and best_bound > 0 else 0
    if status == pywraplp.Solver.INFEASIBLE:
        return "INFEASIBLE", 0, None
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return "UNKNOWN", bound, None
    values = [round(variable.solution_value()) for variable in variables]
    if not _confirmed(model, values, settings):
        return "UNKNOWN", bound, None
    value = round(solver.Objective().Value())
    optimal = status == pywraplp.Solver.OPTIMAL or bound >= value
    return ("OPTIMAL" if optimal else "FEASIBLE"), min(bound, value) if optimal else bound, values


@contextlib.contextmanager
def _native_output_silenced() -> Iterator[None]:
    """File descriptors 1 and 2 to the null device while HiGHS runs: HiGHS 1.12 (as bundled with
    OR-Tools 9.15) prints internal messages from its MIP search straight to them, whatever its
    output options say. What Python writes meanwhile (a progress display) is lost for as long."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved: list[tuple[int, int]] = []
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        yield
        return
    try:
        for descriptor in (1, 2):
            try:
                saved.append((descriptor, os.dup(descriptor)))
            except OSError:
                continue
            os.dup2(null, descriptor)
        yield
    finally:
        for descriptor, copy in saved:
            os.dup2(copy, descriptor)
            os.close(copy)
        os.close(null)


def _confirmed(model: cp_model.CpModel, values: list[int], settings: SolverSettings) -> bool:
    """Whether CP-SAT, every variable fixed to `values`, finds the plan obeys every rule."""
    check = model.clone()
    check.clear_hints()
    check.clear_objective()
    for index, value in enumerate(values):
        check.add_hint(check.get_int_var_from_proto_index(index), value)
    status, _solver, _seconds = current_run().solve(check, settings, _CONFIRM_S, fixed_to_hint=True)
    return bool(status in (cp_model.OPTIMAL, cp_model.FEASIBLE))
