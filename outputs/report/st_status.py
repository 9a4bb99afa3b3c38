"""The report's monthly ST-A status ("månatlig lägesrapport", target 100 %): per home hospital and
month, the share of GP trainees with every side-service placement planned.

It needs the scenario the plan was made from (the trainees' windows and home areas are not in the
plan's files): `solve --report` has it, and `leveransplan report` reads it as followup does. The
figures are outputs/followup_training.py's, the same as followup_st_status.csv's.
"""

from __future__ import annotations

import pandas as pd

from leveransplan.models.language import _
from leveransplan.models.numbers import percent
from leveransplan.models.scenario import Scenario
from leveransplan.outputs.followup_training import TOTAL, st_status
from leveransplan.outputs.report.html import element, escaped, html_table
from leveransplan.outputs.report.plan import Plan, read_rows


def st_status_section(plan: Plan, scenario: Scenario | None) -> str:
    """The status as a hospital x month table of shares, the region's row last; a note when the
    scenario is not at hand."""
    title = _("ST-A status per month (target 100 %)")
    parts = [f'<section id="st-status"><h2>{escaped(title)}</h2>']
    if scenario is None:
        note = _(
            "The status needs the scenario the plan was made from, as it was then; it cannot be read, "
            "so the status is left out here (followup_st_status.csv has it when followup can read it)."
        )
        parts.append(element("p", note, "note"))
        return "".join(parts) + "</section>"
    rows = read_rows(plan.folder / "placements.csv", ("trainee", "specialty"))
    status = st_status(scenario, {(r["trainee"], r["specialty"]) for r in rows})
    lead = _(
        "The share of ST-A trainees in their window (earliest start to deadline) with every "
        "side-service placement planned, at the hospital nearest their home area."
    )
    parts.append(element("p", lead, "note"))
    frame = pd.DataFrame(status, columns=["month", "hospital", "share_pct"])
    shares = frame.pivot_table(index="hospital", columns="month", values="share_pct", aggfunc="first")
    order = [h for h in shares.index if h != TOTAL] + ([TOTAL] if TOTAL in shares.index else [])
    shares = shares.reindex(order)
    header = [_("hospital"), *map(str, shares.columns)]
    body = [
        [
            _("region") if hospital == TOTAL else hospital,
            *("" if pd.isna(v) else percent(v / 100) for v in values),
        ]
        for hospital, values in zip(shares.index, shares.to_numpy(), strict=True)
    ]
    parts.append(html_table(header, body[:-1], [False] + [True] * len(shares.columns), total=body[-1]))
    return "".join(parts) + "</section>"
