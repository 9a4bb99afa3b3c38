"""The report of `leveransplan risk`: how likely a plan is to break the care guarantee, with a fan
chart per hospital (patients beyond the guarantee month by month: the band where 8 futures in 10
fall, the median, and the plan's own figure)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from leveransplan.models.language import _
from leveransplan.models.months import Horizon
from leveransplan.models.numbers import percent
from leveransplan.models.risk import REGION, MonthRisk, RiskSummary
from leveransplan.outputs.report.charts import BLUE, DARK, GREY, LIGHT_BLUE, Charts, count_axis
from leveransplan.outputs.report.html import (
    cards_html,
    element,
    escaped,
    html_document,
    html_table,
    number_text,
)


def area_name(area: str) -> str:
    """A hospital's code, or the region in the reader's language."""
    return _("the region") if area == REGION else area


def _fan_chart(summary: RiskSummary, horizon: Horizon) -> Callable[[Figure], None]:
    areas = [a.area for a in summary.areas]

    def draw(figure: Figure) -> None:
        columns = 3
        rows = math.ceil(len(areas) / columns)
        axes = figure.subplots(rows, columns, squeeze=False)
        for index, ax in enumerate(axes.flat):
            if index >= len(areas):
                ax.set_visible(False)
                continue
            months: list[MonthRisk] = [r for r in summary.months if r.area == areas[index]]
            x = np.arange(1, len(months) + 1)
            ax.fill_between(
                x, [r.p10 for r in months], [r.p90 for r in months], color=LIGHT_BLUE, alpha=0.5, linewidth=0
            )
            ax.plot(x, [r.p50 for r in months], color=BLUE, linewidth=1.6)
            ax.plot(x, [r.planned for r in months], color=DARK, linestyle="--", linewidth=1.2)
            ax.set_title(area_name(areas[index]), fontsize=9)
            ax.set_xticks(x[::3], [horizon.label(int(m))[2:] for m in x[::3]], fontsize=7)
            ax.set_ylim(bottom=0)
            count_axis(ax.yaxis)
            ax.tick_params(axis="y", labelsize=7)
            ax.grid(True, color=GREY, linewidth=0.4)
        handles = [
            Patch(color=LIGHT_BLUE, alpha=0.5, label=_("8 futures in 10 (P10–P90)")),
            Line2D([], [], color=BLUE, label=_("median future")),
            Line2D([], [], color=DARK, linestyle="--", label=_("the plan at forecast inflow")),
        ]
        figure.legend(handles=handles, loc="outside upper center", ncol=3, fontsize=8)
        figure.supylabel(_("patients beyond the guarantee at the month's end"), fontsize=8)

    return draw


def render_risk_report(summary: RiskSummary, horizon: Horizon, plan: str, scenario: str, seed: int) -> str:
    """The whole page."""
    title = _("Risk of breaching the care guarantee: {scenario}").format(scenario=scenario)
    region = summary.area(REGION)
    lead = _(
        "The plan {plan} played through {samples} sampled futures (seed {seed}): the same production and "
        "referrals, with inflow, each hospital's production and each provider's deliveries as they may "
        "turn out (uncertainty.csv, or the defaults in docs/risk.md)."
    ).format(plan=plan, samples=number_text(summary.samples), seed=seed)
    cards = [
        (_("patient-months beyond the guarantee in the plan"), number_text(region.planned)),
        (_("on average in the futures"), number_text(round(region.mean))),
        (_("in 9 futures in 10 at most (P90)"), number_text(region.p90)),
        (
            _("chance that the year ends with more beyond the guarantee than planned"),
            percent(region.chance_end_above_plan),
        ),
    ]
    header = f'<header><h1>{escaped(title)}</h1><p class="lead">{escaped(lead)}</p></header>' + cards_html(
        cards
    )
    table = html_table(
        [
            _("hospital"),
            _("planned"),
            _("mean"),
            "P50",
            "P90",
            "P99",
            _("beyond at the end, planned"),
            _("chance the end is worse"),
            _("most at risk"),
        ],
        [
            [
                area_name(a.area),
                a.planned,
                round(a.mean),
                a.p50,
                a.p90,
                a.p99,
                a.planned_end,
                percent(a.chance_end_above_plan),
                ", ".join(horizon.label(r.month) for r in summary.concentrated(a.area, 1)) or "–",
            ]
            for a in summary.areas
        ],
        numeric=[False, True, True, True, True, True, True, True, False],
    )
    worst = summary.concentrated()
    if worst:
        where = _(
            "The risk concentrates in {months}: there the futures leave most patients beyond the plan."
        ).format(
            months=", ".join(
                _("{month} ({excess} more on average)").format(
                    month=horizon.label(r.month), excess=number_text(round(r.excess))
                )
                for r in worst
            )
        )
    else:
        where = _("No month leaves more patients beyond the guarantee than planned on average.")
    charts = Charts()
    figure = charts.svg((8.0, 5.2), _fan_chart(summary, horizon), _("Fan chart per hospital"))
    sections = [
        header,
        f'<section id="areas"><h2>{escaped(_("Patient-months beyond the guarantee over the year"))}</h2>'
        f"{table}{element('p', where)}</section>",
        f'<section id="fan"><h2>{escaped(_("Month by month"))}</h2>{figure}</section>',
        f'<section id="money"><h2>{escaped(_("Money"))}</h2>'
        + element(
            "p",
            _(
                "The plan costs {planned} SEK at forecast inflow; in the futures the region pays {mean} SEK "
                "on average for the units actually made (P90 {p90} SEK)."
            ).format(
                planned=number_text(summary.paid_planned),
                mean=number_text(round(summary.paid_mean)),
                p90=number_text(summary.paid_p90),
            ),
        )
        + "</section>",
    ]
    footer = _("Written by {command}. Every figure is also in risk_summary.csv and risk_months.csv.").format(
        command="<code>leveransplan risk</code>"
    )
    return html_document(title, sections, footer)
