"""A go-live that loses capacity (capacity_loss.csv, --dip) and the catch-up capacity before it
(catch_up.csv): the lost units are gone, and the plan chooses among catch-up, transfers and
referrals by their costs. Every plan goes through the independent checker (solve_checked).
"""

from __future__ import annotations

import html
import json
from decimal import Decimal

import pytest

from helpers import flat, invoke
from helpers.plans import checker_violations
from helpers.volumes import build, contract, solve_checked, stage_values, write_scenario
from leveransplan.inputs import load_scenario
from leveransplan.models.derived import VolumeData, catch_up_contract
from leveransplan.models.evaluation import TermValues
from leveransplan.models.explanation import explain_capacity_loss
from leveransplan.models.pro_rata import pro_rata_plan
from leveransplan.models.scenario import CapacityLossRow, CatchUpRow
from leveransplan.outputs.checker.volume_plan import check_volume_plan

ORDER = ("over_guarantee", "cost")


def loss(hospital: str, first: str, last: str, factor: str, category: str | None = None) -> CapacityLossRow:
    return CapacityLossRow(
        hospital=hospital, category=category, first_month=first, last_month=last, factor=Decimal(factor)
    )


def catch_up(hospital: str, first: str, last: str, units: int, price: int) -> CatchUpRow:
    return CatchUpRow(
        hospital=hospital, first_month=first, last_month=last, units_per_month=units, price_sek=price
    )


def test_lost_units_round_up_and_overlapping_rows_multiply() -> None:
    # H = 2, A's base 7 splits [3, 4], additional 5 splits [2, 3].
    # Month 1 keeps 0.5: base floor(0.5 × 3) = 1 (2 lost), additional floor(0.5 × 2) = 1 (1 lost).
    # Month 2 keeps 0.5 × 0.5 = 0.25 (two rows): base floor(0.25 × 4) = 1 (3 lost),
    # additional floor(0.25 × 3) = 0 (3 lost). Lost in all: base 5, additional 4.
    scenario = build(
        order=ORDER,
        months=2,
        own={("A", "k"): (7, 5)},
        need={("A", "k"): (0, 0)},
        capacity_loss=[loss("A", "2026-01", "2026-02", "0.5"), loss("A", "2026-02", "2026-02", "0.5", "k")],
    )
    data = VolumeData.from_scenario(scenario)
    assert [data.base_capacity["A", "k", m] for m in (1, 2)] == [1, 1]
    assert [data.additional_capacity["A", "k", m] for m in (1, 2)] == [1, 0]
    assert data.lost_by_hospital() == {"A": (5, 4)}


def test_a_loss_in_another_category_leaves_this_one() -> None:
    # The row names category k2 only: k keeps its base 4 in the one month.
    scenario = build(
        order=ORDER,
        categories=("k", "k2"),
        own={("A", "k"): (4, 0), ("A", "k2"): (4, 0)},
        capacity_loss=[loss("A", "2026-01", "2026-01", "0", "k2")],
    )
    data = VolumeData.from_scenario(scenario)
    assert (data.base_capacity["A", "k", 1], data.base_capacity["A", "k2", 1]) == (4, 0)


def test_a_dip_covered_by_a_transfer(tmp_path) -> None:
    # H = 1, A has 8 waiting (inflow 0, so L = 0), base 6 and additional 2 at 100 SEK; B offers 5
    # additional units at 200 SEK. Without the loss A treats all 8 itself: over 0, cost 2 × 100 = 200.
    # The go-live keeps 0.5: base floor(0.5 × 6) = 3, additional floor(0.5 × 2) = 1. The 8 - 3 - 1 = 4
    # others go to B: over 0, cost 1 × 100 + 4 × 200 = 900.
    tables = {
        "order": ORDER,
        "hospitals": ("A", "B"),
        "prices": {"A": 100, "B": 200},
        "own": {("A", "k"): (6, 2), ("B", "k"): (0, 5)},
        "need": {("A", "k"): (8, 0)},
    }
    whole = solve_checked(tmp_path / "whole", build(**tables))  # type: ignore[arg-type]
    assert stage_values(whole) == [("over_guarantee", 0), ("cost", 200)]
    scenario = build(**tables, capacity_loss=[loss("A", "2026-01", "2026-01", "0.5")])  # type: ignore[arg-type]
    solution = solve_checked(tmp_path / "dip", scenario)
    assert stage_values(solution) == [("over_guarantee", 0), ("cost", 900)]
    assert solution.decisions.base_used == {("A", "k", 1): 3}
    assert solution.decisions.transfers == {("A", "B", "k", 1): 4}
    [account] = explain_capacity_loss(VolumeData.from_scenario(scenario), solution.decisions)
    assert (account.hospital, account.base_lost, account.additional_lost) == ("A", 3, 1)
    assert (account.transfer_units, account.transfer_cost, account.catch_up_units) == (4, 800, 0)
    assert account.patient_months == 0


def go_live_with_catch_up(price: int) -> dict[str, object]:
    """H = 2: A has 6 waiting (L = 0) and base 6, split [3, 3]; its go-live in month 2 keeps nothing.
    B offers 6 additional units ([3, 3]) at 200 SEK; A may catch up 5 units in month 1 at `price`.
    C has 2 waiting and no capacity, and may not send patients to B: only A's patients may use A's
    catch-up, so C's 2 wait both months (4 patient-months)."""
    return {
        "order": ORDER,
        "months": 2,
        "hospitals": ("A", "B", "C"),
        "prices": {"A": 100, "B": 200, "C": 100},
        "own": {("A", "k"): (6, 0), ("B", "k"): (0, 6)},
        "need": {("A", "k"): (6, 0), ("C", "k"): (2, 0)},
        "access": {("C", "B"): (0, False)},
        "capacity_loss": [loss("A", "2026-02", "2026-02", "0")],
        "catch_up": [catch_up("A", "2026-01", "2026-01", 5, price)],
    }


def test_catch_up_before_the_go_live_when_cheaper_than_a_transfer(tmp_path) -> None:
    # A's base is [3, 0]. To have no patient over the guarantee A must treat all 6 in month 1: 3 base
    # and 3 more, by catch-up (150 SEK) or a transfer to B (200 SEK). Catch-up: cost 3 × 150 = 450.
    # over_guarantee = C's 2 + 2 = 4 (A's spare 2 catch-up units are not for C).
    scenario = build(**go_live_with_catch_up(150))  # type: ignore[arg-type]
    solution = solve_checked(tmp_path, scenario)
    assert stage_values(solution) == [("over_guarantee", 4), ("cost", 450)]
    code = catch_up_contract(scenario.catch_up[0], "k")
    assert solution.decisions.referrals == {("A", code, 1): 3}
    assert solution.decisions.transfers == {}
    accounts = explain_capacity_loss(VolumeData.from_scenario(scenario), solution.decisions)
    assert [
        (a.hospital, a.base_lost, a.catch_up_units, a.catch_up_cost, a.transfer_units) for a in accounts
    ] == [("A", 3, 3, 450, 0)]


def test_a_transfer_when_catch_up_costs_more(tmp_path) -> None:
    # The same go-live with catch-up at 250 SEK: the 3 units go to B at 200, cost 600.
    solution = solve_checked(tmp_path, build(**go_live_with_catch_up(250)))  # type: ignore[arg-type]
    assert stage_values(solution) == [("over_guarantee", 4), ("cost", 600)]
    assert solution.decisions.referrals == {}
    assert solution.decisions.transfers == {("A", "B", "k", 1): 3}


@pytest.mark.parametrize("price", [150, 250])
def test_a_referral_when_the_contract_is_cheapest(tmp_path, price: int) -> None:
    # A contract at 120 SEK in month 1 beats both catch-up and transfer: cost 3 × 120 = 360.
    tables = go_live_with_catch_up(price) | {
        "contracts": [contract("c", price=120, volume_max=3)],
        "access": {("C", "B"): (0, False), ("C", "X"): (0, False)},
    }
    solution = solve_checked(tmp_path, build(**tables))  # type: ignore[arg-type]
    assert stage_values(solution) == [("over_guarantee", 4), ("cost", 360)]
    assert solution.decisions.referrals == {("A", "c", 1): 3}


def test_two_catch_up_rows_for_the_same_months_keep_their_own_price() -> None:
    # Two rows for every category of A in the same month: each category gets two contracts, 2 units
    # at 150 SEK and 1 at 90 SEK.
    scenario = build(
        order=ORDER,
        categories=("k", "k2"),
        own={("A", "k"): (1, 0), ("A", "k2"): (1, 0)},
        catch_up=[catch_up("A", "2026-01", "2026-01", 2, 150), catch_up("A", "2026-01", "2026-01", 1, 90)],
    )
    contracts = VolumeData.from_scenario(scenario).contracts
    assert {(c.contract, c.category, c.monthly_max, c.price_sek) for c in contracts.values()} == {
        ("A catch-up k 2026-01..2026-01", "k", 2, 150),
        ("A catch-up k2 2026-01..2026-01", "k2", 2, 150),
        ("A catch-up k 2026-01..2026-01 (2)", "k", 1, 90),
        ("A catch-up k2 2026-01..2026-01 (2)", "k2", 1, 90),
    }


def test_catch_up_is_the_hospitals_own_production_not_sent_out(tmp_path) -> None:
    # go_live_with_catch_up(150): A treats 3 patients on its catch-up capacity in month 1 (450 SEK)
    # and sends no one out; C sends no one out either. So summary.json's A has referrals_out 0 and
    # catch_up_units 3, the terminal's table a catch-up column, and the report names the 450 SEK
    # A's own catch-up production, not purchased care (köpt vård).
    scenario = build(**go_live_with_catch_up(150))  # type: ignore[arg-type]
    folder = write_scenario(tmp_path / "scenario", scenario)
    plan = tmp_path / "plan"
    result = invoke("solve", folder, "--deterministic", "--workers", "1", "--out", plan, "--report")
    assert result.exit_code == 0, result.output
    loaded = load_scenario(folder)
    assert check_volume_plan(loaded, plan) == []
    summary_path = plan / "summary.json"
    written = summary_path.read_text(encoding="utf-8")
    hospitals = json.loads(written)["volumes"]["hospitals"]
    assert [(h["hospital"], h["referrals_out"], h["catch_up_units"]) for h in hospitals] == [
        ("A", 0, 3),
        ("B", 0, 0),
        ("C", 0, 0),
    ]
    assert "catch-up: units produced on the hospital's own catch-up capacity" in flat(result.output)
    report = (plan / "report.html").read_text(encoding="utf-8")
    assert "A's own catch-up production (catch_up.csv)" in html.unescape(report)
    assert "Contract provider A catch-up" not in report
    # The checker recomputes both figures: the catch-up counted as sent out, or missing, is found.
    document = json.loads(written)
    document["volumes"]["hospitals"][0].update(referrals_out=3, catch_up_units=0)
    summary_path.write_text(json.dumps(document), encoding="utf-8")
    assert check_volume_plan(loaded, plan) == [
        "summary.json volumes.hospitals (A).referrals_out: 3, but recomputed from the plan it is 0",
        "summary.json volumes.hospitals (A).catch_up_units: 0, but recomputed from the plan it is 3",
    ]
    del document["volumes"]["hospitals"][0]["catch_up_units"]
    document["volumes"]["hospitals"][0]["referrals_out"] = 0
    summary_path.write_text(json.dumps(document), encoding="utf-8")
    assert check_volume_plan(loaded, plan) == [
        "summary.json volumes.hospitals[0].catch_up_units: None is not a whole number"
    ]


def test_the_analysts_plan_uses_catch_up_after_the_own_additional_capacity() -> None:
    # One month, A has 10 waiting (no inflow, so L = 0), no base, 8 additional units and 3 catch-up
    # units. The analyst clears the patients beyond the guarantee with the additional units first
    # (8), then catch-up takes min(3, 10 - 8) = 2. Were catch-up a contract already bought, it
    # would take its 3 first and the additional units only 7.
    scenario = build(
        order=ORDER,
        own={("A", "k"): (0, 8)},
        need={("A", "k"): (10, 0)},
        catch_up=[catch_up("A", "2026-01", "2026-01", 3, 50)],
    )
    data = VolumeData.from_scenario(scenario)
    plan = pro_rata_plan(data)
    code = catch_up_contract(scenario.catch_up[0], "k")
    assert plan.additional_own == {("A", "k", 1): 8}
    assert plan.referrals == {("A", code, 1): 2}
    # 10 - 8 - 2 = 0 left, and the plan keeps every rule the independent checker knows.
    assert TermValues(data, plan).over_guarantee() == 0
    assert checker_violations()(scenario, plan) == []


def test_explain_tells_only_what_applies_and_the_catch_up_months(tmp_path) -> None:
    # go_live_with_catch_up(150): A loses its 3 base units of month 2 and catches up 3 units in
    # month 1 (450 SEK), before the go-live; no transfer, no referral, none left beyond.
    scenario = build(**go_live_with_catch_up(150))  # type: ignore[arg-type]
    solution = solve_checked(tmp_path / "before", scenario)
    [account] = explain_capacity_loss(VolumeData.from_scenario(scenario), solution.decisions)
    assert account.lines() == [
        "A loses 3 base and 0 additional units to capacity_loss.csv and --dip",
        "catch-up before the go-live, in 2026-01: 3 units, 450 SEK",
        "left beyond the guarantee: 0 patient-months",
    ]
    # Only catch-up, no loss: A has 4 waiting (L = 0) and no capacity but 3 catch-up units at 100
    # SEK in its one month; it uses them (300 SEK) and 1 patient waits 1 month.
    only = build(
        order=ORDER,
        own={("A", "k"): (0, 0)},
        need={("A", "k"): (4, 0)},
        catch_up=[catch_up("A", "2026-01", "2026-01", 3, 100)],
    )
    solution = solve_checked(tmp_path / "only", only)
    [account] = explain_capacity_loss(VolumeData.from_scenario(only), solution.decisions)
    assert account.lines() == [
        "A loses no capacity and has catch-up capacity (catch_up.csv)",
        "catch-up in 2026-01: 3 units, 300 SEK",
        "left beyond the guarantee: 1 patient-months",
    ]
    # Catch-up in the month of the loss itself: A has 6 waiting and base 6, keeps half (3 lost),
    # and catches up the other 3 in the same month: not "before the go-live".
    same = build(
        order=ORDER,
        own={("A", "k"): (6, 0)},
        need={("A", "k"): (6, 0)},
        capacity_loss=[loss("A", "2026-01", "2026-01", "0.5")],
        catch_up=[catch_up("A", "2026-01", "2026-01", 3, 100)],
    )
    solution = solve_checked(tmp_path / "same", same)
    [account] = explain_capacity_loss(VolumeData.from_scenario(same), solution.decisions)
    assert account.lines()[1] == "catch-up in 2026-01: 3 units, 300 SEK"
