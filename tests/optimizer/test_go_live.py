"""A go-live that loses capacity (capacity_loss.csv, --dip) and the catch-up capacity before it
(catch_up.csv): the lost units are gone, and the plan chooses among catch-up, transfers and
referrals by their costs. Every plan goes through the independent checker (solve_checked).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from helpers.volumes import build, contract, solve_checked, stage_values
from leveransplan.models.derived import VolumeData, catch_up_contract
from leveransplan.models.explanation import explain_capacity_loss
from leveransplan.models.scenario import CapacityLossRow, CatchUpRow

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
