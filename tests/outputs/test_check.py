"""The independent plan checker: example 1's optimal plan passes, and each rule catches its break.

The plans are written by hand from examples.md (example 1), so these tests do not depend on
the optimizer. Derived figures of example 1: A's base by month [3, 2], B's additional by month
[1, 2], A's inflow [2, 2], guarantee limit L = floor(3*4/2) = 6.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpers import EXAMPLE1
from helpers.plans import (
    check,
    one_violation,
    optimal_plan,
    summary_hospital,
    summary_stage,
    volumes,
    write_plan,
)
from leveransplan.inputs import load_scenario
from leveransplan.models.scenario import Contract, ObjectiveOrder, Scenario
from leveransplan.outputs.checker.volume_plan import PlanCheckFailed, check_volume_plan


@pytest.fixture(scope="module")
def example1() -> Scenario:
    """Example 1 of the spec: hospitals A and B, one contract c1 with provider X, two months."""
    return load_scenario(EXAMPLE1)


def with_contract(scenario: Scenario, **changes: Any) -> Scenario:
    contract: Contract = scenario.contracts[0].model_copy(update=changes)
    return scenario.model_copy(update={"contracts": (contract,)})


# -- plans that pass ---------------------------------------------------------------------------


def test_optimal_plan_of_example1_passes(example1: Scenario, tmp_path: Path) -> None:
    assert check(example1, tmp_path, optimal_plan()) == []


def test_cost_first_plan_of_example1_passes(example1: Scenario, tmp_path: Path) -> None:
    # Order [cost, over_guarantee, equity]: only c1's two paid units, both in month 1.
    # w1 = 10 + 2 - 3 - 2 = 7, w2 = 7 + 2 - 2 = 7: over 1 + 1 = 2; equity ceil(1000 × 2 / 4) = 500.
    scenario = example1.model_copy(
        update={"objective": ObjectiveOrder(volumes=("cost", "over_guarantee", "equity"))}
    )
    plan = optimal_plan()
    plan["delivery_plan.csv"] = [["2026-01", "A", "k", "external", "X", "c1", 2, 120, 240]]
    plan["production_plan.csv"] = [
        ["2026-01", "A", "k", 3, 0, 0, 7, 1],
        ["2026-02", "A", "k", 2, 0, 0, 7, 1],
        ["2026-01", "B", "k", 0, 0, 0, 0, 0],
        ["2026-02", "B", "k", 0, 0, 0, 0, 0],
    ]
    plan["volume_table.csv"] = [["A", "k", 5, 5, 0], ["B", "k", 0, 0, 0]]
    summary = volumes(plan)
    summary["stages"] = [
        summary_stage("cost", 240),
        summary_stage("over_guarantee", 2),
        summary_stage("equity", 500),
    ]
    summary["objectives"].update(over_guarantee=2, equity=500, cost=240, travel=60)
    summary["cost_sek"] = 240
    summary["hospitals"] = [
        summary_hospital("A", start=4, end=1, months_over=2, out=2, into=0, cost=240),
        summary_hospital("B", start=0, end=0, months_over=0, out=0, into=0, cost=0),
    ]
    assert check(scenario, tmp_path, plan) == []


def test_budget_plan_of_example1_passes(example1: Scenario, tmp_path: Path) -> None:
    # max_cost_sek 360: three c1 units (two in month 1, one in month 2) cost exactly 360.
    # w1 = 10 + 2 - 3 - 2 = 7 (over 1), w2 = 7 + 2 - 2 - 1 = 6: stages 1, 360, travel 3 × 30 = 90.
    scenario = example1.model_copy(update={"max_cost_sek": 360})
    plan = optimal_plan()
    plan["delivery_plan.csv"] = [
        ["2026-01", "A", "k", "external", "X", "c1", 2, 120, 240],
        ["2026-02", "A", "k", "external", "X", "c1", 1, 120, 120],
    ]
    plan["production_plan.csv"] = [
        ["2026-01", "A", "k", 3, 0, 0, 7, 1],
        ["2026-02", "A", "k", 2, 0, 0, 6, 0],
        ["2026-01", "B", "k", 0, 0, 0, 0, 0],
        ["2026-02", "B", "k", 0, 0, 0, 0, 0],
    ]
    plan["volume_table.csv"] = [["A", "k", 5, 5, 0], ["B", "k", 0, 0, 0]]
    plan["contract_usage.csv"] = [["c1", "X", "k", 2, 3, 3, 0, 360]]
    summary = volumes(plan)
    summary["stages"] = [
        summary_stage("over_guarantee", 1),
        summary_stage("cost", 360),
        summary_stage("travel", 90),
    ]
    # equity: X_A = 1 over I_A = 4 inflow: ceil(1000 × 1 / 4) = 250.
    summary["objectives"].update(over_guarantee=1, equity=250, cost=360, travel=90)
    summary["cost_sek"] = 360
    summary["hospitals"] = [
        summary_hospital("A", start=4, end=0, months_over=1, out=3, into=0, cost=360),
        summary_hospital("B", start=0, end=0, months_over=0, out=0, into=0, cost=0),
    ]
    assert check(scenario, tmp_path, plan) == []


def test_plan_check_failed_carries_the_violations() -> None:
    error = PlanCheckFailed(["a.csv row 2: one", "b.csv row 3: two"])
    assert error.violations == ["a.csv row 2: one", "b.csv row 3: two"]
    assert str(error) == "a.csv row 2: one\nb.csv row 3: two"


# -- 1. files, values, keys and rows -------------------------------------------------------------


def test_missing_file_is_reported_alone(example1: Scenario, tmp_path: Path) -> None:
    plan = optimal_plan()
    del plan["contract_usage.csv"]
    assert check(example1, tmp_path, plan) == [
        f"contract_usage.csv: missing from the plan folder {tmp_path / 'plan'}"
    ]


def test_wrong_header_is_reported(example1: Scenario, tmp_path: Path) -> None:
    folder = write_plan(tmp_path / "plan", optimal_plan())
    text = (folder / "volume_table.csv").read_text(encoding="utf-8")
    (folder / "volume_table.csv").write_text(text.replace("tillagg", "tillägg"), encoding="utf-8")
    violations = check_volume_plan(example1, folder)
    one_violation(violations, "volume_table.csv row 1: header", "tillägg", "expected")


def test_bad_values_are_reported_with_row_and_column(example1: Scenario, tmp_path: Path) -> None:
    plan = optimal_plan()
    plan["delivery_plan.csv"][0][6] = -1  # row 2: volume
    plan["delivery_plan.csv"][1][0] = "2026-03"  # row 3: month 3 of a 2-month horizon
    plan["production_plan.csv"][2][1] = "Q"  # row 4: no hospital Q
    plan["delivery_plan.csv"].append(["2026-02", "A", "k", "bus", "B", "", 1, 150, 150])  # row 4
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "delivery_plan.csv row 2: volume '-1' is not a whole number >= 0")
    one_violation(
        violations, "delivery_plan.csv row 3: month '2026-03' is outside the horizon 2026-01..2026-02"
    )
    one_violation(violations, "production_plan.csv row 4: hospital 'Q' is not a hospital in hospitals.csv")
    one_violation(violations, "delivery_plan.csv row 4: channel 'bus' is not one of transfer, external")


def test_duplicate_flow_is_reported(example1: Scenario, tmp_path: Path) -> None:
    plan = optimal_plan()
    plan["delivery_plan.csv"].append(list(plan["delivery_plan.csv"][0]))  # row 4 repeats row 2
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "delivery_plan.csv row 4: repeats the flow of row 2")


def test_missing_and_extra_production_rows_are_reported(example1: Scenario, tmp_path: Path) -> None:
    plan = optimal_plan()
    del plan["production_plan.csv"][3]  # B, k, 2026-02 gone
    plan["production_plan.csv"].append(["2026-01", "A", "k", 0, 0, 0, 6, 0])  # row 5 repeats row 2
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "production_plan.csv: no row for B, k, 2026-02")
    one_violation(violations, "production_plan.csv row 5: repeats row 2")


# -- 2. base capacity ----------------------------------------------------------------------------


def test_base_above_capacity_is_reported(example1: Scenario, tmp_path: Path) -> None:
    # A's month-2 base is split(5, [1, 0.5])[2] = 2; using 3 breaks it.
    plan = optimal_plan()
    plan["production_plan.csv"][1] = ["2026-02", "A", "k", 3, 0, 0, 5, 0]  # w2 = 6 + 2 - 3 = 5
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "production_plan.csv row 3:", "used 3 base units", "above its base capacity 2")


# -- 3. additional capacity ----------------------------------------------------------------------


def test_transfer_beyond_receivers_capacity_is_reported(example1: Scenario, tmp_path: Path) -> None:
    # B's month-1 additional capacity is split(3, [1, 1])[1] = 1; a second transfer makes 2.
    plan = optimal_plan()
    plan["delivery_plan.csv"][0] = ["2026-01", "A", "k", "transfer", "B", "", 2, 150, 300]
    plan["production_plan.csv"][0][6] = 5  # w1 = 10 + 2 - 3 - 2 - 2 = 5
    plan["production_plan.csv"][2][5] = 2  # B produces 2 for others
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "production_plan.csv row 4:", "2 in all", "above its additional capacity 1")


def test_additional_for_others_must_match_the_transfers(example1: Scenario, tmp_path: Path) -> None:
    plan = optimal_plan()
    plan["production_plan.csv"][2][5] = 0  # B's row says 0, but delivery_plan row 2 sends it 1
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "production_plan.csv row 4: additional_for_others 0", "transfers 1")


# -- 4. transfers --------------------------------------------------------------------------------


def test_transfer_not_allowed_by_access_is_reported(example1: Scenario, tmp_path: Path) -> None:
    access = tuple(
        row.model_copy(update={"allowed": False}) if row.provider == "B" else row for row in example1.access
    )
    scenario = example1.model_copy(update={"access": access})
    violations = check(scenario, tmp_path, optimal_plan())
    one_violation(violations, "delivery_plan.csv row 2: transfer of A's patients to B", "access.csv")


def test_transfer_to_itself_is_reported(example1: Scenario, tmp_path: Path) -> None:
    plan = optimal_plan()
    plan["delivery_plan.csv"][0][4] = "A"
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "delivery_plan.csv row 2: transfer from A to itself")


# -- 5. external referrals -----------------------------------------------------------------------


def test_referral_outside_the_contract_months_is_reported(example1: Scenario, tmp_path: Path) -> None:
    # c1 from 2026-02 on: the month-1 referral on row 3 falls outside it.
    scenario = with_contract(example1, first_month="2026-02")
    violations = check(scenario, tmp_path, optimal_plan())
    one_violation(
        violations, "delivery_plan.csv row 3:", "in 2026-01, outside the contract's months 2026-02..2026-02"
    )


def test_referral_to_an_unknown_contract_is_reported(example1: Scenario, tmp_path: Path) -> None:
    plan = optimal_plan()
    plan["delivery_plan.csv"][1][5] = "c9"
    violations = check(example1, tmp_path, plan)
    one_violation(
        violations, "delivery_plan.csv row 3: external referral to contract 'c9'", "not in contracts.csv"
    )


def test_referral_to_a_provider_not_allowed_is_reported(example1: Scenario, tmp_path: Path) -> None:
    access = tuple(
        row.model_copy(update={"allowed": False}) if row.provider == "X" else row for row in example1.access
    )
    violations = check(example1.model_copy(update={"access": access}), tmp_path, optimal_plan())
    one_violation(violations, "delivery_plan.csv row 3: referral of A's patients to provider X", "access.csv")


# -- 6. contract limits --------------------------------------------------------------------------


def test_monthly_max_exceeded_is_reported(example1: Scenario, tmp_path: Path) -> None:
    # monthly_max lowered to 1; row 3 refers 2 in 2026-01.
    violations = check(with_contract(example1, monthly_max=1), tmp_path, optimal_plan())
    one_violation(
        violations, "delivery_plan.csv row 3: contract c1 took 2 referrals in 2026-01", "monthly_max 1"
    )


def test_volume_max_exceeded_is_reported(example1: Scenario, tmp_path: Path) -> None:
    # volume_min 0 and volume_max 1; row 3 uses 2 in all.
    violations = check(with_contract(example1, volume_min=0, volume_max=1), tmp_path, optimal_plan())
    one_violation(violations, "delivery_plan.csv row 3: contract c1 used 2 in all, above its volume_max 1")


# -- 7. waiting lists ----------------------------------------------------------------------------


def test_wrong_waiting_end_is_reported(example1: Scenario, tmp_path: Path) -> None:
    # Month 2: 6 + 2 - 2 = 6, but the row claims 5.
    plan = optimal_plan()
    plan["production_plan.csv"][1][6] = 5
    violations = check(example1, tmp_path, plan)
    message = one_violation(violations, "production_plan.csv row 3: waiting_end 5", "is 6")
    assert "previous month's 6 + inflow 2 - base 2" in message


def test_negative_waiting_list_is_reported(example1: Scenario, tmp_path: Path) -> None:
    # B has no patients at all (waiting 0, inflow 0); a transfer from B to A empties nothing.
    plan = optimal_plan()
    plan["delivery_plan.csv"].append(["2026-02", "B", "k", "transfer", "A", "", 1, 100, 100])  # row 4
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "production_plan.csv row 5: the waiting list of B in k would end 2026-02 at -1")


def test_wrong_over_guarantee_column_is_reported(example1: Scenario, tmp_path: Path) -> None:
    # w1 = 6 and L = 6: max(0, 6 - 6) = 0, not 1.
    plan = optimal_plan()
    plan["production_plan.csv"][0][7] = 1
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "production_plan.csv row 2: over_guarantee 1", "max(0, 6 - L 6) = 0")


# -- 8. prices -----------------------------------------------------------------------------------


def test_wrong_cost_is_reported(example1: Scenario, tmp_path: Path) -> None:
    # 2 × 120 = 240, not 250.
    plan = optimal_plan()
    plan["delivery_plan.csv"][1][8] = 250
    violations = check(example1, tmp_path, plan)
    one_violation(
        violations, "delivery_plan.csv row 3: cost_sek 250 is not volume 2 × unit_price_sek 120 = 240"
    )


def test_wrong_unit_price_is_reported(example1: Scenario, tmp_path: Path) -> None:
    # A transfer to B is paid at B's additional price for besok, 150.
    plan = optimal_plan()
    plan["delivery_plan.csv"][0][7:9] = [100, 100]
    violations = check(example1, tmp_path, plan)
    one_violation(
        violations, "delivery_plan.csv row 2: unit_price_sek 100", "B's additional price for besok is 150"
    )


# -- 9. volume table and contract usage ------------------------------------------------------------


def test_wrong_volume_table_is_reported(example1: Scenario, tmp_path: Path) -> None:
    # B produces 0 own + 1 for A = 1 additional unit; uppdrag = 0 + 1.
    plan = optimal_plan()
    plan["volume_table.csv"][1] = ["B", "k", 2, 0, 2]
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "volume_table.csv row 3: tillagg 2", "produce 1 additional units")
    one_violation(violations, "volume_table.csv row 3: uppdrag 2", "= 1")


def test_wrong_contract_usage_is_reported(example1: Scenario, tmp_path: Path) -> None:
    # delivery_plan refers 2 to c1; with volume_min 2 nothing is unused: cost (2 + 0) × 120 = 240.
    plan = optimal_plan()
    plan["contract_usage.csv"][0] = ["c1", "X", "k", 2, 3, 1, 1, 240]
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "contract_usage.csv row 2: used 1", "refers 2 to c1")
    one_violation(violations, "contract_usage.csv row 2: unused_min 1", "= 0")


# -- 10. budget ----------------------------------------------------------------------------------


def test_budget_exceeded_is_reported(example1: Scenario, tmp_path: Path) -> None:
    # The optimal plan costs 150 + 240 = 390; a budget of 360 does not cover it.
    scenario = example1.model_copy(update={"max_cost_sek": 360})
    violations = check(scenario, tmp_path, optimal_plan())
    one_violation(violations, "costs 390 SEK", "above the budget max_cost_sek 360 SEK")


# -- 11. objectives and totals -------------------------------------------------------------------


def test_summary_objective_off_by_one_is_reported(example1: Scenario, tmp_path: Path) -> None:
    plan = optimal_plan()
    volumes(plan)["objectives"]["travel"] = 81  # 1 × 20 + 2 × 30 = 80
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "summary.json volumes.objectives.travel: 81", "recomputed from its files is 80")


def test_summary_totals_and_hospital_figures_are_checked(example1: Scenario, tmp_path: Path) -> None:
    plan = optimal_plan()
    volumes(plan)["cost_sek"] = 391
    volumes(plan)["hospitals"][1]["referrals_in"] = 0  # B takes A's one transfer
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "summary.json volumes.cost_sek: 391", "is 390")
    one_violation(violations, "summary.json volumes.hospitals (B).referrals_in: 0", "it is 1")


def test_stability_is_recomputed_against_the_previous_plan(example1: Scenario, tmp_path: Path) -> None:
    # The previous plan sent A's month-1 patient to c1 instead of B: |1 - 0| for the transfer
    # plus |2 - 3| for the referral = 2, but the summary says 0.
    previous = optimal_plan()
    previous["delivery_plan.csv"] = [["2026-01", "A", "k", "external", "X", "c1", 3, 120, 360]]
    previous_folder = write_plan(tmp_path / "previous", previous)
    plan = optimal_plan()
    volumes(plan)["previous_plan"] = str(previous_folder)
    violations = check(example1, tmp_path, plan)
    assert violations == [
        "summary.json volumes.objectives.stability: 0, "
        "but the plan's stability recomputed from its files is 2"
    ]


# -- 12. stages ----------------------------------------------------------------------------------


def test_stage_bound_above_value_is_reported(example1: Scenario, tmp_path: Path) -> None:
    plan = optimal_plan()
    volumes(plan)["stages"][1] = summary_stage("cost", 390, bound=400, status="FEASIBLE")
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "summary.json volumes.stages[1] (cost): bound 400 is above value 390")


def test_optimal_stage_with_a_gap_is_reported(example1: Scenario, tmp_path: Path) -> None:
    plan = optimal_plan()
    volumes(plan)["stages"][1] = summary_stage("cost", 390, bound=380, status="OPTIMAL")
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "volumes.stages[1] (cost): status OPTIMAL, but bound 380 is not value 390")


def test_stages_out_of_order_are_reported(example1: Scenario, tmp_path: Path) -> None:
    # The scenario's order is over_guarantee, cost, travel.
    plan = optimal_plan()
    stages = volumes(plan)["stages"]
    stages[1], stages[2] = stages[2], stages[1]
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "volumes.stages[2] (cost): comes after travel")


def test_final_plan_worse_than_a_stage_is_reported(example1: Scenario, tmp_path: Path) -> None:
    # The travel stage claims 79 (bound 70), but the plan's travel is 80: a later stage let it rise.
    plan = optimal_plan()
    volumes(plan)["stages"][2] = summary_stage("travel", 79, bound=70, status="FEASIBLE")
    violations = check(example1, tmp_path, plan)
    one_violation(violations, "volumes.stages[2] (travel): the final plan's travel is 80, above the value 79")
