"""Why a requirement was left unplaced, in the words a director of studies would use.

The reason names the limit that binds. A requirement with no option at all is stopped by a
static rule (no hospital within reach offers the specialty, the window is shorter than the
stay, leave fills the window, no places in the years it could start). Otherwise every option
is blocked in the plan by places taken, a department full in some month, or the trainee's
own other placements. When unplaced is the first term and proven optimal one of these always
holds, because an unblocked option would have let the solver place one more requirement;
otherwise a free option is explained by the objective order or the time limit.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from leveransplan.models.months import format_month, month_ranges, parse_month
from leveransplan.models.training import PlacementData, PlacementPlan, Requirement, RequirementKey


def _static_reason(data: PlacementData, requirement: Requirement) -> str | None:
    """The rule that leaves the requirement without any option, or None when it has options."""
    trainee = data.trainees[requirement.trainee]
    area, specialty, months = trainee.home_area, requirement.specialty, requirement.months
    if not data.reachable(requirement):
        return (
            f"no hospital within reach of home area {area} offers {specialty} (travel.csv, st_capacity.csv)"
        )
    window = data.start_window(requirement)
    lo = max(parse_month(trainee.earliest_start), data.first)
    hi = min(parse_month(trainee.deadline), data.last)
    if not window:
        return (
            f"the {months} months of {specialty} do not fit between "
            f"{format_month(lo)} and {format_month(hi)} "
            f"(earliest start {trainee.earliest_start}, deadline {trainee.deadline}, "
            f"planning months {data.horizon_label()})"
        )
    starts = data.free_starts(requirement)
    if not starts:
        away = [m for m in data.unavailable(requirement.trainee) if lo <= m <= hi]
        return (
            f"no {months} consecutive available months between {format_month(lo)} and {format_month(hi)}: "
            f"the trainee is unavailable {month_ranges(away, format_month)}"
        )
    if not data.options[requirement.key]:
        years = sorted({s // 12 for s in starts})
        reach = ", ".join(data.reachable(requirement))
        return (
            f"no places in {specialty} within reach of home area {area} ({reach}) in "
            f"{', '.join(str(y) for y in years)}, the years the stay could start"
        )
    return None


@dataclass
class _PlanCounts:
    """What every unplaced requirement's reason reads of the plan, counted once."""

    starts: dict[tuple[str, str, int], int]
    present: dict[tuple[str, str, int], int]
    months_of: dict[str, dict[str, range]]  # per trainee, per specialty placed: its months

    @classmethod
    def of(cls, data: PlacementData, plan: PlacementPlan) -> _PlanCounts:
        months_of: dict[str, dict[str, range]] = defaultdict(dict)
        for (trainee, specialty), (_, start) in plan.placed.items():
            months_of[trainee][specialty] = range(start, start + data.by_key[trainee, specialty].months)
        return cls(plan.starts(data), plan.present(data), months_of)


def _blocking(
    data: PlacementData,
    counts: _PlanCounts,
    places: dict[tuple[str, str, int], int] | None,
    requirement: Requirement,
    free_note: str,
) -> str:
    """What stops each option of the requirement in this plan, grouped into one sentence."""
    starts, present = counts.starts, counts.present
    own_months = {
        month
        for specialty, months in counts.months_of.get(requirement.trainee, {}).items()
        if specialty != requirement.specialty
        for month in months
    }
    full_years: dict[tuple[str, int], int] = {}
    full_months: dict[tuple[str, int], list[int]] = defaultdict(list)
    own_blocked = False
    free: list[tuple[str, int]] = []
    for option in data.options[requirement.key]:
        # Every limit that stops this option is named, not just the first: an analyst relaxing
        # one of them must know whether another still binds.
        stay = range(option.start, option.start + requirement.months)
        place = (option.hospital, requirement.specialty, option.start // 12)
        blocked = False
        if own_months.intersection(stay):
            own_blocked = blocked = True
        if places is not None and starts.get(place, 0) >= places.get(place, 0):
            full_years[option.hospital, option.start // 12] = places.get(place, 0)
            blocked = True
        crowded = [
            m
            for m in stay
            if (limit := data.concurrent_limit(option.hospital, requirement.specialty, m)) is not None
            and present.get((option.hospital, requirement.specialty, m), 0) >= limit
        ]
        if crowded:
            limit = data.concurrent_limit(option.hospital, requirement.specialty, crowded[0]) or 0
            full_months[option.hospital, limit].extend(crowded)
            blocked = True
        if not blocked:
            free.append((option.hospital, option.start))
    parts = [_places_words(h, y, n) for (h, y), n in sorted(full_years.items())]
    parts += [
        f"{h} takes no trainees at a time in {month_ranges(months, format_month)} (concurrent_max 0)"
        if limit == 0
        else f"{h} already has {_trainees(limit)} at a time (concurrent_max) in "
        f"{month_ranges(months, format_month)}"
        for (h, limit), months in sorted(full_months.items())
    ]
    if own_blocked:
        parts.append(f"the trainee's other placements take {month_ranges(sorted(own_months), format_month)}")
    if free:
        hospital, start = free[0]
        parts.append(f"a place at {hospital} from {format_month(start)} is free, but {free_note}")
    return "; ".join(parts)


def _places_words(hospital: str, year: int, places: int) -> str:
    if places == 0:
        return f"{hospital} has no places in {year}"
    if places == 1:
        return f"the one place at {hospital} taken in {year}"
    return f"all {places} places at {hospital} taken in {year}"


def _trainees(count: int) -> str:
    return "1 trainee" if count == 1 else f"{count} trainees"


def free_option_note(order: list[str], unplaced_status: str | None) -> str:
    """Why a free option can be left unused, given the objective order and the unplaced stage.

    With unplaced first and proven optimal no option is ever free; otherwise this says which
    rule of the solve let it stay free.
    """
    if "unplaced" not in order:
        return "unplaced is not among the placement objectives"
    earlier = order[: order.index("unplaced")]
    if earlier:
        return f"placing it would worsen {', '.join(earlier)}, ranked before unplaced"
    if unplaced_status != "OPTIMAL":
        return "the unplaced stage stopped at the time limit before it was placed"
    return "the plan left it free (please report this: a proven plan should have placed it)"


def unplaced_reasons(
    data: PlacementData,
    plan: PlacementPlan,
    places: dict[tuple[str, str, int], int] | None,
    free_note: str,
) -> dict[RequirementKey, str]:
    """A plain-words reason for every requirement the plan leaves unplaced.

    `places` is None when the places were proposed by the solve itself (then they equal the
    starts and never explain anything); `free_note` says why a free option was left unused.
    """
    reasons: dict[RequirementKey, str] = {}
    counts: _PlanCounts | None = None
    for requirement in data.requirements:
        if requirement.key in plan.placed:
            continue
        static = _static_reason(data, requirement)
        if static is not None:
            reasons[requirement.key] = static
            continue
        trainee = data.trainees[requirement.trainee]
        reach = data.reachable(requirement)
        when = (
            f"before the deadline {trainee.deadline}"
            if parse_month(trainee.deadline) <= data.last
            else f"within the planning months {data.horizon_label()}"
        )
        lead = (
            f"no place in {requirement.specialty} within reach of home area {trainee.home_area} "
            f"({', '.join(reach)}) {when}"
        )
        counts = counts or _PlanCounts.of(data, plan)
        blocking = _blocking(data, counts, places, requirement, free_note)
        reasons[requirement.key] = f"{lead}: {blocking}" if blocking else lead
    return reasons
