"""solve --robust on a case where the plan made at forecast inflow is visibly fragile, and over
generated scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from typer.testing import CliRunner

from helpers.generated import PROPERTY, scenarios
from helpers.risk import fragile_referrals
from helpers.volumes import publish_and_check, write_scenario
from leveransplan.cli import app
from leveransplan.models.derived import VolumeData
from leveransplan.models.risk import PlanArrays, forecast_future, play, sample_outcomes
from leveransplan.models.scenario import Scenario, SolverSettings
from leveransplan.models.uncertainty import RISK_STREAM, UncertaintyModel
from leveransplan.optimizer.errors import Infeasible
from leveransplan.optimizer.volumes.driver import solve_volumes
from leveransplan.optimizer.volumes.robust import robust_plan


def test_the_robust_plan_leaves_the_unreliable_contract() -> None:
    # At forecast inflow X and B cost the same and X is closer: the forecast plan refers all 100 to
    # X, and loses 75 patient-months on average when X cancels half its months (test_risk). B
    # never falls short: the robust plan sends the 100 to B at the same cost, and no future leaves
    # anyone beyond the guarantee.
    scenario = fragile_referrals()
    forecast = solve_volumes(scenario)
    assert forecast.decisions.referrals == {("A", "X1", 1): 50, ("A", "X1", 2): 50}
    robust = robust_plan(scenario, forecast, samples=20)
    assert robust.decisions.referrals == {}
    assert robust.decisions.transfers == {("A", "B", "k", 1): 50, ("A", "B", "k", 2): 50}
    assert robust.values.term("cost") <= forecast.values.term("cost") == 10_000
    assert robust.robust is not None and robust.robust.money_cap_sek == 10_000
    data = VolumeData.from_scenario(scenario)
    model = UncertaintyModel.of(data)
    # Judged on 1 000 futures of the risk stream, which the robust plan was not made against.
    judged = {
        name: sample_outcomes(data, PlanArrays.of(data, plan.decisions), model, 1000, 0, RISK_STREAM)
        for name, plan in (("forecast", forecast), ("robust", robust))
    }
    assert judged["robust"].patient_months.max() == 0
    assert abs(judged["forecast"].patient_months[:, 0].mean() - 75) < 6  # by hand in test_risk


def test_solve_robust_writes_a_checked_plan(tmp_path: Path) -> None:
    folder = write_scenario(tmp_path / "fragile", fragile_referrals())
    (folder / "uncertainty.csv").write_text(
        "kind,hospital,category,contract,month,value\n"
        "inflow_cv,,,,,0\nshortfall_chance,,,,,0\nreliability,,,X1,,0.5\n",
        encoding="utf-8",
    )
    out = tmp_path / "plan"
    result = CliRunner().invoke(
        app, ["--lang", "en", "solve", str(folder), "--out", str(out), "--robust", "10", "--report"]
    )
    assert result.exit_code == 0, result.output
    assert "a robust plan, made against 10 sampled futures (seed 0)" in result.output
    robust = json.loads((out / "summary.json").read_text(encoding="utf-8"))["volumes"]["robust"]
    # The forecast plan: nobody beyond the guarantee at forecast inflow, 100 referrals at 100 SEK.
    assert (robust["samples"], robust["money_cap_sek"], robust["forecast_over_guarantee"]) == (10, 10_000, 0)
    assert "A robust plan (solve --robust): made against 10 sampled futures" in (
        out / "report.html"
    ).read_text(encoding="utf-8")
    risk = CliRunner().invoke(
        app, ["--lang", "en", "risk", str(out), "--samples", "250", "--out", str(tmp_path / "risk")]
    )
    assert risk.exit_code == 0, risk.output
    summary = (tmp_path / "risk" / "risk_summary.csv").read_text(encoding="utf-8").splitlines()
    # No future leaves anyone beyond the guarantee with B, which never falls short.
    assert summary[1].startswith("A,0,0.0,0,0,0,0,0.0")


@PROPERTY
@given(scenarios(budget="feasible"))
def test_a_robust_plan_is_a_plan_within_the_money(
    tmp_path_factory: pytest.TempPathFactory, scenario: Scenario
) -> None:
    # Over generated scenarios (with a budget, without hospital frames, which --robust refuses):
    # the robust plan passes the independent checker, costs at most the forecast plan and the
    # budget, and the forecast future played through it gives the spec's own waiting lists.
    hospitals = tuple(h.model_copy(update={"frame_sek": None}) for h in scenario.hospitals)
    scenario = scenario.model_copy(
        update={"hospitals": hospitals, "solver": SolverSettings(time_limit_s=5, workers=1)}
    )
    try:
        forecast = solve_volumes(scenario)
    except Infeasible:
        return
    robust = robust_plan(scenario, forecast, samples=4)
    cost = robust.values.term("cost")
    assert cost <= forecast.values.term("cost")
    assert scenario.max_cost_sek is None or cost <= scenario.max_cost_sek
    data = VolumeData.from_scenario(scenario)
    played = play(PlanArrays.of(data, robust.decisions), forecast_future(data))
    assert int(played.over.sum()) == robust.values.over_guarantee()
    assert int(played.paid[0]) == cost
    tmp = tmp_path_factory.mktemp("robust")
    publish_and_check(tmp, write_scenario(tmp / "scenario", scenario), scenario, robust)
