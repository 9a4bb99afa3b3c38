"""What the comparing commands print: `diff` (plan against plan), `followup` (outcomes against the
plan) and `sweep` (what-ifs against the base plan)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from leveransplan.models.language import _
from leveransplan.models.numbers import decimals, grouped, msek, signed
from leveransplan.outputs.console.common import err_console, out_console
from leveransplan.outputs.diff import (
    MONTH_KIND_WORDS,
    ActualMonths,
    PlanDiff,
    decision_words,
    month_span,
    replan_words,
)

# Follow-up rows shown per table; the CSV files hold them all.
_FOLLOW_UP_ROWS = 25


def print_diff(plan_a: Path, plan_b: Path, result: PlanDiff) -> None:
    """The flows that change, the objectives of both plans, and who must decide the cost change;
    for a re-plan, the kind of each month and what A had planned for months replaced by actuals."""
    for sentence in replan_words(result, str(plan_a), str(plan_b)):
        out_console.print(sentence, markup=False, highlight=False)
    replan = result.replan is not None
    flows = Table(
        title=_("Referrals that change from {plan_a} to {plan_b}").format(plan_a=plan_a, plan_b=plan_b),
        title_justify="left",
    )
    for column in (_("month"), *([_("kind")] if replan else []), _("hospital"), _("provider")):
        flows.add_column(column, justify="left")
    for column in (_("referrals A"), _("referrals B"), _("change"), _("SEK change")):
        flows.add_column(column, justify="right")
    for row in result.changed_flows:
        flows.add_row(
            row["month"],
            *([_(MONTH_KIND_WORDS.get(row["month_kind"], row["month_kind"]))] if replan else []),
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
    objectives = Table(title=_("Objectives"), title_justify="left")
    for column in (_("model"), _("objective")):
        objectives.add_column(column, justify="left")
    for column in ("A", "B", _("change")):
        objectives.add_column(column, justify="right")
    for row in result.objectives:
        change = "" if row["change"] is None else signed(row["change"])
        a, b = (grouped(v) if isinstance(v, int) else str(v) for v in (row["a"], row["b"]))
        objectives.add_row(row["model"], row["objective"], a, b, change)
    out_console.print(objectives)
    if result.actual is not None:
        out_console.print(
            _(
                "B's objectives cover only the months after the actuals, A's its whole horizon: "
                "no change shown."
            )
        )
    if result.volume_table:
        title = (
            _("Volume table changes (bas and tillägg) over the months compared")
            if result.actual is not None
            else _("Volume table changes (bas and tillägg)")
        )
        table = Table(title=title, title_justify="left")
        for column in (_("hospital"), _("category")):
            table.add_column(column, justify="left")
        for column in (_("bas A"), _("bas B"), _("tillägg A"), _("tillägg B"), _("uppdrag change")):
            table.add_column(column, justify="right")
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
        title = (
            _("Spend per hospital (its patients' care beyond bas, months compared)")
            if result.actual is not None
            else _("Spend per hospital (its patients' care beyond bas)")
        )
        spend = Table(title=title, title_justify="left")
        spend.add_column(_("hospital"), justify="left")
        for column in (_("SEK A"), _("SEK B"), _("change")):
            spend.add_column(column, justify="right")
        spend.add_column(_("delegation"), justify="left")
        for hospital in result.hospitals:
            spend.add_row(
                hospital.hospital,
                grouped(hospital.spend_a_sek),
                grouped(hospital.spend_b_sek),
                signed(hospital.change_sek),
                _("beyond {limit} SEK").format(limit=grouped(3_000_000))
                if hospital.beyond_delegation
                else _("within"),
            )
        out_console.print(spend)
    out_console.print(decision_words(result))


def _print_actual_months(actual: ActualMonths) -> None:
    """What A had planned for the months replaced by actuals, per hospital: not removals."""
    table = Table(
        title=_("Months replaced by actuals ({months}): plan A's spend there, not compared").format(
            months=month_span(actual.months)
        ),
        title_justify="left",
    )
    table.add_column(_("hospital"), justify="left")
    table.add_column(_("SEK planned in A"), justify="right")
    for hospital, sek in actual.spend_a_sek.items():
        table.add_row(hospital, grouped(sek))
    table.add_row(_("all hospitals"), grouped(actual.cost_a_sek))
    out_console.print(table)
    out_console.print(
        _(
            "{flows} flows of plan A ({referrals} referrals) fall in those months: replaced by the "
            "actuals, not removed; the diff CSV lists them with month_kind actual."
        ).format(flows=grouped(actual.flows), referrals=grouped(actual.referrals))
    )


# The sweep table's columns on the terminal, by their names in the CSV file: the change in
# patient-months beyond the guarantee first, then in money; the other terms' changes are in the file.
_SWEEP_SHOWN = (
    "variant",
    "status",
    "over_guarantee_change",
    "cost_change_sek",
    "over_guarantee",
    "cost",
    "equity",
    "out_of_region",
    "travel",
    "seconds",
)


def print_sweep(title: str, rows: Sequence[dict[str, Any]]) -> None:
    """Each variant's change against the base plan (patient-months, then MSEK) and its objective
    terms in a table, then its note."""
    table = Table(title=title, title_justify="left")
    # The objective terms' columns keep the names sweep's CSV has.
    money = {"cost": _("cost MSEK"), "cost_change_sek": _("change MSEK")}
    words = {
        "variant": _("variant"),
        "status": _("status"),
        "seconds": _("seconds"),
        "over_guarantee_change": _("change patient-months"),
    }
    for column in _SWEEP_SHOWN:
        table.add_column(
            money.get(column, words.get(column, column)),
            justify="left" if column in ("variant", "status") else "right",
        )
    for row in rows:
        cells = []
        for column in _SWEEP_SHOWN:
            value = row.get(column)
            if value is None:
                cells.append("")
            elif column == "cost_change_sek":
                cells.append(("+" if value > 0 else "") + msek(value))
            elif column in money:
                cells.append(msek(value))
            elif column.endswith("_change"):
                cells.append(signed(value) if value else "0")
            else:
                cells.append(
                    grouped(value)
                    if isinstance(value, int)
                    else decimals(value)
                    if isinstance(value, float)
                    else str(value)
                )
        table.add_row(*cells)
    out_console.print(table)
    for row in rows:
        if row.get("note"):
            out_console.print(f"{row['variant']}: {row['note']}", markup=False, highlight=False)


@contextmanager
def sweep_progress(total: int, done: int) -> Iterator[Callable[[], None]]:
    """A bar on stderr of the variants solved (`done` of `total` at the start) and the time left;
    calling what it yields counts one more. It is gone when the block ends."""
    progress = Progress(
        TextColumn(_("What-ifs")),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(_("time left")),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,  # nothing in a log file or a pipe
    )
    task = progress.add_task("", total=total, completed=done)
    with progress:
        yield lambda: progress.advance(task)
