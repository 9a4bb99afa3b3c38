"""What `history` prints: the chain of plans, newest first, and where it is broken."""

from __future__ import annotations

from leveransplan.models.language import _
from leveransplan.outputs.chain import AS_RECORDED, FIRST, REPORT_ADDED, PlanLink
from leveransplan.outputs.console.common import err_console, out_console


def print_history(chain: list[PlanLink]) -> None:
    """Each plan on a line of its own (folder, when made, round, frozen months, scenario) and its
    link to the previous plan under it; a broken link is named on stderr as well."""
    out_console.print(
        _("The chain of plans from {folder}, newest first:").format(folder=chain[0].folder), markup=False
    )
    for number, link in enumerate(chain, start=1):
        frozen = (
            _("frozen up to {month}").format(month=link.frozen_until)
            if link.frozen_until
            else _("nothing frozen")
        )
        made = (
            _("made {time}").format(time=link.made_utc) if link.made_utc else _("made at an unrecorded time")
        )
        out_console.print(
            f"{number}. {link.folder}: "
            + _("{made}, round {round}, {frozen}, scenario {scenario}").format(
                made=made, round=link.decision_round or "-", frozen=frozen, scenario=link.scenario or "-"
            ),
            markup=False,
        )
        if link.previous_status == FIRST:
            out_console.print("   " + _("the first plan: made from no previous plan"), markup=False)
        elif link.previous_status == AS_RECORDED:
            out_console.print(
                "   "
                + _("previous plan {folder}: as recorded (manifest.json's SHA-256 matches)").format(
                    folder=link.previous_folder
                ),
                markup=False,
            )
        elif link.previous_status == REPORT_ADDED:
            out_console.print(
                "   "
                + _(
                    "previous plan {folder}: as recorded, but for the report.html that `leveransplan report` "
                    "has listed in its manifest.json since"
                ).format(folder=link.previous_folder),
                markup=False,
            )
        else:
            out_console.print("   " + _("BROKEN: {problem}").format(problem=link.problem_text), markup=False)
    broken = [link for link in chain if link.broken]
    for link in broken:
        err_console.print(
            _("The chain is broken at {folder}: {problem}.").format(
                folder=link.folder, problem=link.problem_text
            ),
            markup=False,
        )
