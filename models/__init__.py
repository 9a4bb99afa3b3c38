"""Domain types: the scenario's tables and the plans made from them (no solver imports)."""

from leveransplan.models.derived import VolumeData, guarantee_limit, split
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.months import Horizon
from leveransplan.models.plan import StageResult, VolumeSolution
from leveransplan.models.scenario import (
    PRICE_CLASSES,
    VOLUME_OBJECTIVES,
    AccessRow,
    Category,
    Contract,
    Hospital,
    NeedRow,
    ObjectiveOrder,
    OwnVolume,
    PriceRow,
    ProfileRow,
    Scenario,
    SolverSettings,
)

__all__ = [
    "PRICE_CLASSES",
    "VOLUME_OBJECTIVES",
    "AccessRow",
    "Category",
    "Contract",
    "Decisions",
    "Horizon",
    "Hospital",
    "NeedRow",
    "ObjectiveOrder",
    "OwnVolume",
    "PriceRow",
    "ProfileRow",
    "Scenario",
    "SolverSettings",
    "StageResult",
    "TermValues",
    "VolumeData",
    "VolumeSolution",
    "guarantee_limit",
    "split",
]
