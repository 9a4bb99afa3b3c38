"""Writing a plan folder all-or-nothing: written to a temporary folder, checked, then renamed."""

from __future__ import annotations

import glob
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

from inputs.tables import ALL_TABLES
from models.derived import VolumeData
from models.results import ScenarioPlan
from models.scenario import Scenario
from models.training import ATData, PlacementData
from outputs import training_files as tf
from outputs import volume_files as vf
from outputs.check import PlanCheckFailed
from outputs.checks import check_plan
from outputs.excel import WORKBOOK, write_workbook
from outputs.report import write_report
from outputs.tabular import PLAIN, SWEDISH_EXCEL, write_csv

__all__ = ["OutputExists", "free_folder_name", "publish_plan", "write_csv", "write_plan"]


REPORT = "report.html"


class OutputExists(Exception):
    """The output folder exists and overwriting was not asked for."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def input_digests(scenario_dir: Path) -> dict[str, str]:
    """SHA-256 of each scenario file the tool reads (other files in the folder, such as Excel's
    ~$ lock files, are not inputs); a file that cannot be read now is recorded as such."""
    digests: dict[str, str] = {}
    for name in sorted(["scenario.toml", *(schema.file for schema in ALL_TABLES)]):
        path = scenario_dir / name
        if not path.is_file():
            continue
        try:
            digests[name] = _sha256(path)
        except OSError as error:
            digests[name] = f"cannot be read now ({error.strerror or error})"
    return digests


def manifest(
    scenario_dir: Path, scenario: Scenario, parameters: dict[str, Any], written: list[Path]
) -> dict[str, Any]:
    """The audit trail: what went in, with which tool and settings, and what came out."""
    inputs = input_digests(scenario_dir)
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
    _write_json(folder / "summary.json", summary)
    written.append(folder / "summary.json")
    return written


def _write_json(path: Path, content: dict[str, Any]) -> None:
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _staging_prefix(out: Path) -> str:
    """Hidden, and naming the process that writes it, so a later run can tell a stale one."""
    return f".{out.name}.{os.getpid()}."


def remove_stale_staging(out: Path) -> list[Path]:
    """Remove the half-written folders that a killed run left beside `out` (hidden, never `out`).

    A run writes its plan into `.OUT.PID.xxxx.partial` and renames it to OUT only when every file
    is written and checked, so a run killed at any moment leaves at most such a hidden folder;
    this removes those whose process is gone.
    """
    removed = []
    for leftover in sorted(out.parent.glob(f".{glob.escape(out.name)}.*")):
        if leftover.suffix not in (".partial", ".old") or not leftover.is_dir():
            continue
        pid_text = leftover.name[len(out.name) + 2 :].split(".", 1)[0]
        if pid_text.isdigit() and not _process_alive(int(pid_text)):
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


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
    remove_stale_staging(out)
    staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(out), suffix=".partial", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp makes it private; the plan folder is an ordinary one
    try:
        written = write_plan(staging, scenario, plan, previous_plan, excel)
        previous, freeze = parameters.get("previous_plan"), parameters.get("freeze_until")
        frozen = (Path(previous), freeze) if previous and freeze else None
        problems = check_plan(scenario, staging, frozen)
        if problems:
            raise PlanCheckFailed(problems)
        record = manifest(scenario_dir, scenario, parameters, written)
        record["progress"] = progress or []
        _write_json(staging / "manifest.json", record)
        if report:
            # The report shows the manifest's audit trail; the manifest then records its digest.
            write_report(staging, staging / REPORT, progress, shown_folder=out)
            record["outputs_sha256"][REPORT] = _sha256(staging / REPORT)
            _write_json(staging / "manifest.json", record)
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=_staging_prefix(out), suffix=".old", dir=out.parent))
            os.replace(out, retired / out.name)
            os.replace(staging, out)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return out
