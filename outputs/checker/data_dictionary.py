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
from leveransplan.models.language import _
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
        return None, [_("{file}: cannot be read as JSON ({error})").format(file=DATA_PACKAGE, error=error)]
    resources = document.get("resources") if isinstance(document, dict) else None
    if not isinstance(resources, list) or not all(
        isinstance(r, dict) and isinstance(r.get("path"), str) for r in resources
    ):
        return None, [
            _("{file}: expected an object whose resources each have a path").format(file=DATA_PACKAGE)
        ]
    return document, []


def _entries(where: str, entries: Any, types: frozenset[str]) -> tuple[list[str], list[str]]:
    """The names of a resource's fields (or keys), and what is wrong with any of them."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return [], [_("{where}: expected a list of objects").format(where=where)]
    names, problems = [], []
    for entry in entries:
        name = entry.get("name")
        names.append(name if isinstance(name, str) else repr(name))
        if entry.get("type") not in types:
            problems.append(
                _("{where} {name}: type {type}, expected one of {types}").format(
                    where=where, name=repr(name), type=repr(entry.get("type")), types=sorted(types)
                )
            )
        empty = [text for text in TEXTS if not (isinstance(entry.get(text), str) and entry[text].strip())]
        if empty:
            missing = ", ".join(empty)
            problems.append(
                _("{where} {name}: no {missing}; every one is described in English and Swedish").format(
                    where=where, name=repr(name), missing=missing
                )
            )
    return names, problems


def _csv(folder: Path, resource: dict[str, Any]) -> list[str]:
    file = resource["path"]
    schema = resource.get("schema")
    names, problems = _entries(
        _("{dictionary} {file} field").format(dictionary=DATA_PACKAGE, file=file),
        schema.get("fields") if isinstance(schema, dict) else None,
        TABLE_TYPES,
    )
    try:
        header = read_plan_csv(folder / file).header
    except (OSError, UnicodeDecodeError):
        return problems  # the file's own checker names a CSV file it cannot read
    problems += [
        _("{file} column {column} is not described in {dictionary}").format(
            file=file, column=repr(c), dictionary=DATA_PACKAGE
        )
        for c in header
        if c not in names
    ]
    problems += [
        _("{dictionary} describes column {column} of {file}, which the file does not have").format(
            dictionary=DATA_PACKAGE, column=repr(n), file=file
        )
        for n in names
        if n not in header
    ]
    if sorted(header) == sorted(names) and header != names:
        problems.append(
            _("{file}: columns in the order {header}, but {dictionary} describes {names}").format(
                file=file, header=header, dictionary=DATA_PACKAGE, names=names
            )
        )
    return problems


def _summary(folder: Path, resource: dict[str, Any]) -> list[str]:
    where = _("{dictionary} {file} key").format(dictionary=DATA_PACKAGE, file=SUMMARY)
    names, problems = _entries(where, resource.get("keys"), JSON_TYPES)
    try:
        summary = json.loads(read_file(folder / SUMMARY).decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return problems  # the plan checker names a summary.json it cannot read
    keys = list(summary_keys(summary)) if isinstance(summary, dict) else []
    problems += [
        _("{file} key {key} is not described in {dictionary}").format(
            file=SUMMARY, key=repr(k), dictionary=DATA_PACKAGE
        )
        for k in keys
        if k not in names
    ]
    problems += [
        _("{dictionary} describes {file} key {key}, which the file does not have").format(
            dictionary=DATA_PACKAGE, file=SUMMARY, key=repr(n)
        )
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
            problems.append(
                _("{file} has no resource in {dictionary}: its columns are not described").format(
                    file=name, dictionary=DATA_PACKAGE
                )
            )
    for name, resource in resources.items():
        if name not in present:
            problems.append(
                _("{dictionary} describes {file}, which is not in the folder").format(
                    dictionary=DATA_PACKAGE, file=name
                )
            )
        elif name == SUMMARY:
            problems += _summary(folder, resource)
        else:
            problems += _csv(folder, resource)
    return problems
