"""The checker's rules for a robust plan (solve --robust): no stages, and its money within the cap,
the cap within the forecast plan's cost and the budget. Example 1's optimal plan (cost 390),
written by hand in tests/helpers/plans.py, marked robust."""

from __future__ import annotations

from pathlib import Path

from helpers import EXAMPLE1
from helpers.plans import check, one_violation, optimal_plan, volumes
from leveransplan.inputs import load_scenario


def robust(cap: int, forecast_cost: int) -> dict:  # type: ignore[type-arg]
    plan = optimal_plan()
    volumes(plan)["stages"] = []
    volumes(plan)["robust"] = {
        "samples": 30,
        "seed": 0,
        "money_cap_sek": cap,
        "forecast_over_guarantee": 0,
        "forecast_cost_sek": forecast_cost,
        "price_per_msek": 0.0,
    }
    return plan


def test_a_robust_plan_within_its_money_passes(tmp_path: Path) -> None:
    assert check(load_scenario(EXAMPLE1), tmp_path, robust(cap=390, forecast_cost=400)) == []


def test_a_robust_plan_above_its_money_is_reported(tmp_path: Path) -> None:
    violations = check(load_scenario(EXAMPLE1), tmp_path, robust(cap=389, forecast_cost=389))
    one_violation(violations, "volumes.robust", "390", "above its money_cap_sek 389")


def test_a_cap_above_the_forecast_plan_or_the_budget_is_reported(tmp_path: Path) -> None:
    violations = check(load_scenario(EXAMPLE1), tmp_path, robust(cap=500, forecast_cost=450))
    one_violation(violations, "money_cap_sek 500", "(450)")
    budget = load_scenario(EXAMPLE1).model_copy(update={"max_cost_sek": 420})
    violations = check(budget, tmp_path / "budget", robust(cap=430, forecast_cost=450))
    one_violation(violations, "money_cap_sek 430", "(420)")


def test_a_robust_plan_has_no_stages(tmp_path: Path) -> None:
    plan = robust(cap=390, forecast_cost=390)
    volumes(plan)["stages"] = optimal_plan()["summary.json"]["volumes"]["stages"]
    violations = check(load_scenario(EXAMPLE1), tmp_path, plan)
    one_violation(violations, "no lexicographic optimum", "3 are written")
