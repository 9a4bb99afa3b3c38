"""Parsers for single CSV cells; each raises ValueError with what was expected."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from models.months import format_month, parse_month

# Spaces inside numbers are ignored ("250 000"), including the no-break and thin spaces
# that spreadsheets put in when they format thousands.
_NUMBER_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")
_WHOLE = re.compile(r"^[+-]?\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true", "1", "yes", "ja"}
_FALSE = {"false", "0", "no", "nej"}

CellParser = Callable[[str, bool], Any]


def _number_text(text: str, decimal_comma: bool) -> str:
    cleaned = _NUMBER_SPACES.sub("", text)
    if decimal_comma:
        cleaned = cleaned.replace(",", ".")
    return cleaned


def whole_number(text: str, decimal_comma: bool) -> int:
    """A whole number of 0 or more (counts, prices, minutes)."""
    cleaned = _number_text(text, decimal_comma)
    if not _WHOLE.match(cleaned) or int(cleaned) < 0:
        raise ValueError("expected a whole number, 0 or more")
    return int(cleaned)


def factor(text: str, decimal_comma: bool) -> Decimal:
    """A decimal number of 0 or more (a capacity factor such as 0.5)."""
    cleaned = _number_text(text, decimal_comma)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("expected a decimal number, 0 or more (such as 0.5)") from None
    if not value.is_finite() or value < 0:
        raise ValueError("expected a decimal number, 0 or more (such as 0.5)")
    return value


def month(text: str, decimal_comma: bool) -> str:
    """A month written YYYY-MM."""
    try:
        parse_month(text)
    except ValueError:
        if _DATE.match(text.strip()):
            raise ValueError(
                "expected a month written YYYY-MM, not a date (Excel makes dates of months typed "
                "in a cell: format the column as Text)"
            ) from None
        raise ValueError("expected a month written YYYY-MM") from None
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
                f"{item!r} is not a month or a range; expected months YYYY-MM or ranges "
                "YYYY-MM..YYYY-MM separated by spaces"
            ) from None
        if hi < lo:
            raise ValueError(f"the range {item!r} ends before it starts")
        months.extend(format_month(m) for m in range(lo, hi + 1))
    return tuple(sorted(set(months)))


def boolean(text: str, decimal_comma: bool) -> bool:
    """true/false, 1/0, yes/no or ja/nej."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError("expected true/false, 1/0, yes/no or ja/nej")


def code(text: str, decimal_comma: bool) -> str:
    """A non-empty code or name."""
    stripped = text.strip()
    if not stripped:
        raise ValueError("expected a value")
    return stripped
