"""Reported outcomes during the year: volumes performed and referrals delivered, read like scenario tables."""

from __future__ import annotations

from pathlib import Path

from inputs import cells
from inputs.problems import InputProblem, ScenarioInvalid
from inputs.tables import Column, TableSchema, read_table
from models.actuals import Delivered, Performed


class ActualsInvalid(ScenarioInvalid):
    """A reported-outcomes file has problems; all are listed."""


def _schema(path: Path, columns: tuple[Column, ...]) -> TableSchema:
    return TableSchema(path.name, columns)


def read_actuals(path: Path) -> list[Performed]:
    """hospital, category, month, performed, waiting_end."""
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
    return [Performed(r.row, **r.values) for r in _read(path, schema)]


def read_referrals(path: Path) -> list[Delivered]:
    """hospital, category, provider, month, referrals."""
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
    return [Delivered(r.row, **r.values) for r in _read(path, schema)]


def _read(path: Path, schema: TableSchema) -> list:  # type: ignore[type-arg]
    problems: list[InputProblem] = []
    if not path.is_file():
        raise ActualsInvalid([InputProblem(str(path), None, None, None, "is not a file")])
    records = read_table(path.parent, schema, problems)
    if problems:
        raise ActualsInvalid(problems)
    return records or []
