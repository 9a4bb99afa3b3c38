"""uncertainty.csv (a format 1.1 addition) on example 1 of the spec (tests/data/example1: hospitals A
and B, category k, contract c1 with provider X, months 2026-01..2026-02).

Each bad row is located by file, row (the header is row 1), column and value; `validate` exits 3.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from helpers import assert_located, invoke, only_problem, problems_in, refused, write
from helpers.volumes import build, write_scenario
from leveransplan.inputs import ScenarioInvalid, default_scenario_path, load_scenario
from leveransplan.inputs.whatif import parse_what_ifs
from leveransplan.models.scenario import UncertaintyRow

UNCERTAINTY = "kind,hospital,category,contract,month,value"
CANDIDATES = "contract,provider,category,price_sek"
EXIT_INVALID = 3


def test_a_valid_table_loads_row_by_row(example1: Path) -> None:
    write(
        example1,
        "uncertainty.csv",
        UNCERTAINTY,
        "inflow_cv,,,,,0.15",
        "inflow_cv,A,k,,,0.2",
        "inflow_swing,B,,,,0.3",
        "season,,k,,2026-01,1.25",
        "season,A,k,,2026-01,0.8",
        "shortfall_chance,A,,,2026-02,0.05",
        "shortfall_depth,,,,,0",
        "reliability,,,c1,,1",
        "reliability,,,,,0.9",
    )
    assert load_scenario(example1).uncertainty == (
        UncertaintyRow(kind="inflow_cv", value=Decimal("0.15")),
        UncertaintyRow(kind="inflow_cv", hospital="A", category="k", value=Decimal("0.2")),
        UncertaintyRow(kind="inflow_swing", hospital="B", value=Decimal("0.3")),
        UncertaintyRow(kind="season", category="k", month="2026-01", value=Decimal("1.25")),
        UncertaintyRow(kind="season", hospital="A", category="k", month="2026-01", value=Decimal("0.8")),
        UncertaintyRow(kind="shortfall_chance", hospital="A", month="2026-02", value=Decimal("0.05")),
        UncertaintyRow(kind="shortfall_depth", value=Decimal(0)),
        UncertaintyRow(kind="reliability", contract="c1", value=Decimal(1)),
        UncertaintyRow(kind="reliability", value=Decimal("0.9")),
    )


def test_semicolons_and_decimal_commas_and_left_out_columns(example1: Path) -> None:
    # Excel's Swedish CSV: ';' between cells and a decimal comma. Only the columns the rows use.
    write(example1, "uncertainty.csv", "kind;hospital;value", "inflow_cv;A;0,25", "shortfall_depth;;0,3")
    assert load_scenario(example1).uncertainty == (
        UncertaintyRow(kind="inflow_cv", hospital="A", value=Decimal("0.25")),
        UncertaintyRow(kind="shortfall_depth", value=Decimal("0.3")),
    )


def test_a_candidate_contract_may_be_named(example1: Path) -> None:
    write(example1, "candidate_contracts.csv", CANDIDATES, "cand1,Y,k,90")
    write(example1, "uncertainty.csv", "kind,contract,value", "reliability,cand1,0.8")
    assert load_scenario(example1).uncertainty == (
        UncertaintyRow(kind="reliability", contract="cand1", value=Decimal("0.8")),
    )


def test_a_scenario_written_by_the_test_helpers_reads_back(tmp_path: Path) -> None:
    rows = (
        UncertaintyRow(kind="inflow_swing", hospital="A", category="k", value=Decimal("0.2")),
        UncertaintyRow(kind="season", month="2026-02", value=Decimal("1.5")),
    )
    scenario = build(
        order=("over_guarantee", "cost"),
        months=2,
        own={("A", "k"): (5, 0)},
        need={("A", "k"): (5, 2)},
        uncertainty=rows,
    )
    assert load_scenario(write_scenario(tmp_path / "s", scenario)).uncertainty == rows


def test_the_shipped_scenario_has_no_uncertainty() -> None:
    assert load_scenario(default_scenario_path()).uncertainty == ()


@pytest.mark.parametrize(
    ("lines", "row", "column", "value", "says"),
    [
        ([UNCERTAINTY, "inflow_cv,,,,,0.1", "inflow_vc,A,k,,,0.1"], 3, "kind", "inflow_vc",
         "is not a kind of uncertainty; expected one of inflow_cv, inflow_swing, season, "
         "shortfall_chance, shortfall_depth, reliability"),
        ([UNCERTAINTY, "inflow_cv,A,k,c1,,0.1"], 2, "contract", "c1",
         "is not a key of kind inflow_cv; expected the cell empty (inflow_cv takes hospital, category)"),
        ([UNCERTAINTY, "reliability,A,,c1,,0.9"], 2, "hospital", "A",
         "is not a key of kind reliability; expected the cell empty (reliability takes contract)"),
        ([UNCERTAINTY, "shortfall_chance,A,k,,2026-01,0.1"], 2, "category", "k",
         "(shortfall_chance takes hospital, month)"),
        ([UNCERTAINTY, "season,A,k,,2026-01,1.1", "season,A,k,,,1.1"], 3, "month", "",
         "a season row states one month's inflow; expected a month written YYYY-MM"),
        (["kind,category,value", "season,k,1.1"], 2, "month", "",
         "a season row states one month's inflow"),
        ([UNCERTAINTY, "inflow_cv,Z,,,,0.1"], 2, "hospital", "Z", "is not a hospital in hospitals.csv"),
        ([UNCERTAINTY, "season,,q,,2026-01,1.1"], 2, "category", "q", "is not a category in categories.csv"),
        ([UNCERTAINTY, "reliability,,,c9,,0.9"], 2, "contract", "c9",
         "is not a contract in contracts.csv or candidate_contracts.csv"),
        ([UNCERTAINTY, "shortfall_depth,A,,,2026-03,0.2"], 2, "month", "2026-03",
         "is outside the horizon 2026-01..2026-02"),
        ([UNCERTAINTY, "season,,,,2026-13,1.1"], 2, "month", "2026-13", "expected a month written YYYY-MM"),
        ([UNCERTAINTY, "inflow_cv,,,,,1.5"], 2, "value", "1.5",
         "expected a coefficient of variation from 0 to 1 (0.1: a standard deviation of 10 % of the "
         "forecast)"),
        ([UNCERTAINTY, "inflow_swing,,,,,1.2"], 2, "value", "1.2",
         "expected a swing from 0 to 1 (0.2: the inflow is 80 % or 120 % of the forecast, equally likely)"),
        ([UNCERTAINTY, "season,,,,2026-01,0"], 2, "value", "0",
         "expected the month's inflow relative to an average month, above 0 and at most 10"),
        ([UNCERTAINTY, "season,,,,2026-01,10.5"], 2, "value", "10.5", "above 0 and at most 10"),
        ([UNCERTAINTY, "shortfall_chance,,,,,-0.1"], 2, "value", "-0.1",
         "expected a chance from 0 to 1 (0.1 is one month in ten)"),
        ([UNCERTAINTY, "shortfall_depth,,,,,2"], 2, "value", "2",
         "expected the share of production lost in a month that falls short, from 0 to 1"),
        ([UNCERTAINTY, "reliability,,,c1,,1.01"], 2, "value", "1.01",
         "expected the chance that the provider delivers a month's planned referrals, from 0 to 1"),
        ([UNCERTAINTY, "reliability,,,c1,,lots"], 2, "value", "lots",
         "expected a decimal number such as 0.25, from -1 000 to 1 000, with at most 20 decimals"),
        ([UNCERTAINTY, "inflow_cv,A,k,,,0.1", "inflow_cv,B,k,,,0.1", "inflow_cv,A,k,,,0.2"], 4, "kind",
         "inflow_cv", "duplicates row 2 (inflow_cv, hospital=A, category=k); each key once"),
        ([UNCERTAINTY, "season,,k,,2026-02,1.1", "season,,k,,2026-02,0.9"], 3, "kind", "season",
         "duplicates row 2 (season, category=k, month=2026-02)"),
        ([UNCERTAINTY, "inflow_swing,,k,,,0.2", "inflow_cv,A,k,,,0.1", "inflow_cv,,k,,,0.1"], 4, "kind",
         "inflow_cv", "row 2 gives the same hospital and category an inflow_swing already; expected "
         "inflow_cv or inflow_swing for them, not both"),
    ],
)  # fmt: skip
def test_a_bad_row_is_located(
    example1: Path, lines: list[str], row: int, column: str, value: str, says: str
) -> None:
    write(example1, "uncertainty.csv", *lines)
    assert_located(only_problem(example1), "uncertainty.csv", row, column, value, says)
    refused(invoke("validate", example1), EXIT_INVALID, f"uncertainty.csv, row {row}, column {column}", says)


def test_every_problem_is_listed(example1: Path) -> None:
    write(
        example1,
        "uncertainty.csv",
        UNCERTAINTY,
        "inflow_cv,Z,,c1,,1.5",
        "season,,k,,,0",
        "reliability,,,c1,,0.9",
        "reliability,,,c1,,0.8",
    )
    located = [(p.row, p.column) for p in problems_in(example1)]
    assert located == [
        (2, "contract"),
        (2, "hospital"),
        (2, "value"),
        (3, "month"),
        (3, "value"),
        (5, "kind"),
    ]


def test_the_table_needs_the_volume_tables(tmp_path: Path) -> None:
    folder = tmp_path / "scenario"
    folder.mkdir()
    (folder / "scenario.toml").write_text('name = "U"\nstart = "2026-01"\nmonths = 2\n', encoding="utf-8")
    write(folder, "hospitals.csv", "hospital,name", "A,Hospital A")
    write(folder, "uncertainty.csv", UNCERTAINTY, "inflow_cv,A,,,,0.1")
    missing = {p.file for p in problems_in(folder) if "a scenario with volume tables needs it" in p.expected}
    assert missing == {"categories.csv", "prices.csv", "own_volumes.csv", "need.csv"}


def test_set_changes_a_value_and_the_rules_check_it(example1: Path) -> None:
    write(example1, "uncertainty.csv", UNCERTAINTY, "inflow_cv,A,k,,,0.1", "reliability,,,c1,,0.9")
    changed = load_scenario(example1, parse_what_ifs(sets=["uncertainty.inflow_cv/A/k//.value=0.3"]))
    assert changed.uncertainty[0].value == Decimal("0.3")
    scaled = load_scenario(
        example1, parse_what_ifs(scales=["uncertainty.value=0.5"], where=["kind=reliability"])
    )
    assert [row.value for row in scaled.uncertainty] == [Decimal("0.1"), Decimal("0.45")]
    # A value set out of its kind's range is reported as if it had been typed into the file.
    with pytest.raises(ScenarioInvalid) as raised:
        load_scenario(example1, parse_what_ifs(sets=["uncertainty.reliability///c1/.value=1.5"]))
    [problem] = raised.value.problems
    assert_located(problem, "uncertainty.csv", 3, "value", "1.5", "the provider delivers")
