"""Plans as files: example 1's optimal plan written by hand for the volume checker, the checker's
verdict on a plan of decisions, and readers of the workbooks and report.html."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from helpers import benchmark_module
from leveransplan.models.scenario import Scenario
from leveransplan.outputs.checker.files import SUMMARY
from leveransplan.outputs.checker.volume_files import HEADERS
from leveransplan.outputs.checker.volume_plan import check_volume_plan

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

Plan = dict[str, Any]


def optimal_plan() -> Plan:
    """Example 1's optimum: A uses its base [3, 2], sends 1 to B and 2 to c1 in month 1."""
    # Month 1: w = 10 + 2 - 3 - 1 - 2 = 6; month 2: w = 6 + 2 - 2 = 6; L = 6, so nothing over.
    # Cost 1 × 150 + 2 × 120 = 390 (c1's minimum 2 is used); travel 1 × 20 + 2 × 30 = 80.
    return {
        "delivery_plan.csv": [
            ["2026-01", "A", "k", "transfer", "B", "", 1, 150, 150],  # row 2
            ["2026-01", "A", "k", "external", "X", "c1", 2, 120, 240],  # row 3
        ],
        "production_plan.csv": [
            ["2026-01", "A", "k", 3, 0, 0, 6, 0],  # row 2
            ["2026-02", "A", "k", 2, 0, 0, 6, 0],  # row 3
            ["2026-01", "B", "k", 0, 0, 1, 0, 0],  # row 4: B takes A's transfer
            ["2026-02", "B", "k", 0, 0, 0, 0, 0],  # row 5
        ],
        "volume_table.csv": [
            ["A", "k", 5, 5, 0],  # row 2
            ["B", "k", 1, 0, 1],  # row 3
        ],
        "contract_usage.csv": [
            ["c1", "X", "k", 2, 3, 2, 0, 240],  # row 2
        ],
        SUMMARY: {
            "scenario": "Example 1",
            "volumes": {
                "stages": [
                    summary_stage("over_guarantee", 0),
                    summary_stage("cost", 390),
                    summary_stage("travel", 80),
                ],
                "objectives": {
                    "over_guarantee": 0,
                    "equity": 0,
                    "out_of_region": 0,
                    "cost": 390,
                    "travel": 80,
                    "stability": 0,
                },
                "cost_sek": 390,
                "unused_minimum_cost_sek": 0,
                "previous_plan": None,
                "hospitals": [
                    # A starts 10 - 6 = 4 over; pays 150 for the transfer and 240 for c1.
                    summary_hospital("A", start=4, end=0, months_over=0, out=3, into=0, cost=390),
                    summary_hospital("B", start=0, end=0, months_over=0, out=0, into=1, cost=0),
                ],
            },
        },
    }


def summary_stage(
    objective: str, value: int, bound: int | None = None, status: str = "OPTIMAL"
) -> dict[str, Any]:
    return {
        "objective": objective,
        "value": value,
        "bound": value if bound is None else bound,
        "status": status,
        "seconds": 0.01,
    }


def summary_hospital(
    code: str, *, start: int, end: int, months_over: int, out: int, into: int, cost: int
) -> dict[str, Any]:
    return {
        "hospital": code,
        "over_guarantee_start": start,
        "over_guarantee_end": end,
        "patient_months_over": months_over,
        "referrals_out": out,
        "referrals_in": into,
        "cost_sek": cost,
    }


def write_plan(folder: Path, plan: Plan) -> Path:
    """Write the plan's CSV files (header row first) and summary.json into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for file, header in HEADERS.items():
        if file not in plan:
            continue
        with (folder / file).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(plan[file])
    if SUMMARY in plan:
        (folder / SUMMARY).write_text(json.dumps(plan[SUMMARY], indent=2), encoding="utf-8")
    return folder


def volumes(plan: Plan) -> dict[str, Any]:
    return plan[SUMMARY]["volumes"]


def check(scenario: Scenario, tmp_path: Path, plan: Plan) -> list[str]:
    return check_volume_plan(scenario, write_plan(tmp_path / "plan", plan))


def one_violation(violations: list[str], *fragments: str) -> str:
    """The single violation containing every fragment (fails listing all of them otherwise)."""
    matching = [v for v in violations if all(f in v for f in fragments)]
    assert len(matching) == 1, f"expected one violation with {fragments}, got:\n" + "\n".join(violations)
    return matching[0]


def checker_violations() -> Callable[..., list[str]]:
    """benchmarks/greedy.py's checker_violations: the plan written out and read back by the checker."""
    return benchmark_module("greedy").checker_violations


# -- reading a workbook (workbooks/*.xlsx, or an earlier plan's delivery_plan.xlsx): a zip of XML parts


class Xlsx:
    """The parts of an .xlsx that the tests look at, read with zipfile and ElementTree."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path)
        self.strings = ["".join(si.itertext()) for si in self._xml("xl/sharedStrings.xml")]
        styles = self._xml("xl/styles.xml")
        self.styles = list(styles.find(f"{MAIN}cellXfs") or [])
        self.number_formats = {"0": "General", "2": "0.00", "3": "#,##0"}  # Excel's built-in ones used here
        for number_format in styles.iter(f"{MAIN}numFmt"):
            self.number_formats[number_format.get("numFmtId", "")] = number_format.get("formatCode", "")
        book = self._xml("xl/workbook.xml")
        targets = self._targets("xl/_rels/workbook.xml.rels", "xl/")
        self.sheets = {
            sheet.get("name", ""): targets[sheet.get(RELATIONSHIP, "")] for sheet in book.iter(f"{MAIN}sheet")
        }

    def _xml(self, part: str) -> ET.Element:
        return ET.fromstring(self.zip.read(part))

    def _targets(self, rels: str, folder: str) -> dict[str, str]:
        relations = self._xml(rels)
        return {r.get("Id", ""): folder + r.get("Target", "").replace("../", "") for r in relations}

    def sheet(self, name: str) -> ET.Element:
        return self._xml(self.sheets[name])

    def cells(self, name: str) -> dict[str, ET.Element]:
        return {c.get("r", ""): c for c in self.sheet(name).iter(f"{MAIN}c")}

    def value(self, name: str, ref: str) -> str | int | float:
        """A string cell's text, or a number cell's number."""
        cell = self.cells(name)[ref]
        text = cell.findtext(f"{MAIN}v") or ""
        if cell.get("t") == "s":
            return self.strings[int(text)]
        assert cell.get("t") is None, f"{name}!{ref} is neither a string nor a number"
        number = float(text)
        return int(number) if number.is_integer() else number

    def quote_prefix(self, name: str, ref: str) -> bool:
        style = self.styles[int(self.cells(name)[ref].get("s", "0"))]
        return style.get("quotePrefix") == "1"

    def number_format(self, name: str, ref: str) -> str:
        style = self.styles[int(self.cells(name)[ref].get("s", "0"))]
        return self.number_formats[style.get("numFmtId", "0")]

    def frozen_rows(self, name: str) -> int:
        pane = self.sheet(name).find(f"{MAIN}sheetViews/{MAIN}sheetView/{MAIN}pane")
        assert pane is not None and pane.get("state") == "frozen"
        return int(pane.get("ySplit", "0"))

    def tables(self, name: str) -> list[tuple[str, str, list[str]]]:
        """(range, filter range, column names) of each Excel table on the sheet."""
        part = self.sheets[name]
        rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if rels not in self.zip.namelist():  # a sheet of plain cells
            return []
        found = []
        for target in self._targets(rels, "xl/").values():
            table = self._xml(target)
            autofilter = table.find(f"{MAIN}autoFilter")
            columns = [c.get("name", "") for c in table.iter(f"{MAIN}tableColumn")]
            found.append(
                (table.get("ref", ""), "" if autofilter is None else autofilter.get("ref", ""), columns)
            )
        return sorted(found, key=lambda t: int(t[0].split(":")[0][1:]))

    def formulas(self) -> list[str]:
        """The text of every formula in the workbook."""
        return [f.text or "" for part in self.sheets.values() for f in self._xml(part).iter(f"{MAIN}f")]

    def table_names(self, name: str) -> list[str]:
        """The names of the Excel tables on the sheet, top to bottom."""
        part = self.sheets[name]
        rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if rels not in self.zip.namelist():
            return []
        tables = [self._xml(target) for target in self._targets(rels, "xl/").values()]
        tables.sort(key=lambda t: int(t.get("ref", "A0:").split(":")[0][1:]))
        return [t.get("name", "") for t in tables]

    def total_row(self, name: str) -> bool:
        """Whether the sheet's (one) Excel table has a total row."""
        part = self.sheets[name]
        rels = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
        if rels not in self.zip.namelist():
            return False
        return any(self._xml(t).get("totalsRowCount") == "1" for t in self._targets(rels, "xl/").values())

    def page_setup(self, name: str) -> dict[str, str]:
        """The sheet's print setup: orientation, fitToPage, fitToWidth (1 unless said) and fitToHeight."""
        sheet = self.sheet(name)
        setup = sheet.find(f"{MAIN}pageSetup")
        fit = sheet.find(f"{MAIN}sheetPr/{MAIN}pageSetUpPr")
        attributes = dict(setup.attrib) if setup is not None else {}
        return {
            "orientation": attributes.get("orientation", "portrait"),
            "fitToPage": "" if fit is None else fit.get("fitToPage", ""),
            "fitToWidth": attributes.get("fitToWidth", "1"),  # 1 is the format's default
            "fitToHeight": attributes.get("fitToHeight", "1"),
        }

    def print_titles(self) -> dict[str, str]:
        """The rows printed on every page, by sheet name ('$1:$2')."""
        names = list(self.sheets)
        found = {}
        for defined in self._xml("xl/workbook.xml").iter(f"{MAIN}definedName"):
            if defined.get("name") == "_xlnm.Print_Titles":
                found[names[int(defined.get("localSheetId", "0"))]] = (defined.text or "").split("!")[-1]
        return found

    def header_footer(self, name: str) -> tuple[str, str]:
        """The sheet's printed page header and footer, in Excel's codes (&P the page number)."""
        sheet = self.sheet(name)
        return (sheet.findtext(f".//{MAIN}oddHeader") or "", sheet.findtext(f".//{MAIN}oddFooter") or "")

    def row(self, name: str, number: int) -> list[str | int | float | None]:
        """The values of one row from column A to its last cell (None for an empty cell)."""
        found: dict[int, str | int | float] = {}
        for ref, cell in self.cells(name).items():
            letters = ref.rstrip("0123456789")
            if ref[len(letters) :] == str(number) and cell.find(f"{MAIN}v") is not None:
                column = 0
                for letter in letters:
                    column = column * 26 + ord(letter) - ord("A") + 1
                found[column - 1] = self.value(name, ref)
        return [found.get(col) for col in range(max(found, default=-1) + 1)]


# -- reading report.html -------------------------------------------------------------------------


class Page(HTMLParser):
    """What a test needs from a report: tags with attributes, tables as text, sections, charts."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.tables: list[list[list[str]]] = []
        self.sections: list[str] = []
        self.charts: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "section" and attributes.get("id"):
            self.sections.append(str(attributes["id"]))
        elif tag == "svg":
            self.charts.append(str(attributes.get("aria-label")))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data.replace("\u00a0", " "))

    def table(self, first_header: str, after: int = 0) -> list[list[str]]:
        """The rows of the (after+1)-th table whose first header cell is `first_header`."""
        found = [t for t in self.tables if t and t[0] and t[0][0] == first_header]
        return found[after]
