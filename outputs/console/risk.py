"""What `leveransplan risk` shows on the terminal: each hospital's and the region's risk, and the
months where it concentrates."""

from __future__ import annotations

from rich.table import Table

from leveransplan.models.language import _
from leveransplan.models.months import Horizon
from leveransplan.models.numbers import grouped, percent
from leveransplan.models.risk import REGION, RiskSummary
from leveransplan.outputs.console.common import out_console


def print_risk(summary: RiskSummary, horizon: Horizon) -> None:
    title = _("Patient-months beyond the guarantee in {samples} futures").format(
        samples=grouped(summary.samples)
    )
    table = Table(title=title, title_justify="left")
    table.add_column(_("hospital"), no_wrap=True, min_width=8)
    # Each figure on one line: the table fits 80 columns (each hospital's month most at risk is in
    # the report; the region's are said below the table).
    for column in (_("planned"), _("mean"), "P50", "P90", "P99"):
        table.add_column(column, justify="right", no_wrap=True, min_width=7)
    table.add_column(_("end worse than planned"), justify="right", min_width=7)
    for area in summary.areas:
        table.add_row(
            _("the region") if area.area == REGION else area.area,
            grouped(area.planned),
            grouped(round(area.mean)),
            grouped(area.p50),
            grouped(area.p90),
            grouped(area.p99),
            percent(area.chance_end_above_plan),
            end_section=area.area != REGION
            and summary.areas[-1].area == REGION
            and area is summary.areas[-2],
        )
    out_console.print(table)
    worst = summary.concentrated()
    if worst:
        out_console.print(
            _("The risk concentrates in {months}.").format(
                months=", ".join(
                    _("{month} ({excess} more on average)").format(
                        month=horizon.label(r.month), excess=grouped(round(r.excess))
                    )
                    for r in worst
                )
            )
        )
    out_console.print(
        _(
            "end worse than planned: the share of futures in which the year ends with more patients "
            "beyond the guarantee than the plan has."
        )
    )
