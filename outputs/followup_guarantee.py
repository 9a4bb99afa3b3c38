"""Care-guarantee fulfilment per hospital and month: the share of the waiting list within the
guarantee, as planned and as reported.

The spec's rule (section 2): a hospital's waiting list of a category longer than its guarantee
limit `L[h,k] = floor(3*inflow/H)` (three months of inflow) is taken to be patients waiting
beyond the 90-day guarantee. So of a waiting list `w`, `min(w, L)` patients are within the
guarantee and `max(0, w - L)` beyond it, the plan's `over_guarantee` of that month.

Planned: production_plan.csv's `waiting_end - over_guarantee` (the plan's own `min(w, L)`).
Actual: actuals.csv's `waiting_end` with the same `L`, from the scenario the plan was made from.
Both are summed per hospital and month over the categories the report has for that month, so
the two shares are over the same categories; the region's total follows each month.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from leveransplan.models.actuals import Performed

GUARANTEE_COLUMNS = (
    "month",
    "hospital",
    "categories",
    "guarantee_limit",
    "planned_waiting",
    "planned_within",
    "planned_pct",
    "actual_waiting",
    "actual_within",
    "actual_pct",
    "difference_pct_points",
)
TOTAL = "total"  # the hospital cell of the region's row of a month


def within_pct(within: int, waiting: int) -> float | None:
    """The share within the guarantee in per cent with one decimal; None for an empty list."""
    return None if waiting == 0 else round(100 * within / waiting, 1)


def guarantee_fulfilment(
    planned: Mapping[tuple[str, str, str], tuple[int, int]],
    performed: Iterable[Performed],
    limit: Mapping[tuple[str, str], int],
) -> list[dict[str, Any]]:
    """Per reported month and hospital (then the region), the waiting lists within the guarantee:
    `planned` maps (month, hospital, category) to the plan's (waiting_end, over_guarantee);
    `limit` maps (hospital, category) to L (a pair the scenario lacks has no inflow: L = 0)."""
    # month, hospital -> [categories, limit, planned waiting, planned within, waiting, within]
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 6)
    for report in performed:
        cap = limit.get((report.hospital, report.category), 0)
        waiting, over = planned.get((report.month, report.hospital, report.category), (0, 0))
        figures = (1, cap, waiting, waiting - over, report.waiting_end, min(report.waiting_end, cap))
        for key in ((report.month, report.hospital), (report.month, TOTAL)):
            sums[key] = [a + b for a, b in zip(sums[key], figures, strict=True)]
    rows = []
    for month, hospital in sorted(sums, key=lambda k: (k[0], k[1] == TOTAL, k[1])):
        categories, cap, plan_waiting, plan_within, waiting, within = sums[month, hospital]
        planned_pct, actual_pct = within_pct(plan_within, plan_waiting), within_pct(within, waiting)
        rows.append(
            {
                "month": month,
                "hospital": hospital,
                "categories": categories,
                "guarantee_limit": cap,
                "planned_waiting": plan_waiting,
                "planned_within": plan_within,
                "planned_pct": planned_pct,
                "actual_waiting": waiting,
                "actual_within": within,
                "actual_pct": actual_pct,
                "difference_pct_points": None
                if planned_pct is None or actual_pct is None
                else round(actual_pct - planned_pct, 1),
            }
        )
    return rows
