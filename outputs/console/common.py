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
from leveransplan.models.language import N_, _, ngettext
from leveransplan.models.numbers import decimals, grouped
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
    errno.ENOSPC: N_("the disk is full"),
    errno.EDQUOT: N_("the disk quota is used up"),
    errno.EACCES: N_("permission denied: is the folder or a file in it open in another program, e.g. Excel?"),
    errno.EPERM: N_("permission denied: is the folder or a file in it open in another program, e.g. Excel?"),
    errno.EROFS: N_("the disk is read-only"),
    errno.ENOTEMPTY: N_("a folder of that name appeared meanwhile"),
    errno.EEXIST: N_("a file or folder of that name is in the way"),
    errno.ENOTDIR: N_("a part of the path is a file, not a folder"),
}


def print_version(version: str) -> None:
    out_console.print(f"leveransplan {version}", markup=False, highlight=False)


def print_problems(problems: Sequence[object]) -> None:
    """Each problem on a line of its own, at most SHOWN_PROBLEMS of them, then how many more."""
    for problem in problems[:SHOWN_PROBLEMS]:
        err_console.print(f"  {problem}", markup=False, highlight=False)
    if len(problems) > SHOWN_PROBLEMS:
        err_console.print(
            _("  ... and {count} more not shown here.").format(count=grouped(len(problems) - SHOWN_PROBLEMS))
        )


def print_refusal(title: str, problems: Sequence[object]) -> None:
    """A title and every problem, then that nothing was written."""
    err_console.print(title)
    print_problems(problems)
    err_console.print(_("Nothing was written."))


def print_cannot_write(target: Path, error: OSError, kept_rows: int = 0) -> None:
    """Why `target` could not be written, in plain words; nothing was left behind, or (a file
    written a row at a time) the `kept_rows` written before."""
    known = _CANNOT_WRITE.get(error.errno or 0)
    # The system's own words for an error not listed are as the system gives them.
    why = _(known) if known is not None else error.strerror or str(error)
    words = (
        ngettext(
            "Cannot write {target}: {why}. The {count} row finished before is in it; add --resume to go on.",
            "Cannot write {target}: {why}. The {count} rows finished before are in it; add --resume "
            "to go on.",
            kept_rows,
        )
        if kept_rows
        else _("Cannot write {target}: {why}. Nothing was written.")
    )
    err_console.print(
        words.format(target=target, why=why, count=grouped(kept_rows)), markup=False, highlight=False
    )


def print_notes(notes: Sequence[str]) -> None:
    """How input files were read (for example as cp1252), on stderr."""
    for note in notes:
        err_console.print(_("Note: {note}").format(note=note), markup=False, highlight=False)


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
    # The objectives and statuses are the names summary.json and the documentation use: not translated.
    for column, left in ((_("objective"), True), (_("value"), False), (_("bound"), False)):
        table.add_column(column, justify="left" if left else "right")
    table.add_column(_("status"), justify="left")
    table.add_column(_("seconds"), justify="right")
    for stage in stages:
        table.add_row(
            stage.objective,
            grouped(stage.value),
            grouped(stage.bound),
            stage.status,
            decimals(stage.seconds, 2),
        )
    out_console.print(table)


def print_conflict(status: str, rules: list[str] | None, proven_minimal: bool) -> None:
    """The rules in conflict, as a separate feasibility solve found them (`rules` None: it could
    not name them in time; status FEASIBLE: it found a plan after all)."""
    if status == "FEASIBLE":
        err_console.print(
            _(
                "A separate feasibility solve found a plan that obeys every rule, so this verdict is the "
                "solver's error, not the scenario's: please report it with the scenario and the command."
            )
        )
        return
    if rules is None:
        err_console.print(_("A separate feasibility solve could not name the conflicting rules in time."))
        return
    if len(rules) == 1:
        err_console.print(_("This rule cannot hold by itself:"))
    elif proven_minimal:
        err_console.print(
            _("These {count} rules cannot all hold; each one is needed for the conflict:").format(
                count=len(rules)
            )
        )
    else:
        err_console.print(_("These {count} rules cannot all hold:").format(count=len(rules)))
    for rule in rules:
        err_console.print(f"  - {rule}", markup=False, highlight=False)


def _counted(text: str, count: int) -> str:
    """A count filled into its singular or plural (`ngettext`'s choice)."""
    return text.format(count=grouped(count))


def print_valid(folder: Path, scenario: Scenario) -> None:
    """That the scenario is valid, and what it holds for each model."""
    count = len(scenario.hospitals)
    parts = [_counted(ngettext("{count} hospital", "{count} hospitals", count), count)]
    if scenario.has_volumes:
        data = VolumeData.from_scenario(scenario)
        candidates = sum(1 for c in scenario.contracts if c.candidate)
        contracts = len(data.contracts) - candidates - len(data.catch_up)
        holds = [
            _counted(
                ngettext("{count} category", "{count} categories", len(data.categories)), len(data.categories)
            ),
            _counted(ngettext("{count} contract", "{count} contracts", contracts), contracts),
        ]
        if candidates:
            holds.append(
                _counted(
                    ngettext("{count} candidate contract", "{count} candidate contracts", candidates),
                    candidates,
                )
            )
        if data.catch_up:
            catch_up = len(data.catch_up)
            holds.append(
                _counted(
                    ngettext("{count} catch-up capacity", "{count} catch-up capacities", catch_up), catch_up
                )
            )
        holds.append(
            _counted(ngettext("{count} month", "{count} months", scenario.months), scenario.months)
            + " "
            + _("from {start}").format(start=scenario.start)
        )
        parts.append(_("volumes: {holds}").format(holds=", ".join(holds)))
    if scenario.has_at:
        positions, hospitals = scenario.at_total or 0, len(scenario.at)
        parts.append(
            _("AT: {positions} over {hospitals}").format(
                positions=_counted(ngettext("{count} position", "{count} positions", positions), positions),
                hospitals=_counted(ngettext("{count} hospital", "{count} hospitals", hospitals), hospitals),
            )
        )
    if scenario.has_placements:
        trainees, requirements = len(scenario.st_trainees), len(scenario.st_requirements)
        months = scenario.placement_horizon.length
        holds = [
            _counted(ngettext("{count} trainee", "{count} trainees", trainees), trainees),
            _counted(ngettext("{count} requirement", "{count} requirements", requirements), requirements),
            _("{count} fixed").format(count=grouped(len(scenario.st_fixed))),
            _counted(ngettext("{count} month", "{count} months", months), months)
            + " "
            + _("from {start}").format(start=scenario.start),
        ]
        parts.append(_("ST-A: {holds}").format(holds=", ".join(holds)))
    out_console.print(_("{folder}: valid. {parts}.").format(folder=folder, parts="; ".join(parts)))


def print_violations(problems: Sequence[object]) -> None:
    """What the plan checker found wrong with a written plan."""
    err_console.print(
        ngettext("[bold red]{count} violation:[/]", "[bold red]{count} violations:[/]", len(problems)).format(
            count=grouped(len(problems))
        )
    )
    print_problems(problems)


def print_checked(plan_dir: Path, models: Sequence[str]) -> None:
    """That every rule holds for the plan's models."""
    checked = ", ".join(models)
    out_console.print(
        _("{plan}: every rule holds and every objective matches summary.json ({models}).").format(
            plan=plan_dir, models=checked
        )
    )
