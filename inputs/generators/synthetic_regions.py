"""The regions of a generated scenario: N regions of five hospitals in VGR's roles on a grid, and
one random stream per table, keyed by the scale and seed.

Region 1 has VGR's hospital codes (SU, NU, SkaS, SÄS, SV), providers, contract ids and home areas;
regions 2..N have generated codes (H006, H007, ...; P-R02-OGON-A; R02-KAT-1; "Region 02 nord").
Patients may be transferred within a region and to the regions beside it on the grid.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from leveransplan.inputs.generators import vgr_decision, vgr_volumes

MAX_SCALE = 100  # 500 hospitals; access.csv grows with the square of the scale
ROLES = vgr_decision.HOSPITAL_CODES  # a region's five hospitals take the roles of VGR's, in this order
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
HOSPITAL_SIZE = {"SÄS": 1.0, **vgr_volumes.SIZE}  # relative to SÄS, the hospital the decision gives
REGION_FACTOR = (0.7, 1.3)  # a generated region's size relative to VGR (region 1 is 1)
GEOGRAPHY = (0.8, 1.3)  # a generated region's travel times relative to VGR's


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
            return dict(vgr_decision.HOSPITALS)[role]
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


class Grid:
    """The regions of one (scale, seed) and their hospitals; each table has its own random stream."""

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
