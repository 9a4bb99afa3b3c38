"""A stage's LP relaxation solved by GLOP, with a bound that holds whatever GLOP's rounding.

The placement model's LP relaxation is nearly integral: the per-trainee patterns give the exact
year choices and the pooled flows are a transportation problem. On the shipped cohort the LP
optimum of every relaxation RelaxAndComplete solves equals the integer optimum. So a stage's
relaxation is solved as an LP first:

- the LP's optimum, rounded up, is a lower bound for the stage;
- the "where" choices (start years, patterns, flows, sites) the LP already takes integrally
  are fixed, and CP-SAT finishes the rest, a much smaller search (relaxation-enforced
  neighbourhood search, RENS);
- when that plan reaches the bound it is optimal, proven by the LP.

GLOP works in floating point, so its objective value is not itself a proof. The bound used is
the Lagrangian bound of GLOP's row duals (Neumaier and Shcherbina, "Safe bounds in linear and
mixed-integer linear programming", 2004): for any multipliers y of the rows and finite bounds
on every variable, `y·b + sum_j min(d_j*l_j, d_j*u_j)` with `d = c - A'y` is a lower bound of
the LP, however inexact y is. It is computed with a margin for the floating-point sums.

Constraints with enforcement literals (the stability term's links) and any constraint that is
not linear are left out: the LP is then a relaxation of a relaxation, its bound still valid.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

# An LP value within this of a whole number counts as integral when fixing choices.
INTEGRAL = 1e-6
# CP-SAT's "infinite" domain ends.
_UNBOUNDED = 2**62


@dataclass(frozen=True)
class LpRelaxation:
    """The LP's proven lower bound (whole, in the objective's units) and its optimal values."""

    bound: int
    values: np.ndarray


def linear_rows(proto) -> Iterable[tuple[list[int], list[int], float, float]]:  # type: ignore[no-untyped-def]
    """(variables, coefficients, low, high) of each linear row the LP holds."""
    for constraint in proto.constraints:
        if len(constraint.enforcement_literal):
            continue
        if constraint.has_linear():
            domain = constraint.linear.domain
            yield (
                list(constraint.linear.vars),
                list(constraint.linear.coeffs),
                float(domain[0]) if domain[0] > -_UNBOUNDED else -math.inf,
                float(domain[len(domain) - 1]) if domain[len(domain) - 1] < _UNBOUNDED else math.inf,
            )
            continue
        if constraint.has_at_most_one():
            refs, low, high = constraint.at_most_one.literals, -math.inf, 1.0
        elif constraint.has_exactly_one():
            refs, low, high = constraint.exactly_one.literals, 1.0, 1.0
        elif constraint.has_bool_or():
            refs, low, high = constraint.bool_or.literals, 1.0, math.inf
        else:
            continue
        # A negated literal not(v) is 1 - v: its 1 moves to the row's bounds.
        negated = sum(1 for ref in refs if ref < 0)
        yield (
            [ref if ref >= 0 else -ref - 1 for ref in refs],
            [1 if ref >= 0 else -1 for ref in refs],
            low - negated,
            high - negated,
        )


def solve_lp_relaxation(model: cp_model.CpModel, time_limit_s: float | None = None) -> LpRelaxation | None:
    """The LP relaxation of `model` and its objective; None if GLOP gives no optimum in time."""
    proto = model.proto
    objective = proto.objective
    # Rounding the bound up is valid only for an objective that is whole at every whole point.
    if not model.has_objective() or (objective.scaling_factor or 1.0) != 1.0 or objective.offset % 1:
        return None
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if time_limit_s is not None:
        lp.SetTimeLimit(max(int(time_limit_s * 1000), 1))
    lower = np.array([v.domain[0] for v in proto.variables], dtype=float)
    upper = np.array([v.domain[len(v.domain) - 1] for v in proto.variables], dtype=float)
    x = [lp.NumVar(low, high, "") for low, high in zip(lower, upper, strict=True)]
    infinity = lp.infinity()
    entries: list[tuple[int, int, int]] = []  # (row, variable, coefficient)
    sides: list[tuple[float, float]] = []
    for variables, coefficients, low, high in linear_rows(proto):
        row = lp.Constraint(low if low > -math.inf else -infinity, high if high < math.inf else infinity)
        for var, coefficient in zip(variables, coefficients, strict=True):
            row.SetCoefficient(x[var], row.GetCoefficient(x[var]) + coefficient)
            entries.append((len(sides), var, coefficient))
        sides.append((low, high))
    cost = np.zeros(len(x))
    np.add.at(cost, list(objective.vars), list(objective.coeffs))
    goal = lp.Objective()
    for index in np.flatnonzero(cost).tolist():
        goal.SetCoefficient(x[index], float(cost[index]))
    goal.SetMinimization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    duals = np.array([row.dual_value() for row in lp.constraints()])
    matrix = np.array(entries, dtype=float).reshape(-1, 3)
    bound = lagrangian_bound(matrix, np.array(sides).reshape(-1, 2), duals, cost, lower, upper)
    whole = math.ceil(bound + objective.offset)
    return LpRelaxation(bound=whole, values=np.array([v.solution_value() for v in x]))


def lagrangian_bound(
    matrix: np.ndarray,
    sides: np.ndarray,
    duals: np.ndarray,
    cost: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
) -> float:
    """A lower bound of min cost·x over the rows and the box, valid for any multipliers `duals`.

    `matrix` holds the rows' (row, variable, coefficient) entries and `sides` their (low, high).
    A multiplier whose side of the row is infinite is taken as 0. The margin covers the sums'
    floating-point error: at most n·eps times the sum of the magnitudes summed.
    """
    low, high = sides[:, 0], sides[:, 1]
    y = np.where((duals > 0) & np.isfinite(low), duals, 0.0) + np.where(
        (duals < 0) & np.isfinite(high), duals, 0.0
    )
    side = np.where(y > 0, low, np.where(y < 0, high, 0.0))
    by_rows = y * side
    reduced = cost.copy()
    rows, variables = matrix[:, 0].astype(int), matrix[:, 1].astype(int)
    products = y[rows] * matrix[:, 2]
    np.subtract.at(reduced, variables, products)
    # Every variable of a CP-SAT model has a finite domain, so each term is finite.
    terms = np.minimum(reduced * lower, reduced * upper)
    # A reduced cost's error is multiplied by its variable's bound in the terms.
    widest = max(1.0, float(np.abs(lower).max(initial=0)), float(np.abs(upper).max(initial=0)))
    magnitude = (
        np.abs(by_rows).sum() + np.abs(terms).sum() + widest * (np.abs(products).sum() + np.abs(cost).sum())
    )
    count = len(by_rows) + len(terms) + len(products) + 1
    return float(by_rows.sum() + terms.sum() - magnitude * count * np.finfo(float).eps)


def fix_integral_choices(
    model: cp_model.CpModel, relaxation: LpRelaxation, choices: Iterable[cp_model.IntVar]
) -> cp_model.CpModel:
    """A copy of `model` with each of `choices` the LP takes integrally fixed to that value (RENS)."""
    fixed = model.clone()
    for var in choices:
        value = relaxation.values[var.index]
        whole = round(value)
        if abs(value - whole) <= INTEGRAL:
            domain = fixed.proto.variables[var.index].domain
            if len(domain) == 2:  # an interval (every choice variable is one): it becomes a point
                domain[0] = domain[1] = whole
            else:
                fixed.add(fixed.get_int_var_from_proto_index(var.index) == whole)
    return fixed
