"""report.html of a frontier folder: what money buys, as one self-contained page.

Built from the folder's files alone (frontier.csv, summary.json, manifest.json), with the chart
as inline SVG in the style of the plan's report (outputs/report/page.py), so it opens offline and the
same folder always gives the same page. A frontier made with --deterministic leaves out the run
record (the folder, the time and the command line), so two runs of the same inputs give the same
page.

The chart draws what the points prove between them. Within a budget between two points the plan
of the point to its left is affordable, so no more patient-months than there are needed (the
solid steps); and no plan does better than the bound of the point to its right, which allows more
plans (the dashed steps). The true curve lies in the band between.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from leveransplan.models.frontier import budget_words
from leveransplan.models.language import N_, _
from leveransplan.outputs.report.charts import (
    BLUE,
    DARK,
    GREY,
    LIGHT_BLUE,
    ORANGE,
    Charts,
    count_axis,
    thousands_axis,
)
from leveransplan.outputs.report.html import (
    cards_html,
    escaped,
    figure_text,
    html_document,
    html_table,
    number_text,
    sek_axis,
)
from leveransplan.outputs.report.plan import ReportUnreadable, cell_int, read_json, read_rows, recorded_value

FRONTIER_CSV = "frontier.csv"
_COLUMNS = ("budget_sek", "over_guarantee", "bound", "status", "gap", "seconds", "cost_sek", "marks")
_MARK_WORDS = {
    "least_cost": N_("least cost (take-or-pay minimums)"),
    "unconstrained_optimum": N_("unconstrained optimum"),
    "scenario_budget": N_("the scenario's budget"),
}
DETERMINISTIC_RUN = N_(
    "Solved with --deterministic: the folder, the time and the command line differ from run to run, "
    "so this page leaves them out (manifest.json keeps them) and the same inputs give the same page."
)


def is_frontier_folder(folder: Path) -> bool:
    """Whether `folder` holds a frontier (written by `leveransplan frontier`) rather than a plan."""
    return (folder / FRONTIER_CSV).is_file()


@dataclass(frozen=True)
class _Point:
    budget: int
    value: int
    bound: int
    status: str
    gap: str
    seconds: str
    cost: int
    per_msek: str
    marks: tuple[str, ...]


def _points(folder: Path) -> list[_Point]:
    path = folder / FRONTIER_CSV
    points = [
        _Point(
            budget=cell_int(r, "budget_sek", path),
            value=cell_int(r, "over_guarantee", path),
            bound=cell_int(r, "bound", path),
            status=r["status"],
            gap=r["gap"],
            seconds=r["seconds"],
            cost=cell_int(r, "cost_sek", path),
            per_msek=r.get("removed_per_msek", ""),
            marks=tuple(r["marks"].split()),
        )
        for r in read_rows(path, _COLUMNS)
    ]
    if not points:
        raise ReportUnreadable(_("{path} has no points").format(path=path))
    return sorted(points, key=lambda p: p.budget)


def render_frontier_report(folder: Path, shown_folder: Path | None = None) -> str:
    """The report of the frontier in `folder` as one HTML document (`shown_folder`: the folder's
    name on the page while the files are still in a staging folder)."""
    if not folder.is_dir():
        raise ReportUnreadable(_("{folder}: no such folder").format(folder=folder))
    summary = read_json(folder / "summary.json") if (folder / "summary.json").is_file() else None
    frontier = summary.get("frontier") if isinstance(summary, dict) else None
    if not isinstance(frontier, dict):
        raise ReportUnreadable(
            _('{path} is missing or has no object "frontier"').format(path=folder / "summary.json")
        )
    manifest = read_json(folder / "manifest.json") if (folder / "manifest.json").is_file() else None
    points = _points(folder)
    scenario = str(summary.get("scenario") or _("(unnamed scenario)")) if isinstance(summary, dict) else ""
    charts = Charts()
    title = _("What money buys: {scenario}").format(scenario=scenario)
    sections = [
        _header(folder, shown_folder, title, manifest),
        _curve_section(points, frontier, charts),
    ]
    footer = _(
        "Written by {command} from the files in the frontier folder. Every figure is also in "
        "frontier.csv and summary.json."
    ).format(command="<code>leveransplan report</code>")
    return html_document(title, sections, footer)


def write_frontier_report(folder: Path, target: Path, shown_folder: Path | None = None) -> None:
    """Write the report of the frontier in `folder` to `target` (see `render_frontier_report`)."""
    document = render_frontier_report(Path(folder), shown_folder)
    try:
        Path(target).write_text(document, encoding="utf-8")
    except OSError as error:
        raise ReportUnreadable(
            _("{path} cannot be written ({error})").format(path=target, error=error)
        ) from None


def _header(folder: Path, shown_folder: Path | None, title: str, manifest: Any) -> str:
    deterministic = recorded_value(manifest, bool, "parameters", "solver", "deterministic") is True
    rows: list[tuple[str, str]] = []
    if not deterministic:
        rows.append((_("Frontier folder"), str((shown_folder or folder).resolve())))
    if manifest is None:
        rows.append((_("Manifest"), _("manifest.json is missing: no audit trail for this frontier")))
    else:
        value = recorded_value(manifest, str, "scenario_folder")
        if value is not None:
            rows.append((_("Scenario folder"), value))
        if not deterministic:
            time = (
                (recorded_value(manifest, str, "time_utc") or "").replace("T", " ").replace("+00:00", " UTC")
            )
            rows.append((_("Made"), time or "–"))
        tool = recorded_value(manifest, dict, "tool")
        if tool:
            rows.append((_("Tool"), ", ".join(f"{k} {v}" for k, v in tool.items())))
        limit = recorded_value(manifest, float, "parameters", "solver", "time_limit_s")
        if limit is not None:
            words = (
                _("{limit} deterministic time, the whole frontier")
                if deterministic
                else _("{limit} seconds, the whole frontier")
            )
            rows.append((_("Time limit"), words.format(limit=number_text(limit, 1))))
        command = recorded_value(manifest, list, "command_line")
        if command is not None and not deterministic:
            rows.append((_("Command line"), " ".join(str(c) for c in command)))
        if deterministic:
            rows.append((_("Run record"), _(DETERMINISTIC_RUN)))
    meta = "".join(f"<tr><th>{escaped(k)}</th><td>{escaped(v)}</td></tr>" for k, v in rows)
    lead = _(
        "The fewest patient-months beyond the care guarantee that a volume plan can reach within each "
        "budget, from the take-or-pay minimums that every plan pays to the cost of the plan that leaves "
        "the fewest, where more money buys nothing."
    )
    return (
        f'<header><h1>{escaped(title)}</h1><p class="lead">{escaped(lead)}</p>'
        f'<table class="meta">{meta}</table></header>'
    )


def _curve_section(points: list[_Point], frontier: dict[str, Any], charts: Charts) -> str:
    first, last = points[0], points[-1]
    own = frontier.get("scenario_budget_sek")
    own = own if isinstance(own, int) and not isinstance(own, bool) else None
    there = _("patient-months beyond the guarantee there")
    cards = [
        (_("least cost (take-or-pay minimums), SEK"), number_text(first.budget)),
        (there, number_text(first.value)),
        (_("cost of the unconstrained optimum, SEK"), number_text(last.budget)),
        (there, number_text(last.value)),
    ]
    if own is not None:
        cards.append((_("the scenario's budget, SEK"), number_text(own)))
    heading = _("Patient-months beyond the guarantee against the budget")
    parts = [f'<section id="frontier"><h2>{escaped(heading)}</h2>']
    parts.append(cards_html(cards))
    # Said again from the figures, so it reads in the reader's language (the file keeps the English).
    found = budget_words(own, first.budget, last.budget)
    words = "" if found is None else found.shown()
    if words:
        parts.append(f'<p class="note">{escaped(words[0].upper() + words[1:])}.</p>')
    note = _(
        "Each point is the best plan found within its budget (solid) and the bound the solver proved: "
        "no plan within that budget leaves fewer patient-months beyond the guarantee (dashed). Between "
        "two points the true curve lies in the shaded band: the plan of the point to the left is "
        "affordable, and no plan beats the bound of the point to the right. Where the curve is flat, "
        "more money buys nothing; where it falls steeply, money buys the most."
    )
    parts.append(f'<p class="note">{escaped(note)}</p>')
    parts.append(charts.svg((8.0, 3.8), _frontier_chart(points, own), _("Frontier")))
    unproven = [p for p in points if p.status != "OPTIMAL"]
    if unproven:
        warning = _(
            "The time limit stopped {stopped} of the {points} points before they were proven best: "
            "their plan and bound differ (the gap). A longer --time-limit, or fewer --points, may close "
            "the gaps."
        ).format(stopped=number_text(len(unproven)), points=number_text(len(points)))
        parts.append(f'<p class="warn">{escaped(warning)}</p>')
    rows = []
    for p in points:
        status = f'<span class="status-{escaped(p.status)}">{escaped(p.status)}</span>'
        marks = "; ".join(_(_MARK_WORDS[m]) if m in _MARK_WORDS else m for m in p.marks)
        per_msek = number_text(float(p.per_msek), 1) if p.per_msek else "–"
        rows.append(
            [
                number_text(p.budget),
                number_text(p.value),
                number_text(p.bound),
                escaped(figure_text(p.gap)),
                status,
                escaped(figure_text(p.seconds)),
                number_text(p.cost),
                per_msek,
                escaped(marks),
            ]
        )
    parts.append(
        html_table(
            [
                _("budget SEK"),
                "over_guarantee",
                _("bound"),
                _("gap %"),
                _("status"),
                _("seconds"),
                _("plan's cost SEK"),
                _("removed per extra MSEK"),
                "",
            ],
            rows,
            numeric=[True, True, True, True, False, True, True, True, False],
            raw=True,
        )
    )
    note = _(
        "<em>over_guarantee</em>: patient-months beyond the care guarantee of the best plan found "
        "within the budget. <em>bound</em>: proven, no plan within the budget does better; <em>gap</em> "
        "= |over_guarantee − bound| / max(1, over_guarantee). OPTIMAL: proven best; FEASIBLE: the time "
        "limit stopped the search first. <em>removed per extra MSEK</em>: patient-months beyond the "
        "guarantee that the money from the budget before removes, per million SEK."
    )
    parts.append(f'<p class="note">{note}</p>')
    parts.append("</section>")
    return "".join(parts)


def _frontier_chart(points: list[_Point], own: int | None) -> Callable[[Figure], None]:
    divisor, unit = sek_axis(max(p.budget for p in points))

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        x = np.array([p.budget / divisor for p in points])
        values = np.array([p.value for p in points], dtype=float)
        bounds = np.array([p.bound for p in points], dtype=float)
        if len(points) > 1:
            # Between x[i] and x[i+1]: at most values[i] (post), at least bounds[i+1] (pre).
            upper = np.repeat(values[:-1], 2)
            lower = np.repeat(bounds[1:], 2)
            edges = np.repeat(x, 2)[1:-1]
            ax.fill_between(edges, lower, upper, color=LIGHT_BLUE, alpha=0.35, linewidth=0)
        ax.step(x, bounds, where="pre", color=ORANGE, linestyle="--", marker="o", markersize=3)
        ax.step(x, values, where="post", color=BLUE, marker="o", markersize=4, zorder=3)
        handles = [
            Line2D(
                [], [], color=BLUE, marker="o", markersize=4, label=_("best plan found within the budget")
            ),
            Line2D([], [], color=ORANGE, linestyle="--", marker="o", markersize=3, label=_("proven bound")),
            Patch(color=LIGHT_BLUE, alpha=0.35, label=_("where the true curve lies")),
        ]
        if own is not None and points[0].budget <= own <= points[-1].budget:
            ax.axvline(own / divisor, color=DARK, linestyle=":", linewidth=1.2)
            handles.append(Line2D([], [], color=DARK, linestyle=":", label=_("the scenario's budget")))
        top = max(float(values.max()), 1.0)
        ax.set_ylim(0, top * 1.08)
        if x[-1] > x[0]:
            pad = (x[-1] - x[0]) * 0.02
            ax.set_xlim(x[0] - pad, x[-1] + pad)
        ax.set_xlabel(_("budget ({unit})").format(unit=unit))
        ax.set_ylabel(_("patient-months beyond the guarantee"))
        # Whole MSEK on a wide axis; tenths where the span is a few MSEK.
        thousands_axis(ax.xaxis, 1.0, 1 if divisor > 1 and x[-1] - x[0] < 20 else 0)
        count_axis(ax.yaxis)
        ax.grid(True, color=GREY, linewidth=0.4)
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8)

    return draw
