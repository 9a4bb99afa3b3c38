"""The ST-A placements' requirement and stay rules: every requirement placed once or listed as
unplaced, and each stay's end, window, horizon, availability, travel, capacity row and overlap.

PlacementCheck holds what every placement rule reads, with the terms recomputed from the plan's
files; each rule family is one function (its docstring starts with the rule).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from leveransplan.models.language import _
from leveransplan.models.months import format_month, parse_month
from leveransplan.models.numbers import grouped
from leveransplan.models.scenario import CapacityRow, Requirement, Scenario, Trainee
from leveransplan.outputs.checker.files import SUMMARY, Cells, file_rows, previous_folder
from leveransplan.outputs.checker.training_files import (
    PLACEMENTS,
    UNPLACED,
    PlaceKey,
    Placement,
    PlacementSummary,
    PlacesLine,
    ProposalLine,
    ReqKey,
    UnplacedLine,
    read_training_csv,
    span,
)


@dataclass(frozen=True)
class Stay:
    """A placements.csv row that places a known requirement for the first time, with its months."""

    placement: Placement
    requirement: Requirement

    @property
    def where(self) -> str:
        return _("{file} row {row}").format(file=PLACEMENTS, row=self.placement.row)

    @property
    def last(self) -> int:
        return self.placement.start + self.requirement.months - 1

    @property
    def months(self) -> range:
        return range(self.placement.start, self.last + 1)

    @property
    def what(self) -> str:
        """`T1's stay in ped (2026-03..2026-04)`."""
        p = self.placement
        return _("{trainee}'s stay in {specialty} ({span})").format(
            trainee=p.trainee, specialty=p.specialty, span=span(p.start, self.last)
        )


@dataclass
class PlacementCheck:
    """What every placement rule reads: the scenario's lookups, the plan's rows and recomputed figures."""

    scenario: Scenario
    folder: Path
    placements: list[Placement]
    unplaced: list[UnplacedLine]
    places_lines: list[PlacesLine]
    placement_rows: int  # data rows of placements.csv, parsed or not
    unplaced_rows: int
    summary: PlacementSummary | None
    proposal_lines: list[ProposalLine] | None = None  # places_proposal.csv's rows, when it was read
    trainees: dict[str, Trainee] = field(default_factory=dict)
    requirements: dict[ReqKey, Requirement] = field(default_factory=dict)
    capacity: dict[PlaceKey, CapacityRow] = field(default_factory=dict)
    travel: dict[tuple[str, str], int] = field(default_factory=dict)
    stays: list[Stay] = field(default_factory=list)
    table: dict[PlaceKey, PlacesLine] = field(default_factory=dict)  # first row of each st_capacity key
    starts: dict[PlaceKey, list[int]] = field(default_factory=lambda: defaultdict(list))  # rows
    terms: dict[str, int] = field(default_factory=dict)
    stability_problems: list[str] = field(default_factory=list)

    @property
    def mode(self) -> str:
        """The summary's mode; a plan whose summary does not say is held to st_capacity.csv's places."""
        summary = self.summary
        return summary.mode if summary is not None and summary.mode is not None else "places"

    @property
    def first(self) -> int:
        return self.scenario.placement_horizon.first_serial

    @property
    def last(self) -> int:
        horizon = self.scenario.placement_horizon
        return horizon.first_serial + horizon.length - 1

    def home(self, trainee: str) -> str:
        return self.trainees[trainee].home_area

    def build(self) -> PlacementCheck:
        s = self.scenario
        self.trainees = {t.trainee: t for t in reversed(s.st_trainees)}  # first row wins
        self.requirements = {(r.trainee, r.specialty): r for r in reversed(s.st_requirements)}
        self.capacity = {(r.hospital, r.specialty, r.year): r for r in reversed(s.st_capacity)}
        self.travel = {(r.home_area, r.hospital): r.minutes for r in reversed(s.travel)}
        placed: set[ReqKey] = set()
        for p in self.placements:
            requirement = self.requirements.get(p.key)
            if requirement is None or p.trainee not in self.trainees or p.key in placed:
                continue
            placed.add(p.key)
            self.stays.append(Stay(p, requirement))
            self.starts[p.hospital, p.specialty, p.start // 12].append(p.row)
        for line in self.places_lines:
            if line.key in self.capacity and line.key not in self.table:
                self.table[line.key] = line
        self._terms()
        return self

    def _terms(self) -> None:
        """The placement terms of spec section 5, and places and peak_load of the propose mode."""
        self.terms["unplaced"] = self.unplaced_rows
        self.terms["travel"] = sum(
            self.travel.get((self.home(st.placement.trainee), st.placement.hospital), 0)
            * st.requirement.months
            for st in self.stays
        )
        self.terms["stability"] = self._stability()
        self.terms["places"] = sum(line.places for line in self.places_lines)
        # peak_load: per specialty, the highest load of its departments in any year, summed.
        peak: dict[str, int] = {}
        for line in self.places_lines:
            row = self.capacity.get(line.key)
            if row is None:
                continue
            peak[line.specialty] = max(peak.get(line.specialty, 0), load_of(line.places, row))
        self.terms["peak_load"] = sum(peak.values())

    def _stability(self) -> int:
        """Requirements whose (hospital, start) differs from the previous plan's; 0 without one."""
        summary = self.summary
        if summary is None or summary.previous_plan is None:
            return 0
        folder = previous_folder(summary.previous_plan, self.folder)
        if folder is None:
            self.stability_problems.append(
                _(
                    "{file} placements.previous_plan: folder {previous_plan} not found; the stability "
                    "term cannot be recomputed"
                ).format(file=SUMMARY, previous_plan=repr(summary.previous_plan))
            )
            return 0
        label = _("previous plan {file}").format(file=folder / PLACEMENTS)
        previous: dict[ReqKey, tuple[str, int]] = {}
        cells = Cells(label, self.stability_problems)
        for row, raw in read_training_csv(folder, PLACEMENTS, self.stability_problems, label=label) or []:
            cells.read(row, raw)
            start = cells.month("start")
            if cells.ok:
                previous.setdefault(
                    (cells.text("trainee"), cells.text("specialty")), (cells.text("hospital"), start)
                )
        current = {st.placement.key: (st.placement.hospital, st.placement.start) for st in self.stays}
        return sum(1 for key in self.requirements if current.get(key) != previous.get(key))


def load_reference(row: CapacityRow) -> int:
    """The places a department's load is counted against: max_places when given, else the places
    st_capacity.csv decides; a figure of 0 counts as 1 place (docs/scenarios.md)."""
    figure = row.places if row.max_places is None else row.max_places
    return max(figure, 1)


def load_of(places: int, row: CapacityRow) -> int:
    """Places as a whole percent of the department's reference, rounded up."""
    reference = load_reference(row)
    return (100 * places + reference - 1) // reference


def requirements_known(c: PlacementCheck) -> Iterator[str]:
    """Hard: every placed or unplaced row names a trainee of st_trainees.csv and one of its requirements;
    an unplaced requirement has a reason."""
    rows: list[tuple[str, int, str, str]] = [
        (PLACEMENTS, p.row, p.trainee, p.specialty) for p in c.placements
    ]
    rows += [(UNPLACED, u.row, u.trainee, u.specialty) for u in c.unplaced]
    for file, row, trainee, specialty in rows:
        if trainee not in c.trainees:
            yield _("{file} row {row}: trainee {trainee} is not a trainee in st_trainees.csv").format(
                file=file, row=row, trainee=repr(trainee)
            )
        elif (trainee, specialty) not in c.requirements:
            yield _(
                "{file} row {row}: {trainee} has no requirement in {specialty} in st_requirements.csv"
            ).format(file=file, row=row, trainee=trainee, specialty=repr(specialty))
    for u in c.unplaced:
        if not u.reason:
            yield _("{file} row {row}: the reason is empty; every unplaced requirement says why").format(
                file=UNPLACED, row=u.row
            )


def requirements_once(c: PlacementCheck) -> Iterator[str]:
    """Hard: each requirement is either placed once or listed once as unplaced."""
    first: dict[ReqKey, str] = {}
    rows: list[tuple[str, int, ReqKey]] = [(PLACEMENTS, p.row, p.key) for p in c.placements]
    rows += [(UNPLACED, u.row, u.key) for u in c.unplaced]
    for file, row, key in rows:
        if key not in c.requirements:
            continue
        if key in first:
            yield (
                _(
                    "{file} row {row}: repeats the requirement {trainee}, {specialty} of {first}; each "
                    "requirement is placed once or listed once as unplaced"
                ).format(file=file, row=row, trainee=key[0], specialty=key[1], first=first[key])
            )
        else:
            first[key] = _("{file} row {row}").format(file=file, row=row)
    for r in c.scenario.st_requirements:
        if (r.trainee, r.specialty) not in first:
            yield (
                _(
                    "{file} and {file2}: no row for the requirement {trainee}, {specialty} ({months} "
                    "months); each requirement is placed or listed as unplaced"
                ).format(
                    file=PLACEMENTS, file2=UNPLACED, trainee=r.trainee, specialty=r.specialty, months=r.months
                )
            )


def stay_end(c: PlacementCheck) -> Iterator[str]:
    """Hard: end is the last month of the stay, start + months - 1."""
    for st in c.stays:
        p, d = st.placement, st.requirement.months
        if p.end != st.last:
            yield (
                _(
                    "{where}: end {end}, but {trainee}'s {d}-month stay in {specialty} starting {start} "
                    "ends {last}"
                ).format(
                    where=st.where,
                    end=format_month(p.end),
                    trainee=p.trainee,
                    d=d,
                    specialty=p.specialty,
                    start=format_month(p.start),
                    last=format_month(st.last),
                )
            )


def stay_window(c: PlacementCheck) -> Iterator[str]:
    """Hard: a stay starts no earlier than earliest_start and ends by the deadline, s+d-1 <= deadline."""
    for st in c.stays:
        p, trainee = st.placement, c.trainees[st.placement.trainee]
        if p.start < parse_month(trainee.earliest_start):
            yield _("{where}: {what} starts before the trainee's earliest_start {earliest_start}").format(
                where=st.where, what=st.what, earliest_start=trainee.earliest_start
            )
        if st.last > parse_month(trainee.deadline):
            yield _("{where}: {what} ends after the trainee's deadline {deadline}").format(
                where=st.where, what=st.what, deadline=trainee.deadline
            )


def stay_in_horizon(c: PlacementCheck) -> Iterator[str]:
    """Hard: the whole stay lies in the placement horizon."""
    for st in c.stays:
        if st.placement.start < c.first or st.last > c.last:
            yield _("{where}: {what} reaches outside the placement horizon {span}").format(
                where=st.where, what=st.what, span=span(c.first, c.last)
            )


def stay_available(c: PlacementCheck) -> Iterator[str]:
    """Hard: no month of a stay is one of the trainee's unavailable months."""
    for st in c.stays:
        away = {parse_month(m) for m in c.trainees[st.placement.trainee].unavailable}
        clash = [m for m in st.months if m in away]
        if clash:
            months = ", ".join(format_month(m) for m in clash)
            yield _(
                "{where}: {what} includes {months}, when st_trainees.csv has the trainee unavailable"
            ).format(where=st.where, what=st.what, months=months)


def stay_travel(c: PlacementCheck) -> Iterator[str]:
    """Hard: travel.csv offers the hospital to the trainee's home area; travel_minutes is its one-way time."""
    for st in c.stays:
        p = st.placement
        home = c.home(p.trainee)
        minutes = c.travel.get((home, p.hospital))
        if minutes is None:
            yield (
                _(
                    "{where}: {trainee}'s home area {home} has no travel.csv row to {hospital}, so that "
                    "hospital is not offered to the trainee"
                ).format(where=st.where, trainee=p.trainee, home=home, hospital=p.hospital)
            )
        elif p.travel_minutes != minutes:
            yield (
                _(
                    "{where}: travel_minutes {travel_minutes}, but travel.csv gives {minutes} minutes "
                    "from {home} to {hospital}"
                ).format(
                    where=st.where,
                    travel_minutes=grouped(p.travel_minutes),
                    minutes=grouped(minutes),
                    home=home,
                    hospital=p.hospital,
                )
            )


def stay_has_capacity_row(c: PlacementCheck) -> Iterator[str]:
    """Hard: st_capacity.csv has a row for the hospital, specialty and year of the start."""
    for st in c.stays:
        p = st.placement
        year = p.start // 12
        if (p.hospital, p.specialty, year) not in c.capacity:
            yield (
                _(
                    "{where}: st_capacity.csv has no row for {hospital}, {specialty}, {year}, so no stay "
                    "in {specialty} may start at {hospital} in {year}"
                ).format(where=st.where, hospital=p.hospital, specialty=p.specialty, year=year)
            )


def stays_disjoint(c: PlacementCheck) -> Iterator[str]:
    """Hard: a trainee's placed stays do not overlap."""
    by_trainee: dict[str, list[Stay]] = defaultdict(list)
    for st in c.stays:
        by_trainee[st.placement.trainee].append(st)
    for stays in by_trainee.values():
        stays.sort(key=lambda st: (st.placement.start, st.placement.row))
        for i, a in enumerate(stays):
            for b in stays[i + 1 :]:
                first, last = b.placement.start, min(a.last, b.last)
                if first <= last:
                    yield (
                        _(
                            "{rows}: {what} and {specialty} ({span}) overlap in {span2}; a trainee does "
                            "one side-service at a time"
                        ).format(
                            rows=file_rows(PLACEMENTS, [a.placement.row, b.placement.row]),
                            what=a.what,
                            specialty=b.placement.specialty,
                            span=span(b.placement.start, b.last),
                            span2=span(first, last),
                        )
                    )
