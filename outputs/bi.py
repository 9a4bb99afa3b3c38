"""The plan's tables for Power BI (`solve --parquet`): typed Parquet files in the plan folder's bi/.

Each fact table is a plan CSV with its cells typed (months as dates on the first of the month,
counts and SEK as 64-bit integers, flags as booleans, codes as text) and two columns added in
front, `plan_id` and `scenario`, so that a folder query appending the bi/ folders of several plans
keeps them apart. The dimension tables (hospitals, categories, providers) come from the scenario,
with the same two columns. `datapackage.json` describes every table's columns and types
(a Frictionless data package), for tools and for a later data dictionary.

The files are the same bytes for the same plan: the schema is built here (no pandas metadata)
and pyarrow's writer records no time, only its own version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from leveransplan.models.scenario import Scenario
from leveransplan.outputs.data_dictionary import dictionary, field_texts, file_texts
from leveransplan.outputs.manifest import json_text

DATA_PACKAGE = "datapackage.json"
PLAN_COLUMNS = ("plan_id", "scenario")

# What each column holds, as a type: every column a bi/ table has must be named here, so a new
# CSV column cannot reach Power BI untyped.
MONTH, INTEGER, BOOLEAN, NUMBER, TEXT = "month", "integer", "boolean", "number", "text"
_ARROW = {
    MONTH: pa.date32(),
    INTEGER: pa.int64(),
    BOOLEAN: pa.bool_(),
    NUMBER: pa.float64(),
    TEXT: pa.string(),
}
# Frictionless Table Schema's names of the same types.
_FRICTIONLESS = {MONTH: "date", INTEGER: "integer", BOOLEAN: "boolean", NUMBER: "number", TEXT: "string"}
COLUMN_TYPES: dict[str, str] = {
    **dict.fromkeys(("month", "start", "end", "first_month", "last_month"), MONTH),
    **dict.fromkeys(
        (
            "volume",
            "unit_price_sek",
            "cost_sek",
            "base_used",
            "additional_own",
            "additional_for_others",
            "waiting_end",
            "over_guarantee",
            "uppdrag",
            "bas",
            "tillagg",
            "volume_min",
            "volume_max",
            "used",
            "unused_min",
            "units",
            "price_sek",
            "most_in_a_month",
            "positions",
            "previous",
            "travel_minutes",
            "year",
            "places",
            "proposed",
            "decided",
            "max_places",
            "load_percent",
            "frame_sek",
        ),
        INTEGER,
    ),
    **dict.fromkeys(("out_of_region", "catch_up"), BOOLEAN),
    "target": NUMBER,  # at_distribution's need-weighted share, two decimals
    **dict.fromkeys(
        (
            "plan_id",
            "scenario",
            "hospital",
            "name",
            "category",
            "area",
            "kind",
            "specialty",
            "price_class",
            "channel",
            "provider",
            "contract",
            "trainee",
            "reason",
        ),
        TEXT,
    ),
}

HOSPITAL_COLUMNS = ("hospital", "name", "frame_sek")
CATEGORY_COLUMNS = ("category", "area", "kind", "specialty", "price_class")
# kind: "hospital" (a receiver of transfers), "contract" (an external provider with a signed
# contract) or "candidate" (an external provider with candidate contracts only).
PROVIDER_COLUMNS = ("provider", "name", "kind", "out_of_region", "catch_up")

Table = tuple[str, Sequence[str], Sequence[Mapping[str, Any]]]


def plan_id(scenario_name: str, tables: Sequence[Table], made_from: Mapping[str, Any] | None = None) -> str:
    """A short id of the plan: the first 16 hex digits of the SHA-256 of its scenario's name, what
    it was made from (`made_from`: the scenario files' digests, the run's settings, the previous
    plan) and its tables' rows. The same run gives the same id, in either CSV dialect; a re-plan
    that decides as its previous plan did still has an id of its own."""
    content = {
        "scenario": scenario_name,
        "made_from": made_from or {},
        "tables": {
            name: [list(columns), [[row.get(c) for c in columns] for row in rows]]
            for name, columns, rows in tables
        },
    }
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _typed(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if kind == MONTH:
        return date(int(value[:4]), int(value[5:7]), 1)
    if kind == INTEGER:
        return int(value)
    if kind == BOOLEAN:
        return value.lower() == "true" if isinstance(value, str) else bool(value)
    if kind == NUMBER:
        return float(value)
    return str(value)


def _column_type(column: str) -> str:
    try:
        return COLUMN_TYPES[column]
    except KeyError:
        raise ValueError(f"bi/ column {column!r} has no type in COLUMN_TYPES") from None


def _arrow_table(
    plan: str, scenario: str, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> pa.Table:
    names = [*PLAN_COLUMNS, *columns]
    kinds = [_column_type(c) for c in names]
    schema = pa.schema([pa.field(c, _ARROW[kind]) for c, kind in zip(names, kinds, strict=True)])
    data = [[plan] * len(rows), [scenario] * len(rows)] + [
        [_typed(row.get(c), kind) for row in rows] for c, kind in zip(columns, kinds[2:], strict=True)
    ]
    return pa.Table.from_arrays(
        [pa.array(d, type=f.type) for d, f in zip(data, schema, strict=True)], schema=schema
    )


def dimension_tables(scenario: Scenario) -> list[Table]:
    """The hospitals, and with a volume plan the categories and the providers, as bi/ tables."""
    hospitals = [{c: getattr(h, c) for c in HOSPITAL_COLUMNS} for h in scenario.hospitals]
    tables: list[Table] = [("hospitals", HOSPITAL_COLUMNS, hospitals)]
    if not scenario.categories:
        return tables
    categories = [{c: getattr(k, c) for c in CATEGORY_COLUMNS} for k in scenario.categories]
    catching_up = {r.hospital for r in scenario.catch_up}
    providers: list[dict[str, Any]] = [
        {
            "provider": h.hospital,
            "name": h.name,
            "kind": "hospital",
            "out_of_region": False,
            "catch_up": h.hospital in catching_up,
        }
        for h in scenario.hospitals
    ]
    external: dict[str, dict[str, Any]] = {}
    for contract in scenario.contracts:
        row = external.setdefault(
            contract.provider,
            {
                "provider": contract.provider,
                "name": contract.provider,
                "kind": "candidate",
                "out_of_region": False,
                "catch_up": False,
            },
        )
        if not contract.candidate:
            row["kind"] = "contract"
        row["out_of_region"] = row["out_of_region"] or contract.out_of_region
    providers += [external[p] for p in sorted(external)]
    return [*tables, ("categories", CATEGORY_COLUMNS, categories), ("providers", PROVIDER_COLUMNS, providers)]


def _described_as(name: str) -> str:
    """The data dictionary's file for a bi/ table: a fact table's CSV file, or the table itself."""
    return f"{name}.csv" if f"{name}.csv" in dictionary().files else f"{name}.parquet"


def _data_package(plan: str, tables: Sequence[Table]) -> dict[str, Any]:
    # Titles and descriptions in both languages come from the plan folder's data dictionary
    # (outputs/data_dictionary.py), the types from COLUMN_TYPES (Parquet's, not the CSV's).
    return {
        "profile": "data-package",
        "name": f"leveransplan-{plan}",
        "resources": [
            {
                "name": name,
                "path": f"{name}.parquet",
                "format": "parquet",
                **file_texts(_described_as(name)),
                "schema": {
                    "fields": [
                        {
                            "name": c,
                            "type": _FRICTIONLESS[_column_type(c)],
                            **field_texts(_described_as(name), c),
                        }
                        for c in (*PLAN_COLUMNS, *columns)
                    ]
                },
            }
            for name, columns, _rows in tables
        ],
    }


def write_bi(folder: Path, scenario: Scenario, plan: str, facts: Sequence[Table]) -> list[Path]:
    """Write the fact tables (`facts`: CSV name, columns, rows) and the dimension tables as Parquet
    into `folder`, and datapackage.json; return the files written."""
    folder.mkdir()
    tables = [(name.removesuffix(".csv"), columns, rows) for name, columns, rows in facts]
    tables += dimension_tables(scenario)
    written = []
    for name, columns, rows in tables:
        path = folder / f"{name}.parquet"
        pq.write_table(_arrow_table(plan, scenario.name, columns, rows), path, compression="snappy")
        written.append(path)
    (folder / DATA_PACKAGE).write_text(json_text(_data_package(plan, tables)), encoding="utf-8")
    written.append(folder / DATA_PACKAGE)
    return written
