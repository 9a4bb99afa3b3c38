"""What `explain` and `frontier` print: the patient-months left beyond the care guarantee, the
limits that leave them there, and what money would buy of them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from rich.table import Table

from leveransplan.models.explanation import CapacityLossAccount, OverGuaranteeReason
from leveransplan.models.frontier import SCENARIO_BUDGET, Frontier, MarginalFigure
from leveransplan.models.language import _, ngettext
from leveransplan.models.numbers import decimals, grouped
from leveransplan.models.scenario import Scenario
from leveransplan.models.wording import shown
from leveransplan.outputs.console.common import err_console, out_console


def print_explanations_json(
    reasons: Sequence[OverGuaranteeReason],
    figure: MarginalFigure | None,
    losses: Sequence[CapacityLossAccount] = (),
) -> None:
    """Every explanation as JSON on stdout; with the marginal figure or capacity losses, each under
    its name."""
    explained = [r.as_dict() for r in reasons]
    document: object = explained
    if figure is not None or losses:
        document = {
            "reasons": explained,
            **({"marginal": figure.as_dict()} if figure is not None else {}),
            **({"capacity_loss": [a.as_dict() for a in losses]} if losses else {}),
        }
    print(json.dumps(document, ensure_ascii=False, indent=2))


def print_capacity_losses(losses: Sequence[CapacityLossAccount]) -> None:
    """Each hospital that loses capacity in a go-live: how the plan treated its patients, with costs."""
    for account in losses:
        first, *rest = account.lines()
        out_console.print(f"\n[bold]{account.hospital}[/]: {first.removeprefix(account.hospital + ' ')}")
        for line in rest:
            out_console.print(f"  {line}", markup=False, highlight=False)


def print_explanations(
    scenario: Scenario,
    reasons: Sequence[OverGuaranteeReason],
    top: int,
    marginal: Sequence[str] | None,
    proposal: Sequence[str] | None = None,
) -> None:
    """The `top` hospital and category pairs with most patient-months beyond the guarantee, each
    with the limits that bind and the capacity left unused; then `marginal`'s lines and the
    proposal of what to procure (candidate contracts), if any."""
    total = sum(r.patient_months for r in reasons)
    out_console.print(
        ngettext(
            "[bold]{scenario}[/]: {total} patient-months beyond the care guarantee, in {pairs} hospital "
            "and category pair; most first.",
            "[bold]{scenario}[/]: {total} patient-months beyond the care guarantee, in {pairs} hospital "
            "and category pairs; most first.",
            len(reasons),
        ).format(scenario=scenario.name, total=grouped(total), pairs=grouped(len(reasons)))
    )
    for reason in reasons[:top]:
        out_console.print(
            "\n"
            + _(
                "[bold]{hospital} · {category}[/]: {months_over} patient-months beyond the guarantee in "
                "{months} ({start} beyond it at the start, {end} at the end)"
            ).format(
                hospital=reason.hospital,
                category=reason.category,
                months_over=grouped(reason.patient_months),
                months=reason.months,
                start=grouped(reason.over_start),
                end=grouped(reason.over_end),
            ),
            highlight=False,
        )
        for limit in reason.limits:
            out_console.print(
                "  " + _("binds: {limit}").format(limit=shown(limit)), markup=False, highlight=False
            )
        for unused in reason.unused:
            out_console.print(
                "  " + _("left unused: {unused}").format(unused=shown(unused)), markup=False, highlight=False
            )
    if len(reasons) > top:
        out_console.print(
            "\n"
            + _("... and {count} more; --top {all} shows them all.").format(
                count=len(reasons) - top, all=len(reasons)
            )
        )
    unexplained = [r for r in reasons[:top] if r.unused and not r.money_binds]
    if unexplained:
        order = ", ".join(scenario.objective.volumes)
        out_console.print(
            "\n"
            + _(
                "'left unused' is capacity that would have shortened a wait beyond the guarantee. Where "
                "no budget cap or frame binds, the plan leaves it because of the objective order "
                "({order}) or a stage stopped on the time limit (see the stages' status)."
            ).format(order=order)
        )

    if marginal is not None:
        out_console.print("\n[bold]" + _("What another 10 MSEK buys") + "[/]")
        for line in marginal:
            out_console.print(line, markup=False, highlight=False)
    if proposal is not None:
        out_console.print("\n[bold]" + _("Candidate contracts") + "[/]")
        for line in proposal:
            out_console.print(line, markup=False, highlight=False)


def print_frontier_written(frontier: Frontier, written: Path, partial_exit: int) -> None:
    """The curve, where it was written and, when the time limit stopped points before they were
    proven best, what that means (exit code `partial_exit`)."""
    print_frontier(frontier)
    out_console.print(_("Frontier written to {folder}.").format(folder=written))
    if frontier.partial:
        stopped = [p for p in frontier.points if p.status != "OPTIMAL"]
        err_console.print(
            _(
                "[bold yellow]Partial frontier:[/] the time limit stopped {stopped} of {points} points "
                "before they were proven best (their gap is in the table); a longer --time-limit or "
                "fewer --points may do better. Exit code {code}."
            ).format(stopped=len(stopped), points=len(frontier.points), code=partial_exit)
        )


def print_frontier(frontier: Frontier) -> None:
    """The curve as a table: each budget's plan, bound and what the money from the budget before buys."""
    table = Table(
        title=_("{scenario}: patient-months beyond the guarantee against the budget").format(
            scenario=frontier.scenario
        ),
        title_justify="left",
    )
    # The seconds of each point are in frontier.csv: without them the table fits 80 columns.
    # over_guarantee is the objective's name, as frontier.csv and the stage tables have it.
    columns = (
        _("budget SEK"),
        "over_guarantee",
        _("bound"),
        _("status"),
        _("gap %"),
        _("cost SEK"),
        _("per MSEK"),
    )
    for number, column in enumerate(columns):
        table.add_column(column, justify="left" if number == 3 else "right", no_wrap=True)
    for i, point in enumerate(frontier.points):
        per_msek = frontier.removed_per_msek(i)
        table.add_row(
            grouped(point.budget_sek),
            grouped(point.over_guarantee),
            grouped(point.bound),
            point.status,
            "<" + decimals(0.01, 2) if 0 < point.gap_pct < 0.005 else decimals(point.gap_pct, 2),
            grouped(point.cost_sek),
            "" if per_msek is None else decimals(per_msek),
            style="bold" if SCENARIO_BUDGET in point.marks else None,
        )
    out_console.print(table)
    first, last = frontier.points[0], frontier.points[-1]
    out_console.print(
        _(
            "over_guarantee: patient-months beyond the care guarantee of the best plan found within the "
            "budget; bound: proven, no plan within the budget does better; cost: the plan's; per MSEK: "
            "patient-months that the money from the budget before removes, per million SEK. The least cost, "
            "{least} SEK (the take-or-pay minimums), leaves {least_over}; the unconstrained optimum costs "
            "{most} SEK and leaves {most_over}: more money buys nothing."
        ).format(
            least=grouped(first.budget_sek),
            least_over=grouped(first.over_guarantee),
            most=grouped(last.budget_sek),
            most_over=grouped(last.over_guarantee),
        ),
        highlight=False,
    )
    budget_words = frontier.scenario_budget_words()
    if budget_words is not None:
        words = shown(budget_words)
        bold = " " + _("(in bold)") if any(SCENARIO_BUDGET in p.marks for p in frontier.points) else ""
        out_console.print(words[0].upper() + words[1:] + bold + ".", highlight=False)
    if len(frontier.points) < frontier.points_asked:
        out_console.print(
            _(
                "{points} budgets instead of {asked}: the span from the least cost to the unconstrained "
                "optimum's holds fewer whole SEK."
            ).format(points=len(frontier.points), asked=frontier.points_asked)
        )
