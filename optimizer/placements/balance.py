"""A plan's start years and hospitals chosen again to even out the load, for the hints of a
proposal's stages.

Proposing places, a plan's peak_load (optimizer.placements.objectives) depends on where and in
which year each stay starts, and a stage's plan may spread them unevenly where the stage's own
term does not look (unplaced, places). Two steps even it out again before it is hinted.

`evened`: each trainee in turn takes the pattern of start years, and the hospitals, that add the
least load given everyone else's stays (the quick plan's rule, optimizer.placements.greedy),
placing at least as many of its requirements as before; trainees with a fixed stay or a stay at
a department with concurrent_max keep theirs, and no stay moves to such a department.

`balanced`: with every stay's start month kept, the hospitals of one specialty and year are
chosen again as a transportation problem: the stays of each home area and length go to the
departments within reach, each department taking at most its load times its reference. The
least load at which every stay fits is found by bisection, and at it the stays go where they
travel least (a min-cost flow). Stays at a department with concurrent_max, and fixed ones, keep
their hospital, and no stay is moved to such a department: there the months matter, here only
the counts. The plan that comes out obeys every rule the plan that went in obeyed, places the
same requirements, and has no department's load above the highest load of its specialty and
year before.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.graph.python import min_cost_flow

from leveransplan.models.training import (
    Placement,
    PlacementData,
    PlacementPlan,
    RequirementKey,
    load_percent,
    placement_terms,
)

Group = tuple[str, int]  # specialty, year
Pool = tuple[str, int]  # home area, months
Choice = list[tuple[RequirementKey, int]]  # the requirements a pattern places, with their starts
SWEEPS = 2  # rounds over the trainees in `evened`


def even_out(
    data: PlacementData,
    choices: dict[str, list[Choice]],
    placed: dict[RequirementKey, Placement],
    previous: dict[RequirementKey, Placement] | None,
) -> dict[RequirementKey, Placement]:
    """`placed` evened out (`evened`) when that lowers its peak_load, else `placed` as it is.

    The plan evened out places the same requirements, so it keeps unplaced and places; where it
    lowers peak_load it may travel more, which only a stage after travel holds: with a previous
    plan (a stability stage to hold travel for, or travel one to hold stability for) it is taken
    only when travel and stability are no worse either.
    """
    candidate = evened(data, choices, placed)
    if peak_load(data, candidate) >= peak_load(data, placed):
        return placed
    if previous is not None:
        before, after = (
            placement_terms(data, PlacementPlan(placed), previous),
            placement_terms(data, PlacementPlan(candidate), previous),
        )
        if after["travel"] > before["travel"] or after["stability"] > before["stability"]:
            return placed
    return candidate


def peak_load(data: PlacementData, placed: dict[RequirementKey, Placement]) -> int:
    """The plan's peak_load (optimizer.placements.objectives) with its starts as the places."""
    starts: dict[tuple[str, str, int], int] = defaultdict(int)
    for key, (hospital, start) in placed.items():
        starts[hospital, key[1], start // 12] += 1
    peaks: dict[Group, int] = defaultdict(int)
    for place in data.capacity:
        group = (place[1], place[2])
        peaks[group] = max(peaks[group], load_percent(starts[place], data.load_reference(place)))
    return sum(peaks.values())


def evened(
    data: PlacementData, choices: dict[str, list[Choice]], placed: dict[RequirementKey, Placement]
) -> dict[RequirementKey, Placement]:
    """`placed` with each trainee's years and hospitals chosen again for the least load, placing as
    many of its requirements as before, then `balanced`. `choices`: each trainee's patterns
    (Variables.pattern_starts); trainees with a fixed stay keep theirs."""
    result = dict(placed)
    starts: dict[tuple[str, str, int], int] = defaultdict(int)
    present: dict[tuple[str, str, int], int] = defaultdict(int)  # trainees per department and month
    own: dict[str, list[RequirementKey]] = defaultdict(list)

    def count(key: RequirementKey, where: Placement, step: int) -> None:
        hospital, start = where
        starts[hospital, key[1], start // 12] += step
        for month in range(start, start + data.by_key[key].months):
            present[hospital, key[1], month] += step

    for key, where in placed.items():
        count(key, where, 1)
        own[key[0]].append(key)
    locked = {key[0] for key in data.fixed}
    within_reach = {
        key: [(h, data.minutes(data.by_key[key], h)) for h in data.reachable(data.by_key[key])]
        for options in choices.values()
        for key in {k for choice in options for k, _ in choice}
    }
    references = {place: data.load_reference(place) for place in data.capacity}

    def fits(key: RequirementKey, place: tuple[str, str, int], start: int) -> bool:
        """Room for one more start (max_places) and one more trainee each month (concurrent_max)."""
        row = data.capacity.get(place)
        if row is None or (row.max_places is not None and starts[place] >= row.max_places):
            return False
        return all(
            (limit := data.concurrent_limit(place[0], key[1], m)) is None
            or present[place[0], key[1], m] < limit
            for m in range(start, start + data.by_key[key].months)
        )

    def load(place: tuple[str, str, int]) -> float:
        """The department's load with one more start, as a share of its reference."""
        return (starts[place] + 1) / references[place]

    def attempt(choice: Choice) -> tuple[dict[RequirementKey, Placement], float]:
        """The choice's stays at the least loaded departments with room (a trainee has one stay
        per specialty, so its own stays never meet at a department)."""
        found: dict[RequirementKey, Placement] = {}
        total = 0.0
        for key, start in choice:
            options = [
                (load(place), minutes, h)
                for h, minutes in within_reach[key]
                if fits(key, place := (h, key[1], start // 12), start)
            ]
            if options:
                added, _, hospital = min(options)
                found[key] = (hospital, start)
                total += added
        return found, total

    for _ in range(SWEEPS):
        for trainee in sorted(choices):
            if trainee in locked:
                continue
            mine = {key: result.pop(key) for key in own[trainee]}
            for key, where in mine.items():
                count(key, where, -1)
            best = mine
            best_load = sum(load((h, key[1], s // 12)) for key, (h, s) in mine.items())
            for choice in choices[trainee]:
                found, total = attempt(choice)
                if len(found) == len(best) and total < best_load:
                    best, best_load = found, total
            for key, where in best.items():
                count(key, where, 1)
            result.update(best)
            own[trainee] = list(best)
    return balanced(data, result)


def balanced(data: PlacementData, placed: dict[RequirementKey, Placement]) -> dict[RequirementKey, Placement]:
    """`placed` with the hospitals of movable stays chosen again, specialty and year by specialty and year."""
    crowded = {(c.hospital, c.specialty) for c in data.capacity.values() if c.concurrent_max is not None}
    kept: dict[tuple[str, str, int], int] = defaultdict(int)
    movable: dict[Group, dict[Pool, list[RequirementKey]]] = defaultdict(lambda: defaultdict(list))
    for key, (hospital, start) in sorted(placed.items()):
        specialty, year = key[1], start // 12
        if key in data.fixed or (hospital, specialty) in crowded:
            kept[hospital, specialty, year] += 1
        else:
            area = data.trainees[key[0]].home_area
            movable[specialty, year][area, data.by_key[key].months].append(key)
    result = dict(placed)
    for (specialty, year), pools in movable.items():
        departments = [
            h
            for h in data.hospitals
            if (h, specialty, year) in data.capacity and (h, specialty) not in crowded
        ]
        counts = _least_load_counts(data, specialty, year, departments, pools, kept)
        if counts is None:
            continue  # the plan as it is (it cannot happen for a plan that obeys the rules)
        for pool, keys in pools.items():
            hospitals = [h for h in departments for _ in range(counts.get((pool, h), 0))]
            for key, hospital in zip(keys, hospitals, strict=True):
                result[key] = (hospital, placed[key][1])
    return result


def _least_load_counts(
    data: PlacementData,
    specialty: str,
    year: int,
    departments: list[str],
    pools: dict[Pool, list[RequirementKey]],
    kept: dict[tuple[str, str, int], int],
) -> dict[tuple[Pool, str], int] | None:
    """How many stays of each pool go to each department at the least load that fits them all."""
    references = {h: data.load_reference((h, specialty, year)) for h in departments}
    # At this load any one department could take every stay besides its own kept ones.
    low, high = 0, 100 * (sum(len(keys) for keys in pools.values()) + max(kept.values(), default=0))
    best = _flow(data, specialty, year, departments, pools, kept, references, high)
    if best is None:
        return None
    while low < high:
        middle = (low + high) // 2
        found = _flow(data, specialty, year, departments, pools, kept, references, middle)
        if found is None:
            low = middle + 1
        else:
            high, best = middle, found
    return best


def _flow(
    data: PlacementData,
    specialty: str,
    year: int,
    departments: list[str],
    pools: dict[Pool, list[RequirementKey]],
    kept: dict[tuple[str, str, int], int],
    references: dict[str, int],
    load: int,
) -> dict[tuple[Pool, str], int] | None:
    """The least-travel counts with no department above `load` % of its reference; None if they do not fit."""
    flow = min_cost_flow.SimpleMinCostFlow()
    names = list(pools)
    sink = len(names) + len(departments)
    arcs: dict[int, tuple[Pool, str]] = {}
    for i, pool in enumerate(names):
        area, months = pool
        flow.set_node_supply(i, len(pools[pool]))
        for j, hospital in enumerate(departments):
            if (area, hospital) in data.travel:
                arc = flow.add_arc_with_capacity_and_unit_cost(
                    i, len(names) + j, len(pools[pool]), data.travel[area, hospital] * months
                )
                arcs[arc] = (pool, hospital)
    for j, hospital in enumerate(departments):
        row = data.capacity[hospital, specialty, year]
        room = load * references[hospital] // 100
        if row.max_places is not None:
            room = min(room, row.max_places)
        room -= kept[hospital, specialty, year]
        flow.add_arc_with_capacity_and_unit_cost(len(names) + j, sink, max(room, 0), 0)
    flow.set_node_supply(sink, -sum(len(keys) for keys in pools.values()))
    if flow.solve() != flow.OPTIMAL:
        return None
    return {arcs[a]: flow.flow(a) for a in arcs if flow.flow(a) > 0}
