"""The report's sections besides the volume plan's: the header with the run record, the stages of
each model, the AT distribution, the ST-A placements and the solver's progress."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from leveransplan.models.language import N_, _, ngettext
from leveransplan.models.numbers import decimals, grouped, percent
from leveransplan.models.placement_reasons import after_horizon, shown_reason
from leveransplan.outputs.report.charts import (
    BLUE,
    DARK,
    ORANGE,
    Charts,
    count_axis,
    heatmap,
    progress_chart,
    progress_size,
)
from leveransplan.outputs.report.html import (
    cards_html,
    element,
    escaped,
    figure_text,
    html_table,
    number_text,
)
from leveransplan.outputs.report.plan import Plan, cell_int, read_rows
from leveransplan.outputs.report.proposal import proposal_tables
from leveransplan.outputs.report.replan import TITLE as REPLAN_TITLE

# Marked here, translated where shown: the language may change while the process runs.
MODEL_TITLES = {
    "volumes": N_("Care volumes (vårdvolymer)"),
    "at": N_("AT positions (AT-tjänster)"),
    "placements": N_("ST-A side-service placements (sidotjänstgöring)"),
}

# Said on the page of a plan solved with --deterministic, where the run record is left out.
DETERMINISTIC_RUN = N_(
    "Solved with --deterministic: the plan folder, the time, the command line and the solver's "
    "progress differ from run to run, so this page leaves them out (manifest.json keeps the run record) "
    "and the same inputs give the same page."
)


def model_title(model: str) -> str:
    """The heading of a model's section in the page's language."""
    return _(MODEL_TITLES[model])


def header_section(plan: Plan) -> str:
    """The page's header: the scenario, the run record, the inputs' hashes and links to the sections."""
    scenario = plan.summary.get("scenario") or plan.recorded(str, "scenario") or _("(unnamed scenario)")
    run_record = not plan.deterministic
    rows = [(_("Plan folder"), str(plan.shown_folder or plan.folder.resolve()))] if run_record else []
    if plan.manifest:
        folder = plan.recorded(str, "scenario_folder")
        if folder is not None:
            rows.append((_("Scenario folder"), folder))
        if run_record:
            time = (plan.recorded(str, "time_utc") or "").replace("T", " ").replace("+00:00", " UTC")
            rows.append((_("Planned"), time or "–"))
        tool = plan.recorded(dict, "tool")
        if tool:
            rows.append((_("Tool"), ", ".join(f"{k} {v}" for k, v in tool.items())))
        command = plan.recorded(list, "command_line")
        if command is not None and run_record:
            rows.append((_("Command line"), " ".join(str(c) for c in command)))
        what_if = plan.recorded(list, "parameters", "what_if")
        if what_if:
            rows.append((_("What-if"), "; ".join(str(w) for w in what_if)))
        if not run_record:
            rows.append((_("Run record"), _(DETERMINISTIC_RUN)))
    else:
        rows.append((_("Manifest"), _("manifest.json is missing: no audit trail for this plan")))
    for model in plan.models:
        previous = plan.summary[model].get("previous_plan")
        if previous:
            rows.append((_("Previous plan ({model})").format(model=model), str(previous)))
    meta = "".join(f"<tr><th>{escaped(k)}</th><td>{escaped(v)}</td></tr>" for k, v in rows)
    hashes = ""
    inputs = plan.recorded(dict, "inputs_sha256")
    if inputs:
        cells = [
            f"<td>{escaped(name)}</td><td>{escaped(str(digest)[:12])}</td>"
            for name, digest in sorted(inputs.items())
        ]
        columns = 4
        lines = ["<tr>" + "".join(cells[i : i + columns]) + "</tr>" for i in range(0, len(cells), columns)]
        heading = _("Inputs (SHA-256, first 12 hex digits; the full values are in manifest.json)")
        hashes = f'<h3>{escaped(heading)}</h3><table class="hashes">{"".join(lines)}</table>'
    links = "".join(f'<a href="#{m}">{escaped(model_title(m))}</a>' for m in plan.models)
    if "volumes" in plan.models and plan.recorded(dict, "previous_plan"):
        links += f'<a href="#replan">{escaped(_(REPLAN_TITLE))}</a>'
    progress_title = _("Solver progress")
    links += f'<a href="#progress">{escaped(progress_title)}</a>'
    title = _("Delivery plan report: {scenario}").format(scenario=scenario)
    lead = _(
        "Leveransplan (delivery plan): what the plan decides, how good it is and how the solver got there."
    )
    return (
        f'<header><h1>{escaped(title)}</h1><p class="lead">{escaped(lead)}</p>'
        f'<table class="meta">{meta}</table>{hashes}<nav>{links}</nav></header>'
    )


def _stage_table(plan: Plan, model: str) -> str:
    rows = []
    for s in plan.stages(model):
        gap = s.gap_pct
        gap_text = "–" if gap is None else ("0" if gap == 0 else decimals(gap, 2))
        rows.append(
            [
                f"<code>{escaped(s.objective)}</code>",
                number_text(s.value),
                number_text(s.bound),
                gap_text,
                f'<span class="status-{escaped(s.status)}">{escaped(s.status)}</span>',
                number_text(s.seconds, 2),
            ]
        )
    return html_table(
        [_("objective"), _("value"), _("bound"), _("gap %"), _("status"), _("seconds")],
        rows,
        numeric=[False, True, True, True, False, True],
        raw=True,
    )


def _robust_note(robust: dict[str, Any]) -> str:
    """What a robust plan was made against, in place of the stages it does not have."""
    return element(
        "p",
        _(
            "A robust plan (solve --robust): made against {samples} sampled futures (seed {seed}) for "
            "the fewest patient-months beyond the guarantee on average, within {cap} SEK: the cost of "
            "the plan made for forecast inflow alone, or the budget where that is lower. That plan "
            "leaves {over} patient-months beyond the guarantee at forecast inflow. A robust plan is no "
            "lexicographic optimum and has no stages; `leveransplan risk` compares plans over the same "
            "futures (docs/risk.md)."
        ).format(
            samples=number_text(robust.get("samples", 0)),
            seed=robust.get("seed", 0),
            cap=number_text(robust.get("money_cap_sek", 0)),
            over=number_text(robust.get("forecast_over_guarantee", 0)),
        ),
    )


def summary_section(plan: Plan) -> str:
    """Each model's stages (value, bound, gap, status), and a warning for each the time limit stopped."""
    parts = [
        "<section>" + element("h2", _("Summary")),
        '<p class="note">'
        + _(
            "Each model is solved lexicographically: every objective in turn, most important first, "
            "with the earlier ones held at the values reached. <em>bound</em> is the best value the "
            "solver proved possible; <em>gap</em> is |value − bound| / max(1, |value|). OPTIMAL means "
            "the value is proven best; FEASIBLE means the time limit stopped the stage first."
        )
        + "</p>",
    ]
    for model in plan.models:
        robust = plan.summary[model].get("robust") if model == "volumes" else None
        if isinstance(robust, dict):
            parts.append(f"<h3>{escaped(model_title(model))}</h3>{_robust_note(robust)}")
            continue
        parts.append(f"<h3>{escaped(model_title(model))}</h3>{_stage_table(plan, model)}")
        for stage in plan.stages(model):
            if stage.status != "OPTIMAL" and stage.gap_pct:
                warning = _(
                    "{objective} stopped at the time limit before its value was proven best: {value} "
                    "found, and no plan can do better than {bound} (gap {gap}). A longer --time-limit "
                    "may close the gap."
                ).format(
                    objective=f"<code>{escaped(stage.objective)}</code>",
                    value=number_text(stage.value),
                    bound=number_text(stage.bound),
                    gap=percent(stage.gap_pct / 100, 2),
                )
                parts.append(f'<p class="warn">{warning}</p>')
    parts.append("</section>")
    return "".join(parts)


def at_section(plan: Plan, charts: Charts) -> str:
    """The AT distribution: positions per hospital against the target and the previous distribution."""
    at = plan.summary["at"]
    path = plan.folder / "at_distribution.csv"
    rows = read_rows(path, ("hospital", "positions", "target", "previous"))
    parts = [f'<section id="at"><h2>{escaped(model_title("at"))}</h2>']
    positions = [cell_int(r, "positions", path) for r in rows]
    targets = [float(r["target"]) if r["target"].strip() else 0.0 for r in rows]
    previous = [r["previous"].strip() for r in rows]
    parts.append(
        cards_html(
            [
                (_("AT positions distributed"), number_text(at.get("total", sum(positions)))),
                (_("hospitals"), number_text(len(rows))),
            ]
        )
    )
    note = _(
        "Positions per hospital against the need-weighted target (total × the hospital's weight / "
        "the sum of weights) and last period's positions."
    )
    parts.append(f'<p class="note">{escaped(note)}</p>')
    legend = {"positions": _("positions"), "target": _("target"), "previous": _("previous")}
    if rows:
        names = [r["hospital"] for r in rows]

        def draw(figure: Figure) -> None:
            ax = figure.add_subplot()
            x = list(range(len(rows)))
            bars = ax.bar(x, positions, 0.55, color=BLUE, label=legend["positions"])
            for bar, p in zip(bars, positions, strict=True):
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_height() / 2,
                    number_text(p),
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white",
                )
            ax.scatter(
                x, targets, marker="_", s=500, color=ORANGE, linewidths=2.2, label=legend["target"], zorder=3
            )
            known = [(i, int(p)) for i, p in enumerate(previous) if p.lstrip("-").isdigit()]
            if known:
                ax.scatter(
                    [i for i, _ in known],
                    [p for _, p in known],
                    marker="o",
                    s=22,
                    color=DARK,
                    label=legend["previous"],
                    zorder=4,
                )
            ax.set_xticks(x, names)
            ax.set_ylabel(_("AT positions"))
            count_axis(ax.yaxis)
            ax.margins(y=0.15)
            ax.grid(axis="y")
            handles, labels = ax.get_legend_handles_labels()
            order = sorted(range(len(labels)), key=lambda i: list(legend.values()).index(labels[i]))
            ax.legend(
                [handles[i] for i in order],
                [labels[i] for i in order],
                loc="lower center",
                bbox_to_anchor=(0.5, 1.0),
                ncol=3,
            )

        parts.append(charts.svg((max(5.0, 0.9 * len(rows) + 2.5), 3.0), draw, _("AT positions")))
    parts.append(
        html_table(
            [_("hospital"), _("positions"), _("target"), _("previous")],
            [
                [r["hospital"], p, figure_text(r["target"]), figure_text(r["previous"]) or "–"]
                for r, p in zip(rows, positions, strict=True)
            ],
            numeric=[False, True, True, True],
            total=[_("total"), sum(positions), "", ""],
        )
    )
    parts.append("</section>")
    return "".join(parts)


def placements_section(plan: Plan, charts: Charts) -> str:
    """The ST-A placements: places used per hospital, specialty and year, and the requirements not placed."""
    summary = plan.summary["placements"]
    places_path = plan.folder / "places_table.csv"
    places = read_rows(places_path, ("hospital", "specialty", "year", "used", "places"))
    unplaced_path = plan.folder / "unplaced.csv"
    unplaced = read_rows(unplaced_path, ("trainee", "specialty", "reason"))
    parts = [f'<section id="placements"><h2>{escaped(model_title("placements"))}</h2>']
    cards = []
    of = _("{part} of {whole}")
    if "placed" in summary and "requirements" in summary:
        cards.append(
            (
                _("requirements placed"),
                of.format(part=number_text(summary["placed"]), whole=number_text(summary["requirements"])),
            )
        )
    if "trainees_fully_placed" in summary and "trainees" in summary:
        cards.append(
            (
                _("trainees with every side-service placed"),
                of.format(
                    part=number_text(summary["trainees_fully_placed"]), whole=number_text(summary["trainees"])
                ),
            )
        )
    if "places_total" in summary:
        cards.append((_("places offered"), number_text(summary["places_total"])))
    if summary.get("months"):
        cards.append((_("planning months"), number_text(summary["months"])))
    if summary.get("mode") == "propose_places":
        cards.append((_("mode"), _("places proposed by the plan")))
    parts.append(cards_html(cards))

    parts.append(element("h3", _("Placements per hospital and specialty against places")))
    note = _(
        "Side-service placements starting in each year against the places offered (st_capacity.csv); "
        "the colour is the share of places used."
    )
    parts.append(f'<p class="note">{escaped(note)}</p>')
    hospitals = list(dict.fromkeys(r["hospital"] for r in places))
    specialties = list(dict.fromkeys(r["specialty"] for r in places))
    columns = sorted(
        {(r["specialty"], r["year"]) for r in places}, key=lambda c: (specialties.index(c[0]), c[1])
    )
    if hospitals and columns:
        share: list[list[float | None]] = [[None] * len(columns) for _hospital in hospitals]
        labels = [[_("no places")] * len(columns) for _hospital in hospitals]
        for r in places:
            i, j = hospitals.index(r["hospital"]), columns.index((r["specialty"], r["year"]))
            used, offered = cell_int(r, "used", places_path), cell_int(r, "places", places_path)
            share[i][j] = used / offered if offered else (1.0 if used else 0.0)
            labels[i][j] = f"{grouped(used)}/{grouped(offered)}"
        names = [f"{s}\n{y}" for s, y in columns]
        size = (min(11.0, 2.4 + 0.85 * len(columns)), 1.4 + 0.45 * len(hospitals))
        parts.append(
            charts.svg(
                size,
                heatmap(
                    hospitals,
                    names,
                    share,
                    labels,
                    cmap="Greens",
                    share=True,
                    colorbar=_("share of places used"),
                ),
                _("Placements against places"),
            )
        )
        parts.append(
            "<details>"
            + element("summary", _("Places table"))
            + html_table(
                [_("hospital"), _("specialty"), _("year"), _("used"), _("places")],
                [
                    [
                        r["hospital"],
                        r["specialty"],
                        r["year"],
                        cell_int(r, "used", places_path),
                        cell_int(r, "places", places_path),
                    ]
                    for r in places
                ],
                numeric=[False, False, False, True, True],
            )
            + "</details>"
        )
    else:
        empty = _("The plan has no places (places_table.csv is empty).")
        parts.append(f'<p class="note">{escaped(empty)}</p>')
    if summary.get("mode") == "propose_places":
        parts.append(proposal_tables(plan))

    parts.append(element("h3", _("Requirements not placed")))
    later = sum(1 for r in unplaced if after_horizon(r["reason"]))
    if later:
        note = ngettext(
            "{count} of them can start after the placement horizon and end by its deadline: a later plan "
            "places it.",
            "{count} of them can start after the placement horizon and end by their deadlines: a later "
            "plan places them.",
            later,
        ).format(count=grouped(later))
        parts.append(f'<p class="note">{escaped(note)}</p>')
    if unplaced:
        shown = unplaced[:200]
        parts.append(
            html_table(
                [_("trainee"), _("specialty"), _("reason")],
                [[r["trainee"], r["specialty"], shown_reason(r["reason"])] for r in shown],
            )
        )
        if len(unplaced) > len(shown):
            more = _("{count} more in unplaced.csv.").format(count=grouped(len(unplaced) - len(shown)))
            parts.append(f'<p class="note">{escaped(more)}</p>')
    else:
        parts.append(element("p", _("Every requirement is placed."), "note"))
    parts.append("</section>")
    return "".join(parts)


def progress_section(plan: Plan, charts: Charts) -> str:
    """The solver's progress per model and stage (left out for a plan solved with --deterministic)."""
    head = '<section id="progress">' + element("h2", _("Solver progress"))
    if plan.deterministic:
        return f'{head}<p class="note">{escaped(_(DETERMINISTIC_RUN))}</p></section>'
    note = _(
        "Each stage's best value found (solid) and the bound the solver proved (dashed) against the "
        "seconds since the model's solve began. Where the lines meet, the stage is proven optimal."
    )
    parts = [head, f'<p class="note">{escaped(note)}</p>']
    if plan.skipped_progress:
        skipped = ngettext(
            "{count} recorded progress point could not be read and is left out.",
            "{count} recorded progress points could not be read and are left out.",
            plan.skipped_progress,
        ).format(count=grouped(plan.skipped_progress))
        parts.append(f'<p class="note">{escaped(skipped)}</p>')
    for model in plan.models:
        points = [p for p in plan.progress if p.model == model]
        parts.append(f"<h3>{escaped(model_title(model))}</h3>")
        if not points:
            none = _(
                "No trajectory was recorded for this model (the plan was written without progress "
                "recording, or the solver found each stage's optimum at once)."
            )
            parts.append(f'<p class="note">{escaped(none)}</p>')
            continue
        order = [s.objective for s in plan.stages(model)]
        stages = sorted(
            {p.stage for p in points}, key=lambda s: (order.index(s) if s in order else len(order), s)
        )
        parts.append(
            charts.svg(
                progress_size(len(stages)),
                progress_chart(points, stages),
                _("Solver progress, {model}").format(model=model),
            )
        )
    parts.append("</section>")
    return "".join(parts)
