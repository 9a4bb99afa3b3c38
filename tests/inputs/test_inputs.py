"""The scenario loader: each kind of input error is located, the CSV rules are accepted, VGR 2026 loads.

Most tests copy example 1 of the spec (tests/data/example1: hospitals A and B, category k of
price class besok, contract c1 with provider X, months 2026-01..2026-02) and break one thing.
Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row row 2.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import EXAMPLE1, assert_located, flat, only_problem, problems_in, write
from leveransplan.cli import app
from leveransplan.inputs import InputProblem, ScenarioInvalid, default_scenario_path, load_scenario

EXIT_INVALID = 3

NEED = "hospital,category,waiting,inflow"
OWN = "hospital,category,base,additional_max"
PRICES = "hospital,price_class,price_sek"
PROFILE = "hospital;month;factor"
CONTRACTS = (
    "contract,provider,category,volume_min,volume_max,price_sek,"
    "first_month,last_month,monthly_max,out_of_region"
)
ACCESS = "hospital,provider,travel_minutes,allowed"


def problem_at(problems: list[InputProblem], file: str, column: str | None) -> InputProblem:
    """The one problem reported for that file and column (others may follow from it)."""
    found = [p for p in problems if p.file == file and p.column == column]
    assert len(found) == 1, "\n".join(map(str, problems))
    return found[0]


# --- codes that refer to other tables ---------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "lines", "row"),
    [
        ("need.csv", [NEED, "A,k,10,4", "Z,k,1,1"], 3),
        ("own_volumes.csv", [OWN, "A,k,5,0", "B,k,0,3", "Z,k,1,0"], 4),
        ("prices.csv", [PRICES, "A,besok,100", "B,besok,150", "Z,besok,90"], 4),
        ("profile.csv", [PROFILE, "A;2026-02;0,5", "Z;2026-01;0,8"], 3),
        ("access.csv", [ACCESS, "A,X,30,true", "A,B,20,true", "Z,X,10,true"], 4),
    ],
)
def test_unknown_hospital_code(example1, file, lines, row):
    write(example1, file, *lines)
    assert_located(only_problem(example1), file, row, "hospital", "Z", "is not a hospital in hospitals.csv")


@pytest.mark.parametrize(
    ("file", "lines", "row"),
    [
        ("need.csv", [NEED, "A,k,10,4", "A,q,1,1"], 3),
        ("own_volumes.csv", [OWN, "A,k,5,0", "B,k,0,3", "B,q,1,0"], 4),
        ("contracts.csv", [CONTRACTS, "c1,X,k,2,3,120,,,2,false", "c2,X,q,0,5,100,,,,"], 3),
    ],
)
def test_unknown_category(example1, file, lines, row):
    write(example1, file, *lines)
    assert_located(only_problem(example1), file, row, "category", "q", "is not a category in categories.csv")


def test_unknown_provider_in_access(example1):
    # Y is neither hospital A or B nor contract c1's provider X.
    write(example1, "access.csv", ACCESS, "A,X,30,true", "A,B,20,true", "A,Y,45,true")
    assert_located(
        only_problem(example1),
        "access.csv",
        4,
        "provider",
        "Y",
        "is neither a hospital in hospitals.csv nor a provider in contracts.csv",
    )


def test_provider_code_equal_to_a_hospital_code(example1):
    write(example1, "contracts.csv", CONTRACTS, "c1,X,k,2,3,120,,,2,false", "c2,B,k,0,5,100,,,,")
    assert_located(only_problem(example1), "contracts.csv", 3, "provider", "B", "is a hospital code")


@pytest.mark.parametrize(
    ("file", "lines", "row", "column", "value", "first"),
    [
        ("need.csv", [NEED, "A,k,10,4", "A,k,3,3"], 3, "category", "k", 2),
        ("own_volumes.csv", [OWN, "A,k,5,0", "B,k,0,3", "A,k,1,0"], 4, "category", "k", 2),
        (
            "contracts.csv",
            [CONTRACTS, "c1,X,k,2,3,120,,,2,false", "c1,X,k,0,1,110,,,,"],
            3,
            "contract",
            "c1",
            2,
        ),
        ("prices.csv", [PRICES, "A,besok,100", "B,besok,150", "B,besok,160"], 4, "price_class", "besok", 3),
        ("access.csv", [ACCESS, "A,X,30,true", "A,B,20,true", "A,X,25,false"], 4, "provider", "X", 2),
    ],
)
def test_duplicate_key(example1, file, lines, row, column, value, first):
    write(example1, file, *lines)
    assert_located(only_problem(example1), file, row, column, value, f"duplicates row {first}")


# --- rules within a row -----------------------------------------------------------------------


def test_volume_min_above_volume_max(example1):
    write(example1, "contracts.csv", CONTRACTS, "c1,X,k,4,3,120,,,2,false")
    assert_located(only_problem(example1), "contracts.csv", 2, "volume_min", "4", "is above volume_max 3")


def test_last_month_before_first_month(example1):
    write(example1, "contracts.csv", CONTRACTS, "c1,X,k,2,3,120,2026-02,2026-01,2,false")
    assert_located(
        only_problem(example1), "contracts.csv", 2, "last_month", "2026-01", "is before first_month 2026-02"
    )


@pytest.mark.parametrize("month", ["2026-03", "2025-12"])
def test_profile_month_outside_the_horizon(example1, month):
    # The horizon of example 1 is 2026-01..2026-02: one month after it, one before it.
    write(example1, "profile.csv", PROFILE, "A;2026-02;0,5", f"B;{month};0,9")
    assert_located(
        only_problem(example1), "profile.csv", 3, "month", month, "is outside the horizon 2026-01..2026-02"
    )


def test_missing_price_for_offered_additional_volume(example1):
    # B offers 3 additional units of k (price class besok) but prices.csv has no B besok row.
    write(example1, "prices.csv", PRICES, "A,besok,100")
    assert_located(
        only_problem(example1),
        "own_volumes.csv",
        3,
        "additional_max",
        "3",
        "prices.csv has no row for B besok",
    )


# --- headers and files --------------------------------------------------------------------------


def test_unknown_column_typo_in_an_optional_header(example1):
    # "alowed" is a typo of the optional column "allowed": it must not be silently ignored.
    # The header name is the bad value; the problem is in row 1 and has no column of its own.
    write(example1, "access.csv", "hospital,provider,travel_minutes,alowed", "A,X,30,true")
    assert_located(only_problem(example1), "access.csv", 1, None, "alowed", "is not a column of access.csv")


def test_unknown_column_typo_in_a_required_header(example1):
    # A typo in a required column is both an unknown column and a missing one.
    write(example1, "need.csv", "hospital,category,waitng,inflow", "A,k,10,4")
    problems = problems_in(example1)
    assert len(problems) == 2, "\n".join(map(str, problems))
    assert_located(problem_at(problems, "need.csv", None), "need.csv", 1, None, "waitng", "is not a column")
    assert_located(
        problem_at(problems, "need.csv", "waiting"),
        "need.csv",
        1,
        "waiting",
        None,
        "required column is missing",
    )


def test_missing_required_column(example1):
    write(example1, "need.csv", "hospital,category,waiting", "A,k,10")
    assert_located(only_problem(example1), "need.csv", 1, "inflow", None, "the required column is missing")


@pytest.mark.parametrize("file", ["need.csv", "own_volumes.csv"])
def test_missing_required_file(example1, file):
    (example1 / file).unlink()
    assert_located(only_problem(example1), file, None, None, None, "is missing")


def test_missing_scenario_toml(example1):
    (example1 / "scenario.toml").unlink()
    assert_located(only_problem(example1), "scenario.toml", None, None, None, "is missing")


# --- cell values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "lines", "row", "column"),
    [
        ("need.csv", [NEED, "A,k,-3,4"], 2, "waiting"),
        ("own_volumes.csv", [OWN, "A,k,-3,0", "B,k,0,3"], 2, "base"),
        ("prices.csv", [PRICES, "A,besok,-3", "B,besok,150"], 2, "price_sek"),
        ("access.csv", [ACCESS, "A,X,30,true", "A,B,-3,true"], 3, "travel_minutes"),
    ],
)
def test_negative_count(example1, file, lines, row, column):
    write(example1, file, *lines)
    assert_located(only_problem(example1), file, row, column, "-3", "expected a whole number, 0 or more")


@pytest.mark.parametrize(
    ("file", "lines", "column", "value"),
    [
        ("need.csv", [NEED, "A,k,10,4.5"], "inflow", "4.5"),
        # With ';' a decimal comma is read as a decimal, and 2,5 is still not whole.
        ("own_volumes.csv", ["hospital;category;base;additional_max", "A;k;2,5;0", "B;k;0;3"], "base", "2,5"),
    ],
)
def test_non_whole_number(example1, file, lines, column, value):
    write(example1, file, *lines)
    assert_located(only_problem(example1), file, 2, column, value, "expected a whole number")


@pytest.mark.parametrize("month", ["2026-13", "2026-2", "feb 2026", "2026/02"])
def test_bad_month_in_profile(example1, month):
    write(example1, "profile.csv", PROFILE, f"A;{month};0,5")
    assert_located(
        only_problem(example1), "profile.csv", 2, "month", month, "expected a month written YYYY-MM"
    )


def test_bad_month_in_contracts(example1):
    # The contract's row is dropped; access.csv then cannot name its provider X, so keep only A -> B.
    write(example1, "contracts.csv", CONTRACTS, "c1,X,k,2,3,120,2026/03,,2,false")
    write(example1, "access.csv", ACCESS, "A,B,20,true")
    assert_located(
        only_problem(example1),
        "contracts.csv",
        2,
        "first_month",
        "2026/03",
        "expected a month written YYYY-MM",
    )


def test_bad_boolean_in_access(example1):
    write(example1, "access.csv", ACCESS, "A,X,30,true", "A,B,20,maybe")
    assert_located(only_problem(example1), "access.csv", 3, "allowed", "maybe", "expected true/false, 1/0")


def test_bad_boolean_in_contracts(example1):
    write(example1, "contracts.csv", CONTRACTS, "c1,X,k,2,3,120,,,2,sant")
    write(example1, "access.csv", ACCESS, "A,B,20,true")
    assert_located(
        only_problem(example1), "contracts.csv", 2, "out_of_region", "sant", "expected true/false, 1/0"
    )


def test_bad_price_class_in_categories(example1):
    write(
        example1,
        "categories.csv",
        "category,area,kind,specialty,price_class",
        "k,somatik,forstabesok,Test,visit",
    )
    problem = problem_at(problems_in(example1), "categories.csv", "price_class")
    assert_located(
        problem, "categories.csv", 2, "price_class", "visit", "expected one of besok, behandling, skopi"
    )


def test_bad_price_class_in_prices(example1):
    write(example1, "prices.csv", PRICES, "A,visit,100", "B,besok,150")
    assert_located(
        only_problem(example1),
        "prices.csv",
        2,
        "price_class",
        "visit",
        "expected one of besok, behandling, skopi",
    )


def test_empty_required_cell(example1):
    write(example1, "need.csv", NEED, "A,k,,4")
    assert_located(only_problem(example1), "need.csv", 2, "waiting", "", "expected a value")


# --- scenario.toml ------------------------------------------------------------------------------


SETTINGS = 'name = "Example 1"\nstart = "2026-01"\nmonths = 2\n'


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("nmae = 'x'\n", "nmae"),  # a typo at the top level
        ("[solver]\ntime_limit = 20\n", "solver.time_limit"),  # a typo inside a table
        ("[budgets]\nmax_cost_sek = 360\n", "budgets"),  # a typo in a table name
    ],
)
def test_unknown_key_in_scenario_toml(example1, extra, key):
    (example1 / "scenario.toml").write_text(SETTINGS + extra, encoding="utf-8")
    assert_located(only_problem(example1), "scenario.toml", None, None, None, "is not a setting", key=key)


def test_unknown_objective_name(example1):
    (example1 / "scenario.toml").write_text(
        SETTINGS + '[objective]\nvolumes = ["over_guarantee", "costs"]\n', encoding="utf-8"
    )
    assert_located(
        only_problem(example1),
        "scenario.toml",
        None,
        None,
        "costs",
        "is not an objective",
        key="objective.volumes",
    )


def test_repeated_objective_name(example1):
    (example1 / "scenario.toml").write_text(
        SETTINGS + '[objective]\nvolumes = ["cost", "over_guarantee", "cost"]\n', encoding="utf-8"
    )
    assert_located(
        only_problem(example1), "scenario.toml", None, None, "cost", "appears twice", key="objective.volumes"
    )


# --- all problems at once -----------------------------------------------------------------------


def test_problems_in_several_files_are_all_reported_in_one_pass(example1):
    write(example1, "need.csv", NEED, "A,k,-10,4")
    write(example1, "profile.csv", PROFILE, "A;2026-02;0,5", "A;2026-07;0,5")
    write(example1, "contracts.csv", CONTRACTS, "c1,X,k,4,3,120,,,2,false")
    write(example1, "access.csv", ACCESS, "A,X,30,true", "A,Y,20,true")
    (example1 / "scenario.toml").write_text(SETTINGS + '[objective]\nvolumes = ["speed"]\n', encoding="utf-8")
    problems = problems_in(example1)
    located = {(p.file, p.row, p.column or p.key, p.value) for p in problems}
    assert located == {
        ("need.csv", 2, "waiting", "-10"),
        ("profile.csv", 3, "month", "2026-07"),
        ("contracts.csv", 2, "volume_min", "4"),
        ("access.csv", 3, "provider", "Y"),
        ("scenario.toml", None, "objective.volumes", "speed"),
    }
    assert len(problems) == 5


# --- CSV rules that must be accepted -----------------------------------------------------------


def test_semicolon_delimiter_with_decimal_comma(example1):
    # example1's profile.csv is "A;2026-02;0,5"; own_volumes.csv is rewritten with ';' as well.
    write(example1, "own_volumes.csv", "hospital;category;base;additional_max", "A;k;5;0", "B;k;0;3")
    scenario = load_scenario(example1)
    assert [(p.hospital, p.month, p.factor) for p in scenario.profile] == [("A", "2026-02", Decimal("0.5"))]
    assert [(o.hospital, o.base, o.additional_max) for o in scenario.own_volumes] == [
        ("A", 5, 0),
        ("B", 0, 3),
    ]


def test_utf8_bom_is_allowed(example1):
    # Excel's "CSV UTF-8" starts with a BOM; the first column must still be called "hospital".
    write(example1, "need.csv", NEED, "A,k,10,4", bom=True)
    write(example1, "profile.csv", PROFILE, "A;2026-02;0,5", bom=True, newline="\r\n")
    (example1 / "scenario.toml").write_bytes(b"\xef\xbb\xbf" + (example1 / "scenario.toml").read_bytes())
    scenario = load_scenario(example1)
    assert [(n.hospital, n.waiting, n.inflow) for n in scenario.need] == [("A", 10, 4)]
    assert scenario.profile[0].factor == Decimal("0.5")


@pytest.mark.parametrize(
    "written",
    ["250 000", "250\u00a0000", "250\u202f000", " 250000 "],
    ids=["space", "no-break space", "narrow no-break space", "padded"],
)
def test_spaces_inside_numbers_are_ignored(example1, written):
    write(example1, "own_volumes.csv", OWN, f"A,k,{written},0", "B,k,0,3")
    scenario = load_scenario(example1)
    assert scenario.own_volumes[0].base == 250_000


def test_spaces_inside_numbers_with_decimal_comma(example1):
    write(example1, "own_volumes.csv", "hospital;category;base;additional_max", "A;k;1 250;0", "B;k;0;3")
    write(example1, "profile.csv", PROFILE, "A;2026-02;0,5")
    assert load_scenario(example1).own_volumes[0].base == 1250


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("true", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("yes", True),
        ("no", False),
        ("ja", True),
        ("nej", False),
        ("JA", True),
        ("False", False),
    ],
)
def test_booleans(example1, written, value):
    write(example1, "access.csv", ACCESS, f"A,X,30,{written}", "A,B,20,true")
    write(example1, "contracts.csv", CONTRACTS, f"c1,X,k,2,3,120,,,2,{written}")
    scenario = load_scenario(example1)
    assert scenario.access[0].allowed is value
    assert scenario.contracts[0].out_of_region is value


def test_empty_optional_cells_take_defaults(example1):
    # Empty months mean the horizon's ends, empty monthly_max no limit, out_of_region false,
    # allowed true.
    write(example1, "contracts.csv", CONTRACTS, "c1,X,k,2,3,120,,,,")
    write(example1, "access.csv", ACCESS, "A,X,30,", "A,B,20, ")
    scenario = load_scenario(example1)
    contract = scenario.contracts[0]
    assert (contract.first_month, contract.last_month, contract.monthly_max, contract.out_of_region) == (
        None,
        None,
        None,
        False,
    )
    assert [a.allowed for a in scenario.access] == [True, True]


def test_optional_columns_may_be_left_out(example1):
    write(
        example1,
        "contracts.csv",
        "contract,provider,category,volume_min,volume_max,price_sek",
        "c1,X,k,2,3,120",
    )
    write(example1, "access.csv", "hospital,provider,travel_minutes", "A,X,30", "A,B,20")
    scenario = load_scenario(example1)
    assert scenario.contracts[0].monthly_max is None
    assert scenario.contracts[0].out_of_region is False
    assert [a.allowed for a in scenario.access] == [True, True]


def test_optional_tables_may_be_left_out_and_own_volumes_may_be_empty(example1):
    for file in ("profile.csv", "contracts.csv", "access.csv"):
        (example1 / file).unlink()
    write(example1, "own_volumes.csv", OWN)
    scenario = load_scenario(example1)
    assert (scenario.own_volumes, scenario.profile, scenario.contracts, scenario.access) == ((), (), (), ())


def test_blank_lines_are_skipped_and_keep_later_row_numbers(example1):
    # Row 1 header, row 2 A, row 3 empty, row 4 spaces only, row 5 only delimiters, row 6 bad.
    write(example1, "need.csv", NEED, "A,k,10,4", "", "   ", ",,,", "B,k,x,1")
    assert_located(only_problem(example1), "need.csv", 6, "waiting", "x", "expected a whole number")


def test_blank_lines_with_crlf_and_semicolons(example1):
    write(example1, "profile.csv", PROFILE, "", "A;2026-02;0,5", ";;", "B;2026-09;1", newline="\r\n")
    # Header row 1, blank row 2, A in row 3, blank row 4, B in row 5.
    assert_located(only_problem(example1), "profile.csv", 5, "month", "2026-09", "is outside the horizon")


def test_blank_lines_alone_are_accepted(example1):
    write(example1, "need.csv", NEED, "", "A,k,10,4", "", "")
    assert [(n.hospital, n.waiting) for n in load_scenario(example1).need] == [("A", 10)]


# --- the shipped scenario -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def vgr_2026():
    """The VGR 2026 scenario shipped in the package (SÄS volumes and all prices from the decision)."""
    return load_scenario(default_scenario_path())


def test_shipped_scenario_matches_the_2026_decision(vgr_2026):
    # The decision's volume table for SÄS: bas 41 404 + tillägg 22 035 = uppdrag 63 439 over 49 categories.
    sas = [o for o in vgr_2026.own_volumes if o.hospital == "SÄS"]
    base = sum(o.base for o in sas)
    additional = sum(o.additional_max for o in sas)
    assert (base, additional, base + additional) == (41_404, 22_035, 63_439)
    assert len(vgr_2026.categories) == 49
    assert {o.category for o in sas} == {c.category for c in vgr_2026.categories}
    assert [h.hospital for h in vgr_2026.hospitals] == ["SU", "NU", "SkaS", "SÄS", "SV"]
    assert (vgr_2026.start, vgr_2026.months) == ("2026-01", 12)


def test_shipped_scenario_prices(vgr_2026):
    # Additional visits at the fixed 2 503 SEK, treatments at the DRG price 35 795 SEK, and the
    # hospital-specific prices for colonoscopies and gastroscopies.
    price = {(p.hospital, p.price_class): p.price_sek for p in vgr_2026.prices}
    hospitals = ["SU", "NU", "SkaS", "SÄS", "SV"]
    assert {price[h, "besok"] for h in hospitals} == {2_503}
    assert {price[h, "behandling"] for h in hospitals} == {35_795}
    assert {h: price[h, "skopi"] for h in hospitals} == {
        "SU": 4_914,
        "NU": 4_955,
        "SkaS": 4_770,
        "SÄS": 4_997,
        "SV": 4_459,
    }
    assert len(price) == 15


# --- command line -------------------------------------------------------------------------------


def test_cli_validate_broken_scenario_exits_3_with_the_located_message(example1):
    write(example1, "need.csv", NEED, "A,k,10,4", "A,q,1,1")
    result = CliRunner().invoke(app, ["validate", str(example1)])
    assert result.exit_code == EXIT_INVALID, result.output
    output = flat(result.output)
    assert "need.csv, row 3, column category: 'q': is not a category in categories.csv" in output


def test_cli_validate_example1_exits_0():
    result = CliRunner().invoke(app, ["validate", str(EXAMPLE1)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_cli_solve_broken_scenario_exits_3_and_writes_nothing(example1, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # anything written to the working folder would show up here too
    write(example1, "contracts.csv", CONTRACTS, "c1,X,k,4,3,120,,,2,false")
    before = set(tmp_path.iterdir())
    out = tmp_path / "plan"
    result = CliRunner().invoke(app, ["solve", str(example1), "--out", str(out)])
    assert result.exit_code == EXIT_INVALID, result.output
    assert "contracts.csv, row 2, column volume_min: '4'" in flat(result.output)
    assert not out.exists()
    assert set(tmp_path.iterdir()) == before


def test_a_broken_table_brings_no_follow_on_messages(tmp_path: Path) -> None:
    # hospitals.csv is missing: the one problem is that; the hospital codes in need.csv,
    # prices.csv etc. are not reported as unknown, because there is nothing to know them from.
    folder = tmp_path / "scenario"
    shutil.copytree(EXAMPLE1, folder)
    (folder / "hospitals.csv").unlink()
    with pytest.raises(ScenarioInvalid) as raised:
        load_scenario(folder)
    assert [p.file for p in raised.value.problems] == ["hospitals.csv"]
    assert "is missing" in str(raised.value.problems[0])
