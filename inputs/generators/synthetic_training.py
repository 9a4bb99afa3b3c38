"""The training tables of a generated scenario: each region's AT positions and rotations, GP
trainees, travel times, ST-A places and agreed placements, by the shipped VGR 2026 rules
(vgr_training) with figures drawn around the shipped ones. A few home areas also reach the
university hospital of a neighbouring region.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from leveransplan.inputs.generators import vgr_decision, vgr_training
from leveransplan.inputs.generators.shared import apportion
from leveransplan.inputs.generators.synthetic_regions import ROLES, Grid

CONTRACT_MONTHS = 0.1

# AT: previous positions spread like 2026's, the bounds about a quarter of them; the rotations'
# departments can host a fifth more than previous, except two rows per region set a little below
# the hospital's weighted share, so that they bind.
AT_BOUND = (0.2, 0.3)
AT_HOSTED_EXTRA = 0.2
AT_BINDING_ROWS = 2

# ST-A: places over the two years about a third above the requirements within reach (shared out
# over the hospitals by the inverse square of the travel time), 2026 taking 48-55 % of them;
# concurrent_max on three rows per region; ten agreed placements per region.
ST_PLACES_MARGIN = (1.25, 1.45)
ST_PLACES_2026 = (0.48, 0.55)
ST_CONCURRENT_ROWS = 3
ST_FIXED = vgr_training.ST_FIXED
ST_NEIGHBOUR_MINUTES = (70, 110)
# The last trainees of each region: the shipped ones whose requirements cannot all be placed, each
# for a reason of their own (a window too short, leave over the window, a start too late).
EDGE_CASES = vgr_training.ST_EDGE_CASES[:3]


def at_tables(grid: Grid) -> tuple[list[list[Any]], list[list[Any]]]:
    """Rows of at.csv and at_rotations.csv: each region's positions spread like VGR's 2026 ones."""
    shipped = dict(vgr_decision.AT_POSITIONS_2026)
    at: list[list[Any]] = []
    for region in grid.regions:
        draw = grid.rng("at", region.number)
        total = vgr_training.AT_TOTAL
        if region.number > 1:
            total = round(vgr_training.AT_TOTAL * region.factor * draw.uniform(0.95, 1.05))
        previous = apportion(total, [shipped[role] * draw.uniform(0.9, 1.1) for role in ROLES])
        for role, h, n in zip(ROLES, region.hospitals, previous, strict=True):
            bound = max(2, round(n * draw.uniform(*AT_BOUND)))
            weight = max(
                1,
                round(vgr_training.AT_WEIGHT[role] * total / vgr_training.AT_TOTAL * draw.uniform(0.9, 1.1)),
            )
            at.append([h, max(0, n - bound), n + bound, weight, n])
    total, weights = sum(row[4] for row in at), sum(row[3] for row in at)
    row_of = {row[0]: row for row in at}
    rotations: list[list[Any]] = []
    for region in grid.regions:
        draw = grid.rng("at_rotations", region.number)
        months = {
            h: dict(zip(("internmedicin", "kirurgi"), vgr_training.AT_MEDICINE_SURGERY[role], strict=True))
            | vgr_training.AT_OTHER_MONTHS
            for role, h in zip(ROLES, region.hospitals, strict=True)
        }
        binding = draw.sample([(h, area) for h in region.hospitals for area in months[h]], AT_BINDING_ROWS)
        for h in region.hospitals:
            _, lowest, _, weight, n = row_of[h]
            for area, length in months[h].items():
                hosted = n + math.ceil(AT_HOSTED_EXTRA * n)
                if (h, area) in binding:  # a little below the weighted share: the row binds
                    hosted = max(lowest, min(n, math.floor(total * weight / weights)) - draw.randint(1, 3))
                # up to length - 1 months more: not enough for one more doctor
                rotations.append([h, area, length, length * hosted + draw.randrange(length)])
    return at, rotations


def trainees(grid: Grid) -> list[vgr_training.Trainee]:
    """Each region's GP trainees by the shipped rules (vgr_training.regular_trainee), seeded."""
    draw = grid.rng("st_trainees")
    counts = [
        vgr_training.ST_TRAINEES
        if r.number == 1
        else round(vgr_training.ST_TRAINEES * r.factor * draw.uniform(0.95, 1.05))
        for r in grid.regions
    ]
    width = max(5, len(str(sum(counts))))
    people: list[vgr_training.Trainee] = []
    for region, count in zip(grid.regions, counts, strict=True):
        shares = apportion(count, [float(w) for w in vgr_training.HOME_AREAS.values()])
        areas = [
            region.home_area(a)
            for a, n in zip(vgr_training.HOME_AREAS, shares, strict=True)
            for _ in range(n)
        ]
        grid.rng("home-areas", region.number).shuffle(areas)
        for area in areas[: count - len(EDGE_CASES)]:
            trainee = f"STA-{len(people) + 1:0{width}d}"
            # The shipped rules draw from a hash of the key: a key with the scale and seed varies them.
            key = f"generate|{grid.scale}|{grid.seed}|{trainee}"
            people.append(vgr_training.regular_trainee(key, area)._replace(trainee=trainee))
        for area, earliest, deadline, unavailable, requirements in EDGE_CASES:
            trainee = f"STA-{len(people) + 1:0{width}d}"
            home = region.home_area(area)
            people.append(vgr_training.Trainee(trainee, home, earliest, deadline, unavailable, requirements))
    return people


def travel(grid: Grid) -> dict[str, dict[str, int]]:
    """Home area -> {hospital: minutes}: VGR's reach in every region, and for one home area per
    region the university hospital of a neighbouring region."""
    travel: dict[str, dict[str, int]] = {}
    for region in grid.regions:
        draw = grid.rng("travel", region.number)
        for area, row in vgr_training.TRAVEL.items():
            travel[region.home_area(area)] = {
                region.hospital(role): max(5, round(m * region.geography * draw.uniform(0.9, 1.1)))
                for role, m in row.items()
            }
        neighbours = grid.neighbours(region)
        if neighbours:
            area, other = draw.choice(list(vgr_training.TRAVEL)), draw.choice(neighbours)
            travel[region.home_area(area)][other.hospital("SU")] = draw.randint(*ST_NEIGHBOUR_MINUTES)
    return travel


def offers(grid: Grid, h: str, specialty: str) -> bool:
    """The hospital takes GP trainees in the specialty (as VGR's: the västra sjukhusen no paediatrics)."""
    role = grid.role_of[h]
    return role not in vgr_training.ST_PLACES_2026 or specialty in vgr_training.ST_PLACES_2026[role]


def st_capacity(
    grid: Grid, people: list[vgr_training.Trainee], travel: dict[str, dict[str, int]]
) -> dict[tuple[str, str, int], tuple[int, int | None]]:
    """(hospital, specialty, year) -> (places, concurrent_max): a third or so above the
    requirements within reach, each home area's shared out by the inverse square of the minutes."""
    demand = Counter((t.home_area, s) for t in people for s, _ in t.requirements)
    load: dict[tuple[str, str], float] = {}
    for area, row in travel.items():
        for s in vgr_training.ST_SPECIALTIES:
            reach = [h for h in row if offers(grid, h, s)]
            weights = [1 / row[h] ** 2 for h in reach]
            for h, w in zip(reach, weights, strict=True):
                load[(h, s)] = load.get((h, s), 0.0) + demand[(area, s)] * w / sum(weights)
    capacity: dict[tuple[str, str, int], tuple[int, int | None]] = {}
    for region in grid.regions:
        draw = grid.rng("st_capacity", region.number)
        offered = [
            (h, s) for h in region.hospitals for s in vgr_training.ST_SPECIALTIES if offers(grid, h, s)
        ]
        for h, s in offered:
            places = max(2, math.ceil(load.get((h, s), 0.0) * draw.uniform(*ST_PLACES_MARGIN)))
            first = max(1, round(places * draw.uniform(*ST_PLACES_2026)))
            capacity[(h, s, 2026)] = (first, None)
            capacity[(h, s, 2027)] = (max(1, places - first), None)
        # half again an even spread of the year's starts, as the shipped rows
        for h, s in draw.sample(offered, ST_CONCURRENT_ROWS):
            for year in (2026, 2027):
                places = capacity[(h, s, year)][0]
                limit = math.ceil(vgr_training.ST_CONCURRENT_FACTOR * places * vgr_training.ST_LENGTH[s] / 12)
                capacity[(h, s, year)] = (places, limit)
    return capacity


def st_fixed(
    grid: Grid,
    people: list[vgr_training.Trainee],
    capacity: dict[tuple[str, str, int], tuple[int, int | None]],
    travel: dict[str, dict[str, int]],
) -> list[tuple[str, str, str, int]]:
    """(trainee, specialty, hospital, start month index) agreed: trainees free from January 2026
    with no leave and a deadline 2027-09 or later, at the nearest hospital with places, 2026-01..04."""
    picks: list[tuple[str, str, str, int]] = []
    started: Counter[tuple[str, str]] = Counter()
    present: Counter[tuple[str, str, int]] = Counter()
    region_of_area = {r.home_area(a): r.number for r in grid.regions for a in vgr_training.HOME_AREAS}
    by_region: dict[int, list[vgr_training.Trainee]] = {r.number: [] for r in grid.regions}
    for t in people:
        by_region[region_of_area[t.home_area]].append(t)
    for region in grid.regions:
        draw = grid.rng("st_fixed", region.number)
        wanted = ST_FIXED if region.number == 1 else round(ST_FIXED * region.factor)
        candidates = [
            t
            for t in by_region[region.number]
            if not t.unavailable and t.earliest == 0 and t.deadline >= vgr_training.month_index("2027-09")
        ]
        draw.shuffle(candidates)
        mine = 0
        for t in candidates:
            s, length = draw.choice(t.requirements)
            start = draw.randrange(4)
            reach = travel[t.home_area]
            h = min((h for h in reach if (h, s, 2026) in capacity), key=lambda h: (reach[h], h), default=None)
            if h is None:
                continue
            places, limit = capacity[(h, s, 2026)]
            months = range(start, start + length)
            full = limit is not None and any(present[(h, s, m)] >= limit for m in months)
            if started[(h, s)] >= places or full:
                continue
            started[(h, s)] += 1
            present.update((h, s, m) for m in months)
            picks.append((t.trainee, s, h, start))
            mine += 1
            if mine == wanted:
                break
    return sorted(picks)
