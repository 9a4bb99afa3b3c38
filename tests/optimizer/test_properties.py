"""Properties of the volume optimizer over small generated scenarios (hypothesis, fixed seed).

(1) Every plan written passes the independent plan checker, with or without a (feasible) budget;
    a budget below the take-or-pay minimums is reported infeasible.
(2) More capacity (one hospital's additional_max, or a contract's volume_max) never raises the
    optimal over_guarantee.
(3) The final plan's value of every stage's term is at most that stage's value (equal when the
    stage is proven optimal), and every bound is at most its value.
(4) The stage values equal those of one plain lexicographic solve of the whole region (a single
    CP-SAT model, each term held region-wide), so solving category by category loses nothing:
    also under a budget and hospitals' frames (drawn so that they often bind), and against a
    previous plan (the stability term).

The least cost of any plan is the sum of the contracts' take-or-pay minimums: every plan pays
each minimum (used or not) and nothing else costs less than 0, and the plan that uses base units
only pays exactly that. So a budget is feasible exactly when it is at least that sum. That plan
spends nothing on any hospital's patients, so every frame (>= 0) is feasible.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.generated import PROPERTY, reference_stage_values, scenarios
from leveransplan.models import (
    VOLUME_OBJECTIVES,
    ObjectiveOrder,
    OwnVolume,
)
from leveransplan.models.results import ScenarioPlan
from leveransplan.optimizer.errors import Infeasible
from leveransplan.optimizer.volumes.driver import solve_volumes
from leveransplan.outputs.checker.volume_plan import check_volume_plan
from leveransplan.outputs.publish import publish_plan


@PROPERTY
@given(scenarios())
def test_every_plan_passes_the_checker(scenario):
    solution = solve_volumes(scenario)
    with tempfile.TemporaryDirectory() as folder:
        plan = Path(folder) / "plan"
        parameters = {
            "objective_volumes": list(scenario.objective.volumes),
            "max_cost_sek": scenario.max_cost_sek,
        }
        publish_plan(
            plan, Path(folder), scenario, ScenarioPlan(volumes=solution), parameters
        )  # runs the checker
        assert check_volume_plan(scenario, plan) == []


@PROPERTY
@given(scenarios(budget="infeasible"))
def test_a_budget_below_the_take_or_pay_minimums_is_infeasible(scenario):
    with pytest.raises(Infeasible):
        solve_volumes(scenario)


@PROPERTY
@given(scenarios(budget="none"), st.data())
def test_more_capacity_never_raises_over_guarantee(scenario, data):
    raises = [("own", i) for i in range(len(scenario.own_volumes))]
    raises += [("contract", i) for i in range(len(scenario.contracts))]
    if not raises:
        raises = [("new", 0)]
    kind, index = data.draw(st.sampled_from(raises))
    extra = data.draw(st.integers(1, 6))
    if kind == "own":
        rows = list(scenario.own_volumes)
        rows[index] = rows[index].model_copy(update={"additional_max": rows[index].additional_max + extra})
        update = {"own_volumes": tuple(rows)}
    elif kind == "contract":
        contracts = list(scenario.contracts)
        contracts[index] = contracts[index].model_copy(
            update={"volume_max": contracts[index].volume_max + extra}
        )
        update = {"contracts": tuple(contracts)}
    else:
        h, k = scenario.hospitals[0].hospital, scenario.categories[0].category
        update = {"own_volumes": (OwnVolume(hospital=h, category=k, base=0, additional_max=extra),)}
    order = ObjectiveOrder(volumes=("over_guarantee",))
    before = solve_volumes(scenario.model_copy(update={"objective": order})).stages[0]
    after = solve_volumes(scenario.model_copy(update={"objective": order, **update})).stages[0]
    assert before.status == after.status == "OPTIMAL"
    assert after.value <= before.value


@PROPERTY
@given(scenarios())
def test_later_stages_keep_earlier_values(scenario):
    solution = solve_volumes(scenario)
    assert [stage.objective for stage in solution.stages] == list(scenario.objective.volumes)
    for stage in solution.stages:
        final = solution.values.term(stage.objective)
        assert stage.bound <= stage.value
        assert final <= stage.value, stage
        if stage.status == "OPTIMAL":
            assert stage.bound == stage.value == final, stage


@PROPERTY
@given(scenarios())
def test_stage_values_match_one_whole_region_model(scenario):
    solution = solve_volumes(scenario)
    assert all(stage.status == "OPTIMAL" for stage in solution.stages)
    assert [stage.value for stage in solution.stages] == reference_stage_values(scenario)


@PROPERTY
@given(scenarios(), st.data())
def test_stages_against_a_previous_plan_match_one_whole_region_model(scenario, data):
    # The previous plan: the same scenario solved in another order, so that its decisions are
    # not all optimal now and stability has work to do after the other stages.
    other = data.draw(st.permutations(VOLUME_OBJECTIVES))
    previous = solve_volumes(scenario.model_copy(update={"objective": ObjectiveOrder(volumes=tuple(other))}))
    order = data.draw(st.permutations(VOLUME_OBJECTIVES))
    now = scenario.model_copy(update={"objective": ObjectiveOrder(volumes=tuple(order))})
    solution = solve_volumes(now, previous.decisions)
    assert all(stage.status == "OPTIMAL" for stage in solution.stages)
    assert [stage.value for stage in solution.stages] == reference_stage_values(now, previous.decisions)
