"""`leveransplan risk` from the command line: the files it writes, the same figures for the same
seed, another uncertainty.csv without touching the scenario, and refusals that write nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers.risk import fragile_referrals
from helpers.volumes import write_scenario
from leveransplan.cli import app


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fragile scenario's plan at forecast inflow: all 100 referrals to X, which cancels a month
    with chance 1/2 (tests/models/test_risk.py derives its risk by hand: 75 patient-months on
    average, the year ending worse than planned in 3 futures of 4)."""
    folder = tmp_path_factory.mktemp("risk")
    scenario = write_scenario(folder / "fragile", fragile_referrals())
    (scenario / "uncertainty.csv").write_text(
        "kind,contract,value\ninflow_cv,,0\nshortfall_chance,,0\nreliability,X1,0.5\n", encoding="utf-8"
    )
    code, output = run("solve", str(scenario), "--out", str(folder / "plan"), "--quiet")
    assert code == 0, output
    return folder / "plan"


def test_risk_writes_its_folder_in_swedish(plan: Path, tmp_path: Path) -> None:
    code, output = run(
        "--lang", "sv", "risk", str(plan), "--samples", "400", "--seed", "2", "--out", str(tmp_path / "r")
    )
    assert code == 0, output
    assert "Patientmånader utöver vårdgarantin i 400 framtider" in output
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [
        "datapackage.json",
        "report.html",
        "risk.json",
        "risk_months.csv",
        "risk_summary.csv",
    ]
    rows = (tmp_path / "r" / "risk_summary.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "area,planned,mean,p50,p90,p99,planned_end,chance_end_above_plan"
    area, planned, mean, p50, p90, p99, planned_end, chance = rows[1].split(",")
    # By hand: 0, 50, 100 or 150 patient-months, equally likely; 0 planned.
    assert (area, planned, planned_end) == ("A", "0", "0")
    assert abs(float(mean) - 75) < 10
    # The median lies between the second and the third value (half the futures at or below 50);
    # nine futures in ten have 150 at most, and fewer than one in ten has 150.
    assert p50 in {"50", "100"} and (p90, p99) == ("150", "150")
    assert abs(float(chance) - 0.75) < 0.08
    document = json.loads((tmp_path / "r" / "risk.json").read_text(encoding="utf-8"))
    assert (document["samples"], document["seed"]) == (400, 2)
    assert {"kind": "reliability", "contract": "X1", "value": "0.5"} in document["uncertainty"]
    report = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "<svg" in report and "Risk att vårdgarantin bryts" in report


def test_the_same_seed_gives_the_same_files(plan: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        code, output = run("risk", str(plan), "--samples", "300", "--out", str(tmp_path / name))
        assert code == 0, output
    for file in ("risk_summary.csv", "risk_months.csv", "risk.json"):
        first = (tmp_path / "a" / file).read_text(encoding="utf-8").replace(str(tmp_path / "a"), "")
        assert first == (tmp_path / "b" / file).read_text(encoding="utf-8").replace(str(tmp_path / "b"), "")


def test_another_uncertainty_file_leaves_the_scenario_as_it_was(plan: Path, tmp_path: Path) -> None:
    scenario = plan.parent / "fragile" / "uncertainty.csv"
    before = scenario.read_bytes()
    other = tmp_path / "reliable.csv"
    other.write_text(
        "kind,contract,value\ninflow_cv,,0\nshortfall_chance,,0\nreliability,X1,1\n", encoding="utf-8"
    )
    code, output = run(
        "--lang",
        "en",
        "risk",
        str(plan),
        "--samples",
        "50",
        "--uncertainty",
        str(other),
        "--json",
        "--out",
        str(tmp_path / "r"),
    )
    assert code == 0, output
    # X always delivers: no future leaves anyone beyond the guarantee.
    assert json.loads(output)["risk_folder"] == str(tmp_path / "r")
    assert (tmp_path / "r" / "risk_summary.csv").read_text(encoding="utf-8").splitlines()[
        1
    ] == "A,0,0.0,0,0,0,0,0.0"
    assert scenario.read_bytes() == before


def test_a_bad_uncertainty_file_is_named_and_nothing_is_written(plan: Path, tmp_path: Path) -> None:
    other = tmp_path / "bad.csv"
    other.write_text("kind,contract,value\nreliability,X1,1.5\n", encoding="utf-8")
    code, output = run(
        "--lang", "en", "risk", str(plan), "--uncertainty", str(other), "--out", str(tmp_path / "r")
    )
    assert code == 3
    assert f"{other}, row 2, column value: '1.5'" in output
    assert not (tmp_path / "r").exists()


def test_an_unreachable_scheduler_is_named_and_nothing_is_written(plan: Path, tmp_path: Path) -> None:
    code, output = run(
        "--lang", "en", "risk", str(plan), "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "r")
    )
    assert code == 2
    assert "tcp://127.0.0.1:9" in output and "Nothing was written" in output
    assert not (tmp_path / "r").exists()


def test_a_folder_that_is_no_plan_is_refused(tmp_path: Path) -> None:
    code, output = run("--lang", "en", "risk", str(tmp_path), "--out", str(tmp_path / "r"))
    assert code == 2
    assert "cannot be played as written" in output
    assert not (tmp_path / "r").exists()
