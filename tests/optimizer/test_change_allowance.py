"""A re-plan's change allowance over small generated scenarios (hypothesis, fixed seed).

After the stage of least change, the later stages hold each hospital's change against the
previous plan within its cap, max(allowance, what the plan of least change moves there), instead
of the least total. So:

- the stages up to stability are those of the re-plan without an allowance;
- every hospital's change in the final plan is within its cap, and every cap is at least the
  allowance;
- with an allowance larger than any plan's change, the caps bind nowhere: the later stages reach
  what the order without stability reaches (one whole-region CP-SAT model, each term held
  region-wide);
- the plan passes the independent checker, which recomputes each hospital's change from the
  previous plan's files.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from helpers.generated import PROPERTY, reference_stage_values, scenarios
from leveransplan.models import VOLUME_OBJECTIVES, ObjectiveOrder
from leveransplan.models.evaluation import change_term
from leveransplan.models.plan import ChangeAllowance
from leveransplan.models.results import ScenarioPlan
from leveransplan.optimizer.volumes.driver import solve_volumes
from leveransplan.outputs.checker.volume_plan import check_volume_plan
from leveransplan.outputs.publish import publish_plan

REPLAN = ObjectiveOrder().replanning()
# Larger than any generated plan's change: no cap binds.
UNBOUNDED = 10**9


@PROPERTY
@given(scenarios(), st.data())
def test_each_hospital_changes_within_its_cap(scenario, data):
    other = data.draw(st.permutations(VOLUME_OBJECTIVES))
    before = scenario.model_copy(update={"objective": ObjectiveOrder(volumes=tuple(other))})
    previous = solve_volumes(before)
    now = scenario.model_copy(update={"objective": REPLAN})
    units = data.draw(st.none() | st.integers(0, 30))
    sek = data.draw(st.integers(0, 5_000) if units is None else st.none() | st.integers(0, 5_000))
    least = solve_volumes(now, previous.decisions)
    allowed = solve_volumes(now, previous.decisions, allowance=ChangeAllowance(units, sek))
    assert all(stage.status == "OPTIMAL" for stage in allowed.stages)
    first = REPLAN.volumes.index("stability") + 1
    assert [s.value for s in allowed.stages[:first]] == [s.value for s in least.stages[:first]]
    assert allowed.change_caps is not None
    values = allowed.values
    for h, caps in allowed.change_caps.items():
        if units is not None:
            assert caps["units"] == max(units, caps["least_units"])
            assert values.term(change_term(h, in_sek=False)) <= caps["units"]
        if sek is not None:
            assert caps["sek"] == max(sek, caps["least_sek"])
            assert values.term(change_term(h, in_sek=True)) <= caps["sek"]
    assert sum(caps["least_units"] for caps in allowed.change_caps.values()) == least.stage("stability").value
    with tempfile.TemporaryDirectory() as folder:
        earlier = Path(folder) / "previous"
        publish_plan(earlier, Path(folder), before, ScenarioPlan(volumes=previous), {})
        plan = Path(folder) / "plan"
        publish_plan(  # runs the checker
            plan, Path(folder), now, ScenarioPlan(volumes=allowed), {}, previous_plan=str(earlier)
        )
        assert check_volume_plan(now, plan) == []


@PROPERTY
@given(scenarios(), st.data())
def test_an_allowance_no_hospital_reaches_frees_the_later_stages(scenario, data):
    other = data.draw(st.permutations(VOLUME_OBJECTIVES))
    previous = solve_volumes(scenario.model_copy(update={"objective": ObjectiveOrder(volumes=tuple(other))}))
    now = scenario.model_copy(update={"objective": REPLAN})
    allowed = solve_volumes(now, previous.decisions, allowance=ChangeAllowance(UNBOUNDED, UNBOUNDED))
    assert all(stage.status == "OPTIMAL" for stage in allowed.stages)
    free = [term for term in REPLAN.volumes if term != "stability"]
    reference = reference_stage_values(
        scenario.model_copy(update={"objective": ObjectiveOrder(volumes=tuple(free))}), previous.decisions
    )
    assert [s.value for s in allowed.stages if s.objective != "stability"] == reference
