"""The ST-A status report ("månatlig lägesrapport", target 100 %): per hospital and month, the
share of GP trainees (ST-A) every side-service placement of whom the plan has placed.

A status of the plan, not of outcomes: it needs no actuals. A trainee counts in each month of
the placement horizon from their `earliest_start` to their `deadline` (the months the director
of studies answers for them), at their home area's hospital: the hospital nearest the home area
in travel.csv (ties: the first in hospitals.csv), where the director of studies who plans their
side services sits. A trainee whose home area travel.csv does not list counts in the region's
total only. A trainee is fully planned when each of their rows in st_requirements.csv has a
placement in placements.csv; one with no requirement left is fully planned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from leveransplan.models.months import parse_month
from leveransplan.models.scenario import Scenario

ST_STATUS_COLUMNS = ("month", "hospital", "trainees", "fully_planned", "share_pct", "unplaced_requirements")
TOTAL = "total"  # the hospital cell of the region's row of a month


def home_hospitals(scenario: Scenario) -> dict[str, str]:
    """Each home area's hospital: the nearest in travel.csv, ties to the first in hospitals.csv."""
    order = {h.hospital: index for index, h in enumerate(scenario.hospitals)}
    nearest: dict[str, tuple[int, int, str]] = {}
    for row in scenario.travel:
        candidate = (row.minutes, order.get(row.hospital, len(order)), row.hospital)
        if row.home_area not in nearest or candidate < nearest[row.home_area]:
            nearest[row.home_area] = candidate
    return {area: hospital for area, (_minutes, _order, hospital) in nearest.items()}


def st_status(scenario: Scenario, placed: Collection[tuple[str, str]]) -> list[dict[str, Any]]:
    """Per month of the placement horizon and hospital (then the region), the trainees counted,
    how many of them have every requirement placed (`placed`: (trainee, specialty) pairs of
    placements.csv), their share and the requirements left unplaced."""
    unplaced: dict[str, int] = defaultdict(int)
    for requirement in scenario.st_requirements:
        if (requirement.trainee, requirement.specialty) not in placed:
            unplaced[requirement.trainee] += 1
    home = home_hospitals(scenario)
    horizon = scenario.placement_horizon
    # month, hospital -> [trainees, fully planned, unplaced requirements]
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for trainee in scenario.st_trainees:
        first, last = parse_month(trainee.earliest_start), parse_month(trainee.deadline)
        figures = (1, int(unplaced[trainee.trainee] == 0), unplaced[trainee.trainee])
        hospitals = [TOTAL] if trainee.home_area not in home else [home[trainee.home_area], TOTAL]
        for month in horizon.labels():
            if first <= parse_month(month) <= last:
                for hospital in hospitals:
                    counts = sums[month, hospital]
                    sums[month, hospital] = [a + b for a, b in zip(counts, figures, strict=True)]
    return [
        {
            "month": month,
            "hospital": hospital,
            "trainees": sums[month, hospital][0],
            "fully_planned": sums[month, hospital][1],
            "share_pct": round(100 * sums[month, hospital][1] / sums[month, hospital][0], 1),
            "unplaced_requirements": sums[month, hospital][2],
        }
        for month, hospital in sorted(sums, key=lambda k: (k[0], k[1] == TOTAL, k[1]))
    ]
