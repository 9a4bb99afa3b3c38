"""What-if changes: edits to a scenario's tables and settings made in memory, never in the files.

Each change is applied to the parsed rows before the cross-table rules run, so a what-if is
validated exactly like the files it changes: a value that breaks a rule (a contract's minimum
above its new maximum) is reported like the same value typed into the CSV file. A change that
names an unknown table, key, column, hospital or provider is an error of the flag itself
(WhatIfInvalid), reported with the flag as the analyst typed it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from leveransplan.inputs import cells
from leveransplan.inputs.problems import NOT_A_CATEGORY, NOT_A_HOSPITAL, InputProblem, ScenarioInvalid
from leveransplan.inputs.schemas import ALL_TABLES
from leveransplan.inputs.tables import Record, TableSchema
from leveransplan.models.language import _
from leveransplan.models.months import format_month, parse_month
from leveransplan.models.numbers import grouped
from leveransplan.models.scenario import (
    AT_OBJECTIVES,
    PLACEMENT_OBJECTIVES,
    VOLUME_TERMS,
    CapacityLossRow,
)

# The columns that pick out one row of each table, as `--set TABLE.KEY.COLUMN=VALUE` names it
# (several key columns joined by '/': own_volumes.SÄS/OP-KATARAKT.additional_max; an empty
# category as nothing between the slashes: capacity_loss.SU//2026-04/2026-06.factor).
# capacity_loss.csv and catch_up.csv may hold several rows for one hospital, category and month, so
# every column but the figures is the key; rows that still share a key cannot be told apart.
KEYS: dict[str, tuple[str, ...]] = {
    "hospitals.csv": ("hospital",),
    "categories.csv": ("category",),
    "prices.csv": ("hospital", "price_class"),
    "own_volumes.csv": ("hospital", "category"),
    "need.csv": ("hospital", "category"),
    "profile.csv": ("hospital", "month"),
    "contracts.csv": ("contract",),
    "candidate_contracts.csv": ("contract",),
    "access.csv": ("hospital", "provider"),
    "at.csv": ("hospital",),
    "at_rotations.csv": ("hospital", "area"),
    "st_trainees.csv": ("trainee",),
    "st_requirements.csv": ("trainee", "specialty"),
    "st_capacity.csv": ("hospital", "specialty", "year"),
    "travel.csv": ("home_area", "hospital"),
    "st_fixed.csv": ("trainee", "specialty"),
    "capacity_loss.csv": ("hospital", "category", "first_month", "last_month"),
    "catch_up.csv": ("hospital", "category", "first_month", "last_month"),
    "uncertainty.csv": ("kind", "hospital", "category", "contract", "month"),
}
# Tables whose key may repeat: a --set that matches several of their rows is refused.
_REPEATABLE_KEYS = ("capacity_loss.csv", "catch_up.csv")
SCHEMAS = {schema.file: schema for schema in ALL_TABLES}
NUMERIC = (cells.whole_number, cells.factor, cells.decimal)
# --shift HOSPITAL:FIRST[..LAST]=FACTOR
_SHIFT = re.compile(
    r"^(?P<hospital>[^:]+):(?P<first>\d{4}-\d{2})(?:\.\.(?P<last>\d{4}-\d{2}))?=(?P<factor>.+)$"
)
# --dip HOSPITAL[:CATEGORY...]:FIRST[..LAST]=FACTOR: categories between the hospital and the months,
# separated by ':' or ','.
_LOSS = re.compile(
    r"^(?P<hospital>[^:]+)(?::(?P<categories>[^=]*?))?:(?P<first>\d{4}-\d{2})"
    r"(?:\.\.(?P<last>\d{4}-\d{2}))?=(?P<factor>.+)$"
)
_TERMS = {"volumes": VOLUME_TERMS, "placements": PLACEMENT_OBJECTIVES, "at": AT_OBJECTIVES}


class WhatIfInvalid(ScenarioInvalid):
    """A what-if flag names something the scenario does not have, or is written wrongly."""


@dataclass(frozen=True)
class WhatIf:
    """One change as the analyst wrote it (`flag` and `text`), and what it does."""

    flag: str
    text: str

    def __str__(self) -> str:
        return f"{self.flag} {self.text}"

    def problem(self, expected: str, value: str | None = None) -> InputProblem:
        return InputProblem(str(self), None, None, value, expected)


@dataclass(frozen=True)
class SetValue(WhatIf):
    """--set TABLE.KEY.COLUMN=VALUE: one cell of one row."""

    table: str
    key: str
    column: str
    value: str


@dataclass(frozen=True)
class Scale(WhatIf):
    """--scale TABLE.COLUMN=FACTOR [--where COLUMN=VALUE ...]: a numeric column on matching rows."""

    table: str
    column: str
    factor: Decimal
    where: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return " ".join([f"{self.flag} {self.text}", *(f"--where {c}={v}" for c, v in self.where)])


@dataclass(frozen=True)
class Shift(WhatIf):
    """--shift HOSPITAL:FIRST..LAST=FACTOR: the hospital's capacity factor times FACTOR in those months,
    so the year's volumes are spread over the other months (the profile rule)."""

    hospital: str
    first: str
    last: str
    factor: Decimal


@dataclass(frozen=True)
class Dip(WhatIf):
    """--dip HOSPITAL[:CATEGORY...]:FIRST..LAST=FACTOR: a capacity_loss.csv row per category given
    (one for all the hospital's categories when none is): those months keep FACTOR of their capacity."""

    hospital: str
    categories: tuple[str, ...]
    first: str
    last: str
    factor: Decimal

    def loss_rows(self) -> list[CapacityLossRow]:
        """The capacity_loss.csv rows the flag adds."""
        return [
            CapacityLossRow(
                hospital=self.hospital,
                category=category,
                first_month=self.first,
                last_month=self.last,
                factor=self.factor,
            )
            for category in self.categories or (None,)
        ]


@dataclass(frozen=True)
class WithoutProvider(WhatIf):
    """--without-provider NAME: every contract and candidate contract with that provider left out."""

    provider: str


@dataclass(frozen=True)
class Setting(WhatIf):
    """--budget SEK or --objective TERMS: a setting of scenario.toml replaced."""

    name: str
    value: Any


# What --dip means, recorded in manifest.json beside the flags: a plan recorded without it was
# made when --dip re-spread the year's volumes (--shift now), and is read as such.
DIP_MEANS = "capacity_loss"
FLAGS = ("set", "scale", "where", "dip", "shift", "without_provider", "budget", "objective")


def what_if_flags(
    sets: Sequence[str] = (),
    scales: Sequence[str] = (),
    where: Sequence[str] = (),
    dips: Sequence[str] = (),
    without_providers: Sequence[str] = (),
    budget: str | None = None,
    objectives: Sequence[str] = (),
    shifts: Sequence[str] = (),
) -> dict[str, Any]:
    """The flags as manifest.json records them, so that `check` can apply them again."""
    flags = {
        "set": list(sets),
        "scale": list(scales),
        "where": list(where),
        "dip": list(dips),
        "without_provider": list(without_providers),
        "budget": budget,
        "objective": list(objectives),
    }
    if shifts:  # recorded only when given, so that a record without --shift stays as it was
        flags["shift"] = list(shifts)
    return flags


def parse_recorded(flags: dict[str, Any]) -> list[WhatIf]:
    """The changes of a plan's manifest.json record (what_if_flags), parsed again."""
    return parse_what_ifs(
        flags.get("set", ()),
        flags.get("scale", ()),
        flags.get("where", ()),
        flags.get("dip", ()),
        flags.get("without_provider", ()),
        flags.get("budget"),
        flags.get("objective", ()),
        flags.get("shift", ()),
    )


def _table_name(text: str) -> str:
    return text if text.endswith(".csv") else f"{text}.csv"


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(" ", "").replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _factor(text: str) -> Decimal | None:
    """A --scale or --dip factor: 0 to cells.FACTOR_MAX (1e999999999 would overflow the arithmetic)."""
    value = _decimal(text)
    return value if value is not None and cells.in_factor_range(value) else None


def parse_what_ifs(
    sets: Sequence[str] = (),
    scales: Sequence[str] = (),
    where: Sequence[str] = (),
    dips: Sequence[str] = (),
    without_providers: Sequence[str] = (),
    budget: str | None = None,
    objectives: Sequence[str] = (),
    shifts: Sequence[str] = (),
) -> list[WhatIf]:
    """The changes the flags ask for, in the order applied; WhatIfInvalid lists every bad flag."""
    changes: list[WhatIf] = []
    problems: list[InputProblem] = []
    filters: list[tuple[str, str]] = []
    for text in where:
        column, equals, value = text.partition("=")
        if not equals or not column.strip():
            problems.append(WhatIf("--where", text).problem(_("expected COLUMN=VALUE, e.g. hospital=SÄS")))
        else:
            filters.append((column.strip(), value.strip()))
    # Two values for one cell are a typo in one of them: neither silently wins.
    first_set: dict[tuple[str, str, str], str] = {}
    for text in sets:
        target, equals, value = text.partition("=")
        table, dot, rest = target.partition(".")
        key, dot2, column = rest.rpartition(".")
        if not (equals and dot and dot2 and key and column):
            problems.append(
                WhatIf("--set", text).problem(
                    _("expected TABLE.KEY.COLUMN=VALUE, e.g. contracts.KAT-1.volume_max=2500")
                )
            )
            continue
        change = SetValue("--set", text, _table_name(table.strip()), key.strip(), column.strip(), value)
        cell = (change.table, change.key, change.column)
        if cell in first_set:
            problems.append(
                change.problem(
                    _("sets the same cell as --set {other}; set each cell once").format(other=first_set[cell])
                )
            )
            continue
        first_set[cell] = text
        changes.append(change)
    for text in scales:
        target, equals, value = text.partition("=")
        table, dot, column = target.partition(".")
        factor = _factor(value) if equals else None
        if not (dot and column) or factor is None:
            problems.append(
                WhatIf("--scale", text).problem(
                    _(
                        "expected TABLE.COLUMN=FACTOR with a factor from 0 to {maximum}, "
                        "e.g. need.inflow=1.10"
                    ).format(maximum=grouped(cells.FACTOR_MAX))
                )
            )
            continue
        changes.append(
            Scale("--scale", text, _table_name(table.strip()), column.strip(), factor, tuple(filters))
        )
    if filters and not scales:
        problems.append(
            WhatIf("--where", " ".join(where)).problem(_("applies to --scale; give a --scale flag"))
        )
    for text in dips:
        dip = _parse_dip(text, problems)
        if dip is not None:
            changes.append(dip)
    for text in shifts:
        shift = _parse_shift(text, problems)
        if shift is not None:
            changes.append(shift)
    for name in without_providers:
        changes.append(WithoutProvider("--without-provider", name, name.strip()))
    if budget is not None:
        amount = _decimal(budget)
        if amount is None or not 0 <= amount <= cells.WHOLE_MAX or amount != amount.to_integral_value():
            problems.append(
                WhatIf("--budget", budget).problem(
                    _("expected whole SEK, 0 or more (at most {maximum}), e.g. 250e6").format(
                        maximum=grouped(cells.WHOLE_MAX)
                    )
                )
            )
        else:
            changes.append(Setting("--budget", budget, "max_cost_sek", int(amount)))
    for text in objectives:
        model, equals, terms_text = text.partition("=")
        if not equals:
            model, terms_text = "volumes", text
        model = model.strip()
        terms = tuple(t.strip() for t in terms_text.split(",") if t.strip())
        flag = WhatIf("--objective", text)
        if model not in _TERMS:
            problems.append(
                flag.problem(
                    _("expected a model of {models} before '='").format(models=", ".join(_TERMS)), model
                )
            )
        elif not terms or any(t not in _TERMS[model] for t in terms) or len(set(terms)) != len(terms):
            problems.append(
                flag.problem(
                    _("expected {model} terms from {terms}, each once, separated by commas").format(
                        model=model, terms=", ".join(_TERMS[model])
                    )
                )
            )
        else:
            changes.append(Setting("--objective", text, f"objective.{model}", terms))
    if problems:
        raise WhatIfInvalid(problems)
    return changes


def _months(flag: WhatIf, first: str, last: str, problems: list[InputProblem]) -> bool:
    """Whether FIRST..LAST are months in order; else the problem is listed."""
    try:
        if parse_month(last) < parse_month(first):
            problems.append(
                flag.problem(
                    _("the months end ({last}) before they start ({first})").format(last=last, first=first)
                )
            )
            return False
    except ValueError:
        # The flag's pattern has let through only YYYY-MM: what is wrong is a month beyond 12.
        bad = next(m for m in (first, last) if not 1 <= int(m[5:]) <= 12)
        problems.append(
            flag.problem(_("{month} has no month {number}").format(month=repr(bad), number=int(bad[5:])))
        )
        return False
    return True


def _parse_shift(text: str, problems: list[InputProblem]) -> Shift | None:
    match = _SHIFT.match(text.strip())
    factor = _factor(match.group("factor")) if match else None
    if match is None or factor is None:
        problems.append(
            WhatIf("--shift", text).problem(
                _(
                    "expected HOSPITAL:YYYY-MM..YYYY-MM=FACTOR with a factor from 0 to {maximum}, "
                    "e.g. SU:2026-04..2026-06=0.6"
                ).format(maximum=grouped(cells.FACTOR_MAX))
            )
        )
        return None
    first, last = match.group("first"), match.group("last") or match.group("first")
    if not _months(WhatIf("--shift", text), first, last, problems):
        return None
    return Shift("--shift", text, match.group("hospital").strip(), first, last, factor)


def _parse_dip(text: str, problems: list[InputProblem]) -> Dip | None:
    match = _LOSS.match(text.strip())
    factor = _factor(match.group("factor")) if match else None
    if match is None or factor is None or factor > 1:
        problems.append(
            WhatIf("--dip", text).problem(
                _(
                    "expected HOSPITAL[:CATEGORY...]:YYYY-MM..YYYY-MM=FACTOR with the share of capacity "
                    "kept from 0 to 1, e.g. SU:2026-04..2026-06=0.6 or SU:OP-KATARAKT:2026-04..2026-06=0.6"
                )
            )
        )
        return None
    first, last = match.group("first"), match.group("last") or match.group("first")
    if not _months(WhatIf("--dip", text), first, last, problems):
        return None
    categories = re.split(r"[:,]", match.group("categories") or "")
    return Dip(
        "--dip",
        text,
        match.group("hospital").strip(),
        tuple(c.strip() for c in categories if c.strip()),
        first,
        last,
        factor,
    )


def _parse(change: WhatIf, schema: TableSchema, column: str, text: str, problems: list[InputProblem]) -> Any:
    parser = next(c.parse for c in schema.columns if c.name == column)
    try:
        return parser(text, False)
    except ValueError as error:
        problems.append(change.problem(_in_column(schema.file, column, str(error)), text))
        return None


def _schema(
    change: WhatIf, table: str, tables: dict[str, list[Record]], problems: list[InputProblem]
) -> TableSchema | None:
    if table not in SCHEMAS:
        problems.append(
            change.problem(
                _("is not a table; expected one of {tables}").format(
                    tables=", ".join(t[:-4] for t in SCHEMAS)
                ),
                table[:-4],
            )
        )
        return None
    if table not in tables:
        problems.append(change.problem(_("the scenario has no {file}").format(file=table), table[:-4]))
        return None
    return SCHEMAS[table]


def _column(
    change: WhatIf, schema: TableSchema, column: str, problems: list[InputProblem], numeric: bool
) -> bool:
    if column not in schema.names:
        problems.append(
            change.problem(
                _("is not a column of {file}; expected one of {columns}").format(
                    file=schema.file, columns=", ".join(schema.names)
                ),
                column,
            )
        )
        return False
    parser = next(c.parse for c in schema.columns if c.name == column)
    if numeric and parser not in NUMERIC:
        problems.append(
            change.problem(
                _("{file} column {column} is not a number").format(file=schema.file, column=column), column
            )
        )
        return False
    return True


def _in_column(file: str, column: str, expected: str) -> str:
    """What a value is expected to be in a column, as a flag's problem says it."""
    return _("{file} column {column}: {expected}").format(file=file, column=column, expected=expected)


def _outside_horizon(month: str) -> str:
    return _("{month} is outside the horizon").format(month=month)


def _text(value: Any) -> str:
    """A parsed cell as a key or --where value names it: an empty cell is the empty text."""
    return "" if value is None else str(value)


def _assign(record: Record, column: str, value: Any) -> None:
    record.values[column] = value
    record.raw[column] = "" if value is None else str(value)


def apply_what_ifs(
    changes: Sequence[WhatIf], tables: dict[str, list[Record]], settings: dict[str, Any]
) -> None:
    """Apply the changes in order to parsed tables and settings; WhatIfInvalid lists what cannot be."""
    problems: list[InputProblem] = []
    for change in changes:
        if isinstance(change, SetValue):
            _set_value(change, tables, problems)
        elif isinstance(change, Scale):
            _scale(change, tables, problems)
        elif isinstance(change, Shift):
            _shift(change, tables, settings, problems)
        elif isinstance(change, Dip):
            _dip(change, tables, settings, problems)
        elif isinstance(change, WithoutProvider):
            _without_provider(change, tables, problems)
        elif isinstance(change, Setting):
            if change.name.startswith("objective."):
                settings.setdefault("objective", {})[change.name.split(".", 1)[1]] = change.value
            else:
                settings[change.name] = change.value
    if problems:
        raise WhatIfInvalid(problems)


def _set_value(change: SetValue, tables: dict[str, list[Record]], problems: list[InputProblem]) -> None:
    schema = _schema(change, change.table, tables, problems)
    if schema is None or not _column(change, schema, change.column, problems, numeric=False):
        return
    key_columns = KEYS[change.table]
    parts = change.key.split("/")
    if len(parts) != len(key_columns):
        problems.append(
            change.problem(
                _("expected the key {key} of {file}").format(key="/".join(key_columns), file=change.table),
                change.key,
            )
        )
        return
    matches = [r for r in tables[change.table] if [_text(r[c]) for c in key_columns] == parts]
    if not matches:
        problems.append(
            change.problem(
                _("{file} has no row {columns} = {key}").format(
                    file=change.table, columns="/".join(key_columns), key=change.key
                ),
                change.key,
            )
        )
        return
    if len(matches) > 1 and change.table in _REPEATABLE_KEYS:
        rows = ", ".join(str(r.row) for r in matches)
        problems.append(
            change.problem(
                _(
                    "matches rows {rows} of {file}; expected a key of one row "
                    "(change the file, or use --scale with --where)"
                ).format(rows=rows, file=change.table),
                change.key,
            )
        )
        return
    value = _parse(change, schema, change.column, change.value, problems)
    if value is not None:
        for record in matches:
            _assign(record, change.column, value)


def _scale(change: Scale, tables: dict[str, list[Record]], problems: list[InputProblem]) -> None:
    schema = _schema(change, change.table, tables, problems)
    if schema is None or not _column(change, schema, change.column, problems, numeric=True):
        return
    for column, _value in change.where:
        if not _column(change, schema, column, problems, numeric=False):
            return
    matching = [r for r in tables[change.table] if all(_text(r[c]) == v for c, v in change.where)]
    if not matching:
        condition = _(" and ").join(f"{c}={v}" for c, v in change.where)
        problems.append(
            change.problem(
                _("no row of {file} has {condition}").format(file=change.table, condition=condition)
            )
        )
        return
    whole = next(c.parse for c in schema.columns if c.name == change.column) is cells.whole_number
    for record in matching:
        if record[change.column] is None:
            continue
        scaled = Decimal(record[change.column]) * change.factor
        value = int(scaled.quantize(Decimal(1), ROUND_HALF_UP)) if whole else scaled
        if value > (cells.WHOLE_MAX if whole else cells.FACTOR_MAX):
            expected = cells.expected_whole() if whole else cells.expected_factor()
            problems.append(change.problem(_in_column(schema.file, change.column, expected), str(value)))
            return
        _assign(record, change.column, value)


def _dip(
    change: Dip, tables: dict[str, list[Record]], settings: dict[str, Any], problems: list[InputProblem]
) -> None:
    hospitals = {r["hospital"] for r in tables.get("hospitals.csv", [])}
    if change.hospital not in hospitals:
        problems.append(change.problem(_(NOT_A_HOSPITAL).format(source="hospitals.csv"), change.hospital))
        return
    categories = {r["category"] for r in tables.get("categories.csv", [])}
    planned = {
        r["category"]
        for file in ("need.csv", "own_volumes.csv")
        for r in tables.get(file, [])
        if r["hospital"] == change.hospital
    }
    for category in change.categories:
        if category not in categories:
            problems.append(change.problem(_(NOT_A_CATEGORY).format(source="categories.csv"), category))
            return
        if category not in planned:
            problems.append(
                change.problem(
                    _(
                        "{hospital} has no row for it in need.csv or own_volumes.csv, so it has "
                        "no capacity to lose; expected one of its categories"
                    ).format(hospital=change.hospital),
                    category,
                )
            )
            return
    start, months = settings.get("start"), settings.get("months")
    if start is not None and months is not None:
        for month in (change.first, change.last):
            if not 0 <= parse_month(month) - parse_month(start) < months:
                problems.append(change.problem(_outside_horizon(month), month))
                return
    losses = tables.setdefault("capacity_loss.csv", [])
    for row in change.loss_rows():
        losses.append(Record(0, row.model_dump(), {}))


def _shift(
    change: Shift, tables: dict[str, list[Record]], settings: dict[str, Any], problems: list[InputProblem]
) -> None:
    hospitals = {r["hospital"] for r in tables.get("hospitals.csv", [])}
    if change.hospital not in hospitals:
        problems.append(change.problem(_(NOT_A_HOSPITAL).format(source="hospitals.csv"), change.hospital))
        return
    profile = tables.setdefault("profile.csv", [])
    by_month = {r["month"]: r for r in profile if r["hospital"] == change.hospital}
    start, months = settings.get("start"), settings.get("months")
    for serial in range(parse_month(change.first), parse_month(change.last) + 1):
        month = format_month(serial)
        if start is not None and months is not None and not 0 <= serial - parse_month(start) < months:
            problems.append(change.problem(_outside_horizon(month), month))
            return
        record = by_month.get(month)
        if record is None:
            profile.append(
                Record(0, {"hospital": change.hospital, "month": month, "factor": change.factor}, {})
            )
        elif (factor := record["factor"] * change.factor) > cells.FACTOR_MAX:
            problems.append(
                change.problem(_in_column("profile.csv", "factor", cells.expected_factor()), str(factor))
            )
            return
        else:
            _assign(record, "factor", factor)


def _without_provider(
    change: WithoutProvider, tables: dict[str, list[Record]], problems: list[InputProblem]
) -> None:
    # A candidate left in would keep its row while its access rows go, and so be open to every
    # hospital at 0 minutes: the provider leaves both tables.
    files = ("contracts.csv", "candidate_contracts.csv")
    known = sorted({r["provider"] for file in files for r in tables.get(file, [])})
    if change.provider not in known:
        source = _(" or ").join(file for file in files if file in tables) or "contracts.csv"
        problems.append(
            change.problem(
                _("is not a provider in {source}; expected one of {providers}").format(
                    source=source, providers=", ".join(known)
                ),
                change.provider,
            )
        )
        return
    for file in (*files, "access.csv"):
        if file in tables:
            tables[file] = [r for r in tables[file] if r["provider"] != change.provider]
