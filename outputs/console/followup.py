"""What `followup` prints: outcomes against the plan, the care guarantee's fulfilment and the ST-A
status, each table cut at _ROWS rows (the CSV files hold them all), in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from leveransplan.models.language import N_, _, ngettext
from leveransplan.models.numbers import decimals, grouped, percent, signed
from leveransplan.outputs.console.common import out_console
from leveransplan.outputs.followup import (
    BY_PROVIDER_COLUMNS,
    PERIOD_COLUMNS,
    PRODUCTION_COLUMNS,
    REFERRAL_COLUMNS,
    TOTAL,
    FollowUp,
)
from leveransplan.outputs.followup_training import ST_STATUS_COLUMNS

_ROWS = 25

# The heading of each CSV column shown; the cells are the CSV's values, figures as the language writes them.
_HEADINGS = {
    "month": N_("Month"),
    "hospital": N_("Hospital"),
    "category": N_("Category"),
    "provider": N_("Provider"),
    "kind": N_("Kind"),
    "year": N_("Year"),
    "period": N_("Period"),
    "planned": N_("Planned"),
    "performed": N_("Performed"),
    "delivered": N_("Delivered"),
    "difference": N_("Difference"),
    "fulfilment_pct": N_("Fulfilment"),
    "planned_waiting": N_("Waiting, planned"),
    "planned_pct": N_("Within the guarantee, planned"),
    "actual_waiting": N_("Waiting, reported"),
    "actual_pct": N_("Within the guarantee, reported"),
    "difference_pct_points": N_("Difference, points"),
    "trainees": N_("ST-A trainees"),
    "fully_planned": N_("Every placement planned"),
    "share_pct": N_("Share"),
    "unplaced_requirements": N_("Unplaced placements"),
}
# The guarantee's table on the terminal: the two lists and their shares (the CSV has the counts too).
_GUARANTEE_SHOWN = (
    "month",
    "hospital",
    "planned_waiting",
    "planned_pct",
    "actual_waiting",
    "actual_pct",
    "difference_pct_points",
)
_CODES = ("month", "hospital", "category", "provider", "year", "period", "kind")
_SHARES = ("fulfilment_pct", "planned_pct", "actual_pct", "share_pct")
_CHANGES = ("difference",)


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in _SHARES:
        return percent(value / 100)
    if column == "difference_pct_points":
        return decimals(value)
    if column in _CHANGES:
        return signed(value) if value else grouped(value)
    if isinstance(value, int):
        return grouped(value)
    return _("total") if value == TOTAL else str(value)


def print_table(title: str, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    """`rows` under `title`, the first _ROWS of them, and how many more the CSV file holds."""
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(_(_HEADINGS[column]), justify="left" if column in _CODES else "right")
    for row in rows[:_ROWS]:
        table.add_row(*(_cell(column, row[column]) for column in columns))
    out_console.print(table)
    if len(rows) > _ROWS:
        more = len(rows) - _ROWS
        out_console.print(
            ngettext(
                "... and {count} more row in the CSV file.",
                "... and {count} more rows in the CSV file.",
                more,
            ).format(count=grouped(more))
        )


def print_follow_up(result: FollowUp) -> None:
    """Performed against planned and delivered against the plan, shortfalls first; the waiting
    lists within the care guarantee; the ST-A status of the months reported."""
    reported = {row["month"] for row in result.production}
    st_rows = result.st_status or []
    # A status report is of the month followed up; without such a month, of the plan's months.
    st_rows = [row for row in st_rows if row["month"] in reported] or st_rows
    for title, columns, rows in (
        (_("Performed against planned per hospital and kind, to date"), PERIOD_COLUMNS, result.periods),
        (
            _("Performed against planned (target 100 %), shortfalls first"),
            PRODUCTION_COLUMNS,
            result.production,
        ),
        (
            _("Referrals delivered against the delivery plan, shortfalls first"),
            REFERRAL_COLUMNS,
            result.referrals,
        ),
        (_("Referrals per hospital and provider, to date"), BY_PROVIDER_COLUMNS, result.by_provider),
        (
            _("Waiting lists within the care guarantee, planned and reported"),
            _GUARANTEE_SHOWN,
            result.guarantee or [],
        ),
        (_("ST-A trainees with every placement planned (target 100 %)"), ST_STATUS_COLUMNS, st_rows),
    ):
        if rows:
            print_table(title, columns, rows)
    if result.guarantee is not None and result.st_status is None:
        out_console.print(_("The plan has no ST-A placements (placements.csv): no ST-A status."))
