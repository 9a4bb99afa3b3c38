"""The training plans' files as the checker reads them: at_distribution.csv, placements.csv,
unplaced.csv, places_table.csv, places_proposal.csv (with --propose-places) and summary.json's
"at" and "placements" objects.

Each row is parsed into its record with every cell typed (a bad cell is reported once and leaves
its row out); summary.json's figures are read as far as they parse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leveransplan.inputs.tables import cannot_read, read_file
from leveransplan.models.language import _
from leveransplan.models.months import format_month
from leveransplan.models.scenario import AT_OBJECTIVES, PLACEMENT_OBJECTIVES
from leveransplan.outputs.checker.files import SUMMARY, Cells, Rows, json_int, read_table
from leveransplan.outputs.checker.summary import (
    StageLine,
    parse_objectives,
    parse_previous_plan,
    parse_stages,
)

AT_DISTRIBUTION = "at_distribution.csv"
PLACEMENTS = "placements.csv"
UNPLACED = "unplaced.csv"
PLACES_TABLE = "places_table.csv"
PLACES_PROPOSAL = "places_proposal.csv"

HEADERS: dict[str, tuple[str, ...]] = {
    AT_DISTRIBUTION: ("hospital", "positions", "target", "previous"),
    PLACEMENTS: ("trainee", "specialty", "hospital", "start", "end", "travel_minutes"),
    UNPLACED: ("trainee", "specialty", "reason"),
    PLACES_TABLE: ("hospital", "specialty", "year", "used", "places"),
    PLACES_PROPOSAL: ("hospital", "specialty", "year", "proposed", "decided", "max_places", "load_percent"),
}
MODES = ("places", "propose_places")
PROPOSE_STAGES = ("unplaced", "places", "peak_load")
PLACEMENT_COUNTS = ("requirements", "placed", "trainees", "trainees_fully_placed", "places_total")

ReqKey = tuple[str, str]  # trainee, specialty
PlaceKey = tuple[str, str, int]  # hospital, specialty, year


def span(first: int, last: int) -> str:
    """`2026-03` or `2026-03..2026-04`."""
    return format_month(first) if first == last else f"{format_month(first)}..{format_month(last)}"


def read_training_csv(folder: Path, file: str, out: list[str], label: str = "") -> Rows | None:
    """Rows of a training plan file, read as the volume checker reads its files."""
    return read_table(folder, file, HEADERS[file], out, label)


def _model_summary(folder: Path, model: str, out: list[str]) -> dict[str, Any] | None:
    """summary.json's object for one model ("at", "placements"); None when it cannot be read."""
    path = folder / SUMMARY
    if not path.is_file():
        out.append(_("{file}: missing from the plan folder {folder}").format(file=SUMMARY, folder=folder))
        return None
    try:
        document = json.loads(read_file(path).decode("utf-8-sig"))
    except OSError as error:
        out.append(f"{SUMMARY}: {cannot_read(error)}")
        return None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        out.append(_("{file}: not readable as UTF-8 JSON ({error})").format(file=SUMMARY, error=error))
        return None
    part = document.get(model) if isinstance(document, dict) else None
    if not isinstance(part, dict):
        out.append(_('{file}: has no object "{model}"').format(file=SUMMARY, model=model))
        return None
    return part


# -- AT distribution ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ATLine:
    """An at_distribution.csv row: n_h, the weighted target and at.csv's previous distribution."""

    row: int
    hospital: str
    positions: int
    target: str
    previous: int | None


@dataclass
class ATSummary:
    """The parts of summary.json's "at" object that parsed; a part that did not is None or left out."""

    stages: list[StageLine] | None = None
    objectives: dict[str, int] = field(default_factory=dict)
    total: int | None = None


def at_line(c: Cells, row: int) -> ATLine:
    """An at_distribution.csv row as an ATLine."""
    return ATLine(
        row=row,
        hospital=c.text("hospital"),
        positions=c.count("positions"),
        target=c.text("target"),
        previous=c.optional_count("previous"),
    )


def read_at_summary(folder: Path, out: list[str]) -> ATSummary | None:
    """summary.json's "at" object, as far as it parses; None when it cannot be read."""
    part = _model_summary(folder, "at", out)
    if part is None:
        return None
    return ATSummary(
        stages=parse_stages("at", part.get("stages"), out),
        objectives=parse_objectives("at", part.get("objectives"), AT_OBJECTIVES, out),
        total=json_int(part, "total", "at", out),
    )


# -- ST-A placements --------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """A placements.csv row: a requirement placed at a hospital from a start month (running numbers)."""

    row: int
    trainee: str
    specialty: str
    hospital: str
    start: int
    end: int
    travel_minutes: int

    @property
    def key(self) -> ReqKey:
        return (self.trainee, self.specialty)


@dataclass(frozen=True)
class UnplacedLine:
    """An unplaced.csv row: a requirement not placed and why."""

    row: int
    trainee: str
    specialty: str
    reason: str

    @property
    def key(self) -> ReqKey:
        return (self.trainee, self.specialty)


@dataclass(frozen=True)
class PlacesLine:
    """A places_table.csv row: stays starting in a year at a hospital's department, against places."""

    row: int
    hospital: str
    specialty: str
    year: int
    used: int
    places: int

    @property
    def key(self) -> PlaceKey:
        return (self.hospital, self.specialty, self.year)


@dataclass(frozen=True)
class ProposalLine:
    """A places_proposal.csv row: the places proposed for a department and year, beside its figures."""

    row: int
    hospital: str
    specialty: str
    year: int
    proposed: int
    decided: int
    max_places: int | None
    load_percent: int

    @property
    def key(self) -> PlaceKey:
        return (self.hospital, self.specialty, self.year)


@dataclass
class PlacementSummary:
    """The parts of summary.json's "placements" object that parsed; a part that did not is left out."""

    stages: list[StageLine] | None = None
    objectives: dict[str, int] = field(default_factory=dict)
    mode: str | None = None
    months: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    previous_plan: str | None = None


def placement_line(c: Cells, row: int) -> Placement:
    """A placements.csv row as a Placement."""
    return Placement(
        row=row,
        trainee=c.text("trainee"),
        specialty=c.text("specialty"),
        hospital=c.text("hospital"),
        start=c.month("start"),
        end=c.month("end"),
        travel_minutes=c.count("travel_minutes"),
    )


def unplaced_line(c: Cells, row: int) -> UnplacedLine:
    """An unplaced.csv row as an UnplacedLine."""
    return UnplacedLine(row, c.text("trainee"), c.text("specialty"), c.text("reason"))


def places_line(c: Cells, row: int) -> PlacesLine:
    """A places_table.csv row as a PlacesLine."""
    return PlacesLine(
        row=row,
        hospital=c.text("hospital"),
        specialty=c.text("specialty"),
        year=c.count("year"),
        used=c.count("used"),
        places=c.count("places"),
    )


def proposal_line(c: Cells, row: int) -> ProposalLine:
    """A places_proposal.csv row as a ProposalLine."""
    return ProposalLine(
        row=row,
        hospital=c.text("hospital"),
        specialty=c.text("specialty"),
        year=c.count("year"),
        proposed=c.count("proposed"),
        decided=c.count("decided"),
        max_places=c.optional_count("max_places"),
        load_percent=c.count("load_percent"),
    )


def read_placement_summary(folder: Path, out: list[str]) -> PlacementSummary | None:
    """summary.json's "placements" object, as far as it parses; None when it cannot be read."""
    part = _model_summary(folder, "placements", out)
    if part is None:
        return None
    summary = PlacementSummary(
        stages=parse_stages("placements", part.get("stages"), out),
        objectives=parse_objectives("placements", part.get("objectives"), PLACEMENT_OBJECTIVES, out),
        previous_plan=parse_previous_plan("placements", part, out),
    )
    mode = part.get("mode")
    if mode in MODES:
        summary.mode = str(mode)
    else:
        out.append(
            _("{file} placements.mode: {mode} is not one of {modes}").format(
                file=SUMMARY, mode=repr(mode), modes=", ".join(MODES)
            )
        )
    months = part.get("months")
    if isinstance(months, str):
        summary.months = months
    else:
        out.append(
            _("{file} placements.months: {months} is not the placement horizon written FIRST..LAST").format(
                file=SUMMARY, months=repr(months)
            )
        )
    for key in PLACEMENT_COUNTS:
        value = json_int(part, key, "placements", out)
        if value is not None:
            summary.counts[key] = value
    return summary
