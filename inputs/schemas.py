"""The scenario's tables (spec section 1, with the format additions in docs/scenarios.md): each
file's columns, which are required, how each cell is read, and the keys that must be unique.

The loader (inputs/load.py) reads every table against its schema here, and the what-ifs
(inputs/whatif.py) name tables and columns by them.
"""

from __future__ import annotations

from typing import Any

from leveransplan.inputs import cells
from leveransplan.inputs.cells import CellParser
from leveransplan.inputs.tables import Column, TableSchema


def optional(name: str, parse: CellParser, default: Any = None) -> Column:
    """A column that may be left out, or left empty in a row."""
    return Column(name, parse, required=False, default=default)


HOSPITALS = TableSchema(
    "hospitals.csv",
    (Column("hospital", cells.code), Column("name", cells.code), optional("frame_sek", cells.whole_number)),
)
CATEGORIES = TableSchema(
    "categories.csv",
    (
        Column("category", cells.code),
        Column("area", cells.code),
        Column("kind", cells.code),
        Column("specialty", cells.code),
        Column("price_class", cells.code),
    ),
)
PRICES = TableSchema(
    "prices.csv",
    (
        Column("hospital", cells.code),
        Column("price_class", cells.code),
        Column("price_sek", cells.whole_number),
    ),
)
OWN_VOLUMES = TableSchema(
    "own_volumes.csv",
    (
        Column("hospital", cells.code),
        Column("category", cells.code),
        Column("base", cells.whole_number),
        Column("additional_max", cells.whole_number),
    ),
)
NEED = TableSchema(
    "need.csv",
    (
        Column("hospital", cells.code),
        Column("category", cells.code),
        Column("waiting", cells.whole_number),
        Column("inflow", cells.whole_number),
    ),
)
PROFILE = TableSchema(
    "profile.csv",
    (Column("hospital", cells.code), Column("month", cells.month), Column("factor", cells.factor)),
)
CONTRACTS = TableSchema(
    "contracts.csv",
    (
        Column("contract", cells.code),
        Column("provider", cells.code),
        Column("category", cells.code),
        Column("volume_min", cells.whole_number),
        Column("volume_max", cells.whole_number),
        Column("price_sek", cells.whole_number),
        optional("first_month", cells.month),
        optional("last_month", cells.month),
        optional("monthly_max", cells.whole_number),
        optional("out_of_region", cells.boolean, False),
    ),
)
# A format 1.1 addition (docs/scenarios.md): contracts the plan may procure, one category per row.
CANDIDATE_CONTRACTS = TableSchema(
    "candidate_contracts.csv",
    (
        Column("contract", cells.code),
        Column("provider", cells.code),
        Column("category", cells.code),
        Column("price_sek", cells.whole_number),
        optional("first_month", cells.month),
        optional("last_month", cells.month),
        optional("monthly_max", cells.whole_number),
        optional("volume_max", cells.whole_number),
        optional("out_of_region", cells.boolean, False),
    ),
)
ACCESS = TableSchema(
    "access.csv",
    (
        Column("hospital", cells.code),
        Column("provider", cells.code),
        Column("travel_minutes", cells.whole_number),
        optional("allowed", cells.boolean, True),
    ),
)
AT = TableSchema(
    "at.csv",
    (
        Column("hospital", cells.code),
        Column("min", cells.whole_number),
        Column("max", cells.whole_number),
        Column("weight", cells.whole_number),
        optional("previous", cells.whole_number),
    ),
)
AT_ROTATIONS = TableSchema(
    "at_rotations.csv",
    (
        Column("hospital", cells.code),
        Column("area", cells.code),
        Column("months", cells.whole_number),
        Column("capacity_months", cells.whole_number),
    ),
)
ST_TRAINEES = TableSchema(
    "st_trainees.csv",
    (
        Column("trainee", cells.code),
        Column("home_area", cells.code),
        Column("earliest_start", cells.month),
        Column("deadline", cells.month),
        optional("unavailable", cells.month_list, ()),
    ),
)
ST_REQUIREMENTS = TableSchema(
    "st_requirements.csv",
    (Column("trainee", cells.code), Column("specialty", cells.code), Column("months", cells.whole_number)),
)
ST_CAPACITY = TableSchema(
    "st_capacity.csv",
    (
        Column("hospital", cells.code),
        Column("specialty", cells.code),
        Column("year", cells.whole_number),
        Column("places", cells.whole_number),
        optional("concurrent_max", cells.whole_number),
        # A format 1.1 addition (docs/scenarios.md): the most places the department can offer.
        optional("max_places", cells.whole_number),
    ),
)
TRAVEL = TableSchema(
    "travel.csv",
    (Column("home_area", cells.code), Column("hospital", cells.code), Column("minutes", cells.whole_number)),
)
ST_FIXED = TableSchema(
    "st_fixed.csv",
    (
        Column("trainee", cells.code),
        Column("specialty", cells.code),
        Column("hospital", cells.code),
        Column("start", cells.month),
    ),
)
# Format 1.1 additions of the tool's own (docs/scenarios.md): capacity lost during a go-live, and
# the catch-up capacity a hospital can add for its own patients.
CAPACITY_LOSS = TableSchema(
    "capacity_loss.csv",
    (
        Column("hospital", cells.code),
        optional("category", cells.code),
        Column("first_month", cells.month),
        Column("last_month", cells.month),
        Column("factor", cells.factor),
    ),
)
CATCH_UP = TableSchema(
    "catch_up.csv",
    (
        Column("hospital", cells.code),
        optional("category", cells.code),
        Column("first_month", cells.month),
        Column("last_month", cells.month),
        Column("units_per_month", cells.whole_number),
        Column("price_sek", cells.whole_number),
    ),
)
# A format 1.1 addition (docs/scenarios.md): how the year may differ from the forecast, for
# `leveransplan risk` and `solve --robust`. Which keys a row takes depends on its kind
# (models.scenario.UNCERTAINTY_KEYS), and so does its value's range: the loader's rules check both.
UNCERTAINTY = TableSchema(
    "uncertainty.csv",
    (
        Column("kind", cells.code),
        optional("hospital", cells.code),
        optional("category", cells.code),
        optional("contract", cells.code),
        optional("month", cells.month),
        Column("value", cells.decimal),
    ),
)
VOLUME_TABLES = (
    HOSPITALS,
    CATEGORIES,
    PRICES,
    OWN_VOLUMES,
    NEED,
    PROFILE,
    CONTRACTS,
    ACCESS,
    CANDIDATE_CONTRACTS,
    CAPACITY_LOSS,
    CATCH_UP,
    UNCERTAINTY,
)
TRAINING_TABLES = (AT, AT_ROTATIONS, ST_TRAINEES, ST_REQUIREMENTS, ST_CAPACITY, TRAVEL, ST_FIXED)
ALL_TABLES = VOLUME_TABLES + TRAINING_TABLES
REQUIRED_FOR_VOLUMES = ("hospitals.csv", "categories.csv", "prices.csv", "own_volumes.csv", "need.csv")
REQUIRED_FOR_PLACEMENTS = ("st_trainees.csv", "st_requirements.csv", "st_capacity.csv", "travel.csv")
VOLUME_ONLY = (
    "categories.csv",
    "prices.csv",
    "own_volumes.csv",
    "need.csv",
    "profile.csv",
    "contracts.csv",
    "access.csv",
    "candidate_contracts.csv",
    "capacity_loss.csv",
    "catch_up.csv",
    "uncertainty.csv",
)
PLACEMENT_TABLES = (*REQUIRED_FOR_PLACEMENTS, "st_fixed.csv")
