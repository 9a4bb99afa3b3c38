"""The scenario: settings from scenario.toml, the volume and the training tables, as pydantic types.

Validation of files (with file, row and column in each message) happens in `inputs/`; these
types hold data that has already passed it, so they only guard what a programmer can get wrong.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from leveransplan.models.months import Horizon

PRICE_CLASSES = ("besok", "behandling", "skopi")
VOLUME_OBJECTIVES = ("over_guarantee", "equity", "out_of_region", "cost", "travel", "stability")
PLACEMENT_OBJECTIVES = ("unplaced", "travel", "stability")
AT_OBJECTIVES = ("deviation", "stability")

AT_AREAS = ("internmedicin", "kirurgi", "psykiatri", "allmanmedicin")

SEED_MAX = 2**31 - 1  # CP-SAT's random_seed is a 32-bit integer
WORKERS_MAX = 1024  # CP-SAT starts a thread per worker

PriceClass = Literal["besok", "behandling", "skopi"]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Hospital(_Row):
    """One of the region's own hospital organisations."""

    hospital: str
    name: str
    # What the plan may spend on the hospital's patients beyond its base volume (its frame, ram).
    frame_sek: int | None = Field(default=None, ge=0)


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


class CapacityLossRow(_Row):
    """A share of a hospital's base and additional capacity kept in some months (a go-live).

    Applied after the spec's split: the lost units are gone, not re-spread over other months.
    """

    hospital: str
    category: str | None = None  # None: every category of the hospital
    first_month: str
    last_month: str
    factor: Decimal = Field(ge=0, le=1)  # the share of capacity kept


class CatchUpRow(_Row):
    """Extra units a hospital can produce for its own patients in some months, at a price (a catch-up)."""

    hospital: str
    category: str | None = None  # None: every category of the hospital, each with units_per_month
    first_month: str
    last_month: str
    units_per_month: int = Field(ge=0)
    price_sek: int = Field(ge=0)


class AccessRow(_Row):
    """Travel time, and whether it is allowed, for a hospital's patients to a provider or hospital."""

    hospital: str
    provider: str
    travel_minutes: int = Field(ge=0)
    allowed: bool = True


class ATRow(_Row):
    """Bounds, need weight and last distribution of one hospital's AT positions (AT-tjänster)."""

    hospital: str
    min: int = Field(ge=0)
    max: int = Field(ge=0)
    weight: int = Field(ge=0)
    previous: int | None = Field(default=None, ge=0)


class ATRotation(_Row):
    """Months each AT doctor needs in an area, and the AT-months a hospital's departments can take."""

    hospital: str
    area: str
    months: int = Field(ge=1)
    capacity_months: int = Field(ge=0)


class Trainee(_Row):
    """A GP trainee (ST-A), by pseudonym: home area, placement window and months away (e.g. leave)."""

    trainee: str
    home_area: str
    earliest_start: str
    deadline: str
    unavailable: tuple[str, ...] = ()  # every month written YYYY-MM, ranges expanded


class Requirement(_Row):
    """A mandatory side-service (sidotjänstgöring) a trainee still has to do, and its length."""

    trainee: str
    specialty: str
    months: int = Field(ge=1)


class CapacityRow(_Row):
    """Side-service places a hospital's department offers: starts in a calendar year, and at a time."""

    hospital: str
    specialty: str
    year: int
    places: int = Field(ge=0)
    concurrent_max: int | None = Field(default=None, ge=0)


class TravelRow(_Row):
    """Travel time from a home area to a hospital; a missing pair is not offered to that area."""

    home_area: str
    hospital: str
    minutes: int = Field(ge=0)


class FixedPlacement(_Row):
    """A placement already agreed between trainee, supervisor and director of studies; it stays."""

    trainee: str
    specialty: str
    hospital: str
    start: str


class ObjectiveOrder(_Row):
    """Lexicographic order of each model's objective terms, most important first."""

    volumes: tuple[str, ...] = VOLUME_OBJECTIVES
    placements: tuple[str, ...] = PLACEMENT_OBJECTIVES
    at: tuple[str, ...] = AT_OBJECTIVES


class SolverSettings(_Row):
    """CP-SAT settings shared by all stages of a solve."""

    time_limit_s: float = Field(default=60.0, gt=0, allow_inf_nan=False)
    workers: int = Field(default=0, ge=0, le=WORKERS_MAX)
    seed: int = Field(default=0, ge=0, le=SEED_MAX)
    # Reproducible runs: a fixed search order and time limits in CP-SAT's deterministic time units.
    deterministic: bool = False


class Scenario(_Row):
    """A whole scenario folder after validation."""

    name: str
    start: str
    months: int = Field(ge=1)
    objective: ObjectiveOrder = ObjectiveOrder()
    max_cost_sek: int | None = Field(default=None, ge=0)
    at_total: int | None = Field(default=None, ge=0)
    placement_months: int | None = Field(default=None, ge=1)  # [placements] months; default `months`
    solver: SolverSettings = SolverSettings()
    # How the files were read, for the user (e.g. "contracts.csv is not UTF-8; read it as cp1252").
    notes: tuple[str, ...] = ()
    hospitals: tuple[Hospital, ...] = ()
    categories: tuple[Category, ...] = ()
    prices: tuple[PriceRow, ...] = ()
    own_volumes: tuple[OwnVolume, ...] = ()
    need: tuple[NeedRow, ...] = ()
    profile: tuple[ProfileRow, ...] = ()
    contracts: tuple[Contract, ...] = ()
    access: tuple[AccessRow, ...] = ()
    at: tuple[ATRow, ...] = ()
    at_rotations: tuple[ATRotation, ...] = ()
    st_trainees: tuple[Trainee, ...] = ()
    st_requirements: tuple[Requirement, ...] = ()
    st_capacity: tuple[CapacityRow, ...] = ()
    travel: tuple[TravelRow, ...] = ()
    st_fixed: tuple[FixedPlacement, ...] = ()
    capacity_loss: tuple[CapacityLossRow, ...] = ()  # format 1.1 addition: capacity_loss.csv
    catch_up: tuple[CatchUpRow, ...] = ()  # format 1.1 addition: catch_up.csv

    @property
    def horizon(self) -> Horizon:
        return Horizon(self.start, self.months)

    @property
    def placement_horizon(self) -> Horizon:
        """The months side-service placements are planned over: from `start`, [placements] months long."""
        return Horizon(self.start, self.placement_months or self.months)

    @property
    def has_volumes(self) -> bool:
        return bool(self.categories or self.need or self.own_volumes)

    @property
    def has_at(self) -> bool:
        return self.at_total is not None

    @property
    def has_placements(self) -> bool:
        return bool(self.st_trainees or self.st_capacity)
