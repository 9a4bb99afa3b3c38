"""Reported outcomes during the year: volumes performed and referrals delivered, read like scenario tables."""

from __future__ import annotations

from pathlib import Path

from leveransplan.inputs import cells
from leveransplan.inputs.problems import InputProblem, ScenarioInvalid
from leveransplan.inputs.tables import Column, Record, TableSchema, duplicate_keys, read_table
from leveransplan.models.actuals import Delivered, Performed


class ActualsInvalid(ScenarioInvalid):
    """A reported-outcomes file has problems; all are listed."""


def _schema(path: Path, columns: tuple[Column, ...]) -> TableSchema:
    return TableSchema(path.name, columns)


def read_actuals(path: Path, notes: list[str] | None = None) -> list[Performed]:
    """hospital, category, month, performed, waiting_end; a note on how the file was read goes to `notes`.

    A hospital, category and month is reported once: two rows of it are an error, not a sum.
    """
    schema = _schema(
        path,
        (
            Column("hospital", cells.code),
            Column("category", cells.code),
            Column("month", cells.month),
            Column("performed", cells.whole_number),
            Column("waiting_end", cells.whole_number),
        ),
    )
    return [
        Performed(r.row, **r.values) for r in _read(path, schema, ("hospital", "category", "month"), notes)
    ]


def read_referrals(path: Path, notes: list[str] | None = None) -> list[Delivered]:
    """hospital, category, provider, month, referrals; a note on how the file was read goes to `notes`.

    A hospital, category, provider and month is reported once: two rows of it are an error.
    """
    schema = _schema(
        path,
        (
            Column("hospital", cells.code),
            Column("category", cells.code),
            Column("provider", cells.code),
            Column("month", cells.month),
            Column("referrals", cells.whole_number),
        ),
    )
    key = ("hospital", "category", "provider", "month")
    return [Delivered(r.row, **r.values) for r in _read(path, schema, key, notes)]


def _read(path: Path, schema: TableSchema, key: tuple[str, ...], notes: list[str] | None) -> list[Record]:
    """The file's records, each key once; ActualsInvalid lists every problem, named as the file is."""
    problems: list[InputProblem] = []
    records = read_table(path.parent, schema, problems, notes)
    if records is None:
        problems.append(InputProblem(str(path), None, None, None, "does not exist; expected a CSV file"))
    else:
        problems.extend(duplicate_keys(schema.file, records, key))
    if problems:
        raise ActualsInvalid(problems, tuple(notes or ()))
    return records or []
