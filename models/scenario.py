"""The scenario: settings from scenario.toml, the volume and the training tables, as pydantic types.

Validation of files (with file, row and column in each message) happens in `inputs/`; these
types hold data that has already passed it, so they only guard what a programmer can get wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from leveransplan.models.months import Horizon

PRICE_CLASSES = ("besok", "behandling", "skopi")
VOLUME_OBJECTIVES = ("over_guarantee", "equity", "out_of_region", "cost", "travel", "stability")
# Every volume term an order may name: the spec's, and `procured` (units referred to candidate
# contracts, docs/scenarios.md), which is in the order only when named or when candidates are given.
VOLUME_TERMS = (*VOLUME_OBJECTIVES, "procured")
PLACEMENT_OBJECTIVES = ("unplaced", "travel", "stability")
AT_OBJECTIVES = ("deviation", "stability")
# The care guarantee's own terms, procurement (the last means before patients leave the region)
# with them: a re-plan keeps them first and then changes as little as it can.
GUARANTEE_TERMS = {
    "volumes": ("over_guarantee", "equity", "out_of_region", "procured"),
    "placements": ("unplaced",),
}

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
    # A candidate contract (candidate_contracts.csv): not bought yet, so volume_min is 0 and
    # every unit referred to it counts in the `procured` term.
    candidate: bool = False


def order_with_procurement(volumes: tuple[str, ...]) -> tuple[str, ...]:
    """The volume order with `procured` where a scenario with candidate contracts wants it.

    Right after out_of_region: the region's own capacity and its existing contracts are used
    before anything is procured (later terms, cost among them, cannot trade against it), and
    procuring beats sending patients out of the region. An order without out_of_region takes it
    before the first of the terms the spec puts after out_of_region; an order naming it keeps it.
    """
    if "procured" in volumes:
        return volumes
    if "out_of_region" in volumes:
        at = volumes.index("out_of_region") + 1
    else:
        later = [i for i, term in enumerate(volumes) if term in ("cost", "travel", "stability")]
        at = later[0] if later else len(volumes)
    return (*volumes[:at], "procured", *volumes[at:])


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


UncertaintyKind = Literal[
    "inflow_cv", "inflow_swing", "season", "shortfall_chance", "shortfall_depth", "reliability"
]
# Which keys each kind of uncertainty.csv row may give (the others stay empty); an empty key means
# every hospital, category, contract or month.
UNCERTAINTY_KEYS: dict[str, tuple[str, ...]] = {
    "inflow_cv": ("hospital", "category"),
    "inflow_swing": ("hospital", "category"),
    "season": ("hospital", "category", "month"),
    "shortfall_chance": ("hospital", "month"),
    "shortfall_depth": ("hospital", "month"),
    "reliability": ("contract",),
}
# What a future looks like where uncertainty.csv says nothing (docs/risk.md explains each figure).
UNCERTAINTY_DEFAULTS: dict[str, Decimal] = {
    "inflow_cv": Decimal("0.10"),
    "season": Decimal(1),
    "shortfall_chance": Decimal("0.10"),
    "shortfall_depth": Decimal("0.20"),
    "reliability": Decimal("0.95"),
}


class UncertaintyRow(_Row):
    """How the year may differ from the forecast (a format 1.1 addition, uncertainty.csv).

    inflow_cv: the coefficient of variation of a hospital's and category's inflow over the horizon
    (gamma-distributed around the forecast); inflow_swing: instead, the inflow is (1 - value) or
    (1 + value) times the forecast, equally likely; season: a month's inflow relative to an
    average month; shortfall_chance and shortfall_depth: the chance that a hospital's production
    falls short in a month, and the share it then loses; reliability: the chance that a contract's
    provider delivers a month's planned referrals (else none that month).
    """

    kind: UncertaintyKind
    hospital: str | None = None
    category: str | None = None
    contract: str | None = None
    month: str | None = None
    value: Decimal = Field(ge=0)


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
    # The most placements the department can take starting in the year (a format 1.1 addition).
    max_places: int | None = Field(default=None, ge=0)


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
    """Lexicographic order of each model's objective terms, most important first.

    Which models' orders were given (in scenario.toml or by --objective) is pydantic's
    `model_fields_set`: the others take the defaults, or in a re-plan the re-plan order.
    """

    volumes: tuple[str, ...] = VOLUME_OBJECTIVES
    placements: tuple[str, ...] = PLACEMENT_OBJECTIVES
    at: tuple[str, ...] = AT_OBJECTIVES

    def replanning(self) -> ObjectiveOrder:
        """The order a re-plan (a solve with a previous plan) runs: for each model whose order was
        not given, stability right after the care guarantee's terms, so that a re-plan changes
        as little as the guarantee allows before it saves money or travel."""
        orders: dict[str, tuple[str, ...]] = {}
        for model, guarantee in GUARANTEE_TERMS.items():
            order: tuple[str, ...] = getattr(self, model)
            if model not in self.model_fields_set and "stability" in order:
                orders[model] = stability_after(order, guarantee)
        if not orders:
            return self
        return self._derived(orders)

    def with_procurement(self) -> ObjectiveOrder:
        """The order of a scenario with candidate contracts: `procured` in the volume order where
        order_with_procurement puts it."""
        return self._derived({"volumes": order_with_procurement(self.volumes)})

    def _derived(self, orders: dict[str, tuple[str, ...]]) -> ObjectiveOrder:
        # An order the tool derives is not a given one: the orders given stay the only ones
        # marked given, so a later rule (the re-plan's) still applies where the scenario is silent.
        return ObjectiveOrder.model_construct(
            _fields_set=set(self.model_fields_set), **{**dict(self), **orders}
        )

    def sources(
        self, replanning: bool, models: Sequence[str] = ("volumes", "placements", "at")
    ) -> dict[str, str]:
        """Where each of `models`' order came from: "given" (scenario.toml or --objective),
        "re-plan" (stability moved up because a previous plan was given) or "default" (spec
        section 1)."""
        return {
            model: "given"
            if model in self.model_fields_set
            else "re-plan"
            if replanning and model in GUARANTEE_TERMS
            else "default"
            for model in models
        }


def stability_after(order: tuple[str, ...], guarantee: tuple[str, ...]) -> tuple[str, ...]:
    """`order` with stability moved right after the last of `guarantee`'s terms it holds (first
    when it holds none); the other terms keep their order."""
    rest = [term for term in order if term != "stability"]
    last = max((rest.index(term) for term in guarantee if term in rest), default=-1)
    return (*rest[: last + 1], "stability", *rest[last + 1 :])


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
    # scenario.toml's `illustrative`: which figures are invented, for every page and sheet of a plan.
    illustrative: str | None = None
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
    # contracts.csv's rows, then candidate_contracts.csv's (each with `candidate` set).
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
    uncertainty: tuple[UncertaintyRow, ...] = ()  # format 1.1 addition: uncertainty.csv

    @property
    def horizon(self) -> Horizon:
        return Horizon(self.start, self.months)

    def replanning(self) -> Scenario:
        """This scenario as a re-plan solves it: the orders it leaves open put stability right
        after the care guarantee's terms (ObjectiveOrder.replanning)."""
        return self.model_copy(update={"objective": self.objective.replanning()})

    @property
    def placement_horizon(self) -> Horizon:
        """The months side-service placements are planned over: from `start`, [placements] months long."""
        return Horizon(self.start, self.placement_months or self.months)

    @property
    def has_candidates(self) -> bool:
        """Whether the scenario offers candidate contracts the plan may procure."""
        return any(c.candidate for c in self.contracts)

    @property
    def has_volumes(self) -> bool:
        return bool(self.categories or self.need or self.own_volumes)

    @property
    def has_at(self) -> bool:
        return self.at_total is not None

    @property
    def has_placements(self) -> bool:
        return bool(self.st_trainees or self.st_capacity)
