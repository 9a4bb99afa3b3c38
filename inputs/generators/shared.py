"""What both scenario generators build with: CSV text, whole shares of a total, and waiting lists
set against the care guarantee limit (models.derived.guarantee_limit), so that a generated
scenario starts with exactly the patients beyond the guarantee it was drawn to have."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence

from leveransplan.models.derived import guarantee_limit


def csv_text(rows: Sequence[Sequence[object]]) -> str:
    """The rows as comma-separated text, one line each, ending in a newline."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=",", lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def apportion(total: int, weights: list[float]) -> list[int]:
    """Whole parts of `total` proportional to `weights` (largest remainder, ties by position)."""
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def group(k: str) -> str:
    """The category group whose excess over the guarantee is drawn as one total (by code prefix)."""
    return "OP/US" if k.startswith(("OP-", "US-")) else "FB" if k.startswith("FB-") else "other"


def waiting_within_guarantee(inflow: int, months: int, fraction: float) -> int:
    """A waiting list at `fraction` of the guarantee limit, rounded down: nobody waits beyond it."""
    return math.floor(guarantee_limit(inflow, months) * fraction)


def waiting_beyond_guarantee(
    inflow: Mapping[tuple[str, str], int],
    excess_weight: Mapping[tuple[str, str], float],
    totals: Mapping[str, int],
    months: int,
) -> dict[tuple[str, str], int]:
    """(hospital, category) -> waiting list: the guarantee limit plus a whole share of its group's
    total of patients beyond the guarantee, shared out by the pairs' weights."""
    waiting: dict[tuple[str, str], int] = {}
    for g, total in totals.items():
        keys = [key for key in excess_weight if group(key[1]) == g]
        for key, extra in zip(keys, apportion(total, [excess_weight[key] for key in keys]), strict=True):
            waiting[key] = guarantee_limit(inflow[key], months) + extra
    return waiting
