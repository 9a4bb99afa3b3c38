"""The report's section on the volume plan: patients over the guarantee, referrals per hospital
and month, contract use and the cost by channel."""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

from leveransplan.models.language import _
from leveransplan.outputs.checker.volume_files import HOSPITAL_FIGURES
from leveransplan.outputs.report.charts import (
    BLUE,
    GREY,
    Charts,
    channel_chart,
    contract_chart,
    count_axis,
    heatmap,
    heatmap_size,
    label_bars,
)
from leveransplan.outputs.report.costs import cost_channels
from leveransplan.outputs.report.html import (
    cards_html,
    element,
    escaped,
    html_table,
    number_text,
    sek_axis,
)
from leveransplan.outputs.report.plan import (
    Plan,
    cell_int,
    hospital_figures,
    hospital_frames,
    read_rows,
)
from leveransplan.outputs.report.sections import model_title

PROCUREMENT = "procurement.csv"


def procurement_order_words(order: list[str], out_of_region_candidates: bool) -> str:
    """Where the plan's objective order puts `procured`, and what that means for the candidates."""
    if "procured" not in order:
        return _(
            "The objective order does not minimise procured: the plan takes candidates up as its terms ask."
        )
    at = order.index("procured")
    before, after = ", ".join(order[:at]), ", ".join(order[at + 1 :])
    # Whole sentences per place in the order: a translation cannot be built from English fragments.
    if before and after:
        where = _("The objective order minimises procured after {before} and before {after}.")
    elif before:
        where = _("The objective order minimises procured after {before}, last.")
    elif after:
        where = _("The objective order minimises procured first and before {after}.")
    else:
        where = _("The objective order minimises procured first, last.")
    words = [where.format(before=before, after=after)]
    if "cost" in order[at + 1 :]:
        words.append(
            _(
                "So the plan takes candidates up only as far as the terms before it need them: the "
                "region's own capacity and existing contracts come first, even where a candidate is cheaper."
            )
        )
    elif "cost" in order[:at]:
        words.append(
            _("Cost is minimised before it, so a candidate is taken up where it is the cheaper way.")
        )
    if "out_of_region" in order[:at]:
        words.append(
            _(
                "Out-of-region referrals are minimised before it, so a candidate in the region is taken up "
                "before patients are sent out of the region."
            )
        )
    if out_of_region_candidates:
        words.append(
            _(
                "A candidate marked out of region sends patients out of the region: its units count in "
                "out_of_region as well as in procured."
            )
        )
    return " ".join(words)


def _procurement_part(plan: Plan) -> str:
    """What to procure: each candidate contract's units and cost, and the patient-months they buy."""
    path = plan.folder / PROCUREMENT
    rows = read_rows(path, ("contract", "provider", "category", "units", "price_sek", "cost_sek"))
    table = [
        [
            r["contract"],
            r["provider"],
            r["category"],
            _("yes") if r.get("out_of_region", "").strip().lower() in ("true", "1") else "",
            cell_int(r, "units", path),
            cell_int(r, "price_sek", path),
            cell_int(r, "cost_sek", path),
            r.get("first_month", "") or "",
            r.get("last_month", "") or "",
        ]
        for r in rows
    ]
    volumes = plan.summary["volumes"]
    figures = volumes.get("procurement") or {}
    stages = [stage for stage in volumes.get("stages") or [] if isinstance(stage, dict)]
    without, over = figures.get("over_guarantee_without_candidates"), figures.get("over_guarantee")
    if isinstance(without, int) and isinstance(over, int):
        # Both figures are proven only when the stage without the candidates and the plan's own
        # over_guarantee stage were solved to optimality.
        statuses = [figures.get("without_candidates_status")]
        statuses += [stage.get("status") for stage in stages if stage.get("objective") == "over_guarantee"]
        proven = bool(statuses[1:]) and set(statuses) == {"OPTIMAL"}
        figures_bought = {"bought": number_text(without - over), "without": number_text(without)}
        bought = (
            _(
                "Together they buy {bought} patient-months beyond the guarantee: {without} with the "
                "region's own capacity and existing contracts alone, {over} with them."
            )
            if proven
            else _(
                "Together they buy {bought} patient-months beyond the guarantee: {without} with the "
                "region's own capacity and existing contracts alone (not proven optimal), {over} with them."
            )
        ).format(**figures_bought, over=number_text(over))
    else:
        bought = _("What they buy in patient-months is not known: the plan without them was not solved.")
    order = [str(stage.get("objective")) for stage in stages]
    away = any(row[3] for row in table)
    heading = _("What to procure (candidate contracts)")
    note = " ".join(
        [_("Candidate contracts are offers not bought yet."), procurement_order_words(order, away), bought]
    )
    return f'<h3>{escaped(heading)}</h3><p class="note">{escaped(note)}</p>' + html_table(
        [
            _("contract"),
            _("provider"),
            _("category"),
            _("out of region"),
            _("units"),
            _("price SEK"),
            _("cost SEK"),
            _("first month"),
            _("last month"),
        ],
        table,
        numeric=[False, False, False, False, True, True, True, False, False],
        total=[_("total"), "", "", "", sum(r[4] for r in table), "", sum(r[6] for r in table), "", ""],
    )


def volume_section(plan: Plan, charts: Charts) -> str:
    """The volume plan: patients over the guarantee, referrals, contract use and cost by channel."""
    volumes = plan.summary["volumes"]
    folder = plan.folder
    hospitals = hospital_figures(volumes)
    names = [name for name, _figures in hospitals]
    production_path = folder / "production_plan.csv"
    production = read_rows(production_path, ("month", "hospital"))
    delivery_path = folder / "delivery_plan.csv"
    delivery = read_rows(delivery_path, ("month", "hospital", "channel", "volume"))
    usage_path = folder / "contract_usage.csv"
    usage = read_rows(usage_path, ("contract", "provider", "category", "volume_min", "volume_max", "used"))
    channels = cost_channels(plan)

    def total(key: str) -> int:
        return sum(figures[key] for _name, figures in hospitals)

    objectives = volumes.get("objectives") or {}
    parts = [f'<section id="volumes"><h2>{escaped(model_title("volumes"))}</h2>']
    divisor, unit = sek_axis(channels.cost_sek)
    parts.append(
        cards_html(
            [
                (
                    _("cost, {unit}").format(unit=unit),
                    number_text(channels.cost_sek / divisor, 1 if divisor > 1 else 0),
                ),
                (
                    _("over the guarantee, start → end"),
                    f"{number_text(total('over_guarantee_start'))} → "
                    f"{number_text(total('over_guarantee_end'))}",
                ),
                (_("patient-months over the guarantee"), number_text(total("patient_months_over"))),
                (_("patients sent out"), number_text(total("referrals_out"))),
                (_("sent out of the region"), number_text(objectives.get("out_of_region"))),
            ]
        )
    )

    # Patients over the guarantee per hospital.
    parts.append(element("h3", _("Patients over the care guarantee (vårdgarantin), per hospital")))
    note = _(
        "Patients waiting beyond the 90-day guarantee: a waiting list longer than three months of "
        "inflow, at the start of the first month and at the end of the last. Patient-months: the same "
        "count summed over every month of the plan."
    )
    parts.append(f'<p class="note">{escaped(note)}</p>')
    if hospitals:
        start = [figures["over_guarantee_start"] for _name, figures in hospitals]
        end = [figures["over_guarantee_end"] for _name, figures in hospitals]

        def draw_over(figure: Figure) -> None:
            ax = figure.add_subplot()
            x = range(len(names))
            width = 0.38
            first = ax.bar([i - width / 2 for i in x], start, width, color=GREY, label=_("at the start"))
            last = ax.bar([i + width / 2 for i in x], end, width, color=BLUE, label=_("at the end"))
            label_bars(ax, first, [number_text(v) for v in start])
            label_bars(ax, last, [number_text(v) for v in end])
            ax.set_xticks(list(x), names)
            ax.set_ylabel(_("patients over the guarantee"))
            count_axis(ax.yaxis)
            ax.margins(y=0.12)
            ax.grid(axis="y")
            ax.legend(loc="upper right")

        parts.append(
            charts.svg((max(5.0, 1.1 * len(names) + 2), 3.2), draw_over, _("Patients over the guarantee"))
        )
    rows = [[name, *(figures[key] for key in HOSPITAL_FIGURES)] for name, figures in hospitals]
    header = [
        _("hospital"),
        _("over, start"),
        _("over, end"),
        _("patient-months over"),
        _("sent out"),
        _("received"),
        _("cost SEK"),
    ]
    totals: list[Any] = [_("region"), *(total(key) for key in HOSPITAL_FIGURES)]
    frames = hospital_frames(volumes)
    if frames:
        # Each frame caps its own hospital's cost; the region's line has no frame of its own.
        for row, (name, figures) in zip(rows, hospitals, strict=True):
            frame = frames.get(name)
            row += ["–", "–"] if frame is None else [frame, frame - figures["cost_sek"]]
        header += [_("frame SEK"), _("left of frame SEK")]
        totals += ["", ""]
    parts.append(html_table(header, rows, numeric=[False] + [True] * (len(header) - 1), total=totals))
    note = _(
        "Sent out: transfers to other hospitals and referrals to contracts; received: transfers in. A "
        "hospital's cost is its own additional units, its transfers at the receiving hospital's price "
        "and its referrals; unused contract minimums are the region's."
    )
    if frames:
        note += " " + _(
            "A hospital's frame (hospitals.csv's frame_sek) caps that cost; what is left of it is the "
            "frame less the cost."
        )
    parts.append(f'<p class="note">{escaped(note)}</p>')

    # Referrals per hospital and month.
    months = sorted({r["month"] for r in production} | {r["month"] for r in delivery})
    row_names = list(names) + sorted({r["hospital"] for r in delivery} - set(names))
    grid = [[0] * len(months) for _ in row_names]
    for r in delivery:
        grid[row_names.index(r["hospital"])][months.index(r["month"])] += cell_int(r, "volume", delivery_path)
    referrals_title = _("Referrals per hospital and month")
    parts.append(f"<h3>{escaped(referrals_title)}</h3>")
    note = _(
        "Patients each hospital sends to be treated elsewhere: transfers to another of the region's "
        "hospitals and referrals to contracts with external providers (köpt vård)."
    )
    parts.append(f'<p class="note">{escaped(note)}</p>')
    if months and row_names:
        parts.append(
            charts.svg(
                heatmap_size(len(row_names), len(months)), heatmap(row_names, months, grid), referrals_title
            )
        )
    else:
        parts.append(element("p", _("The plan has no months."), "note"))

    # Contract use against minimum and maximum.
    parts.append(element("h3", _("Contract use against minimum and maximum")))
    away = channels.out_of_region or set()
    if usage:
        note = _(
            "Patients referred to each contract over the horizon. The bar is the use, the grey band the "
            "contract's room up to its maximum, the black mark its minimum (paid whether used or not)."
        )
        parts.append(f'<p class="note">{escaped(note)}</p>')
        parts.append(
            charts.svg(
                (10.5, 0.8 + 0.27 * len(usage)), contract_chart(usage, usage_path, away), _("Contract use")
            )
        )
        contract_rows = [
            [
                r["contract"],
                r["provider"],
                r["category"],
                cell_int(r, "volume_min", usage_path),
                cell_int(r, "volume_max", usage_path),
                cell_int(r, "used", usage_path),
                cell_int(r, "unused_min", usage_path) if r.get("unused_min", "") != "" else 0,
                cell_int(r, "cost_sek", usage_path) if r.get("cost_sek", "") != "" else 0,
            ]
            for r in usage
        ]
        parts.append(
            "<details>"
            + element("summary", _("Contract table"))
            + html_table(
                [
                    _("contract"),
                    _("provider"),
                    _("category"),
                    _("minimum"),
                    _("maximum"),
                    _("used"),
                    _("unused minimum"),
                    _("cost SEK"),
                ],
                contract_rows,
                numeric=[False, False, False, True, True, True, True, True],
            )
            + "</details>"
        )
    else:
        parts.append(element("p", _("The scenario has no contracts."), "note"))
    if (folder / PROCUREMENT).is_file():
        parts.append(_procurement_part(plan))

    # Cost by channel.
    cost_title = _("Cost by channel")
    parts.append(f"<h3>{escaped(cost_title)}</h3>")
    parts.append(charts.svg((10.5, 0.9 + 0.3 * len(channels.channels)), channel_chart(channels), cost_title))
    share = max(1, channels.cost_sek)
    parts.append(
        html_table(
            [_("channel"), _("cost SEK"), _("share %")],
            [[c.name, c.cost_sek, number_text(100 * c.cost_sek / share, 1)] for c in channels.channels],
            numeric=[False, True, True],
            total=[
                _("total (summary.json cost_sek: {cost})").format(cost=number_text(channels.cost_sek)),
                channels.total_sek,
                "",
            ],
        )
    )
    note = _(
        "Own additional production is summary.json's cost per hospital minus the delivery plan's "
        "transfers and referrals (the plan files hold no additional price per hospital). Contract "
        "channels are the units used at the contract's price; unused minimums are what the region pays "
        "for take-or-pay volumes it does not use."
    )
    parts.append(f'<p class="note">{escaped(note)}</p>')
    parts += [f'<p class="note">{escaped(note)}</p>' for note in channels.notes]
    parts += [f'<p class="warn">{escaped(warning)}</p>' for warning in channels.warnings]
    parts.append("</section>")
    return "".join(parts)
