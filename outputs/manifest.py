"""manifest.json, a plan's audit trail: what went in, with which tool and settings, and what came out.

It lists every file the run wrote with its SHA-256 (`outputs_sha256`; those of a plan's sub-folders,
bi/, workbooks/ and csv-sv/, as `FOLDER/NAME`), so a plan folder can be told from any other folder, and a
file edited or added after the run can be told from the plan's own: `check` verifies these digests,
`solve --overwrite` replaces only a folder whose files are all the plan's own and unchanged, and
`solve --previous` and `diff` refuse a plan whose files are not as written. A re-plan also records
the digests of what it was made from besides the scenario (`replan_sha256`: the previous plan's
decision files and the actuals file), so that a later check can tell whether those are still the
same, and names its previous plan with the SHA-256 of that plan's manifest.json (`previous_plan`):
plans made from one another form a chain that `history` follows and verifies.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from leveransplan.inputs.schemas import ALL_TABLES
from leveransplan.inputs.tables import read_file
from leveransplan.models.language import _
from leveransplan.models.scenario import Scenario

MANIFEST = "manifest.json"
SUMMARY = "summary.json"
# The sub-folders a plan may have, one level deep: bi/ (solve --parquet), workbooks/ (--excel) and
# csv-sv/ (--swedish-csv). Their files are listed as "FOLDER/NAME".
BI_FOLDER = "bi"
WORKBOOKS_FOLDER = "workbooks"
SWEDISH_CSV_FOLDER = "csv-sv"
SUB_FOLDERS = (BI_FOLDER, WORKBOOKS_FOLDER, SWEDISH_CSV_FOLDER)
PLAN_ID = "plan_id"
# Every file `solve` can write into a plan folder (summary.json and manifest.json included).
VOLUME_FILES = (
    "delivery_plan.csv",
    "production_plan.csv",
    "volume_table.csv",
    "contract_usage.csv",
    "procurement.csv",  # only with candidate contracts
)
AT_FILES = ("at_distribution.csv",)
PLACEMENT_FILES = (
    "placements.csv",
    "unplaced.csv",
    "places_table.csv",
    "places_proposal.csv",  # only with --propose-places
)
MODEL_FILES = {"volumes": VOLUME_FILES, "at": AT_FILES, "placements": PLACEMENT_FILES}
PLAN_FILES = (
    *VOLUME_FILES,
    *AT_FILES,
    *PLACEMENT_FILES,
    "delivery_plan.xlsx",  # written by --excel before the workbooks/ folder; still checked
    "report.html",
    SUMMARY,
    "datapackage.json",  # the data dictionary (outputs/data_dictionary.py)
    MANIFEST,
)


# The files of a plan that hold its decisions: what a re-plan reads of its previous plan.
DECISION_FILES = ("production_plan.csv", "delivery_plan.csv", "placements.csv")
PREVIOUS_PLAN_KEY = "previous_plan/"
ACTUALS_KEY = "actuals"
# manifest.json's link to the previous plan: {"folder": ..., "manifest_sha256": ...}.
PREVIOUS_PLAN = "previous_plan"


class ManifestUnreadable(Exception):
    """A folder's manifest.json is missing or not one the tool writes; the message says which."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def input_digests(scenario_dir: Path) -> dict[str, str]:
    """SHA-256 of each scenario file the tool reads (README and notes files are not inputs); a
    file that cannot be read now is recorded as such."""
    digests: dict[str, str] = {}
    for name in sorted(["scenario.toml", *(schema.file for schema in ALL_TABLES)]):
        path = scenario_dir / name
        if not path.is_file():
            continue
        try:
            digests[name] = sha256_of(path)
        except OSError as error:
            # Recorded in manifest.json, a machine file: the same words whatever the language.
            digests[name] = f"cannot be read now ({error.strerror or error})"
    return digests


def output_name(path: Path) -> str:
    """The name a written file is listed under in outputs_sha256: NAME, or FOLDER/NAME inside a sub-folder."""
    return f"{path.parent.name}/{path.name}" if path.parent.name in SUB_FOLDERS else path.name


def _listable(name: object) -> bool:
    """A name outputs_sha256 may hold: a plain file name, or one inside a sub-folder (never a way out)."""
    if not isinstance(name, str) or "\\" in name:
        return False
    parts = name.split("/")
    if len(parts) == 2 and parts[0] in SUB_FOLDERS:
        parts = parts[1:]
    return len(parts) == 1 and parts[0] not in ("", ".", "..")


def build_manifest(
    scenario_dir: Path,
    scenario: Scenario,
    parameters: dict[str, Any],
    written: list[Path],
    replan_sha256: dict[str, str] | None = None,
    previous_manifest: dict[str, str] | None = None,
    plan: str | None = None,
) -> dict[str, Any]:
    """The audit trail of one run that wrote the files `written` (`previous_manifest`: the
    previous plan's folder and the SHA-256 of its manifest.json, previous_plan_record; `plan`:
    the plan's id, as summary.json and the bi/ tables carry it)."""
    record: dict[str, Any] = {
        **({} if plan is None else {PLAN_ID: plan}),
        "scenario": scenario.name,
        "scenario_folder": str(scenario_dir.resolve()),
        "inputs_sha256": input_digests(scenario_dir),
        "tool": {
            "leveransplan": _version("leveransplan"),
            "ortools": _version("ortools"),
            "python": platform.python_version(),
        },
        "parameters": parameters,
        "command_line": sys.argv,
        "time_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "outputs_sha256": {output_name(p): sha256_of(p) for p in written},
    }
    if replan_sha256:
        record["replan_sha256"] = replan_sha256
    if previous_manifest:
        record[PREVIOUS_PLAN] = previous_manifest
    return record


def previous_plan_record(previous_plan: Path) -> dict[str, str]:
    """The link of a re-plan to its previous plan: the folder (absolute) and the SHA-256 of its
    manifest.json, which lists the digest of every file of that plan; `history` follows it."""
    return {"folder": str(previous_plan.resolve()), "manifest_sha256": sha256_of(previous_plan / MANIFEST)}


def replan_digests(previous_plan: Path | None, actuals: Path | None) -> dict[str, str]:
    """The digests a re-plan records of its previous plan's decision files and its actuals file."""
    digests = {}
    if previous_plan is not None:
        for name in DECISION_FILES:
            if (previous_plan / name).is_file():
                digests[PREVIOUS_PLAN_KEY + name] = sha256_of(previous_plan / name)
    if actuals is not None:
        digests[ACTUALS_KEY] = sha256_of(actuals)
    return digests


def json_text(content: dict[str, Any]) -> str:
    """A JSON file's text as the tool writes it (its SHA-256 is what manifests record)."""
    return json.dumps(content, indent=2, ensure_ascii=False) + "\n"


def write_json(path: Path, content: dict[str, Any]) -> None:
    path.write_text(json_text(content), encoding="utf-8")


def record_output(plan_dir: Path, written: Path) -> None:
    """List a file written into a plan folder after the plan (its report) in manifest.json, so
    that the folder still holds only the plan's own files. A folder without a manifest is left
    as it is."""
    try:
        manifest = read_manifest(plan_dir)
    except ManifestUnreadable:
        return
    manifest["outputs_sha256"][written.name] = sha256_of(written)
    partial = plan_dir / f".{MANIFEST}.{os.getpid()}.partial"
    try:
        write_json(partial, manifest)
        os.replace(partial, plan_dir / MANIFEST)
    finally:
        partial.unlink(missing_ok=True)


def read_manifest(plan_dir: Path) -> dict[str, Any]:
    """The plan's manifest.json with its `outputs_sha256`; ManifestUnreadable says what is wrong."""
    path = plan_dir / MANIFEST
    if not path.is_file():
        raise ManifestUnreadable(
            _("{path} is missing: the folder is not a plan written by leveransplan solve").format(path=path)
        )
    try:
        document = json.loads(read_file(path).decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ManifestUnreadable(
            _("{path} cannot be read as JSON ({error})").format(path=path, error=error)
        ) from None
    outputs = document.get("outputs_sha256") if isinstance(document, dict) else None
    if not isinstance(outputs, dict) or not all(
        _listable(name) and isinstance(digest, str) for name, digest in outputs.items()
    ):
        raise ManifestUnreadable(
            _(
                "{path}: outputs_sha256 is not what leveransplan writes (an object of file names and "
                "SHA-256 digests); was the file edited?"
            ).format(path=path)
        )
    return document


def changed_outputs(plan_dir: Path, manifest: dict[str, Any]) -> list[str]:
    """Each file the manifest lists that is missing or differs from what was written, and each
    plan file in the folder that the manifest does not list, in words (empty: as written)."""
    listed: dict[str, str] = manifest["outputs_sha256"]
    problems = []
    for name, digest in sorted(listed.items()):
        path = plan_dir / name
        if not path.is_file():
            problems.append(
                _("{name} is listed in {file} but missing from the plan folder").format(
                    name=name, file=MANIFEST
                )
            )
            continue
        try:
            now = sha256_of(path)
        except OSError as error:
            problems.append(
                _("{name} cannot be read ({value})").format(name=name, value=error.strerror or error)
            )
            continue
        if now != digest:
            problems.append(
                _("{name} has changed since the plan was written (its SHA-256 differs from {file})").format(
                    name=name, file=MANIFEST
                )
            )
    unlisted = [name for name in PLAN_FILES if name != MANIFEST and (plan_dir / name).exists()]
    for folder in SUB_FOLDERS:
        if (plan_dir / folder).is_dir():
            unlisted += [f"{folder}/{entry.name}" for entry in sorted((plan_dir / folder).iterdir())]
    for name in unlisted:
        if name not in listed:
            problems.append(
                _("{name} was not written with the plan ({file} does not list it)").format(
                    name=name, file=MANIFEST
                )
            )
    return problems


def foreign_entries(plan_dir: Path, manifest: dict[str, Any]) -> list[str]:
    """The files and folders in `plan_dir` that are not the plan's own as written: what replacing
    the folder would destroy."""
    listed: dict[str, str] = manifest["outputs_sha256"]
    foreign = []
    entries = [(entry.name, entry) for entry in sorted(plan_dir.iterdir())]
    for folder in SUB_FOLDERS:
        sub = plan_dir / folder
        if any(name.startswith(f"{folder}/") for name in listed) and sub.is_dir() and not sub.is_symlink():
            entries.remove((folder, sub))
            entries += [(f"{folder}/{entry.name}", entry) for entry in sorted(sub.iterdir())]
    for name, entry in entries:
        if name == MANIFEST:
            continue
        if entry.is_dir() and not entry.is_symlink():
            foreign.append(_("{name}/ (a folder the plan did not write)").format(name=name))
        elif name not in listed or not entry.is_file() or entry.is_symlink():
            foreign.append(_("{name} (a file the plan did not write)").format(name=name))
        elif sha256_of(entry) != listed[name]:
            foreign.append(_("{name} (changed since the plan wrote it)").format(name=name))
    return foreign
