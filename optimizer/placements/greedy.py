"""A quick plan to start the search from: trainees with the fewest choices first, nearest place free
(with proposed places: the least loaded department first).

It obeys every rule: places, concurrent_max (months counted as the stays are sequenced), the
trainee's window, leave and no-overlap. A good start matters here: with hundreds of trainees
the solver's own first plans leave far more requirements unplaced than the optimum.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from leveransplan.models.training import Placement, PlacementData, Requirement, RequirementKey

Pattern = dict[RequirementKey, int]


def greedy_plan(
    data: PlacementData,
    patterns: dict[str, list[Pattern]],
    limited_places: bool,
    first: dict[RequirementKey, Placement] | None = None,
) -> tuple[dict[str, Pattern], dict[RequirementKey, Placement]]:
    """The pattern each trainee follows and the (hospital, start) of each requirement placed.

    `first` are placements to keep where they still fit (a previous plan), before the rest.
    """
    left: dict[tuple[str, str, int], int] = {}
    for place, row in data.capacity.items():
        if limited_places:
            left[place] = row.places
        else:  # proposed places: as many as the department can take
            left[place] = len(data.requirements) if row.max_places is None else row.max_places
    most = dict(left)
    present: dict[tuple[str, str, int], int] = defaultdict(int)
    # Fixed placements hold their place and months from the start, whoever comes first.
    for key, (hospital, start) in data.fixed.items():
        left[hospital, key[1], start // 12] = left.get((hospital, key[1], start // 12), 0) - 1
        for m in range(start, start + data.by_key[key].months):
            present[hospital, key[1], m] += 1
    chosen: dict[str, Pattern] = {}
    placed: dict[RequirementKey, Placement] = {}
    for key, (hospital, start) in sorted((first or {}).items()):
        months = data.by_key[key].months
        if key in data.fixed:
            continue
        busy = {
            m
            for other, (_, other_start) in placed.items()
            if other[0] == key[0]
            for m in range(other_start, other_start + data.by_key[other].months)
        }
        if busy.intersection(range(start, start + months)):
            continue
        if left.get((hospital, key[1], start // 12), 0) <= 0 or any(
            (limit := data.concurrent_limit(hospital, key[1], m)) is not None
            and present[hospital, key[1], m] >= limit
            for m in range(start, start + months)
        ):
            continue
        placed[key] = (hospital, start)
        left[hospital, key[1], start // 12] -= 1
        for m in range(start, start + months):
            present[hospital, key[1], m] += 1

    def fits(hospital: str, specialty: str, start: int, months: int) -> bool:
        # A trainee has one requirement per specialty, so the stays tried together for one
        # trainee never share a department: only the plan so far counts.
        if left.get((hospital, specialty, start // 12), 0) <= 0:
            return False
        return all(
            (limit := data.concurrent_limit(hospital, specialty, m)) is None
            or present[hospital, specialty, m] < limit
            for m in range(start, start + months)
        )

    def load_after(hospital: str, specialty: str, year: int) -> tuple[Fraction, int]:
        """The department's load (optimizer.placements.objectives) with one more start, and its row."""
        place = (hospital, specialty, year)
        if place not in data.capacity:
            return Fraction(len(data.requirements) + 1), 1  # no row: it cannot start there
        taken = most[place] - left[place]
        return Fraction(taken + 1, data.load_reference(place)), 0

    def ordered(requirement: Requirement, year: int) -> list[str]:
        """Hospitals to try: the nearest first, or with proposed places the least loaded first."""
        reachable = data.reachable(requirement)
        if limited_places:
            return sorted(reachable, key=lambda h: data.minutes(requirement, h))
        return sorted(
            reachable,
            key=lambda h: (load_after(h, requirement.specialty, year), data.minutes(requirement, h)),
        )

    def tightness(trainee: str) -> tuple[int, int]:
        largest = max((len(p) for p in patterns[trainee]), default=0)
        return (len(patterns[trainee]), -largest)

    kept_trainees = {key[0] for key in placed}
    for trainee in sorted(patterns, key=tightness):
        if trainee in kept_trainees:
            continue  # keeps its previous placements; the solver places the rest
        best: dict[RequirementKey, Placement] = {}
        best_pattern: Pattern = {}
        best_load = Fraction(0)
        for pattern in patterns[trainee]:
            requirements = [data.by_key[k] for k in pattern]
            starts = data.sequence(requirements, pattern) or []
            attempt: dict[RequirementKey, Placement] = {}
            load = Fraction(0)
            for requirement, start in zip(requirements, starts, strict=True):
                fixed = data.fixed.get(requirement.key)
                candidates = [fixed[0]] if fixed else ordered(requirement, start // 12)
                for hospital in candidates:
                    if fixed or fits(hospital, requirement.specialty, start, requirement.months):
                        attempt[requirement.key] = (hospital, start)
                        if not limited_places:
                            load += load_after(hospital, requirement.specialty, start // 12)[0]
                        break
            if (
                len(attempt) > len(best)
                or not best_pattern
                or (not limited_places and len(attempt) == len(best) and load < best_load)
            ):
                best, best_pattern, best_load = attempt, pattern, load
            # Proposing places, the start years matter to the load: every pattern is weighed.
            if limited_places and len(best) == len(pattern):
                break
        chosen[trainee] = best_pattern
        for key, (hospital, start) in best.items():
            placed[key] = (hospital, start)
            if key in data.fixed:
                continue  # counted above
            left[hospital, key[1], start // 12] -= 1
            for m in range(start, start + data.by_key[key].months):
                present[hospital, key[1], m] += 1
    return chosen, placed
