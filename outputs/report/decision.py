"""The report's section with the decision's tables, one fold per hospital: its volume table as the
decision prints it and the referrals it sends, provider x month (outputs/decision_tables.py)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from leveransplan.models.language import N_, _
from leveransplan.outputs.decision_tables import (
    LABEL,
    LEVEL,
    MATRIX_TOTAL,
    decision_volume_table,
    delivery_matrix,
    figure_label,
    figures_of,
    matrix_rows,
)
from leveransplan.outputs.report.html import escaped, html_table, number_text
from leveransplan.outputs.report.plan import Plan, ReportUnreadable, cell_int, hospital_figures, read_rows

TITLE = N_("The decision's tables, per hospital")
LEAD = N_(
    "Each hospital's volume table as the decision prints it, by area and kind with their subtotals: "
    "assignment, base and additional as decided (own_volumes.csv), then the additional units the "
    "plan has it produce, for itself and for others, and the assignment that makes. Below it, the "
    "patients it sends each month, by provider."
)
NO_DECIDED = N_(
    "This plan does not record the decided volumes (summary.json's volumes.decided), so the tables "
    "show the plan's figures only."
)
NO_CATEGORIES = N_(
    "summary.json names no categories (volumes.categories), so the volume table cannot be grouped "
    "by area and kind; volume_table.csv holds the figures by category code."
)
MATRIX_TITLE = N_("Referrals sent, by provider and month")
NOTHING_SENT = N_("{hospital} sends no patients to other hospitals or contracts.")
PROVIDER = N_("provider")
TOTAL = N_("total")


def _summary_rows(plan: Plan, name: str, keys: tuple[str, ...]) -> list[dict[str, Any]] | None:
    """summary.json's volumes.`name`, a list of objects with `keys`; None when the plan does not
    record it (written before it was added)."""
    raw = plan.summary["volumes"].get(name)
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(r, dict) and all(k in r for k in keys) for r in raw):
        raise ReportUnreadable(
            _("{file}, volumes.{name}: expected a list of {keys}").format(
                file=plan.folder / "summary.json", name=name, keys=keys
            )
        )
    return [{k: r[k] for k in keys} for r in raw]


def decision_table_html(table: pd.DataFrame, hospital: str) -> str:
    """The decision's volume table as HTML: area, kind and total rows set apart, categories indented."""
    figures_shown = figures_of(table)
    head = f"<th>{escaped(hospital)}</th>" + "".join(
        f'<th class="num">{escaped(figure_label(f))}</th>' for f in figures_shown
    )
    body = []
    for row in table.to_dict("records"):
        figures = "".join(f'<td class="num">{number_text(int(row[f]))}</td>' for f in figures_shown)
        body.append(f'<tr class="{row[LEVEL]}"><td>{escaped(row[LABEL])}</td>{figures}</tr>')
    return f'<table class="decision"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def matrix_html(matrix: pd.DataFrame) -> str:
    """A provider x month matrix as HTML, its last row (the totals) set apart."""
    header = [_(PROVIDER), *(_(TOTAL) if c == MATRIX_TOTAL else str(c) for c in matrix.columns)]
    rows = [[_(TOTAL) if row[0] == MATRIX_TOTAL else row[0], *row[1:]] for row in matrix_rows(matrix)]
    return html_table(header, rows[:-1], numeric=[False] + [True] * len(matrix.columns), total=rows[-1])


def decision_section(plan: Plan) -> str:
    """One fold per hospital: its volume table in the decision's layout and its referrals by month."""
    folder = plan.folder
    parts = [f'<section id="decision"><h2>{escaped(_(TITLE))}</h2><p class="note">{escaped(_(LEAD))}</p>']
    categories = _summary_rows(plan, "categories", ("category", "area", "kind", "specialty"))
    decided = _summary_rows(plan, "decided", ("hospital", "category", "bas", "tillagg"))
    if categories is None:
        parts.append(f'<p class="note">{escaped(_(NO_CATEGORIES))}</p>')
    elif decided is None:
        parts.append(f'<p class="note">{escaped(_(NO_DECIDED))}</p>')
    volume_path = folder / "volume_table.csv"
    volumes = [
        {**r, "bas": cell_int(r, "bas", volume_path), "tillagg": cell_int(r, "tillagg", volume_path)}
        for r in read_rows(volume_path, ("hospital", "category", "bas", "tillagg"))
    ]
    delivery_path = folder / "delivery_plan.csv"
    delivery = [
        {**r, "volume": cell_int(r, "volume", delivery_path)}
        for r in read_rows(delivery_path, ("month", "hospital", "provider", "volume"))
    ]
    months = sorted({r["month"] for r in read_rows(folder / "production_plan.csv", ("month",))})
    for hospital, _figures in hospital_figures(plan.summary["volumes"]):
        parts.append(f"<details><summary>{escaped(hospital)}</summary>")
        if categories is not None:
            table = decision_volume_table(categories, volumes, hospital, decided)
            parts.append(decision_table_html(table, hospital))
        matrix = delivery_matrix(delivery, hospital, months)
        parts.append(f"<h3>{escaped(_(MATRIX_TITLE))}</h3>")
        if len(matrix) > 1:
            parts.append(matrix_html(matrix))
        else:
            parts.append(f'<p class="note">{escaped(_(NOTHING_SENT).format(hospital=hospital))}</p>')
        parts.append("</details>")
    parts.append("</section>")
    return "".join(parts)
