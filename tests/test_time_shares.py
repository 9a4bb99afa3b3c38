"""How the volume driver (optimizer/solve.py) shares its time limit at the end of a solve.

At scale 20 the travel stage ran the whole solve 3.3 s past its limit: its last search had all the
time left, and after it came a routing of the plan (1.6 s) and the hold of the stage's value in
28 networks (2 s) that no later stage used. These tests pin the two rules that fixed it, on
example 1 in deterministic mode (the run's clock stands still outside CP-SAT, so the time left is
the same at every call and the figures are exact).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inputs import load_scenario
from optimizer.search import search_run
from optimizer.solve import LexicographicVolumes, greedy_base_plan

EXAMPLE1 = Path(__file__).parent / "data" / "example1"


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
    assert driver.remaining() == pytest.approx(20.0)
    # By hand, from joint_time: with one stage left there is no reserve, so a search gets all
    # 20 s; a routing measured at 3 s comes off first (17 s); with three stages left, a reserve of
    # 4 s for each later stage (8 s, less than half of 17) leaves 9 s, more than a third of 17.
    assert driver.joint_time(1) == pytest.approx(20.0)
    driver.routing_seconds = 3.0
    assert driver.joint_time(1) == pytest.approx(17.0)
    assert driver.joint_time(3) == pytest.approx(9.0)


def test_the_last_stage_does_not_hold_its_value_in_the_networks(driver: LexicographicVolumes) -> None:
    recorded = _RecordedHold()
    driver._hold_columns(recorded, 1234, stages_left=1)  # type: ignore[arg-type]
    assert recorded.held == []
    driver._hold_columns(recorded, 1234, stages_left=2)  # type: ignore[arg-type]
    assert recorded.held == [1234]


def test_the_travel_stages_routing_is_timed_and_forgotten_at_the_next_stage() -> None:
    # On the wall clock (not deterministic): a routing takes some time, however little.
    driver = LexicographicVolumes(load_scenario(EXAMPLE1))
    plan = greedy_base_plan(driver.data)
    driver._routed(plan, "cost")  # only the travel stage routes
    assert driver.routing_seconds == 0.0
    driver._routed(plan, "travel")
    assert driver.routing_seconds > 0.0
    # Each stage starts with none: example 1's stages route nothing (no category is coupled),
    # so what was measured before is forgotten by the end rather than kept.
    driver.routing_seconds = 5.0
    driver.run()
    assert driver.routing_seconds == 0.0
