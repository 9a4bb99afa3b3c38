"""The volume model as networks (optimizer/volumes/flow.py) and coupled stages by columns
(optimizer/volumes/columns.py), checked against CP-SAT on the same rules.

(1) Stage by stage, each category's network reaches exactly the value CP-SAT's model of that
    category reaches with every earlier stage held: so holding a stage by fixing the arcs whose
    reduced cost is not 0 keeps exactly the stage's optimal plans, with or without a previous
    plan (the stability term's two arcs either side of the old value).
(2) Frozen months: the network's plans keep every decided value of those months.
(3) The equity stage by columns: its bound is at most the joint optimum CP-SAT proves, and its
    plan's equity at least that optimum; and once the optimum is held by reduced-cost fixing,
    CP-SAT's optimal plan still lies in every category's network.
(4) By hand: one hospital, one category, two months. Waiting 10, inflow 4 (2 a month), base 3 a
    month, additional 5 a month at 100 SEK, L = floor(3*4/2) = 6. Base alone leaves 10+2-3 = 9
    and 9+2-3 = 8: over 3 + 2 = 5. Each additional unit in month 1 lowers both months' lists,
    so 3 units there (9 -> 6, 8 -> 5) reach over 0, the least; the cost stage then buys exactly
    those 3 (a unit fewer leaves a patient-month over): 300 SEK, and no unit in month 2.
"""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from helpers.columns import CP_SAT
from helpers.generated import PROPERTY, scenarios
from leveransplan.models import (
    PRICE_CLASSES,
    Category,
    Hospital,
    NeedRow,
    ObjectiveOrder,
    OwnVolume,
    PriceRow,
    Scenario,
    VolumeData,
)
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.pro_rata import pro_rata_plan
from leveransplan.optimizer.volumes.columns import by_columns, with_margin
from leveransplan.optimizer.volumes.decomposition import Linking
from leveransplan.optimizer.volumes.driver import greedy_base_plan
from leveransplan.optimizer.volumes.flow import CategoryFlow
from leveransplan.optimizer.volumes.model import VolumeModel

TERMS = ["over_guarantee", "out_of_region", "cost", "travel"]


def _lexicographic_values(data: VolumeData, k: str, previous: Decisions | None, terms: list[str]) -> None:
    network = CategoryFlow(data, k, previous)
    model = VolumeModel(data, [k], previous)
    for term in terms:
        outcome = network.solve(term)
        assert outcome.status == "OPTIMAL" and outcome.decisions is not None
        value = TermValues(data, outcome.decisions, previous).term(term, [k])
        reference = model.solve(model.term(term), CP_SAT)
        assert reference.status == "OPTIMAL"
        assert value == reference.bound, (k, term)
        model.hold(term, reference.bound)


@PROPERTY
@given(scenarios())
def test_each_category_network_reaches_cp_sats_optimum_stage_by_stage(scenario):
    data = VolumeData.from_scenario(scenario)
    for k in data.categories:
        _lexicographic_values(data, k, None, TERMS)


@PROPERTY
@given(scenarios())
def test_stability_against_a_previous_plan(scenario):
    # The analyst's pro-rata plan serves as a previous plan: it has additional units,
    # transfers and referrals, so |x - x_prev| has both of its arcs in use.
    data = VolumeData.from_scenario(scenario)
    previous = pro_rata_plan(data)
    for k in data.categories:
        _lexicographic_values(data, k, previous, ["over_guarantee", "stability", "cost"])


@PROPERTY
@given(scenarios(), st.integers(1, 2))
def test_frozen_months_keep_their_decisions(scenario, until):
    data = VolumeData.from_scenario(scenario)
    previous = pro_rata_plan(data)
    until = min(until, len(data.months))
    for k in data.categories:
        network = CategoryFlow(data, k, previous, until)
        if not network.usable:
            continue
        outcome = network.solve("over_guarantee")
        assert outcome.decisions is not None
        for kind in ("base_used", "additional_own", "transfers", "referrals"):
            mine = getattr(outcome.decisions, kind)
            theirs = getattr(previous, kind)
            for key in {*mine, *theirs}:
                category = data.contracts[key[1]].category if kind == "referrals" else key[-2]
                if key[-1] <= until and category == k:
                    assert mine.get(key, 0) == theirs.get(key, 0), (kind, key)


@PROPERTY
@given(scenarios())
def test_equity_by_columns_brackets_the_joint_optimum(scenario):
    data = VolumeData.from_scenario(scenario)
    flows = {k: CategoryFlow(data, k) for k in data.categories}
    current = greedy_base_plan(data)
    joint = VolumeModel(data, list(data.categories))
    for k, network in flows.items():
        outcome = network.solve("over_guarantee")
        assert outcome.decisions is not None
        current.update(outcome.decisions, {k}, data)
        joint.hold("over_guarantee", TermValues(data, outcome.decisions).term("over_guarantee", [k]), [k])
    result = by_columns(data, flows, list(data.categories), current, Linking(None), lambda: 10.0)
    equity = joint.objectives.equity_variable({})
    reference = joint.solve(equity, CP_SAT)
    assert reference.status == "OPTIMAL"
    if result is None:  # no hospital with inflow: nothing to decompose
        assert all(data.hospital_inflow(h) == 0 for h in data.hospitals)
    assume(result is not None)
    assert result.bound <= reference.bound <= result.value
    plan = TermValues(data, result.decisions)
    assert plan.equity() == result.value
    # The plan keeps every category's optimum of the stage before.
    before = TermValues(data, current)
    for k in data.categories:
        assert plan.term("over_guarantee", [k]) == before.term("over_guarantee", [k])
    # Holding the optimum by reduced-cost fixing keeps CP-SAT's optimal plan in every network.
    assert reference.decisions is not None
    optimal = current.copy()
    optimal.update(reference.decisions, set(data.categories), data)
    result.hold(reference.bound)
    for k, network in flows.items():
        assert network.flow_of(optimal) is not None, k


@PROPERTY
@given(scenarios())
def test_plans_near_the_bound_lie_within_the_probed_ranges(scenario):
    # What the driver's probing (Closing._probe in optimizer/volumes/closing.py) rests on, for a stage after
    # equity (cost, with every hospital within the equity value): every plan with the stage's
    # value at most T lies within ranges_within(T), so CP-SAT's optimal plan lies within the
    # ranges at its own value, and within the ranges at one less there is no plan at all.
    data = VolumeData.from_scenario(scenario)
    assume(any(data.hospital_inflow(h) > 0 for h in data.hospitals))  # else no equity stage couples
    flows = {k: CategoryFlow(data, k) for k in data.categories}
    current = greedy_base_plan(data)
    held: dict[str, int] = {}
    for k, network in flows.items():
        outcome = network.solve("over_guarantee")
        assert outcome.decisions is not None
        current.update(outcome.decisions, {k}, data)
        held[k] = TermValues(data, outcome.decisions).term("over_guarantee", [k])

    def joint_model() -> VolumeModel:
        model = VolumeModel(data, list(data.categories))
        for k, value in held.items():
            model.hold("over_guarantee", value, [k])
        return model

    equity_model = joint_model()
    equity = equity_model.solve(equity_model.objectives.equity_variable({}), CP_SAT)
    assert equity.status == "OPTIMAL" and equity.decisions is not None
    columns = by_columns(data, flows, list(data.categories), current, Linking(None), lambda: 10.0)
    assert columns is not None
    columns.hold(equity.bound)
    # The equity optimum obeys every rule so far: the cost stage by columns starts from it.
    start = current.copy()
    start.update(equity.decisions, set(data.categories), data)
    cost_columns = by_columns(
        data, flows, list(data.categories), start, Linking("cost", equity.bound), lambda: 10.0
    )
    reference_model = joint_model()
    reference_model.hold_equity(equity.bound, {})
    reference = reference_model.solve(reference_model.term("cost"), CP_SAT)
    assert reference.status == "OPTIMAL" and reference.decisions is not None
    optimum = reference.bound
    assert cost_columns is not None
    assert cost_columns.bound <= optimum <= cost_columns.value
    ranges = cost_columns.ranges_within(optimum)
    assume(ranges is not None)  # None: no round priced the networks (the first LP was already optimal)
    for k, decisions in ranges.items():
        for (kind, key), (low, high) in decisions.items():
            assert low <= getattr(reference.decisions, kind).get(key, 0) <= high, (k, kind, key)
    below = cost_columns.ranges_within(optimum - 1)
    assert below is not None
    probe = joint_model()
    probe.hold_equity(equity.bound, {})
    for decisions in below.values():
        probe.restrict(decisions)
    probe.hold("cost", optimum - 1)
    assert probe.solve(probe.term("cost"), CP_SAT).status == "INFEASIBLE"


@PROPERTY
@given(scenarios(), st.integers(1, 6))
def test_a_plan_from_lowered_caps_keeps_the_real_caps(scenario, margin):
    # What Closing._with_a_margin rests on, for the cost stage after equity: the
    # stage by columns again with every hospital's cap lowered by `margin` patient-months gives
    # a plan (when it says it obeys the linking rules) within the real caps, with each
    # category's over_guarantee kept, and never a cost below the optimum CP-SAT proves.
    data = VolumeData.from_scenario(scenario)
    assume(any(data.hospital_inflow(h) > 0 for h in data.hospitals))
    flows = {k: CategoryFlow(data, k) for k in data.categories}
    current = greedy_base_plan(data)
    model = VolumeModel(data, list(data.categories))
    for k, network in flows.items():
        outcome = network.solve("over_guarantee")
        assert outcome.decisions is not None
        current.update(outcome.decisions, {k}, data)
        model.hold("over_guarantee", TermValues(data, outcome.decisions).term("over_guarantee", [k]), [k])
    equity = model.solve(model.objectives.equity_variable({}), CP_SAT)
    assert equity.status == "OPTIMAL" and equity.decisions is not None
    equity_columns = by_columns(data, flows, list(data.categories), current, Linking(None), lambda: 10.0)
    assert equity_columns is not None
    equity_columns.hold(equity.bound)
    start = current.copy()
    start.update(equity.decisions, set(data.categories), data)
    linking = Linking("cost", equity.bound)
    cost_columns = by_columns(data, flows, list(data.categories), start, linking, lambda: 10.0)
    assert cost_columns is not None
    model.hold_equity(equity.bound, {})
    optimum = model.solve(model.term("cost"), CP_SAT)
    assert optimum.status == "OPTIMAL"
    tighter = with_margin(cost_columns, margin, lambda: 10.0)
    # Only a plan from the lowered caps that obeys the linking rules is checked; without one the
    # driver keeps what it has.
    assume(tighter is not None and tighter.obeys_linking)
    plan = TermValues(data, tighter.decisions)
    for h in data.hospitals:
        if (inflow := data.hospital_inflow(h)) > 0:
            assert plan.over_of_hospital(h) <= equity.bound * inflow // 1000, h
    before = TermValues(data, current)
    for k in data.categories:
        assert plan.term("over_guarantee", [k]) == before.term("over_guarantee", [k]), k
    assert plan.term("cost") >= optimum.bound


def test_a_floor_keeps_a_held_term_at_or_above_its_bound():
    # The scenario of test_one_hospital_by_hand: with over_guarantee held at 0 the plans buy 3,
    # 4, ... additional units at 100 SEK, so cost takes the values 300, 400, ... A floor of
    # 350 under a cap of 400 leaves 400 alone; a floor of 450 leaves no plan.
    data = VolumeData.from_scenario(_one_hospital())
    for floor, expected in ((None, 300), (350, 400), (450, None)):
        model = VolumeModel(data, ["k"])
        model.hold("over_guarantee", 0)
        model.hold("cost", 400, floor=floor)
        outcome = model.solve(model.term("cost"), CP_SAT)
        if expected is None:
            assert outcome.status == "INFEASIBLE"
        else:
            assert outcome.status == "OPTIMAL" and outcome.bound == expected


def _one_hospital() -> Scenario:
    return Scenario(
        name="by hand",
        start="2026-01",
        months=2,
        objective=ObjectiveOrder(volumes=("over_guarantee", "cost")),
        hospitals=(Hospital(hospital="A", name="A"),),
        categories=(Category(category="k", area="a", kind="x", specialty="s", price_class="besok"),),
        prices=tuple(PriceRow(hospital="A", price_class=c, price_sek=100) for c in PRICE_CLASSES),
        own_volumes=(OwnVolume(hospital="A", category="k", base=6, additional_max=10),),
        need=(NeedRow(hospital="A", category="k", waiting=10, inflow=4),),
    )


def test_one_hospital_by_hand():
    data = VolumeData.from_scenario(_one_hospital())
    network = CategoryFlow(data, "k")
    first = network.solve("over_guarantee")
    assert first.decisions is not None
    assert TermValues(data, first.decisions).term("over_guarantee") == 0
    second = network.solve("cost")
    assert second.decisions is not None
    values = TermValues(data, second.decisions)
    assert values.term("over_guarantee") == 0
    assert values.term("cost") == 300
    assert second.decisions.additional_own == {("A", "k", 1): 3}
