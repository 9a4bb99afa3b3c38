"""A plan's terms evaluated for some categories only (models/evaluation.TermValues with
`categories`): the driver does so for each category's own plan after every stage, where
evaluating every hospital's waiting lists in every category took 100 ms a plan at scale 20.

Property: for every category and every separable term, the restricted evaluation gives exactly
what the full one gives for that category, with and without a previous plan (stability); and a
term of a category not evaluated, or equity (which needs every category), is refused rather than
answered from part of the plan.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from test_properties import PROPERTY, scenarios

from models import Scenario, VolumeData
from models.evaluation import TermValues
from models.pro_rata import pro_rata_plan
from optimizer.solve import greedy_base_plan

SEPARABLE = ["over_guarantee", "out_of_region", "cost", "travel", "stability"]


@PROPERTY
@given(scenarios())
def test_one_category_evaluated_alone_gives_the_full_evaluations_figures(scenario: Scenario) -> None:
    data = VolumeData.from_scenario(scenario)
    plan = pro_rata_plan(data)
    previous = greedy_base_plan(data)
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
        alone.term("cost")  # every category
    for other in data.categories[1:]:
        with pytest.raises(ValueError):
            alone.term("travel", [first, other])
