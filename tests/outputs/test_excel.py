"""The CSV dialects and the formula guard: text cells that a spreadsheet can never run as a formula,
in either dialect (the plan's CSV files and `solve --swedish-csv`'s copies) and in the workbooks; and
plans that an earlier `solve --excel` wrote (every CSV file in the Swedish Excel dialect, and
delivery_plan.xlsx), which every command still reads.

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
from leveransplan.outputs.manifest import sha256_of
from leveransplan.outputs.tabular import cell_text, write_csv
from leveransplan.outputs.volume_files import DELIVERY_COLUMNS
from leveransplan.outputs.workbooks import sheet_name, write_workbooks

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


def as_an_earlier_excel_plan(plan: Path) -> Path:
    """`plan` (written with --excel) made what `solve --excel` wrote before workbooks/ and csv-sv/:
    every CSV file in the Swedish Excel dialect and one workbook, delivery_plan.xlsx, at the top,
    with manifest.json listing those files' digests."""
    path = plan / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    outputs = manifest["outputs_sha256"]
    for name in [n for n in outputs if n.endswith(".csv") and "/" not in n]:
        table = read_plan_csv(plan / name)
        rows = [dict(zip(table.header, cells, strict=False)) for _, cells in table.rows]
        write_csv(plan / name, table.header, rows, SWEDISH_EXCEL)
        outputs[name] = sha256_of(plan / name)
    (plan / "workbooks" / "region.xlsx").rename(plan / "delivery_plan.xlsx")
    shutil.rmtree(plan / "workbooks")
    manifest["outputs_sha256"] = {n: d for n, d in outputs.items() if not n.startswith("workbooks/")}
    manifest["outputs_sha256"]["delivery_plan.xlsx"] = sha256_of(plan / "delivery_plan.xlsx")
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return plan


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


def test_workbooks_of_awkward_hospital_codes(tmp_path: Path) -> None:
    summary = {
        "scenario": "t",
        "volumes": {"hospitals": [], "stages": [], "objectives": {}, "cost_sek": 0, "categories": []},
    }
    names = {"SÄS": "Södra Älvsborg", "region": "a hospital coded region", "NÄL/UDD": "NU-sjukvården"}
    tables: dict[str, list] = {
        f: [] for f in ("delivery_plan.csv", "production_plan.csv", "volume_table.csv", "contract_usage.csv")
    }
    written = write_workbooks(tmp_path / "workbooks", summary, names, tables)
    assert [p.name for p in written] == ["SÄS.xlsx", "region_2.xlsx", "NÄL_UDD.xlsx", "region.xlsx"]
    # The code as it is in the titles: only the file name is changed.
    title = "NÄL/UDD (NU-sjukvården): volume table as in the decision"
    assert Xlsx(tmp_path / "workbooks" / "NÄL_UDD.xlsx").value("Volume table", "A1") == title


# -- plans an earlier --excel wrote ----------------------------------------------------------------


def test_a_plan_an_earlier_excel_wrote_passes_the_checker(tmp_path: Path) -> None:
    plan = as_an_earlier_excel_plan(solve(EXAMPLE1, tmp_path / "plan", "--excel"))
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
    # An edited delivery_plan.xlsx is told, as every file the manifest lists.
    (plan / "delivery_plan.xlsx").write_bytes(b"PK")
    result = invoke("check", EXAMPLE1, plan)
    assert result.exit_code != 0
    assert "delivery_plan.xlsx has changed since the plan was written" in " ".join(result.output.split())


# -- formula-like names end to end ---------------------------------------------------------------


def test_formula_like_names_are_text_in_the_workbook(tmp_path: Path, malicious: Path) -> None:
    plan = solve(malicious, tmp_path / "plan", "--excel")
    check_passes(malicious, plan)
    xlsx = Xlsx(plan / "workbooks" / "A.xlsx")
    # The only formulas are the total row's sums of the provider x month table.
    assert all(formula.startswith("SUBTOTAL(109,") for formula in xlsx.formulas())
    # Sheet Referrals, row 4 (title, header, the transfer): the referral of 2 to the contract.
    sheet = "Referrals"
    for ref, text in (("C4", "-2+3"), ("E4", HYPERLINK), ("F4", "@SUM(A1)")):
        assert xlsx.cells(sheet)[ref].get("t") == "s"
        assert xlsx.value(sheet, ref) == text
        assert xlsx.quote_prefix(sheet, ref)
    assert not xlsx.quote_prefix(sheet, "D4")  # "external" needs no prefix
    assert [xlsx.value(sheet, ref) for ref in ("G4", "H4", "I4")] == [2, 120, 240]
    assert all(xlsx.cells(sheet)[ref].get("t") is None for ref in ("G4", "H4", "I4"))
    # The region's contracts show the same names as text; the provider is the matrix's first row
    # (providers in code order: "=" before "B").
    region = Xlsx(plan / "workbooks" / "region.xlsx")
    assert region.value("Contracts", "A3") == "@SUM(A1)"
    assert region.quote_prefix("Contracts", "A3")
    assert xlsx.value("Delivery plan", "A3") == HYPERLINK
    assert xlsx.quote_prefix("Delivery plan", "A3")
    assert all(formula.startswith("SUBTOTAL(109,") for formula in region.formulas())


@pytest.mark.parametrize("swedish", [False, True], ids=["plain", "swedish-copy"])
def test_formula_like_names_are_guarded_in_the_csv_files(
    tmp_path: Path, malicious: Path, swedish: bool
) -> None:
    plan = solve(malicious, tmp_path / "plan", "--swedish-csv")
    sep = ";" if swedish else ","
    path = plan / "csv-sv" / "delivery_plan.csv" if swedish else plan / "delivery_plan.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1:] == [
        sep.join(["2026-01", "A", "'-2+3", "transfer", "B", "", "1", "150", "150"]),
        sep.join(["2026-01", "A", "'-2+3", "external", '"\'=HYPERLINK(""http://x"",""y"")"', "'@SUM(A1)"])
        + sep
        + sep.join(["2", "120", "240"]),
    ]
    check_passes(malicious, plan)


def test_diff_previous_and_followup_read_a_guarded_excel_plan(tmp_path: Path, malicious: Path) -> None:
    excel = as_an_earlier_excel_plan(solve(malicious, tmp_path / "excel", "--excel"))
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
    again = solve(malicious, tmp_path / "again", "--excel", "--swedish-csv", "--previous", excel)
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
