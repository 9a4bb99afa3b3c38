"""The risk of a plan's breaking the guarantee, derived by hand on tiny scenarios, and sampling
converging to it."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.risk import fragile_referrals, uncertainty_rows
from helpers.volumes import build
from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.risk import (
    PlanArrays,
    forecast_future,
    play,
    play_chunk,
    sample_outcomes,
    summarise,
)
from leveransplan.models.scenario import Scenario
from leveransplan.models.uncertainty import SWING, Futures, UncertaintyModel, cumulative_split


def two_month_swing() -> tuple[Scenario, Decisions]:
    """One hospital, two months: 200 waiting, inflow 100 (50 a month), base 60 a month used in full.

    L = floor(3 * 100 / 2) = 150. The inflow swings 20 % either way, equally likely, and nothing
    else varies (no shortfalls).
    """
    scenario = build(
        order=["over_guarantee"], months=2, own={("A", "k"): (120, 0)}, need={("A", "k"): (200, 100)}
    )
    scenario = scenario.model_copy(
        update={"uncertainty": uncertainty_rows(("inflow_swing", {}, "0.2"), ("shortfall_chance", {}, "0"))}
    )
    plan = Decisions(base_used={("A", "k", 1): 60, ("A", "k", 2): 60})
    return scenario, plan


def test_two_point_inflow_risk_by_hand() -> None:
    # Forecast: w1 = 200 + 50 - 60 = 190 (40 beyond L = 150), w2 = 180 (30): 70 planned, 30 at the end.
    # Low future (inflow 80: 40 + 40): w1 = 180 (30), w2 = 160 (10): 40, end 10.
    # High future (inflow 120: 60 + 60): w1 = 200 (50), w2 = 200 (50): 100, end 50.
    scenario, decisions = two_month_swing()
    data = VolumeData.from_scenario(scenario)
    plan = PlanArrays.of(data, decisions)
    planned = play(plan, forecast_future(data))
    assert planned.over.tolist() == [[[40, 30]]]
    futures = Futures(
        inflow=np.array([[[40, 40]], [[60, 60]]]),
        production=np.ones((2, 1, 2)),
        delivered=np.ones((2, 0, 2)),
    )
    outcome = play(plan, futures)
    assert outcome.patient_months.tolist() == [[40], [100]]
    summary = summarise(data.hospitals, outcome, planned)
    region = summary.area("region")
    # Mean (40 + 100) / 2; the median is the smallest value with half the futures at or below it;
    # P90 and P99 the high future; the year ends worse than planned (30) in the high future only.
    assert (region.planned, region.mean, region.p50, region.p90, region.p99) == (70, 70.0, 40, 100, 100)
    assert region.chance_end_above_plan == 0.5
    assert [r.excess for r in summary.months if r.area == "region"] == [0.0, 0.0]


def test_sampling_converges_to_the_two_point_risk() -> None:
    scenario, decisions = two_month_swing()
    data = VolumeData.from_scenario(scenario)
    model = UncertaintyModel.of(data)
    assert model.inflow_family.tolist() == [SWING]
    plan = PlanArrays.of(data, decisions)
    outcome = sample_outcomes(data, plan, model, 4000, seed=7, stream=0)
    totals = outcome.patient_months[:, 0]
    assert set(totals.tolist()) == {40, 100}  # only the two futures derived by hand
    # The mean's standard error is 30 / sqrt(4000) = 0.47: 4 is more than eight of them.
    assert abs(totals.mean() - 70) < 4
    summary = summarise(data.hospitals, outcome, play(plan, forecast_future(data)))
    assert abs(summary.area("A").chance_end_above_plan - 0.5) < 0.03


def test_cancelled_months_by_hand() -> None:
    # All 100 referred to X: each month delivered (50) or cancelled (0) with chance 1/2.
    # (deliver, deliver): 0; (cancel, deliver): w1 = 200, w2 = 200: 50 + 50 = 100;
    # (deliver, cancel): w1 = 150, w2 = 200: 50; (cancel, cancel): w1 = 200, w2 = 250: 50 + 100 = 150.
    data = VolumeData.from_scenario(fragile_referrals())
    plan = PlanArrays.of(data, Decisions(referrals={("A", "X1", 1): 50, ("A", "X1", 2): 50}))
    cases = np.array([[[1, 1]], [[0, 1]], [[1, 0]], [[0, 0]]], dtype=float)
    futures = Futures(np.full((4, 1, 2), 50), np.ones((4, 2, 2)), cases)
    outcome = play(plan, futures)
    assert outcome.patient_months[:, 0].tolist() == [0, 100, 50, 150]
    # The region pays for referrals made only: 100, 50, 50 and 0 units at 100 SEK.
    assert outcome.paid.tolist() == [10_000, 5_000, 5_000, 0]
    sampled = sample_outcomes(data, plan, UncertaintyModel.of(data), 4000, seed=1, stream=0)
    assert abs(sampled.patient_months[:, 0].mean() - 75) < 4  # (0 + 100 + 50 + 150) / 4


@pytest.mark.parametrize("seed", [0, 5])
def test_the_forecast_future_gives_the_plans_own_figures(seed: int) -> None:
    # With no variation at all every sampled future is the forecast: the same waiting lists the
    # spec's evaluation gives, and the plan's cost, whatever the seed.
    scenario, decisions = two_month_swing()
    scenario = scenario.model_copy(
        update={"uncertainty": uncertainty_rows(("inflow_cv", {}, "0"), ("shortfall_chance", {}, "0"))}
    )
    data = VolumeData.from_scenario(scenario)
    plan = PlanArrays.of(data, decisions)
    outcome = sample_outcomes(data, plan, UncertaintyModel.of(data), 10, seed=seed, stream=0)
    values = TermValues(data, decisions)
    assert set(outcome.patient_months[:, 0].tolist()) == {values.over_guarantee()}
    assert set(outcome.paid.tolist()) == {values.term("cost")}


def test_the_same_seed_gives_the_same_futures_in_any_chunking() -> None:
    scenario, decisions = two_month_swing()
    data = VolumeData.from_scenario(scenario)
    plan, model = PlanArrays.of(data, decisions), UncertaintyModel.of(data)
    first = sample_outcomes(data, plan, model, 300, seed=3, stream=0)
    again = sample_outcomes(
        data,
        plan,
        model,
        300,
        seed=3,
        stream=0,
        mapper=lambda p, m, f, tasks: [play_chunk(p, m, f, size, child) for size, child in reversed(tasks)][
            ::-1
        ],
    )
    assert np.array_equal(first.over, again.over)
    other = sample_outcomes(data, plan, model, 300, seed=3, stream=1)
    assert not np.array_equal(first.over, other.over)  # the planning stream is another


def test_cumulative_split_is_the_spec_split() -> None:
    # split(10, 1, 2, 1): W = 4; floor(10*1/4) = 2, floor(10*3/4) = 7, 10: parts 2, 5, 3.
    parts = cumulative_split(np.array([[10]]), np.array([[1, 2, 1]]))
    assert parts.tolist() == [[[2, 5, 3]]]


def test_the_most_specific_row_wins() -> None:
    scenario = build(
        order=["over_guarantee"],
        hospitals=("A", "B"),
        categories=("k", "j"),
        need={("A", "k"): (0, 10), ("A", "j"): (0, 10), ("B", "k"): (0, 10)},
    )
    scenario = scenario.model_copy(
        update={
            "uncertainty": uncertainty_rows(
                ("inflow_cv", {"hospital": "A"}, "0.3"),
                ("inflow_cv", {"category": "k"}, "0.2"),
                ("inflow_cv", {"hospital": "A", "category": "k"}, "0.05"),
                ("shortfall_chance", {"month": "2026-01"}, "0.5"),
                ("shortfall_chance", {"hospital": "B"}, "0.25"),
            )
        }
    )
    data = VolumeData.from_scenario(scenario)
    model = UncertaintyModel.of(data)
    spread = dict(zip(data.pairs, model.inflow_spread.tolist(), strict=True))
    # (A, k): its own row; (A, j): A's row; (B, k): the category's row beats no hospital row.
    assert spread == {("A", "k"): 0.05, ("A", "j"): 0.3, ("B", "k"): 0.2}
    # A hospital's row beats a month's row: B 0.25; A takes the month's 0.5.
    assert model.chance.tolist() == [[0.5], [0.25]]
    assert model.depth.tolist() == [[0.2], [0.2]]  # the default depth
