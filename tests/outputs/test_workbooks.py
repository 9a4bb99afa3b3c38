"""`solve --excel`'s workbooks/ and `solve --swedish-csv`'s csv-sv/, read back with zipfile (the
venv has no openpyxl) through tests/helpers/plans.py's Xlsx.

Example 1 of examples.md (tests/data/example1) has the hand-derived optimum: A sends 1 patient
to B (150 SEK) and 2 to contract c1 of provider X (120 SEK each) in 2026-01; cost 390; A's base is
5 (3 + 2) and it produces no additional unit; B produces the 1 it receives.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from helpers import EXAMPLE1, invoke
from helpers.plans import Xlsx
from helpers.training import TRAINING_FILES
from leveransplan.inputs.plan_files import SWEDISH_EXCEL, read_plan_csv
from leveransplan.models.language import N_, use_language
from leveransplan.models.wording import phrase
from leveransplan.outputs.checker.copies import check_copies
from leveransplan.outputs.manifest import read_manifest
from leveransplan.outputs.workbooks import book_names
from leveransplan.outputs.workbooks.sheets import Book

BOM = b"\xef\xbb\xbf"
HOSPITAL_SHEETS = ["Volume table", "Delivery plan", "Referrals", "Transfers received", "Production plan"]
HOSPITAL_TABLES = {
    "Volume table": [],  # plain cells: a filter would mix up its subtotal rows
    "Delivery plan": ["delivery_plan"],
    "Referrals": ["referrals"],
    "Transfers received": ["transfers_received"],
    "Production plan": ["production_plan"],
}
REGION_TABLES = {
    "Hospitals": ["hospitals"],
    "Totals": ["totals"],
    "Objectives": ["objectives"],
    "Stages": ["stages"],
    "Contracts": ["contracts"],
    "Volume table": ["volume_table"],
}


def solve(scenario: Path, out: Path, *flags: str) -> Path:
    """`solve --deterministic` with `flags`; the plan must pass `check`."""
    result = invoke("solve", scenario, "--out", out, "--quiet", "--deterministic", *flags)
    assert result.exit_code == 0, result.output
    checked = invoke("check", scenario, out)
    assert checked.exit_code == 0, checked.output
    return out


def _solve_with(out: Path, *flags: str) -> Path:
    return solve(EXAMPLE1, out, *flags)


def files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def example1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Example 1 solved with --excel and --swedish-csv, in English."""
    return _solve_with(tmp_path_factory.mktemp("example1") / "plan", "--excel", "--swedish-csv")


@pytest.fixture(scope="module")
def training(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Examples 3 and 2 (AT and ST-A) solved with --excel and --swedish-csv."""
    folder = tmp_path_factory.mktemp("training")
    scenario = folder / "scenario"
    scenario.mkdir()
    for name, text in TRAINING_FILES.items():
        (scenario / name).write_text(text, encoding="utf-8")
    return solve(scenario, folder / "plan", "--excel", "--swedish-csv")


# -- the files -----------------------------------------------------------------------------------


def test_the_files_and_the_manifest(example1: Path) -> None:
    copies = ["contract_usage.csv", "delivery_plan.csv", "production_plan.csv", "volume_table.csv"]
    assert files(example1) == sorted(
        [
            *copies,
            *(f"csv-sv/{name}" for name in copies),
            "datapackage.json",
            "manifest.json",
            "summary.json",
            "workbooks/A.xlsx",
            "workbooks/B.xlsx",
            "workbooks/region.xlsx",
        ]
    )
    # Every file but the manifest itself is listed, and check (run by the fixture) verified them.
    listed = read_manifest(example1)["outputs_sha256"]
    assert sorted(listed) == [name for name in files(example1) if name != "manifest.json"]


def test_the_machine_csvs_do_not_change_with_excel_or_swedish_csv(example1: Path, tmp_path: Path) -> None:
    plain = _solve_with(tmp_path / "plain")
    for name in ("delivery_plan.csv", "production_plan.csv", "volume_table.csv", "contract_usage.csv"):
        assert (plain / name).read_bytes() == (example1 / name).read_bytes(), name
    assert (plain / "summary.json").read_bytes() == (example1 / "summary.json").read_bytes()
    # The plain dialect: ',' and no BOM (tests/cli/test_cli_solve.py's delivery plan of example 1).
    assert (example1 / "delivery_plan.csv").read_bytes() == (
        b"month,hospital,category,channel,provider,contract,volume,unit_price_sek,cost_sek\n"
        b"2026-01,A,k,transfer,B,,1,150,150\n"
        b"2026-01,A,k,external,X,c1,2,120,240\n"
    )


def test_the_swedish_copies(example1: Path, training: Path) -> None:
    assert (example1 / "csv-sv" / "delivery_plan.csv").read_bytes() == BOM + (
        b"month;hospital;category;channel;provider;contract;volume;unit_price_sek;cost_sek\n"
        b"2026-01;A;k;transfer;B;;1;150;150\n"
        b"2026-01;A;k;external;X;c1;2;120;240\n"
    )
    # AT's target 10 / 3 = 3.33 for each hospital: 3.33 in the machine file, 3,33 in the copy.
    assert (training / "at_distribution.csv").read_text(encoding="utf-8").splitlines()[1] == "H1,3,3.33,3"
    copy = (training / "csv-sv" / "at_distribution.csv").read_bytes()
    assert copy.startswith(BOM)
    assert copy.decode("utf-8-sig").splitlines() == [
        "hospital;positions;target;previous",
        "H1;3;3,33;3",
        "H2;4;3,33;5",
        "H3;3;3,33;2",
    ]
    assert read_plan_csv(training / "csv-sv" / "at_distribution.csv").dialect == SWEDISH_EXCEL


def test_check_finds_a_copy_that_differs(example1: Path, tmp_path: Path) -> None:
    plan = _solve_with(tmp_path / "plan", "--swedish-csv")
    copy = plan / "csv-sv" / "delivery_plan.csv"
    copy.write_bytes(copy.read_bytes().replace(b";1;150;150", b";2;150;300"))
    (plan / "csv-sv" / "stray.csv").write_text("a;b\n", encoding="utf-8")
    (plan / "workbooks").mkdir()
    (plan / "workbooks" / "SU.xlsx").write_bytes(b"not a zip")
    assert check_copies(plan) == [
        "csv-sv/delivery_plan.csv: does not hold the same header and cells as delivery_plan.csv",
        "csv-sv/stray.csv: is not a copy of a CSV file of the plan (no stray.csv beside csv-sv/)",
        "workbooks/SU.xlsx: is not an .xlsx workbook",
    ]
    result = invoke("check", EXAMPLE1, plan)
    assert result.exit_code != 0
    assert "csv-sv/delivery_plan.csv has changed since the plan was written" in " ".join(
        result.output.split()
    )


def test_overwrite_replaces_a_plan_with_workbooks(example1: Path, tmp_path: Path) -> None:
    plan = _solve_with(tmp_path / "plan", "--excel", "--swedish-csv")
    result = invoke("solve", EXAMPLE1, "--out", plan, "--overwrite", "--quiet", "--deterministic")
    assert result.exit_code == 0, result.output
    assert not (plan / "workbooks").exists() and not (plan / "csv-sv").exists()


def test_workbook_file_names() -> None:
    # A code that is no file name gets '_' for what a file system refuses; names equal regardless
    # of case (and the region's and the training models' books) get a number.
    assert book_names(["SU", "NÄL/UDD", "region", "su", "CON", "at"]) == {
        "SU": "SU.xlsx",
        "NÄL/UDD": "NÄL_UDD.xlsx",
        "region": "region_2.xlsx",
        "su": "su_2.xlsx",
        "CON": "CON_.xlsx",
        "at": "at_2.xlsx",
    }


# -- the sheets ----------------------------------------------------------------------------------


def test_sheets_tables_panes_and_print_setup(example1: Path) -> None:
    for book, tables in (
        ("A.xlsx", HOSPITAL_TABLES),
        ("B.xlsx", HOSPITAL_TABLES),
        ("region.xlsx", REGION_TABLES),
    ):
        xlsx = Xlsx(example1 / "workbooks" / book)
        assert list(xlsx.sheets) == list(tables), book
        titles = xlsx.print_titles()
        for sheet, names in tables.items():
            where = f"{book} {sheet}"
            assert xlsx.table_names(sheet) == names, where
            # Row 1 the title, row 2 the header: both frozen and printed on every page.
            assert xlsx.frozen_rows(sheet) == 2, where
            assert titles[sheet] == "$1:$2", where
            setup = xlsx.page_setup(sheet)
            assert setup == {
                "orientation": "landscape",
                "fitToPage": "1",
                "fitToWidth": "1",
                "fitToHeight": "0",
            }
            header, footer = xlsx.header_footer(sheet)
            assert header == "&RExample 1", where
            assert footer == f"&L{book}&RPage &P of &N", where
            # An Excel table's filter covers its header and rows only (not a total row).
            for ref, autofilter, _ in xlsx.tables(sheet):
                assert autofilter.split(":")[0] == ref.split(":")[0] == "A2", where


def test_the_hospital_workbook_of_example1(example1: Path) -> None:
    xlsx = Xlsx(example1 / "workbooks" / "A.xlsx")
    assert xlsx.value("Volume table", "A1") == "A (Hospital A): volume table as in the decision"
    header = xlsx.row("Volume table", 2)
    assert header[0] == "A"
    at = {name: header.index(name) for name in ("Assignment", "Base", "Additional")}

    def figures(number: int) -> list[object]:
        row = xlsx.row("Volume table", number)
        return [row[0], *(row[at[name]] for name in ("Assignment", "Base", "Additional"))]

    # Somatic care, First visit, Test and Grand total: uppdrag 5 = bas 5 + tillägg 0 as decided.
    assert [figures(n) for n in range(3, 7)] == [
        ["Somatic care", 5, 5, 0],
        ["First visit", 5, 5, 0],
        ["Test", 5, 5, 0],
        ["Grand total", 5, 5, 0],
    ]
    assert xlsx.number_format("Volume table", "C6") == "#,##0"
    # Provider x month: 1 to B and 2 to X in 2026-01; the table's total row sums them (3).
    assert [xlsx.row("Delivery plan", n) for n in range(2, 6)] == [
        ["Provider", "2026-01", "2026-02", "Total"],
        ["B", 1, 0, 1],
        ["X", 2, 0, 2],
        ["Total", 3, 0, 3],
    ]
    assert xlsx.total_row("Delivery plan")
    assert xlsx.formulas() == ["SUBTOTAL(109,[2026-01])", "SUBTOTAL(109,[2026-02])", "SUBTOTAL(109,[Total])"]
    assert xlsx.row("Referrals", 2) == [
        "Month",
        "Hospital",
        "Category",
        "Channel",
        "Provider",
        "Contract",
        "Volume",
        "Unit price (SEK)",
        "Cost (SEK)",
    ]
    assert xlsx.row("Referrals", 3) == ["2026-01", "A", "k", "transfer", "B", None, 1, 150, 150]
    assert xlsx.row("Referrals", 4) == ["2026-01", "A", "k", "external", "X", "c1", 2, 120, 240]
    assert (
        xlsx.value("Transfers received", "A1")
        == "A (Hospital A): transfers from other hospitals (delivery_plan.csv): none"
    )
    # B receives A's transfer of 1: its decided 3 = 0 + 3, and in the plan tillägg 1, uppdrag 0 + 1.
    b = Xlsx(example1 / "workbooks" / "B.xlsx")
    assert b.row("Transfers received", 3) == ["2026-01", "A", "k", "transfer", "B", None, 1, 150, 150]
    assert b.row("Volume table", 2)[4:6] == ["Additional in the plan", "Assignment in the plan"]
    assert b.row("Volume table", 6)[:6] == ["Grand total", 3, 0, 3, 1, 1]


def test_the_region_workbook_of_example1(example1: Path) -> None:
    xlsx = Xlsx(example1 / "workbooks" / "region.xlsx")
    header = xlsx.row("Hospitals", 2)
    assert header[:3] == ["Hospital", "Name", "Beyond the guarantee at start"]
    cost = header.index("Cost (SEK)")
    # A pays 150 + 240 = 390, B nothing; the total row sums to 390.
    assert [xlsx.row("Hospitals", n)[cost] for n in (3, 4, 5)] == [390, 0, 390]
    assert xlsx.row("Hospitals", 5)[0] == "Total"
    assert xlsx.row("Totals", 3)[:2] == [390, 0]
    assert [xlsx.row("Stages", n)[:3] for n in (3, 4, 5)] == [
        ["volumes", "over_guarantee", 0],
        ["volumes", "cost", 390],
        ["volumes", "travel", 80],
    ]
    assert xlsx.row("Contracts", 3) == ["c1", "X", "k", 2, 3, 2, 0, 240]
    # volume_table.csv of both hospitals and their total: uppdrag 5 + 1, bas 5 + 0, tillägg 0 + 1.
    assert [xlsx.row("Volume table", n) for n in (3, 4, 5)] == [
        ["A", "k", 5, 5, 0],
        ["B", "k", 1, 0, 1],
        ["Total", None, 6, 5, 1],
    ]


def test_the_training_workbooks(training: Path) -> None:
    assert files(training / "workbooks") == [
        "AT.xlsx",
        "H1.xlsx",
        "H2.xlsx",
        "H3.xlsx",
        "ST-A.xlsx",
        "region.xlsx",
    ]
    at = Xlsx(training / "workbooks" / "AT.xlsx")
    assert list(at.sheets) == ["AT positions"]
    assert at.table_names("AT positions") == ["at_positions"]
    assert [at.row("AT positions", n) for n in range(2, 7)] == [
        ["Hospital", "Name", "AT positions", "Target", "Previous"],
        ["H1", "one", 3, 3.33, 3],
        ["H2", "two", 4, 3.33, 5],
        ["H3", "three", 3, 3.33, 2],
        ["Total", None, 10],  # the total row sums the positions only
    ]
    st_a = Xlsx(training / "workbooks" / "ST-A.xlsx")
    assert list(st_a.sheets) == ["ST-A placements", "Unplaced", "Places"]
    assert [st_a.table_names(s) for s in st_a.sheets] == [["placements"], ["unplaced"], ["places"]]
    h2 = Xlsx(training / "workbooks" / "H2.xlsx")
    assert list(h2.sheets) == ["AT positions", "ST-A placements", "Places"]
    placed = sorted(str(h2.row("ST-A placements", n)[0]) for n in (3, 4))
    assert placed == ["T1", "T3"]
    region = Xlsx(training / "workbooks" / "region.xlsx")
    assert list(region.sheets) == ["Objectives", "Stages"]


# -- Swedish by default -------------------------------------------------------------------------


def test_swedish_by_default_english_with_lang_en(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = _solve_with(tmp_path / "plan", "--excel")
    # Nothing asks for a language (the suite's LEVERANSPLAN_LANG=en and the locale taken away):
    # Swedish, as for a user who says nothing.
    for variable in ("LEVERANSPLAN_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    swedish, english = tmp_path / "swedish", tmp_path / "english"
    result = invoke("solve", EXAMPLE1, "--out", swedish, "--quiet", "--deterministic", "--excel")
    assert result.exit_code == 0, result.output
    result = invoke(
        "--lang", "en", "solve", EXAMPLE1, "--out", english, "--quiet", "--deterministic", "--excel"
    )
    assert result.exit_code == 0, result.output
    assert list(Xlsx(english / "workbooks" / "A.xlsx").sheets) == HOSPITAL_SHEETS
    assert Xlsx(english / "workbooks" / "A.xlsx").row("Referrals", 2)[:2] == ["Month", "Hospital"]
    xlsx = Xlsx(swedish / "workbooks" / "A.xlsx")
    assert list(xlsx.sheets) == [
        "Volymtabell",
        "Leveransplan",
        "Remisser",
        "Remitterade in",
        "Produktionsplan",
    ]
    assert xlsx.value("Remisser", "A1") == "A (Hospital A): skickade remisser (delivery_plan.csv)"
    assert xlsx.row("Remisser", 2) == [
        "Månad",
        "Sjukhus",
        "Kategori",
        "Kanal",
        "Vårdgivare",
        "Avtal",
        "Volym",
        "Styckpris (kr)",
        "Kostnad (kr)",
    ]
    # Codes stay codes: the channel "external", the contract "c1".
    assert xlsx.row("Remisser", 4) == ["2026-01", "A", "k", "external", "X", "c1", 2, 120, 240]
    assert xlsx.row("Leveransplan", 2) == ["Vårdgivare", "2026-01", "2026-02", "Totalt"]
    assert xlsx.row("Volymtabell", 2)[:4] == ["A", "Uppdrag", "Bas", "Tillägg"]
    assert (
        xlsx.value("Remitterade in", "A1")
        == "A (Hospital A): remisser från andra sjukhus (delivery_plan.csv): inga"
    )
    assert xlsx.header_footer("Remisser")[1] == "&LA.xlsx&RSida &P av &N"
    # Table names are the same in both languages; the machine files too.
    assert xlsx.table_names("Remisser") == ["referrals"]
    region = Xlsx(swedish / "workbooks" / "region.xlsx")
    assert list(region.sheets) == ["Sjukhus", "Totalt", "Mål", "Steg", "Avtal", "Volymtabell"]
    for name in ("delivery_plan.csv", "production_plan.csv", "volume_table.csv", "summary.json"):
        assert (swedish / name).read_bytes() == (plan / name).read_bytes(), name


def test_the_same_plan_gives_the_same_workbooks(example1: Path, tmp_path: Path) -> None:
    again = _solve_with(tmp_path / "again", "--excel", "--swedish-csv")
    for name in files(example1 / "workbooks"):
        assert (again / "workbooks" / name).read_bytes() == (example1 / "workbooks" / name).read_bytes(), name


# -- the shipped scenario ----------------------------------------------------------------------


def test_the_volume_table_of_sas_matches_volume_table_csv(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    args = ("--only", "volumes", "--deterministic", "--workers", "1", "--excel", "--out", plan, "--quiet")
    result = invoke("--lang", "sv", "solve", *args)
    assert result.exit_code == 0, result.output
    # The plan's columns: the sums of SÄS's rows of volume_table.csv, taken here from the file itself.
    with (plan / "volume_table.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["hospital"] == "SÄS"]
    planned = [sum(int(row[column]) for row in rows) for column in ("uppdrag", "bas", "tillagg")]
    assert planned[0] == planned[1] + planned[2] > 0
    xlsx = Xlsx(plan / "workbooks" / "SÄS.xlsx")
    # The shipped scenario is illustrative: the mark in row 1, the title in 2, the header in 3.
    assert str(xlsx.value("Volymtabell", "A1")).startswith("ILLUSTRATIVA SIFFROR: Endast SÄS volymer")
    assert xlsx.frozen_rows("Volymtabell") == 3
    header = xlsx.row("Volymtabell", 3)
    decided = [header.index(name) for name in ("Uppdrag", "Bas", "Tillägg")]
    in_plan = [header.index(name) for name in ("Uppdrag i planen", "Bas", "Tillägg i planen")]
    table = {row[0]: row for row in (xlsx.row("Volymtabell", n) for n in range(4, 4 + 58))}
    # The decision's own table (seeds/000, copied by hand): Psykiatri 8 830 / 6 196 / 2 634,
    # Somatik 54 609 / 35 208 / 19 401, Totalsumma 63 439 / 41 404 / 22 035 (uppdrag, bas, tillägg).
    assert [table["Psykiatri"][c] for c in decided] == [8_830, 6_196, 2_634]
    assert [table["Somatik"][c] for c in decided] == [54_609, 35_208, 19_401]
    assert [table["Totalsumma"][c] for c in decided] == [63_439, 41_404, 22_035]
    assert [table["Totalsumma"][c] for c in in_plan] == planned
    # The region's volume table: the total row of every hospital's rows, again from the file.
    with (plan / "volume_table.csv").open(encoding="utf-8", newline="") as handle:
        every = list(csv.DictReader(handle))
    region = Xlsx(plan / "workbooks" / "region.xlsx")
    assert region.frozen_rows("Volymtabell") == 3
    total_row = region.row("Volymtabell", 3 + len(every) + 1)
    assert total_row[2:] == [sum(int(r[c]) for r in every) for c in ("uppdrag", "bas", "tillagg")]
    names = json.loads((plan / "summary.json").read_text(encoding="utf-8"))["volumes"]["hospitals"]
    assert files(plan / "workbooks") == sorted([*(f"{h['hospital']}.xlsx" for h in names), "region.xlsx"])


def test_a_reason_is_written_in_the_readers_language(tmp_path: Path) -> None:
    # An unplaced reason is a Words: English in unplaced.csv, the reader's language on a sheet.
    reason = phrase(N_("{hospital} has no places in {year}"), hospital="H1", year="2026")
    assert str(reason) == "H1 has no places in 2026"
    use_language("sv")
    book = Book(tmp_path / "book.xlsx", "Test", "Test", None)
    book.sheet("Utan placering", "T1").table("unplaced", ["reason"], ["Orsak"], [{"reason": reason}])
    book.close()
    assert Xlsx(tmp_path / "book.xlsx").row("Utan placering", 3) == ["H1 har inga platser 2026"]
