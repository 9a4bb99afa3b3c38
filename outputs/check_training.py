"""Independent check of written training plans: the AT distribution and ST-A side-service placements.

The spec's rules (scenario-format.md sections 1, 4, 5 and 6) are checked the way outputs/check.py
checks a volume plan: the plan files are read back and everything they imply (positions, stays,
starts per year, trainees present per month, objective terms) is recomputed from the scenario
alone. Neither OR-Tools nor the optimizer is imported, so a modelling mistake there cannot hide
here.

Every violation is one sentence naming the file, the row as a spreadsheet numbers it (header =
row 1), the rule in the domain's words and the figures. Each rule family is one function below
(its docstring starts with the rule); `check_at_plan` and `check_placements_plan` run them all and
collect every violation. When a CSV file is missing or its header is wrong nothing else can be read
reliably, so only those problems are reported.

Choices where the spec is silent:
- at_distribution.csv's target is accepted when written with two decimals and within half a
  hundredth of total × weight / W, so either way of rounding a tie passes; the message shows the
  figure rounded half up. Row order of at_distribution.csv and places_table.csv is not checked.
- A requirement is known by (trainee, specialty). A stay lasts the requirement's months from its
  start; a wrongly written end is reported on its own and does not move the stay.
- A placements.csv row that names no requirement of st_requirements.csv, or repeats one already
  placed, is reported and takes no further part (no places, no travel, no overlap).
- Placement stability counts this scenario's requirements only; a previous plan's row for a
  requirement that is no longer in st_requirements.csv is not counted.
- A trainee without requirements counts as fully placed.
- A month of a stay in a year without an st_capacity.csv row for that hospital and specialty, or
  whose row has no concurrent_max, has no limit on trainees present.
- A relative `previous_plan` path is looked up from the working directory, then from the plan
  folder (as for volumes).
- summary.json's "scenario" name is left to the volume checker.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

from leveransplan.inputs.tables import cannot_read, read_file
from leveransplan.models.months import format_month, parse_month
from leveransplan.models.numbers import grouped
from leveransplan.models.scenario import (
    AT_OBJECTIVES,
    PLACEMENT_OBJECTIVES,
    CapacityRow,
    Requirement,
    Scenario,
    Trainee,
)
from leveransplan.outputs.check import (
    SUMMARY,
    WHOLE_NUMBER,
    PlanCheckFailed,
    StageLine,
    _at,
    _json_int,
    _one_row_each,
    _previous_folder,
    _read_table,
    parse_stages,
)

__all__ = [
    "AT_DISTRIBUTION",
    "HEADERS",
    "PLACEMENTS",
    "PLACES_TABLE",
    "UNPLACED",
    "PlanCheckFailed",
    "check_at_plan",
    "check_placements_plan",
]

AT_DISTRIBUTION = "at_distribution.csv"
PLACEMENTS = "placements.csv"
UNPLACED = "unplaced.csv"
PLACES_TABLE = "places_table.csv"

HEADERS: dict[str, tuple[str, ...]] = {
    AT_DISTRIBUTION: ("hospital", "positions", "target", "previous"),
    PLACEMENTS: ("trainee", "specialty", "hospital", "start", "end", "travel_minutes"),
    UNPLACED: ("trainee", "specialty", "reason"),
    PLACES_TABLE: ("hospital", "specialty", "year", "used", "places"),
}
MODES = ("places", "propose_places")
PROPOSE_STAGES = ("unplaced", "places", "peak_places")
PLACEMENT_COUNTS = ("requirements", "placed", "trainees", "trainees_fully_placed", "places_total")
TWO_DECIMALS = re.compile(r"^[0-9]+\.[0-9]{2}$")

Rows = list[tuple[int, dict[str, str]]]  # (spreadsheet row, cells by column)
ReqKey = tuple[str, str]  # trainee, specialty
PlaceKey = tuple[str, str, int]  # hospital, specialty, year
T = TypeVar("T")


def _month(serial: int) -> str:
    return format_month(serial)


def _span(first: int, last: int) -> str:
    """`2026-03` or `2026-03..2026-04`."""
    return _month(first) if first == last else f"{_month(first)}..{_month(last)}"


def _runs(months: list[int]) -> Iterator[tuple[int, int]]:
    """First and last month of each run of consecutive months in a sorted list."""
    for index, m in enumerate(months):
        if index == 0 or months[index - 1] != m - 1:
            first = m
        if index == len(months) - 1 or months[index + 1] != m + 1:
            yield first, m


# -- reading the files -------------------------------------------------------------------------


def _read_csv(folder: Path, file: str, out: list[str], label: str = "") -> Rows | None:
    """Rows of a training plan file, read as the volume checker reads its files."""
    return _read_table(folder, file, out, label, header=HEADERS[file])


class _Cells:
    """Typed access to one CSV row; a bad cell is reported once and marks the row unusable."""

    def __init__(self, where: str, raw: dict[str, str], out: list[str]) -> None:
        self.where = where
        self.raw = raw
        self.out = out
        self.ok = True

    def _bad(self, column: str, value: str, expected: str) -> None:
        self.out.append(f"{self.where}: {column} {value!r} {expected}")
        self.ok = False

    def text(self, column: str) -> str:
        return self.raw[column].strip()

    def count(self, column: str) -> int:
        value = self.text(column)
        if WHOLE_NUMBER.match(value):
            return int(value)
        self._bad(column, value, "is not a whole number >= 0")
        return 0

    def optional_count(self, column: str) -> int | None:
        return self.count(column) if self.text(column) else None

    def month(self, column: str) -> int:
        """The month as a running number (parse_month); inside the horizon or not is a rule's matter."""
        value = self.text(column)
        try:
            return parse_month(value)
        except ValueError:
            self._bad(column, value, "is not a month written YYYY-MM")
            return 0


def _parse(file: str, rows: Rows, out: list[str], build: Callable[[_Cells, int], T]) -> list[T]:
    """The rows whose every cell parses, built into their record type; bad cells are reported."""
    parsed = []
    for row, raw in rows:
        cells = _Cells(f"{file} row {row}", raw, out)
        record = build(cells, row)
        if cells.ok:
            parsed.append(record)
    return parsed


def _read_model(folder: Path, model: str, out: list[str]) -> dict[str, Any] | None:
    """summary.json's object for one model ("at", "placements"); None when it cannot be read."""
    path = folder / SUMMARY
    if not path.is_file():
        out.append(f"{SUMMARY}: missing from the plan folder {folder}")
        return None
    try:
        document = json.loads(read_file(path).decode("utf-8-sig"))
    except OSError as error:
        out.append(f"{SUMMARY}: {cannot_read(error)}")
        return None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        out.append(f"{SUMMARY}: not readable as UTF-8 JSON ({error})")
        return None
    part = document.get(model) if isinstance(document, dict) else None
    if not isinstance(part, dict):
        out.append(f'{SUMMARY}: has no object "{model}"')
        return None
    return part


def _parse_objectives(model: str, raw: Any, names: Iterable[str], out: list[str]) -> dict[str, int]:
    if not isinstance(raw, dict):
        out.append(f"{SUMMARY} {model}.objectives: {raw!r} is not an object of term values")
        return {}
    values = {name: _json_int(raw, name, f"{model}.objectives", out) for name in names}
    return {name: value for name, value in values.items() if value is not None}


def _parse_previous_plan(model: str, part: dict[str, Any], out: list[str]) -> str | None:
    previous = part.get("previous_plan", "")
    if previous is None or (isinstance(previous, str) and previous):
        return previous
    out.append(f"{SUMMARY} {model}.previous_plan: {previous!r} is neither null nor a folder path")
    return None


# -- rules shared by both models ---------------------------------------------------------------


def _stages_consistent(
    model: str, stages: list[StageLine] | None, order: list[str], order_name: str, terms: dict[str, int]
) -> Iterator[str]:
    """Hard: one stage per term, in order; bound <= value, equal when OPTIMAL; later stages hold it;
    the final plan is the last stage's solution."""
    if stages is None:
        return
    reached = -1
    seen: set[str] = set()
    for stage in stages:
        if stage.objective not in order:
            yield f"{stage.where}: {stage.objective!r} is not a term of the {order_name} {order}"
            continue
        position = order.index(stage.objective)
        if stage.objective in seen:
            yield f"{stage.where}: a second stage for {stage.objective}; each term is minimised once"
        elif position < reached:
            yield f"{stage.where}: comes after {order[reached]}, but the {order_name} {order} puts it before"
        seen.add(stage.objective)
        reached = max(reached, position)
        if stage.bound > stage.value:
            yield (
                f"{stage.where}: bound {grouped(stage.bound)} is above value {grouped(stage.value)}; "
                "a bound cannot exceed the minimum reached"
            )
        if stage.status == "OPTIMAL" and stage.bound != stage.value:
            yield (
                f"{stage.where}: status OPTIMAL, but bound {grouped(stage.bound)} is not value "
                f"{grouped(stage.value)}"
            )
        final = terms[stage.objective]
        if stage is stages[-1] and final != stage.value:
            yield (
                f"{stage.where}: the final plan's {stage.objective} is {grouped(final)}, but this last stage "
                f"reached {grouped(stage.value)}; the final plan is the last stage's solution"
            )
        elif final > stage.value:
            yield (
                f"{stage.where}: the final plan's {stage.objective} is {grouped(final)}, above the value "
                f"{grouped(stage.value)} this stage reached; later stages hold it at or below that"
            )
        elif final < stage.bound:
            yield (
                f"{stage.where}: the final plan's {stage.objective} is {grouped(final)}, below the stage's "
                "proven "
                f"bound {grouped(stage.bound)}"
            )
    for term in order:
        if term not in seen:
            yield f"{SUMMARY} {model}.stages: no stage for {term!r} of the {order_name} {order}"


def _objectives_match(model: str, written: dict[str, int], terms: dict[str, int]) -> Iterator[str]:
    """Hard: summary.json's objective terms equal those recomputed from the plan files."""
    for name, value in written.items():
        if value != terms[name]:
            yield (
                f"{SUMMARY} {model}.objectives.{name}: {grouped(value)}, but the plan's {name} recomputed "
                "from "
                f"its files is {grouped(terms[name])}"
            )


# == AT distribution ===========================================================================


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


def _at_line(c: _Cells, row: int) -> ATLine:
    return ATLine(
        row=row,
        hospital=c.text("hospital"),
        positions=c.count("positions"),
        target=c.text("target"),
        previous=c.optional_count("previous"),
    )


def _read_at_summary(folder: Path, out: list[str]) -> ATSummary | None:
    part = _read_model(folder, "at", out)
    if part is None:
        return None
    return ATSummary(
        stages=parse_stages("at", part.get("stages"), out),
        objectives=_parse_objectives("at", part.get("objectives"), AT_OBJECTIVES, out),
        total=_json_int(part, "total", "at", out),
    )


@dataclass
class _ATCheck:
    """What every AT rule reads: the scenario, the plan's rows and the recomputed terms."""

    scenario: Scenario
    lines: list[ATLine]
    summary: ATSummary | None
    total: int
    weights: int  # W
    positions: dict[str, int] = field(default_factory=dict)  # first row of each at.csv hospital
    line: dict[str, ATLine] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, scenario: Scenario, lines: list[ATLine], summary: ATSummary | None) -> _ATCheck:
        check = cls(scenario, lines, summary, scenario.at_total or 0, sum(r.weight for r in scenario.at))
        known = {r.hospital for r in scenario.at}
        for line in lines:
            if line.hospital in known and line.hospital not in check.line:
                check.line[line.hospital] = line
                check.positions[line.hospital] = line.positions
        n = check.positions
        check.terms["deviation"] = sum(
            abs(check.weights * n.get(r.hospital, 0) - check.total * r.weight) for r in scenario.at
        )
        check.terms["stability"] = sum(
            abs(n.get(r.hospital, 0) - r.previous) for r in scenario.at if r.previous is not None
        )
        return check


def at_rows_complete(c: _ATCheck) -> Iterator[str]:
    """Hard: at_distribution.csv has exactly one row per hospital of at.csv and no other rows."""
    yield from _one_row_each(
        AT_DISTRIBUTION,
        ((line.row, line.hospital) for line in c.lines),
        [r.hospital for r in c.scenario.at],
        lambda h: f"hospital {h}",
        "one row per hospital of at.csv",
    )


def at_total_distributed(c: _ATCheck) -> Iterator[str]:
    """Hard: the positions add up to [at] total, sum n_h = total."""
    given = sum(c.positions.values())
    if given != c.total:
        rows = [line.row for line in c.line.values()]
        where = _at(AT_DISTRIBUTION, rows) if rows else AT_DISTRIBUTION
        yield (
            f"{where}: the positions add up to {grouped(given)}, but [at] total distributes "
            f"{grouped(c.total)}"
        )


def at_bounds(c: _ATCheck) -> Iterator[str]:
    """Hard: each hospital's positions lie within at.csv's bounds, min <= n_h <= max."""
    for r in c.scenario.at:
        line = c.line.get(r.hospital)
        if line is None:
            continue
        where = f"{AT_DISTRIBUTION} row {line.row}"
        if line.positions < r.min:
            yield (
                f"{where}: {r.hospital} gets {grouped(line.positions)} AT positions, below its min "
                f"{grouped(r.min)}"
            )
        elif line.positions > r.max:
            yield (
                f"{where}: {r.hospital} gets {grouped(line.positions)} AT positions, above its max "
                f"{grouped(r.max)}"
            )


def at_rotation_capacity(c: _ATCheck) -> Iterator[str]:
    """Hard: the AT doctors' months in an area fit the departments, n_h*months <= capacity_months."""
    for rotation in c.scenario.at_rotations:
        line = c.line.get(rotation.hospital)
        if line is None:
            continue
        need = line.positions * rotation.months
        if need > rotation.capacity_months:
            yield (
                f"{AT_DISTRIBUTION} row {line.row}: {rotation.hospital}'s {grouped(line.positions)} AT "
                "doctors "
                f"need {grouped(line.positions)} × {rotation.months} = {grouped(need)} months of "
                f"{rotation.area}, "
                f"above the capacity_months {grouped(rotation.capacity_months)} at_rotations.csv gives "
                f"{rotation.hospital} in {rotation.area}"
            )


def _target_text(total: int, weight: int, weights: int) -> str:
    """total × weight / W rounded half up to two decimals (0.00 when W = 0)."""
    hundredths = 0 if weights == 0 else (200 * total * weight + weights) // (2 * weights)
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def at_columns(c: _ATCheck) -> Iterator[str]:
    """Hard: target = total × weight / W with two decimals, and previous repeats at.csv's previous."""
    for r in c.scenario.at:
        line = c.line.get(r.hospital)
        if line is None:
            continue
        where = f"{AT_DISTRIBUTION} row {line.row}"
        exact = Fraction(c.total * r.weight, c.weights) if c.weights else Fraction(0)
        written_ok = TWO_DECIMALS.match(line.target) is not None
        if not written_ok or abs(Fraction(line.target) - exact) > Fraction(1, 200):
            expected = _target_text(c.total, r.weight, c.weights)
            if c.weights:
                derivation = (
                    f"total {grouped(c.total)} × weight {grouped(r.weight)} / sum of weights "
                    f"{grouped(c.weights)} "
                    f"= {expected}"
                )
            else:
                derivation = "with every weight 0 the target is 0.00"
            yield f"{where}: target {line.target!r}, but {derivation} (two decimals)"
        if line.previous != r.previous:
            written = "empty" if line.previous is None else grouped(line.previous)
            expected = "no previous" if r.previous is None else f"previous {grouped(r.previous)}"
            yield f"{where}: previous {written}, but at.csv gives {r.hospital} {expected}"


def at_objectives(c: _ATCheck) -> Iterator[str]:
    """Hard: deviation = sum_h |W*n_h - total*weight_h|, stability = sum_h |n_h - previous_h|; total."""
    if c.summary is None:
        return
    yield from _objectives_match("at", c.summary.objectives, c.terms)
    if c.summary.total is not None and c.summary.total != c.total:
        yield f"{SUMMARY} at.total: {grouped(c.summary.total)}, but [at] total is {grouped(c.total)}"


def at_stages(c: _ATCheck) -> Iterator[str]:
    """Hard: the AT stages follow the configured order, without stability when at.csv has no previous."""
    if c.summary is None:
        return
    has_previous = any(r.previous is not None for r in c.scenario.at)
    order = [t for t in c.scenario.objective.at if has_previous or t != "stability"]
    name = "AT objective order"
    if not has_previous and "stability" in c.scenario.objective.at:
        name += " (stability left out: no at.csv row has previous)"
    yield from _stages_consistent("at", c.summary.stages, order, name, c.terms)


AT_RULES: tuple[Callable[[_ATCheck], Iterator[str]], ...] = (
    at_rows_complete,
    at_total_distributed,
    at_bounds,
    at_rotation_capacity,
    at_columns,
    at_objectives,
    at_stages,
)


def check_at_plan(scenario: Scenario, plan_dir: Path) -> list[str]:
    """Every violation of the spec's rules by the AT distribution in `plan_dir`; empty when it passes.

    A scenario without `[at] total` has no AT distribution, so there is nothing to check."""
    if not scenario.has_at:
        return []
    folder = Path(plan_dir)
    violations: list[str] = []
    rows = _read_csv(folder, AT_DISTRIBUTION, violations)
    summary = _read_at_summary(folder, violations)
    if rows is None:
        return violations
    lines = _parse(AT_DISTRIBUTION, rows, violations, _at_line)
    check = _ATCheck.build(scenario, lines, summary)
    for rule in AT_RULES:
        violations.extend(rule(check))
    return violations


# == ST-A placements ===========================================================================


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
class Stay:
    """A placements.csv row that places a known requirement for the first time, with its months."""

    placement: Placement
    requirement: Requirement

    @property
    def where(self) -> str:
        return f"{PLACEMENTS} row {self.placement.row}"

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
        return f"{p.trainee}'s stay in {p.specialty} ({_span(p.start, self.last)})"


@dataclass
class PlacementSummary:
    """The parts of summary.json's "placements" object that parsed; a part that did not is left out."""

    stages: list[StageLine] | None = None
    objectives: dict[str, int] = field(default_factory=dict)
    mode: str | None = None
    months: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    previous_plan: str | None = None


def _placement(c: _Cells, row: int) -> Placement:
    return Placement(
        row=row,
        trainee=c.text("trainee"),
        specialty=c.text("specialty"),
        hospital=c.text("hospital"),
        start=c.month("start"),
        end=c.month("end"),
        travel_minutes=c.count("travel_minutes"),
    )


def _unplaced(c: _Cells, row: int) -> UnplacedLine:
    return UnplacedLine(row, c.text("trainee"), c.text("specialty"), c.text("reason"))


def _places_line(c: _Cells, row: int) -> PlacesLine:
    return PlacesLine(
        row=row,
        hospital=c.text("hospital"),
        specialty=c.text("specialty"),
        year=c.count("year"),
        used=c.count("used"),
        places=c.count("places"),
    )


def _read_placement_summary(folder: Path, out: list[str]) -> PlacementSummary | None:
    part = _read_model(folder, "placements", out)
    if part is None:
        return None
    summary = PlacementSummary(
        stages=parse_stages("placements", part.get("stages"), out),
        objectives=_parse_objectives("placements", part.get("objectives"), PLACEMENT_OBJECTIVES, out),
        previous_plan=_parse_previous_plan("placements", part, out),
    )
    mode = part.get("mode")
    if mode in MODES:
        summary.mode = str(mode)
    else:
        out.append(f"{SUMMARY} placements.mode: {mode!r} is not one of {', '.join(MODES)}")
    months = part.get("months")
    if isinstance(months, str):
        summary.months = months
    else:
        out.append(
            f"{SUMMARY} placements.months: {months!r} is not the placement horizon written FIRST..LAST"
        )
    for key in PLACEMENT_COUNTS:
        value = _json_int(part, key, "placements", out)
        if value is not None:
            summary.counts[key] = value
    return summary


@dataclass
class _PlacementCheck:
    """What every placement rule reads: the scenario's lookups, the plan's rows and recomputed figures."""

    scenario: Scenario
    folder: Path
    placements: list[Placement]
    unplaced: list[UnplacedLine]
    places_lines: list[PlacesLine]
    placement_rows: int  # data rows of placements.csv, parsed or not
    unplaced_rows: int
    summary: PlacementSummary | None
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

    def build(self) -> _PlacementCheck:
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
        """The placement terms of spec section 5, and places and peak_places of the propose mode."""
        self.terms["unplaced"] = self.unplaced_rows
        self.terms["travel"] = sum(
            self.travel.get((self.home(st.placement.trainee), st.placement.hospital), 0)
            * st.requirement.months
            for st in self.stays
        )
        self.terms["stability"] = self._stability()
        self.terms["places"] = sum(line.places for line in self.places_lines)
        peak: dict[tuple[str, int], int] = {}
        for line in self.places_lines:
            key = (line.specialty, line.year)
            peak[key] = max(peak.get(key, 0), line.places)
        self.terms["peak_places"] = sum(peak.values())

    def _stability(self) -> int:
        """Requirements whose (hospital, start) differs from the previous plan's; 0 without one."""
        summary = self.summary
        if summary is None or summary.previous_plan is None:
            return 0
        folder = _previous_folder(summary.previous_plan, self.folder)
        if folder is None:
            self.stability_problems.append(
                f"{SUMMARY} placements.previous_plan: folder {summary.previous_plan!r} not found; "
                "the stability term cannot be recomputed"
            )
            return 0
        label = f"previous plan {folder / PLACEMENTS}"
        previous: dict[ReqKey, tuple[str, int]] = {}
        for row, raw in _read_csv(folder, PLACEMENTS, self.stability_problems, label=label) or []:
            cells = _Cells(f"{label} row {row}", raw, self.stability_problems)
            start = cells.month("start")
            if cells.ok:
                previous.setdefault(
                    (cells.text("trainee"), cells.text("specialty")), (cells.text("hospital"), start)
                )
        current = {st.placement.key: (st.placement.hospital, st.placement.start) for st in self.stays}
        return sum(1 for key in self.requirements if current.get(key) != previous.get(key))


def requirements_known(c: _PlacementCheck) -> Iterator[str]:
    """Hard: every placed or unplaced row names a trainee of st_trainees.csv and one of its requirements;
    an unplaced requirement has a reason."""
    rows: list[tuple[str, int, str, str]] = [
        (PLACEMENTS, p.row, p.trainee, p.specialty) for p in c.placements
    ]
    rows += [(UNPLACED, u.row, u.trainee, u.specialty) for u in c.unplaced]
    for file, row, trainee, specialty in rows:
        if trainee not in c.trainees:
            yield f"{file} row {row}: trainee {trainee!r} is not a trainee in st_trainees.csv"
        elif (trainee, specialty) not in c.requirements:
            yield f"{file} row {row}: {trainee} has no requirement in {specialty!r} in st_requirements.csv"
    for u in c.unplaced:
        if not u.reason:
            yield f"{UNPLACED} row {u.row}: the reason is empty; every unplaced requirement says why"


def requirements_once(c: _PlacementCheck) -> Iterator[str]:
    """Hard: each requirement is either placed once or listed once as unplaced."""
    first: dict[ReqKey, str] = {}
    rows: list[tuple[str, int, ReqKey]] = [(PLACEMENTS, p.row, p.key) for p in c.placements]
    rows += [(UNPLACED, u.row, u.key) for u in c.unplaced]
    for file, row, key in rows:
        if key not in c.requirements:
            continue
        if key in first:
            yield (
                f"{file} row {row}: repeats the requirement {key[0]}, {key[1]} of {first[key]}; each "
                "requirement is placed once or listed once as unplaced"
            )
        else:
            first[key] = f"{file} row {row}"
    for r in c.scenario.st_requirements:
        if (r.trainee, r.specialty) not in first:
            yield (
                f"{PLACEMENTS} and {UNPLACED}: no row for the requirement {r.trainee}, {r.specialty} "
                f"({r.months} months); each requirement is placed or listed as unplaced"
            )


def stay_end(c: _PlacementCheck) -> Iterator[str]:
    """Hard: end is the last month of the stay, start + months - 1."""
    for st in c.stays:
        p, d = st.placement, st.requirement.months
        if p.end != st.last:
            yield (
                f"{st.where}: end {_month(p.end)}, but {p.trainee}'s {d}-month stay in {p.specialty} "
                f"starting {_month(p.start)} ends {_month(st.last)}"
            )


def stay_window(c: _PlacementCheck) -> Iterator[str]:
    """Hard: a stay starts no earlier than earliest_start and ends by the deadline, s+d-1 <= deadline."""
    for st in c.stays:
        p, trainee = st.placement, c.trainees[st.placement.trainee]
        if p.start < parse_month(trainee.earliest_start):
            yield f"{st.where}: {st.what} starts before the trainee's earliest_start {trainee.earliest_start}"
        if st.last > parse_month(trainee.deadline):
            yield f"{st.where}: {st.what} ends after the trainee's deadline {trainee.deadline}"


def stay_in_horizon(c: _PlacementCheck) -> Iterator[str]:
    """Hard: the whole stay lies in the placement horizon."""
    for st in c.stays:
        if st.placement.start < c.first or st.last > c.last:
            yield f"{st.where}: {st.what} reaches outside the placement horizon {_span(c.first, c.last)}"


def stay_available(c: _PlacementCheck) -> Iterator[str]:
    """Hard: no month of a stay is one of the trainee's unavailable months."""
    for st in c.stays:
        away = {parse_month(m) for m in c.trainees[st.placement.trainee].unavailable}
        clash = [m for m in st.months if m in away]
        if clash:
            months = ", ".join(_month(m) for m in clash)
            yield f"{st.where}: {st.what} includes {months}, when st_trainees.csv has the trainee unavailable"


def stay_travel(c: _PlacementCheck) -> Iterator[str]:
    """Hard: travel.csv offers the hospital to the trainee's home area; travel_minutes is its one-way time."""
    for st in c.stays:
        p = st.placement
        home = c.home(p.trainee)
        minutes = c.travel.get((home, p.hospital))
        if minutes is None:
            yield (
                f"{st.where}: {p.trainee}'s home area {home} has no travel.csv row to {p.hospital}, "
                "so that hospital is not offered to the trainee"
            )
        elif p.travel_minutes != minutes:
            yield (
                f"{st.where}: travel_minutes {grouped(p.travel_minutes)}, but travel.csv gives "
                f"{grouped(minutes)} "
                f"minutes from {home} to {p.hospital}"
            )


def stay_has_capacity_row(c: _PlacementCheck) -> Iterator[str]:
    """Hard: st_capacity.csv has a row for the hospital, specialty and year of the start."""
    for st in c.stays:
        p = st.placement
        year = p.start // 12
        if (p.hospital, p.specialty, year) not in c.capacity:
            yield (
                f"{st.where}: st_capacity.csv has no row for {p.hospital}, {p.specialty}, {year}, so no stay "
                f"in {p.specialty} may start at {p.hospital} in {year}"
            )


def stays_disjoint(c: _PlacementCheck) -> Iterator[str]:
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
                        f"{_at(PLACEMENTS, [a.placement.row, b.placement.row])}: {a.what} and "
                        f"{b.placement.specialty} ({_span(b.placement.start, b.last)}) overlap in "
                        f"{_span(first, last)}; a trainee does one side-service at a time"
                    )


def starts_within_places(c: _PlacementCheck) -> Iterator[str]:
    """Hard: per hospital, specialty and year, the stays starting then are at most the places
    (st_capacity.csv's, or places_table.csv's proposed places in mode propose_places)."""
    for key, rows in c.starts.items():
        hospital, specialty, year = key
        line, row = c.table.get(key), c.capacity.get(key)
        if c.mode == "propose_places":
            limit = None if line is None else line.places
            source = f"proposed on {PLACES_TABLE} row {line.row}" if line else ""
        else:
            limit = None if row is None else row.places
            source = "st_capacity.csv gives"
        if limit is not None and len(rows) > limit:
            yield (
                f"{_at(PLACEMENTS, rows)}: {len(rows)} stays in {specialty} start at {hospital} in {year}, "
                f"above the {grouped(limit)} places {source}"
            )


def concurrent_within_max(c: _PlacementCheck) -> Iterator[str]:
    """Hard: per hospital, specialty and month, trainees present <= concurrent_max of that month's year."""
    present: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    for st in c.stays:
        for m in st.months:
            present[st.placement.hospital, st.placement.specialty, m].append(st.placement.row)
    over: dict[tuple[str, str, int, tuple[int, ...], int], list[int]] = defaultdict(list)
    for (hospital, specialty, m), rows in sorted(present.items()):
        row = c.capacity.get((hospital, specialty, m // 12))
        if row is not None and row.concurrent_max is not None and len(rows) > row.concurrent_max:
            over[hospital, specialty, m // 12, tuple(rows), row.concurrent_max].append(m)
    for (hospital, specialty, year, stays, limit), months in over.items():
        for first, last in _runs(months):  # the same stays over the same limit: one sentence
            yield (
                f"{_at(PLACEMENTS, stays)}: {len(stays)} trainees present in {specialty} at {hospital} in "
                f"{_span(first, last)}, above the concurrent_max {grouped(limit)} st_capacity.csv gives "
                f"for {year}"
            )


def fixed_placements_kept(c: _PlacementCheck) -> Iterator[str]:
    """Hard: every placement of st_fixed.csv is in placements.csv with the same hospital and start."""
    placed = {st.placement.key: st.placement for st in c.stays}
    unplaced = {u.key: u.row for u in reversed(c.unplaced)}
    for fixed in c.scenario.st_fixed:
        key = (fixed.trainee, fixed.specialty)
        agreed = f"st_fixed.csv fixes it at {fixed.hospital} from {fixed.start}; an agreed placement stays"
        p = placed.get(key)
        if p is None:
            where = f"{UNPLACED} row {unplaced[key]}" if key in unplaced else PLACEMENTS
            yield f"{where}: the requirement {fixed.trainee}, {fixed.specialty} is not placed, but {agreed}"
        elif p.hospital != fixed.hospital or p.start != parse_month(fixed.start):
            yield (
                f"{PLACEMENTS} row {p.row}: {fixed.trainee}, {fixed.specialty} is placed at {p.hospital} "
                f"from {_month(p.start)}, but {agreed}"
            )


def places_table_consistent(c: _PlacementCheck) -> Iterator[str]:
    """Hard: places_table.csv has one row per st_capacity.csv row; used counts the starts; places are
    st_capacity.csv's (mode places) or proposed at or above used (mode propose_places)."""
    yield from _one_row_each(
        PLACES_TABLE,
        ((line.row, line.key) for line in c.places_lines),
        list(c.capacity),
        lambda key: f"{key[0]}, {key[1]}, {key[2]}",
        "one row per row of st_capacity.csv",
    )
    for key, line in c.table.items():
        where = f"{PLACES_TABLE} row {line.row}"
        used = len(c.starts.get(key, []))
        if line.used != used:
            yield (
                f"{where}: used {grouped(line.used)}, but {PLACEMENTS} starts {grouped(used)} stays in "
                f"{line.specialty} at {line.hospital} in {line.year}"
            )
        places = c.capacity[key].places
        if c.mode == "places" and line.places != places:
            yield (
                f"{where}: places {grouped(line.places)}, but st_capacity.csv gives {line.hospital} "
                f"{grouped(places)} "
                f"places in {line.specialty} in {line.year}"
            )


def placement_counts(c: _PlacementCheck) -> Iterator[str]:
    """Hard: summary.json's placement horizon and counts equal those recomputed from the scenario and plan."""
    summary = c.summary
    if summary is None:
        return
    horizon = f"{_month(c.first)}..{_month(c.last)}"
    if summary.months is not None and summary.months != horizon:
        yield f"{SUMMARY} placements.months: {summary.months!r}, but the placement horizon is {horizon}"
    placed = {st.placement.key for st in c.stays}
    waiting = {r.trainee for r in c.scenario.st_requirements if (r.trainee, r.specialty) not in placed}
    fully = sum(1 for t in c.trainees if t not in waiting)
    expected = {
        "requirements": (len(c.requirements), "st_requirements.csv has"),
        "placed": (c.placement_rows, f"{PLACEMENTS} has"),
        "trainees": (len(c.trainees), "st_trainees.csv has"),
        "trainees_fully_placed": (fully, "the trainees with every requirement placed are"),
        "places_total": (c.terms["places"], f"the places column of {PLACES_TABLE} sums to"),
    }
    for key, written in summary.counts.items():
        value, what = expected[key]
        if written != value:
            yield f"{SUMMARY} placements.{key}: {grouped(written)}, but {what} {grouped(value)}"


def placement_objectives(c: _PlacementCheck) -> Iterator[str]:
    """Hard: unplaced = rows of unplaced.csv, travel = sum minutes × months, stability against the previous
    plan, as recomputed from the plan files."""
    yield from c.stability_problems
    if c.summary is not None:
        yield from _objectives_match("placements", c.summary.objectives, c.terms)


def placement_stages(c: _PlacementCheck) -> Iterator[str]:
    """Hard: the stages follow the configured placement order; in mode propose_places they are unplaced,
    places, peak_places, then the rest of that order."""
    if c.summary is None:
        return
    configured = list(c.scenario.objective.placements)
    if c.mode == "propose_places":
        order = list(PROPOSE_STAGES) + [t for t in configured if t != "unplaced"]
        name = "placement order of mode propose_places"
    else:
        order, name = configured, "placement objective order"
    yield from _stages_consistent("placements", c.summary.stages, order, name, c.terms)


PLACEMENT_RULES: tuple[Callable[[_PlacementCheck], Iterator[str]], ...] = (
    requirements_known,
    requirements_once,
    stay_end,
    stay_window,
    stay_in_horizon,
    stay_available,
    stay_travel,
    stay_has_capacity_row,
    stays_disjoint,
    starts_within_places,
    concurrent_within_max,
    fixed_placements_kept,
    places_table_consistent,
    placement_counts,
    placement_objectives,
    placement_stages,
)


def check_placements_plan(scenario: Scenario, plan_dir: Path) -> list[str]:
    """Every violation of the spec's rules by the side-service placements in `plan_dir`; empty when it passes.

    A scenario without ST-A tables has no placements, so there is nothing to check."""
    if not scenario.has_placements:
        return []
    folder = Path(plan_dir)
    violations: list[str] = []
    tables = {file: _read_csv(folder, file, violations) for file in (PLACEMENTS, UNPLACED, PLACES_TABLE)}
    summary = _read_placement_summary(folder, violations)
    placements, unplaced, places = tables[PLACEMENTS], tables[UNPLACED], tables[PLACES_TABLE]
    if placements is None or unplaced is None or places is None:
        return violations
    check = _PlacementCheck(
        scenario=scenario,
        folder=folder,
        placements=_parse(PLACEMENTS, placements, violations, _placement),
        unplaced=_parse(UNPLACED, unplaced, violations, _unplaced),
        places_lines=_parse(PLACES_TABLE, places, violations, _places_line),
        placement_rows=len(placements),
        unplaced_rows=len(unplaced),
        summary=summary,
    ).build()
    for rule in PLACEMENT_RULES:
        violations.extend(rule(check))
    return violations
