"""`solve --excel` and the formula guard: Swedish Excel CSV files, delivery_plan.xlsx, and text cells
that a spreadsheet can never run as a formula, in either dialect and in the workbook.

Example 1 of examples.md (tests/data/example1) has the hand-derived optimum: A sends 1 patient
to B (150 SEK) and 2 to contract c1 of provider X (120 SEK each) in 2026-01; cost 390. The
"malicious" scenario is example 1 with provider X renamed `=HYPERLINK("http://x","y")`, contract c1
renamed `@SUM(A1)` and category k renamed `-2+3`: input validation accepts all three (a code is
any non-empty text), so the same plan comes out under those names.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import EXAMPLE1, invoke
from helpers.plans import Xlsx
from leveransplan.inputs import load_scenario
from leveransplan.inputs.plan_files import (
    PLAIN,
    SWEDISH_EXCEL,
    Dialect,
    guard_text,
    parse_plan_csv,
    read_plan_csv,
    unguard_text,
)
from leveransplan.inputs.previous import read_previous_plan
from leveransplan.outputs.diff import diff_plans
from leveransplan.outputs.excel import sheet_name, write_workbook
from leveransplan.outputs.tabular import cell_text, write_csv
from leveransplan.outputs.volume_files import DELIVERY_COLUMNS

HYPERLINK = '=HYPERLINK("http://x","y")'
BOM = b"\xef\xbb\xbf"


def solve(scenario: Path, out: Path, *extra: str | Path) -> Path:
    result = invoke("solve", scenario, "--out", out, "--quiet", *extra)
    assert result.exit_code == 0, result.output
    return out


def check_passes(scenario: Path, plan: Path) -> None:
    result = invoke("check", scenario, plan)
    assert result.exit_code == 0, result.output


@pytest.fixture
def malicious(tmp_path: Path) -> Path:
    """Example 1 with a provider, a contract and a category named like spreadsheet formulas."""
    folder = tmp_path / "malicious"
    shutil.copytree(EXAMPLE1, folder)
    provider = '"=HYPERLINK(""http://x"",""y"")"'  # CSV quoting of HYPERLINK
    (folder / "contracts.csv").write_text(
        "contract,provider,category,volume_min,volume_max,price_sek,first_month,last_month,"
        f"monthly_max,out_of_region\n@SUM(A1),{provider},-2+3,2,3,120,,,2,false\n",
        encoding="utf-8",
    )
    (folder / "access.csv").write_text(
        f"hospital,provider,travel_minutes,allowed\nA,{provider},30,true\nA,B,20,true\n", encoding="utf-8"
    )
    for name in ("categories.csv", "need.csv", "own_volumes.csv"):
        path = folder / name
        lines = path.read_text(encoding="utf-8").splitlines()
        renamed = [",".join("-2+3" if cell == "k" else cell for cell in line.split(",")) for line in lines]
        path.write_text("\n".join(renamed) + "\n", encoding="utf-8")
    return folder


# -- reading delivery_plan.xlsx: a zip of XML parts --------------------------------------------


# -- the guard and the dialects ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("+A1", "'+A1"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("-5", "-5"),  # a number is never a formula
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("SÄS", "SÄS"),
        ("'abc", "'abc"),  # an apostrophe of the text's own, before text that needs no guard
        ("'=x", "''=x"),  # ... and before text that does: one more, so reading back is exact
    ],
)
def test_guard_text(text: str, guarded: str) -> None:
    assert guard_text(text) == guarded
    assert unguard_text(guarded) == text


def test_a_code_that_reads_as_a_decimal_comma_is_guarded_in_the_swedish_dialect() -> None:
    # "1,5" in a Swedish Excel file is the number 1.5; as a code it must stay "1,5" when read back.
    assert guard_text("1,5", SWEDISH_EXCEL) == "'1,5"
    assert guard_text("1,5", PLAIN) == "1,5"
    assert parse_plan_csv("\ufeffcode;value\n'1,5;1,5\n").rows == [(2, ["1,5", "1.5"])]


def test_numbers_stay_numbers_in_both_dialects() -> None:
    assert [cell_text(v) for v in (-5, 12.5, "-12.5", "12.50", 0)] == ["-5", "12.5", "-12.5", "12.50", "0"]
    swedish = [cell_text(v, SWEDISH_EXCEL) for v in (-5, 12.5, "-12.5", "12.50")]
    assert swedish == ["-5", "12,5", "-12,5", "12,50"]


def delivery_rows() -> list[dict[str, object]]:
    return [
        {
            "month": "2026-01",
            "hospital": "SÄS",
            "category": "-2+3",
            "channel": "external",
            "provider": HYPERLINK,
            "contract": "@SUM(A1)",
            "volume": 2,
            "unit_price_sek": 12_500,
            "cost_sek": 25_000,
        },
        {
            "month": "2026-01",
            "hospital": "SÄS",
            "category": "-2+3",
            "channel": "transfer",
            "provider": "SU",
            "contract": "",
            "volume": -5,  # numbers that look like formula starts, as numbers and as text
            "unit_price_sek": 12.5,
            "cost_sek": "-12.5",
        },
    ]


def test_the_swedish_excel_dialect_bytes(tmp_path: Path) -> None:
    # BOM, ';' between cells, decimal comma; the guarded provider holds '"' so csv quotes it and
    # doubles its quotes. -5 and 12.5 (and the text "-12.5") are numbers: no apostrophe.
    path = tmp_path / "delivery_plan.csv"
    write_csv(path, DELIVERY_COLUMNS, delivery_rows(), SWEDISH_EXCEL)
    assert (
        path.read_bytes()
        == BOM
        + (
            "month;hospital;category;channel;provider;contract;volume;unit_price_sek;cost_sek\n"
            '2026-01;SÄS;\'-2+3;external;"\'=HYPERLINK(""http://x"",""y"")";\'@SUM(A1);2;12500;25000\n'
            "2026-01;SÄS;'-2+3;transfer;SU;;-5;12,5;-12,5\n"
        ).encode()
    )


def test_the_plain_dialect_is_guarded_too(tmp_path: Path) -> None:
    path = tmp_path / "delivery_plan.csv"
    write_csv(path, DELIVERY_COLUMNS, delivery_rows())
    assert (
        path.read_bytes()
        == (
            "month,hospital,category,channel,provider,contract,volume,unit_price_sek,cost_sek\n"
            '2026-01,SÄS,\'-2+3,external,"\'=HYPERLINK(""http://x"",""y"")",\'@SUM(A1),2,12500,25000\n'
            "2026-01,SÄS,'-2+3,transfer,SU,,-5,12.5,-12.5\n"
        ).encode()
    )


@pytest.mark.parametrize("dialect", [PLAIN, SWEDISH_EXCEL], ids=["plain", "swedish"])
def test_either_dialect_reads_back_as_written(tmp_path: Path, dialect) -> None:
    path = tmp_path / "delivery_plan.csv"
    write_csv(path, DELIVERY_COLUMNS, delivery_rows(), dialect)
    table = read_plan_csv(path)
    assert table.dialect == dialect
    assert table.header == list(DELIVERY_COLUMNS)
    assert [row for _, row in table.records()] == [
        {column: str(row[column]) for column in DELIVERY_COLUMNS} for row in delivery_rows()
    ]


# -- sheet names -------------------------------------------------------------------------------


def test_sheet_names_follow_excels_rules() -> None:
    taken: set[str] = set()
    names = [sheet_name(wanted, taken) for wanted in ("Summary", "SÄS", "summary", "a/b:c[1]*?\\", "'x'")]
    # "summary" differs from "Summary" in case only, which Excel does not count as different.
    assert names == ["Summary", "SÄS", "summary (2)", "a_b_c_1____", "x"]
    assert sheet_name("H" * 40, taken) == "H" * 31
    assert sheet_name("H" * 40, taken) == "H" * 27 + " (2)"
    assert sheet_name("History", taken) == "History_"


def test_sheets_of_awkward_hospital_codes(tmp_path: Path) -> None:
    summary = {
        "scenario": "t",
        "volumes": {"hospitals": [], "stages": [], "objectives": {}, "cost_sek": 0},
    }
    names = {"SÄS": "Södra Älvsborg", "Summary": "a hospital coded Summary", "NÄL/UDD": "NU-sjukvården"}
    path = tmp_path / "delivery_plan.xlsx"
    tables: dict[str, list] = {f: [] for f in ("delivery_plan.csv", "production_plan.csv")}
    write_workbook(path, summary, names, tables | {"volume_table.csv": [], "contract_usage.csv": []})
    assert list(Xlsx(path).sheets) == [
        "Summary",
        "SÄS",
        "SÄS decision",
        "Summary (2)",
        "Summary decision",
        "NÄL_UDD",
        "NÄL_UDD decision",
    ]


# -- solve --excel -------------------------------------------------------------------------------


def test_solve_excel_writes_the_swedish_dialect_and_passes_the_checker(tmp_path: Path) -> None:
    plan = solve(EXAMPLE1, tmp_path / "plan", "--excel")
    assert sorted(p.name for p in plan.iterdir()) == [
        "contract_usage.csv",
        "datapackage.json",
        "delivery_plan.csv",
        "delivery_plan.xlsx",
        "manifest.json",
        "production_plan.csv",
        "summary.json",
        "volume_table.csv",
    ]
    # tests/cli/test_cli_solve.py's delivery plan of example 1, in the Swedish Excel dialect.
    assert (plan / "delivery_plan.csv").read_bytes() == BOM + (
        b"month;hospital;category;channel;provider;contract;volume;unit_price_sek;cost_sek\n"
        b"2026-01;A;k;transfer;B;;1;150;150\n"
        b"2026-01;A;k;external;X;c1;2;120;240\n"
    )
    check_passes(EXAMPLE1, plan)
    manifest = json.loads((plan / "manifest.json").read_text(encoding="utf-8"))
    assert "delivery_plan.xlsx" in manifest["outputs_sha256"]


def test_the_workbook_of_example1(tmp_path: Path) -> None:
    xlsx = Xlsx(solve(EXAMPLE1, tmp_path / "plan", "--excel") / "delivery_plan.xlsx")
    assert list(xlsx.sheets) == ["Summary", "A", "A decision", "B", "B decision"]
    assert xlsx.value("Summary", "A1") == "Scenario"
    assert xlsx.value("Summary", "B1") == "Example 1"
    # Row 2 is the per-hospital header; A sent 3 (1 to B, 2 to c1) at 150 + 240 = 390 SEK and B
    # received 1.
    assert [xlsx.value("Summary", f"{c}3") for c in "ABFGH"] == ["A", "Hospital A", 3, 0, 390]
    assert [xlsx.value("Summary", f"{c}4") for c in "ABFGH"] == ["B", "Hospital B", 0, 1, 0]
    assert xlsx.number_format("Summary", "H3") == "#,##0"
    hospitals_table = xlsx.tables("Summary")[0]
    assert hospitals_table[:2] == ("A2:H4", "A2:H4")
    for name in xlsx.sheets:
        assert xlsx.frozen_rows(name) == 2  # the title row and the first table's header
        if not name.endswith(" decision"):  # plain cells, no Excel table
            assert all(ref == autofilter for ref, autofilter, _ in xlsx.tables(name))
    # Sheet A: its referrals (header in row 2), then transfers it receives (none), volume table and
    # production plan, each under a title row with a blank row between tables.
    tables = xlsx.tables("A")
    assert [(ref, columns[-1]) for ref, _, columns in tables] == [
        ("A2:I4", "cost_sek"),
        ("A7:I8", "cost_sek"),  # empty: one blank data row, as Excel wants
        ("A11:E12", "tillagg"),
        ("A15:H17", "over_guarantee"),
    ]
    row3 = [xlsx.value("A", f"{c}3") for c in "ABCDEGHI"]
    assert row3 == ["2026-01", "A", "k", "transfer", "B", 1, 150, 150]
    assert [xlsx.value("A", f"{c}4") for c in "DEFGHI"] == ["external", "X", "c1", 2, 120, 240]
    assert xlsx.value("A", "A6") == "Transfers to A from other hospitals (delivery_plan.csv): none"
    # B sends nothing (rows 2-3: header and the blank row); it receives A's transfer.
    assert xlsx.value("B", "A1") == "B (Hospital B): referrals sent (delivery_plan.csv): none"
    assert xlsx.value("B", "A5") == "Transfers to B from other hospitals (delivery_plan.csv)"
    assert [xlsx.value("B", f"{c}7") for c in "BEG"] == ["A", "B", 1]


def test_the_decision_sheet_of_example1(tmp_path: Path) -> None:
    # A: bas 5 and tillägg 0 decided, no additional unit produced: Somatic care, First visit,
    # Test and Grand total all 5 5 0 0 5 (uppdrag, bas, tillägg decided, then tillägg and uppdrag
    # in the plan). Below, A's referrals: 1 to B and 2 to X in 2026-01, none in 2026-02.
    xlsx = Xlsx(solve(EXAMPLE1, tmp_path / "plan", "--excel") / "delivery_plan.xlsx")
    sheet = "A decision"

    def row(number: int, columns: str = "ABCD") -> list[str | int | float]:
        return [xlsx.value(sheet, f"{c}{number}") for c in columns]

    assert xlsx.value(sheet, "A1") == "A (Hospital A): volume table as in the decision"
    assert row(2, "ABCDEF") == [
        "A",
        "assignment",
        "base",
        "additional",
        "additional in the plan",
        "assignment in the plan",
    ]
    assert [row(n, "ABCDEF") for n in range(3, 7)] == [
        ["Somatic care", 5, 5, 0, 0, 5],
        ["First visit", 5, 5, 0, 0, 5],
        ["Test", 5, 5, 0, 0, 5],
        ["Grand total", 5, 5, 0, 0, 5],
    ]
    assert xlsx.number_format(sheet, "C6") == "#,##0"  # a number, not text
    assert xlsx.value(sheet, "A8") == "Referrals sent, by provider and month (delivery_plan.csv)"
    assert [row(n) for n in range(9, 13)] == [
        ["provider", "2026-01", "2026-02", "total"],
        ["B", 1, 0, 1],
        ["X", 2, 0, 2],
        ["total", 3, 0, 3],
    ]
    # B (bas 0, tillägg 3 decided) treats A's transfer: tillägg 1 in the plan.
    assert [xlsx.value("B decision", f"{c}6") for c in "ABCDEF"] == ["Grand total", 3, 0, 3, 1, 1]


def test_deterministic_runs_give_identical_workbooks(tmp_path: Path) -> None:
    first = solve(EXAMPLE1, tmp_path / "first", "--excel", "--deterministic")
    second = solve(EXAMPLE1, tmp_path / "second", "--excel", "--deterministic")
    assert (first / "delivery_plan.xlsx").read_bytes() == (second / "delivery_plan.xlsx").read_bytes()


# -- formula-like names end to end ---------------------------------------------------------------


def test_formula_like_names_are_text_in_the_workbook(tmp_path: Path, malicious: Path) -> None:
    plan = solve(malicious, tmp_path / "plan", "--excel")
    check_passes(malicious, plan)
    xlsx = Xlsx(plan / "delivery_plan.xlsx")
    assert xlsx.formulas() == 0
    # Sheet A row 4: the referral of 2 to the contract at 120 SEK.
    for ref, text in (("C4", "-2+3"), ("E4", HYPERLINK), ("F4", "@SUM(A1)")):
        assert xlsx.cells("A")[ref].get("t") == "s"
        assert xlsx.value("A", ref) == text
        assert xlsx.quote_prefix("A", ref)
    assert not xlsx.quote_prefix("A", "D4")  # "external" needs no prefix
    assert [xlsx.value("A", ref) for ref in ("G4", "H4", "I4")] == [2, 120, 240]
    assert all(xlsx.cells("A")[ref].get("t") is None for ref in ("G4", "H4", "I4"))
    # The contracts table on the summary sheet shows the same names as text.
    contracts = next(t for t in xlsx.tables("Summary") if t[2][0] == "contract")
    first_row = int(contracts[0].split(":")[0][1:]) + 1
    assert xlsx.value("Summary", f"A{first_row}") == "@SUM(A1)"
    assert xlsx.quote_prefix("Summary", f"A{first_row}")


@pytest.mark.parametrize("excel", [False, True], ids=["plain", "excel"])
def test_formula_like_names_are_guarded_in_the_csv_files(
    tmp_path: Path, malicious: Path, excel: bool
) -> None:
    plan = solve(malicious, tmp_path / "plan", *(["--excel"] if excel else []))
    sep = ";" if excel else ","
    lines = (plan / "delivery_plan.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1:] == [
        sep.join(["2026-01", "A", "'-2+3", "transfer", "B", "", "1", "150", "150"]),
        sep.join(["2026-01", "A", "'-2+3", "external", '"\'=HYPERLINK(""http://x"",""y"")"', "'@SUM(A1)"])
        + sep
        + sep.join(["2", "120", "240"]),
    ]
    check_passes(malicious, plan)


def test_diff_previous_and_followup_read_a_guarded_excel_plan(tmp_path: Path, malicious: Path) -> None:
    excel = solve(malicious, tmp_path / "excel", "--excel")
    plain = solve(malicious, tmp_path / "plain")
    # The same plan in both dialects: diff sees no change.
    assert diff_plans(plain, excel).flows == []
    # Against a plan without a delivery plan, every flow shows, under the names as written.
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "summary.json").write_text(json.dumps({"scenario": "t"}), encoding="utf-8")
    flows = [(f["provider"], f["volume_b"], f["cost_b_sek"]) for f in diff_plans(empty, excel).flows]
    assert flows == [('=HYPERLINK("http://x","y")', 2, 240), ("B", 1, 150)]
    # --previous: the decisions of 2026-01 (month 1) under the scenario's own codes.
    previous = read_previous_plan(excel, load_scenario(malicious))
    assert previous.volumes is not None
    assert previous.volumes.referrals == {("A", "@SUM(A1)", 1): 2}
    assert previous.volumes.transfers == {("A", "B", "-2+3", 1): 1}
    again = solve(malicious, tmp_path / "again", "--excel", "--previous", excel)
    check_passes(malicious, again)  # the checker reads the previous plan too, for stability
    # followup: 1 of the 2 planned referrals to the HYPERLINK provider was delivered (50 %).
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(
        "hospital,category,month,performed,waiting_end\nA,-2+3,2026-01,3,7\n", encoding="utf-8"
    )
    referrals = tmp_path / "referrals.csv"
    referrals.write_text(
        'hospital,category,provider,month,referrals\nA,-2+3,"=HYPERLINK(""http://x"",""y"")",2026-01,1\n',
        encoding="utf-8",
    )
    out = tmp_path / "followup"
    result = invoke("followup", excel, "--actuals", actuals, "--referrals", referrals, "--out", out)
    assert result.exit_code == 0, result.output
    rows = [row for _, row in read_plan_csv(out / "followup_referrals.csv").records()]
    assert [(r["provider"], r["planned"], r["delivered"], r["fulfilment_pct"]) for r in rows] == [
        ("B", "1", "0", "0.0"),  # the planned transfer to B was not reported: shortfalls first
        (HYPERLINK, "2", "1", "50.0"),
    ]
    assert "'=HYPERLINK" in (out / "followup_referrals.csv").read_text(encoding="utf-8")


# -- any text round-trips ----------------------------------------------------------------------


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str | int]]]:
    """A header of one to three columns and rows of any text (st.text()) or whole numbers."""
    columns = ["code", "name", "count"][: draw(st.integers(1, 3))]
    cells = st.one_of(st.text(), st.integers())
    rows = draw(st.lists(st.lists(cells, min_size=len(columns), max_size=len(columns)), max_size=6))
    return columns, rows


@pytest.mark.parametrize("dialect", [PLAIN, SWEDISH_EXCEL], ids=["plain", "swedish"])
@settings(deadline=None, derandomize=True, database=None, max_examples=400)
@given(table=tables())
def test_any_text_reads_back_as_written(
    dialect: Dialect, table: tuple[list[str], list[list[str | int]]]
) -> None:
    # Every cell comes back as the plain dialect has it, which is the text itself (a text "1.5"
    # is written 1,5 in the Swedish dialect and read back as 1.5) and str() of a number. The one
    # documented loss: a row of blank cells is left out when reading.
    columns, rows = table
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        write_csv(path, columns, [dict(zip(columns, row, strict=True)) for row in rows], dialect)
        read = read_plan_csv(path)
    assert read.dialect == dialect
    assert read.header == columns
    expected = [[str(cell) for cell in row] for row in rows]
    assert [cells for _, cells in read.rows] == [row for row in expected if any(c.strip() for c in row)]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # A bare carriage return: the row is quoted cell by cell, or the \r would end it.
        ("a\rb", '"a\rb";"1"'),
        (" 1,5", " 1,5;1"),  # a space in front: a text, which reading must not turn into 1.5
        ("1,5 ", "1,5 ;1"),
        ("1,5", "'1,5;1"),  # exactly a decimal number: guarded
    ],
)
def test_texts_that_did_not_read_back(tmp_path: Path, text: str, line: str) -> None:
    path = tmp_path / "t.csv"
    write_csv(path, ["code", "n"], [{"code": text, "n": 1}], SWEDISH_EXCEL)
    assert path.read_bytes() == BOM + f"code;n\n{line}\n".encode()
    assert read_plan_csv(path).rows == [(2, [text, "1"])]


@pytest.mark.parametrize("dialect", [PLAIN, SWEDISH_EXCEL], ids=["plain", "swedish"])
def test_a_one_column_file_is_read_in_its_dialect(tmp_path: Path, dialect: Dialect) -> None:
    # One column: no separator in the header to tell the dialects apart; the BOM does. A text
    # "1,5" is guarded in the Swedish dialect ('1,5) and the float 2.5 written 2,5: both read back.
    path = tmp_path / "one.csv"
    write_csv(path, ["code"], [{"code": "1,5"}, {"code": 2.5}], dialect)
    read = read_plan_csv(path)
    assert read.dialect == dialect
    assert [cells for _, cells in read.rows] == [["1,5"], ["2.5"]]
