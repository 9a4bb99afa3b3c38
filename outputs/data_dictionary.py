"""The data dictionary: datapackage.json, describing every CSV file of a folder in English and Swedish.

The machine files keep their stable English column names whatever the language; the dictionary
says what each column holds, for a reader in either language and for tools. Its one source is
data_dictionary.toml beside this module. Every folder of CSV files the tool writes (a plan, a
frontier, a follow-up) gets a datapackage.json, a Frictionless Data Package: one resource per CSV
file with its Table Schema (each field's name, Frictionless type, unit where there is one, and
`title` and `description` in English with `title_sv` and `description_sv` in Swedish), and, where
the folder has summary.json, a resource listing its keys. docs/data-dictionary.md describes it.

A header the dictionary does not describe column by column, in order, is refused when the file
is described (DictionaryMismatch), so that a new or renamed column cannot reach a folder without
its description; outputs/checker/data_dictionary.py holds a written folder to its datapackage.json.
The file depends only on the columns and the summary's keys, never on the language,
so the same run gives the same bytes.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from leveransplan.inputs.plan_files import PLAIN
from leveransplan.outputs.manifest import SUMMARY, json_text

DATA_PACKAGE = "datapackage.json"
SOURCE = "data_dictionary.toml"
# Frictionless Table Schema's types the CSV files use, and JSON's for summary.json's keys.
TABLE_TYPES = frozenset({"string", "integer", "number", "boolean", "year", "yearmonth", "date"})
JSON_TYPES = frozenset({"string", "integer", "number", "boolean", "object", "array"})
# Each described field and key carries these, non-empty (English first, then Swedish).
TEXTS = ("title", "description", "title_sv", "description_sv")
# summary.json's objects whose own keys are described one by one: one per model, and a frontier's.
SECTIONS = ("volumes", "at", "placements", "frontier")


class DictionaryMismatch(ValueError):
    """A file or summary key the dictionary does not describe as written; the message says which."""


@dataclass(frozen=True)
class Entry:
    """One column (or summary key) as the dictionary describes it."""

    name: str
    type: str
    title_en: str
    title_sv: str
    description_en: str
    description_sv: str
    unit: str | None = None

    def texts(self) -> dict[str, str]:
        """The texts under the names the data package gives them (see TEXTS)."""
        return {
            "title": self.title_en,
            "description": self.description_en,
            "title_sv": self.title_sv,
            "description_sv": self.description_sv,
        }

    def as_field(self) -> dict[str, Any]:
        unit = {} if self.unit is None else {"unit": self.unit}
        return {"name": self.name, "type": self.type, **unit, **self.texts()}


def _texts(raw: Mapping[str, Any]) -> dict[str, str]:
    return {
        "title": raw["title_en"],
        "description": raw["description_en"],
        "title_sv": raw["title_sv"],
        "description_sv": raw["description_sv"],
    }


@dataclass(frozen=True)
class FileEntry:
    """One file: its title and description in both languages and its columns in order."""

    name: str
    texts: dict[str, str]
    columns: tuple[Entry, ...]


@dataclass(frozen=True)
class Dictionary:
    columns: dict[str, Entry]  # the columns with one meaning in every file
    files: dict[str, FileEntry]
    summary: dict[str, Entry]
    summary_texts: dict[str, str]  # summary.json's own title and description


def _entry(name: str, raw: Mapping[str, Any]) -> Entry:
    return Entry(
        name=name,
        type=raw["type"],
        title_en=raw["title_en"],
        title_sv=raw["title_sv"],
        description_en=raw["description_en"],
        description_sv=raw["description_sv"],
        unit=raw.get("unit"),
    )


def _file(name: str, raw: Mapping[str, Any], shared: Mapping[str, Entry]) -> FileEntry:
    own = {column: _entry(column, spec) for column, spec in raw.get("fields", {}).items()}
    unused = sorted(set(own) - set(raw["columns"]))
    if unused:
        raise DictionaryMismatch(f"{SOURCE}: {name} describes {unused}, which are not among its columns")
    columns = []
    for column in raw["columns"]:
        entry = own.get(column, shared.get(column))
        if entry is None:
            raise DictionaryMismatch(f"{SOURCE}: {name}'s column {column!r} has no description")
        columns.append(entry)
    return FileEntry(name, _texts(raw), tuple(columns))


@cache
def dictionary() -> Dictionary:
    """The dictionary as data_dictionary.toml holds it (read once)."""
    source = resources.files("leveransplan.outputs").joinpath(SOURCE).read_text(encoding="utf-8")
    raw = tomllib.loads(source)
    shared = {name: _entry(name, spec) for name, spec in raw["columns"].items()}
    files = {name: _file(name, spec, shared) for name, spec in raw["files"].items()}
    summary = {key: _entry(key, spec) for key, spec in raw["summary"]["keys"].items()}
    return Dictionary(shared, files, summary, _texts(raw["summary"]))


def describe_columns(file: str, columns: Sequence[str]) -> tuple[Entry, ...]:
    """The dictionary's entries for `file`'s columns; DictionaryMismatch unless they are exactly
    the columns it describes, in its order."""
    entry = dictionary().files.get(file)
    if entry is None:
        raise DictionaryMismatch(f"{file} is not in the data dictionary ({SOURCE})")
    described = [c.name for c in entry.columns]
    if list(columns) != described:
        raise DictionaryMismatch(
            f"{file}: columns {list(columns)}, but the data dictionary ({SOURCE}) describes {described}"
        )
    return entry.columns


def summary_keys(summary: Mapping[str, Any]) -> Iterator[str]:
    """summary.json's keys as the dictionary names them: each key, and each key of a model's
    object (`volumes.cost_sek`); other keys within are described in their parent's text."""
    for key, value in summary.items():
        yield key
        if key in SECTIONS and isinstance(value, dict):
            yield from (f"{key}.{inner}" for inner in value)


def _csv_resource(file: str, columns: Sequence[str]) -> dict[str, Any]:
    # The tool writes its CSV files in one dialect only (inputs/plan_files.PLAIN); csv-sv/'s
    # Swedish copies have the same columns.
    entry = dictionary().files[file]
    fields = [column.as_field() for column in describe_columns(file, columns)]
    return {
        "name": Path(file).stem,
        "path": file,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": PLAIN.encoding,
        "dialect": {"delimiter": PLAIN.delimiter, "header": True},
        **entry.texts,
        "schema": {"fields": fields, "missingValues": [""]},
    }


def _summary_resource(summary: Mapping[str, Any]) -> dict[str, Any]:
    described = dictionary().summary
    keys = []
    for key in summary_keys(summary):
        if key not in described:
            raise DictionaryMismatch(f"{SUMMARY} key {key!r} is not in the data dictionary ({SOURCE})")
        keys.append(described[key].as_field())
    return {
        "name": "summary",
        "path": SUMMARY,
        "format": "json",
        "mediatype": "application/json",
        "encoding": "utf-8",
        **dictionary().summary_texts,
        "keys": keys,
    }


def data_package(
    name: str,
    files: Sequence[tuple[str, Sequence[str]]],
    summary: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The data package of a folder holding `files` (CSV name, columns), and summary.json with
    `summary`'s content when given; `name`: the package's name."""
    resources_ = [_csv_resource(file, columns) for file, columns in files]
    if summary is not None:
        resources_.append(_summary_resource(summary))
    return {"profile": "data-package", "name": name, "resources": resources_}


def write_data_package(
    folder: Path,
    name: str,
    files: Sequence[tuple[str, Sequence[str]]],
    summary: Mapping[str, Any] | None = None,
) -> Path:
    """Write `data_package` as datapackage.json into `folder`; return its path."""
    path = folder / DATA_PACKAGE
    path.write_text(json_text(data_package(name, files, summary)), encoding="utf-8")
    return path


def field_texts(file: str, column: str) -> dict[str, str]:
    """A column's title and description in both languages, as datapackage.json gives them, for
    another table of the same content (the bi/ folder's Parquet files); empty when not described."""
    entry = dictionary().files.get(file)
    for described in entry.columns if entry is not None else ():
        if described.name == column:
            return described.texts()
    shared = dictionary().columns.get(column)
    return {} if shared is None else shared.texts()


def file_texts(file: str) -> dict[str, str]:
    """A file's title and description in both languages; empty when not described."""
    entry = dictionary().files.get(file)
    return {} if entry is None else dict(entry.texts)
