"""Smoothed prices in the column generation (optimizer/volumes/columns.py, _Smoothing).

The rule by hand on two hospitals, then the travel stage (equity and cost held) by columns with
and without smoothing: every bound either proves is a bound (at most the other's plan when that
plan obeys the linking rules, and at most CP-SAT's optimum of the same stage on the small
generated scenarios), and on the generator's scale 1, where both run until no column enters,
both prove the same bound: the LP's optimum rounded up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given

from helpers.columns import CP_SAT, travel_after_cost
from helpers.generated import PROPERTY, generated_region, scenarios, without_money
from leveransplan.models import Scenario, VolumeData
from leveransplan.models.evaluation import TermValues
from leveransplan.optimizer.volumes import columns
from leveransplan.optimizer.volumes.columns import by_columns
from leveransplan.optimizer.volumes.decomposition import ColumnsResult, Linking
from leveransplan.optimizer.volumes.model import VolumeModel


@dataclass
class _Plan:
    over: np.ndarray
    values: dict[str, int] = field(default_factory=dict)


@dataclass
class _TwoHospitals:
    """What _Smoothing.adapt reads of a problem: two hospitals with caps 10 and 10, one category
    whose cheapest plan at the smoothed prices has X = (12, 8), and no held term."""

    linking: Linking = field(default_factory=lambda: Linking("travel", equity=1))
    inflow: np.ndarray = field(default_factory=lambda: np.array([1, 1]))
    counted: list[int] = field(default_factory=lambda: [0, 1])
    categories: list[str] = field(default_factory=lambda: ["k"])
    cheapest: dict[str, Any] = field(default_factory=lambda: {"k": _Plan(np.array([12, 8]))})

    def cap(self, i: int) -> int:
        return 10


def test_prices_between_the_best_bounds_and_the_lps() -> None:
    smoothing = columns._Smoothing()
    lp = (np.array([2.0, 0.0]), {"cost": 0.4})
    # No bound yet: the LP's prices as they are.
    assert smoothing.prices_between(lp) is lp
    smoothing.proved(5, (np.array([1.0, 1.0]), {"cost": 0.2}))
    # Weight 0.5 at the start: halfway, (1 + 2) / 2 = 1.5, (1 + 0) / 2 = 0.5, (0.2 + 0.4) / 2 = 0.3.
    hospital, term = smoothing.prices_between(lp)
    assert hospital.tolist() == [1.5, 0.5]
    assert term == {"cost": pytest.approx(0.3)}
    # Only a better bound moves the centre.
    smoothing.proved(4, lp)
    smoothing.proved(None, lp)
    assert smoothing.center is not None and smoothing.center[0].tolist() == [1.0, 1.0]
    smoothing.proved(6, lp)
    assert smoothing.center[0].tolist() == [2.0, 0.0]


def test_the_weight_follows_the_direction_the_bound_rises_in() -> None:
    problem: Any = _TwoHospitals()
    # X - cap = (2, -2), a subgradient of the bound. LP minus centre (1, -1): their product is
    # 2 + 2 = 4 > 0, the bound rises towards the LP's prices: weight 0.5 - 0.1 = 0.4.
    towards = columns._Smoothing()
    towards.proved(5, (np.array([1.0, 1.0]), {}))
    towards.adapt(problem, (np.array([2.0, 0.0]), {}))
    assert towards.weight == pytest.approx(0.4)
    # LP minus centre (-1, 1): product -4, away: weight 0.5 + (1 - 0.5) / 10 = 0.55.
    away = columns._Smoothing()
    away.proved(5, (np.array([1.0, 1.0]), {}))
    away.adapt(problem, (np.array([0.0, 2.0]), {}))
    assert away.weight == pytest.approx(0.55)


@contextmanager
def _unsmoothed() -> Iterator[None]:
    """No weight on the centre, ever: the LP's own prices every round."""
    start, most = columns._SMOOTHING_START, columns._SMOOTHING_MOST
    columns._SMOOTHING_START = columns._SMOOTHING_MOST = 0.0
    try:
        yield
    finally:
        columns._SMOOTHING_START, columns._SMOOTHING_MOST = start, most


def _travel_both_ways(
    scenario: Scenario,
) -> tuple[VolumeData, ColumnsResult, ColumnsResult, ColumnsResult, ColumnsResult] | None:
    """Equity and cost by columns, then travel with both held, smoothed and not: (data, equity,
    cost, smoothed travel, unsmoothed travel); None when no hospital has inflow."""
    data = VolumeData.from_scenario(scenario)
    stage = travel_after_cost(data)
    if stage is None:
        return None
    equity, cost, flows, linking = stage
    categories = list(data.categories)
    smoothed = by_columns(data, flows, categories, cost.decisions, linking, lambda: 30.0)
    with _unsmoothed():
        plain = by_columns(data, flows, categories, cost.decisions, linking, lambda: 30.0)
    assert smoothed is not None and plain is not None
    for one, other in [(smoothed, plain), (plain, smoothed)]:
        if other.obeys_linking:
            assert one.bound <= other.value
    return data, equity, cost, smoothed, plain


@PROPERTY
@given(scenarios())
def test_smoothed_bounds_are_bounds(scenario: Scenario) -> None:
    found = _travel_both_ways(without_money(scenario))
    assume(found is not None)  # None: no hospital has inflow, nothing to decompose
    data, equity, cost, smoothed, plain = found
    # CP-SAT's optimum of the same stage: every category's over_guarantee optimum, equity and
    # cost held over the whole plan.
    joint = VolumeModel(data, list(data.categories))
    plan = TermValues(data, cost.decisions)
    for k in data.categories:
        joint.hold("over_guarantee", plan.term("over_guarantee", [k]), [k])
    joint.hold_equity(equity.value, {})
    joint.hold("cost", cost.value)
    reference = joint.solve(joint.term("travel"), CP_SAT)
    assert reference.status == "OPTIMAL"
    assert smoothed.bound <= reference.bound and plain.bound <= reference.bound


@pytest.mark.parametrize("seed", [0, 1])
def test_smoothed_and_unsmoothed_prove_the_same_bound_on_a_region(tmp_path: Path, seed: int) -> None:
    # Both run until no column enters at the LP's own prices (a smoothed round that gives none
    # prices at the LP's prices before stopping), so both bounds are the LP's optimum rounded
    # up (whole weights at scale up to 10^9 lose far less than a travel-minute).
    scenario = generated_region(tmp_path, seed).model_copy(update={"max_cost_sek": None})
    found = _travel_both_ways(scenario)
    assert found is not None
    _data, _equity, _cost, smoothed, plain = found
    assert smoothed.bound == plain.bound
