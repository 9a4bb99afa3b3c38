"""Reading one scenario CSV file against its column schema.

Rows keep the number a spreadsheet shows (header = row 1), so every later check can say where
a bad value is. Unknown columns are an error: a typo in a header must not be silently ignored.
"""

from __future__ import annotations

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


def _decode(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"the file is not UTF-8 (byte {error.start + 1} cannot be read); save it as 'CSV UTF-8' in Excel"
        ) from None


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


def read_table(folder: Path, schema: TableSchema, problems: list[InputProblem]) -> list[Record] | None:
    """Parse one file; problems are appended, bad rows dropped. None if the file is absent."""
    path = folder / schema.file
    if not path.exists():
        return None
    try:
        text = _decode(path)
    except ValueError as error:
        problems.append(InputProblem(schema.file, None, None, None, str(error)))
        return []
    except OSError as error:
        problems.append(InputProblem(schema.file, None, None, None, f"cannot be read ({error.strerror})"))
        return []
    header_line = text.splitlines()[0] if text.strip() else ""
    decimal_comma = header_line.count(";") > header_line.count(",")
    rows = list(_rows(text))
    if not rows:
        problems.append(InputProblem(schema.file, 1, None, None, "the file is empty; expected a header row"))
        return []
    header = [name.strip() for name in rows[0][1]]
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
        if len(cells_in_row) > len(header):
            problems.append(
                InputProblem(
                    schema.file,
                    number,
                    None,
                    None,
                    f"the row has {len(cells_in_row)} cells but the header has {len(header)} columns",
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
