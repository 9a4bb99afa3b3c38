"""capacity_loss.csv, catch_up.csv and --dip / --shift on example 1 of the spec (tests/data/example1:
hospitals A and B, category k, contract c1 with provider X, months 2026-01..2026-02; A's base 5
splits [3, 2] under its factor 0.5 in 2026-02, B offers 3 additional units, split [1, 2]).

Each bad row is located by file, row (the header is row 1), column and value; the command exits 3
and writes nothing.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from helpers import EXAMPLE1, assert_located, flat, invoke, only_problem, refused, with_category_m, write
from leveransplan.inputs import load_scenario
from leveransplan.inputs.whatif import parse_what_ifs
from leveransplan.models.derived import VolumeData
from leveransplan.models.scenario import CapacityLossRow, CatchUpRow

LOSS = "hospital,category,first_month,last_month,factor"
CATCH_UP = "hospital,category,first_month,last_month,units_per_month,price_sek"
EXIT_INVALID = 3


def test_capacity_loss_and_catch_up_rows_load(example1: Path) -> None:
    write(example1, "capacity_loss.csv", LOSS, "A,,2026-01,2026-01,0.6", "B,k,2026-02,2026-02,0")
    write(example1, "catch_up.csv", CATCH_UP, "A,k,2026-01,2026-01,2,130")
    scenario = load_scenario(example1)
    assert scenario.capacity_loss == (
        CapacityLossRow(hospital="A", first_month="2026-01", last_month="2026-01", factor=Decimal("0.6")),
        CapacityLossRow(
            hospital="B", category="k", first_month="2026-02", last_month="2026-02", factor=Decimal(0)
        ),
    )
    assert scenario.catch_up == (
        CatchUpRow(
            hospital="A",
            category="k",
            first_month="2026-01",
            last_month="2026-01",
            units_per_month=2,
            price_sek=130,
        ),
    )
    data = VolumeData.from_scenario(scenario)
    # A's base in 2026-01: floor(0.6 × 3) = 1; B's additional in 2026-02: floor(0 × 2) = 0.
    assert (data.base_capacity["A", "k", 1], data.additional_capacity["B", "k", 2]) == (1, 0)
    assert data.lost_by_hospital() == {"A": (2, 0), "B": (0, 2)}
    catch_up = data.contracts["A catch-up k 2026-01..2026-01"]
    assert (catch_up.provider, catch_up.monthly_max, catch_up.volume_max, catch_up.price_sek) == (
        "A catch-up",
        2,
        2,
        130,
    )
    # B's patients may not use A's catch-up; A's may.
    assert not data.allowed("B", "A catch-up") and data.allowed("A", "A catch-up")


@pytest.mark.parametrize(
    ("file", "lines", "row", "column", "value", "says"),
    [
        ("capacity_loss.csv", [LOSS, "A,,2026-01,2026-01,0.6", "Z,,2026-01,2026-01,0.6"], 3, "hospital", "Z",
         "is not a hospital in hospitals.csv"),
        ("capacity_loss.csv", [LOSS, "A,q,2026-01,2026-01,0.6"], 2, "category", "q",
         "is not a category in categories.csv"),
        ("capacity_loss.csv", [LOSS, "A,k,2026-01,2026-02,1.5"], 2, "factor", "1.5",
         "expected the share of capacity kept, from 0 to 1"),
        ("capacity_loss.csv", [LOSS, "A,k,2026-01,2026-03,0.5"], 2, "last_month", "2026-03",
         "is outside the horizon 2026-01..2026-02"),
        ("capacity_loss.csv", [LOSS, "A,k,2026-02,2026-01,0.5"], 2, "last_month", "2026-01",
         "is before first_month 2026-02"),
        ("capacity_loss.csv", [LOSS, "A,k,2026-01,2026-01,lots"], 2, "factor", "lots",
         "expected a decimal number from 0 to 1 000"),
        ("catch_up.csv", [CATCH_UP, "A,k,2026-01,2026-01,-2,130"], 2, "units_per_month", "-2",
         "expected a whole number, 0 or more"),
        ("catch_up.csv", [CATCH_UP, "Z,k,2026-01,2026-01,2,130"], 2, "hospital", "Z",
         "is not a hospital in hospitals.csv"),
        ("catch_up.csv", [CATCH_UP, "A,k,2025-12,2026-01,2,130"], 2, "first_month", "2025-12",
         "is outside the horizon 2026-01..2026-02"),
        # Category m is in categories.csv, but A plans nothing in it: the row would change nothing.
        ("capacity_loss.csv", [LOSS, "A,,2026-01,2026-01,0.6", "A,m,2026-01,2026-01,0.5"], 3, "category", "m",
         "A has no row for it in need.csv or own_volumes.csv, so the row would change nothing"),
        ("catch_up.csv", [CATCH_UP, "B,m,2026-01,2026-01,2,130"], 2, "category", "m",
         "B has no row for it in need.csv or own_volumes.csv, so the row would change nothing"),
    ],
)  # fmt: skip
def test_a_bad_row_is_located(
    example1: Path, file: str, lines: list[str], row: int, column: str, value: str, says: str
) -> None:
    with_category_m(example1)
    write(example1, file, *lines)
    assert_located(only_problem(example1), file, row, column, value, says)


def test_an_empty_category_covers_the_hospitals_categories(example1: Path) -> None:
    # With a second category m that no hospital plans, an empty category still loads: it means
    # k for A (base 3 in 2026-01 keeps floor(0.5 x 3) = 1, 2 lost) and nothing more.
    with_category_m(example1)
    write(example1, "capacity_loss.csv", LOSS, "A,,2026-01,2026-01,0.5")
    assert VolumeData.from_scenario(load_scenario(example1)).lost_by_hospital() == {"A": (2, 0)}


def test_a_provider_named_like_a_catch_up_is_refused(example1: Path) -> None:
    write(example1, "catch_up.csv", CATCH_UP, "A,k,2026-01,2026-01,2,130")
    write(
        example1,
        "contracts.csv",
        "contract,provider,category,volume_min,volume_max,price_sek",
        "c1,X,k,2,3,120",
        "c2,A catch-up,k,0,3,120",
    )
    assert_located(
        only_problem(example1),
        "contracts.csv",
        3,
        "provider",
        "A catch-up",
        "is the name of a hospital's catch-up capacity",
    )


def test_a_candidate_provider_named_like_a_catch_up_is_refused(example1: Path) -> None:
    write(example1, "catch_up.csv", CATCH_UP, "A,k,2026-01,2026-01,2,130")
    write(
        example1,
        "candidate_contracts.csv",
        "contract,provider,category,price_sek",
        "cand1,Y,k,90",
        "cand2,A catch-up,k,90",
    )
    assert_located(
        only_problem(example1),
        "candidate_contracts.csv",
        3,
        "provider",
        "A catch-up",
        "is the name of a hospital's catch-up capacity",
    )


def test_solve_refuses_a_bad_table_and_writes_nothing(example1: Path, tmp_path: Path) -> None:
    write(example1, "capacity_loss.csv", LOSS, "A,k,2026-01,2026-02,1.5")
    out = tmp_path / "plan"
    result = invoke("solve", example1, "--out", out, "--only", "volumes")
    refused(result, EXIT_INVALID, "capacity_loss.csv, row 2, column factor: '1.5'")
    assert not out.exists()


def test_dip_says_what_it_loses_and_check_applies_it_again(tmp_path: Path) -> None:
    # A's base in 2026-01 is 3 (split of 5 over factors [1, 0.5]); keeping 0.6 leaves floor(1.8) = 1:
    # A loses 2 base units and no additional units (it offers none).
    out = tmp_path / "plan"
    result = invoke("solve", EXAMPLE1, "--out", out, "--dip", "A:2026-01=0.6", "--deterministic")
    assert result.exit_code == 0, result.output
    assert "--dip A:2026-01=0.6 A loses 2 base and 0 additional units" in flat(result.output)
    checked = invoke("check", EXAMPLE1, out)
    assert checked.exit_code == 0, checked.output
    explained = invoke("explain", EXAMPLE1, out, "--json")
    assert explained.exit_code == 0, explained.output
    [account] = json.loads(explained.stdout)["capacity_loss"]
    assert (account["hospital"], account["base_lost"], account["additional_lost"]) == ("A", 2, 0)


def test_dips_on_a_capacity_loss_print_figures_that_add_up(example1: Path, tmp_path: Path) -> None:
    # A's base in 2026-01 is 3. capacity_loss.csv keeps 0.9: floor(2.7) = 2, 1 unit lost. The first
    # --dip keeps 0.5 more: floor(0.45 x 3) = 1, 1 unit more; the second: floor(0.225 x 3) = 0, the
    # last unit. 1 + 1 + 1 = 3 = all of A's base that month (explain's total). Each flag alone
    # against the whole month would say 3 - floor(1.5) = 2, and 1 + 2 + 2 = 5 units of 3.
    write(example1, "capacity_loss.csv", LOSS, "A,,2026-01,2026-01,0.9")
    out = tmp_path / "plan"
    dips = ("A:2026-01=0.5", "A:k:2026-01=0.5")
    result = invoke("solve", example1, "--out", out, "--dip", dips[0], "--dip", dips[1], "--deterministic")
    assert result.exit_code == 0, result.output
    printed = flat(result.output)
    for dip in dips:
        assert f"--dip {dip} A loses 1 base and 0 additional units" in printed
    checked = invoke("check", example1, out)
    assert checked.exit_code == 0, checked.output
    explained = invoke("explain", example1, out, "--json")
    assert explained.exit_code == 0, explained.output
    [account] = json.loads(explained.stdout)["capacity_loss"]
    assert (account["hospital"], account["base_lost"], account["additional_lost"]) == ("A", 3, 0)


def test_a_loss_after_others_takes_what_they_left() -> None:
    # B's additional units split [1, 2]. Keeping 0.5 of 2026-02 loses 2 - floor(1) = 1; a second
    # 0.5 after it: floor(1) - floor(0.5) = 1 more, as floor(0.25 x 2) = 0 leaves nothing.
    data = VolumeData.from_scenario(load_scenario(EXAMPLE1))
    half = CapacityLossRow(hospital="B", first_month="2026-02", last_month="2026-02", factor=Decimal("0.5"))
    assert data.lost_by_hospital([half]) == {"B": (0, 1)}
    assert data.lost_by_hospital([half], before=[half]) == {"B": (0, 1)}
    assert data.lost_by_hospital([half], before=[half, half]) == {}


def test_shift_spreads_the_year_and_dip_loses_units() -> None:
    # --shift A:2026-01=0.5: A's factors become [0.5, 0.5] (W = 1), base split(5) = [floor(2.5), 5 - 2]
    # = [2, 3]: the year's 5 units stay, spread over the months. --dip A:2026-01=0.5 on the spec's
    # split [3, 2] keeps [floor(0.5 × 3), 2] = [1, 2]: 2 units are gone.
    def base(**flags: list[str]) -> list[int]:
        data = VolumeData.from_scenario(load_scenario(EXAMPLE1, parse_what_ifs(**flags)))  # type: ignore[arg-type]
        return [data.base_capacity["A", "k", m] for m in (1, 2)]

    assert base(shifts=["A:2026-01=0.5"]) == [2, 3]
    assert base(dips=["A:2026-01=0.5"]) == [1, 2]
