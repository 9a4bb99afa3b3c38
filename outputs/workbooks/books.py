"""What each workbook holds, sheet by sheet (outputs/workbooks/__init__.py lists them)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from leveransplan.models.language import _
from leveransplan.outputs import training_files as tf
from leveransplan.outputs import volume_files as vf
from leveransplan.outputs.decision_tables import (
    FIGURE_WORDS,
    LABEL,
    LEVEL,
    decision_volume_table,
    delivery_matrix,
    figure_label,
    matrix_rows,
)
from leveransplan.outputs.workbooks.labels import label, labels
from leveransplan.outputs.workbooks.sheets import Book, Row, Sheet

TOTAL_COLUMNS = ("cost_sek", "unused_minimum_cost_sek", "previous_plan")
OBJECTIVE_COLUMNS = ("model", "objective", "value")
STAGE_COLUMNS = ("model", "objective", "value", "bound", "status", "seconds")
MODELS = ("volumes", "at", "placements")
MATRIX_PROVIDER = "provider"


def _of(rows: Iterable[Row], **wanted: str) -> list[Row]:
    """The rows whose every column in `wanted` holds the value given."""
    return [row for row in rows if all(row.get(column) == value for column, value in wanted.items())]


def _table(
    book: Book,
    sheet: str,
    title: str,
    name: str,
    columns: Sequence[str],
    rows: Sequence[Row],
    totals: Mapping[str, int] | None = None,
) -> Sheet:
    """A sheet of one Excel table named `name`, under `title` (which says when it has no rows)."""
    page = book.sheet(sheet, title if rows else _("{title}: none").format(title=title))
    page.table(name, columns, labels(list(columns)), rows, totals, _("Total"))
    return page


def _plain(value: Any) -> Any:
    """A pandas or numpy value as Python's own: whole numbers as int, a missing value as None."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer():
            return int(value)
    return value


# -- one hospital ---------------------------------------------------------------------------------


def hospital_book(
    path: Path, summary: Mapping[str, Any], code: str, name: str, tables: Mapping[str, Sequence[Row]]
) -> None:
    book = Book(path, f"{code} ({name})", str(summary.get("scenario", "")), summary.get("illustrative"))
    who = f"{code} ({name})"
    volumes = summary.get("volumes")
    if volumes is not None:
        delivery, production = tables["delivery_plan.csv"], tables["production_plan.csv"]
        _decision_sheet(
            book,
            code,
            who,
            volumes.get("categories") or [],
            volumes.get("decided"),
            tables["volume_table.csv"],
        )
        months = sorted({str(row["month"]) for row in production})
        _matrix_sheet(book, code, who, delivery, months)
        _table(
            book,
            _("Referrals"),
            _("{hospital}: referrals sent (delivery_plan.csv)").format(hospital=who),
            "referrals",
            vf.DELIVERY_COLUMNS,
            _of(delivery, hospital=code),
        )
        _table(
            book,
            _("Transfers received"),
            _("{hospital}: transfers from other hospitals (delivery_plan.csv)").format(hospital=who),
            "transfers_received",
            vf.DELIVERY_COLUMNS,
            _of(delivery, channel="transfer", provider=code),
        )
        _table(
            book,
            _("Production plan"),
            _("{hospital}: production plan by month (production_plan.csv)").format(hospital=who),
            "production_plan",
            vf.PRODUCTION_COLUMNS,
            _of(production, hospital=code),
        )
    if "at" in summary:
        _table(
            book,
            _("AT positions"),
            _("{hospital}: AT positions (at_distribution.csv)").format(hospital=who),
            "at_positions",
            tf.AT_COLUMNS,
            _at_rows(_of(tables["at_distribution.csv"], hospital=code)),
        )
    if "placements" in summary:
        _table(
            book,
            _("ST-A placements"),
            _("{hospital}: ST-A placements (placements.csv)").format(hospital=who),
            "placements",
            tf.PLACEMENT_COLUMNS,
            _of(tables["placements.csv"], hospital=code),
        )
        _table(
            book,
            _("Places"),
            _("{hospital}: places used and offered (places_table.csv)").format(hospital=who),
            "places",
            tf.PLACES_COLUMNS,
            _of(tables["places_table.csv"], hospital=code),
        )
        if "places_proposal.csv" in tables:
            _table(
                book,
                _("Proposed places"),
                _("{hospital}: places proposed beside the decided (places_proposal.csv)").format(
                    hospital=who
                ),
                "places_proposal",
                tf.PROPOSAL_COLUMNS,
                _of(tables["places_proposal.csv"], hospital=code),
            )
    book.close()


def _decision_sheet(
    book: Book,
    code: str,
    who: str,
    categories: Sequence[Row],
    decided: Sequence[Row] | None,
    volume_rows: Sequence[Row],
) -> None:
    """The hospital's volume table in the decision's layout: plain cells, area, kind and total rows
    bold, categories indented. The table's columns are written as it has them, in its order."""
    table = decision_volume_table(categories, volume_rows, code, decided)
    if not isinstance(table.index, pd.RangeIndex):
        table = table.reset_index()  # index levels become the first columns
    names = [_column_name(column) for column in table.columns]
    keep = [i for i, name in enumerate(names) if name != LEVEL]
    levels = list(table.iloc[:, names.index(LEVEL)]) if LEVEL in names else ["category"] * len(table)
    sheet = book.sheet(
        _("Volume table"), _("{hospital}: volume table as in the decision").format(hospital=who)
    )
    sheet.grid(
        [code if names[i] == LABEL else _column_label(table.columns[i]) for i in keep],
        [[_plain(values[i]) for i in keep] for values in table.itertuples(index=False)],
        [level != "category" for level in levels],
        [1 if level == "category" else 0 for level in levels],
    )


def _column_name(column: Any) -> str:
    """A column's name; a column under several header levels by its first non-empty one."""
    parts = [str(part) for part in column if str(part)] if isinstance(column, tuple) else [str(column)]
    return parts[0] if parts else ""


def _column_label(column: Any) -> str:
    """A column's header for a person: each header level's label, joined by a space."""
    parts = [str(part) for part in column if str(part)] if isinstance(column, tuple) else [str(column)]
    return " ".join(figure_label(part) if part in FIGURE_WORDS else label(part) for part in parts)


def _matrix_sheet(book: Book, code: str, who: str, delivery: Sequence[Row], months: Sequence[str]) -> None:
    """The referrals the hospital sends as provider x month; the matrix's total row as the table's."""
    matrix = delivery_matrix(delivery, code, months)
    *rows, total = matrix_rows(matrix)
    columns = [MATRIX_PROVIDER, *map(str, matrix.columns)]
    headers = [label(MATRIX_PROVIDER), *(label(c) if c == "total" else c for c in columns[1:])]
    sheet = book.sheet(
        _("Delivery plan"), _("{hospital}: referrals sent, by provider and month").format(hospital=who)
    )
    sheet.table(
        "delivery_plan",
        columns,
        headers,
        [dict(zip(columns, row, strict=True)) for row in rows],
        dict(zip(columns[1:], total[1:], strict=True)),
        _("Total"),
    )


def _at_rows(rows: Sequence[Row]) -> list[Row]:
    """at_distribution.csv's rows with the target as a number (the file keeps it as "12.50")."""
    return [
        {**row, "target": float(row["target"])} if row.get("target") not in (None, "") else row
        for row in rows
    ]


# -- the region -----------------------------------------------------------------------------------


def _with_frames_left(hospitals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The per-hospital rows with what is left of each frame after its cost (frame_left_sek); without
    frame columns when no hospital has a frame, as a column of empty cells says nothing."""
    if not any(row.get("frame_sek") is not None for row in hospitals):
        return [{k: v for k, v in row.items() if k != "frame_sek"} for row in hospitals]
    rows = []
    for row in hospitals:
        frame, cost = row.get("frame_sek"), row.get("cost_sek")
        left = frame - cost if isinstance(frame, int) and isinstance(cost, int) else None
        rows.append({**row, "frame_left_sek": left})
    return rows


def _objective_rows(summary: Mapping[str, Any]) -> list[Row]:
    return [
        {"model": model, "objective": name, "value": value}
        for model in MODELS
        for name, value in ((summary.get(model) or {}).get("objectives") or {}).items()
    ]


def _stage_rows(summary: Mapping[str, Any]) -> list[Row]:
    return [
        {"model": model, **stage}
        for model in MODELS
        for stage in (summary.get(model) or {}).get("stages", [])
    ]


def region_book(
    path: Path,
    summary: Mapping[str, Any],
    hospital_names: Mapping[str, str],
    tables: Mapping[str, Sequence[Row]],
) -> None:
    scenario = str(summary.get("scenario", ""))
    book = Book(path, scenario, scenario, summary.get("illustrative"))
    volumes = summary.get("volumes")
    if volumes is not None:
        hospitals = _with_frames_left(
            [{**row, "name": hospital_names.get(row["hospital"])} for row in volumes["hospitals"]]
        )
        # summary.json's figures, in its order.
        figures = [
            column for column in (hospitals[0] if hospitals else {}) if column not in ("hospital", "name")
        ]
        sums = {c: sum(int(row.get(c) or 0) for row in hospitals) for c in figures if _whole(hospitals, c)}
        _table(
            book,
            _("Hospitals"),
            _("{scenario}: the plan per hospital (summary.json)").format(scenario=scenario),
            "hospitals",
            ["hospital", "name", *figures],
            hospitals,
            sums,
        )
        _table(
            book,
            _("Totals"),
            _("{scenario}: totals").format(scenario=scenario),
            "totals",
            TOTAL_COLUMNS,
            [volumes],
        )
    _table(
        book,
        _("Objectives"),
        _("Each model's objectives"),
        "objectives",
        OBJECTIVE_COLUMNS,
        _objective_rows(summary),
    )
    _table(book, _("Stages"), _("Stages, in the order solved"), "stages", STAGE_COLUMNS, _stage_rows(summary))
    if volumes is not None:
        _table(
            book,
            _("Contracts"),
            _("Use of each contract (contract_usage.csv)"),
            "contracts",
            vf.CONTRACT_COLUMNS,
            tables["contract_usage.csv"],
        )
        if "procurement.csv" in tables:
            _table(
                book,
                _("Procurement"),
                _("Candidate contracts, taken up or not (procurement.csv)"),
                "procurement",
                vf.PROCUREMENT_COLUMNS,
                tables["procurement.csv"],
            )
        _table(
            book,
            _("Volume table"),
            _("Volume table of every hospital (volume_table.csv)"),
            "volume_table",
            vf.VOLUME_TABLE_COLUMNS,
            tables["volume_table.csv"],
            {
                c: sum(int(row[c]) for row in tables["volume_table.csv"])
                for c in ("uppdrag", "bas", "tillagg")
            },
        )
    book.close()


def _whole(rows: Sequence[Row], column: str) -> bool:
    """Whether every row's value in `column` is a whole number (or empty): a column worth summing."""
    return all(
        isinstance(row.get(column), int | None) and not isinstance(row.get(column), bool) for row in rows
    )


# -- the training models --------------------------------------------------------------------------


def at_book(
    path: Path,
    summary: Mapping[str, Any],
    hospital_names: Mapping[str, str],
    tables: Mapping[str, Sequence[Row]],
) -> None:
    scenario = str(summary.get("scenario", ""))
    book = Book(path, _("AT positions"), scenario, summary.get("illustrative"))
    rows = [
        {**row, "name": hospital_names.get(str(row["hospital"]))}
        for row in _at_rows(tables["at_distribution.csv"])
    ]
    _table(
        book,
        _("AT positions"),
        _("AT positions per hospital (at_distribution.csv)"),
        "at_positions",
        ["hospital", "name", *(c for c in tf.AT_COLUMNS if c != "hospital")],
        rows,
        {"positions": sum(int(row["positions"]) for row in rows)},
    )
    book.close()


def st_a_book(path: Path, summary: Mapping[str, Any], tables: Mapping[str, Sequence[Row]]) -> None:
    scenario = str(summary.get("scenario", ""))
    book = Book(path, _("ST-A placements"), scenario, summary.get("illustrative"))
    _table(
        book,
        _("ST-A placements"),
        _("ST-A placements (placements.csv)"),
        "placements",
        tf.PLACEMENT_COLUMNS,
        tables["placements.csv"],
    )
    _table(
        book,
        _("Unplaced"),
        _("Requirements without a placement (unplaced.csv)"),
        "unplaced",
        tf.UNPLACED_COLUMNS,
        tables["unplaced.csv"],
    )
    _table(
        book,
        _("Places"),
        _("Places used and offered (places_table.csv)"),
        "places",
        tf.PLACES_COLUMNS,
        tables["places_table.csv"],
    )
    if "places_proposal.csv" in tables:
        _table(
            book,
            _("Proposed places"),
            _("Places proposed beside the decided (places_proposal.csv)"),
            "places_proposal",
            tf.PROPOSAL_COLUMNS,
            tables["places_proposal.csv"],
        )
    book.close()
