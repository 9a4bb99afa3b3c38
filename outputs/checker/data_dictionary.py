"""A folder's datapackage.json describes its CSV files as they are, column by column.

Every CSV file in the folder has a resource, and every resource a file; each resource's fields are
the file's header, in order, so a column the dictionary does not describe, or a description of a
column the file does not have, is named. Each field has a type and its title and description in
English and Swedish. The resource of summary.json lists its keys and each model's keys as the
file has them. The dictionary is read from the folder, not from the tool: a plan is held to what
was written with it. A folder written before plans had a dictionary has no datapackage.json and
nothing is checked here; manifest.json's digests name one that was written and then removed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from leveransplan.inputs.plan_files import read_plan_csv
from leveransplan.inputs.tables import read_file
from leveransplan.outputs.data_dictionary import (
    DATA_PACKAGE,
    JSON_TYPES,
    TABLE_TYPES,
    TEXTS,
    summary_keys,
)
from leveransplan.outputs.manifest import SUMMARY


def _read(folder: Path) -> tuple[dict[str, Any] | None, list[str]]:
    try:
        document = json.loads(read_file(folder / DATA_PACKAGE).decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return None, [f"{DATA_PACKAGE}: cannot be read as JSON ({error})"]
    resources = document.get("resources") if isinstance(document, dict) else None
    if not isinstance(resources, list) or not all(
        isinstance(r, dict) and isinstance(r.get("path"), str) for r in resources
    ):
        return None, [f"{DATA_PACKAGE}: expected an object whose resources each have a path"]
    return document, []


def _entries(where: str, entries: Any, types: frozenset[str]) -> tuple[list[str], list[str]]:
    """The names of a resource's fields (or keys), and what is wrong with any of them."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return [], [f"{where}: expected a list of objects"]
    names, problems = [], []
    for entry in entries:
        name = entry.get("name")
        names.append(name if isinstance(name, str) else repr(name))
        if entry.get("type") not in types:
            problems.append(f"{where} {name!r}: type {entry.get('type')!r}, expected one of {sorted(types)}")
        empty = [text for text in TEXTS if not (isinstance(entry.get(text), str) and entry[text].strip())]
        if empty:
            missing = ", ".join(empty)
            problems.append(f"{where} {name!r}: no {missing}; every one is described in English and Swedish")
    return names, problems


def _csv(folder: Path, resource: dict[str, Any]) -> list[str]:
    file = resource["path"]
    schema = resource.get("schema")
    names, problems = _entries(
        f"{DATA_PACKAGE} {file} field",
        schema.get("fields") if isinstance(schema, dict) else None,
        TABLE_TYPES,
    )
    try:
        header = read_plan_csv(folder / file).header
    except (OSError, UnicodeDecodeError):
        return problems  # the file's own checker names a CSV file it cannot read
    problems += [f"{file} column {c!r} is not described in {DATA_PACKAGE}" for c in header if c not in names]
    problems += [
        f"{DATA_PACKAGE} describes column {n!r} of {file}, which the file does not have"
        for n in names
        if n not in header
    ]
    if sorted(header) == sorted(names) and header != names:
        problems.append(f"{file}: columns in the order {header}, but {DATA_PACKAGE} describes {names}")
    return problems


def _summary(folder: Path, resource: dict[str, Any]) -> list[str]:
    names, problems = _entries(f"{DATA_PACKAGE} {SUMMARY} key", resource.get("keys"), JSON_TYPES)
    try:
        summary = json.loads(read_file(folder / SUMMARY).decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return problems  # the plan checker names a summary.json it cannot read
    keys = list(summary_keys(summary)) if isinstance(summary, dict) else []
    problems += [f"{SUMMARY} key {k!r} is not described in {DATA_PACKAGE}" for k in keys if k not in names]
    problems += [
        f"{DATA_PACKAGE} describes {SUMMARY} key {n!r}, which the file does not have"
        for n in names
        if n not in keys
    ]
    return problems


def check_data_package(folder: Path) -> list[str]:
    """Every way the folder's datapackage.json differs from its CSV files and summary.json
    (nothing without a datapackage.json)."""
    folder = Path(folder)
    if not (folder / DATA_PACKAGE).exists():
        return []
    document, problems = _read(folder)
    if document is None:
        return problems
    resources = {r["path"]: r for r in document["resources"]}
    present = sorted(p.name for p in folder.glob("*.csv"))
    if (folder / SUMMARY).exists():
        present.append(SUMMARY)
    for name in present:
        if name not in resources:
            problems.append(f"{name} has no resource in {DATA_PACKAGE}: its columns are not described")
    for name, resource in resources.items():
        if name not in present:
            problems.append(f"{DATA_PACKAGE} describes {name}, which is not in the folder")
        elif name == SUMMARY:
            problems += _summary(folder, resource)
        else:
            problems += _csv(folder, resource)
    return problems
