"""`leveransplan frontier` and the marginal figure of `explain`: what money buys.

Example 1 of examples.md (tests/data/example1): A waits 10 with inflow 2 a month and base 3 + 2,
so its guarantee limit is L = 6 and, doing nothing extra, 3 + 3 = 6 patient-months lie beyond
it. Contract c1 (provider X) takes at most 2 a month and 3 in all at 120 SEK; its minimum of 2
units (240 SEK) is paid whether used or not, so 240 SEK is the least any plan costs and those two
units are free. B takes 1 of A's patients in 2026-01 and 2 in 2026-02 at 150 SEK.

- 240 SEK (the minimums alone): both paid units in 2026-01, w1 = 10 + 2 - 3 - 2 = 7 (1 over),
  w2 = 7 + 2 - 2 = 7 (1 over): over_guarantee 2.
- More money buys a third contract unit (120 SEK, 360 in all) or B's unit (150 SEK, 390 in all).
  Below 360 SEK neither fits: over_guarantee stays 2. From 360 SEK the third unit goes to
  2026-02: w1 = 7 (1 over), w2 = 6: over_guarantee 1. From 390 SEK B's unit replaces it in
  2026-01: w1 = 6, w2 = 6: over_guarantee 0, the unconstrained optimum (the spec's 390).

So at --points 4 the budgets are 240, 290, 340 and 390 SEK (steps of 50) and over_guarantee is
2, 2, 2, 0; at --points 7 (steps of 25) 365 SEK is among them too, with over_guarantee 1.
Every solve here runs on deterministic time (search_run(deterministic=True) or --deterministic).
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers import EXAMPLE1, flat, invoke
from helpers.generated import PROPERTY, reference_stage_values, scenarios, take_or_pay
from helpers.plans import Page, checker_violations
from leveransplan.inputs import load_scenario
from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.frontier import (
    LEAST_COST,
    SCENARIO_BUDGET,
    UNCONSTRAINED,
    Frontier,
    MarginalFigure,
    Spending,
)
from leveransplan.models.plan import StageResult
from leveransplan.models.scenario import ObjectiveOrder, Scenario
from leveransplan.optimizer.frontier import _Solved, _tightened, even_budgets, solve_frontier
from leveransplan.optimizer.marginal import describe_marginal, marginal_figure
from leveransplan.optimizer.search import search_run

FRONTIER_FILES = ["datapackage.json", "frontier.csv", "manifest.json", "summary.json"]


def example1(budget: int | None = None) -> Scenario:
    return load_scenario(EXAMPLE1).model_copy(update={"max_cost_sek": budget})


def frontier_of(scenario: Scenario, points: int) -> Frontier:
    with search_run(deterministic=True):
        return solve_frontier(scenario, points)


def curve(frontier: Frontier) -> list[tuple[int, int, int, str, int]]:
    return [(p.budget_sek, p.over_guarantee, p.bound, p.status, p.cost_sek) for p in frontier.points]


# -- the budgets ----------------------------------------------------------------------------------


def test_budgets_are_evenly_spaced_whole_sek_with_both_ends() -> None:
    assert even_budgets(240, 390, 4) == [240, 290, 340, 390]
    assert even_budgets(240, 390, 7) == [240, 265, 290, 315, 340, 365, 390]
    # 10/3 = 3.33 rounds to 3, 20/3 = 6.67 to 7.
    assert even_budgets(0, 10, 4) == [0, 3, 7, 10]
    # One SEK of span holds two budgets, whatever the points asked.
    assert even_budgets(5, 6, 4) == [5, 6]
    with pytest.raises(ValueError):
        even_budgets(0, 10, 1)


# -- the curve of example 1 -----------------------------------------------------------------------


def test_the_frontier_of_example1_at_four_points() -> None:
    # 290 and 340 SEK leave 50 and 100 SEK above the paid minimums: less than a third contract
    # unit (120) or B's unit (150), so the plan stays at 240 SEK and 2 patient-months.
    frontier = frontier_of(example1(), 4)
    assert curve(frontier) == [
        (240, 2, 2, "OPTIMAL", 240),
        (290, 2, 2, "OPTIMAL", 240),
        (340, 2, 2, "OPTIMAL", 240),
        (390, 0, 0, "OPTIMAL", 390),
    ]
    assert (frontier.least_cost_sek, frontier.unconstrained_cost_sek) == (240, 390)
    assert [p.marks for p in frontier.points] == [(LEAST_COST,), (), (), (UNCONSTRAINED,)]
    # 2 patient-months for the 50 SEK from 340 to 390: 40 000 per MSEK.
    assert [frontier.removed_per_msek(i) for i in range(4)] == [None, 0.0, 0.0, 40_000.0]
    assert not frontier.partial


def test_the_frontier_of_example1_at_seven_points() -> None:
    # 365 SEK buys the third contract unit (360 SEK in all): 1 patient-month.
    frontier = frontier_of(example1(), 7)
    assert [(p.budget_sek, p.over_guarantee, p.cost_sek) for p in frontier.points] == [
        (240, 2, 240),
        (265, 2, 240),
        (290, 2, 240),
        (315, 2, 240),
        (340, 2, 240),
        (365, 1, 360),
        (390, 0, 390),
    ]
    assert all(p.status == "OPTIMAL" for p in frontier.points)


def test_the_scenarios_budget_is_a_point_of_its_own() -> None:
    # examples.md: with [budget] max_cost_sek = 360 the first stage is 1 (three contract units).
    frontier = frontier_of(example1(360), 4)
    assert [(p.budget_sek, p.over_guarantee, p.marks) for p in frontier.points] == [
        (240, 2, (LEAST_COST,)),
        (290, 2, ()),
        (340, 2, ()),
        (360, 1, (SCENARIO_BUDGET,)),
        (390, 0, (UNCONSTRAINED,)),
    ]
    # Spanned from the minimums to the unconstrained optimum all the same.
    assert frontier.scenario_budget_words() == "the scenario's budget of 360 SEK is marked on the curve"


def test_a_scenario_budget_beyond_the_optimum_binds_nothing() -> None:
    frontier = frontier_of(example1(1_000), 4)
    assert [p.budget_sek for p in frontier.points] == [240, 290, 340, 390]
    assert "money does not bind" in (frontier.scenario_budget_words() or "")


def test_each_points_plan_passes_the_checker_within_its_budget() -> None:
    for point in frontier_of(example1(), 7).points:
        # The plan as a plan of the scenario with the point's budget and over_guarantee alone.
        scenario = example1(point.budget_sek).model_copy(
            update={"objective": ObjectiveOrder(volumes=("over_guarantee",))}
        )
        stage = StageResult(
            objective="over_guarantee",
            value=point.over_guarantee,
            bound=point.bound,
            status=point.status,
            seconds=0.0,
        )
        assert checker_violations()(scenario, point.decisions, [stage]) == [], point.budget_sek
        assert point.cost_sek <= point.budget_sek


def test_the_curve_keeps_the_best_plan_below_and_the_best_bound_above() -> None:
    # Four solves of example 1's budgets as a time limit might leave them: 340 SEK found a worse
    # plan (4) than 290 SEK did (2), and 240 SEK proved less (0) than 290 SEK did (1). A plan within
    # 290 SEK is within 340 too, so 340 keeps 2; a bound proven within 290 SEK holds within 240,
    # which allows fewer plans, so 240 gets bound 1. 390 SEK proves 0, which 340 cannot beat.
    plan = Decisions()  # the minimums alone: 240 SEK, within every budget
    solved = [
        _Solved(240, 3, 0, 1.0, plan),
        _Solved(290, 2, 1, 1.0, plan),
        _Solved(340, 4, 0, 1.0, plan),
        _Solved(390, 0, 0, 1.0, plan),
    ]
    points = _tightened(VolumeData.from_scenario(example1()), solved, 240, 390, None)
    assert [(p.over_guarantee, p.bound, p.status) for p in points] == [
        (3, 1, "FEASIBLE"),
        (2, 1, "FEASIBLE"),
        (2, 0, "FEASIBLE"),
        (0, 0, "OPTIMAL"),
    ]
    assert [p.gap_pct for p in points] == [pytest.approx(200 / 3), 50.0, 100.0, 0.0]


# -- over generated scenarios ---------------------------------------------------------------------


# Most generated scenarios have a curve of one point (nothing money can buy): 80 examples give
# about 30 with five budgets.
@settings(PROPERTY, max_examples=80)
@given(scenarios(budget="none"))
def test_more_money_never_leaves_more_patient_months(scenario: Scenario) -> None:
    frontier = frontier_of(scenario, 5)
    points = frontier.points
    # The least cost is the take-or-pay minimums; the curve's last point is the unconstrained optimum.
    assert points[0].budget_sek == frontier.least_cost_sek == take_or_pay(list(scenario.contracts))
    assert points[-1].budget_sek == frontier.unconstrained_cost_sek
    assert [p.budget_sek for p in points] == sorted({p.budget_sek for p in points})
    for before, after in pairwise(points):
        assert after.over_guarantee <= before.over_guarantee
        assert after.bound <= before.bound
    for point in points:
        plan = TermValues(VolumeData.from_scenario(scenario), point.decisions)
        assert plan.over_guarantee() == point.over_guarantee
        assert plan.term("cost") == point.cost_sek <= point.budget_sek
        # Each point is the optimum within its budget: one CP-SAT model of the whole region agrees.
        alone = scenario.model_copy(
            update={
                "max_cost_sek": point.budget_sek,
                "objective": ObjectiveOrder(volumes=("over_guarantee",)),
            }
        )
        assert point.status == "OPTIMAL"
        assert [point.over_guarantee] == reference_stage_values(alone)


# -- the command ----------------------------------------------------------------------------------


def test_the_command_writes_the_folder_and_its_report(tmp_path: Path) -> None:
    out = tmp_path / "frontier"
    result = invoke("frontier", EXAMPLE1, "--points", "4", "--deterministic", "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == FRONTIER_FILES
    assert (out / "frontier.csv").read_text(encoding="utf-8").splitlines() == [
        "budget_sek,over_guarantee,bound,status,gap,seconds,cost_sek,removed_per_msek,marks",
        "240,2,2,OPTIMAL,0.0000,0.00,240,,least_cost",
        "290,2,2,OPTIMAL,0.0000,0.00,240,0.00,",
        "340,2,2,OPTIMAL,0.0000,0.00,240,0.00,",
        "390,0,0,OPTIMAL,0.0000,0.00,390,40000.00,unconstrained_optimum",
    ]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))["frontier"]
    assert (summary["least_cost_sek"], summary["unconstrained_cost_sek"]) == (240, 390)
    assert (summary["over_guarantee_at_least_cost"], summary["over_guarantee_unconstrained"]) == (2, 0)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["outputs_sha256"]) == ["datapackage.json", "frontier.csv", "summary.json"]
    assert manifest["parameters"]["points"] == 4
    assert "The least cost, 240 SEK (the take-or-pay minimums), leaves 2" in flat(result.output)

    reported = invoke("report", out)
    assert reported.exit_code == 0, reported.output
    page = Page((out / "report.html").read_text(encoding="utf-8"))
    assert page.charts == ["Frontier"]
    assert page.sections == ["frontier"]
    rows = page.table("budget SEK")
    assert [row[:5] for row in rows[1:]] == [
        ["240", "2", "2", "0.0000", "OPTIMAL"],
        ["290", "2", "2", "0.0000", "OPTIMAL"],
        ["340", "2", "2", "0.0000", "OPTIMAL"],
        ["390", "0", "0", "0.0000", "OPTIMAL"],
    ]
    for tag, attributes in page.tags:
        assert tag not in ("script", "link", "img", "iframe", "object", "embed"), tag
        for name, value in attributes.items():
            if name in ("href", "xlink:href"):
                assert value is not None and value.startswith("#"), f"<{tag} {name}={value!r}>"
    # The report is listed with the folder's own files, so --overwrite may replace the folder.
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "report.html" in manifest["outputs_sha256"]
    again = invoke("frontier", EXAMPLE1, "--points", "4", "--deterministic", "--out", out, "--overwrite")
    assert again.exit_code == 0, again.output


def test_deterministic_runs_give_the_same_curve_and_report(tmp_path: Path) -> None:
    pages = []
    for name in ("first", "second"):
        out = tmp_path / name
        result = invoke("frontier", EXAMPLE1, "--points", "7", "--deterministic", "--report", "--out", out)
        assert result.exit_code == 0, result.output
        pages.append(((out / "frontier.csv").read_bytes(), (out / "report.html").read_bytes()))
    assert pages[0] == pages[1]


@pytest.mark.parametrize("points", ["0", "1", "-3", "1001"])
def test_bad_points_are_refused(tmp_path: Path, points: str) -> None:
    out = tmp_path / "frontier"
    result = invoke("frontier", EXAMPLE1, "--points", points, "--out", out)
    assert result.exit_code == 2, result.output
    assert f"--points {points}: expected 2 to 1000 budgets" in flat(result.output)
    assert "Nothing was written" in flat(result.output)
    assert not out.exists()


def test_a_folder_with_a_users_file_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "frontier"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    result = invoke("frontier", EXAMPLE1, "--points", "2", "--out", out, "--overwrite")
    assert result.exit_code == 2, result.output
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]


# -- the marginal figure of explain ---------------------------------------------------------------


def marginal_of(scenario: Scenario) -> MarginalFigure:
    with search_run(deterministic=True):
        return marginal_figure(scenario)


def test_another_10_msek_at_the_minimums_buys_bs_unit() -> None:
    # At 240 SEK: 2 patient-months. 10 MSEK more reach the unconstrained optimum (390 SEK): 0.
    # The cheapest plans differ by B's unit for one of A's patients (+150 SEK); the two paid
    # contract units are used in 2026-01 by both, so no unused minimum changes.
    figure = marginal_of(example1(240))
    assert figure.binds and figure.proven
    assert figure.removed == 2
    assert figure.at_budget is not None and figure.with_extra is not None
    assert (figure.at_budget.over_guarantee, figure.at_budget.cost_sek) == (2, 240)
    assert (figure.with_extra.budget_sek, figure.with_extra.over_guarantee, figure.with_extra.cost_sek) == (
        10_000_240,
        0,
        390,
    )
    assert figure.spending == (
        Spending("A", "k", additional=0, transfers=1, referrals=0, cost_sek=150, over_guarantee=-2),
    )
    assert figure.unused_minimum_sek == 0


def test_another_10_msek_at_360_moves_a_contract_unit_to_b() -> None:
    # At 360 SEK the cheapest plan with 1 patient-month uses three contract units (360 SEK). The
    # optimum uses B's unit and two contract units instead (390 SEK): +150 - 120 = +30 SEK.
    figure = marginal_of(example1(360))
    assert figure.removed == 1
    assert figure.spending == (
        Spending("A", "k", additional=0, transfers=1, referrals=-1, cost_sek=30, over_guarantee=-1),
    )


@pytest.mark.parametrize("budget", [None, 390, 1_000])
def test_money_does_not_bind_without_a_budget_or_above_the_optimum(budget: int | None) -> None:
    figure = marginal_of(example1(budget))
    assert not figure.binds and figure.removed == 0 and figure.spending == ()
    assert figure.unconstrained_cost_sek == (None if budget is None else 390)


# A budget 0-400 SEK above the take-or-pay minimums binds in about 4 of 10 generated scenarios;
# the others are rejected, so every example counted is a binding one.
@PROPERTY
@given(scenarios(budget="none"), st.integers(0, 400))
def test_the_marginal_figure_is_the_step_between_two_optima(scenario: Scenario, above: int) -> None:
    scenario = scenario.model_copy(update={"max_cost_sek": take_or_pay(list(scenario.contracts)) + above})
    # Generated prices are 0-400 SEK: 300 SEK more is a real step there.
    with search_run(deterministic=True):
        figure = marginal_figure(scenario, extra_sek=300)
    assume(figure.binds)
    assert figure.at_budget is not None and figure.with_extra is not None and figure.proven
    budget = scenario.max_cost_sek
    assert budget is not None
    alone = ObjectiveOrder(volumes=("over_guarantee",))
    for result, cap in ((figure.at_budget, budget), (figure.with_extra, budget + 300)):
        assert result.cost_sek <= cap
        reference = scenario.model_copy(update={"max_cost_sek": cap, "objective": alone})
        assert [result.over_guarantee] == reference_stage_values(reference)
    # What each hospital and category changes adds up to the plans' difference.
    assert sum(s.over_guarantee for s in figure.spending) == -figure.removed
    spent = sum(s.cost_sek for s in figure.spending) + figure.unused_minimum_sek
    assert spent == figure.with_extra.cost_sek - figure.at_budget.cost_sek


def test_more_budget_leaves_a_hospitals_frame_as_it_is() -> None:
    # The figure moves the region's budget only: with a frame on A's spending and no budget, the
    # money of the budget does not bind, and the words say that the frame still caps A.
    hospitals = tuple(
        h.model_copy(update={"frame_sek": 200 if h.hospital == "A" else None}) for h in example1().hospitals
    )
    figure = marginal_of(example1().model_copy(update={"hospitals": hospitals}))
    assert not figure.binds and figure.frames
    assert "Each hospital's frame still caps what is spent on its patients" in " ".join(
        describe_marginal(figure)
    )


def test_explain_shows_the_marginal_figure(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    solved = invoke("solve", EXAMPLE1, "--out", plan, "--budget", "240", "--deterministic", "--quiet")
    assert solved.exit_code == 0, solved.output
    result = invoke("explain", EXAMPLE1, plan)
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "another 10 MSEK removes 2 patient-months beyond the guarantee: 2 -> 0" in text
    assert "A · k: +150 SEK (transfers out +1); 2 patient-months fewer beyond the guarantee" in text
    # --json keeps its list of reasons; --marginal adds the figure beside it.
    listed = json.loads(invoke("explain", EXAMPLE1, plan, "--json").stdout)
    assert isinstance(listed, list)
    both = json.loads(invoke("explain", EXAMPLE1, plan, "--json", "--marginal").stdout)
    assert both["reasons"] == listed
    assert both["marginal"]["removed_patient_months"] == 2
    assert both["marginal"]["spending"] == [
        {"hospital": "A", "category": "k", "additional": 0, "transfers": 1, "referrals": 0,
         "cost_sek": 150, "over_guarantee": -2}
    ]  # fmt: skip


def test_explain_without_a_budget_says_money_does_not_bind() -> None:
    result = invoke("explain", EXAMPLE1)
    assert result.exit_code == 0, result.output
    assert "No budget: money does not bind" in flat(result.output)
