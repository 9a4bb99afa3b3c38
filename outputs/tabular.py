"""Writing a plan's CSV files in the plain dialect or the Swedish Excel one, text guarded from formulas.

Every plan CSV is written here (the plan's own in the plain dialect, csv-sv/'s copies in the
Swedish Excel one) and read back through inputs/plan_files.py, whose dialects and
guard rules this follows: numbers with the dialect's decimal mark, a text cell a spreadsheet
would take for a formula (or, in the Swedish Excel dialect, for a decimal number) behind a guard
apostrophe. A row with a carriage return in a cell is quoted cell by cell (the csv module quotes
only cells with the line terminator, here a bare line feed, and a bare carriage return would end
the row on reading).
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from leveransplan.inputs.plan_files import PLAIN, Dialect, guard_text

_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?\Z")


def cell_text(value: Any, dialect: Dialect = PLAIN) -> str:
    """One value as the cell's text in `dialect`: numbers with its decimal mark, text guarded."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value).replace(".", dialect.decimal)
    text = str(value)
    if _PLAIN_NUMBER.match(text):  # a number kept as text, such as at_distribution's "12.50"
        return text.replace(".", dialect.decimal)
    return guard_text(text, dialect)


def write_csv(
    path: Path, columns: Sequence[str], rows: Sequence[Mapping[str, Any]], dialect: Dialect = PLAIN
) -> None:
    """Write `rows` (missing keys as empty cells) under a header of `columns`, all or nothing.

    The file is written under a hidden name beside `path` and renamed when complete, so a full
    disk or a killed run never leaves half a file under the real name.
    """
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with partial.open("w", encoding=dialect.encoding, newline="") as handle:
            writer = csv.writer(handle, delimiter=dialect.delimiter, lineterminator="\n")
            quoting = csv.writer(
                handle, delimiter=dialect.delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL
            )
            for cells in (
                [guard_text(column, dialect) for column in columns],
                *([cell_text(row.get(column), dialect) for column in columns] for row in rows),
            ):
                (quoting if any("\r" in cell for cell in cells) else writer).writerow(cells)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
