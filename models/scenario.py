"""The scenario: settings from scenario.toml and the volume tables, as immutable pydantic types.

Validation of files (with file, row and column in each message) happens in `inputs/`; these
types hold data that has already passed it, so they only guard what a programmer can get wrong.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.months import Horizon

PRICE_CLASSES = ("besok", "behandling", "skopi")
VOLUME_OBJECTIVES = ("over_guarantee", "equity", "out_of_region", "cost", "travel", "stability")
PLACEMENT_OBJECTIVES = ("unplaced", "travel", "stability")
AT_OBJECTIVES = ("deviation", "stability")

PriceClass = Literal["besok", "behandling", "skopi"]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Hospital(_Row):
    """One of the region's own hospital organisations."""

    hospital: str
    name: str


class Category(_Row):
    """A care category, e.g. first visit in ophthalmology or cataract operation."""

    category: str
    area: str
    kind: str
    specialty: str
    price_class: PriceClass


class PriceRow(_Row):
    """What the region pays a hospital per unit of additional volume (tilläggspris)."""

    hospital: str
    price_class: PriceClass
    price_sek: int = Field(ge=0)


class OwnVolume(_Row):
    """A hospital's base (bas) and offered additional (tillägg) units over the horizon."""

    hospital: str
    category: str
    base: int = Field(ge=0)
    additional_max: int = Field(ge=0)


class NeedRow(_Row):
    """Patients waiting at the start and new referrals expected over the horizon."""

    hospital: str
    category: str
    waiting: int = Field(ge=0)
    inflow: int = Field(ge=0)


class ProfileRow(_Row):
    """A hospital's production capacity factor in one month (default 1)."""

    hospital: str
    month: str
    factor: Decimal = Field(ge=0)


class Contract(_Row):
    """Procured region-wide volume with an external provider (köpt vård)."""

    contract: str
    provider: str
    category: str
    volume_min: int = Field(ge=0)
    volume_max: int = Field(ge=0)
    price_sek: int = Field(ge=0)
    first_month: str | None = None
    last_month: str | None = None
    monthly_max: int | None = Field(default=None, ge=0)
    out_of_region: bool = False


class AccessRow(_Row):
    """Travel time, and whether it is allowed, for a hospital's patients to a provider or hospital."""

    hospital: str
    provider: str
    travel_minutes: int = Field(ge=0)
    allowed: bool = True


class ObjectiveOrder(_Row):
    """Lexicographic order of each model's objective terms, most important first."""

    volumes: tuple[str, ...] = VOLUME_OBJECTIVES
    placements: tuple[str, ...] = PLACEMENT_OBJECTIVES
    at: tuple[str, ...] = AT_OBJECTIVES


class SolverSettings(_Row):
    """CP-SAT settings shared by all stages of a solve."""

    time_limit_s: float = Field(default=60.0, gt=0)
    workers: int = Field(default=0, ge=0)
    seed: int = Field(default=0, ge=0)


class Scenario(_Row):
    """A whole scenario folder after validation."""

    name: str
    start: str
    months: int = Field(ge=1)
    objective: ObjectiveOrder = ObjectiveOrder()
    max_cost_sek: int | None = Field(default=None, ge=0)
    at_total: int | None = Field(default=None, ge=0)
    solver: SolverSettings = SolverSettings()
    hospitals: tuple[Hospital, ...] = ()
    categories: tuple[Category, ...] = ()
    prices: tuple[PriceRow, ...] = ()
    own_volumes: tuple[OwnVolume, ...] = ()
    need: tuple[NeedRow, ...] = ()
    profile: tuple[ProfileRow, ...] = ()
    contracts: tuple[Contract, ...] = ()
    access: tuple[AccessRow, ...] = ()

    @property
    def horizon(self) -> Horizon:
        return Horizon(self.start, self.months)

    @property
    def has_volumes(self) -> bool:
        return bool(self.categories or self.need or self.own_volumes)
