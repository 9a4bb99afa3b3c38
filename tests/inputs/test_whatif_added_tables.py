"""What-if flags on the format 1.1 tables: candidate_contracts.csv, capacity_loss.csv and catch_up.csv.

Example 1 of the spec (tests/data/example1): hospitals A and B, category k (A: 10 waiting, 4
inflow; A's base 5, B's additional 3), contract c1 with provider X, access rows A->X and A->B,
months 2026-01..2026-02. Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from helpers import with_category_m, write
from leveransplan.inputs import load_scenario
from leveransplan.inputs.whatif import KEYS, SCHEMAS, WhatIfInvalid, parse_what_ifs
from leveransplan.models.scenario import Scenario

CANDIDATES = "contract,provider,category,price_sek,first_month,last_month,monthly_max,volume_max"
ACCESS = "hospital,provider,travel_minutes,allowed"
LOSS = "hospital,category,first_month,last_month,factor"
CATCH_UP = "hospital,category,first_month,last_month,units_per_month,price_sek"


def loaded(folder: Path, **flags: list[str]) -> Scenario:
    return load_scenario(folder, parse_what_ifs(**flags))  # type: ignore[arg-type]


def refusal(folder: Path, **flags: list[str]) -> str:
    with pytest.raises(WhatIfInvalid) as raised:
        loaded(folder, **flags)
    return str(raised.value)


@pytest.fixture
def with_candidates(example1: Path) -> Path:
    # cand1 is a second offer of X (the provider of c1); cand2 is Y's, which only candidates name.
    # B may not use Y (allowed false): left in without its access rows, cand2 would be open to B.
    write(example1, "candidate_contracts.csv", CANDIDATES, "cand1,X,k,90,,,,5", "cand2,Y,k,95,,,,5")
    write(example1, "access.csv", ACCESS, "A,X,30,true", "A,B,20,true", "A,Y,45,true", "B,Y,0,false")
    return example1


def test_without_provider_leaves_out_its_candidates_too(with_candidates: Path) -> None:
    without_x = loaded(with_candidates, without_providers=["X"])
    assert [c.contract for c in without_x.contracts] == ["cand2"]
    assert {a.provider for a in without_x.access} == {"B", "Y"}
    # Y is a provider of candidate_contracts.csv only: its candidate and access rows go.
    without_y = loaded(with_candidates, without_providers=["Y"])
    assert [c.contract for c in without_y.contracts] == ["c1", "cand1"]
    assert {a.provider for a in without_y.access} == {"X", "B"}


def test_an_unknown_provider_lists_both_tables(with_candidates: Path) -> None:
    message = refusal(with_candidates, without_providers=["Z"])
    assert "is not a provider in contracts.csv or candidate_contracts.csv; expected one of X, Y" in message


def test_set_a_candidate_contracts_cell(with_candidates: Path) -> None:
    scenario = loaded(with_candidates, sets=["candidate_contracts.cand1.price_sek=80"])
    assert [(c.contract, c.price_sek) for c in scenario.contracts] == [
        ("c1", 120),
        ("cand1", 80),
        ("cand2", 95),
    ]


def test_every_table_has_a_key_of_its_columns() -> None:
    assert set(KEYS) == set(SCHEMAS)
    for table, columns in KEYS.items():
        assert set(columns) <= set(SCHEMAS[table].names), table


def test_set_and_where_name_an_empty_category_by_nothing(example1: Path) -> None:
    write(example1, "capacity_loss.csv", LOSS, "A,,2026-01,2026-01,0.6", "A,k,2026-01,2026-01,0.9")
    write(example1, "catch_up.csv", CATCH_UP, "A,,2026-01,2026-02,2,130")
    scenario = loaded(
        example1,
        sets=["capacity_loss.A//2026-01/2026-01.factor=0.5", "catch_up.A//2026-01/2026-02.price_sek=140"],
    )
    assert [(r.category, r.factor) for r in scenario.capacity_loss] == [
        (None, Decimal("0.5")),
        ("k", Decimal("0.9")),
    ]
    assert [(r.category, r.price_sek) for r in scenario.catch_up] == [(None, 140)]
    # --where category= picks the row with the empty category only: 0.6 x 0.5 = 0.3; 0.9 stays.
    scaled = loaded(example1, scales=["capacity_loss.factor=0.5"], where=["category="])
    assert [r.factor for r in scaled.capacity_loss] == [Decimal("0.30"), Decimal("0.9")]


def test_set_refuses_a_key_that_names_several_rows(example1: Path) -> None:
    # Two rows for A, k, 2026-01..2026-01 are two losses that multiply; neither is meant alone.
    write(example1, "capacity_loss.csv", LOSS, "A,k,2026-01,2026-01,0.6", "A,k,2026-01,2026-01,0.9")
    message = refusal(example1, sets=["capacity_loss.A/k/2026-01/2026-01.factor=0.5"])
    assert "matches rows 2, 3 of capacity_loss.csv; expected a key of one row" in message


def test_dip_refuses_a_category_its_hospital_does_not_plan(example1: Path) -> None:
    # Category m exists, but A has no need.csv or own_volumes.csv row in it: nothing to lose.
    with_category_m(example1)
    message = refusal(example1, dips=["A:m:2026-01=0.5"])
    assert "--dip A:m:2026-01=0.5: 'm': A has no row for it in need.csv or own_volumes.csv" in message
