"""Routing each month's patients to the places a plan uses at the least travel
(optimizer/volumes/routing.py): it changes travel alone, never for the worse, and keeps every rule.

(1) By hand: three hospitals on a line, A - B - C, 30 minutes apart (A to C 50). In the one
    month, B's additional capacity takes A's 5 patients and C's takes B's 5: travel
    5*30 + 5*30 = 300. B treating its own 5 and sending A's to C: 5*50 = 250, the least (the
    only other routings mix the two, 300 - 10 per patient moved). Cost is the same (B's and
    C's units are paid at B's and C's price either way), and so is every waiting list.
(2) With A to C not allowed the plan's routing is the only one: travel stays 300.
(3) Property, over generated scenarios and the analyst's pro-rata plan (additional units,
    transfers and referrals): every term but travel and stability keeps its value, travel
    does not rise, the routed plan passes the independent plan checker, and months before
    `first_month` keep their decisions.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from helpers.generated import PROPERTY, scenarios
from helpers.plans import checker_violations
from helpers.volumes import line_of_three
from leveransplan.models import (
    VolumeData,
)
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.pro_rata import pro_rata_plan
from leveransplan.optimizer.volumes.routing import nearest_routing

KEPT = ("over_guarantee", "out_of_region", "cost")


_CHAIN = Decisions(transfers={("A", "B", "k", 1): 5, ("B", "C", "k", 1): 5})


def test_a_chain_of_transfers_is_routed_straight():
    data = VolumeData.from_scenario(line_of_three(a_to_c_allowed=True))
    routed = nearest_routing(data, _CHAIN, ["k"])
    assert routed.additional_own == {("B", "k", 1): 5}
    assert routed.transfers == {("A", "C", "k", 1): 5}
    before, after = TermValues(data, _CHAIN), TermValues(data, routed)
    assert before.term("travel") == 300 and after.term("travel") == 250
    # 5 units at B (200 SEK) and 5 at C (300 SEK) either way: 2 500 SEK.
    assert before.term("cost") == after.term("cost") == 2500
    assert before.waiting == after.waiting


def test_a_pair_not_allowed_is_never_used():
    data = VolumeData.from_scenario(line_of_three(a_to_c_allowed=False))
    routed = nearest_routing(data, _CHAIN, ["k"])
    assert routed.transfers == _CHAIN.transfers and not routed.additional_own
    assert TermValues(data, routed).term("travel") == 300


@PROPERTY
@given(scenarios(budget="none"), st.integers(1, 3))
def test_routing_changes_travel_alone_and_keeps_every_rule(scenario, first_month):
    data = VolumeData.from_scenario(scenario)
    plan = pro_rata_plan(data)
    routed = nearest_routing(data, plan, list(data.categories), first_month)
    before, after = TermValues(data, plan), TermValues(data, routed)
    assert after.waiting == before.waiting
    assert after.equity() == before.equity()
    for term in KEPT:
        assert after.term(term) == before.term(term), term
    assert after.term("travel") <= before.term("travel")
    assert checker_violations()(scenario, routed) == []
    for decided, kept in (
        (plan.additional_own, routed.additional_own),
        (plan.transfers, routed.transfers),
        (plan.referrals, routed.referrals),
    ):
        assert {key: v for key, v in decided.items() if key[-1] < first_month} == {
            key: v for key, v in kept.items() if key[-1] < first_month
        }
    assert routed.base_used == plan.base_used
