"""Rows of the training models' output files (spec section 6) and their summary.json objects."""

from __future__ import annotations

from typing import Any

from leveransplan.models.months import format_month
from leveransplan.models.training import (
    ATData,
    ATSolution,
    PlacementData,
    PlacementSolution,
    load_percent,
)

Row = dict[str, Any]

AT_COLUMNS = ("hospital", "positions", "target", "previous")
PLACEMENT_COLUMNS = ("trainee", "specialty", "hospital", "start", "end", "travel_minutes")
UNPLACED_COLUMNS = ("trainee", "specialty", "reason")
PLACES_COLUMNS = ("hospital", "specialty", "year", "used", "places")
PROPOSAL_COLUMNS = ("hospital", "specialty", "year", "proposed", "decided", "max_places", "load_percent")


def at_rows(data: ATData, solution: ATSolution) -> list[Row]:
    """One row per at.csv row: positions, the need-weighted target (2 decimals) and the previous."""
    return [
        {
            "hospital": h,
            "positions": solution.positions[h],
            "target": f"{float(data.target(h)):.2f}",
            "previous": "" if data.rows[h].previous is None else data.rows[h].previous,
        }
        for h in data.hospitals
    ]


def at_summary(data: ATData, solution: ATSolution) -> dict[str, Any]:
    """The "at" object of summary.json."""
    return {
        "stages": [stage.model_dump() for stage in solution.stages],
        "objectives": {
            "deviation": data.deviation(solution.positions),
            "stability": data.stability(solution.positions),
        },
        "total": data.total,
    }


def placement_rows(data: PlacementData, solution: PlacementSolution) -> list[Row]:
    """Placed requirements by trainee and start: where, when and the one-way travel."""
    rows = []
    for (trainee, specialty), (hospital, start) in solution.plan.placed.items():
        months = data.by_key[trainee, specialty].months
        rows.append(
            {
                "trainee": trainee,
                "specialty": specialty,
                "hospital": hospital,
                "start": format_month(start),
                "end": format_month(start + months - 1),
                "travel_minutes": data.travel[data.trainees[trainee].home_area, hospital],
            }
        )
    return sorted(rows, key=lambda r: (r["trainee"], r["start"], r["specialty"]))


def unplaced_rows(data: PlacementData, solution: PlacementSolution) -> list[Row]:
    """Requirements not placed, each with the limit that binds, in st_requirements.csv order."""
    return [
        {"trainee": r.trainee, "specialty": r.specialty, "reason": solution.reasons[r.key]}
        for r in data.requirements
        if r.key not in solution.plan.placed
    ]


def places_rows(data: PlacementData, solution: PlacementSolution) -> list[Row]:
    """One row per st_capacity.csv row: placements started that year against the places."""
    starts = solution.plan.starts(data)
    return [
        {
            "hospital": row.hospital,
            "specialty": row.specialty,
            "year": row.year,
            "used": starts.get((row.hospital, row.specialty, row.year), 0),
            "places": solution.places[row.hospital, row.specialty, row.year],
        }
        for row in data.scenario.st_capacity
    ]


def proposal_rows(data: PlacementData, solution: PlacementSolution) -> list[Row]:
    """With --propose-places, one row per st_capacity.csv row: the places proposed beside the places
    decided and the most the department can take, and the proposal's load of its reference."""
    rows = []
    for row in data.scenario.st_capacity:
        place = (row.hospital, row.specialty, row.year)
        proposed = solution.places[place]
        rows.append(
            {
                "hospital": row.hospital,
                "specialty": row.specialty,
                "year": row.year,
                "proposed": proposed,
                "decided": row.places,
                "max_places": "" if row.max_places is None else row.max_places,
                "load_percent": load_percent(proposed, data.load_reference(place)),
            }
        )
    return rows


def placement_summary(data: PlacementData, solution: PlacementSolution) -> dict[str, Any]:
    """The "placements" object of summary.json."""
    placed_keys = set(solution.plan.placed)
    waiting = {r.trainee for r in data.requirements if r.key not in placed_keys}
    complete = sum(1 for trainee in data.trainees if trainee not in waiting)
    return {
        "stages": [stage.model_dump() for stage in solution.stages],
        "objectives": dict(solution.terms),
        "mode": "propose_places" if solution.propose_places else "places",
        "months": data.horizon_label(),
        "requirements": len(data.requirements),
        "placed": len(placed_keys),
        "trainees": len(data.trainees),
        "trainees_fully_placed": complete,
        "places_total": sum(
            solution.places[r.hospital, r.specialty, r.year] for r in data.scenario.st_capacity
        ),
        "previous_plan": solution.previous_plan,
    }
