"""Reading one scenario CSV file against its column schema.

Rows keep the number a spreadsheet shows (header = row 1), so every later check can say where
a bad value is. Unknown columns are an error: a typo in a header must not be silently ignored.
"""

from __future__ import annotations

import codecs
import csv
import errno
import io
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leveransplan.inputs.cells import CellParser
from leveransplan.inputs.problems import InputProblem
from leveransplan.models.language import N_, _, ngettext
from leveransplan.models.numbers import grouped


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
CSV_ADVICE = N_("save it as 'CSV UTF-8' in Excel")
A_FOLDER = N_("cannot be read: it is a folder; expected a file")
# The most an input file may hold. Every input is read whole into memory; the largest table
# `leveransplan generate` writes (access.csv at --scale 100, a nation five times over) has about
# 35 MB, so a real scenario stays far below this, while a link to /dev/zero, a log or a database
# dump named like a table is refused before it fills the memory.
MAX_FILE_BYTES = 256 * 2**20
# The problems of one table that are listed; the rest are counted. A table of a million bad rows
# (a wrong export) would otherwise list a million problems, where the first hundred show the cause.
MAX_PROBLEMS_PER_FILE = 100
_NOT_FILES = (
    (stat.S_ISFIFO, N_("a FIFO, a named pipe")),
    (stat.S_ISCHR, N_("a device")),
    (stat.S_ISBLK, N_("a device")),
    (stat.S_ISSOCK, N_("a socket")),
)
_FILE_KINDS = {".csv": N_("a CSV file"), ".toml": N_("a TOML file")}
_ANY_TEXT = N_("a text file")
# A record ends at a line break, as a spreadsheet ends a row: not at the other characters that
# Python's str.splitlines takes for one (form feed, U+2028, ...).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class UnreadableFile(OSError):
    """An input that is not a regular file, is too large, or is no CSV; str() says which, for the user."""


def read_file(path: Path) -> bytes:
    """The bytes of a regular file (symlinks followed) of at most MAX_FILE_BYTES; else OSError.

    The kind and size are looked up before the file is opened: opening a named pipe waits for a
    writer, and a device such as /dev/zero never ends. A file that grows while it is read is
    still read no further than the cap.
    """
    status = path.stat()
    expected = _(_FILE_KINDS.get(path.suffix.lower(), _ANY_TEXT))
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    if not stat.S_ISREG(status.st_mode):
        kind = next((what for test, what in _NOT_FILES if test(status.st_mode)), N_("not a file"))
        raise UnreadableFile(
            _("is not a regular file ({kind}); expected {expected}").format(kind=_(kind), expected=expected)
        )
    too_large = _("is larger than {size} MiB, the most an input file may hold; expected {expected}").format(
        size=grouped(MAX_FILE_BYTES // 2**20), expected=expected
    )
    if status.st_size > MAX_FILE_BYTES:
        raise UnreadableFile(too_large)
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFile(too_large)
    return data


def cannot_read(error: OSError) -> str:
    """What to tell the user about a file the system does not let us read."""
    if isinstance(error, UnreadableFile):
        return str(error)
    if isinstance(error, PermissionError):
        # On Windows this is what a file open in Excel gives.
        return _("cannot be read (permission denied: is it open in another program, e.g. Excel?)")
    if isinstance(error, IsADirectoryError):
        return _(A_FOLDER)
    return _("cannot be read ({reason})").format(reason=error.strerror or error)


def _not_text(data: bytes) -> str | None:
    """Why the bytes are not a text file in any encoding we read, or None."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return _("is an Excel workbook (or another binary file), not text")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _("is UTF-16 text (Excel's 'Unicode text'), not UTF-8")
    if b"\x00" in data:
        return _("contains NUL bytes, so it is not a text file")
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
        header: list[str] = []
        try:
            for number, row in csv_records(text):
                if number == 1:
                    header = [cell.strip() for cell in row]
                for position, cell in enumerate(row):
                    if "\ufffd" in cell:
                        column = header[position] if number > 1 and position < len(header) else None
                        return InputProblem(
                            name,
                            number,
                            column,
                            cell,
                            _("has byte {byte}, which {why}").format(byte=byte, why=why),
                        )
        except BrokenRecord:
            pass  # located by line below
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if "\ufffd" in line:
            return InputProblem(
                name,
                None,
                None,
                None,
                _("byte {byte} in line {line} {why}").format(byte=byte, line=number, why=why),
            )
    return InputProblem(name, None, None, None, _("byte {byte} {why}").format(byte=byte, why=why))


def read_text(
    path: Path,
    name: str,
    problems: list[InputProblem],
    notes: list[str] | None = None,
    table: bool = True,
    advice: str = CSV_ADVICE,
) -> str | None:
    """An input file's text: UTF-8 (a BOM is fine), else cp1252 with a note; None if it cannot be read.

    Problems name the file as `name`; a note on how the file was read goes to `notes`. `advice`
    is a text marked with N_, translated here.
    """
    advice = _(advice)
    try:
        data = read_file(path)
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
            why = _("is not UTF-8 like the rest of the file; {advice}").format(advice=advice)
            problems.append(_undecodable(name, data, "utf-8-sig", error, why, table))
            return None
    try:
        text = data.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError as error:
        why = _("is neither UTF-8 nor Windows-1252 (cp1252); {advice}").format(advice=advice)
        problems.append(_undecodable(name, data, FALLBACK_ENCODING, error, why, table))
        return None
    if notes is not None:
        notes.append(
            _(
                "{file} is not UTF-8; read it as Windows-1252 (cp1252): check å, ä, ö "
                "({advice} to avoid this note)"
            ).format(file=name, advice=advice)
        )
    return text


class BrokenRecord(ValueError):
    """A record the csv module cannot read, at its spreadsheet row: in practice a cell over its limit."""

    def __init__(self, row: int, error: csv.Error) -> None:
        if "field larger than field limit" in str(error):
            why = _(
                "a cell is longer than {limit} characters, the most "
                'one cell may hold: is a quote (") opened and never closed?'
            ).format(limit=grouped(csv.field_size_limit()))
        else:
            why = _('cannot be read as CSV ({error}); check the quotes (") in this row').format(error=error)
        super().__init__(_("row {row}: {why}").format(row=row, why=why))
        self.row = row
        self.why = why


def delimiter(text: str) -> str:
    """`;` when the header (the text up to the first line break) has more of them than `,`, else `,`."""
    header = _LINE_BREAK.split(text, maxsplit=1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def csv_records(text: str, separator: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """Every record with the row number a spreadsheet shows (header = 1); BrokenRecord where one is bad.

    Records are read from the whole text as a spreadsheet reads them: a quoted cell may hold a
    line break, and only a line break ends a record. `separator` defaults to `delimiter(text)`.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator or delimiter(text))
    number = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise BrokenRecord(number, error) from None
        yield number, row
        number += 1


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """The header and the non-empty records, with their spreadsheet row numbers."""
    for number, row in csv_records(text):
        if number == 1 or any(cell.strip() for cell in row):
            yield number, row


def _without_trailing_empties(cells_in_row: list[str]) -> list[str]:
    """The cells up to the last non-empty one: Excel writes separators for columns once used and cleared."""
    end = len(cells_in_row)
    while end and not cells_in_row[end - 1].strip():
        end -= 1
    return cells_in_row[:end]


class _FileProblems:
    """One file's problems: the first MAX_PROBLEMS_PER_FILE kept, the rest only counted."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.kept: list[InputProblem] = []
        self.more = 0

    def append(self, problem: InputProblem) -> None:
        if len(self.kept) < MAX_PROBLEMS_PER_FILE:
            self.kept.append(problem)
        else:
            self.more += 1

    def listed(self) -> list[InputProblem]:
        """The kept problems, and one that says how many more there are."""
        if not self.more:
            return self.kept
        more = InputProblem(
            self.file,
            None,
            None,
            None,
            ngettext(
                "has {count} more problem, not listed: the first {listed} are above",
                "has {count} more problems, not listed: the first {listed} are above",
                self.more,
            ).format(count=grouped(self.more), listed=grouped(MAX_PROBLEMS_PER_FILE)),
        )
        return [*self.kept, more]


def read_table(
    folder: Path, schema: TableSchema, problems: list[InputProblem], notes: list[str] | None = None
) -> list[Record] | None:
    """Parse one file; problems are appended, bad rows dropped. None if the file is absent.

    A note on how the file was read (not UTF-8, read as cp1252) goes to `notes`. Of a file's
    problems the first MAX_PROBLEMS_PER_FILE are listed, and one more says how many follow.
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
    found = _FileProblems(schema.file)
    records: list[Record] = []
    try:
        _parse_records(schema, text, records, found)
    except BrokenRecord as broken:
        found.append(InputProblem(schema.file, broken.row, None, None, broken.why))
    problems.extend(found.listed())
    return records


def _parse_records(schema: TableSchema, text: str, records: list[Record], found: _FileProblems) -> None:
    """The rows of a table's text that parse go to `records`; its problems to `found`."""
    decimal_comma = delimiter(text) == ";"
    rows = _rows(text)
    first = next(rows, None)
    if first is None:
        found.append(InputProblem(schema.file, 1, None, None, _("the file is empty; expected a header row")))
        return
    header = _without_trailing_empties([name.strip() for name in first[1]])
    ok = True
    for position, name in enumerate(header):
        if name not in schema.names:
            found.append(
                InputProblem(
                    schema.file,
                    1,
                    None,
                    name,
                    _("is not a column of {file}; expected {columns}").format(
                        file=schema.file, columns=", ".join(schema.names)
                    ),
                )
            )
            ok = False
        elif header.index(name) != position:
            found.append(InputProblem(schema.file, 1, name, name, _("the column appears twice")))
            ok = False
    for column in schema.columns:
        if column.required and column.name not in header:
            found.append(InputProblem(schema.file, 1, column.name, None, _("the required column is missing")))
            ok = False
    if not ok:
        return
    for number, cells_in_row in rows:
        used = len(_without_trailing_empties(cells_in_row))
        if used > len(header):
            found.append(
                InputProblem(
                    schema.file,
                    number,
                    None,
                    None,
                    _("the row has {cells} cells but the header has {columns} columns").format(
                        cells=grouped(used), columns=grouped(len(header))
                    ),
                )
            )
            continue
        raw = dict(zip(header, cells_in_row, strict=False))
        values: dict[str, Any] = {}
        row_ok = True
        for column in schema.columns:
            cell = raw.get(column.name, "")
            if not cell.strip():
                if column.required:
                    found.append(InputProblem(schema.file, number, column.name, "", _("expected a value")))
                    row_ok = False
                values[column.name] = column.default
                continue
            try:
                values[column.name] = column.parse(cell, decimal_comma)
            except ValueError as error:
                found.append(InputProblem(schema.file, number, column.name, cell, str(error)))
                row_ok = False
        if row_ok:
            records.append(Record(number, values, raw))


def duplicate_keys(file: str, records: Iterable[Record], columns: tuple[str, ...]) -> list[InputProblem]:
    """Hard: a key appears once in its table; each later row with it names the first."""
    problems: list[InputProblem] = []
    first_row: dict[tuple[Any, ...], int] = {}
    for record in records:
        key = tuple(record[c] for c in columns)
        if key in first_row:
            problems.append(
                InputProblem(
                    file,
                    record.row,
                    columns[-1],
                    record.raw.get(columns[-1], ""),
                    _("duplicates row {row} ({key}); each key once").format(
                        row=first_row[key], key=", ".join(map(str, key))
                    ),
                )
            )
        else:
            first_row[key] = record.row
    return problems
