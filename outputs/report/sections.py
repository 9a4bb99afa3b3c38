"""The report's sections besides the volume plan's: the header with the run record, the stages of
each model, the AT distribution, the ST-A placements and the solver's progress."""

from __future__ import annotations

from matplotlib.figure import Figure

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
from leveransplan.outputs.report.html import cards_html, escaped, html_table, number_text
from leveransplan.outputs.report.plan import Plan, cell_int, read_rows

MODEL_TITLES = {
    "volumes": "Care volumes (vårdvolymer)",
    "at": "AT positions (AT-tjänster)",
    "placements": "ST-A side-service placements (sidotjänstgöring)",
}

# Said on the page of a plan solved with --deterministic, where the run record is left out.
DETERMINISTIC_RUN = (
    "Solved with --deterministic: the plan folder, the time, the command line and the solver's "
    "progress differ from run to run, so this page leaves them out (manifest.json keeps the run record) "
    "and the same inputs give the same page."
)


def header_section(plan: Plan) -> str:
    """The page's header: the scenario, the run record, the inputs' hashes and links to the sections."""
    scenario = plan.summary.get("scenario") or plan.recorded(str, "scenario") or "(unnamed scenario)"
    run_record = not plan.deterministic
    rows = [("Plan folder", str(plan.shown_folder or plan.folder.resolve()))] if run_record else []
    if plan.manifest:
        folder = plan.recorded(str, "scenario_folder")
        if folder is not None:
            rows.append(("Scenario folder", folder))
        if run_record:
            time = (plan.recorded(str, "time_utc") or "").replace("T", " ").replace("+00:00", " UTC")
            rows.append(("Planned", time or "–"))
        tool = plan.recorded(dict, "tool")
        if tool:
            rows.append(("Tool", ", ".join(f"{k} {v}" for k, v in tool.items())))
        command = plan.recorded(list, "command_line")
        if command is not None and run_record:
            rows.append(("Command line", " ".join(str(c) for c in command)))
        what_if = plan.recorded(list, "parameters", "what_if")
        if what_if:
            rows.append(("What-if", "; ".join(str(w) for w in what_if)))
        if not run_record:
            rows.append(("Run record", DETERMINISTIC_RUN))
    else:
        rows.append(("Manifest", "manifest.json is missing: no audit trail for this plan"))
    for model in plan.models:
        previous = plan.summary[model].get("previous_plan")
        if previous:
            rows.append((f"Previous plan ({model})", str(previous)))
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
        hashes = (
            "<h3>Inputs (SHA-256, first 12 hex digits; the full values are in manifest.json)</h3>"
            f'<table class="hashes">{"".join(lines)}</table>'
        )
    links = "".join(f'<a href="#{m}">{escaped(MODEL_TITLES[m])}</a>' for m in plan.models)
    if "volumes" in plan.models and plan.recorded(dict, "previous_plan"):
        links += '<a href="#replan">Changes against the previous plan</a>'
    links += '<a href="#progress">Solver progress</a>'
    return (
        f"<header><h1>Delivery plan report: {escaped(scenario)}</h1>"
        '<p class="lead">Leveransplan (delivery plan): what the plan decides, how good it is and how '
        "the solver got there.</p>"
        f'<table class="meta">{meta}</table>{hashes}<nav>{links}</nav></header>'
    )


def _stage_table(plan: Plan, model: str) -> str:
    rows = []
    for s in plan.stages(model):
        gap = s.gap_pct
        gap_text = "–" if gap is None else ("0" if gap == 0 else f"{gap:.2f}")
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
        ["objective", "value", "bound", "gap %", "status", "seconds"],
        rows,
        numeric=[False, True, True, True, False, True],
        raw=True,
    )


def summary_section(plan: Plan) -> str:
    """Each model's stages (value, bound, gap, status), and a warning for each the time limit stopped."""
    parts = [
        "<section><h2>Summary</h2>",
        '<p class="note">Each model is solved lexicographically: every objective in turn, most important '
        "first, with the earlier ones held at the values reached. <em>bound</em> is the best value the "
        "solver proved possible; <em>gap</em> is |value − bound| / max(1, |value|). OPTIMAL means the "
        "value is proven best; FEASIBLE means the time limit stopped the stage first.</p>",
    ]
    for model in plan.models:
        parts.append(f"<h3>{escaped(MODEL_TITLES[model])}</h3>{_stage_table(plan, model)}")
        for stage in plan.stages(model):
            if stage.status != "OPTIMAL" and stage.gap_pct:
                parts.append(
                    f'<p class="warn"><code>{escaped(stage.objective)}</code> stopped at the time limit '
                    f"before its value was proven best: {number_text(stage.value)} found, and no plan can do "
                    f"better than {number_text(stage.bound)} (gap {stage.gap_pct:.2f} %). "
                    "A longer --time-limit may close the gap.</p>"
                )
    parts.append("</section>")
    return "".join(parts)


def at_section(plan: Plan, charts: Charts) -> str:
    """The AT distribution: positions per hospital against the target and the previous distribution."""
    at = plan.summary["at"]
    path = plan.folder / "at_distribution.csv"
    rows = read_rows(path, ("hospital", "positions", "target", "previous"))
    parts = [f'<section id="at"><h2>{escaped(MODEL_TITLES["at"])}</h2>']
    positions = [cell_int(r, "positions", path) for r in rows]
    targets = [float(r["target"]) if r["target"].strip() else 0.0 for r in rows]
    previous = [r["previous"].strip() for r in rows]
    parts.append(
        cards_html(
            [
                ("AT positions distributed", number_text(at.get("total", sum(positions)))),
                ("hospitals", number_text(len(rows))),
            ]
        )
    )
    parts.append(
        '<p class="note">Positions per hospital against the need-weighted target (total × the '
        "hospital's weight / the sum of weights) and last period's positions.</p>"
    )
    if rows:
        names = [r["hospital"] for r in rows]

        def draw(figure: Figure) -> None:
            ax = figure.add_subplot()
            x = list(range(len(rows)))
            bars = ax.bar(x, positions, 0.55, color=BLUE, label="positions")
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
            ax.scatter(x, targets, marker="_", s=500, color=ORANGE, linewidths=2.2, label="target", zorder=3)
            known = [(i, int(p)) for i, p in enumerate(previous) if p.lstrip("-").isdigit()]
            if known:
                ax.scatter(
                    [i for i, _ in known],
                    [p for _, p in known],
                    marker="o",
                    s=22,
                    color=DARK,
                    label="previous",
                    zorder=4,
                )
            ax.set_xticks(x, names)
            ax.set_ylabel("AT positions")
            count_axis(ax.yaxis)
            ax.margins(y=0.15)
            ax.grid(axis="y")
            handles, labels = ax.get_legend_handles_labels()
            order = sorted(
                range(len(labels)), key=lambda i: ["positions", "target", "previous"].index(labels[i])
            )
            ax.legend(
                [handles[i] for i in order],
                [labels[i] for i in order],
                loc="lower center",
                bbox_to_anchor=(0.5, 1.0),
                ncol=3,
            )

        parts.append(charts.svg((max(5.0, 0.9 * len(rows) + 2.5), 3.0), draw, "AT positions"))
    parts.append(
        html_table(
            ["hospital", "positions", "target", "previous"],
            [
                [r["hospital"], p, r["target"], r["previous"] or "–"]
                for r, p in zip(rows, positions, strict=True)
            ],
            numeric=[False, True, True, True],
            total=["total", sum(positions), "", ""],
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
    parts = [f'<section id="placements"><h2>{escaped(MODEL_TITLES["placements"])}</h2>']
    cards = []
    if "placed" in summary and "requirements" in summary:
        cards.append(
            (
                "requirements placed",
                f"{number_text(summary['placed'])} of {number_text(summary['requirements'])}",
            )
        )
    if "trainees_fully_placed" in summary and "trainees" in summary:
        cards.append(
            (
                "trainees with every side-service placed",
                f"{number_text(summary['trainees_fully_placed'])} of {number_text(summary['trainees'])}",
            )
        )
    if "places_total" in summary:
        cards.append(("places offered", number_text(summary["places_total"])))
    if summary.get("months"):
        cards.append(("planning months", str(summary["months"])))
    if summary.get("mode") == "propose_places":
        cards.append(("mode", "places proposed by the plan"))
    parts.append(cards_html(cards))

    parts.append("<h3>Placements per hospital and specialty against places</h3>")
    parts.append(
        '<p class="note">Side-service placements starting in each year against the places offered '
        "(st_capacity.csv); the colour is the share of places used.</p>"
    )
    hospitals = list(dict.fromkeys(r["hospital"] for r in places))
    specialties = list(dict.fromkeys(r["specialty"] for r in places))
    columns = sorted(
        {(r["specialty"], r["year"]) for r in places}, key=lambda c: (specialties.index(c[0]), c[1])
    )
    if hospitals and columns:
        share: list[list[float | None]] = [[None] * len(columns) for _ in hospitals]
        labels = [["no places"] * len(columns) for _ in hospitals]
        for r in places:
            i, j = hospitals.index(r["hospital"]), columns.index((r["specialty"], r["year"]))
            used, offered = cell_int(r, "used", places_path), cell_int(r, "places", places_path)
            share[i][j] = used / offered if offered else (1.0 if used else 0.0)
            labels[i][j] = f"{used}/{offered}"
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
                    colorbar="share of places used",
                ),
                "Placements against places",
            )
        )
        parts.append(
            "<details><summary>Places table</summary>"
            + html_table(
                ["hospital", "specialty", "year", "used", "places"],
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
        parts.append('<p class="note">The plan has no places (places_table.csv is empty).</p>')

    parts.append("<h3>Requirements not placed</h3>")
    if unplaced:
        shown = unplaced[:200]
        parts.append(
            html_table(
                ["trainee", "specialty", "reason"],
                [[r["trainee"], r["specialty"], r["reason"]] for r in shown],
            )
        )
        if len(unplaced) > len(shown):
            parts.append(f'<p class="note">{len(unplaced) - len(shown)} more in unplaced.csv.</p>')
    else:
        parts.append('<p class="note">Every requirement is placed.</p>')
    parts.append("</section>")
    return "".join(parts)


def progress_section(plan: Plan, charts: Charts) -> str:
    """The solver's progress per model and stage (left out for a plan solved with --deterministic)."""
    if plan.deterministic:
        note = f'<p class="note">{escaped(DETERMINISTIC_RUN)}</p>'
        return f'<section id="progress"><h2>Solver progress</h2>{note}</section>'
    parts = [
        '<section id="progress"><h2>Solver progress</h2>',
        '<p class="note">Each stage\'s best value found (solid) and the bound the solver proved (dashed) '
        "against the seconds since the model's solve began. Where the lines meet, the stage is proven "
        "optimal.</p>",
    ]
    if plan.skipped_progress:
        parts.append(
            f'<p class="note">{plan.skipped_progress} recorded progress point(s) could not be read and '
            "are left out.</p>"
        )
    for model in plan.models:
        points = [p for p in plan.progress if p.model == model]
        parts.append(f"<h3>{escaped(MODEL_TITLES[model])}</h3>")
        if not points:
            parts.append(
                '<p class="note">No trajectory was recorded for this model (the plan was written without '
                "progress recording, or the solver found each stage's optimum at once).</p>"
            )
            continue
        order = [s.objective for s in plan.stages(model)]
        stages = sorted(
            {p.stage for p in points}, key=lambda s: (order.index(s) if s in order else len(order), s)
        )
        parts.append(
            charts.svg(
                progress_size(len(stages)), progress_chart(points, stages), f"Solver progress, {model}"
            )
        )
    parts.append("</section>")
    return "".join(parts)
