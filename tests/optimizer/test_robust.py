"""solve --robust on a case where the plan made at forecast inflow is visibly fragile."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from helpers.risk import fragile_referrals
from helpers.volumes import write_scenario
from leveransplan.cli import app
from leveransplan.models.derived import VolumeData
from leveransplan.models.risk import PlanArrays, sample_outcomes
from leveransplan.models.uncertainty import RISK_STREAM, UncertaintyModel
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
    result = CliRunner().invoke(app, ["solve", str(folder), "--out", str(out), "--robust", "10"])
    assert result.exit_code == 0, result.output
    assert "robust" in result.output
    risk = CliRunner().invoke(
        app, ["--lang", "en", "risk", str(out), "--samples", "250", "--out", str(tmp_path / "risk")]
    )
    assert risk.exit_code == 0, risk.output
    summary = (tmp_path / "risk" / "risk_summary.csv").read_text(encoding="utf-8").splitlines()
    # No future leaves anyone beyond the guarantee with B, which never falls short.
    assert summary[1].startswith("A,0,0.0,0,0,0,0,0.0")
