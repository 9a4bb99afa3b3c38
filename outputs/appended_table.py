"""A CSV file written a row at a time as results come (the sweep's), read back to resume, rewritten whole.

While the sweep runs, each row is appended and flushed to the disk as it comes, one line each, so
a crash or a kill leaves every row finished before it. A row cut short by a kill (a last line
without its line end) is no row: reading leaves it out, and the next row added replaces it. At
the end the file is written again whole (outputs.tabular.write_csv), in the variants' order.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from leveransplan.inputs.plan_files import unguard_text
from leveransplan.models.language import _
from leveransplan.outputs.tabular import cell_text, write_csv


class TableUnreadable(Exception):
    """The file is not a table of this kind; the message names the file, row, column and value."""


class AppendedTable:
    """A CSV file with `columns`, a row at a time; the header is written with the first row."""

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.path = path
        self.columns = tuple(columns)
        self.rows = 0  # rows in the file, those read back included

    def read(
        self, whole: Collection[str] = (), decimal: Collection[str] = ()
    ) -> list[tuple[int, dict[str, Any]]]:
        """The rows in the file (none when there is none), each with its row number as a spreadsheet
        shows it, `whole` and `decimal` columns as numbers.

        Empty cells are None. A last line cut short is taken off the file. Raises TableUnreadable
        when the header is not `columns` or a number is not one.
        """
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise TableUnreadable(
                _("{file} cannot be read ({error})").format(file=self.path, error=error.strerror)
            ) from None
        complete = data[: data.rfind(b"\n") + 1]
        try:
            text = complete.decode("utf-8")
        except UnicodeDecodeError:
            raise TableUnreadable(_("{file} is not UTF-8").format(file=self.path)) from None
        lines = list(csv.reader(io.StringIO(text)))
        if not lines:
            return []
        if tuple(lines[0]) != self.columns:
            raise TableUnreadable(
                _("{file}, row 1: the columns are {found}; expected {expected}").format(
                    file=self.path, found=",".join(lines[0]), expected=",".join(self.columns)
                )
            )
        rows = []
        for number, cells in enumerate(lines[1:], start=2):
            if not cells:
                continue
            if len(cells) != len(self.columns):
                raise TableUnreadable(
                    _("{file}, row {row}: {found} cells; expected {expected}").format(
                        file=self.path, row=number, found=len(cells), expected=len(self.columns)
                    )
                )
            row: dict[str, Any] = {}
            for column, cell in zip(self.columns, cells, strict=True):
                row[column] = _value(cell, column, whole, decimal)
                if row[column] is _WRONG:
                    raise TableUnreadable(
                        _("{file}, row {row}, column {column}: {value}; expected {expected}").format(
                            file=self.path,
                            row=number,
                            column=column,
                            value=repr(cell),
                            expected=_("a whole number or nothing")
                            if column in whole
                            else _("a number or nothing"),
                        )
                    )
            rows.append((number, row))
        if len(complete) < len(data):
            with self.path.open("r+b") as handle:
                handle.truncate(len(complete))
        self.rows = len(rows)
        return rows

    def rows_on_disk(self) -> int:
        """The whole rows in the file now (a stop can come between a row's write and its count)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return 0
        return max(data.count(b"\n") - 1, 0)

    def append(self, row: Mapping[str, Any]) -> None:
        """Add `row` (missing keys as empty cells) at the end, on the disk before this returns."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        new = not self.path.exists()
        if new:
            writer.writerow(self.columns)
        writer.writerow([cell_text(row.get(column)) for column in self.columns])
        # One write of whole lines: a kill between two rows never leaves half of one.
        with self.path.open("a", encoding="utf-8", newline="") as handle:
            handle.write(buffer.getvalue())
            handle.flush()
            os.fsync(handle.fileno())
        self.rows += 1

    def write(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Replace the file by `rows`, all or nothing."""
        write_csv(self.path, self.columns, rows)
        self.rows = len(rows)


_WRONG = object()


def _value(cell: str, column: str, whole: Collection[str], decimal: Collection[str]) -> Any:
    """A cell as written by `AppendedTable.append`: a number, None for nothing, or unguarded text."""
    if column in whole or column in decimal:
        if cell == "":
            return None
        try:
            return int(cell) if column in whole else float(cell)
        except ValueError:
            return _WRONG
    return unguard_text(cell)
