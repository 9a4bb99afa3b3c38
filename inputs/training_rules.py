"""Cross-table rules of the training tables (AT and ST-A), each appending located problems.

Fixed placements are checked here against every placement rule, so that a clash shows up as
a message naming the row of st_fixed.csv rather than as an infeasible model.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from leveransplan.inputs.problems import NOT_A_HOSPITAL, InputProblem
from leveransplan.models.language import _
from leveransplan.models.months import Horizon, format_month, parse_month
from leveransplan.models.numbers import grouped
from leveransplan.models.scenario import AT_AREAS

if TYPE_CHECKING:
    from leveransplan.inputs.load import CrossTableRules
    from leveransplan.inputs.tables import Record

FIXED = "st_fixed.csv"
_YEARS = range(1900, 2201)


class TrainingRules:
    """The training tables' rules over the records the loader parsed."""

    def __init__(self, checker: CrossTableRules) -> None:
        self.c = checker
        self.trainees = {r["trainee"]: r for r in checker.rows("st_trainees.csv")}
        self.requirements = {(r["trainee"], r["specialty"]): r for r in checker.rows("st_requirements.csv")}
        self.capacity = {
            (r["hospital"], r["specialty"], r["year"]): r for r in checker.rows("st_capacity.csv")
        }
        self.travel = {(r["home_area"], r["hospital"]): r for r in checker.rows("travel.csv")}

    def check_all(self) -> None:
        c = self.c
        for file in ("at.csv", "at_rotations.csv", "st_capacity.csv", "travel.csv", FIXED):
            c.known(file, "hospital", c.hospitals, NOT_A_HOSPITAL, "hospitals.csv")
        c.unique_keys("at.csv", ("hospital",))
        c.unique_keys("at_rotations.csv", ("hospital", "area"))
        c.unique_keys("st_trainees.csv", ("trainee",))
        c.unique_keys("st_requirements.csv", ("trainee", "specialty"))
        c.unique_keys("st_capacity.csv", ("hospital", "specialty", "year"))
        c.unique_keys("travel.csv", ("home_area", "hospital"))
        c.unique_keys(FIXED, ("trainee", "specialty"))
        self.at_bounds()
        self.at_rotation_rows()
        self.trainee_windows()
        self.home_areas_reach_a_hospital()
        self.requirements_name_trainees_and_specialties()
        self.capacity_years()
        self.places_within_max_places()
        self.fixed_placements_obey_the_rules()
        self.fixed_placements_do_not_overlap()
        self.fixed_placements_fit_the_places()

    # -- AT ---------------------------------------------------------------------------------------
    def at_bounds(self) -> None:
        """Hard: each hospital's minimum fits its maximum, and the bounds can hold [at] total."""
        rows = self.c.rows("at.csv")
        for record in rows:
            if record["min"] > record["max"]:
                self.c.add(
                    "at.csv",
                    record,
                    "min",
                    _("is above max {maximum}; expected min <= max").format(maximum=record["max"]),
                )
        total = self.c.at_total
        if total is None or not rows or "at.csv" in self.c.unreadable:
            return
        lowest, highest = sum(r["min"] for r in rows), sum(r["max"] for r in rows)
        if not lowest <= total <= highest:
            self.c.problems.append(
                _setting_problem(
                    total,
                    _(
                        "cannot be distributed: at.csv's minimums add up to {lowest} and its maximums "
                        "to {highest}; expected a total between them"
                    ).format(lowest=grouped(lowest), highest=grouped(highest)),
                )
            )

    def at_rotation_rows(self) -> None:
        """Hard: a rotation names an AT hospital of at.csv and one of the AT areas."""
        at_hospitals = {r["hospital"] for r in self.c.rows("at.csv")}
        minimum = {r["hospital"]: r["min"] for r in self.c.rows("at.csv")}
        for record in self.c.rows("at_rotations.csv"):
            if record["area"] not in AT_AREAS:
                self.c.add(
                    "at_rotations.csv",
                    record,
                    "area",
                    _("expected one of {areas}").format(areas=", ".join(AT_AREAS)),
                )
            if record["months"] < 1:
                self.c.add("at_rotations.csv", record, "months", _("expected 1 month or more"))
            if (
                "at.csv" not in self.c.unreadable
                and record["hospital"] in self.c.hospitals
                and record["hospital"] not in at_hospitals
            ):
                self.c.add("at_rotations.csv", record, "hospital", _("has no row in at.csv"))
            least = minimum.get(record["hospital"], 0)
            if least * record["months"] > record["capacity_months"]:
                self.c.add(
                    "at_rotations.csv",
                    record,
                    "capacity_months",
                    _(
                        "is below at.csv's min {least} AT doctors x {months} months = {product} AT-months"
                    ).format(
                        least=grouped(least),
                        months=grouped(record["months"]),
                        product=grouped(least * record["months"]),
                    ),
                )

    # -- ST-A -------------------------------------------------------------------------------------
    def trainee_windows(self) -> None:
        """Hard: a trainee's deadline is not before the earliest start."""
        for record in self.c.rows("st_trainees.csv"):
            if parse_month(record["deadline"]) < parse_month(record["earliest_start"]):
                self.c.add(
                    "st_trainees.csv",
                    record,
                    "deadline",
                    _("is before earliest_start {month}; expected a later month").format(
                        month=record["earliest_start"]
                    ),
                )

    def home_areas_reach_a_hospital(self) -> None:
        """Hard: every home area has a hospital within reach in travel.csv (else it is a typo)."""
        if "travel.csv" in self.c.unreadable:
            return
        areas = {area for area, _ in self.travel}
        for record in self.c.rows("st_trainees.csv"):
            if record["home_area"] not in areas:
                self.c.add(
                    "st_trainees.csv",
                    record,
                    "home_area",
                    _("has no row in travel.csv; expected a home area with a hospital within reach"),
                )

    def requirements_name_trainees_and_specialties(self) -> None:
        """Hard: a requirement belongs to a trainee of st_trainees.csv and a specialty with places."""
        specialties = {s for _, s, _ in self.capacity}
        for record in self.c.rows("st_requirements.csv"):
            if "st_trainees.csv" not in self.c.unreadable and record["trainee"] not in self.trainees:
                self.c.add("st_requirements.csv", record, "trainee", _("is not a trainee in st_trainees.csv"))
            if "st_capacity.csv" not in self.c.unreadable and record["specialty"] not in specialties:
                self.c.add(
                    "st_requirements.csv", record, "specialty", _("is not a specialty in st_capacity.csv")
                )
            if record["months"] < 1:
                self.c.add("st_requirements.csv", record, "months", _("expected 1 month or more"))

    def capacity_years(self) -> None:
        """Hard: st_capacity's year is a calendar year."""
        for record in self.c.rows("st_capacity.csv"):
            if record["year"] not in _YEARS:
                self.c.add("st_capacity.csv", record, "year", _("expected a calendar year such as 2026"))

    def places_within_max_places(self) -> None:
        """Hard: a department's places are at most its max_places (format 1.1), when given."""
        for record in self.c.rows("st_capacity.csv"):
            most = record["max_places"]
            if most is not None and record["places"] > most:
                self.c.add(
                    "st_capacity.csv",
                    record,
                    "places",
                    _("is above max_places {maximum}; expected places <= max_places").format(
                        maximum=grouped(most)
                    ),
                )

    def _fixed_rows(self) -> list[tuple[Record, Record, Record, int]]:
        """Fixed rows whose trainee and requirement are known: (row, trainee, requirement, start)."""
        found = []
        for record in self.c.rows(FIXED):
            trainee = self.trainees.get(record["trainee"])
            requirement = self.requirements.get((record["trainee"], record["specialty"]))
            if trainee is None:
                if "st_trainees.csv" not in self.c.unreadable:
                    self.c.add(FIXED, record, "trainee", _("is not a trainee in st_trainees.csv"))
                continue
            if requirement is None:
                if "st_requirements.csv" not in self.c.unreadable:
                    self.c.add(
                        FIXED,
                        record,
                        "specialty",
                        _("is not a requirement of trainee {trainee} in st_requirements.csv").format(
                            trainee=record["trainee"]
                        ),
                    )
                continue
            found.append((record, trainee, requirement, parse_month(record["start"])))
        return found

    def fixed_placements_obey_the_rules(self) -> None:
        """Hard: a fixed placement obeys every placement rule (window, leave, horizon, travel, places)."""
        horizon = self.c.placement_horizon
        for record, trainee, requirement, start in self._fixed_rows():
            end = start + requirement["months"] - 1
            stay = _("the {months}-month stay {first}..{last}").format(
                months=requirement["months"], first=record["start"], last=format_month(end)
            )
            if start < parse_month(trainee["earliest_start"]):
                self.c.add(
                    FIXED,
                    record,
                    "start",
                    _("is before the trainee's earliest_start {month}").format(
                        month=trainee["earliest_start"]
                    ),
                )
            if end > parse_month(trainee["deadline"]):
                self.c.add(
                    FIXED,
                    record,
                    "start",
                    _("{stay} ends after the deadline {month}").format(stay=stay, month=trainee["deadline"]),
                )
            if horizon is not None and (horizon.number(record["start"]) is None or end > _last(horizon)):
                self.c.add(
                    FIXED,
                    record,
                    "start",
                    _("{stay} does not lie within the placement horizon {first}..{last}").format(
                        stay=stay, first=horizon.start, last=horizon.label(horizon.length)
                    ),
                )
            leave = sorted(m for m in trainee["unavailable"] if start <= parse_month(m) <= end)
            if leave:
                self.c.add(
                    FIXED,
                    record,
                    "start",
                    _("{stay} covers months the trainee is unavailable: {months}").format(
                        stay=stay, months=", ".join(leave)
                    ),
                )
            if (
                "travel.csv" not in self.c.unreadable
                and (trainee["home_area"], record["hospital"]) not in self.travel
            ):
                self.c.add(
                    FIXED,
                    record,
                    "hospital",
                    _("is not offered to home area {area} in travel.csv").format(area=trainee["home_area"]),
                )
            year = start // 12
            if (
                "st_capacity.csv" not in self.c.unreadable
                and (record["hospital"], record["specialty"], year) not in self.capacity
            ):
                self.c.add(
                    FIXED,
                    record,
                    "hospital",
                    _("has no places in {specialty} in {year} in st_capacity.csv").format(
                        specialty=record["specialty"], year=year
                    ),
                )

    def fixed_placements_do_not_overlap(self) -> None:
        """Hard: a trainee's fixed stays do not overlap."""
        taken: dict[str, list[tuple[int, int, Record]]] = defaultdict(list)
        for record, _trainee, requirement, start in self._fixed_rows_quiet():
            end = start + requirement["months"] - 1
            for other_start, other_end, other in taken[record["trainee"]]:
                if start <= other_end and other_start <= end:
                    self.c.add(
                        FIXED,
                        record,
                        "start",
                        _(
                            "overlaps the fixed {specialty} placement of row {row} ({first}..{last}); "
                            "a trainee's stays do not overlap"
                        ).format(
                            specialty=other["specialty"],
                            row=other.row,
                            first=other["start"],
                            last=format_month(other_end),
                        ),
                    )
                    break
            taken[record["trainee"]].append((start, end, record))

    def fixed_placements_fit_the_places(self) -> None:
        """Hard: fixed placements count against places and max_places per year, concurrent_max per month."""
        starts: dict[tuple[str, str, int], list[Record]] = defaultdict(list)
        present: dict[tuple[str, str, int], list[Record]] = defaultdict(list)
        for record, _trainee, requirement, start in self._fixed_rows_quiet():
            starts[record["hospital"], record["specialty"], start // 12].append(record)
            for month in range(start, start + requirement["months"]):
                present[record["hospital"], record["specialty"], month].append(record)
        for (hospital, specialty, year), records in starts.items():
            row = self.capacity.get((hospital, specialty, year))
            most = None if row is None else row["max_places"]
            if row is not None and most is not None and len(records) > most:
                # Above what the department can take at all: proposing places cannot help either.
                self.c.add(
                    FIXED,
                    records[-1],
                    "hospital",
                    _(
                        "is one of {count} fixed {specialty} placements starting at {hospital} in {year} "
                        "(rows {rows}), above its max_places {maximum} (st_capacity.csv row {row})"
                    ).format(
                        count=grouped(len(records)),
                        specialty=specialty,
                        hospital=hospital,
                        year=year,
                        rows=", ".join(str(r.row) for r in records),
                        maximum=grouped(most),
                        row=row.row,
                    ),
                )
            elif row is not None and len(records) > row["places"]:
                self.c.add(
                    FIXED,
                    records[-1],
                    "hospital",
                    _(
                        "is one of {count} fixed {specialty} placements starting at {hospital} in {year} "
                        "(rows {rows}), above its {places} places (st_capacity.csv row {row})"
                    ).format(
                        count=grouped(len(records)),
                        specialty=specialty,
                        hospital=hospital,
                        year=year,
                        rows=", ".join(str(r.row) for r in records),
                        places=grouped(row["places"]),
                        row=row.row,
                    ),
                )
        reported: set[tuple[str, str]] = set()
        for (hospital, specialty, month), records in sorted(present.items()):
            row = self.capacity.get((hospital, specialty, month // 12))
            limit = None if row is None else row["concurrent_max"]
            if limit is not None and len(records) > limit and (hospital, specialty) not in reported:
                reported.add((hospital, specialty))
                self.c.add(
                    FIXED,
                    records[-1],
                    "start",
                    _(
                        "puts {count} fixed trainees in {specialty} at {hospital} in {month} (rows {rows}), "
                        "above concurrent_max {limit} (st_capacity.csv row {row})"
                    ).format(
                        count=grouped(len(records)),
                        specialty=specialty,
                        hospital=hospital,
                        month=format_month(month),
                        rows=", ".join(str(r.row) for r in records),
                        limit=limit,
                        row=row.row if row else "",
                    ),
                )

    def _fixed_rows_quiet(self) -> list[tuple[Record, Record, Record, int]]:
        """As `_fixed_rows`, without reporting again the rows it already reported."""
        saved = len(self.c.problems)
        rows = self._fixed_rows()
        del self.c.problems[saved:]
        return rows


def _last(horizon: Horizon) -> int:
    """The running number of the horizon's last month."""
    return horizon.first_serial + horizon.length - 1


def _setting_problem(value: int, expected: str) -> InputProblem:
    return InputProblem("scenario.toml", None, None, str(value), expected, key="at.total")
