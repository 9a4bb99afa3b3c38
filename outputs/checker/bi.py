"""The bi/ folder (`solve --parquet`) says what the plan's CSV files say.

Each fact table's Parquet file holds the CSV file's rows in its order, cell for cell (a month as
the first day of that month, an empty cell as null), and every row of every bi/ table carries the
plan id summary.json records and the scenario's name. The cells are compared as text, the way
the CSV holds them, so the writer's typing is checked rather than repeated.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from leveransplan.inputs.plan_files import read_plan_csv
from leveransplan.models.language import _
from leveransplan.models.scenario import Scenario
from leveransplan.outputs.manifest import BI_FOLDER, MODEL_FILES, PLAN_ID

PLAN_COLUMNS = ["plan_id", "scenario"]
# Differences named per file before the rest are only counted.
_SHOWN = 5


def _as_text(value: Any) -> str:
    """A Parquet cell as the CSV writes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return f"{value:%Y-%m}" if value.day == 1 else value.isoformat()
    return str(value)


def _same(value: Any, text: str) -> bool:
    if isinstance(value, float):  # at_distribution's target, written with two decimals
        try:
            return abs(value - float(text)) < 1e-9
        except ValueError:
            return False
    return _as_text(value) == text


def _read(path: Path, out: list[str]) -> tuple[list[str], list[dict[str, Any]]] | None:
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as error:
        out.append(
            _("{bi_folder}/{name}: cannot be read as Parquet ({error})").format(
                bi_folder=BI_FOLDER, name=path.name, error=error
            )
        )
        return None
    return table.column_names, table.to_pylist()


def _fact_table(plan_dir: Path, csv_name: str, rows: list[dict[str, Any]], columns: list[str]) -> list[str]:
    """The Parquet rows against the CSV file's rows."""
    where = f"{BI_FOLDER}/{Path(csv_name).stem}.parquet"
    try:
        written = read_plan_csv(plan_dir / csv_name)
    except (OSError, UnicodeDecodeError):
        return []  # the model's own checker names a CSV file it cannot read
    if columns != [*PLAN_COLUMNS, *written.header]:
        return [
            _("{where}: columns {columns}, but {csv_name} has {value}").format(
                where=where, columns=columns, csv_name=csv_name, value=[*PLAN_COLUMNS, *written.header]
            )
        ]
    records = list(written.records())
    if len(rows) != len(records):
        return [
            _("{where}: {count} rows, but {csv_name} has {count2}").format(
                where=where, count=len(rows), csv_name=csv_name, count2=len(records)
            )
        ]
    differences = []
    for index, (row, (number, cells)) in enumerate(zip(rows, records, strict=True), start=1):
        for column in written.header:
            text = cells[column].strip()
            if not _same(row[column], text):
                differences.append(
                    _(
                        "{where} row {index}: {column} {as_text}, but {csv_name} row {number} has {text}"
                    ).format(
                        where=where,
                        index=index,
                        column=column,
                        as_text=repr(_as_text(row[column])),
                        csv_name=csv_name,
                        number=number,
                        text=repr(text),
                    )
                )
                break
    if len(differences) > _SHOWN:
        differences[_SHOWN:] = [
            _("{where}: and {value} more rows that differ").format(
                where=where, value=len(differences) - _SHOWN
            )
        ]
    return differences


def check_bi(scenario: Scenario, plan_dir: Path, summary: dict[str, Any]) -> list[str]:
    """Every way the bi/ folder differs from the plan's CSV files and summary.json (none without bi/)."""
    folder = plan_dir / BI_FOLDER
    if not folder.is_dir():
        return []
    out: list[str] = []
    plan = summary.get(PLAN_ID)
    if not isinstance(plan, str):
        out.append(
            _(
                "summary.json {plan_id}: {plan}, but the plan has a {bi_folder}/ folder whose rows name it"
            ).format(plan_id=PLAN_ID, plan=repr(plan), bi_folder=BI_FOLDER)
        )
    facts = {f"{Path(name).stem}.parquet": name for files in MODEL_FILES.values() for name in files}
    for name, csv_name in facts.items():
        if (plan_dir / csv_name).exists() and not (folder / name).exists():
            out.append(
                _("{bi_folder}/{name} is missing, but {csv_name} is in the plan folder").format(
                    bi_folder=BI_FOLDER, name=name, csv_name=csv_name
                )
            )
    for path in sorted(folder.glob("*.parquet")):
        read = _read(path, out)
        if read is None:
            continue
        columns, rows = read
        if columns[:2] != PLAN_COLUMNS:
            out.append(
                _("{bi_folder}/{name}: columns begin {columns}, expected {plan_columns}").format(
                    bi_folder=BI_FOLDER, name=path.name, columns=columns[:2], plan_columns=PLAN_COLUMNS
                )
            )
            continue
        named = {(row["plan_id"], row["scenario"]) for row in rows} - {(plan, scenario.name)}
        if named:
            shown = ", ".join(f"{p!r} {s!r}" for p, s in sorted(named, key=str)[:3])
            out.append(
                _(
                    "{bi_folder}/{name}: rows name the plan and scenario {shown}, but summary.json's "
                    "{plan_id} is {plan} and the scenario {scenario}"
                ).format(
                    bi_folder=BI_FOLDER,
                    name=path.name,
                    shown=shown,
                    plan_id=PLAN_ID,
                    plan=repr(plan),
                    scenario=repr(scenario.name),
                )
            )
        if path.name in facts:
            if not (plan_dir / facts[path.name]).exists():
                out.append(
                    _("{bi_folder}/{name} is here, but {facts} is not in the plan folder").format(
                        bi_folder=BI_FOLDER, name=path.name, facts=facts[path.name]
                    )
                )
            else:
                out.extend(_fact_table(plan_dir, facts[path.name], rows, columns))
    return out
