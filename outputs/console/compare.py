"""What the comparing commands print: `diff` (plan against plan), `followup` (outcomes against the
plan) and `sweep` (what-ifs against the base plan)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.table import Table

from leveransplan.models.numbers import grouped, msek, signed
from leveransplan.outputs.console.common import out_console
from leveransplan.outputs.diff import ActualMonths, PlanDiff, decision_words, month_span, replan_words
from leveransplan.outputs.followup import (
    BY_PROVIDER_COLUMNS,
    PERIOD_COLUMNS,
    PRODUCTION_COLUMNS,
    REFERRAL_COLUMNS,
    FollowUp,
)

# Follow-up rows shown per table; the CSV files hold them all.
_FOLLOW_UP_ROWS = 25


def print_diff(plan_a: Path, plan_b: Path, result: PlanDiff) -> None:
    """The flows that change, the objectives of both plans, and who must decide the cost change;
    for a re-plan, the kind of each month and what A had planned for months replaced by actuals."""
    for sentence in replan_words(result, str(plan_a), str(plan_b)):
        out_console.print(sentence, markup=False, highlight=False)
    replan = result.replan is not None
    flows = Table(title=f"Referrals that change from {plan_a} to {plan_b}", title_justify="left")
    columns = ["month", *(["kind"] if replan else []), "hospital", "provider"]
    for column in (*columns, "referrals A", "referrals B", "change", "SEK change"):
        flows.add_column(column, justify="left" if column in columns else "right")
    for row in result.changed_flows:
        flows.add_row(
            row["month"],
            *([row["month_kind"]] if replan else []),
            row["hospital"],
            row["provider"],
            grouped(row["volume_a"]),
            grouped(row["volume_b"]),
            signed(row["volume_change"]),
            signed(row["cost_change_sek"]),
        )
    out_console.print(flows)
    if result.actual is not None:
        _print_actual_months(result.actual)
    objectives = Table(title="Objectives", title_justify="left")
    for column in ("model", "objective", "A", "B", "change"):
        objectives.add_column(column, justify="left" if column in ("model", "objective") else "right")
    for row in result.objectives:
        change = "" if row["change"] is None else signed(row["change"])
        a, b = (grouped(v) if isinstance(v, int) else str(v) for v in (row["a"], row["b"]))
        objectives.add_row(row["model"], row["objective"], a, b, change)
    out_console.print(objectives)
    if result.actual is not None:
        out_console.print(
            "B's objectives cover only the months after the actuals, A's its whole horizon: no change shown."
        )
    if result.volume_table:
        months = " over the months compared" if result.actual is not None else ""
        table = Table(title=f"Volume table changes (bas and tillägg){months}", title_justify="left")
        for column in ("hospital", "category", "bas A", "bas B", "tillägg A", "tillägg B", "uppdrag change"):
            table.add_column(column, justify="left" if column in ("hospital", "category") else "right")
        for row in result.volume_table:
            table.add_row(
                row["hospital"],
                row["category"],
                grouped(row["bas_a"]),
                grouped(row["bas_b"]),
                grouped(row["tillagg_a"]),
                grouped(row["tillagg_b"]),
                signed(row["uppdrag_change"]),
            )
        out_console.print(table)
    if result.cost_change_sek is None:
        return
    if result.hospitals:
        months = ", months compared" if result.actual is not None else ""
        title = f"Spend per hospital (its patients' care beyond bas{months})"
        spend = Table(title=title, title_justify="left")
        for column in ("hospital", "SEK A", "SEK B", "change", "delegation"):
            spend.add_column(column, justify="left" if column in ("hospital", "delegation") else "right")
        for hospital in result.hospitals:
            spend.add_row(
                hospital.hospital,
                grouped(hospital.spend_a_sek),
                grouped(hospital.spend_b_sek),
                signed(hospital.change_sek),
                "beyond 3 000 000 SEK" if hospital.beyond_delegation else "within",
            )
        out_console.print(spend)
    out_console.print(decision_words(result))


def _print_actual_months(actual: ActualMonths) -> None:
    """What A had planned for the months replaced by actuals, per hospital: not removals."""
    table = Table(
        title=f"Months replaced by actuals ({month_span(actual.months)}): plan A's spend there, not compared",
        title_justify="left",
    )
    for column in ("hospital", "SEK planned in A"):
        table.add_column(column, justify="left" if column == "hospital" else "right")
    for hospital, sek in actual.spend_a_sek.items():
        table.add_row(hospital, grouped(sek))
    table.add_row("all hospitals", grouped(actual.cost_a_sek))
    out_console.print(table)
    out_console.print(
        f"{grouped(actual.flows)} flows of plan A ({grouped(actual.referrals)} referrals) fall in those "
        "months: replaced by the actuals, not removed; the diff CSV lists them with month_kind actual."
    )


def print_follow_up(result: FollowUp) -> None:
    """Performed against planned and delivered against the plan, shortfalls first, each table cut
    at _FOLLOW_UP_ROWS rows."""
    for title, columns, rows in (
        ("Performed against planned per hospital and kind, to date", PERIOD_COLUMNS, result.periods),
        ("Performed against planned (target 100 %), shortfalls first", PRODUCTION_COLUMNS, result.production),
        (
            "Referrals delivered against the delivery plan, shortfalls first",
            REFERRAL_COLUMNS,
            result.referrals,
        ),
        ("Referrals per hospital and provider, to date", BY_PROVIDER_COLUMNS, result.by_provider),
    ):
        if not rows:
            continue
        table = Table(title=title, title_justify="left")
        for column in columns:
            table.add_column(
                column,
                justify="left"
                if column in ("month", "hospital", "category", "provider", "year", "period", "kind")
                else "right",
            )
        for row in rows[:_FOLLOW_UP_ROWS]:
            table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
        out_console.print(table)
        if len(rows) > _FOLLOW_UP_ROWS:
            out_console.print(f"... and {len(rows) - _FOLLOW_UP_ROWS} more rows in the CSV file.")


def print_sweep(title: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    """Each variant's objective terms and cost change in a table (money in MSEK), then its note."""
    table = Table(title=title, title_justify="left")
    money = {"cost": "cost MSEK", "cost_change_sek": "change MSEK"}
    shown = [c for c in columns if c != "note"]
    for column in shown:
        table.add_column(
            money.get(column, column), justify="left" if column in ("variant", "status") else "right"
        )
    for row in rows:
        cells = []
        for column in shown:
            value = row.get(column)
            if value is None:
                cells.append("")
            elif column in money:
                cells.append(msek(value))
            else:
                cells.append(grouped(value) if isinstance(value, int) else str(value))
        table.add_row(*cells)
    out_console.print(table)
    for row in rows:
        if row.get("note"):
            out_console.print(f"{row['variant']}: {row['note']}", markup=False, highlight=False)
