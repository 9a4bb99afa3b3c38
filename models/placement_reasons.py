"""Why a requirement was left unplaced, in the words a director of studies would use.

The reason names the limit that binds. A requirement with no option at all is stopped by a
static rule (no hospital within reach offers the specialty, the window is shorter than the
stay, leave fills the window, no places in the years it could start). Otherwise every option
is blocked in the plan by places taken, a department full in some month, or the trainee's
own other placements. When unplaced is the first term and proven optimal one of these always
holds, because an unblocked option would have let the solver place one more requirement;
otherwise a free option is explained by the objective order or the time limit.

A reason is a `Words`: its English is what unplaced.csv's reason column holds, whatever the
language; `shown(reason)` gives it in the reader's language, and `shown_reason` gives that of
an English reason read back from unplaced.csv.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from leveransplan.models.language import N_, _, ngettext
from leveransplan.models.months import format_month, month_ranges, parse_month
from leveransplan.models.numbers import grouped
from leveransplan.models.training import PlacementData, PlacementPlan, Requirement, RequirementKey
from leveransplan.models.wording import Words, joined, phrase

# The reasons' sentences, named so that a reason read back from unplaced.csv can be recognised.
_OUT_OF_REACH = N_(
    "no hospital within reach of home area {area} offers {specialty} (travel.csv, st_capacity.csv)"
)
_DOES_NOT_FIT = N_(
    "the {months} months of {specialty} do not fit between {first} and {last} (earliest start {earliest}, "
    "deadline {deadline}, planning months {horizon})"
)
_UNAVAILABLE = N_(
    "no {months} consecutive available months between {first} and {last}: the trainee is unavailable {away}"
)
_NO_PLACES_IN_YEARS = N_(
    "no places in {specialty} within reach of home area {area} ({reach}) in {years}, the years the stay "
    "could start"
)
_NO_PLACE = N_("no place in {specialty} within reach of home area {area} ({reach}) {when}")
_BEFORE_DEADLINE = N_("before the deadline {deadline}")
_WITHIN_PLANNING = N_("within the planning months {horizon}")
_OWN_PLACEMENTS = N_("the trainee's other placements take {months}")
_FREE_PLACE = N_("a place at {hospital} from {start} is free, but {note}")
_NO_PLACES = N_("{hospital} has no places in {year}")
_ONE_PLACE = N_("the one place at {hospital} taken in {year}")
_ALL_PLACES = N_("all {places} places at {hospital} taken in {year}")
_NO_TRAINEES = N_("{hospital} takes no trainees at a time in {months} (concurrent_max 0)")
_NOT_AN_OBJECTIVE = N_("unplaced is not among the placement objectives")
_RANKED_BEFORE = N_("placing it would worsen {terms}, ranked before unplaced")
_TIME_LIMIT = N_("the unplaced stage stopped at the time limit before it was placed")
_LEFT_FREE = N_("the plan left it free (please report this: a proven plan should have placed it)")
# A stay that can still start after the placement horizon and end by the deadline is not missed:
# the spec counts it unplaced in this plan, and a later plan places it.
_AFTER_HORIZON = N_(
    "after the horizon: the stay can start after {last}, the placement horizon's last month, and end "
    "by the deadline {deadline}; a later plan places it"
)
# When the unplaced stage stopped at the time limit above its bound, the plan's other placements
# are not proven, so what blocks a requirement in it is no limit of the scenario: said so first.
_STOPPED = N_(
    "the search stopped at the time limit before it could place this or prove it impossible; in the "
    "plan as it stood: {why}"
)
# As _crowded_words writes them (ngettext's own words, for the extractor to find them there).
_ALREADY_HAS = (
    "{hospital} already has {count} trainee at a time (concurrent_max) in {months}",
    "{hospital} already has {count} trainees at a time (concurrent_max) in {months}",
)


def _after_horizon(data: PlacementData, requirement: Requirement) -> Words | None:
    """The requirement can start after the placement horizon and end by its deadline, in months
    the trainee is available: a later plan's, not a missed placement (None when it cannot)."""
    trainee = data.trainees[requirement.trainee]
    months, deadline = requirement.months, parse_month(trainee.deadline)
    away = data.unavailable(requirement.trainee)
    first = max(data.last + 1, parse_month(trainee.earliest_start))
    for start in range(first, deadline - months + 2):
        if not away.intersection(range(start, start + months)):
            return phrase(_AFTER_HORIZON, last=format_month(data.last), deadline=trainee.deadline)
    return None


def after_horizon(english: str) -> bool:
    """Whether a reason as unplaced.csv holds it says the stay falls after the horizon."""
    return _pattern(_AFTER_HORIZON).fullmatch(english) is not None


def _static_reason(data: PlacementData, requirement: Requirement) -> Words | None:
    """The rule that leaves the requirement without any option, or None when it has options."""
    trainee = data.trainees[requirement.trainee]
    area, specialty, months = trainee.home_area, requirement.specialty, requirement.months
    if not data.reachable(requirement):
        return phrase(
            _OUT_OF_REACH,
            area=area,
            specialty=specialty,
        )
    window = data.start_window(requirement)
    lo = max(parse_month(trainee.earliest_start), data.first)
    hi = min(parse_month(trainee.deadline), data.last)
    if not window:
        return phrase(
            _DOES_NOT_FIT,
            months=months,
            specialty=specialty,
            first=format_month(lo),
            last=format_month(hi),
            earliest=trainee.earliest_start,
            deadline=trainee.deadline,
            horizon=data.horizon_label(),
        )
    starts = data.free_starts(requirement)
    if not starts:
        away = [m for m in data.unavailable(requirement.trainee) if lo <= m <= hi]
        return phrase(
            _UNAVAILABLE,
            months=months,
            first=format_month(lo),
            last=format_month(hi),
            away=month_ranges(away, format_month),
        )
    if not data.options[requirement.key]:
        years = sorted({s // 12 for s in starts})
        reach = ", ".join(data.reachable(requirement))
        return phrase(
            _NO_PLACES_IN_YEARS,
            specialty=specialty,
            area=area,
            reach=reach,
            years=", ".join(str(y) for y in years),
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
        for (trainee, specialty), (_hospital, start) in plan.placed.items():
            months_of[trainee][specialty] = range(start, start + data.by_key[trainee, specialty].months)
        return cls(plan.starts(data), plan.present(data), months_of)


def _blocking(
    data: PlacementData,
    counts: _PlanCounts,
    places: dict[tuple[str, str, int], int] | None,
    requirement: Requirement,
    free_note: str,
) -> Words | None:
    """What stops each option of the requirement in this plan, grouped into one sentence (None
    when nothing does)."""
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
        _crowded_words(h, limit, month_ranges(months, format_month))
        for (h, limit), months in sorted(full_months.items())
    ]
    if own_blocked:
        parts.append(
            phrase(
                _OWN_PLACEMENTS,
                months=month_ranges(sorted(own_months), format_month),
            )
        )
    if free:
        hospital, start = free[0]
        parts.append(
            phrase(
                _FREE_PLACE,
                hospital=hospital,
                start=format_month(start),
                note=free_note,
            )
        )
    return joined("; ", parts) if parts else None


def _places_words(hospital: str, year: int, places: int) -> Words:
    if places == 0:
        return phrase(_NO_PLACES, hospital=hospital, year=str(year))
    if places == 1:
        return phrase(_ONE_PLACE, hospital=hospital, year=str(year))
    return phrase(_ALL_PLACES, places=places, hospital=hospital, year=str(year))


def _crowded_words(hospital: str, limit: int, months: str) -> Words:
    """A department that has as many trainees at a time as it takes, in the months it has them."""
    if limit == 0:
        return phrase(_NO_TRAINEES, hospital=hospital, months=months)
    return Words(
        lambda: ngettext(
            "{hospital} already has {count} trainee at a time (concurrent_max) in {months}",
            "{hospital} already has {count} trainees at a time (concurrent_max) in {months}",
            limit,
        ).format(hospital=hospital, count=grouped(limit), months=months)
    )


def free_option_note(order: list[str], unplaced_status: str | None) -> Words:
    """Why a free option can be left unused, given the objective order and the unplaced stage.

    With unplaced first and proven optimal no option is ever free; otherwise this says which
    rule of the solve let it stay free.
    """
    if "unplaced" not in order:
        return phrase(_NOT_AN_OBJECTIVE)
    earlier = order[: order.index("unplaced")]
    if earlier:
        return phrase(_RANKED_BEFORE, terms=", ".join(earlier))
    if unplaced_status != "OPTIMAL":
        return phrase(_TIME_LIMIT)
    return phrase(_LEFT_FREE)


def unplaced_reasons(
    data: PlacementData,
    plan: PlacementPlan,
    places: dict[tuple[str, str, int], int] | None,
    free_note: str,
    stopped: bool = False,
) -> dict[RequirementKey, str]:
    """A plain-words reason for every requirement the plan leaves unplaced (a `Words`: English as
    a str, `shown` in the reader's language).

    `places` is None when the places were proposed by the solve itself (then they equal the
    starts and never explain anything); `free_note` says why a free option was left unused.
    `stopped`: the unplaced stage stopped at the time limit above its bound, so a requirement
    with options is reported as left by the search, with what blocks it in the plan as it stood;
    a requirement without any option has its rule whatever the search did.
    """
    reasons: dict[RequirementKey, str] = {}
    counts: _PlanCounts | None = None
    for requirement in data.requirements:
        if requirement.key in plan.placed:
            continue
        later = _after_horizon(data, requirement)
        if later is not None:
            reasons[requirement.key] = later
            continue
        static = _static_reason(data, requirement)
        if static is not None:
            reasons[requirement.key] = static
            continue
        trainee = data.trainees[requirement.trainee]
        reach = data.reachable(requirement)
        when = (
            phrase(_BEFORE_DEADLINE, deadline=trainee.deadline)
            if parse_month(trainee.deadline) <= data.last
            else phrase(_WITHIN_PLANNING, horizon=data.horizon_label())
        )
        lead = phrase(
            _NO_PLACE,
            specialty=requirement.specialty,
            area=trainee.home_area,
            reach=", ".join(reach),
            when=when,
        )
        counts = counts or _PlanCounts.of(data, plan)
        blocking = _blocking(data, counts, places, requirement, free_note)
        reason = joined(": ", [lead, blocking]) if blocking else lead
        reasons[requirement.key] = phrase(_STOPPED, why=reason) if stopped else reason
    return reasons


# Reading a reason back: the sentences a reason is made of, with the placeholders whose value is
# itself one of these sentences.
_STATIC = (_AFTER_HORIZON, _OUT_OF_REACH, _DOES_NOT_FIT, _UNAVAILABLE, _NO_PLACES_IN_YEARS)
_PARTS = (_OWN_PLACEMENTS, _FREE_PLACE, _NO_PLACES, _ONE_PLACE, _ALL_PLACES, _NO_TRAINEES)
_NESTED = {
    "when": (_BEFORE_DEADLINE, _WITHIN_PLANNING),
    "note": (_NOT_AN_OBJECTIVE, _RANKED_BEFORE, _TIME_LIMIT, _LEFT_FREE),
}


@cache
def _pattern(message: str) -> re.Pattern[str]:
    pieces = re.split(r"\{(\w+)\}", message)
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(pieces)))


def _read(text: str, messages: tuple[str, ...]) -> Words | None:
    """`text` as the sentence of `messages` it is in English, or None when it is none of them."""
    for message in messages:
        found = _pattern(message).fullmatch(text)
        if found is None:
            continue
        values: dict[str, object] = {}
        for name, value in found.groupdict().items():
            nested = _read(value, _NESTED[name]) if name in _NESTED else None
            if name in _NESTED and nested is None:
                break
            values[name] = value if nested is None else nested
        else:
            return phrase(message, **values)
    return None


def _read_part(text: str) -> Words | None:
    words = _read(text, _PARTS)
    if words is not None:
        return words
    for pattern in _ALREADY_HAS:
        found = _pattern(pattern).fullmatch(text)
        if found is not None and found["count"].isdigit():
            return _crowded_words(found["hospital"], int(found["count"]), found["months"])
    return None


def shown_reason(english: str) -> str:
    """A reason as unplaced.csv holds it (its English), in the reader's language; a text that is no
    reason this module writes is given back as it is."""
    stopped = _pattern(_STOPPED).fullmatch(english)
    if stopped is not None:
        return _(_STOPPED).format(why=shown_reason(stopped["why"]))
    words = _read(english, _STATIC)
    if words is not None:
        return words.shown()
    lead_text, colon, rest = english.partition(": ")
    lead = _read(lead_text, (_NO_PLACE,))
    if lead is None:
        return english
    if not colon:
        return lead.shown()
    parts: list[Words | None] = [_read_part(part) for part in rest.split("; ")]
    if any(part is None for part in parts):
        return english
    return joined(": ", [lead, joined("; ", [p for p in parts if p is not None])]).shown()
