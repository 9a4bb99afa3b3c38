"""The placements' LP bound (optimizer/placements/lp_relaxation.py) and the optimum it helps prove.

The bound must hold whatever GLOP's rounding: it is tested by hand on a model whose LP is
fractional, for arbitrary multipliers against a brute-forced integer optimum, and end to end:
the staged solve's optimum equals that of a plain model written here, one Boolean per
(requirement, hospital, start), which shares nothing with the optimizer's formulation.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from helpers.training import cohorts, crowded_at_h2, placements
from leveransplan.models.scenario import Scenario
from leveransplan.models.training import PlacementData, load_percent
from leveransplan.optimizer.placements.lp_relaxation import (
    fix_integral_choices,
    lagrangian_bound,
    linear_rows,
    solve_lp_relaxation,
)
from leveransplan.optimizer.placements.objectives import load_envelope


def test_a_fractional_lp_bound_is_rounded_up() -> None:
    # min x+y+z with x+y >= 1, y+z >= 1, x+z >= 1 over Booleans: the LP takes every variable at
    # 1/2 (sum 3/2; adding the three rows gives 2(x+y+z) >= 3, so nothing lower), the integers
    # need two ones. The bound is ceil(3/2) = 2, the integer optimum.
    model = cp_model.CpModel()
    x, y, z = (model.new_bool_var(name) for name in "xyz")
    for a, b in ((x, y), (y, z), (x, z)):
        model.add(a + b >= 1)
    model.minimize(x + y + z)
    relaxation = solve_lp_relaxation(model)
    assert relaxation is not None
    assert relaxation.bound == 2
    assert np.allclose(relaxation.values, 0.5)
    # None of the three is whole in the LP, so none is fixed: the model keeps its freedom.
    kept = fix_integral_choices(model, relaxation, [x, y, z])
    assert [list(kept.proto.variables[v.index].domain) for v in (x, y, z)] == [[0, 1]] * 3


def test_the_load_envelope_by_hand() -> None:
    # Reference 22 places: loads ceil(100p/22) are 0, 5, 10, 14, 19, 23, 28 for p = 0..6. The
    # lower hull runs from (0, 0) to (5, 23) (slope 4.6; every point between lies above it), then
    # to (6, 28): cuts 5*load >= 23*p and load >= 5*p - 2.
    assert load_envelope(22, 6) == [(5, 23, 0), (1, 5, -2)]
    # Reference 10: every point lies on load = 10p, one cut.
    assert load_envelope(10, 5) == [(5, 50, 0)]
    for reference, most in ((22, 6), (3, 9), (7, 30)):
        for places in range(most + 1):
            load = load_percent(places, reference)
            assert all(
                slope * load >= rise * places + constant
                for slope, rise, constant in load_envelope(reference, most)
            )


def test_the_lagrangian_bound_by_hand() -> None:
    # The same model as rows: min x+y+z, rows x+y, y+z, x+z each in [1, inf), box [0, 1].
    matrix = np.array([[0, 0, 1], [0, 1, 1], [1, 1, 1], [1, 2, 1], [2, 0, 1], [2, 2, 1]], dtype=float)
    sides = np.array([[1, np.inf]] * 3)
    cost, lower, upper = np.ones(3), np.zeros(3), np.ones(3)
    # Multipliers 1/2 on each row: 3 * 1/2 from the rows, reduced costs 1 - 1/2 - 1/2 = 0.
    assert abs(lagrangian_bound(matrix, sides, np.full(3, 0.5), cost, lower, upper) - 1.5) < 1e-9
    # Multipliers 1: rows give 3, each reduced cost is 1 - 2 = -1, at the upper bound: -3. Total 0.
    assert abs(lagrangian_bound(matrix, sides, np.ones(3), cost, lower, upper)) < 1e-9
    # A negative multiplier on a row without an upper side is dropped: 0 from everything.
    assert abs(lagrangian_bound(matrix, sides, np.full(3, -1.0), cost, lower, upper)) < 1e-9


@st.composite
def small_programs(draw: st.DrawFn) -> tuple[cp_model.CpModel, list[cp_model.IntVar]]:
    """Up to six Booleans, a few covering and packing rows, an integer cost."""
    model = cp_model.CpModel()
    count = draw(st.integers(1, 6))
    xs = [model.new_bool_var(f"x{i}") for i in range(count)]
    for _ in range(draw(st.integers(0, 4))):
        members = draw(st.lists(st.sampled_from(range(count)), min_size=1, max_size=count, unique=True))
        weights = [draw(st.integers(-3, 3)) for _ in members]
        expression = sum(w * xs[i] for w, i in zip(weights, members, strict=True))
        if draw(st.booleans()):
            model.add(expression >= draw(st.integers(-2, 3)))
        else:
            model.add(expression <= draw(st.integers(-2, 3)))
    if draw(st.booleans()):
        model.add_at_most_one(xs[: draw(st.integers(1, count))])
    costs = [draw(st.integers(-5, 9)) for _ in xs]
    model.minimize(sum(c * x for c, x in zip(costs, xs, strict=True)) + draw(st.integers(-3, 3)))
    return model, xs


def _integer_optimum(model: cp_model.CpModel) -> int | None:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    assert status in (cp_model.OPTIMAL, cp_model.INFEASIBLE)
    return None if status == cp_model.INFEASIBLE else round(solver.objective_value)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(small_programs(), st.lists(st.floats(-4, 4), min_size=8, max_size=8))
def test_the_bound_never_exceeds_the_integer_optimum(
    program: tuple[cp_model.CpModel, list[cp_model.IntVar]], multipliers: list[float]
) -> None:
    model, xs = program
    optimum = _integer_optimum(model)
    relaxation = solve_lp_relaxation(model)
    if optimum is None or relaxation is None:
        return  # an infeasible program has no optimum to bound (GLOP may still find the LP feasible)
    assert relaxation.bound <= optimum
    # Any multipliers at all give a valid bound, not only GLOP's duals: that is what makes it safe.
    rows = list(linear_rows(model.proto))
    matrix = np.array(
        [(r, v, c) for r, (vs, cs, _, _) in enumerate(rows) for v, c in zip(vs, cs, strict=True)], dtype=float
    ).reshape(-1, 3)
    sides = np.array([(low, high) for _, _, low, high in rows], dtype=float).reshape(-1, 2)
    cost = np.zeros(len(xs))
    np.add.at(cost, list(model.proto.objective.vars), list(model.proto.objective.coeffs))
    duals = np.array(multipliers[: len(rows)] + [0.0] * max(len(rows) - len(multipliers), 0))
    bound = lagrangian_bound(matrix, sides, duals, cost, np.zeros(len(xs)), np.ones(len(xs)))
    assert bound + model.proto.objective.offset <= optimum + 1e-9


def plain_optimum(scenario: Scenario) -> tuple[int, int]:
    """(unplaced, travel) of spec section 5 on a model of its own: one Boolean per option."""
    data = PlacementData(scenario)
    model = cp_model.CpModel()
    chosen = {
        (key, option.hospital, option.start): model.new_bool_var("")
        for key, options in data.options.items()
        for option in options
    }
    by_key, present, starting, crowd = (defaultdict(list) for _ in range(4))
    for (key, hospital, start), var in chosen.items():
        by_key[key].append(var)
        months = data.by_key[key].months
        starting[hospital, key[1], start // 12].append(var)
        for month in range(start, start + months):
            present[key[0], month].append(var)
            crowd[hospital, key[1], month].append(var)
    for key, options in by_key.items():
        model.add(sum(options) <= 1)
        if key in data.fixed:
            model.add(sum(options) >= 1)
    for options in present.values():
        model.add(sum(options) <= 1)
    for (hospital, specialty, year), options in starting.items():
        model.add(sum(options) <= data.capacity[hospital, specialty, year].places)
    for (hospital, specialty, month), options in crowd.items():
        limit = data.concurrent_limit(hospital, specialty, month)
        if limit is not None:
            model.add(sum(options) <= limit)
    unplaced = len(data.requirements) - sum(chosen.values())
    travel = sum(
        data.minutes(data.by_key[key], hospital) * data.by_key[key].months * var
        for (key, hospital, _), var in chosen.items()
    )
    values = []
    for term in (unplaced, travel):
        model.minimize(term)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        assert solver.solve(model) == cp_model.OPTIMAL
        values.append(round(solver.objective_value))
        model.add(term <= values[-1])
    return values[0], values[1]


@settings(max_examples=80, deadline=None, derandomize=True)
@given(cohorts())
def test_the_staged_optimum_is_the_plain_models(scenario: Scenario) -> None:
    solution = placements(scenario)
    stages = {s.objective: s for s in solution.stages}
    assert all(s.status == "OPTIMAL" for s in solution.stages)
    assert (stages["unplaced"].value, stages["travel"].value) == plain_optimum(scenario)


def test_a_crowded_department_gives_the_plain_models_optimum() -> None:
    # crowded_at_h2 has concurrent_max at H2, so the solve goes through the relaxation, its LP
    # and the completion under every limit.
    scenario = crowded_at_h2()
    solution = placements(scenario)
    stages = {s.objective: s for s in solution.stages}
    assert (stages["unplaced"].value, stages["travel"].value) == plain_optimum(scenario)
