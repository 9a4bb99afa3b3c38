"""The dive from the LP to a whole plan (optimizer/volumes/rounding.py, dived).

Over the property test's generated scenarios, and over the generator's scale 1 (where the LP
mixes several categories after a few rounds): the equity and cost stages by columns, then the
travel stage with cost and equity held, its column generation stopped after `rounds` rounds
(so that its LP is still mixed), then the dive from that LP. Its plan is one network flow per category, so it
obeys every rule of a category (the independent plan checker) and keeps each category's
over_guarantee optimum; the value it reports is the plan's travel, and it says that the plan
obeys the linking rules exactly when the plan's cost is within the held cost and its equity
within the equity held (checked here from the plan itself, in whole numbers). A dive that fixed
every category obeys them; one that stopped names the categories it left free.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from helpers.columns import travel_after_cost
from helpers.generated import PROPERTY, generated_region, scenarios, without_money
from helpers.plans import checker_violations
from leveransplan.models import Scenario, VolumeData
from leveransplan.models.evaluation import TermValues
from leveransplan.optimizer.volumes import rounding
from leveransplan.optimizer.volumes.columns import by_columns
from leveransplan.optimizer.volumes.decomposition import ColumnsResult
from leveransplan.optimizer.volumes.pricing import network_pricer


def _dive_after(scenario: Scenario, rounds: int) -> tuple[ColumnsResult, list[str]] | None:
    """The dive from the travel LP after `rounds` rounds, checked as the module says; returns
    the dive and the categories the LP mixed, or None when no hospital has inflow (nothing to
    decompose)."""
    data = VolumeData.from_scenario(scenario)
    stage = travel_after_cost(data)
    if stage is None:
        return None
    equity, cost, flows, linking = stage
    before = TermValues(data, cost.decisions)
    categories = list(data.categories)
    travel = by_columns(data, flows, categories, cost.decisions, linking, lambda: 10.0, max_rounds=rounds)
    assert travel is not None and travel.problem is not None
    problem = travel.problem
    rounded = rounding.rounded_mix(problem, travel.shares, travel.bound, travel.rounds)
    with network_pricer(flows, categories, workers=1) as pricer:
        dive = rounding.dived(problem, rounded, pricer, 10.0)
    assert dive is not None
    plan = TermValues(data, dive.decisions)
    assert checker_violations()(scenario, dive.decisions) == []
    for k in categories:
        assert plan.term("over_guarantee", [k]) == before.term("over_guarantee", [k]), k
    assert dive.value == plan.term("travel")
    within = plan.term("cost") <= cost.value and plan.equity() <= equity.value
    assert dive.obeys_linking == within
    assert set(dive.mixed) <= set(categories)
    if not dive.mixed:
        assert dive.obeys_linking
    if dive.obeys_linking:
        assert travel.bound <= dive.value
    return dive, rounded.mixed


@PROPERTY
@given(scenarios(), st.integers(1, 3))
def test_a_dive_gives_a_plan_within_every_rule(scenario: Scenario, rounds: int) -> None:
    scenario = without_money(scenario)
    # None: no hospital has inflow, so there is nothing to decompose and nothing was checked.
    assume(_dive_after(scenario, rounds) is not None)


@pytest.mark.parametrize(("seed", "rounds"), [(0, 2), (1, 3), (2, 4)])
def test_a_dive_on_a_generated_region(tmp_path: Path, seed: int, rounds: int) -> None:
    # Scale 1 (5 hospitals, about 50 categories): after a few rounds the travel LP mixes
    # columns in several categories, so the dive has categories to fix.
    scenario = generated_region(tmp_path, seed).model_copy(update={"max_cost_sek": None})
    found = _dive_after(scenario, rounds)
    assert found is not None
    _dive, mixed = found
    # The LP mixed some categories: the dive had categories to fix (on seed 0 it fixed all 4 and
    # its plan obeyed every linking rule; on seed 1 it left one free).
    assert mixed
