"""How the volume driver (optimizer/volumes/driver.py) shares its time limit between its stages.

At scale 20 a stage has seconds of fixed work that no time limit shortens: every category's
network, evaluations, holds, and in the travel stage a routing after each search. The rules
pinned here keep the whole solve within its limit: a search leaves the routing that follows it
and its stage's fixed work; each later stage keeps a reserve of at least twice that fixed work;
a stage with too little time left is not searched at all (the plan so far stands); and the last
stage does not hold its value in the networks. On example 1 in deterministic mode (the run's
clock stands still outside CP-SAT, so the time left is the same at every call and the figures
are exact).
"""

from __future__ import annotations

import pytest

from helpers import EXAMPLE1
from leveransplan.inputs import load_scenario
from leveransplan.optimizer.search import search_run
from leveransplan.optimizer.volumes.driver import LexicographicVolumes, greedy_base_plan
from leveransplan.optimizer.volumes.holds import hold_in_networks


class _RecordedHold:
    """Stands in for a ColumnsResult: records the values it was asked to hold."""

    def __init__(self) -> None:
        self.held: list[int] = []

    def hold(self, value: int) -> int:
        self.held.append(value)
        return 0


@pytest.fixture
def driver() -> LexicographicVolumes:
    with search_run(deterministic=True):
        return LexicographicVolumes(load_scenario(EXAMPLE1))


def test_a_searchs_time_leaves_the_routing_that_follows_it(driver: LexicographicVolumes) -> None:
    # Example 1's limit is 20 s, and in deterministic mode none of it is spent before a search.
    assert driver.state.time.remaining() == pytest.approx(20.0)
    # By hand, from joint_time: with one stage left there is no reserve, so a search gets all
    # 20 s; a routing measured at 3 s comes off first (17 s); with three stages left, a reserve of
    # 4 s for each later stage (8 s, less than half of 17) leaves 9 s, more than a third of 17.
    assert driver.state.time.joint_time(1) == pytest.approx(20.0)
    driver.state.time.routing_seconds = 3.0
    assert driver.state.time.joint_time(1) == pytest.approx(17.0)
    assert driver.state.time.joint_time(3) == pytest.approx(9.0)


def test_the_last_stage_does_not_hold_its_value_in_the_networks(driver: LexicographicVolumes) -> None:
    recorded = _RecordedHold()
    hold_in_networks(recorded, 1234, stages_left=1)  # type: ignore[arg-type]
    assert recorded.held == []
    hold_in_networks(recorded, 1234, stages_left=2)  # type: ignore[arg-type]
    assert recorded.held == [1234]


def test_the_travel_stages_routing_is_timed_and_forgotten_at_the_next_stage() -> None:
    # On the wall clock (not deterministic): a routing takes some time, however little.
    driver = LexicographicVolumes(load_scenario(EXAMPLE1))
    plan = greedy_base_plan(driver.data)
    driver.routing.routed(plan, "cost")  # only the travel stage routes
    assert driver.state.time.routing_seconds == 0.0
    driver.routing.routed(plan, "travel")
    assert driver.state.time.routing_seconds > 0.0
    # Each stage starts with none: example 1's stages route nothing (no category is coupled),
    # so what was measured before is forgotten by the end rather than kept.
    driver.state.time.routing_seconds = 5.0
    driver.run()
    assert driver.state.time.routing_seconds == 0.0


def test_the_fixed_work_of_a_stage_is_kept_from_the_searches(driver: LexicographicVolumes) -> None:
    # By hand, from joint_time with a stage's fixed work measured at 3 s (stage_floor_s): the
    # search of this stage leaves it (20 - 3 = 17 s with one stage left); with three stages left
    # each later one keeps max(4, 2 x 3) = 6 s, 12 s, capped at half of 17 (8.5 s): 8.5 s.
    driver.state.time.stage_floor_s = 3.0
    assert driver.state.time.joint_time(1) == pytest.approx(17.0)
    assert driver.state.time.joint_time(3) == pytest.approx(8.5)


def test_a_stage_with_no_time_left_keeps_the_plan_so_far(monkeypatch: pytest.MonkeyPatch) -> None:
    # With no time left from the start, no stage is searched: example 1's starting plan stands,
    # the analyst's pro-rata plan (models/pro_rata.py). c1's 3 units are planned 1 in 2026-01 and
    # 2 in 2026-02 (its monthly_max allows both). A: w1 = 10 + 2 - 3 - 1 = 8 (2 over L = 6),
    # w2 = 8 + 2 - 2 - 2 = 6: over_guarantee 2; cost 3 x 120 = 360; travel 3 x 30 = 90. Each
    # stage keeps that value with the trivial bound 0, FEASIBLE.
    with search_run(deterministic=True):
        driver = LexicographicVolumes(load_scenario(EXAMPLE1))
        monkeypatch.setattr(driver.state.time, "remaining", lambda: 0.0)
        stages = driver.run().stages
    assert [(s.objective, s.value, s.bound, s.status) for s in stages] == [
        ("over_guarantee", 2, 0, "FEASIBLE"),
        ("cost", 360, 0, "FEASIBLE"),
        ("travel", 90, 0, "FEASIBLE"),
    ]


def test_once_a_stage_is_not_searched_no_later_one_is(driver: LexicographicVolumes) -> None:
    # Less than half of a stage's fixed work left (1 s of 3 s): not searched; and even with time
    # back (it never comes back; forced here), the later stages would not hold its value.
    driver.state.time.stage_floor_s = 3.0
    assert not driver.state.time.no_time_for_a_stage()
    driver.state.time.remaining = lambda: 1.0  # type: ignore[method-assign]
    assert driver.state.time.no_time_for_a_stage()
    driver.state.time.remaining = lambda: 20.0  # type: ignore[method-assign]
    assert driver.state.time.no_time_for_a_stage()
