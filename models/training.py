"""The training models' data and plans: AT bounds, ST-A requirements and their placement options.

Everything here follows spec section 5 and imports no solver, so the optimizer, the output
writers and the reasons given for unplaced requirements all read the rules from one place.
Months are running numbers (models.months.parse_month) so that stays can cross a year.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from itertools import permutations

from leveransplan.models.language import _
from leveransplan.models.months import format_month, parse_month
from leveransplan.models.numbers import grouped
from leveransplan.models.plan import StageResult
from leveransplan.models.scenario import CapacityRow, Scenario, Trainee

RequirementKey = tuple[str, str]  # (trainee, specialty)
PATTERN_LIMIT = 400  # year combinations listed per trainee before deciding months directly instead
Placement = tuple[str, int]  # (hospital, first month of the stay as a running month number)


# -- AT ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ATLimit:
    """The most AT positions a hospital can have, and the row that sets it, in words."""

    hospital: str
    positions: int
    because: str


class ATData:
    """at.csv and at_rotations.csv as the AT model reads them."""

    def __init__(self, scenario: Scenario) -> None:
        if scenario.at_total is None:
            raise ValueError("the scenario has no [at] total.")
        self.scenario = scenario
        self.total = scenario.at_total
        self.rows = {r.hospital: r for r in scenario.at}
        self.hospitals = list(self.rows)
        self.weight_sum = sum(r.weight for r in scenario.at)
        self.has_previous = any(r.previous is not None for r in scenario.at)

    def target(self, hospital: str) -> Fraction:
        """The hospital's share of the total by need weight: total * weight / W (0 when W = 0)."""
        if self.weight_sum == 0:
            return Fraction(0)
        return Fraction(self.total * self.rows[hospital].weight, self.weight_sum)

    def limit(self, hospital: str) -> ATLimit:
        """max, or fewer when a department cannot take every AT doctor for the months needed."""
        row = self.rows[hospital]
        best = ATLimit(hospital, row.max, _("max {maximum} in at.csv").format(maximum=grouped(row.max)))
        for rotation in self.scenario.at_rotations:
            if rotation.hospital != hospital:
                continue
            positions = rotation.capacity_months // rotation.months
            if positions < best.positions:
                best = ATLimit(
                    hospital,
                    positions,
                    _("{area} takes {capacity} AT-months at {months} months each").format(
                        area=rotation.area,
                        capacity=grouped(rotation.capacity_months),
                        months=grouped(rotation.months),
                    ),
                )
        return best

    def deviation(self, positions: dict[str, int]) -> int:
        """sum_h |W*n_h - total*weight_h|: distance from the need-weighted shares, in whole units."""
        return sum(
            abs(self.weight_sum * positions[h] - self.total * self.rows[h].weight) for h in self.hospitals
        )

    def stability(self, positions: dict[str, int]) -> int:
        """sum_h |n_h - previous_h| over hospitals with a previous distribution."""
        return sum(
            abs(positions[h] - row.previous) for h, row in self.rows.items() if row.previous is not None
        )

    def term(self, name: str, positions: dict[str, int]) -> int:
        return self.deviation(positions) if name == "deviation" else self.stability(positions)

    @property
    def order(self) -> list[str]:
        """The configured AT order; stability only when at.csv has a previous distribution."""
        return [t for t in self.scenario.objective.at if t != "stability" or self.has_previous]


@dataclass
class ATSolution:
    """Positions per hospital and the result of every stage."""

    positions: dict[str, int]
    stages: list[StageResult]


# -- ST-A -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """One mandatory side-service still to do: trainee, specialty and length in months."""

    trainee: str
    specialty: str
    months: int

    @property
    def key(self) -> RequirementKey:
        return (self.trainee, self.specialty)


@dataclass(frozen=True)
class Option:
    """A place a requirement could be done: hospital and first month, with its travel."""

    hospital: str
    start: int
    minutes: int


class PlacementData:
    """The ST-A tables as the placement model reads them (spec section 5)."""

    def __init__(
        self,
        scenario: Scenario,
        previous: dict[RequirementKey, Placement] | None = None,
        frozen_until: int | None = None,
    ) -> None:
        """`frozen_until` (a running month number) with `previous`: stays of the previous plan that
        start by then stay as they are (months already decided), and no other stay starts by then."""
        self.scenario = scenario
        self.frozen_until = frozen_until
        horizon = scenario.placement_horizon
        self.first = horizon.first_serial
        self.last = self.first + horizon.length - 1
        self.trainees: dict[str, Trainee] = {t.trainee: t for t in scenario.st_trainees}
        self.requirements = [Requirement(r.trainee, r.specialty, r.months) for r in scenario.st_requirements]
        self.by_key = {r.key: r for r in self.requirements}
        self.travel = {(t.home_area, t.hospital): t.minutes for t in scenario.travel}
        self.capacity: dict[tuple[str, str, int], CapacityRow] = {
            (c.hospital, c.specialty, c.year): c for c in scenario.st_capacity
        }
        self.fixed: dict[RequirementKey, Placement] = {
            (f.trainee, f.specialty): (f.hospital, parse_month(f.start)) for f in scenario.st_fixed
        }
        self.agreed = set(self.fixed)  # st_fixed.csv's; the rest of `fixed` is frozen
        if previous is not None and frozen_until is not None:
            requirements = {(r.trainee, r.specialty) for r in scenario.st_requirements}
            for key, (hospital, start) in previous.items():
                if start <= frozen_until and key in requirements and key not in self.fixed:
                    self.fixed[key] = (hospital, start)
        self.hospitals = [h.hospital for h in scenario.hospitals]
        self._pattern_cache: dict[
            tuple[tuple[int, tuple[int, ...]], ...], list[tuple[int | None, ...]] | None
        ] = {}

    @property
    def months(self) -> range:
        return range(self.first, self.last + 1)

    def label(self, month: int) -> str:
        return format_month(month)

    def horizon_label(self) -> str:
        return f"{format_month(self.first)}..{format_month(self.last)}"

    def unavailable(self, trainee: str) -> set[int]:
        return {parse_month(m) for m in self.trainees[trainee].unavailable}

    def start_window(self, requirement: Requirement) -> range:
        """Starts that keep the stay within earliest_start..deadline and the horizon."""
        trainee = self.trainees[requirement.trainee]
        lo = max(parse_month(trainee.earliest_start), self.first)
        hi = min(parse_month(trainee.deadline), self.last) - requirement.months + 1
        return range(lo, hi + 1)

    def free_starts(self, requirement: Requirement) -> list[int]:
        """Starts in the window whose every month the trainee is available."""
        away = self.unavailable(requirement.trainee)
        return [
            s
            for s in self.start_window(requirement)
            if not any(m in away for m in range(s, s + requirement.months))
        ]

    def reachable(self, requirement: Requirement) -> list[str]:
        """Hospitals offered to the trainee's home area that have this specialty in some year."""
        area = self.trainees[requirement.trainee].home_area
        return self._reachable_from.get((area, requirement.specialty), [])

    @cached_property
    def _reachable_from(self) -> dict[tuple[str, str], list[str]]:
        """reachable's answer per (home area, specialty): asked for every stay of every trainee."""
        offering: dict[str, set[str]] = defaultdict(set)
        for hospital, specialty, _year in self.capacity:
            offering[specialty].add(hospital)
        order = self._hospital_order()
        return {
            (area, specialty): [h for h in order if (area, h) in self.travel and h in hospitals]
            for area in {t.home_area for t in self.trainees.values()}
            for specialty, hospitals in offering.items()
        }

    def _hospital_order(self) -> list[str]:
        known = list(self.hospitals)
        for h, _specialty, _year in self.capacity:
            if h not in known:
                known.append(h)
        return known

    def minutes(self, requirement: Requirement, hospital: str) -> int:
        return self.travel[self.trainees[requirement.trainee].home_area, hospital]

    @cached_property
    def options(self) -> dict[RequirementKey, list[Option]]:
        """Every (hospital, start) that obeys the rules of spec section 5 for each requirement.

        A fixed requirement has exactly its agreed option (the loader checked that it obeys the
        rules).
        """
        found: dict[RequirementKey, list[Option]] = {}
        for requirement in self.requirements:
            fixed = self.fixed.get(requirement.key)
            if fixed is not None:
                hospital, start = fixed
                if requirement.key in self.agreed or self._stay_obeys_the_rules(requirement, hospital, start):
                    found[requirement.key] = [Option(hospital, start, self.minutes(requirement, hospital))]
                else:
                    # A frozen stay the rules no longer allow has no option: it must stay and
                    # cannot, so the model is infeasible and the conflict is named.
                    found[requirement.key] = []
                continue
            starts = self.free_starts(requirement)
            if self.frozen_until is not None:
                starts = [s for s in starts if s > self.frozen_until]
            found[requirement.key] = [
                Option(h, s, self.minutes(requirement, h))
                for h in self.reachable(requirement)
                for s in starts
                if (h, requirement.specialty, s // 12) in self.capacity
            ]
        return found

    def kept_to(self, placed: dict[RequirementKey, Placement]) -> PlacementData:
        """The same cohort with each requirement's options narrowed to a plan's hospital and start year.

        A requirement the plan leaves out keeps no option. Only trainees with a stay at a department
        with concurrent_max then need their months decided in the model (optimizer.placements.
        variables), a small part of those who could reach one. Everything but the options (and what
        is cached from them) is shared with this cohort.
        """
        view = copy.copy(self)
        view.__dict__.pop("option_starts", None)  # cached from the full options
        where = {key: (hospital, start // 12) for key, (hospital, start) in placed.items()}
        view.__dict__["options"] = {
            key: [option for option in options if (option.hospital, option.start // 12) == where.get(key)]
            for key, options in self.options.items()
        }
        return view

    def _stay_obeys_the_rules(self, requirement: Requirement, hospital: str, start: int) -> bool:
        """Whether a stay lies in the window and the horizon, avoids leave, and the home area reaches
        the hospital (the loader checks agreed placements so; frozen ones are checked here)."""
        area = self.trainees[requirement.trainee].home_area
        return start in self.free_starts(requirement) and (area, hospital) in self.travel

    @cached_property
    def option_starts(self) -> dict[RequirementKey, list[int]]:
        """The start months of each requirement's options, ascending."""
        return {key: sorted({o.start for o in options}) for key, options in self.options.items()}

    def year_patterns(self, requirements: list[Requirement]) -> list[dict[RequirementKey, int]] | None:
        """The largest ways to give a trainee's requirements start years so that the stays fit.

        A pattern maps each requirement it places to the calendar year its stay starts. Leaving
        stays out of a pattern that fits still fits, so only patterns that no other pattern
        extends are listed; a plan may place any part of one of them.

        The search gives requirements their years one at a time and stops at the first that no
        longer fits (nothing added to it can fit again). Trainees with the same stays and start
        months share the answer, which is kept for every model built on this data. None when
        more than PATTERN_LIMIT combinations fit (many long stays over many years): listing them
        would cost more than deciding that trainee's months directly.
        """
        signature = tuple((r.months, tuple(self.option_starts[r.key])) for r in requirements)
        if signature not in self._pattern_cache:
            self._pattern_cache[signature] = self._largest_year_patterns(requirements)
        found = self._pattern_cache[signature]
        if found is None:
            return None
        return [
            {r.key: y for r, y in zip(requirements, years, strict=True) if y is not None} for years in found
        ]

    def _largest_year_patterns(self, requirements: list[Requirement]) -> list[tuple[int | None, ...]] | None:
        choices = [sorted({s // 12 for s in self.option_starts[r.key]}) for r in requirements]
        fitting: list[tuple[int | None, ...]] = []

        class TooMany(Exception):
            pass

        def extend(years: tuple[int | None, ...]) -> None:
            index = len(years)
            if index == len(requirements):
                fitting.append(years)
                if len(fitting) > PATTERN_LIMIT:
                    raise TooMany
                return
            for year in choices[index]:
                chosen = (*years, year)
                placed = {r.key: y for r, y in zip(requirements, chosen, strict=False) if y is not None}
                if self.sequence([r for r in requirements if r.key in placed], placed) is not None:
                    extend(chosen)
            extend((*years, None))

        try:
            extend(())
        except TooMany:
            return None

        def within(small: tuple[int | None, ...], big: tuple[int | None, ...]) -> bool:
            return small != big and all(a is None or a == b for a, b in zip(small, big, strict=True))

        return [p for p in fitting if not any(within(p, q) for q in fitting)]

    def pinned_patterns(
        self, requirements: list[Requirement], pins: dict[RequirementKey, int]
    ) -> list[tuple[dict[RequirementKey, int], frozenset[RequirementKey]]] | None:
        """The largest (start years, stays kept at their pinned start) combinations that fit.

        As year_patterns, with a third choice per requirement: placed at its pin (a previous
        plan's start, when that is still an option). A combination is left out when another
        places the same stays in the same years and keeps at least the same ones. None when more
        than PATTERN_LIMIT combinations fit.
        """
        choices: list[list[tuple[int, bool]]] = []
        for r in requirements:
            years = [(y, False) for y in sorted({s // 12 for s in self.option_starts[r.key]})]
            pin = pins.get(r.key)
            if pin is not None and pin in self.option_starts[r.key]:
                years.append((pin // 12, True))
            choices.append(years)
        fitting: list[tuple[tuple[int, bool] | None, ...]] = []

        class TooMany(Exception):
            pass

        def extend(chosen: tuple[tuple[int, bool] | None, ...]) -> None:
            index = len(chosen)
            if index == len(requirements):
                fitting.append(chosen)
                if len(fitting) > PATTERN_LIMIT:
                    raise TooMany
                return
            for choice in choices[index]:
                candidate = (*chosen, choice)
                placed = [(r, c) for r, c in zip(requirements, candidate, strict=False) if c is not None]
                years = {r.key: c[0] for r, c in placed}
                kept = {r.key: pins[r.key] for r, c in placed if c[1]}
                if self.sequence([r for r, _ in placed], years, kept) is not None:
                    extend(candidate)
            extend((*chosen, None))

        try:
            extend(())
        except TooMany:
            return None

        def within(
            small: tuple[tuple[int, bool] | None, ...], big: tuple[tuple[int, bool] | None, ...]
        ) -> bool:
            return small != big and all(
                a is None or (b is not None and a[0] == b[0] and (not a[1] or b[1]))
                for a, b in zip(small, big, strict=True)
            )

        largest = [p for p in fitting if not any(within(p, q) for q in fitting)]
        return [
            (
                {r.key: c[0] for r, c in zip(requirements, p, strict=True) if c is not None},
                frozenset(r.key for r, c in zip(requirements, p, strict=True) if c is not None and c[1]),
            )
            for p in largest
        ]

    def sequence(
        self,
        requirements: list[Requirement],
        years: dict[RequirementKey, int] | None = None,
        pins: dict[RequirementKey, int] | None = None,
    ) -> list[int] | None:
        """Starts that fit all these stays one after another, or None when no order fits.

        For a fixed order the earliest start that fits is always best (a later one leaves less
        room), so trying every order is exact; a trainee has a handful of requirements.
        `pins` hold some stays at a given start (a previous plan's, to keep).
        """
        for order in permutations(requirements):
            starts, free_from = [], -1
            for requirement in order:
                year = None if years is None else years[requirement.key]
                pinned = None if pins is None else pins.get(requirement.key)
                starts_allowed = self.option_starts[requirement.key] if pinned is None else [pinned]
                start = next(
                    (s for s in starts_allowed if s > free_from and (year is None or s // 12 == year)),
                    None,
                )
                if start is None:
                    break
                starts.append(start)
                free_from = start + requirement.months - 1
            else:
                by_key = dict(zip((r.key for r in order), starts, strict=True))
                return [by_key[r.key] for r in requirements]
        return None

    def load_reference(self, place: tuple[str, str, int]) -> int:
        """What a department's proposed places are a load of (100 %): max_places when given, else
        the places decided in st_capacity.csv, else (0 places and no maximum) 1 place."""
        row = self.capacity[place]
        if row.max_places is not None:
            return max(row.max_places, 1)
        return max(row.places, 1)

    def concurrent_limit(self, hospital: str, specialty: str, month: int) -> int | None:
        """concurrent_max of the row for the month's own calendar year (None: no limit)."""
        row = self.capacity.get((hospital, specialty, month // 12))
        return None if row is None else row.concurrent_max


def load_percent(proposed: int, reference: int) -> int:
    """Proposed places as a whole percent of the reference, rounded up (the peak_load term's load)."""
    return -(-100 * proposed // reference)


@dataclass
class PlacementPlan:
    """Where and when each placed requirement is done; the others are unplaced."""

    placed: dict[RequirementKey, Placement] = field(default_factory=dict)

    def starts(self, data: PlacementData) -> dict[tuple[str, str, int], int]:
        """Placements starting per (hospital, specialty, year)."""
        counts: dict[tuple[str, str, int], int] = defaultdict(int)
        for (_trainee, specialty), (hospital, start) in self.placed.items():
            counts[hospital, specialty, start // 12] += 1
        return counts

    def present(self, data: PlacementData) -> dict[tuple[str, str, int], int]:
        """Trainees present per (hospital, specialty, month)."""
        counts: dict[tuple[str, str, int], int] = defaultdict(int)
        for key, (hospital, start) in self.placed.items():
            for month in range(start, start + data.by_key[key].months):
                counts[hospital, key[1], month] += 1
        return counts


def placement_terms(
    data: PlacementData, plan: PlacementPlan, previous: dict[RequirementKey, Placement] | None
) -> dict[str, int]:
    """The placement objective terms of spec section 5 for a plan."""
    travel = sum(
        data.minutes(data.by_key[key], hospital) * data.by_key[key].months
        for key, (hospital, _) in plan.placed.items()
    )
    stability = 0
    if previous is not None:
        stability = sum(1 for r in data.requirements if plan.placed.get(r.key) != previous.get(r.key))
    return {
        "unplaced": len(data.requirements) - len(plan.placed),
        "travel": travel,
        "stability": stability,
    }


@dataclass
class PlacementSolution:
    """A placement plan, the places it was held to (or proposed), every stage and the terms."""

    plan: PlacementPlan
    places: dict[tuple[str, str, int], int]
    stages: list[StageResult]
    terms: dict[str, int]
    propose_places: bool = False
    previous_plan: str | None = None
    reasons: dict[RequirementKey, str] = field(default_factory=dict)
