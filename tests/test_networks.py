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

from hypothesis import given
from hypothesis import strategies as st
from test_properties import PROPERTY, scenarios

from models import (
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
from models.evaluation import Decisions, TermValues
from models.pro_rata import pro_rata_plan
from optimizer.solve import greedy_base_plan
from optimizer.volumes.columns import Linking, by_columns
from optimizer.volumes.flow import CategoryFlow
from optimizer.volumes.model import SolveParameters, VolumeModel

TERMS = ["over_guarantee", "out_of_region", "cost", "travel"]
CP_SAT = SolveParameters(time_limit_s=20, workers=1, seed=0)


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
        return
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


def test_one_hospital_by_hand():
    scenario = Scenario(
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
    data = VolumeData.from_scenario(scenario)
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
