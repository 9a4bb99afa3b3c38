"""Reported outcomes during the year: volumes performed and referrals delivered, read like scenario tables."""

from __future__ import annotations

from pathlib import Path

from leveransplan.inputs import cells
from leveransplan.inputs.problems import InputProblem, ScenarioInvalid
from leveransplan.inputs.tables import Column, Record, TableSchema, duplicate_keys, read_table
from leveransplan.models.actuals import Delivered, Performed
from leveransplan.models.language import N_, _

EXPECTED_WITH_OTHERS = N_("expected a value: the row's other figure is filled in")


class ActualsInvalid(ScenarioInvalid):
    """A reported-outcomes file has problems; all are listed."""


def _schema(path: Path, columns: tuple[Column, ...]) -> TableSchema:
    return TableSchema(path.name, columns)


def read_actuals(
    path: Path, notes: list[str] | None = None, blank_is_unreported: bool = False
) -> list[Performed]:
    """hospital, category, month, performed, waiting_end; a note on how the file was read goes to `notes`.

    A hospital, category and month is reported once: two rows of it are an error, not a sum.
    With `blank_is_unreported` a row whose performed and waiting_end are both empty (a template's
    month not yet filled in) is left out; one of them empty is still an error.
    """
    schema = _schema(
        path,
        (
            Column("hospital", cells.code),
            Column("category", cells.code),
            Column("month", cells.month),
            Column("performed", cells.whole_number, required=not blank_is_unreported),
            Column("waiting_end", cells.whole_number, required=not blank_is_unreported),
        ),
    )
    records = _read(path, schema, ("hospital", "category", "month"), notes, ("performed", "waiting_end"))
    return [Performed(r.row, **r.values) for r in records if r.values["performed"] is not None]


def read_referrals(
    path: Path, notes: list[str] | None = None, blank_is_unreported: bool = False
) -> list[Delivered]:
    """hospital, category, provider, month, referrals; a note on how the file was read goes to `notes`.

    A hospital, category, provider and month is reported once: two rows of it are an error. With
    `blank_is_unreported` a row whose referrals cell is empty (not yet filled in) is left out.
    """
    schema = _schema(
        path,
        (
            Column("hospital", cells.code),
            Column("category", cells.code),
            Column("provider", cells.code),
            Column("month", cells.month),
            Column("referrals", cells.whole_number, required=not blank_is_unreported),
        ),
    )
    key = ("hospital", "category", "provider", "month")
    records = _read(path, schema, key, notes, ("referrals",))
    return [Delivered(r.row, **r.values) for r in records if r.values["referrals"] is not None]


def _read(
    path: Path,
    schema: TableSchema,
    key: tuple[str, ...],
    notes: list[str] | None,
    figures: tuple[str, ...],
) -> list[Record]:
    """The file's records, each key once; ActualsInvalid lists every problem, named as the file is.
    The `figures` of a row are all given or all empty (empty only where the schema allows it)."""
    problems: list[InputProblem] = []
    records = read_table(path.parent, schema, problems, notes)
    if records is None:
        problems.append(InputProblem(str(path), None, None, None, _("does not exist; expected a CSV file")))
    else:
        problems.extend(duplicate_keys(schema.file, records, key))
        for record in records:
            given = [record.values[name] is not None for name in figures]
            if any(given) and not all(given):
                name = figures[given.index(False)]
                problems.append(InputProblem(schema.file, record.row, name, "", _(EXPECTED_WITH_OTHERS)))
    if problems:
        raise ActualsInvalid(problems, tuple(notes or ()))
    return records or []
