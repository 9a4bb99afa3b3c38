"""Domain types: the scenario's tables and the plans made from them (no solver imports)."""

from models.derived import VolumeData, guarantee_limit, split
from models.months import Horizon
from models.plan import StageResult, VolumePlan
from models.scenario import (
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
    "VolumeData",
    "VolumePlan",
    "guarantee_limit",
    "split",
]
