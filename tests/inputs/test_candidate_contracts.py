"""candidate_contracts.csv: read as contracts not bought yet, each problem located by file, row,
column and value, and a scenario without the table unchanged.

Example 1 of the spec (tests/data/example1): hospitals A and B, category k (A: 10 waiting, 4
inflow), contract c1 with provider X, months 2026-01..2026-02. Rows are numbered as a
spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import assert_located, invoke, only_problem, refused, write
from leveransplan.inputs import load_scenario
from leveransplan.models.scenario import VOLUME_OBJECTIVES

EXIT_INVALID = 3
CANDIDATES = (
    "contract,provider,category,price_sek,first_month,last_month,monthly_max,volume_max,out_of_region"
)
ACCESS = "hospital,provider,travel_minutes,allowed"


def test_candidates_are_contracts_without_a_minimum(example1: Path) -> None:
    # cand1 gives every column; cand2 leaves volume_max empty: no limit, written as the
    # category's patients, 10 waiting + 4 inflow = 14 (no plan refers more). Its provider Y
    # may have access.csv rows as contracts.csv's providers do.
    write(
        example1,
        "candidate_contracts.csv",
        CANDIDATES,
        "cand1,Y,k,90,2026-02,,5,8,false",
        "cand2,Z,k,500,,,,,ja",
    )
    write(example1, "access.csv", ACCESS, "A,X,30,true", "A,B,20,true", "A,Y,45,true")
    scenario = load_scenario(example1)
    existing, first, second = scenario.contracts
    assert (existing.contract, existing.candidate) == ("c1", False)
    assert (first.contract, first.volume_min, first.volume_max, first.monthly_max) == ("cand1", 0, 8, 5)
    assert (first.first_month, first.last_month, first.candidate) == ("2026-02", None, True)
    assert (second.volume_max, second.out_of_region, second.candidate) == (14, True, True)
    # The example's order (over_guarantee, cost, travel) has no out_of_region: procured goes
    # before cost, the first of the terms the spec puts after out_of_region.
    assert scenario.objective.volumes == ("over_guarantee", "procured", "cost", "travel")
    assert scenario.has_candidates


def test_a_scenario_without_candidates_keeps_its_order(example1: Path) -> None:
    scenario = load_scenario(example1)
    assert scenario.objective.volumes == ("over_guarantee", "cost", "travel")
    assert not scenario.has_candidates
    (example1 / "scenario.toml").write_text('name = "x"\nstart = "2026-01"\nmonths = 2\n', encoding="utf-8")
    assert load_scenario(example1).objective.volumes == VOLUME_OBJECTIVES


@pytest.mark.parametrize(
    ("lines", "row", "column", "value", "says"),
    [
        (["cand1,Y,k,90,,,,,", "cand1,Z,k,80,,,,,"], 3, "contract", "cand1", "duplicates row 2"),
        (["c1,Y,k,90,,,,,"], 2, "contract", "c1", "is a contract in contracts.csv already"),
        (["cand1,Y,q,90,,,,,"], 2, "category", "q", "is not a category in categories.csv"),
        (["cand1,B,k,90,,,,,"], 2, "provider", "B", "is a hospital code"),
        (["cand1,Y,k,90,2026-02,2026-01,,,"], 2, "last_month", "2026-01", "is before first_month 2026-02"),
        (["cand1,Y,k,-90,,,,,"], 2, "price_sek", "-90", "expected a whole number"),
        (["cand1,Y,k,90,,,,,kanske"], 2, "out_of_region", "kanske", "expected true/false"),
    ],
    ids=["twice", "existing id", "category", "hospital as provider", "months", "price", "boolean"],
)
def test_bad_candidate_rows_are_located(
    example1: Path, lines: list[str], row: int, column: str, value: str, says: str
) -> None:
    write(example1, "candidate_contracts.csv", CANDIDATES, *lines)
    assert_located(only_problem(example1), "candidate_contracts.csv", row, column, value, says)


def test_a_bad_candidate_table_writes_nothing(example1: Path, tmp_path: Path) -> None:
    write(
        example1, "candidate_contracts.csv", CANDIDATES.replace("price_sek", "prise_sek"), "cand1,Y,k,90,,,,,"
    )
    out = tmp_path / "plan"
    result = invoke("solve", example1, "--deterministic", "--workers", "1", "--out", out)
    refused(result, EXIT_INVALID, "candidate_contracts.csv", "prise_sek")
    assert "Traceback" not in result.output
    assert not out.exists()


def test_access_to_a_provider_of_no_contract_names_the_candidate_table(example1: Path) -> None:
    write(example1, "candidate_contracts.csv", CANDIDATES, "cand1,Y,k,90,,,,,")
    write(example1, "access.csv", ACCESS, "A,X,30,true", "A,W,20,true")
    assert_located(
        only_problem(example1),
        "access.csv",
        3,
        "provider",
        "W",
        "is neither a hospital in hospitals.csv nor a provider in contracts.csv or candidate_contracts.csv",
    )
