"""A CP-SAT volume model solved as a MIP by HiGHS (optimizer/volumes/mip.py) answers as CP-SAT does."""

from __future__ import annotations

import pytest
from hypothesis import given
from ortools.sat.python import cp_model

from helpers.generated import PROPERTY, scenarios
from leveransplan.models import SolverSettings, VolumeData
from leveransplan.optimizer.search import search_run
from leveransplan.optimizer.volumes.mip import NotLinear, solve_as_mip
from leveransplan.optimizer.volumes.model import SolveParameters, VolumeModel

ONE_WORKER = SolverSettings(workers=1)


def test_clauses_and_negated_literals_read_as_rows():
    # b >= 1 (CP-SAT writes it as a clause), (not c) or b, x + 3b >= 4, x - c <= 3: b = 1, so
    # x >= 1; minimising 2x + c + 7 takes x = 1, c = 0: 9.
    model = cp_model.CpModel()
    x = model.new_int_var(0, 5, "x")
    b = model.new_bool_var("b")
    c = model.new_bool_var("c")
    model.add(b >= 1)
    model.add_bool_or([c.Not(), b])
    model.add(x + 3 * b >= 4)
    model.add(x - c <= 3)
    with search_run(False):
        status, bound, values = solve_as_mip(model, 2 * x + c + 7, ONE_WORKER, 5.0)
    assert (status, bound) == ("OPTIMAL", 9)
    assert values is not None and [values[v.index] for v in (x, b, c)] == [1, 1, 0]


def test_no_plan_is_infeasible():
    # x + y >= 7 with x, y <= 3: no plan.
    model = cp_model.CpModel()
    x = model.new_int_var(0, 3, "x")
    y = model.new_int_var(0, 3, "y")
    model.add(x + y >= 7)
    with search_run(False):
        assert solve_as_mip(model, x, ONE_WORKER, 5.0)[0] == "INFEASIBLE"


def test_a_constraint_that_is_not_linear_is_refused():
    model = cp_model.CpModel()
    x = model.new_int_var(0, 3, "x")
    y = model.new_int_var(0, 3, "y")
    model.add_max_equality(y, [x, 2])
    with search_run(False), pytest.raises(NotLinear):
        solve_as_mip(model, y, ONE_WORKER, 5.0)


@PROPERTY
@given(scenarios())
def test_every_stage_term_has_the_same_optimum_in_both_solvers(scenario):
    # Each term minimised alone over the whole region (with the scenario's budget and frames):
    # HiGHS's optimum, its plan confirmed by CP-SAT, equals CP-SAT's.
    data = VolumeData.from_scenario(scenario)
    parameters = SolveParameters(5.0, 1, 0)
    with search_run(False):
        for term in ("over_guarantee", "cost", "travel", "out_of_region"):
            model = VolumeModel(data, list(data.categories))
            if scenario.max_cost_sek is not None:
                model.add_budget(scenario.max_cost_sek)
            model.add_frames(data.frames)
            by_cp_sat = model.solve(model.term(term), parameters)
            by_mip = model.solve_as_mip(model.term(term), parameters)
            assert by_cp_sat.status == by_mip.status == "OPTIMAL", term
            assert by_cp_sat.bound == by_mip.bound, term
