"""Writing a plan folder all-or-nothing: written to a hidden staging folder, checked, then renamed.

Where a plan may go (`plan_target`) is decided when the run starts, so that a refusal comes before
the solve, and verified again at the moment of the rename (outputs.staging): a new folder, or with
--overwrite an earlier plan whose files are all its own and unchanged, as its manifest.json lists
them. A user's own files are never replaced: a folder holding anything else is refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leveransplan.inputs.plan_files import PLAIN, SWEDISH_EXCEL
from leveransplan.inputs.schemas import ALL_TABLES
from leveransplan.models.derived import VolumeData
from leveransplan.models.language import _
from leveransplan.models.results import ScenarioPlan
from leveransplan.models.scenario import Scenario
from leveransplan.models.training import ATData, PlacementData
from leveransplan.outputs import training_files as tf
from leveransplan.outputs import volume_files as vf
from leveransplan.outputs.bi import plan_id as plan_id_of
from leveransplan.outputs.bi import write_bi
from leveransplan.outputs.checker.plan import check_plan
from leveransplan.outputs.checker.volume_plan import PlanCheckFailed
from leveransplan.outputs.data_dictionary import write_data_package
from leveransplan.outputs.manifest import (
    BI_FOLDER,
    MANIFEST,
    PLAN_ID,
    SUMMARY,
    SWEDISH_CSV_FOLDER,
    WORKBOOKS_FOLDER,
    ManifestUnreadable,
    build_manifest,
    foreign_entries,
    input_digests,
    read_manifest,
    sha256_of,
    write_json,
)
from leveransplan.outputs.report.page import write_report
from leveransplan.outputs.staging import FolderState, Staging, TargetTaken, free_folder_name
from leveransplan.outputs.tabular import write_csv
from leveransplan.outputs.workbooks import write_workbooks

__all__ = [
    "OutputExists",
    "OutputRefused",
    "PlanTarget",
    "TargetTaken",
    "free_folder_name",
    "plan_target",
    "publish_plan",
    "publish_seconds",
    "write_csv",
    "write_plan",
]


REPORT = "report.html"
SCENARIO_FILES = ("scenario.toml", *(schema.file for schema in ALL_TABLES))


class OutputRefused(Exception):
    """--out cannot take a plan (it would replace or hold something that is not a plan); says why."""


class OutputExists(OutputRefused):
    """The output folder exists and overwriting was not asked for."""


@dataclass(frozen=True)
class PlanTarget:
    """Where a plan goes, and the folder as the run found it at its start.

    `free_name`: the path is a default name; the first of NAME, NAME-2, ... that is free when the
    plan is renamed into place is taken.
    """

    path: Path
    seen: FolderState
    free_name: bool = False


def _refused(out: Path, why: str) -> OutputRefused:
    return OutputRefused(_("--out {out} {why}").format(out=out, why=why))


def plan_target(
    out: Path | None, default: Path, overwrite: bool = False, protected: Mapping[str, Path] | None = None
) -> PlanTarget:
    """The target of a plan, or OutputRefused saying why `out` cannot be one.

    `protected`: folders the plan may never replace nor hold, by what they are ("the scenario
    folder": ..., "the previous plan": ...).
    """
    try:
        return _plan_target(out, default, overwrite, protected or {})
    except OSError as error:  # a folder on the way that may not be looked into, say
        raise _refused(
            out or default, _("cannot be looked at ({why})").format(why=error.strerror or error)
        ) from None


def _plan_target(
    out: Path | None, default: Path, overwrite: bool, protected: Mapping[str, Path]
) -> PlanTarget:
    if out is None:
        return PlanTarget(free_folder_name(default), FolderState(None), free_name=True)
    resolved = out.resolve()
    cwd = Path.cwd()
    if resolved == cwd or resolved in cwd.parents:
        raise _refused(out, _("is the current folder or holds it; choose a new folder"))
    if any(parent.exists() and not parent.is_dir() for parent in resolved.parents):
        raise _refused(out, _("lies under a file, not a folder"))
    if out.is_symlink():
        raise _refused(out, _("is a link; give the folder itself"))
    if out.exists() and not out.is_dir():
        raise _refused(out, _("is a file; a plan is a folder"))
    for what, folder in protected.items():
        kept = folder.resolve()
        if resolved == kept or resolved in kept.parents:
            why = (
                _("is {what} ({folder}); a plan never replaces what it is made from")
                if resolved == kept
                else _("holds {what} ({folder}); a plan never replaces what it is made from")
            )
            raise _refused(out, why.format(what=_(what), folder=folder))
    if not out.exists():
        return PlanTarget(out, FolderState(None))
    if not overwrite:
        raise OutputExists(_("{target} exists; choose another --out or add --overwrite").format(target=out))
    scenario_files = [name for name in SCENARIO_FILES if (out / name).exists()]
    if scenario_files:
        raise _refused(
            out,
            _(
                "holds a scenario ({files}); a scenario folder is never a plan folder: choose another --out"
            ).format(files=", ".join(scenario_files[:3])),
        )
    seen = FolderState.of(out)
    if not seen.entries:
        return PlanTarget(out, seen)
    try:
        manifest = read_manifest(out)
    except ManifestUnreadable:
        raise _refused(
            out,
            _(
                "holds files but no plan ({manifest} is missing or unreadable): --overwrite replaces only "
                "a plan folder the tool wrote"
            ).format(manifest=MANIFEST),
        ) from None
    foreign = foreign_entries(out, manifest)
    if foreign:
        shown = "; ".join(foreign[:5])
        if len(foreign) > 5:
            shown += "; " + _("and {count} more").format(count=len(foreign) - 5)
        raise _refused(
            out,
            _(
                "holds what --overwrite would destroy: {shown}. Move that out of the folder, or choose "
                "another --out"
            ).format(shown=shown),
        )
    return PlanTarget(out, seen)


# What writing and checking a plan takes, per production row (a hospital, category and month) and
# per ST-A requirement, plus a fixed part: the time limit leaves this much for them. Measured
# with benchmarks/publish_time.py (see docs/performance.md) and rounded up.
_PUBLISH_FIXED_S = 0.3
_PUBLISH_S_PER_PRODUCTION_ROW = 2.0e-4
_PUBLISH_S_PER_REQUIREMENT = 2.0e-4
# The workbooks of --excel: the shipped scenario's (2 496 production rows) took 1.2 s to write
# on the 2-core development machine; rounded up.
_WORKBOOKS_S_PER_PRODUCTION_ROW = 6.0e-4


def publish_seconds(scenario: Scenario, models: Sequence[str], excel: bool = False) -> float:
    """About how long writing and checking the plan of `models` will take, in seconds (`excel`:
    with the workbooks)."""
    seconds = _PUBLISH_FIXED_S
    if "volumes" in models:
        pairs = {(r.hospital, r.category) for r in scenario.need} | {
            (r.hospital, r.category) for r in scenario.own_volumes
        }
        per_row = _PUBLISH_S_PER_PRODUCTION_ROW + (_WORKBOOKS_S_PER_PRODUCTION_ROW if excel else 0.0)
        seconds += per_row * len(pairs) * scenario.months
    if "placements" in models:
        seconds += _PUBLISH_S_PER_REQUIREMENT * len(scenario.st_requirements)
    return seconds


def write_plan(
    folder: Path,
    scenario: Scenario,
    plan: ScenarioPlan,
    previous_plan: str | None,
    excel: bool = False,
    parquet: bool = False,
    made_from: Mapping[str, Any] | None = None,
    swedish_csv: bool = False,
) -> list[Path]:
    """Write each solved model's tables and summary.json into `folder`; return the files written.

    The CSV files are always in the plain dialect, whatever else is asked for, so a BI tool reads
    one format. `excel`: the workbooks in workbooks/ (outputs/workbooks); `parquet`: the tables
    and the dimension tables as Parquet in bi/ (outputs/bi.py); `made_from`: what the plan was
    made from (the function `made_from`), part of its id; `swedish_csv`: a copy of each CSV file
    in the Swedish Excel dialect (';', decimal comma, BOM) in csv-sv/, for a double click in a
    Swedish Excel.
    """
    tables: list[tuple[str, Sequence[str], list[dict[str, Any]]]] = []
    summary: dict[str, Any] = {"scenario": scenario.name}
    if scenario.illustrative is not None:
        summary["illustrative"] = scenario.illustrative
    if plan.volumes is not None:
        data = VolumeData.from_scenario(scenario)
        tables += [
            ("delivery_plan.csv", vf.DELIVERY_COLUMNS, vf.delivery_rows(data, plan.volumes)),
            ("production_plan.csv", vf.PRODUCTION_COLUMNS, vf.production_rows(data, plan.volumes)),
            ("volume_table.csv", vf.VOLUME_TABLE_COLUMNS, vf.volume_table_rows(data, plan.volumes)),
            ("contract_usage.csv", vf.CONTRACT_COLUMNS, vf.contract_rows(data, plan.volumes)),
        ]
        summary["volumes"] = vf.volume_summary(data, plan.volumes, previous_plan)
        if scenario.has_candidates:
            tables.append(
                ("procurement.csv", vf.PROCUREMENT_COLUMNS, vf.procurement_rows(data, plan.volumes))
            )
            summary["volumes"]["procurement"] = vf.procurement_summary(data, plan.volumes)
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
        if plan.placements.propose_places:
            tables.append(
                (
                    "places_proposal.csv",
                    tf.PROPOSAL_COLUMNS,
                    tf.proposal_rows(placement_data, plan.placements),
                )
            )
        summary["placements"] = tf.placement_summary(placement_data, plan.placements)
    for name, model in (("volumes", plan.volumes), ("at", plan.at), ("placements", plan.placements)):
        if model is not None:
            summary[name]["stopped_by_time_limit"] = any(s.status != "OPTIMAL" for s in model.stages)
    if plan.not_solved:
        summary["not_solved"] = dict(plan.not_solved)
    summary["partial"] = plan.partial
    summary[PLAN_ID] = plan_id_of(scenario.name, tables, made_from)
    written = []
    for name, columns, rows in tables:
        write_csv(folder / name, columns, rows, PLAIN)
        written.append(folder / name)
    if swedish_csv and tables:
        (folder / SWEDISH_CSV_FOLDER).mkdir()
        for name, columns, rows in tables:
            write_csv(folder / SWEDISH_CSV_FOLDER / name, columns, rows, SWEDISH_EXCEL)
            written.append(folder / SWEDISH_CSV_FOLDER / name)
    if excel and tables:
        names = {h.hospital: h.name for h in scenario.hospitals}
        rows_by_file = {name: rows for name, _, rows in tables}
        written += write_workbooks(folder / WORKBOOKS_FOLDER, summary, names, rows_by_file)
    if parquet:
        written += write_bi(folder / BI_FOLDER, scenario, summary[PLAN_ID], tables)
    write_json(folder / SUMMARY, summary)
    written.append(folder / SUMMARY)
    # The machine CSV files are always plain; csv-sv/'s copies have the same columns in Swedish.
    package = f"leveransplan-plan-{summary[PLAN_ID]}"
    written.append(write_data_package(folder, package, [t[:2] for t in tables], summary))
    return written


def made_from(
    scenario_dir: Path,
    parameters: Mapping[str, Any],
    replan_sha256: Mapping[str, str] | None,
    previous_manifest: Mapping[str, str] | None,
) -> dict[str, Any]:
    """What a plan is made from, as its id counts it: the scenario files by their digests, the
    run's settings, and a re-plan's previous plan and actuals by their digests. Folder and file
    names are left out, so the same run from another folder or into another gives the same id."""
    actuals = parameters.get("actuals")
    return {
        "inputs_sha256": input_digests(scenario_dir),
        "parameters": {k: v for k, v in parameters.items() if k not in ("previous_plan", "actuals")},
        "decided_until": actuals.get("decided_until") if isinstance(actuals, dict) else None,
        "replan_sha256": dict(replan_sha256 or {}),
        "previous_manifest_sha256": (previous_manifest or {}).get("manifest_sha256"),
    }


def publish_plan(
    out: PlanTarget | Path,
    scenario_dir: Path,
    scenario: Scenario,
    plan: ScenarioPlan,
    parameters: dict[str, Any],
    previous_plan: str | None = None,
    overwrite: bool = False,
    excel: bool = False,
    report: bool = False,
    parquet: bool = False,
    progress: list[dict[str, Any]] | None = None,
    replan_sha256: dict[str, str] | None = None,
    previous_manifest: dict[str, str] | None = None,
    swedish_csv: bool = False,
) -> Path:
    """Write, check and then rename into place; on any failure nothing is left behind. Returns
    the folder written (with a default name, the first free one).

    `out`: a target from `plan_target` (a bare path is made one here, with `overwrite`).
    `excel`: the workbooks in workbooks/; `swedish_csv`: the CSV files' Swedish Excel copies in
    csv-sv/; `report`: report.html; `parquet`: the bi/ folder of Parquet tables; `progress`: each
    stage's objective and bound over time, kept in manifest.json;
    `replan_sha256`: digests of the previous plan's decision files and the actuals file, as read;
    `previous_manifest`: the previous plan's folder and its manifest.json's digest.
    Raises OutputRefused, TargetTaken (the target appeared or changed meanwhile), PlanCheckFailed.
    """
    protected = {"the scenario folder": scenario_dir}
    target = out if isinstance(out, PlanTarget) else plan_target(out, out, overwrite, protected)
    with Staging(target.path) as staging:
        assert staging.path is not None
        folder = staging.path
        origin = made_from(scenario_dir, parameters, replan_sha256, previous_manifest)
        written = write_plan(folder, scenario, plan, previous_plan, excel, parquet, origin, swedish_csv)
        previous, freeze = parameters.get("previous_plan"), parameters.get("freeze_until")
        frozen = (Path(previous), freeze) if previous and freeze else None
        problems = check_plan(scenario, folder, frozen)
        if problems:
            raise PlanCheckFailed(problems)
        plan_id = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))[PLAN_ID]
        record = build_manifest(
            scenario_dir, scenario, parameters, written, replan_sha256, previous_manifest, plan_id
        )
        record["progress"] = progress or []
        write_json(folder / MANIFEST, record)

        def name_the_folder(final: Path) -> None:
            # The report shows the manifest's audit trail and the folder's final name; the
            # manifest then records the report's digest.
            write_report(folder, folder / REPORT, progress, shown_folder=final, scenario=scenario)
            record["outputs_sha256"][REPORT] = sha256_of(folder / REPORT)
            write_json(folder / MANIFEST, record)

        return staging.publish(target.seen, target.free_name, name_the_folder if report else None)
