"""Parsers for single CSV cells; each raises ValueError with what was expected."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from leveransplan.models.language import _
from leveransplan.models.months import format_month, parse_month
from leveransplan.models.numbers import grouped

# Spaces inside numbers are ignored ("250 000"), including the no-break and thin spaces
# that spreadsheets put in when they format thousands.
_NUMBER_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")
_WHOLE = re.compile(r"^[+-]?\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true", "1", "yes", "ja"}
_FALSE = {"false", "0", "no", "nej"}

# The largest whole number a cell (or --budget, or a whole number in scenario.toml) may hold.
# CP-SAT's integers are 64-bit (about 9.2e18): a number of 20 digits does not fit at all. No
# count of patients, price, budget or travel time of a region comes near this ceiling.
WHOLE_MAX = 10**12
# The largest capacity factor, and its decimals: a factor weighs a month against the others (1 is
# a normal month), and a factor such as 1e999999999 would take hours to turn into a fraction.
FACTOR_MAX = 1000
FACTOR_DECIMALS = 20
_FACTOR_STEP = Decimal(1).scaleb(-FACTOR_DECIMALS)

CellParser = Callable[[str, bool], Any]


def _number_text(text: str, decimal_comma: bool) -> str:
    cleaned = _NUMBER_SPACES.sub("", text)
    if decimal_comma:
        cleaned = cleaned.replace(",", ".")
    return cleaned


def expected_whole(minimum: int = 0, maximum: int = WHOLE_MAX) -> str:
    """What a whole-number value must be, as a problem message says it."""
    return _("expected a whole number, {minimum} or more (at most {maximum})").format(
        minimum=grouped(minimum), maximum=grouped(maximum)
    )


def expected_factor() -> str:
    """What a capacity factor must be, as a problem message says it."""
    return _(
        "expected a decimal number from 0 to {maximum} with at most {decimals} decimals (such as 0.5)"
    ).format(maximum=grouped(FACTOR_MAX), decimals=FACTOR_DECIMALS)


def whole_number(text: str, decimal_comma: bool) -> int:
    """A whole number from 0 to WHOLE_MAX (counts, prices, minutes)."""
    cleaned = _number_text(text, decimal_comma)
    # int() refuses more than 4 300 digits with a message of its own: count the digits first.
    too_long = len(cleaned.lstrip("+-0")) > len(str(WHOLE_MAX))
    if not _WHOLE.match(cleaned) or too_long or not 0 <= int(cleaned) <= WHOLE_MAX:
        raise ValueError(expected_whole())
    return int(cleaned)


def in_factor_range(value: Decimal) -> bool:
    """Whether a decimal number is a factor: finite, 0 to FACTOR_MAX, at most FACTOR_DECIMALS decimals."""
    return (
        value.is_finite()
        and 0 <= value <= FACTOR_MAX
        and value.quantize(_FACTOR_STEP) == value  # exact: a value up to 1 000 fits 28 digits
    )


def factor(text: str, decimal_comma: bool) -> Decimal:
    """A decimal number from 0 to FACTOR_MAX (a capacity factor such as 0.5)."""
    cleaned = _number_text(text, decimal_comma)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(expected_factor()) from None
    if not in_factor_range(value):
        raise ValueError(expected_factor())
    return value


def expected_decimal() -> str:
    """What a decimal figure must be before its table's own range applies, as a message says it."""
    return _(
        "expected a decimal number such as 0.25, from -{maximum} to {maximum}, with at most "
        "{decimals} decimals"
    ).format(maximum=grouped(FACTOR_MAX), decimals=FACTOR_DECIMALS)


def decimal(text: str, decimal_comma: bool) -> Decimal:
    """A decimal number from -FACTOR_MAX to FACTOR_MAX with at most FACTOR_DECIMALS decimals.

    For figures whose range depends on another cell of the row (uncertainty.csv's value, whose
    kind says what it means): the table's rules check the range and say what the figure means,
    also for a negative one.
    """
    cleaned = _number_text(text, decimal_comma)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(expected_decimal()) from None
    if not value.is_finite() or not in_factor_range(abs(value)):  # abs() of a signalling NaN raises
        raise ValueError(expected_decimal())
    return value


def month(text: str, decimal_comma: bool) -> str:
    """A month written YYYY-MM."""
    try:
        parse_month(text)
    except ValueError:
        if _DATE.match(text.strip()):
            raise ValueError(
                _(
                    "expected a month written YYYY-MM, not a date (Excel makes dates of months typed "
                    "in a cell: format the column as Text)"
                )
            ) from None
        raise ValueError(_("expected a month written YYYY-MM")) from None
    return text.strip()


def month_list(text: str, decimal_comma: bool) -> tuple[str, ...]:
    """Months and ranges separated by spaces ("2026-06..2026-09 2027-01"), every month spelled out."""
    months: list[str] = []
    for item in text.split():
        first, dots, last = item.partition("..")
        try:
            lo = parse_month(first)
            hi = parse_month(last) if dots else lo
        except ValueError:
            raise ValueError(
                _(
                    "{item} is not a month or a range; expected months YYYY-MM or ranges "
                    "YYYY-MM..YYYY-MM separated by spaces"
                ).format(item=repr(item))
            ) from None
        if hi < lo:
            raise ValueError(_("the range {item} ends before it starts").format(item=repr(item)))
        months.extend(format_month(m) for m in range(lo, hi + 1))
    return tuple(sorted(set(months)))


def boolean(text: str, decimal_comma: bool) -> bool:
    """true/false, 1/0, yes/no or ja/nej."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(_("expected true/false, 1/0, yes/no or ja/nej"))


def code(text: str, decimal_comma: bool) -> str:
    """A non-empty code or name."""
    stripped = text.strip()
    if not stripped:
        raise ValueError(_("expected a value"))
    return stripped
