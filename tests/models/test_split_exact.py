"""split in integer arithmetic (models/derived.py) returns exactly what spec section 2's rule returns.

The rule: q_m = floor(A*W_m/W) - floor(A*W_(m-1)/W) with W_m = w_1+...+w_m and W = W_H, in exact
rational arithmetic; every part is 0 when W = 0. `reference_split` below is that formula written
with Fraction, step by step; split must agree with it for any total and weights.

The VolumeData built with it keeps I_h per hospital, and the volume driver counts building it as
part of its time limit (the last two tests).
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import leveransplan.optimizer.volumes.driver as volume_driver
from helpers import EXAMPLE1
from leveransplan.inputs import load_scenario
from leveransplan.models.derived import CumulativeSplit, VolumeData, split
from leveransplan.models.scenario import Scenario
from leveransplan.optimizer.search import SearchRun


def reference_split(total: int, weights: list[Fraction | Decimal | int]) -> list[int]:
    """Spec section 2 as written, in Fraction arithmetic."""
    exact = [Fraction(w) for w in weights]
    whole = sum(exact, Fraction(0))
    if whole == 0:
        return [0] * len(exact)
    cumulative = [sum(exact[: m + 1], Fraction(0)) for m in range(len(exact))]
    floors = [0] + [math.floor(total * running / whole) for running in cumulative]
    return [floors[m + 1] - floors[m] for m in range(len(exact))]


def test_example1_base_of_a_over_its_profile():
    # Example 1: A's base 5 over [1, 0.5]. W = 1.5; floor(5*1/1.5) = floor(3.33) = 3;
    # floor(5*1.5/1.5) = 5, so 5 - 3 = 2.
    assert split(5, [1, Decimal("0.5")]) == [3, 2]


def test_example1_additional_of_b():
    # Example 1: B's additional 3 over [1, 1]. W = 2; floor(3*1/2) = 1; floor(3*2/2) - 1 = 2.
    assert split(3, [1, 1]) == [1, 2]


def test_example1_inflow_of_a():
    # Example 1: A's inflow 4 over [1, 1]. W = 2; floor(4*1/2) = 2; floor(4*2/2) - 2 = 2.
    assert split(4, [1, 1]) == [2, 2]


def test_weights_with_different_denominators_share_one_scale():
    # [0.25, 0.5, 1] times 4 (the common denominator) is [1, 2, 4]: W = 7, W_m = 1, 3, 7.
    # Floors of 7*W_m/7: 1, 3, 7; parts 1, 2, 4.
    assert split(7, [Decimal("0.25"), Decimal("0.5"), 1]) == [1, 2, 4]
    # A Fraction and a Decimal together: [1/3, 0.5] times 6 is [2, 3]; W = 5, W_m = 2, 5.
    # floor(10*2/5) = 4, floor(10*5/5) = 10: parts 4, 6.
    assert split(10, [Fraction(1, 3), Decimal("0.5")]) == [4, 6]


def test_a_weight_with_twenty_decimals_is_not_rounded_away():
    # W = 1 + 10^-20. Month 1: floor(10^20 * 10^-20 / (1 + 10^-20)) = floor(1 / (1 + 10^-20)) = 0,
    # so month 2 gets all 10^20. (In floats 1 + 1e-20 == 1, and month 1 would get 1.)
    assert split(10**20, [Decimal("1E-20"), 1]) == [0, 10**20]


def test_all_zero_weights_give_all_zero_parts():
    # W = 0: every part is 0, whatever the total and however the zeros are written.
    assert split(9, [Decimal("0.00"), Fraction(0), 0]) == [0, 0, 0]
    assert CumulativeSplit([]).parts(5) == []


def test_one_split_serves_many_totals():
    # Weights [1, 2] (W = 3), brought to integers once. Total 3: floors 1, 3 -> [1, 2];
    # total 4: floor(4/3) = 1, 4 -> [1, 3]; total 0: [0, 0].
    months = CumulativeSplit([1, 2])
    assert [months.parts(total) for total in (3, 4, 0)] == [[1, 2], [1, 3], [0, 0]]


def _decimal(mantissa: int, places: int) -> Decimal:
    return Decimal(mantissa).scaleb(-places)


decimal_weights = st.builds(
    _decimal, st.integers(min_value=0, max_value=10**22), st.integers(min_value=0, max_value=20)
)
mixed_weights = st.one_of(
    decimal_weights,
    st.integers(min_value=0, max_value=50),
    st.fractions(min_value=0, max_value=50, max_denominator=10**6),
)
weight_lists = st.one_of(
    st.lists(decimal_weights, min_size=1, max_size=24),
    st.lists(mixed_weights, min_size=1, max_size=24),
    st.lists(st.sampled_from([0, Decimal("0"), Decimal("0E-20"), Fraction(0)]), min_size=1, max_size=24),
)
totals = st.integers(min_value=0, max_value=10**15)


@settings(deadline=None, derandomize=True, database=None, max_examples=1000)
@given(total=totals, weights=weight_lists)
def test_split_equals_the_spec_formula_in_fractions(total, weights):
    assert split(total, weights) == reference_split(total, weights)


@settings(deadline=None, derandomize=True, database=None, max_examples=300)
@given(totals=st.lists(totals, min_size=1, max_size=5), weights=weight_lists)
def test_a_kept_split_equals_the_spec_formula_for_every_total(totals, weights):
    # VolumeData keeps one CumulativeSplit per hospital profile and splits many totals with it.
    months = CumulativeSplit(weights)
    for total in totals:
        assert months.parts(total) == reference_split(total, weights)


def test_hospital_inflow_is_each_hospitals_inflow_over_its_categories():
    # Example 1: A's need row has inflow 4 (its only category); B has no need row, so I_B = 0;
    # a code that is no hospital of the scenario has none either.
    data = VolumeData.from_scenario(load_scenario(EXAMPLE1))
    assert [data.hospital_inflow(h) for h in ("A", "B", "Z")] == [4, 0, 0]


class _TickingRun(SearchRun):
    """A run whose clock moves one second each time it is read, so the order of readings shows."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks = 0

    def now(self) -> float:
        self.ticks += 1
        return float(self.ticks)


def test_the_volume_driver_starts_its_clock_before_building_its_data(monkeypatch: pytest.MonkeyPatch):
    # The time limit covers building VolumeData and the networks (seconds at scale 20), so the
    # driver reads its starting time before VolumeData.from_scenario reads the clock.
    run = _TickingRun()
    built_at: list[float] = []

    class _RecordingData:
        @staticmethod
        def from_scenario(scenario: Scenario) -> VolumeData:
            built_at.append(run.now())
            return VolumeData.from_scenario(scenario)

    monkeypatch.setattr(volume_driver, "current_run", lambda: run)
    monkeypatch.setattr(volume_driver, "VolumeData", _RecordingData)
    driver = volume_driver.LexicographicVolumes(load_scenario(EXAMPLE1))
    assert len(built_at) == 1
    assert driver.state.time.started < built_at[0]
