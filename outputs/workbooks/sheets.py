"""The workbooks' building blocks: a book of sheets, each sheet one table under a title.

Every sheet is set the same way. Row 1 carries the illustrative mark when the scenario has one,
then comes a bold title, then the table's header row; the panes are frozen below the header, and
the rows from the top down to the header are printed again on every page. Printing is landscape,
one page wide, with the scenario's name and the mark in the page header and the file's name and
the page number in the footer.

A data table is an Excel table with a fixed English name (`referrals`, `production_plan`, ...),
the same in either language, so a query written against one workbook finds its table in any
other. A table whose rows include subtotals (the decision's volume table) is plain cells with
bold subtotal rows instead, as a filter would mix up the subtotal rows.

Cells. Numbers are numbers (whole numbers with a thousands format, so SEK read 1 234 567 in a
Swedish Excel); text is written as text, never as a formula, and a text that starts with =, +, -,
@, a tab or a carriage return also gets Excel's quote prefix, so it stays text when someone edits
the cell. The same content gives the same bytes: the creation date is a fixed constant.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from leveransplan.inputs.plan_files import FORMULA_STARTS
from leveransplan.models.language import _
from leveransplan.models.wording import shown

CREATED = datetime(2000, 1, 1)  # fixed, so identical plans give identical files
SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_WIDTH_MIN, _WIDTH_MAX, _FILTER_BUTTON = 6, 60, 3
# Excel drops a page header or footer longer than 255 characters; each part is cut to fit.
_HEADER_PART_MAX = 100
_STYLE = "Table Style Light 9"

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


def _header_text(text: str) -> str:
    """A text for a page header or footer: its & (Excel's code sign) doubled, cut short enough."""
    escaped = text.replace("&", "&&")
    while len(escaped) > _HEADER_PART_MAX:
        text = text[: len(text) - (len(escaped) - _HEADER_PART_MAX) // 2 - 2] + "…"
        escaped = text.replace("&", "&&")
    return escaped


class Book:
    """One workbook being written: its sheets share formats, the scenario's name and the mark."""

    def __init__(self, path: Path, title: str, scenario: str, illustrative: str | None) -> None:
        options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
        self.workbook = xlsxwriter.Workbook(str(path), options)
        self.workbook.set_properties({"title": title, "created": CREATED})
        self.file = path.name
        self.scenario = scenario
        self.illustrative = illustrative
        self.taken: set[str] = set()
        self.made: dict[tuple[tuple[str, Any], ...], Format] = {}

    def format(self, **properties: Any) -> Format | None:
        """A cell format, made once per combination of properties."""
        if not properties:
            return None
        key = tuple(sorted(properties.items()))
        if key not in self.made:
            self.made[key] = self.workbook.add_format(properties)
        return self.made[key]

    def sheet(self, name: str, title: str) -> Sheet:
        """A new sheet named `name` (made valid and unique), with `title` above its table."""
        return Sheet(self, self.workbook.add_worksheet(sheet_name(name, self.taken)), title)

    def close(self) -> None:
        self.workbook.close()


class Sheet:
    """One worksheet: the mark, a title and one table, with its panes and print setup."""

    def __init__(self, book: Book, worksheet: Worksheet, title: str) -> None:
        self.book = book
        self.worksheet = worksheet
        self.widths: dict[int, int] = {}
        self.row = 0
        header = f"&R{_header_text(book.scenario)}"
        if book.illustrative is not None:
            # On the sheet's first row and on every printed page: invented figures are never
            # taken for the region's.
            mark = _("ILLUSTRATIVE: {note}").format(note=_(book.illustrative))
            worksheet.write_string(0, 0, mark, book.format(bold=True, font_color="#9c4a00"))
            header = f"&L&B{_header_text(mark)}&B{header}"
            self.row = 1
        guard = {"quote_prefix": True} if title.startswith(FORMULA_STARTS) else {}
        worksheet.write_string(self.row, 0, title, book.format(bold=True, font_size=12, **guard))
        self.row += 1
        worksheet.set_header(header)
        page = _("Page &P of &N")
        worksheet.set_footer(f"&L{_header_text(book.file)}&R{page}")
        worksheet.set_landscape()
        worksheet.set_paper(9)  # A4
        worksheet.fit_to_pages(1, 0)  # one page wide, as many long as it takes

    def _header_row(self) -> int:
        """Freeze and repeat on printing everything down to the header row, which is the current row."""
        header = self.row
        self.worksheet.freeze_panes(header + 1, 0)
        self.worksheet.repeat_rows(0, header)
        return header

    def cell(self, row: int, col: int, value: Any, bold: bool = False, indent: int = 0) -> int:
        """Write one value as a number or as text; return the characters it shows."""
        style: dict[str, Any] = {"bold": True} if bold else {}
        if indent:
            style["indent"] = indent
        if value is None or value == "":
            return 0
        if isinstance(value, bool):
            self.worksheet.write_boolean(row, col, value, self.book.format(**style))
            return 5
        if isinstance(value, int):
            self.worksheet.write_number(row, col, value, self.book.format(num_format="#,##0", **style))
            return len(f"{value:,}")
        if isinstance(value, float):
            self.worksheet.write_number(row, col, value, self.book.format(num_format="#,##0.00", **style))
            return len(f"{value:,.2f}")
        # A Words (an unplaced reason) in the reader's language; any other value as written.
        text = shown(value) if isinstance(value, str) else str(value)
        if text.startswith(FORMULA_STARTS):
            style["quote_prefix"] = True
        self.worksheet.write_string(row, col, text, self.book.format(**style))
        return len(text)

    def table(
        self,
        name: str,
        columns: Sequence[str],
        headers: Sequence[str],
        rows: Sequence[Row],
        totals: Mapping[str, int] | None = None,
        total_label: str = "",
    ) -> None:
        """An Excel table named `name` of `rows` by `columns`, shown under `headers`.

        An empty table keeps one blank row (Excel wants a data row). `totals`: a total row
        summing these columns (a filter then sums what it shows), with `total_label` in the first.
        """
        header = self._header_row()
        for col, heading in enumerate(headers):
            self._fit(col, len(heading) + _FILTER_BUTTON)
        for offset, row in enumerate(rows, start=1):
            for col, column in enumerate(columns):
                self._fit(col, self.cell(header + offset, col, row.get(column)))
        last = header + max(1, len(rows))
        specs: list[dict[str, Any]] = [{"header": shown} for shown in headers]
        if totals is not None:
            last += 1
            specs[0]["total_string"] = total_label
            for spec, column in zip(specs, columns, strict=True):
                if column in totals:
                    spec.update(total_function="sum", total_value=totals[column])
                    spec["format"] = self.book.format(num_format="#,##0")
        options: dict[str, Any] = {"name": name, "columns": specs, "style": _STYLE}
        if totals is not None:
            options["total_row"] = True
        self.worksheet.add_table(header, 0, last, len(columns) - 1, options)
        self._set_widths()

    def grid(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        bold: Sequence[bool],
        indent: Sequence[int],
    ) -> None:
        """Plain cells under a bold header row, each row bold or indented as given."""
        header = self._header_row()
        for col, text in enumerate(headers):
            self._fit(col, self.cell(header, col, text, bold=True))
        for number, (values, strong, step) in enumerate(zip(rows, bold, indent, strict=True), start=1):
            for col, value in enumerate(values):
                width = self.cell(header + number, col, value, bold=strong, indent=step if col == 0 else 0)
                self._fit(col, width + 2 * step * (col == 0))
        self._set_widths()

    def _fit(self, col: int, characters: int) -> None:
        self.widths[col] = max(self.widths.get(col, 0), characters)

    def _set_widths(self) -> None:
        for col, characters in sorted(self.widths.items()):
            self.worksheet.set_column(col, col, max(_WIDTH_MIN, min(_WIDTH_MAX, characters + 2)))
