"""The budget and the hospitals' frames in the decomposition (optimizer/volumes/columns.py).

Every stage under a budget or a frame is solved by the networks and the column generation's
master LP, with the money as linking rows: no joint CP-SAT model of all categories is built
(the `no_joint_model` fixture makes building one fail the test). The optima are derived by hand
in each test; tests/optimizer/test_properties.py compares the same stages with one joint reference model
over generated scenarios.
"""

from __future__ import annotations

import pytest

from helpers import EXAMPLE1
from helpers.volumes import FAST, build, contract, publish_and_check, solve_checked, stage_values
from leveransplan.inputs import load_scenario
from leveransplan.models import Hospital
from leveransplan.optimizer.errors import Infeasible
from leveransplan.optimizer.volumes.cp_models import CpModels
from leveransplan.optimizer.volumes.driver import LexicographicVolumes, solve_volumes


@pytest.fixture
def example1():
    """Example 1 of examples.md: A sends patients to B's additional units and to contract c1."""
    return load_scenario(EXAMPLE1).model_copy(update={"solver": FAST})


@pytest.fixture
def no_joint_model(monkeypatch):
    def refuse(self, categories):
        raise AssertionError(f"a joint CP-SAT model of {categories} was built")

    monkeypatch.setattr(CpModels, "open_joint", refuse)


def with_frames(scenario, frames):
    hospitals = tuple(
        Hospital(hospital=h.hospital, name=h.name, frame_sek=frames.get(h.hospital))
        for h in scenario.hospitals
    )
    return scenario.model_copy(update={"hospitals": hospitals})


def test_example1_budget_360_by_columns(example1, no_joint_model, tmp_path):
    # examples.md: the transfer (150 on top of c1's paid minimum 240) no longer fits 360; three
    # c1 units cost exactly 360 (2 in month 1, 1 in month 2): w = 7 (over 1), 6; travel 3 × 30.
    scenario = example1.model_copy(update={"max_cost_sek": 360})
    solution = solve_volumes(scenario)
    assert stage_values(solution) == [("over_guarantee", 1), ("cost", 360), ("travel", 90)]
    assert all(stage.status == "OPTIMAL" for stage in solution.stages)
    publish_and_check(tmp_path, EXAMPLE1, scenario, solution)


def test_example1_a_frame_of_300_on_a(example1, no_joint_model, tmp_path):
    # A's spend counts c1's units at 120 each (paid minimum or not) and B's at 150. Over 1 needs
    # 3 units out of A's list (3 in month 1, or 2 + 1): the cheapest three are c1's, 360 > 300.
    # Two units in month 1 (w = 7, 7: over 2) fit: c1's two cost 240 (the paid minimum, so the
    # cost stage is 240), travel 2 × 30 = 60.
    scenario = with_frames(example1, {"A": 300})
    solution = solve_volumes(scenario)
    assert stage_values(solution) == [("over_guarantee", 2), ("cost", 240), ("travel", 60)]
    assert solution.decisions.referrals == {("A", "c1", 1): 2}
    assert solution.values.spend("A") == 240
    publish_and_check(tmp_path, EXAMPLE1, scenario, solution)


def test_example1_frame_and_budget_hold_together(example1, no_joint_model):
    # The budget 360 alone allows three c1 units (over 1); A's frame 300 does not (360 > 300):
    # the frame decides, as in the test above.
    scenario = with_frames(example1.model_copy(update={"max_cost_sek": 360}), {"A": 300})
    solution = solve_volumes(scenario)
    assert stage_values(solution) == [("over_guarantee", 2), ("cost", 240), ("travel", 60)]


def test_a_frame_on_the_receiving_hospital_does_not_count_its_transfers_in(example1, no_joint_model):
    # B's frame of 0: B's patients (none) get nothing, but A's transfer to B is A's spend, so
    # the unconstrained optimum (over 0, cost 390, travel 80) stands.
    solution = solve_volumes(with_frames(example1, {"B": 0}))
    assert stage_values(solution) == [("over_guarantee", 0), ("cost", 390), ("travel", 80)]


def test_budget_binds_across_categories_by_columns(no_joint_model, tmp_path):
    # H = 1, A has 3 waiting in k1 and in k2 (L = 0); B offers 3 additional units in each at
    # 100 SEK. The budget 400 pays for 4 transfers, in either category: over 6 - 4 = 2, cost
    # 400; then equity: A's X = 2 over I_A = 0 inflow is left out (no hospital has inflow), 0.
    scenario = build(
        order=("over_guarantee", "cost", "equity"),
        hospitals=("A", "B"),
        categories=("k1", "k2"),
        own={("B", "k1"): (0, 3), ("B", "k2"): (0, 3)},
        need={("A", "k1"): (3, 0), ("A", "k2"): (3, 0)},
        budget=400,
    )
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == [("over_guarantee", 2), ("cost", 400), ("equity", 0)]


def test_equity_first_under_a_budget_by_columns(no_joint_model):
    # Two hospitals, each 4 waiting in k (L = floor(3 × 3 / 3) = 3 with inflow 3 over 3 months,
    # 1 a month, no base): each list is 5, 6, 7 -> 2 + 3 + 4 = 9 patient-months over at each.
    # A contract at 100 SEK, monthly_max 2, takes patients from either hospital; the budget 200
    # pays two units. Equity first: one unit to each hospital in month 1 (each removes 3
    # patient-months, the most one unit can): X = 6, 6, equity ceil(1000 × 6 / 3) = 2000; then
    # over_guarantee 12.
    scenario = build(
        order=("equity", "over_guarantee"),
        hospitals=("A", "B"),
        categories=("k",),
        months=3,
        need={("A", "k"): (4, 3), ("B", "k"): (4, 3)},
        contracts=[contract("c", price=100, volume_max=3, monthly_max=2)],
        budget=200,
    )
    solution = solve_volumes(scenario)
    assert stage_values(solution) == [("equity", 2000), ("over_guarantee", 12)]
    assert solution.values.term("cost") == 200


def test_no_plan_within_a_frame_after_frozen_months_is_infeasible(example1):
    # A re-plan with month 1 decided: the transfer and two c1 units there (A spends 390), then a
    # frame of 389 on A cannot hold whatever month 2 does.
    first = solve_volumes(example1)
    assert first.values.spend("A") == 390
    with pytest.raises(Infeasible, match="A's frame"):
        LexicographicVolumes(with_frames(example1, {"A": 389}), first.decisions, 1).run()
