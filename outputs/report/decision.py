"""The report's section with the decision's tables, one fold per hospital: its volume table as the
decision prints it and the referrals it sends, provider x month (outputs/decision_tables.py)."""

from __future__ import annotations

import pandas as pd

from leveransplan.outputs.decision_tables import (
    FIGURES,
    LABEL,
    LEVEL,
    decision_volume_table,
    delivery_matrix,
    matrix_rows,
)
from leveransplan.outputs.report.html import escaped, html_table, number_text
from leveransplan.outputs.report.plan import Plan, ReportUnreadable, cell_int, hospital_figures, read_rows

TITLE = "The decision's tables, per hospital"
LEAD = (
    "Each hospital's volume table as the decision prints it: by area and kind with their subtotals, "
    "bas from own_volumes.csv, tillägg the additional units the plan has it produce (for itself and "
    "for others), uppdrag both. Below it, the patients it sends each month, by provider."
)
NO_CATEGORIES = (
    "summary.json names no categories (volumes.categories), so the volume table cannot be grouped "
    "by area and kind; volume_table.csv holds the figures by category code."
)
MATRIX_TITLE = "Referrals sent, by provider and month"
NOTHING_SENT = "sends no patients to other hospitals or contracts."


def _categories(plan: Plan) -> list[dict[str, str]] | None:
    raw = plan.summary["volumes"].get("categories")
    if raw is None:
        return None
    keys = ("category", "area", "kind", "specialty")
    if not isinstance(raw, list) or not all(isinstance(r, dict) and all(k in r for k in keys) for r in raw):
        raise ReportUnreadable(
            f"{plan.folder / 'summary.json'}, volumes.categories: expected a list of {keys}"
        )
    return [{k: str(r[k]) for k in keys} for r in raw]


def decision_table_html(table: pd.DataFrame, hospital: str) -> str:
    """The decision's volume table as HTML: area, kind and total rows set apart, categories indented."""
    head = f"<th>{escaped(hospital)}</th>" + "".join(f'<th class="num">{f}</th>' for f in FIGURES)
    body = []
    for row in table.to_dict("records"):
        figures = "".join(f'<td class="num">{number_text(int(row[f]))}</td>' for f in FIGURES)
        body.append(f'<tr class="{row[LEVEL]}"><td>{escaped(row[LABEL])}</td>{figures}</tr>')
    return f'<table class="decision"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def matrix_html(matrix: pd.DataFrame) -> str:
    """A provider x month matrix as HTML, its last row (the totals) set apart."""
    header = ["provider", *map(str, matrix.columns)]
    rows = matrix_rows(matrix)
    return html_table(header, rows[:-1], numeric=[False] + [True] * len(matrix.columns), total=rows[-1])


def decision_section(plan: Plan) -> str:
    """One fold per hospital: its volume table in the decision's layout and its referrals by month."""
    folder = plan.folder
    parts = [f'<section id="decision"><h2>{escaped(TITLE)}</h2><p class="note">{escaped(LEAD)}</p>']
    categories = _categories(plan)
    if categories is None:
        parts.append(f'<p class="note">{escaped(NO_CATEGORIES)}</p>')
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
            parts.append(decision_table_html(decision_volume_table(categories, volumes, hospital), hospital))
        matrix = delivery_matrix(delivery, hospital, months)
        parts.append(f"<h3>{escaped(MATRIX_TITLE)}</h3>")
        if len(matrix) > 1:
            parts.append(matrix_html(matrix))
        else:
            parts.append(f'<p class="note">{escaped(hospital)} {escaped(NOTHING_SENT)}</p>')
        parts.append("</details>")
    parts.append("</section>")
    return "".join(parts)
