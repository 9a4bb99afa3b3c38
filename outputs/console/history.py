"""What `history` prints: the chain of plans, newest first, and where it is broken."""

from __future__ import annotations

from leveransplan.outputs.chain import AS_RECORDED, FIRST, REPORT_ADDED, PlanLink
from leveransplan.outputs.console.common import err_console, out_console


def print_history(chain: list[PlanLink]) -> None:
    """Each plan on a line of its own (folder, when made, round, frozen months, scenario) and its
    link to the previous plan under it; a broken link is named on stderr as well."""
    out_console.print(f"The chain of plans from {chain[0].folder}, newest first:", markup=False)
    for number, link in enumerate(chain, start=1):
        frozen = f"frozen up to {link.frozen_until}" if link.frozen_until else "nothing frozen"
        out_console.print(
            f"{number}. {link.folder}: made {link.made_utc or 'at an unrecorded time'}, "
            f"round {link.decision_round or '-'}, {frozen}, scenario {link.scenario or '-'}",
            markup=False,
        )
        if link.previous_status == FIRST:
            out_console.print("   the first plan: made from no previous plan", markup=False)
        elif link.previous_status == AS_RECORDED:
            out_console.print(
                f"   previous plan {link.previous_folder}: as recorded (manifest.json's SHA-256 matches)",
                markup=False,
            )
        elif link.previous_status == REPORT_ADDED:
            out_console.print(
                f"   previous plan {link.previous_folder}: as recorded, but for the report.html "
                "that `leveransplan report` has listed in its manifest.json since",
                markup=False,
            )
        else:
            out_console.print(f"   BROKEN: {link.problem}", markup=False)
    broken = [link for link in chain if link.broken]
    for link in broken:
        err_console.print(f"The chain is broken at {link.folder}: {link.problem}.", markup=False)
