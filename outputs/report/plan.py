"""The plan folder as the report reads it: summary.json, manifest.json, the CSV files and the
solver's progress.

A field of manifest.json of another type than expected (a hand-edited file) is treated as absent.
The solver's progress comes from the `progress` argument, else manifest.json's "progress"; points
that are not {"model", "stage", "seconds", "value", "bound"} with a number of seconds and a value
or a bound (the other may be null, as before a stage's first solution) are left out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leveransplan.inputs.plan_files import read_plan_csv
from leveransplan.models.language import _
from leveransplan.outputs.checker.volume_files import HOSPITAL_FIGURES

MODELS = ("volumes", "at", "placements")


class ReportUnreadable(Exception):
    """The plan folder cannot be read into a report."""


def read_json(path: Path) -> Any:
    """A JSON file of the plan folder; ReportUnreadable when it cannot be read."""
    try:
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReportUnreadable(_("{path} cannot be read ({error})").format(path=path, error=error)) from None


def read_rows(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """A plan CSV's rows, after checking that the columns the report uses are there."""
    return read_header_and_rows(path, columns)[1]


def read_header_and_rows(path: Path, columns: Sequence[str]) -> tuple[list[str], list[dict[str, str]]]:
    """A plan CSV's header and rows (blank rows left out); ReportUnreadable without `columns`."""
    if not path.is_file():
        raise ReportUnreadable(
            _("{folder}: {file} is missing; the plan is incomplete").format(
                folder=path.parent, file=path.name
            )
        )
    try:
        table = read_plan_csv(path)
    except (OSError, UnicodeDecodeError) as error:
        raise ReportUnreadable(_("{path} cannot be read ({error})").format(path=path, error=error)) from None
    missing = [c for c in columns if c not in table.header]
    if missing:
        raise ReportUnreadable(
            _("{path}: column {columns} is missing").format(path=path, columns=", ".join(missing))
        )
    return table.header, [row for _number, row in table.records() if any(row.values())]


def cell_int(row: dict[str, str], column: str, path: Path) -> int:
    """A CSV cell's whole number; ReportUnreadable naming the file and column when it is not one."""
    text = row.get(column, "").strip()
    try:
        return int(text)
    except ValueError:
        raise ReportUnreadable(
            _("{path}, column {column}: {value} is not a whole number").format(
                path=path, column=column, value=repr(text)
            )
        ) from None


def summary_whole(value: Any, where: str) -> int:
    """A whole number from summary.json (a missing figure is 0)."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise ReportUnreadable(
            _("summary.json, {where}: {value} is not a whole number").format(where=where, value=repr(value))
        )
    return value


def hospital_figures(volumes: dict[str, Any]) -> list[tuple[str, dict[str, int]]]:
    """summary.json's per-hospital figures of the volume plan, in its order."""
    rows = volumes.get("hospitals") or []
    if not isinstance(rows, list):
        raise ReportUnreadable(_("summary.json, volumes.hospitals: expected a list"))
    return [
        (
            str(row.get("hospital", "?")),
            {key: summary_whole(row.get(key), f"volumes.hospitals[{i}].{key}") for key in HOSPITAL_FIGURES},
        )
        for i, row in enumerate(rows)
        if isinstance(row, dict)
    ]


def hospital_frames(volumes: dict[str, Any]) -> dict[str, int]:
    """Each hospital's frame_sek from summary.json's per-hospital figures (none when it has none)."""
    rows = volumes.get("hospitals") or []
    return {
        str(row.get("hospital", "?")): summary_whole(row["frame_sek"], f"volumes.hospitals[{i}].frame_sek")
        for i, row in enumerate(rows if isinstance(rows, list) else [])
        if isinstance(row, dict) and row.get("frame_sek") is not None
    }


def json_number(value: Any) -> float | None:
    """A JSON number as a float; None for anything else (true and false are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass(frozen=True)
class Stage:
    """One lexicographic stage as summary.json records it."""

    objective: str
    value: float | None
    bound: float | None
    status: str
    seconds: float | None

    @property
    def gap_pct(self) -> float | None:
        """CP-SAT's relative gap |value - bound| / max(1, |value|), in per cent."""
        if self.value is None or self.bound is None:
            return None
        return 100 * abs(self.value - self.bound) / max(1.0, abs(self.value))


@dataclass(frozen=True)
class ProgressPoint:
    """The best value and the proven bound of one stage at one moment of its model's solve.

    `value` is None before the stage's first solution; `bound` None before a bound is proven.
    """

    model: str
    stage: str
    seconds: float
    value: float | None
    bound: float | None


@dataclass
class Plan:
    """What the report reads from a plan folder."""

    folder: Path
    summary: dict[str, Any]
    manifest: dict[str, Any] | None
    progress: list[ProgressPoint]
    skipped_progress: int = 0
    models: list[str] = field(default_factory=list)
    shown_folder: Path | None = None  # the name to show, when the files are read from elsewhere

    def recorded(self, kind: type | tuple[type, ...], *keys: str) -> Any:
        """The manifest's value at `keys`, or None when it is absent or not of `kind` (a hand-edited file)."""
        return recorded_value(self.manifest, kind, *keys)

    @property
    def deterministic(self) -> bool:
        """Whether the plan was solved with --deterministic, as manifest.json records it."""
        return self.recorded(bool, "parameters", "solver", "deterministic") is True

    def stages(self, model: str) -> list[Stage]:
        stages = self.summary[model].get("stages")
        if not isinstance(stages, list):
            raise ReportUnreadable(
                _("{path}: {model} has no list of stages").format(
                    path=self.folder / "summary.json", model=model
                )
            )
        return [
            Stage(
                objective=str(s.get("objective", "?")),
                value=json_number(s.get("value")),
                bound=json_number(s.get("bound")),
                status=str(s.get("status", "")),
                seconds=json_number(s.get("seconds")),
            )
            for s in stages
            if isinstance(s, dict)
        ]


def recorded_value(document: Any, kind: type | tuple[type, ...], *keys: str) -> Any:
    """A JSON document's value at `keys`, or None when it is absent or not of `kind` (a hand-edited file)."""
    value = document
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    if isinstance(value, bool) and not (kind is bool or (isinstance(kind, tuple) and bool in kind)):
        return None  # JSON's true is no number
    return value if isinstance(value, kind) else None


def _progress_points(raw: Any) -> tuple[list[ProgressPoint], int]:
    """The well-formed progress points, and how many were left out."""
    if not isinstance(raw, list):
        return [], 0
    points = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        seconds, value, bound = (json_number(item.get(key)) for key in ("seconds", "value", "bound"))
        if item.get("model") not in MODELS or not isinstance(item.get("stage"), str):
            continue
        if seconds is None or (value is None and bound is None):
            continue
        points.append(ProgressPoint(item["model"], item["stage"], seconds, value, bound))
    return points, len(raw) - len(points)


def read_plan(plan_dir: Path, progress: list[dict[str, Any]] | None = None) -> Plan:
    """The plan folder's summary, manifest and progress; ReportUnreadable when it is not a plan."""
    if not plan_dir.is_dir():
        raise ReportUnreadable(_("{folder}: no such folder").format(folder=plan_dir))
    summary_path = plan_dir / "summary.json"
    if not summary_path.is_file():
        raise ReportUnreadable(
            _(
                "{folder} is not a plan folder: summary.json is missing "
                "(expected a folder written by leveransplan solve)"
            ).format(folder=plan_dir)
        )
    summary = read_json(summary_path)
    if not isinstance(summary, dict):
        raise ReportUnreadable(_("{path} is not a plan summary").format(path=summary_path))
    models = [m for m in MODELS if isinstance(summary.get(m), dict)]
    if not models:
        raise ReportUnreadable(
            _('{path} has no object "volumes", "at" or "placements"').format(path=summary_path)
        )
    manifest_path = plan_dir / "manifest.json"
    manifest = read_json(manifest_path) if manifest_path.is_file() else None
    if manifest is not None and not isinstance(manifest, dict):
        raise ReportUnreadable(_("{path} is not a plan manifest").format(path=manifest_path))
    raw = progress if progress is not None else (manifest or {}).get("progress")
    points, skipped = _progress_points(raw)
    return Plan(plan_dir, summary, manifest, points, skipped, models)
