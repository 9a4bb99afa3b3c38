"""Calendar months written YYYY-MM and the planning horizon."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> int:
    """Return a month as a running number (year*12 + month-1); ValueError if not YYYY-MM."""
    match = MONTH_PATTERN.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a month written YYYY-MM.")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} has no month {month}.")
    return year * 12 + month - 1


def format_month(serial: int) -> str:
    """Inverse of parse_month."""
    return f"{serial // 12:04d}-{serial % 12 + 1:02d}"


@dataclass(frozen=True)
class Horizon:
    """The planning months: month 1 is `start`, month `length` is the last."""

    start: str
    length: int

    @property
    def first_serial(self) -> int:
        return parse_month(self.start)

    @property
    def months(self) -> range:
        """Month numbers 1..H as the spec counts them."""
        return range(1, self.length + 1)

    def label(self, month: int) -> str:
        """YYYY-MM of month number `month` (1-based)."""
        return format_month(self.first_serial + month - 1)

    def labels(self) -> list[str]:
        return [self.label(m) for m in self.months]

    def number(self, text: str) -> int | None:
        """Month number (1-based) of a YYYY-MM text, or None when outside the horizon."""
        offset = parse_month(text) - self.first_serial + 1
        return offset if 1 <= offset <= self.length else None

    def clip(self, first: str | None, last: str | None) -> range:
        """Month numbers of [first, last] that lie inside the horizon (empty ends: the horizon's)."""
        lo = 1 if first is None else parse_month(first) - self.first_serial + 1
        hi = self.length if last is None else parse_month(last) - self.first_serial + 1
        return range(max(lo, 1), min(hi, self.length) + 1)


def month_ranges(months: Iterable[int], label: Callable[[int], str]) -> str:
    """Months as ranges of consecutive ones, each month written by `label`:
    '2026-01..2026-03, 2026-06' ('' for no month)."""
    spans: list[list[int]] = []
    for month in sorted(set(months)):
        if spans and month == spans[-1][1] + 1:
            spans[-1][1] = month
        else:
            spans.append([month, month])
    return ", ".join(label(lo) if lo == hi else f"{label(lo)}..{label(hi)}" for lo, hi in spans)
