"""A plan's terms evaluated for some categories only (models/evaluation.TermValues with
`categories`): the driver does so for each category's own plan after every stage, where
evaluating every hospital's waiting lists in every category took 100 ms a plan at scale 20.

Property: for every category and every separable term, the restricted evaluation gives exactly
what the full one gives for that category, for plans drawn at random over the scenario's keys
(base units, own additional units, transfers, referrals: every branch of the evaluation) against
a previous plan drawn the same way (stability); and a term of a category not evaluated, or
equity and X_h (which need every category), is refused rather than answered from part of the
plan.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.generated import PROPERTY, scenarios
from leveransplan.models import Scenario, VolumeData
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.pro_rata import pro_rata_plan

SEPARABLE = ["over_guarantee", "out_of_region", "cost", "travel", "stability"]


@st.composite
def plans(draw: st.DrawFn, data: VolumeData) -> Decisions:
    """Whole values on the scenario's keys, feasible or not: the evaluation is arithmetic."""
    amount = st.integers(0, 9)
    plan = Decisions()
    for h, k in data.pairs:
        for m in data.months:
            plan.base_used[h, k, m] = draw(amount)
            plan.additional_own[h, k, m] = draw(amount)
            for g in data.hospitals:
                if g != h and draw(st.booleans()):
                    plan.transfers[h, g, k, m] = draw(amount)
    for c, contract in data.contracts.items():
        for h in data.hospitals:
            for m in data.contract_months[c]:
                if data.has_need(h, contract.category):
                    plan.referrals[h, c, m] = draw(amount)
    return plan


@PROPERTY
@given(scenarios(), st.data())
def test_one_category_evaluated_alone_gives_the_full_evaluations_figures(
    scenario: Scenario, drawn: st.DataObject
) -> None:
    data = VolumeData.from_scenario(scenario)
    plan = drawn.draw(plans(data))
    previous = drawn.draw(plans(data))
    full = TermValues(data, plan, previous)
    for k in data.categories:
        alone = TermValues(data, plan, previous, [k])
        for term in SEPARABLE:
            assert alone.term(term, [k]) == full.term(term, [k]), (k, term)
        assert dict(alone.over_by_hospital_category) == {
            (h, kk): v for (h, kk), v in full.over_by_hospital_category.items() if kk == k
        }


@PROPERTY
@given(scenarios())
def test_what_was_not_evaluated_is_refused(scenario: Scenario) -> None:
    data = VolumeData.from_scenario(scenario)
    plan = pro_rata_plan(data)
    first = data.categories[0]
    alone = TermValues(data, plan, None, [first])
    with pytest.raises(ValueError):
        alone.term("equity")
    with pytest.raises(ValueError):
        alone.equity()
    with pytest.raises(ValueError):
        alone.over_of_hospital(data.hospitals[0])
    with pytest.raises(ValueError):
        alone.over_guarantee()
    with pytest.raises(ValueError):
        alone.term("cost")  # every category
    for other in data.categories[1:]:
        with pytest.raises(ValueError):
            alone.term("travel", [first, other])


@PROPERTY
@given(scenarios(), st.data())
def test_replacing_several_categories_at_once_is_replacing_each_in_turn(
    scenario: Scenario, drawn: st.DataObject
) -> None:
    # Decisions.replace takes each category's values from its own part (a part may hold other
    # categories too, which are ignored), as update(part, {k}) one category after another does.
    data = VolumeData.from_scenario(scenario)
    plan = drawn.draw(plans(data))
    chosen = drawn.draw(st.lists(st.sampled_from(data.categories), unique=True))
    parts = {k: drawn.draw(plans(data)) for k in chosen}
    in_turn = plan.copy()
    for k, part in parts.items():
        in_turn.update(part, {k}, data)
    at_once = plan.copy()
    at_once.replace(parts, data)
    for values in ("base_used", "additional_own", "transfers", "referrals"):
        assert getattr(at_once, values) == getattr(in_turn, values), values
