"""A quick plan to start the search from: trainees with the fewest choices first, nearest place free.

It obeys places and the per-trainee rules; concurrent_max is left to the solver (a hint may
break a rule, CP-SAT repairs it). A good start matters here: with hundreds of trainees the
solver's own first plans leave far more requirements unplaced than the optimum.
"""

from __future__ import annotations

from collections import defaultdict

from models.training import Placement, PlacementData, RequirementKey

Pattern = dict[RequirementKey, int]


def greedy_plan(
    data: PlacementData,
    patterns: dict[str, list[Pattern]],
    limited_places: bool,
) -> tuple[dict[str, Pattern], dict[RequirementKey, Placement]]:
    """The pattern each trainee follows and the (hospital, start) of each requirement placed."""
    left: dict[tuple[str, str, int], int] = defaultdict(int)
    for place, row in data.capacity.items():
        left[place] = row.places if limited_places else len(data.requirements)
    for key, (hospital, start) in data.fixed.items():
        left[hospital, key[1], start // 12] -= 1
    chosen: dict[str, Pattern] = {}
    placed: dict[RequirementKey, Placement] = {}

    def tightness(trainee: str) -> tuple[int, int]:
        largest = max((len(p) for p in patterns[trainee]), default=0)
        return (len(patterns[trainee]), -largest)

    for trainee in sorted(patterns, key=tightness):
        best: tuple[int, Pattern, dict[RequirementKey, str]] | None = None
        for pattern in patterns[trainee]:
            sites: dict[RequirementKey, str] = {}
            taken: dict[tuple[str, str, int], int] = defaultdict(int)
            for key, year in pattern.items():
                if key in data.fixed:
                    sites[key] = data.fixed[key][0]
                    continue
                requirement = data.by_key[key]
                for hospital in sorted(
                    data.reachable(requirement), key=lambda h: data.minutes(requirement, h)
                ):
                    place = (hospital, key[1], year)
                    if place in data.capacity and left[place] - taken[place] > 0:
                        sites[key] = hospital
                        taken[place] += 1
                        break
            if best is None or len(sites) > best[0]:
                best = (len(sites), pattern, sites)
        if best is None:
            continue
        _, pattern, sites = best
        chosen[trainee] = pattern
        requirements = [data.by_key[k] for k in pattern if k in sites]
        starts = data.sequence(requirements, pattern) or []
        for requirement, start in zip(requirements, starts, strict=True):
            hospital = sites[requirement.key]
            placed[requirement.key] = (hospital, start)
            if requirement.key not in data.fixed:
                left[hospital, requirement.specialty, start // 12] -= 1
    return chosen, placed
