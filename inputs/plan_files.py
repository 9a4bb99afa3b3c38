"""Plan CSV files read back: the plain dialect or the Swedish Excel one, with text guarded from formulas.

Every plan CSV is read here, so the checker, `diff`, `followup`, the report and `--previous` read
both dialects the same way; outputs/tabular.py writes them by the same rules.

- Plain (the default): `,`, decimal point, UTF-8 without a byte order mark.
- Swedish Excel: `;`, decimal comma, UTF-8 with a byte order mark, which is what a Swedish Excel
  opens with a double click: the copies `solve --swedish-csv` writes into csv-sv/, and every CSV
  file of a plan that an earlier `solve --excel` wrote, which must still be read.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a
leading apostrophe, so a spreadsheet shows it as text instead of running it as a formula (a
provider named `=HYPERLINK(...)` in contracts.csv must not become a link in the delivery plan).
Numbers, including negative ones, are written as numbers. In the Swedish Excel dialect a text
that reads as a decimal number (a code `1,5`) is guarded too, and so is a text whose own leading
apostrophe would otherwise be taken for the guard: reading a file back gives every text exactly
as it was written. Only a cell that is exactly a decimal number (no space around it) is read as
one. What does not come back is a row of blank cells: reading leaves it out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from leveransplan.inputs.tables import BrokenRecord, UnreadableFile, csv_records, read_file

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
# Anchored at \Z, not $: "5\n" is a text (which $ would let through before its line feed).
_NUMBER = re.compile(r"^[+-]?\d+([.,]\d+)?\Z")  # a number in either dialect: never a formula
_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+\Z")
_BOM = "\ufeff"


@dataclass(frozen=True)
class Dialect:
    """How a CSV file is written: separator, decimal mark and encoding."""

    delimiter: str
    decimal: str
    encoding: str


PLAIN = Dialect(delimiter=",", decimal=".", encoding="utf-8")
SWEDISH_EXCEL = Dialect(delimiter=";", decimal=",", encoding="utf-8-sig")


def looks_numeric(text: str) -> bool:
    """Whether a text cell holds a plain number (which a spreadsheet may and should read as one)."""
    return bool(_NUMBER.match(text))


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet would take `text` for a formula (a number such as -5 is not one)."""
    return text.startswith(FORMULA_STARTS) and not looks_numeric(text)


def _misread(text: str, dialect: Dialect) -> bool:
    """Whether `text`, written as it is, would come back as something else: a formula or a number."""
    return starts_formula(text) or (dialect.decimal == "," and bool(_COMMA_DECIMAL.match(text)))


def _needs_guard(text: str, dialect: Dialect) -> bool:
    # Apostrophes already in front are escaped by one more, so unguarding is exact.
    return _misread(text.lstrip(GUARD), dialect)


def guard_text(text: str, dialect: Dialect = PLAIN) -> str:
    """`text`, with an apostrophe in front when a spreadsheet would otherwise start a formula."""
    return GUARD + text if _needs_guard(text, dialect) else text


def unguard_text(text: str, dialect: Dialect = PLAIN) -> str:
    """The text `guard_text` was given: the apostrophe it added is taken off again."""
    if text.startswith(GUARD) and _needs_guard(text[1:], dialect):
        return text[1:]
    return text


@dataclass
class PlanCsv:
    """A plan CSV read back: its dialect, header and non-blank rows as (spreadsheet row, cells)."""

    dialect: Dialect
    header: list[str]
    rows: list[tuple[int, list[str]]]

    def records(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Rows as dicts by column (short rows padded with empty cells, extra cells dropped)."""
        for number, cells in self.rows:
            padded = cells + [""] * (len(self.header) - len(cells))
            yield number, dict(zip(self.header, padded, strict=False))


def _dialect(text: str) -> Dialect:
    """A header with more `;` than `,` means Swedish Excel; a header with neither (one column), a BOM."""
    header = re.split(r"[\r\n]", text.removeprefix(_BOM), maxsplit=1)[0]
    semicolons, commas = header.count(";"), header.count(",")
    if semicolons == commas == 0:
        return SWEDISH_EXCEL if text.startswith(_BOM) else PLAIN
    return SWEDISH_EXCEL if semicolons > commas else PLAIN


def parse_plan_csv(text: str) -> PlanCsv:
    """Read a plan CSV's text in either dialect (see `_dialect`).

    Cells come back as the plain dialect would have them: decimal point, no guard apostrophe.
    Rows with only blank cells are left out. A record the csv module cannot read (a cell longer
    than its limit, from a quote never closed) raises BrokenRecord with its row.
    """
    dialect = _dialect(text)
    # Counted by records, not lines: a cell with a line break is still one spreadsheet row.
    records = csv_records(text.removeprefix(_BOM), dialect.delimiter)
    _, first = next(records, (1, []))
    header = [unguard_text(cell.strip(), dialect) for cell in first]
    rows = []
    for number, cells in records:
        plain = [_plain_cell(cell, dialect) for cell in cells]
        if any(cell.strip() for cell in plain):
            rows.append((number, plain))
    return PlanCsv(dialect, header, rows)


def read_plan_csv(path: Path) -> PlanCsv:
    """`parse_plan_csv` of a file; UnicodeDecodeError and OSError are the caller's to report.

    The file is read as every input is (inputs.tables.read_file): a named pipe, a device or a file
    over the size cap is an UnreadableFile, an OSError, and so is a record that cannot be read.
    """
    text = read_file(path).decode("utf-8")
    try:
        return parse_plan_csv(text)
    except BrokenRecord as broken:
        raise UnreadableFile(str(broken)) from None


def _plain_cell(cell: str, dialect: Dialect) -> str:
    # Only a cell that is exactly a number: " 1,5" is a text the writer left as it was.
    if dialect.decimal != "." and _COMMA_DECIMAL.match(cell):
        return cell.replace(dialect.decimal, ".")
    return unguard_text(cell, dialect)
