"""Generated scenarios of any size, modelled on the shipped VGR 2026 scenario.

`leveransplan generate --scale N --seed S OUT` writes a scenario folder of N regions with five
hospitals each. Region 1 has VGR's hospital codes (SU, NU, SkaS, SÄS, SV), providers, contract ids
and home areas; regions 2..N have generated codes (H006, H007, ...; P-R02-OGON-A; R02-KAT-1;
"Region 02 nord"). Every region copies the structure of inputs/vgr-2026, that is the rules and
constants of inputs/build_vgr_2026.py: the 49 categories, the five hospitals' roles (size,
regional care, spare capacity, travel times), the deficit categories, the 30 contracts, the AT
order and the ST-A specialties. Its figures are drawn around the shipped ones. Every figure is
ILLUSTRATIVE.

The regions lie on a grid. Patients may be transferred to the hospitals and providers of the
region itself and of the regions beside it (longer travel); farther pairs are not allowed. A few
home areas also reach the university hospital of a neighbouring region for ST-A placements.

Scale 1 is about the region (5 hospitals, 49 categories, 30 contracts, 12 months, 292 AT
positions, 540 trainees); scale 20 about the nation (100 hospitals, 600 contracts, about 10 800
trainees). The same (scale, seed) gives the same bytes in any process: each table draws from its
own `random.Random` seeded by a text holding the scale and seed (the trainees from the shipped
rules' SHA-256 hash of such a text), and nothing iterates over a set.
"""

from __future__ import annotations

import csv
import io
import math
import random
import tomllib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leveransplan.inputs import build_vgr_2026 as vgr
from leveransplan.inputs.tables import ALL_TABLES, CONTRACTS
from leveransplan.models.numbers import grouped

__all__ = ["MAX_SCALE", "describe", "generate_scenario", "key_figures", "unsafe_target"]

MAX_SCALE = 100  # 500 hospitals; access.csv grows with the square of the scale
START = "2026-01"
MONTHS = vgr.MONTHS  # the volume horizon, 2026-01..2026-12
ROLES = vgr.HOSPITAL_CODES  # a region's five hospitals take the roles of VGR's, in this order
ROLE_NAMES = dict(
    zip(
        ROLES,
        ("universitetssjukhus", "norra sjukhuset", "östra sjukhuset", "södra sjukhuset", "västra sjukhusen"),
        strict=True,
    )
)
AREA_NAMES = {
    "Göteborg": "centrum",
    "Mölndal": "centrum syd",
    "Skövde": "öst",
    "Vänersborg": "nord",
    "Borås": "syd",
}
SAS = {row[0]: (row[4], row[5]) for row in vgr.SAS_VOLUMES}
HOSPITAL_SIZE = {"SÄS": 1.0, **vgr.SIZE}  # relative to SÄS, the hospital the decision gives
REGION_FACTOR = (0.7, 1.3)  # a generated region's size relative to VGR (region 1 is 1)
GEOGRAPHY = (0.8, 1.3)  # a generated region's travel times relative to VGR's

# Travel between regions: the minutes to a neighbouring region's hospitals and providers (farther
# ones are not allowed), and how many minutes each step on the grid adds.
FOREIGN_MINUTES = 90
STEP_MINUTES = 60

# Capacity profile: the shipped season, each dip drawn from a few levels; an EHR go-live at one
# hospital of every region and at a few more: 1-2 months at 0.6, sometimes a month at 0.8 after.
SEASON = {"06": (0.75, 0.8, 0.85), "07": (0.45, 0.5, 0.55), "08": (0.75, 0.8, 0.85), "12": (0.85, 0.9, 0.95)}
GO_LIVE_MONTHS = (2, 3, 4, 5, 9, 10, 11)
GO_LIVE_OTHERS = 0.1
GO_LIVE_FACTOR, RECOVERY_FACTOR = 0.6, 0.8

# A contract without months of its own is given a later start or an earlier end now and then.
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
ST_FIXED = vgr.ST_FIXED
ST_NEIGHBOUR_MINUTES = (70, 110)
# The last trainees of each region: the shipped ones whose requirements cannot all be placed, each
# for a reason of their own (a window too short, leave over the window, a start too late).
EDGE_CASES = vgr.ST_EDGE_CASES[:3]


@dataclass(frozen=True)
class Region:
    """Five hospitals in VGR's roles, with their home areas, providers and place on the grid."""

    number: int  # 1-based
    factor: float  # size relative to VGR
    geography: float  # travel times relative to VGR's
    x: int
    y: int

    @property
    def tag(self) -> str:
        return f"R{self.number:02d}"

    @property
    def hospitals(self) -> list[str]:
        if self.number == 1:
            return list(ROLES)
        return [f"H{5 * (self.number - 1) + i + 1:03d}" for i in range(len(ROLES))]

    def hospital(self, role: str) -> str:
        return self.hospitals[ROLES.index(role)]

    def hospital_name(self, role: str) -> str:
        if self.number == 1:
            return dict(vgr.HOSPITALS)[role]
        return f"Region {self.number:02d} {ROLE_NAMES[role]}"

    def provider(self, template: str) -> str:
        return template if self.number == 1 else f"P-{self.tag}-{template.removeprefix('P-')}"

    def contract(self, template: str) -> str:
        return template if self.number == 1 else f"{self.tag}-{template}"

    def home_area(self, template: str) -> str:
        return template if self.number == 1 else f"Region {self.number:02d} {AREA_NAMES[template]}"

    def steps(self, other: Region) -> int:
        """Grid steps between two regions (0: the same region)."""
        return abs(self.x - other.x) + abs(self.y - other.y)


class _Generator:
    """The tables of one (scale, seed); each table has its own random stream."""

    def __init__(self, scale: int, seed: int) -> None:
        if scale < 1 or scale > MAX_SCALE:
            raise ValueError(f"scale {scale} not understood; expected 1..{MAX_SCALE}.")
        if seed < 0:
            raise ValueError(f"seed {seed} < 0 not understood.")
        self.scale, self.seed = scale, seed
        self.regions = self._regions()
        self.region_of = {h: r for r in self.regions for h in r.hospitals}
        self.role_of = {h: role for r in self.regions for h, role in zip(r.hospitals, ROLES, strict=True)}
        draw = self.rng("hospital-size")
        self.size = {
            h: HOSPITAL_SIZE[role] * r.factor * draw.uniform(0.9, 1.1)
            for r in self.regions
            for h, role in zip(r.hospitals, ROLES, strict=True)
        }

    def rng(self, *key: object) -> random.Random:
        """A random stream of its own for each table (and region), so one table's draws leave the others."""
        return random.Random(
            "|".join(["leveransplan-generate", str(self.scale), str(self.seed), *map(str, key)])
        )

    def _regions(self) -> list[Region]:
        draw = self.rng("regions")
        columns = math.ceil(math.sqrt(self.scale))
        regions = []
        for i in range(self.scale):
            factor, geography = draw.uniform(*REGION_FACTOR), draw.uniform(*GEOGRAPHY)
            if i == 0:
                factor = geography = 1.0  # region 1 is VGR-sized, with VGR's travel times
            regions.append(Region(i + 1, round(factor, 2), round(geography, 2), i % columns, i // columns))
        return regions

    def neighbours(self, region: Region) -> list[Region]:
        return [r for r in self.regions if region.steps(r) == 1]

    # -- volumes ------------------------------------------------------------------------------------
    def own_volumes(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(hospital, category) -> (base, additional_max): VGR's figures scaled by the hospital's size."""
        volumes: dict[tuple[str, str], tuple[int, int]] = {}
        for region in self.regions:
            draw = self.rng("own_volumes", region.number)
            for role, h in zip(ROLES, region.hospitals, strict=True):
                for k in vgr.CATEGORY_CODES:
                    base_noise, add_noise = draw.uniform(0.85, 1.15), draw.uniform(0.70, 1.30)
                    if (role, k) in vgr.REGIONAL:
                        (base, add), factor = vgr.REGIONAL[(role, k)], region.factor
                    elif (role, k) in vgr.NOT_RUN or SAS[k] == (0, 0):
                        continue
                    else:
                        (base, add), factor = SAS[k], self.size[h]
                    row = (round(base * factor * base_noise), round(add * factor * add_noise))
                    if sum(row) > 0:
                        volumes[(h, k)] = row
        return volumes

    def need(self, volumes: dict[tuple[str, str], tuple[int, int]]) -> dict[tuple[str, str], tuple[int, int]]:
        """(hospital, category) -> (waiting, inflow), by the shipped rules (README: need.csv)."""
        out: dict[tuple[str, str], tuple[int, int]] = {}
        for region in self.regions:
            draw = self.rng("need", region.number)
            inflow: dict[tuple[str, str], int] = {}
            waiting: dict[tuple[str, str], int] = {}
            excess_weight: dict[tuple[str, str], float] = {}
            for h, k in ((h, k) for h in region.hospitals for k in vgr.CATEGORY_CODES if (h, k) in volumes):
                base, add = volumes[(h, k)]
                role, capacity = self.role_of[h], base + add
                spread, excess_noise, waiting_noise = draw.random(), draw.uniform(0.7, 1.3), draw.random()
                if k in vgr.DEFICIT and role not in vgr.DEFICIT[k][2]:
                    d, e, _ = vgr.DEFICIT[k]
                    pressure = vgr.PRESSURE[role]
                    inflow[(h, k)] = round(capacity * (1 + d * pressure * (0.6 + 0.8 * spread)))
                    excess_weight[(h, k)] = inflow[(h, k)] * e * pressure * excess_noise
                elif k in vgr.DEFICIT:  # spare additional capacity
                    inflow[(h, k)] = round(base + add * (0.45 + 0.25 * spread))
                elif add > 0:  # about balanced: most of the additional volume is needed
                    inflow[(h, k)] = round(base + add * (0.75 + 0.25 * spread))
                else:
                    inflow[(h, k)] = round(base * (0.95 + 0.05 * spread))
                limit = 3 * inflow[(h, k)] // len(MONTHS)
                waiting[(h, k)] = math.floor(limit * (0.90 + 0.10 * waiting_noise))
            for group, target in vgr.EXCESS_TARGET.items():
                keys = [key for key in excess_weight if vgr.group(key[1]) == group]
                total = round(target * region.factor * draw.uniform(0.9, 1.1))
                for key, extra in zip(
                    keys, vgr.apportion(total, [excess_weight[x] for x in keys]), strict=True
                ):
                    waiting[key] = 3 * inflow[key] // len(MONTHS) + extra
            out.update({key: (waiting[key], inflow[key]) for key in inflow})
        return out

    def prices(self) -> list[list[Any]]:
        """Visits and treatments at the region's price (region 1: the decision's), scopies per hospital."""
        rows: list[list[Any]] = []
        shipped = {(h, cls): p for h, cls, p in vgr.PRICES}
        for region in self.regions:
            draw = self.rng("prices", region.number)
            regional = {cls: shipped[("SU", cls)] for cls in ("besok", "behandling")}
            if region.number > 1:
                regional = {cls: round(p * draw.uniform(0.95, 1.05)) for cls, p in regional.items()}
            for role, h in zip(ROLES, region.hospitals, strict=True):
                scopy = round(shipped[(role, "skopi")] * draw.uniform(0.95, 1.05))
                rows += [[h, "besok", regional["besok"]], [h, "behandling", regional["behandling"]]]
                rows.append([h, "skopi", scopy])
        return rows

    def profile(self) -> list[list[Any]]:
        """Every hospital and month: the summer and Christmas dips, EHR go-lives at a few hospitals."""
        rows: list[list[Any]] = []
        for region in self.regions:
            draw = self.rng("profile", region.number)
            first_go_live = draw.choice(region.hospitals)
            for h in region.hospitals:
                factors = {m: draw.choice(SEASON[m[5:]]) if m[5:] in SEASON else 1.0 for m in MONTHS}
                start, length, recovery = draw.choice(GO_LIVE_MONTHS), draw.randint(1, 2), draw.random() < 0.5
                if h == first_go_live or draw.random() < GO_LIVE_OTHERS:
                    dip = [GO_LIVE_FACTOR] * length + [RECOVERY_FACTOR] * recovery
                    for month, factor in zip(MONTHS[start - 1 :], dip, strict=False):
                        factors[month] = min(factors[month], factor)
                rows += [[h, m, f"{f:.2f}"] for m, f in factors.items()]
        return rows

    def contracts(self) -> list[list[Any]]:
        """Each region's 30 contracts: the shipped ones with volumes by the region's size, prices near."""
        rows: list[list[Any]] = []
        for region in self.regions:
            draw = self.rng("contracts", region.number)
            for contract, provider, k, vmin, vmax, price, first, last, _, outside in vgr.CONTRACTS:
                volume_noise, min_noise, price_noise = (
                    draw.uniform(0.85, 1.15),
                    draw.uniform(0.9, 1.1),
                    draw.uniform(0.95, 1.05),
                )
                change, month = draw.random(), draw.randint(2, 5)
                volume_max = max(10, _round_to(vmax * region.factor * volume_noise, 10))
                volume_min = min(volume_max, _round_to(volume_max * vmin / vmax * min_noise, 10))
                price = _round_to(price * price_noise, 10 if price < 10_000 else 100)
                if not first and not last and change < CONTRACT_MONTHS / 2:
                    first = MONTHS[month - 1]  # starts 2026-02..2026-05
                elif not first and not last and change < CONTRACT_MONTHS:
                    last = MONTHS[month + 4]  # ends 2026-06..2026-09
                active = len(
                    MONTHS[MONTHS.index(first) if first else 0 : MONTHS.index(last) + 1 if last else None]
                )
                spread = draw.uniform(1.5, 1.6) if outside else draw.uniform(1.1, 1.2)
                monthly = math.ceil(volume_max / active * spread)
                rows.append(
                    [
                        region.contract(contract),
                        region.provider(provider),
                        k,
                        volume_min,
                        volume_max,
                        price,
                        first,
                        last,
                        monthly,
                        outside,
                    ]
                )
        return rows

    def access(self) -> list[list[Any]]:
        """Every (hospital, other hospital or provider) pair: VGR's travel times within a region,
        longer ones to the regions beside it, not allowed farther away (a missing pair would be)."""
        providers = [(r, p, town) for r in self.regions for p, town in vgr.PROVIDERS.items()]
        rows: list[list[Any]] = []
        for region in self.regions:
            draw = self.rng("access", region.number)
            for role, h in zip(ROLES, region.hospitals, strict=True):
                for g, other_role in self.role_of.items():
                    other, noise = self.region_of[g], draw.uniform(0.9, 1.1)
                    if other is region and g != h:
                        rows.append([h, g, round(vgr.minutes(role, other_role) * region.geography), "true"])
                    elif g != h:
                        rows.append(self._foreign(h, g, region.steps(other), noise))
                for owner, p, town in providers:
                    noise = draw.uniform(0.9, 1.1)
                    if owner is region:
                        minutes = round(vgr.TOWN_MINUTES[town][ROLES.index(role)] * region.geography)
                        allowed = "false" if (role, p) in vgr.NOT_ALLOWED else "true"
                        rows.append([h, region.provider(p), minutes, allowed])
                    else:
                        rows.append(self._foreign(h, owner.provider(p), region.steps(owner), noise))
        return rows

    @staticmethod
    def _foreign(h: str, target: str, steps: int, noise: float) -> list[Any]:
        """A pair between regions: allowed only to the regions beside h's, farther is longer."""
        minutes = round((FOREIGN_MINUTES + STEP_MINUTES * (steps - 1)) * noise)
        return [h, target, minutes, "true" if steps == 1 else "false"]

    # -- AT -----------------------------------------------------------------------------------------
    def at_tables(self) -> tuple[list[list[Any]], list[list[Any]]]:
        """Rows of at.csv and at_rotations.csv: each region's positions spread like VGR's 2026 ones."""
        shipped = dict(vgr.AT_POSITIONS_2026)
        at: list[list[Any]] = []
        for region in self.regions:
            draw = self.rng("at", region.number)
            total = vgr.AT_TOTAL
            if region.number > 1:
                total = round(vgr.AT_TOTAL * region.factor * draw.uniform(0.95, 1.05))
            previous = vgr.apportion(total, [shipped[role] * draw.uniform(0.9, 1.1) for role in ROLES])
            for role, h, n in zip(ROLES, region.hospitals, previous, strict=True):
                bound = max(2, round(n * draw.uniform(*AT_BOUND)))
                weight = max(1, round(vgr.AT_WEIGHT[role] * total / vgr.AT_TOTAL * draw.uniform(0.9, 1.1)))
                at.append([h, max(0, n - bound), n + bound, weight, n])
        total, weights = sum(row[4] for row in at), sum(row[3] for row in at)
        row_of = {row[0]: row for row in at}
        rotations: list[list[Any]] = []
        for region in self.regions:
            draw = self.rng("at_rotations", region.number)
            months = {
                h: dict(zip(("internmedicin", "kirurgi"), vgr.AT_MEDICINE_SURGERY[role], strict=True))
                | vgr.AT_OTHER_MONTHS
                for role, h in zip(ROLES, region.hospitals, strict=True)
            }
            binding = draw.sample(
                [(h, area) for h in region.hospitals for area in months[h]], AT_BINDING_ROWS
            )
            for h in region.hospitals:
                _, lowest, _, weight, n = row_of[h]
                for area, length in months[h].items():
                    hosted = n + math.ceil(AT_HOSTED_EXTRA * n)
                    if (h, area) in binding:  # a little below the weighted share: the row binds
                        hosted = max(
                            lowest, min(n, math.floor(total * weight / weights)) - draw.randint(1, 3)
                        )
                    # up to length - 1 months more: not enough for one more doctor
                    rotations.append([h, area, length, length * hosted + draw.randrange(length)])
        return at, rotations

    # -- ST-A ---------------------------------------------------------------------------------------
    def trainees(self) -> list[vgr.Trainee]:
        """Each region's GP trainees by the shipped rules (build_vgr_2026.regular_trainee), seeded."""
        draw = self.rng("st_trainees")
        counts = [
            vgr.ST_TRAINEES if r.number == 1 else round(vgr.ST_TRAINEES * r.factor * draw.uniform(0.95, 1.05))
            for r in self.regions
        ]
        width = max(5, len(str(sum(counts))))
        people: list[vgr.Trainee] = []
        for region, count in zip(self.regions, counts, strict=True):
            shares = vgr.apportion(count, [float(w) for w in vgr.HOME_AREAS.values()])
            areas = [
                region.home_area(a) for a, n in zip(vgr.HOME_AREAS, shares, strict=True) for _ in range(n)
            ]
            self.rng("home-areas", region.number).shuffle(areas)
            for area in areas[: count - len(EDGE_CASES)]:
                trainee = f"STA-{len(people) + 1:0{width}d}"
                # The shipped rules draw from a hash of the key: a key with the scale and seed varies them.
                key = f"generate|{self.scale}|{self.seed}|{trainee}"
                people.append(vgr.regular_trainee(key, area)._replace(trainee=trainee))
            for area, earliest, deadline, unavailable, requirements in EDGE_CASES:
                trainee = f"STA-{len(people) + 1:0{width}d}"
                home = region.home_area(area)
                people.append(vgr.Trainee(trainee, home, earliest, deadline, unavailable, requirements))
        return people

    def travel(self) -> dict[str, dict[str, int]]:
        """Home area -> {hospital: minutes}: VGR's reach in every region, and for one home area per
        region the university hospital of a neighbouring region."""
        travel: dict[str, dict[str, int]] = {}
        for region in self.regions:
            draw = self.rng("travel", region.number)
            for area, row in vgr.TRAVEL.items():
                travel[region.home_area(area)] = {
                    region.hospital(role): max(5, round(m * region.geography * draw.uniform(0.9, 1.1)))
                    for role, m in row.items()
                }
            neighbours = self.neighbours(region)
            if neighbours:
                area, other = draw.choice(list(vgr.TRAVEL)), draw.choice(neighbours)
                travel[region.home_area(area)][other.hospital("SU")] = draw.randint(*ST_NEIGHBOUR_MINUTES)
        return travel

    def offers(self, h: str, specialty: str) -> bool:
        """The hospital takes GP trainees in the specialty (as VGR's: the västra sjukhusen no paediatrics)."""
        role = self.role_of[h]
        return role not in vgr.ST_PLACES_2026 or specialty in vgr.ST_PLACES_2026[role]

    def st_capacity(
        self, people: list[vgr.Trainee], travel: dict[str, dict[str, int]]
    ) -> dict[tuple[str, str, int], tuple[int, int | None]]:
        """(hospital, specialty, year) -> (places, concurrent_max): a third or so above the
        requirements within reach, each home area's shared out by the inverse square of the minutes."""
        demand = Counter((t.home_area, s) for t in people for s, _ in t.requirements)
        load: dict[tuple[str, str], float] = {}
        for area, row in travel.items():
            for s in vgr.ST_SPECIALTIES:
                reach = [h for h in row if self.offers(h, s)]
                weights = [1 / row[h] ** 2 for h in reach]
                for h, w in zip(reach, weights, strict=True):
                    load[(h, s)] = load.get((h, s), 0.0) + demand[(area, s)] * w / sum(weights)
        capacity: dict[tuple[str, str, int], tuple[int, int | None]] = {}
        for region in self.regions:
            draw = self.rng("st_capacity", region.number)
            offered = [(h, s) for h in region.hospitals for s in vgr.ST_SPECIALTIES if self.offers(h, s)]
            for h, s in offered:
                places = max(2, math.ceil(load.get((h, s), 0.0) * draw.uniform(*ST_PLACES_MARGIN)))
                first = max(1, round(places * draw.uniform(*ST_PLACES_2026)))
                capacity[(h, s, 2026)] = (first, None)
                capacity[(h, s, 2027)] = (max(1, places - first), None)
            # half again an even spread of the year's starts, as the shipped rows
            for h, s in draw.sample(offered, ST_CONCURRENT_ROWS):
                for year in (2026, 2027):
                    places = capacity[(h, s, year)][0]
                    limit = math.ceil(vgr.ST_CONCURRENT_FACTOR * places * vgr.ST_LENGTH[s] / 12)
                    capacity[(h, s, year)] = (places, limit)
        return capacity

    def st_fixed(
        self,
        people: list[vgr.Trainee],
        capacity: dict[tuple[str, str, int], tuple[int, int | None]],
        travel: dict[str, dict[str, int]],
    ) -> list[tuple[str, str, str, int]]:
        """(trainee, specialty, hospital, start month index) agreed: trainees free from January 2026
        with no leave and a deadline 2027-09 or later, at the nearest hospital with places, 2026-01..04."""
        picks: list[tuple[str, str, str, int]] = []
        started: Counter[tuple[str, str]] = Counter()
        present: Counter[tuple[str, str, int]] = Counter()
        region_of_area = {r.home_area(a): r.number for r in self.regions for a in vgr.HOME_AREAS}
        by_region: dict[int, list[vgr.Trainee]] = {r.number: [] for r in self.regions}
        for t in people:
            by_region[region_of_area[t.home_area]].append(t)
        for region in self.regions:
            draw = self.rng("st_fixed", region.number)
            wanted = ST_FIXED if region.number == 1 else round(ST_FIXED * region.factor)
            candidates = [
                t
                for t in by_region[region.number]
                if not t.unavailable and t.earliest == 0 and t.deadline >= vgr.month_index("2027-09")
            ]
            draw.shuffle(candidates)
            mine = 0
            for t in candidates:
                s, length = draw.choice(t.requirements)
                start = draw.randrange(4)
                reach = travel[t.home_area]
                h = min(
                    (h for h in reach if (h, s, 2026) in capacity), key=lambda h: (reach[h], h), default=None
                )
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

    # -- the folder ---------------------------------------------------------------------------------
    def tables(self) -> dict[str, list[list[Any]]]:
        """Every CSV file's rows, header first, in the shipped scenario's order."""
        volumes = self.own_volumes()
        needs = self.need(volumes)
        at, rotations = self.at_tables()
        people = self.trainees()
        travel = self.travel()
        capacity = self.st_capacity(people, travel)
        fixed = self.st_fixed(people, capacity, travel)
        categories = [
            [k, area, kind, spec, vgr.PRICE_CLASS[kind]] for k, area, kind, spec, _, _ in vgr.SAS_VOLUMES
        ]
        return {
            "hospitals.csv": [["hospital", "name"]]
            + [
                [h, r.hospital_name(role)]
                for r in self.regions
                for role, h in zip(ROLES, r.hospitals, strict=True)
            ],
            "categories.csv": [["category", "area", "kind", "specialty", "price_class"], *categories],
            "prices.csv": [["hospital", "price_class", "price_sek"], *self.prices()],
            "own_volumes.csv": [["hospital", "category", "base", "additional_max"]]
            + [[h, k, b, a] for (h, k), (b, a) in volumes.items()],
            "need.csv": [["hospital", "category", "waiting", "inflow"]]
            + [[h, k, w, i] for (h, k), (w, i) in needs.items()],
            "profile.csv": [["hospital", "month", "factor"], *self.profile()],
            "contracts.csv": [CONTRACT_COLUMNS, *self.contracts()],
            "access.csv": [["hospital", "provider", "travel_minutes", "allowed"], *self.access()],
            "at.csv": [["hospital", "min", "max", "weight", "previous"], *at],
            "at_rotations.csv": [["hospital", "area", "months", "capacity_months"], *rotations],
            "st_trainees.csv": [["trainee", "home_area", "earliest_start", "deadline", "unavailable"]]
            + [
                [
                    t.trainee,
                    t.home_area,
                    vgr.month_name(t.earliest),
                    vgr.month_name(t.deadline),
                    t.unavailable,
                ]
                for t in people
            ],
            "st_requirements.csv": [["trainee", "specialty", "months"]]
            + [[t.trainee, s, d] for t in people for s, d in t.requirements],
            "st_capacity.csv": [["hospital", "specialty", "year", "places", "concurrent_max"]]
            + [[h, s, y, n, "" if limit is None else limit] for (h, s, y), (n, limit) in capacity.items()],
            "travel.csv": [["home_area", "hospital", "minutes"]]
            + [[area, h, m] for area, row in travel.items() for h, m in row.items()],
            "st_fixed.csv": [["trainee", "specialty", "hospital", "start"]]
            + [[t, s, h, vgr.month_name(start)] for t, s, h, start in fixed],
        }


# The header as the loader reads it (every column of contracts.csv, optional ones included).
CONTRACT_COLUMNS = [column.name for column in CONTRACTS.columns]


def _round_to(value: float, step: int) -> int:
    """`value` rounded to a whole multiple of `step`."""
    return step * round(value / step)


def _csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=",", lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _settings(scale: int, seed: int, at_total: int) -> str:
    return f"""\
# Generated by `leveransplan generate --scale {scale} --seed {seed}`. Every figure is ILLUSTRATIVE,
# drawn around the shipped VGR 2026 scenario (see README.md); generate again rather than edit.
name = "Generated scale {scale} seed {seed}"
start = "{START}"
months = {len(MONTHS)}

[objective]
volumes = ["over_guarantee", "equity", "out_of_region", "cost", "travel", "stability"]
placements = ["unplaced", "travel", "stability"]
at = ["deviation", "stability"]

[at]
total = {at_total}

[placements]
months = {vgr.ST_MONTHS}          # side-service placements run 2026-01..2027-12; volumes keep 12 months

[solver]
time_limit_s = {min(60 * scale, 600)}
workers = 0
seed = 0
"""


def _readme(scale: int, seed: int, files: Mapping[str, str]) -> str:
    figures = key_figures(files)
    rows = "\n".join(f"| {name} | {grouped(value)} |" for name, value in figures.items())
    regions = "one region of five hospitals" if scale == 1 else f"{scale} regions of five hospitals each"
    return f"""\
# Generated scenario: scale {scale}, seed {seed}

Written by `leveransplan generate --scale {scale} --seed {seed}` (inputs/generate.py):
{regions}, modelled on the shipped scenario inputs/vgr-2026; region 1 has VGR's
hospital codes. **Every figure is ILLUSTRATIVE**: drawn around the shipped figures, not facts
about any region. The same scale and seed give the same files byte for byte.

| figure | value |
|---|---|
{rows}
"""


def generate_scenario(scale: int, seed: int) -> dict[str, str]:
    """The generated scenario's files: name -> text (scenario.toml, README.md, the CSV tables)."""
    tables = _Generator(scale, seed).tables()
    at_total = sum(row[4] for row in tables["at.csv"][1:])
    files = {"scenario.toml": _settings(scale, seed, at_total)}
    files |= {name: _csv(rows) for name, rows in tables.items()}
    return {"scenario.toml": files["scenario.toml"], "README.md": _readme(scale, seed, files)} | files


def key_figures(files: Mapping[str, str]) -> dict[str, int]:
    """Sizes and totals of a scenario's comma-separated files (name -> text), to compare generated
    scenarios with the shipped one."""

    def rows(name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(files.get(name, ""))))

    def total(name: str, column: str) -> int:
        return sum(int(r[column]) for r in rows(name))

    settings = tomllib.loads(files["scenario.toml"])
    months = settings["months"]
    need = rows("need.csv")
    contracts = rows("contracts.csv")
    return {
        "hospitals": len(rows("hospitals.csv")),
        "categories": len(rows("categories.csv")),
        "contracts": len(contracts),
        "months": months,
        "waiting at the start": total("need.csv", "waiting"),
        "beyond the guarantee at the start": sum(
            max(0, int(r["waiting"]) - 3 * int(r["inflow"]) // months) for r in need
        ),
        "inflow": total("need.csv", "inflow"),
        "base": total("own_volumes.csv", "base"),
        "additional_max": total("own_volumes.csv", "additional_max"),
        "contract volume_max": total("contracts.csv", "volume_max"),
        "contract volume_min": total("contracts.csv", "volume_min"),
        "out-of-region volume_max": sum(
            int(r["volume_max"])
            for r in contracts
            if r["out_of_region"].lower() in ("true", "1", "yes", "ja")
        ),
        "access pairs": len(rows("access.csv")),
        "AT positions": int(settings.get("at", {}).get("total", 0)),
        "trainees": len(rows("st_trainees.csv")),
        "requirements": len(rows("st_requirements.csv")),
        "requirement months": total("st_requirements.csv", "months"),
        "ST-A places": total("st_capacity.csv", "places"),
        "fixed placements": len(rows("st_fixed.csv")),
    }


def describe(files: Mapping[str, str]) -> str:
    """One line of a generated scenario's sizes, for the command line."""
    f = key_figures(files)
    megabytes = sum(len(text.encode("utf-8")) for text in files.values()) / 1e6
    return (
        f"{f['hospitals']} hospitals, {f['categories']} categories, {f['contracts']} contracts, "
        f"{f['months']} months; {f['AT positions']} AT positions; {f['trainees']} trainees with "
        f"{f['requirements']} requirements; {len(files)} files, {megabytes:.1f} MB"
    )


def unsafe_target(out: Path) -> str | None:
    """Why `out` may not be replaced by a generated scenario, or None: --overwrite replaces only a
    scenario folder (or an empty one), never the current folder, one that holds it, or a file."""
    resolved = out.resolve()
    if resolved == Path.cwd() or resolved in Path.cwd().parents:
        return "is the current folder or holds it; choose a new folder"
    if any(parent.exists() and not parent.is_dir() for parent in resolved.parents):
        return "lies under a file, not a folder"
    if resolved.exists() and not resolved.is_dir():
        return "is a file; a scenario is a folder"
    if resolved.is_dir() and any(resolved.iterdir()) and not (resolved / "scenario.toml").is_file():
        return "holds files but no scenario.toml: --overwrite replaces only scenario folders"
    if resolved.is_dir():
        written = {"scenario.toml", "README.md", *(schema.file for schema in ALL_TABLES)}
        foreign = sorted(entry.name for entry in resolved.iterdir() if entry.name not in written)
        if foreign:
            return (
                f"holds {', '.join(foreign[:5])}, which a generated scenario does not have and --overwrite "
                "would delete; move it out of the folder, or choose another"
            )
    return None
