"""Reading one scenario CSV file against its column schema.

Rows keep the number a spreadsheet shows (header = row 1), so every later check can say where
a bad value is. Unknown columns are an error: a typo in a header must not be silently ignored.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inputs import cells
from inputs.cells import CellParser
from inputs.problems import InputProblem


@dataclass(frozen=True)
class Column:
    """A column of a table: its parser, and the default when the column or cell may be empty."""

    name: str
    parse: CellParser
    required: bool = True
    default: Any = None


@dataclass(frozen=True)
class TableSchema:
    """The columns of one scenario file."""

    file: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass
class Record:
    """A parsed row: its values by column and the row number a spreadsheet shows."""

    row: int
    values: dict[str, Any]
    raw: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, column: str) -> Any:
        return self.values[column]


# What Excel on a Swedish Windows saves as "CSV (semikolonavgränsad)": a file that is not UTF-8 is
# read as this, and the user is told, since a wrong guess shows only in the letters å, ä and ö.
FALLBACK_ENCODING = "cp1252"
CSV_ADVICE = "save it as 'CSV UTF-8' in Excel"
A_FOLDER = "cannot be read: it is a folder; expected a file"


def cannot_read(error: OSError) -> str:
    """What to tell the user about a file the system does not let us read."""
    if isinstance(error, PermissionError):
        # On Windows this is what a file open in Excel gives.
        return "cannot be read (permission denied: is it open in another program, e.g. Excel?)"
    if isinstance(error, IsADirectoryError):
        return A_FOLDER
    return f"cannot be read ({error.strerror or error})"


def _not_text(data: bytes) -> str | None:
    """Why the bytes are not a text file in any encoding we read, or None."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return "is an Excel workbook (or another binary file), not text"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "is UTF-16 text (Excel's 'Unicode text'), not UTF-8"
    if b"\x00" in data:
        return "contains NUL bytes, so it is not a text file"
    return None


def _partly_utf8(data: bytes) -> bool:
    """A BOM or a valid UTF-8 multi-byte character: then a bad byte is damage, not another encoding."""
    return any(ord(c) > 127 and c != "\ufffd" for c in data.decode("utf-8", errors="replace"))


def _undecodable(
    name: str, data: bytes, encoding: str, error: UnicodeDecodeError, why: str, table: bool
) -> InputProblem:
    """The first byte that cannot be read, located by row and column (or by line outside a table)."""
    byte = f"0x{error.object[error.start]:02X}"
    text = data.decode(encoding, errors="replace")
    if table:
        rows = list(_rows(text))
        header = [cell.strip() for cell in rows[0][1]] if rows else []
        for number, row in rows:
            for position, cell in enumerate(row):
                if "\ufffd" in cell:
                    column = header[position] if number > 1 and position < len(header) else None
                    return InputProblem(name, number, column, cell, f"has byte {byte}, which {why}")
    for number, line in enumerate(text.splitlines(), start=1):
        if "\ufffd" in line:
            return InputProblem(name, None, None, None, f"byte {byte} in line {number} {why}")
    return InputProblem(name, None, None, None, f"byte {byte} {why}")


def read_text(
    path: Path,
    name: str,
    problems: list[InputProblem],
    notes: list[str] | None = None,
    table: bool = True,
    advice: str = CSV_ADVICE,
) -> str | None:
    """An input file's text: UTF-8 (a BOM is fine), else cp1252 with a note; None if it cannot be read.

    Problems name the file as `name`; a note on how the file was read goes to `notes`.
    """
    try:
        if path.is_dir():
            problems.append(InputProblem(name, None, None, None, A_FOLDER))
            return None
        data = path.read_bytes()
    except OSError as error:
        problems.append(InputProblem(name, None, None, None, cannot_read(error)))
        return None
    not_text = _not_text(data)
    if not_text is not None:
        problems.append(InputProblem(name, None, None, None, f"{not_text}; {advice}"))
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if _partly_utf8(data):
            why = f"is not UTF-8 like the rest of the file; {advice}"
            problems.append(_undecodable(name, data, "utf-8-sig", error, why, table))
            return None
    try:
        text = data.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError as error:
        why = f"is neither UTF-8 nor Windows-1252 (cp1252); {advice}"
        problems.append(_undecodable(name, data, FALLBACK_ENCODING, error, why, table))
        return None
    if notes is not None:
        read_as = "read it as Windows-1252 (cp1252): check å, ä, ö"
        notes.append(f"{name} is not UTF-8; {read_as} ({advice} to avoid this note)")
    return text


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Non-empty rows with their spreadsheet row numbers."""
    lines = text.splitlines()
    header = lines[0] if lines else ""
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(lines, delimiter=delimiter)
    for number, row in enumerate(reader, start=1):
        if number > 1 and all(not cell.strip() for cell in row):
            continue
        yield number, row


def _without_trailing_empties(cells_in_row: list[str]) -> list[str]:
    """The cells up to the last non-empty one: Excel writes separators for columns once used and cleared."""
    end = len(cells_in_row)
    while end and not cells_in_row[end - 1].strip():
        end -= 1
    return cells_in_row[:end]


def read_table(
    folder: Path, schema: TableSchema, problems: list[InputProblem], notes: list[str] | None = None
) -> list[Record] | None:
    """Parse one file; problems are appended, bad rows dropped. None if the file is absent.

    A note on how the file was read (not UTF-8, read as cp1252) goes to `notes`.
    """
    path = folder / schema.file
    try:
        present = path.exists()
    except OSError as error:  # e.g. a folder we may not look into
        problems.append(InputProblem(schema.file, None, None, None, cannot_read(error)))
        return []
    if not present:
        return None
    text = read_text(path, schema.file, problems, notes)
    if text is None:
        return []
    header_line = text.splitlines()[0] if text.strip() else ""
    decimal_comma = header_line.count(";") > header_line.count(",")
    rows = list(_rows(text))
    if not rows:
        problems.append(InputProblem(schema.file, 1, None, None, "the file is empty; expected a header row"))
        return []
    header = _without_trailing_empties([name.strip() for name in rows[0][1]])
    ok = True
    for position, name in enumerate(header):
        if name not in schema.names:
            problems.append(
                InputProblem(
                    schema.file,
                    1,
                    None,
                    name,
                    f"is not a column of {schema.file}; expected {', '.join(schema.names)}",
                )
            )
            ok = False
        elif header.index(name) != position:
            problems.append(InputProblem(schema.file, 1, name, name, "the column appears twice"))
            ok = False
    for column in schema.columns:
        if column.required and column.name not in header:
            problems.append(InputProblem(schema.file, 1, column.name, None, "the required column is missing"))
            ok = False
    if not ok:
        return []
    records: list[Record] = []
    for number, cells_in_row in rows[1:]:
        used = len(_without_trailing_empties(cells_in_row))
        if used > len(header):
            problems.append(
                InputProblem(
                    schema.file,
                    number,
                    None,
                    None,
                    f"the row has {used} cells but the header has {len(header)} columns",
                )
            )
            continue
        raw = dict(zip(header, cells_in_row, strict=False))
        values: dict[str, Any] = {}
        row_ok = True
        for column in schema.columns:
            text = raw.get(column.name, "")
            if not text.strip():
                if column.required:
                    problems.append(InputProblem(schema.file, number, column.name, "", "expected a value"))
                    row_ok = False
                values[column.name] = column.default
                continue
            try:
                values[column.name] = column.parse(text, decimal_comma)
            except ValueError as error:
                problems.append(InputProblem(schema.file, number, column.name, text, str(error)))
                row_ok = False
        if row_ok:
            records.append(Record(number, values, raw))
    return records


def optional(name: str, parse: CellParser, default: Any = None) -> Column:
    """A column that may be left out, or left empty in a row."""
    return Column(name, parse, required=False, default=default)


HOSPITALS = TableSchema("hospitals.csv", (Column("hospital", cells.code), Column("name", cells.code)))
CATEGORIES = TableSchema(
    "categories.csv",
    (
        Column("category", cells.code),
        Column("area", cells.code),
        Column("kind", cells.code),
        Column("specialty", cells.code),
        Column("price_class", cells.code),
    ),
)
PRICES = TableSchema(
    "prices.csv",
    (
        Column("hospital", cells.code),
        Column("price_class", cells.code),
        Column("price_sek", cells.whole_number),
    ),
)
OWN_VOLUMES = TableSchema(
    "own_volumes.csv",
    (
        Column("hospital", cells.code),
        Column("category", cells.code),
        Column("base", cells.whole_number),
        Column("additional_max", cells.whole_number),
    ),
)
NEED = TableSchema(
    "need.csv",
    (
        Column("hospital", cells.code),
        Column("category", cells.code),
        Column("waiting", cells.whole_number),
        Column("inflow", cells.whole_number),
    ),
)
PROFILE = TableSchema(
    "profile.csv",
    (Column("hospital", cells.code), Column("month", cells.month), Column("factor", cells.factor)),
)
CONTRACTS = TableSchema(
    "contracts.csv",
    (
        Column("contract", cells.code),
        Column("provider", cells.code),
        Column("category", cells.code),
        Column("volume_min", cells.whole_number),
        Column("volume_max", cells.whole_number),
        Column("price_sek", cells.whole_number),
        optional("first_month", cells.month),
        optional("last_month", cells.month),
        optional("monthly_max", cells.whole_number),
        optional("out_of_region", cells.boolean, False),
    ),
)
ACCESS = TableSchema(
    "access.csv",
    (
        Column("hospital", cells.code),
        Column("provider", cells.code),
        Column("travel_minutes", cells.whole_number),
        optional("allowed", cells.boolean, True),
    ),
)
AT = TableSchema(
    "at.csv",
    (
        Column("hospital", cells.code),
        Column("min", cells.whole_number),
        Column("max", cells.whole_number),
        Column("weight", cells.whole_number),
        optional("previous", cells.whole_number),
    ),
)
AT_ROTATIONS = TableSchema(
    "at_rotations.csv",
    (
        Column("hospital", cells.code),
        Column("area", cells.code),
        Column("months", cells.whole_number),
        Column("capacity_months", cells.whole_number),
    ),
)
ST_TRAINEES = TableSchema(
    "st_trainees.csv",
    (
        Column("trainee", cells.code),
        Column("home_area", cells.code),
        Column("earliest_start", cells.month),
        Column("deadline", cells.month),
        optional("unavailable", cells.month_list, ()),
    ),
)
ST_REQUIREMENTS = TableSchema(
    "st_requirements.csv",
    (Column("trainee", cells.code), Column("specialty", cells.code), Column("months", cells.whole_number)),
)
ST_CAPACITY = TableSchema(
    "st_capacity.csv",
    (
        Column("hospital", cells.code),
        Column("specialty", cells.code),
        Column("year", cells.whole_number),
        Column("places", cells.whole_number),
        optional("concurrent_max", cells.whole_number),
    ),
)
TRAVEL = TableSchema(
    "travel.csv",
    (Column("home_area", cells.code), Column("hospital", cells.code), Column("minutes", cells.whole_number)),
)
ST_FIXED = TableSchema(
    "st_fixed.csv",
    (
        Column("trainee", cells.code),
        Column("specialty", cells.code),
        Column("hospital", cells.code),
        Column("start", cells.month),
    ),
)
VOLUME_TABLES = (HOSPITALS, CATEGORIES, PRICES, OWN_VOLUMES, NEED, PROFILE, CONTRACTS, ACCESS)
TRAINING_TABLES = (AT, AT_ROTATIONS, ST_TRAINEES, ST_REQUIREMENTS, ST_CAPACITY, TRAVEL, ST_FIXED)
ALL_TABLES = VOLUME_TABLES + TRAINING_TABLES
REQUIRED_FOR_VOLUMES = ("hospitals.csv", "categories.csv", "prices.csv", "own_volumes.csv", "need.csv")
REQUIRED_FOR_PLACEMENTS = ("st_trainees.csv", "st_requirements.csv", "st_capacity.csv", "travel.csv")
VOLUME_ONLY = (
    "categories.csv",
    "prices.csv",
    "own_volumes.csv",
    "need.csv",
    "profile.csv",
    "contracts.csv",
    "access.csv",
)
PLACEMENT_TABLES = (*REQUIRED_FOR_PLACEMENTS, "st_fixed.csv")
