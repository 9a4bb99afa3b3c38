"""What the commands print on the terminal: results on stdout, notes and refusals on stderr.

Both consoles soft-wrap: a message keeps a whole path on one line, and tables still fit the width.
Every text they print has its control characters escaped (outputs.terminal).
"""

from __future__ import annotations

import errno
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.table import Table

from leveransplan.models.derived import VolumeData
from leveransplan.models.numbers import grouped
from leveransplan.models.plan import StageResult
from leveransplan.models.scenario import Scenario
from leveransplan.outputs.manifest import SUMMARY
from leveransplan.outputs.terminal import SafeConsole

out_console = SafeConsole(soft_wrap=True)
err_console = SafeConsole(stderr=True, soft_wrap=True)

# A list of problems longer than this is cut, with the number left out: files of a million bad
# rows must not flood the terminal (each file lists its first 100 problems and counts the rest,
# inputs.tables, so one file's list is always shown whole).
SHOWN_PROBLEMS = 200

# Why an output could not be written, in plain words, by the error's errno.
_CANNOT_WRITE = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission denied: is the folder or a file in it open in another program, e.g. Excel?",
    errno.EPERM: "permission denied: is the folder or a file in it open in another program, e.g. Excel?",
    errno.EROFS: "the disk is read-only",
    errno.ENOTEMPTY: "a folder of that name appeared meanwhile",
    errno.EEXIST: "a file or folder of that name is in the way",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
}


def print_version(version: str) -> None:
    out_console.print(f"leveransplan {version}", markup=False, highlight=False)


def print_problems(problems: Sequence[object]) -> None:
    """Each problem on a line of its own, at most SHOWN_PROBLEMS of them, then how many more."""
    for problem in problems[:SHOWN_PROBLEMS]:
        err_console.print(f"  {problem}", markup=False, highlight=False)
    if len(problems) > SHOWN_PROBLEMS:
        err_console.print(f"  ... and {len(problems) - SHOWN_PROBLEMS} more not shown here.")


def print_refusal(title: str, problems: Sequence[object]) -> None:
    """A title and every problem, then that nothing was written."""
    err_console.print(title)
    print_problems(problems)
    err_console.print("Nothing was written.")


def print_cannot_write(target: Path, error: OSError) -> None:
    """Why `target` could not be written, in plain words; nothing was left behind."""
    why = _CANNOT_WRITE.get(error.errno or 0, error.strerror or str(error))
    err_console.print(f"Cannot write {target}: {why}. Nothing was written.", markup=False, highlight=False)


def print_notes(notes: Sequence[str]) -> None:
    """How input files were read (for example as cp1252), on stderr."""
    for note in notes:
        err_console.print(f"Note: {note}", markup=False, highlight=False)


def print_json(document: dict[str, Any]) -> None:
    """A document on stdout as JSON, for scripts (--json): plain print, no console markup."""
    print(json.dumps(document, ensure_ascii=False, indent=2))


def print_summary_json(key: str, folder: Path) -> None:
    """The folder's summary.json on stdout as JSON, with the folder under `key` first (--json)."""
    summary = json.loads((folder / SUMMARY).read_text(encoding="utf-8"))
    print(json.dumps({key: str(folder), **summary}, ensure_ascii=False, indent=2))


def print_stages(title: str, stages: list[StageResult]) -> None:
    """Each stage of a lexicographic solve: its objective's value, proven bound, status and time."""
    table = Table(title=title, title_justify="left")
    for column in ("objective", "value", "bound", "status", "seconds"):
        table.add_column(column, justify="left" if column in ("objective", "status") else "right")
    for stage in stages:
        table.add_row(
            stage.objective, grouped(stage.value), grouped(stage.bound), stage.status, f"{stage.seconds:.2f}"
        )
    out_console.print(table)


def print_conflict(status: str, rules: list[str] | None, proven_minimal: bool) -> None:
    """The rules in conflict, as a separate feasibility solve found them (`rules` None: it could
    not name them in time; status FEASIBLE: it found a plan after all)."""
    if status == "FEASIBLE":
        err_console.print(
            "A separate feasibility solve found a plan that obeys every rule, so this verdict is the "
            "solver's error, not the scenario's: please report it with the scenario and the command."
        )
        return
    if rules is None:
        err_console.print("A separate feasibility solve could not name the conflicting rules in time.")
        return
    minimal = "; each one is needed for the conflict" if proven_minimal else ""
    if len(rules) == 1:
        err_console.print("This rule cannot hold by itself:")
    else:
        err_console.print(f"These {len(rules)} rules cannot all hold{minimal}:")
    for rule in rules:
        err_console.print(f"  - {rule}", markup=False, highlight=False)


def print_valid(folder: Path, scenario: Scenario) -> None:
    """That the scenario is valid, and what it holds for each model."""
    parts = [f"{len(scenario.hospitals)} hospitals"]
    if scenario.has_volumes:
        data = VolumeData.from_scenario(scenario)
        candidates = sum(1 for c in scenario.contracts if c.candidate)
        offered = f", {candidates} candidate contracts" if candidates else ""
        catch_up = f", {len(data.catch_up)} catch-up capacities" if data.catch_up else ""
        contracts = len(data.contracts) - candidates - len(data.catch_up)
        parts.append(
            f"volumes: {len(data.categories)} categories, {contracts} contracts"
            f"{offered}{catch_up}, {scenario.months} months from {scenario.start}"
        )
    if scenario.has_at:
        parts.append(f"AT: {scenario.at_total} positions over {len(scenario.at)} hospitals")
    if scenario.has_placements:
        parts.append(
            f"ST-A: {len(scenario.st_trainees)} trainees, {len(scenario.st_requirements)} requirements, "
            f"{len(scenario.st_fixed)} fixed, "
            f"{scenario.placement_horizon.length} months from {scenario.start}"
        )
    out_console.print(f"{folder}: valid. " + "; ".join(parts) + ".")


def print_violations(problems: Sequence[object]) -> None:
    """What the plan checker found wrong with a written plan."""
    err_console.print(f"[bold red]{len(problems)} violation(s):[/]")
    print_problems(problems)


def print_checked(plan_dir: Path, models: Sequence[str]) -> None:
    """That every rule holds for the plan's models."""
    checked = ", ".join(models)
    out_console.print(f"{plan_dir}: every rule holds and every objective matches summary.json ({checked}).")
