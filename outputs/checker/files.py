"""How the independent checker reads a plan folder: one plan CSV at a time, its cells typed.

Every model's checker reads its files here, so a file, a row and a cell are named the same way
in every message: the file, the row as a spreadsheet numbers it (header = row 1), the column and
the value as written. The CSV files may be in either dialect, plain or Swedish Excel
(inputs/plan_files.py); a text cell's guard apostrophe is not part of its value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from leveransplan.inputs.plan_files import read_plan_csv
from leveransplan.inputs.tables import cannot_read
from leveransplan.models.language import _, ngettext
from leveransplan.models.months import Horizon, parse_month

SUMMARY = "summary.json"
WHOLE_NUMBER = re.compile(r"^[0-9]+$")

Rows = list[tuple[int, dict[str, str]]]  # (spreadsheet row, cells by column)
T = TypeVar("T")


def file_rows(file: str, rows: Iterable[int]) -> str:
    """`file row 3` or `file rows 3, 5`."""
    numbers = sorted(set(rows))
    return ngettext("{file} row {rows}", "{file} rows {rows}", len(numbers)).format(
        file=file, rows=", ".join(str(r) for r in numbers)
    )


class Cells:
    """Typed access to the rows of one CSV file, one row at a time (`read`); a bad cell is
    reported once and marks its row unusable."""

    def __init__(self, file: str, out: list[str]) -> None:
        self.file = file
        self.out = out
        self.row = 0
        self.raw: dict[str, str] = {}
        self.ok = True

    def read(self, row: int, raw: dict[str, str]) -> None:
        """Move on to the next row."""
        self.row, self.raw, self.ok = row, raw, True

    @property
    def where(self) -> str:
        return _("{file} row {row}").format(file=self.file, row=self.row)

    def _bad(self, column: str, value: str, expected: str) -> None:
        self.out.append(f"{self.where}: {column} {value!r} {expected}")
        self.ok = False

    def text(self, column: str) -> str:
        return self.raw[column].strip()

    def count(self, column: str) -> int:
        value = self.raw[column].strip()
        if value.isascii() and value.isdigit():  # WHOLE_NUMBER, without a regex on every cell
            return int(value)
        self._bad(column, value, _("is not a whole number >= 0"))
        return 0

    def optional_count(self, column: str) -> int | None:
        return self.count(column) if self.text(column) else None

    def month(self, column: str) -> int:
        """The month as a running number (parse_month); inside a horizon or not is a rule's matter."""
        value = self.text(column)
        try:
            return parse_month(value)
        except ValueError:
            self._bad(column, value, _("is not a month written YYYY-MM"))
            return 0

    def horizon_month(self, column: str, horizon: Horizon, labels: Mapping[str, int]) -> int:
        """The month's number in `horizon`; `labels` holds the horizon's own labels, looked up first.

        A plan at scale 20 has some 90 000 rows: a month label parsed again on every row added
        seconds to reading it. A month not written as the horizon's own label takes the full
        parse, and its message.
        """
        value = self.raw[column].strip()
        number = labels.get(value)
        if number is not None:  # a month of the horizon as the writer labels it
            return number
        try:
            number = horizon.number(value)
        except ValueError:
            self._bad(column, value, _("is not a month written YYYY-MM"))
            return 0
        if number is None:
            last = horizon.label(horizon.length)
            self._bad(
                column,
                value,
                _("is outside the horizon {start}..{last}").format(start=horizon.start, last=last),
            )
            return 0
        return number

    def code(self, column: str, known: Collection[str], source: str) -> str:
        value = self.raw[column].strip()
        if value not in known:
            self._bad(column, value, _("is not a {column} in {source}").format(column=column, source=source))
        return value

    def choice(self, column: str, allowed: tuple[str, ...]) -> str:
        value = self.text(column)
        if value not in allowed:
            self._bad(column, value, _("is not one of {allowed}").format(allowed=", ".join(allowed)))
        return value


def read_table(
    folder: Path, file: str, header: tuple[str, ...], out: list[str], label: str = ""
) -> Rows | None:
    """Rows of a plan CSV in either dialect as (spreadsheet row, cells by column); None when unreadable.

    `header` is the expected header row. Cells come back as the plain dialect has them (decimal
    point, no guard apostrophe), so codes compare as written. `label` names the file in messages
    (default: its name).
    """
    name = label or file
    path = folder / file
    if not path.is_file():
        out.append(_("{name}: missing from the plan folder {folder}").format(name=name, folder=folder))
        return None
    try:
        table = read_plan_csv(path)
    except UnicodeDecodeError as error:
        out.append(
            _("{name}: not UTF-8 text (byte {value} cannot be read)").format(name=name, value=error.start + 1)
        )
        return None
    except OSError as error:  # not a regular file, too large, or a record that cannot be read
        out.append(f"{name}: {cannot_read(error)}")
        return None
    if tuple(table.header) != header:
        out.append(
            _("{name} row 1: header is {header}, expected {header2}").format(
                name=name, header=repr(",".join(table.header)), header2=repr(",".join(header))
            )
        )
        return None
    rows: Rows = []
    for number, cells in table.rows:
        if len(cells) != len(header):
            out.append(
                _("{name} row {number}: {count} cells, but the header has {count2}").format(
                    name=name, number=number, count=len(cells), count2=len(header)
                )
            )
            continue
        rows.append((number, dict(zip(header, cells, strict=True))))
    return rows


def parse_rows(file: str, rows: Rows, out: list[str], build: Callable[[Cells, int], T]) -> list[T]:
    """The rows whose every cell parses, built into their record type; bad cells are reported."""
    parsed = []
    cells = Cells(file, out)
    for row, raw in rows:
        cells.read(row, raw)
        record = build(cells, row)
        if cells.ok:
            parsed.append(record)
    return parsed


def json_int(owner: dict[str, Any], key: str, where: str, out: list[str]) -> int | None:
    """summary.json's whole number at `where`.`key`; a value of another kind is reported."""
    value = owner.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    out.append(
        _("{file} {where}.{key}: {value} is not a whole number").format(
            file=SUMMARY, where=where, key=key, value=repr(value)
        )
    )
    return None


def previous_folder(text: str, plan_dir: Path) -> Path | None:
    """The previous plan's folder summary.json names: from the working directory, then the plan folder."""
    for folder in (Path(text), plan_dir / text):
        if folder.is_dir():
            return folder
    return None
