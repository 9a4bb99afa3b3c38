"""The rules of uncertainty.csv (a format 1.1 addition, docs/scenarios.md), each appending located
problems: a kind of the six, only the keys the kind takes, codes of the scenario's tables, months
of the horizon, a value in the kind's range, and one row for each kind and keys.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from leveransplan.inputs.problems import NOT_A_CATEGORY, NOT_A_HOSPITAL
from leveransplan.models.language import N_, _
from leveransplan.models.scenario import UNCERTAINTY_KEYS

if TYPE_CHECKING:
    from leveransplan.inputs.load import CrossTableRules
    from leveransplan.inputs.tables import Record

FILE = "uncertainty.csv"
CONTRACT_FILES = ("contracts.csv", "candidate_contracts.csv")
KEY_COLUMNS = ("hospital", "category", "contract", "month")
# The two kinds that state how a hospital's and category's inflow varies: one of them per pair.
INFLOW_KINDS = ("inflow_cv", "inflow_swing")
SEASON_MAX = Decimal(10)
# What each kind's value must be, as a problem message says it (the range and what it means).
EXPECTED_VALUE = {
    "inflow_cv": N_(
        "expected a coefficient of variation from 0 to 1 (0.1: a standard deviation of 10 % of the forecast)"
    ),
    "inflow_swing": N_(
        "expected a swing from 0 to 1 (0.2: the inflow is 80 % or 120 % of the forecast, equally likely)"
    ),
    "season": N_(
        "expected the month's inflow relative to an average month, above 0 and at most 10 "
        "(1.2: a fifth more than an average month)"
    ),
    "shortfall_chance": N_("expected a chance from 0 to 1 (0.1 is one month in ten)"),
    "shortfall_depth": N_(
        "expected the share of production lost in a month that falls short, from 0 to 1 (0.2 loses a fifth)"
    ),
    "reliability": N_(
        "expected the chance that the provider delivers a month's planned referrals, from 0 to 1 "
        "(0.95 cancels one month in twenty)"
    ),
}


def value_in_range(kind: str, value: Decimal) -> bool:
    """Whether `value` is a figure a row of `kind` may state (EXPECTED_VALUE says the ranges)."""
    if kind == "season":
        return 0 < value <= SEASON_MAX
    return 0 <= value <= 1


def _not_known(column: str) -> str:
    if column == "hospital":
        return _(NOT_A_HOSPITAL).format(source="hospitals.csv")
    if column == "category":
        return _(NOT_A_CATEGORY).format(source="categories.csv")
    return _("is not a contract in contracts.csv or candidate_contracts.csv")


class UncertaintyRules:
    """uncertainty.csv's rules over the records the loader parsed, row by row."""

    def __init__(self, checker: CrossTableRules) -> None:
        self.c = checker
        contracts = {r["contract"] for file in CONTRACT_FILES for r in checker.rows(file)}
        # Each code column: the codes it may name, and the files they come from.
        self.codes: dict[str, tuple[set[str], set[str]]] = {
            "hospital": (checker.hospitals, {"hospitals.csv"}),
            "category": (checker.categories, {"categories.csv"}),
            "contract": (contracts, set(CONTRACT_FILES)),
        }
        self.first_row: dict[tuple[object, ...], int] = {}
        self.inflow_rows: dict[tuple[object, ...], tuple[str, int]] = {}

    def check_all(self) -> None:
        for record in self.c.rows(FILE):
            kind = record["kind"]
            if kind not in UNCERTAINTY_KEYS:
                self.c.add(
                    FILE,
                    record,
                    "kind",
                    _("is not a kind of uncertainty; expected one of {kinds}").format(
                        kinds=", ".join(UNCERTAINTY_KEYS)
                    ),
                )
                self.codes_known(record, KEY_COLUMNS)
                continue
            taken = UNCERTAINTY_KEYS[kind]
            self.keys_taken(record, kind, taken)
            if kind == "season" and record["month"] is None:
                self.c.add(
                    FILE,
                    record,
                    "month",
                    _("a season row states one month's inflow; expected a month written YYYY-MM"),
                )
            self.codes_known(record, taken)
            if not value_in_range(kind, record["value"]):
                self.c.add(FILE, record, "value", _(EXPECTED_VALUE[kind]))
            self.once(record, kind)

    def keys_taken(self, record: Record, kind: str, taken: tuple[str, ...]) -> None:
        """Hard: a row gives only the keys its kind takes."""
        for column in KEY_COLUMNS:
            if column not in taken and record[column] is not None:
                self.c.add(
                    FILE,
                    record,
                    column,
                    _("is not a key of kind {kind}; expected the cell empty ({kind} takes {keys})").format(
                        kind=kind, keys=", ".join(taken)
                    ),
                )

    def codes_known(self, record: Record, columns: tuple[str, ...]) -> None:
        """Hard: a key given names a hospital, category or contract of the scenario, or a month of
        its horizon. A source table with problems of its own is no evidence (CrossTableRules)."""
        for column, (codes, sources) in self.codes.items():
            value = record[column]
            if (
                column in columns
                and value is not None
                and not sources & self.c.unreadable
                and value not in codes
            ):
                self.c.add(FILE, record, column, _not_known(column))
        if "month" in columns:
            self.c.in_horizon(FILE, "month", [record])

    def once(self, record: Record, kind: str) -> None:
        """Hard: a kind and its keys appear once; and a hospital's and category's inflow varies by
        inflow_cv or by inflow_swing, not by both (the later row is refused)."""
        key = (kind, *(record[column] for column in KEY_COLUMNS))
        if key in self.first_row:
            given = [f"{column}={record[column]}" for column in KEY_COLUMNS if record[column] is not None]
            self.c.add(
                FILE,
                record,
                "kind",
                _("duplicates row {row} ({key}); each key once").format(
                    row=self.first_row[key], key=", ".join([kind, *given])
                ),
            )
            return
        self.first_row[key] = record.row
        if kind not in INFLOW_KINDS:
            return
        pair = (record["hospital"], record["category"])
        earlier = self.inflow_rows.setdefault(pair, (kind, record.row))
        if earlier[0] != kind:
            self.c.add(
                FILE,
                record,
                "kind",
                _(
                    "row {row} gives the same hospital and category an {other} already; expected "
                    "inflow_cv or inflow_swing for them, not both"
                ).format(row=earlier[1], other=earlier[0]),
            )
