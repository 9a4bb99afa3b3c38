"""Writing a plan folder all-or-nothing: written to a temporary folder, checked, then renamed."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from models.derived import VolumeData
from models.results import ScenarioPlan
from models.scenario import Scenario
from models.training import ATData, PlacementData
from outputs import training_files as tf
from outputs import volume_files as vf
from outputs.check import PlanCheckFailed
from outputs.checks import check_plan
from outputs.excel import WORKBOOK, write_workbook
from outputs.tabular import PLAIN, SWEDISH_EXCEL, write_csv

__all__ = ["OutputExists", "free_folder_name", "publish_plan", "write_csv", "write_plan"]


class OutputExists(Exception):
    """The output folder exists and overwriting was not asked for."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def manifest(
    scenario_dir: Path, scenario: Scenario, parameters: dict[str, Any], written: list[Path]
) -> dict[str, Any]:
    """The audit trail: what went in, with which tool and settings, and what came out."""
    inputs = {
        p.name: _sha256(p)
        for p in sorted(scenario_dir.iterdir())
        if p.is_file() and not p.name.startswith(".")
    }
    return {
        "scenario": scenario.name,
        "scenario_folder": str(scenario_dir.resolve()),
        "inputs_sha256": inputs,
        "tool": {
            "leveransplan": _version("leveransplan"),
            "ortools": _version("ortools"),
            "python": platform.python_version(),
        },
        "parameters": parameters,
        "command_line": sys.argv,
        "time_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "outputs_sha256": {p.name: _sha256(p) for p in written},
    }


def write_plan(
    folder: Path, scenario: Scenario, plan: ScenarioPlan, previous_plan: str | None, excel: bool = False
) -> list[Path]:
    """Write each solved model's tables and summary.json into `folder`; return the files written.

    `excel`: the tables in the Swedish Excel dialect, and delivery_plan.xlsx when there is a volume plan.
    """
    tables: list[tuple[str, Sequence[str], list[dict[str, Any]]]] = []
    summary: dict[str, Any] = {"scenario": scenario.name}
    if plan.volumes is not None:
        data = VolumeData.from_scenario(scenario)
        tables += [
            ("delivery_plan.csv", vf.DELIVERY_COLUMNS, vf.delivery_rows(data, plan.volumes)),
            ("production_plan.csv", vf.PRODUCTION_COLUMNS, vf.production_rows(data, plan.volumes)),
            ("volume_table.csv", vf.VOLUME_TABLE_COLUMNS, vf.volume_table_rows(data, plan.volumes)),
            ("contract_usage.csv", vf.CONTRACT_COLUMNS, vf.contract_rows(data, plan.volumes)),
        ]
        summary["volumes"] = vf.volume_summary(data, plan.volumes, previous_plan)
    if plan.at is not None:
        at_data = ATData(scenario)
        tables.append(("at_distribution.csv", tf.AT_COLUMNS, tf.at_rows(at_data, plan.at)))
        summary["at"] = tf.at_summary(at_data, plan.at)
    if plan.placements is not None:
        placement_data = PlacementData(scenario)
        tables += [
            ("placements.csv", tf.PLACEMENT_COLUMNS, tf.placement_rows(placement_data, plan.placements)),
            ("unplaced.csv", tf.UNPLACED_COLUMNS, tf.unplaced_rows(placement_data, plan.placements)),
            ("places_table.csv", tf.PLACES_COLUMNS, tf.places_rows(placement_data, plan.placements)),
        ]
        summary["placements"] = tf.placement_summary(placement_data, plan.placements)
    written = []
    for name, columns, rows in tables:
        write_csv(folder / name, columns, rows, SWEDISH_EXCEL if excel else PLAIN)
        written.append(folder / name)
    if excel and plan.volumes is not None:
        names = {h.hospital: h.name for h in scenario.hospitals}
        write_workbook(folder / WORKBOOK, summary, names, {name: rows for name, _, rows in tables})
        written.append(folder / WORKBOOK)
    (folder / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    written.append(folder / "summary.json")
    return written


def free_folder_name(wanted: Path) -> Path:
    """`wanted`, or wanted-2, wanted-3 ... : the first name not taken."""
    candidate, number = wanted, 2
    while candidate.exists():
        candidate = wanted.with_name(f"{wanted.name}-{number}")
        number += 1
    return candidate


def publish_plan(
    out: Path,
    scenario_dir: Path,
    scenario: Scenario,
    plan: ScenarioPlan,
    parameters: dict[str, Any],
    previous_plan: str | None = None,
    overwrite: bool = False,
    excel: bool = False,
    report: bool = False,
    progress: list[dict[str, Any]] | None = None,
) -> Path:
    """Write, check and then rename into place; on any failure nothing is left behind.

    `excel`: the CSV files in the Swedish Excel dialect and delivery_plan.xlsx; `report`:
    report.html; `progress`: each stage's objective and bound over time, kept in manifest.json.
    """
    if out.exists() and not overwrite:
        raise OutputExists(f"{out} exists; choose another --out or add --overwrite")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the plan folder is an ordinary one
    try:
        written = write_plan(staging, scenario, plan, previous_plan, excel)
        problems = check_plan(scenario, staging)
        if problems:
            raise PlanCheckFailed(problems)
        record = manifest(scenario_dir, scenario, parameters, written)
        record["progress"] = progress or []
        (staging / "manifest.json").write_text(
            json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            os.replace(out, retired / out.name)
            os.replace(staging, out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return out
