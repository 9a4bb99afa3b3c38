"""Scenarios whose uncertainty is stated row by row, for the risk and robust tests."""

from __future__ import annotations

from decimal import Decimal

from helpers.volumes import build, contract
from leveransplan.models.scenario import Scenario, UncertaintyRow


def uncertainty_rows(*rows: tuple[str, dict[str, str], str]) -> tuple[UncertaintyRow, ...]:
    return tuple(UncertaintyRow(kind=kind, value=Decimal(value), **keys) for kind, keys, value in rows)  # type: ignore[arg-type]


def fragile_referrals() -> Scenario:
    """Hospital A: 150 waiting, inflow 100 (50 a month, L = 150), no capacity of its own. 50 a month
    keep it at the limit: from contract X (price 100, no travel) or from hospital B's additional
    capacity (price 100, 60 minutes away). X cancels a month with chance 1/2; B never falls short."""
    scenario = build(
        order=["over_guarantee", "cost", "travel"],
        months=2,
        hospitals=("A", "B"),
        own={("B", "k"): (0, 100)},
        need={("A", "k"): (150, 100)},
        contracts=[contract("X1", price=100, volume_max=100, monthly_max=50)],
        access={("A", "B"): (60, True), ("A", "X"): (0, True)},
    )
    return scenario.model_copy(
        update={
            "uncertainty": uncertainty_rows(
                ("inflow_cv", {}, "0"),
                ("shortfall_chance", {}, "0"),
                ("reliability", {"contract": "X1"}, "0.5"),
            )
        }
    )
