"""delivery_plan.xlsx: the volume plan as a workbook, a summary sheet first and one sheet per hospital.

Layout. Every table is an Excel table with its own filter buttons, under a bold title row; tables
on a sheet stand one below the other with a blank row between, so filtering one never hides rows
of another. The rows down to the first table's header are frozen.

- "Summary": the scenario's name in row 1, then per hospital (summary.json's volumes.hospitals,
  with the name from hospitals.csv; when a hospital has a frame, also its frame and what is left
  of it after its cost, frame_left_sek), the plan's totals, each model's objectives and its stages in
  the order solved, and the use of every contract (contract_usage.csv).
- One sheet per hospital, in hospitals.csv's order, named by its code: the referrals it sends
  (its delivery_plan.csv rows), the transfers other hospitals send it, its volume table
  (volume_table.csv) and its production plan by month (production_plan.csv). The columns are the
  CSV files' columns, so a row can be found in the file it comes from.
- After each hospital's sheet, "<code> decision": its volume table as the decision prints it
  (outputs/decision_tables.py: by area and kind with subtotals, uppdrag, bas, tillägg and
  Totalsumma; area, kind and total rows bold, categories indented), then the referrals it sends as
  provider x month with totals. Plain cells rather than an Excel table, as a filter would mix up
  the subtotal rows.

Cells. Numbers are numbers (whole numbers with a thousands format, so SEK read 1 234 567 in a
Swedish Excel); text is written as text, never as a formula, and a text that starts with =, +, -,
@, a tab or a carriage return also gets Excel's quote prefix, so it stays text when someone edits
the cell. The same plan gives the same bytes: the workbook's creation date is a fixed constant (the
time a plan was made is in manifest.json).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from leveransplan.inputs.plan_files import FORMULA_STARTS
from leveransplan.outputs import volume_files as vf
from leveransplan.outputs.decision_tables import (
    LABEL,
    LEVEL,
    decision_volume_table,
    delivery_matrix,
    figure_label,
    figures_of,
    matrix_rows,
)

WORKBOOK = "delivery_plan.xlsx"
SUMMARY_SHEET = "Summary"
DECISION_SHEET = "{code} decision"
DECISION_TITLE = "{code} ({name}): volume table as in the decision"
MATRIX_TITLE = "Referrals sent, by provider and month (delivery_plan.csv)"
CREATED = datetime(2000, 1, 1)  # fixed, so identical plans give identical files
TOTAL_COLUMNS = ("cost_sek", "unused_minimum_cost_sek", "previous_plan")
OBJECTIVE_COLUMNS = ("model", "objective", "value")
STAGE_COLUMNS = ("model", "objective", "value", "bound", "status", "seconds")
MODELS = ("volumes", "at", "placements")
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_WIDTH_MIN, _WIDTH_MAX, _FILTER_BUTTON = 6, 60, 3

Row = Mapping[str, Any]


def sheet_name(wanted: str, taken: set[str]) -> str:
    """`wanted` as Excel allows a sheet name, and unlike every name in `taken` (lower case), which it joins.

    Excel's rules: at most 31 characters, none of []:*?/\\, no apostrophe first or last, and
    "History" is reserved. Names are compared without regard to case.
    """
    base = _SHEET_FORBIDDEN.sub("_", wanted).strip("'")[:SHEET_NAME_MAX].rstrip("'") or "Sheet"
    if base.lower() == "history":
        base += "_"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        number += 1
    taken.add(name.lower())
    return name


class _Formats:
    """The workbook's cell formats, made once per combination of properties."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.workbook = workbook
        self.made: dict[tuple[tuple[str, Any], ...], Format] = {}

    def get(self, **properties: Any) -> Format | None:
        if not properties:
            return None
        key = tuple(sorted(properties.items()))
        if key not in self.made:
            self.made[key] = self.workbook.add_format(properties)
        return self.made[key]


class _Sheet:
    """One worksheet being filled from the top: title rows and tables, and the widths they need."""

    def __init__(self, worksheet: Worksheet, formats: _Formats, illustrative: str | None = None) -> None:
        self.worksheet = worksheet
        self.formats = formats
        self.row = 0
        self.widths: dict[int, int] = {}
        self.frozen = False
        if illustrative is not None:
            # On the sheet's first row and on every printed page: invented figures are never
            # taken for the region's.
            mark = f"ILLUSTRATIVE: {illustrative}"
            worksheet.write_string(0, 0, mark, formats.get(bold=True, font_color="#9c4a00"))
            worksheet.set_header(f"&L&B{mark.replace('&', '&&')}")
            self.row = 2

    def cell(self, row: int, col: int, value: Any, bold: bool = False, indent: int = 0) -> int:
        """Write one value as a number or as text; return the characters it shows."""
        style: dict[str, Any] = {"bold": True} if bold else {}
        if indent:
            style["indent"] = indent
        if value is None or value == "":
            return 0
        if isinstance(value, bool):
            self.worksheet.write_boolean(row, col, value, self.formats.get(**style))
            return 5
        if isinstance(value, int):
            self.worksheet.write_number(row, col, value, self.formats.get(num_format="#,##0", **style))
            return len(f"{value:,}")
        if isinstance(value, float):
            self.worksheet.write_number(row, col, value, self.formats.get(num_format="0.00", **style))
            return len(f"{value:,.2f}")
        text = str(value)
        if text.startswith(FORMULA_STARTS):
            style["quote_prefix"] = True
        self.worksheet.write_string(row, col, text, self.formats.get(**style))
        return len(text)

    def title(self, *values: Any) -> None:
        """A bold row naming what follows; its width is left to overflow into the empty cells."""
        for col, value in enumerate(values):
            self.cell(self.row, col, value, bold=True)
        self.row += 1

    def table(self, title: str | None, columns: Sequence[str], rows: Sequence[Row]) -> None:
        """An Excel table (header, filter buttons) of `rows`; an empty one keeps one blank row."""
        if title is not None:
            self.title(title if rows else f"{title}: none")
        header = self.row
        for col, column in enumerate(columns):
            self._fit(col, len(column) + _FILTER_BUTTON)
        for offset, row in enumerate(rows, start=1):
            for col, column in enumerate(columns):
                self._fit(col, self.cell(header + offset, col, row.get(column)))
        last = header + max(1, len(rows))  # Excel tables need a data row
        self.worksheet.add_table(
            header,
            0,
            last,
            len(columns) - 1,
            {"columns": [{"header": column} for column in columns], "style": "Table Style Light 9"},
        )
        if not self.frozen:
            self.worksheet.freeze_panes(header + 1, 0)
            self.frozen = True
        self.row = last + 2

    def grid(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Any]],
        bold: Sequence[bool],
        indent: Sequence[int],
    ) -> None:
        """A plain block of cells under a bold header, each row bold or indented as given."""
        self.title(*header)
        for col, column in enumerate(header):
            self._fit(col, len(str(column)))
        if not self.frozen:
            self.worksheet.freeze_panes(self.row, 0)
            self.frozen = True
        for values, strong, step in zip(rows, bold, indent, strict=True):
            for col, value in enumerate(values):
                shown = self.cell(self.row, col, value, bold=strong, indent=step if col == 0 else 0)
                self._fit(col, shown + 2 * step * (col == 0))
            self.row += 1
        self.row += 1

    def _fit(self, col: int, characters: int) -> None:
        self.widths[col] = max(self.widths.get(col, 0), characters)

    def set_widths(self) -> None:
        for col, characters in sorted(self.widths.items()):
            self.worksheet.set_column(col, col, max(_WIDTH_MIN, min(_WIDTH_MAX, characters + 2)))


def _with_frames_left(hospitals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The per-hospital rows with what is left of each frame after its cost (frame_left_sek); without
    frame columns when no hospital has a frame, as a column of empty cells says nothing."""
    if not any(row.get("frame_sek") is not None for row in hospitals):
        return [{k: v for k, v in row.items() if k != "frame_sek"} for row in hospitals]
    rows = []
    for row in hospitals:
        frame, cost = row.get("frame_sek"), row.get("cost_sek")
        left = frame - cost if isinstance(frame, int) and isinstance(cost, int) else None
        rows.append({**row, "frame_left_sek": left})
    return rows


def _objective_rows(summary: Mapping[str, Any]) -> list[Row]:
    return [
        {"model": model, "objective": name, "value": value}
        for model in MODELS
        for name, value in ((summary.get(model) or {}).get("objectives") or {}).items()
    ]


def _stage_rows(summary: Mapping[str, Any]) -> list[Row]:
    return [
        {"model": model, **stage}
        for model in MODELS
        for stage in (summary.get(model) or {}).get("stages", [])
    ]


def _of(rows: Iterable[Row], **wanted: str) -> list[Row]:
    """The rows whose every column in `wanted` holds the value given."""
    return [row for row in rows if all(row.get(column) == value for column, value in wanted.items())]


def write_workbook(
    path: Path,
    summary: Mapping[str, Any],
    hospital_names: Mapping[str, str],
    tables: Mapping[str, Sequence[Row]],
) -> None:
    """Write delivery_plan.xlsx from summary.json's content and the volume plan's CSV rows.

    `hospital_names`: code to name, in hospitals.csv's order; `tables`: rows by CSV file name
    (delivery_plan.csv, production_plan.csv, volume_table.csv and contract_usage.csv).
    """
    volumes = summary["volumes"]
    illustrative = summary.get("illustrative")
    delivery, production = tables["delivery_plan.csv"], tables["production_plan.csv"]
    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(path), options)
    workbook.set_properties({"title": "Delivery plan", "created": CREATED})
    formats = _Formats(workbook)
    taken: set[str] = set()
    categories = volumes.get("categories") or []
    months = sorted({str(row["month"]) for row in production})

    sheet = _Sheet(workbook.add_worksheet(sheet_name(SUMMARY_SHEET, taken)), formats, illustrative)
    sheet.title("Scenario", summary.get("scenario"))
    hospitals = _with_frames_left(
        [{**row, "name": hospital_names.get(row["hospital"])} for row in volumes["hospitals"]]
    )
    figures = [column for column in (hospitals[0] if hospitals else {}) if column not in ("hospital", "name")]
    sheet.table(None, ["hospital", "name", *figures], hospitals)  # summary.json's figures, in its order
    sheet.table("Totals", TOTAL_COLUMNS, [volumes])
    sheet.table("Objectives", OBJECTIVE_COLUMNS, _objective_rows(summary))
    sheet.table("Stages, in the order solved", STAGE_COLUMNS, _stage_rows(summary))
    sheet.table("Contracts (contract_usage.csv)", vf.CONTRACT_COLUMNS, tables["contract_usage.csv"])
    sheet.set_widths()

    for code, name in hospital_names.items():
        sheet = _Sheet(workbook.add_worksheet(sheet_name(code, taken)), formats, illustrative)
        sheet.table(
            f"{code} ({name}): referrals sent (delivery_plan.csv)",
            vf.DELIVERY_COLUMNS,
            _of(delivery, hospital=code),
        )
        sheet.table(
            f"Transfers to {code} from other hospitals (delivery_plan.csv)",
            vf.DELIVERY_COLUMNS,
            _of(delivery, channel="transfer", provider=code),
        )
        sheet.table(
            "Volume table (volume_table.csv)",
            vf.VOLUME_TABLE_COLUMNS,
            _of(tables["volume_table.csv"], hospital=code),
        )
        sheet.table(
            "Production plan by month (production_plan.csv)",
            vf.PRODUCTION_COLUMNS,
            _of(production, hospital=code),
        )
        sheet.set_widths()
        sheet = _Sheet(
            workbook.add_worksheet(sheet_name(DECISION_SHEET.format(code=code), taken)), formats, illustrative
        )
        _decision_sheet(
            sheet,
            code,
            name,
            categories,
            volumes.get("decided"),
            tables["volume_table.csv"],
            delivery,
            months,
        )
    workbook.close()


def _decision_sheet(
    sheet: _Sheet,
    code: str,
    name: str,
    categories: Sequence[Row],
    decided: Sequence[Row] | None,
    volume_rows: Sequence[Row],
    delivery: Sequence[Row],
    months: Sequence[str],
) -> None:
    """A hospital's volume table in the decision's layout, then its referrals by provider and month."""
    sheet.title(DECISION_TITLE.format(code=code, name=name))
    table = decision_volume_table(categories, volume_rows, code, decided)
    levels, figures = list(table[LEVEL]), figures_of(table)
    sheet.grid(
        [code, *map(figure_label, figures)],
        [[row[LABEL], *(int(row[f]) for f in figures)] for row in table.to_dict("records")],
        [level != "category" for level in levels],
        [1 if level == "category" else 0 for level in levels],
    )
    matrix = delivery_matrix(delivery, code, months)
    sheet.title(MATRIX_TITLE)
    rows = matrix_rows(matrix)
    sheet.grid(
        ["provider", *map(str, matrix.columns)],
        rows,
        [i == len(rows) - 1 for i in range(len(rows))],
        [0] * len(rows),
    )
    sheet.set_widths()
