"""Nothing trusted blindly: `check` verifies every model whose files are in a plan folder and the
digests manifest.json lists; `solve --previous` uses a plan only as written and only if it passes
the checker against its own scenario; a re-plan records what it was made from.

The scenarios are example 1 of the spec (tests/data/example1), with AT tables added where a
second model is needed; every solve takes well under a second.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from helpers import ACTUALS, EXAMPLE1, flat, invoke


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def forge_manifest(plan: Path, *names: str) -> None:
    """Make manifest.json list the files as they are now: edits that a digest check alone misses."""
    manifest = json.loads((plan / "manifest.json").read_text(encoding="utf-8"))
    for name in names:
        manifest["outputs_sha256"][name] = digest(plan / name)
    (plan / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture
def with_at(tmp_path: Path) -> Path:
    """Example 1 with two AT positions for A and B (weights 1 and 1: one each, deviation 0)."""
    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLE1, scenario)
    with (scenario / "scenario.toml").open("a", encoding="utf-8") as toml:
        toml.write("\n[at]\ntotal = 2\n")
    (scenario / "at.csv").write_text("hospital,min,max,weight\nA,0,2,1\nB,0,2,1\n", encoding="utf-8")
    return scenario


# -- check ----------------------------------------------------------------------------------------


def test_check_verifies_every_model_and_the_manifest(with_at: Path, tmp_path: Path) -> None:
    # The AT object is deleted from summary.json and at_distribution.csv edited to give A both
    # positions (deviation |2*2-2| + |2*0-2| = 4, not 0). Before, check saw no AT model and passed.
    plan = tmp_path / "plan"
    assert invoke("solve", with_at, "--out", plan).exit_code == 0
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    del summary["at"]
    (plan / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    rows = (plan / "at_distribution.csv").read_text(encoding="utf-8").splitlines()
    assert rows[1].startswith("A,1,") and rows[2].startswith("B,1,")
    rows[1], rows[2] = rows[1].replace("A,1,", "A,2,", 1), rows[2].replace("B,1,", "B,0,", 1)
    (plan / "at_distribution.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = invoke("check", with_at, plan)
    assert result.exit_code == 6, result.output
    output = flat(result.output)
    assert "summary.json has changed since the plan was written" in output
    assert "at_distribution.csv has changed since the plan was written" in output
    assert (
        'summary.json: has no object "at", but the plan folder holds its files (at_distribution.csv)'
        in output
    )
    # With the digests made to match, the edit itself is still found.
    forge_manifest(plan, "summary.json", "at_distribution.csv")
    result = invoke("check", with_at, plan)
    assert result.exit_code == 6, result.output
    assert "has changed since" not in flat(result.output)
    assert 'has no object "at"' in flat(result.output)


def test_check_names_a_file_that_is_not_as_written(tmp_path: Path) -> None:
    # A blank line added to volume_table.csv breaks no rule, but the file is not the one written;
    # a workbook put in by hand is not one the plan wrote either.
    plan = tmp_path / "plan"
    assert invoke("solve", EXAMPLE1, "--out", plan).exit_code == 0
    with (plan / "volume_table.csv").open("a", encoding="utf-8") as table:
        table.write("\n")
    (plan / "delivery_plan.xlsx").write_bytes(b"PK\x03\x04 not ours")
    result = invoke("check", EXAMPLE1, plan)
    assert result.exit_code == 6, result.output
    assert flat(result.output).count("violations:") == 1
    assert "2 violations:" in flat(result.output)
    assert "volume_table.csv has changed since the plan was written" in flat(result.output)
    assert "delivery_plan.xlsx was not written with the plan (manifest.json does not list it)" in flat(
        result.output
    )


def test_a_report_written_into_the_plan_is_listed(tmp_path: Path) -> None:
    # `report PLAN` writes report.html into the plan folder and lists it in manifest.json: the
    # folder still checks, and --overwrite still sees only the plan's own files.
    plan = tmp_path / "plan"
    assert invoke("solve", EXAMPLE1, "--out", plan).exit_code == 0
    assert invoke("report", plan).exit_code == 0
    manifest = json.loads((plan / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs_sha256"]["report.html"] == digest(plan / "report.html")
    assert invoke("check", EXAMPLE1, plan).exit_code == 0
    assert invoke("solve", EXAMPLE1, "--out", plan, "--overwrite").exit_code == 0


# -- solve --previous -----------------------------------------------------------------------------


def test_a_folder_that_is_not_a_plan_is_no_previous_plan(tmp_path: Path) -> None:
    # A folder holding only `{}` as summary.json was accepted as a previous plan.
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "summary.json").write_text("{}", encoding="utf-8")
    result = invoke("solve", EXAMPLE1, "--out", tmp_path / "b", "--previous", fake)
    assert result.exit_code == 2, result.output
    assert f"The previous plan {fake} cannot be used as written" in flat(result.output)
    assert "manifest.json is missing" in flat(result.output)
    assert not (tmp_path / "b").exists()


def test_a_previous_plan_must_be_as_written_and_pass_the_checker(tmp_path: Path) -> None:
    # The previous plan's delivery plan is edited to refer 3 patients to c1 in 2026-01, above its
    # monthly_max 2 (and its referrals total 3 + 0 within volume_max 3 but cost 360 not 240).
    # Before, the new plan was made against it silently.
    first, second = tmp_path / "a", tmp_path / "b"
    assert invoke("solve", EXAMPLE1, "--out", first).exit_code == 0
    path = first / "delivery_plan.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("X,c1,2,120,240", "X,c1,3,120,360"), "utf-8")
    result = invoke("solve", EXAMPLE1, "--out", second, "--previous", first)
    assert result.exit_code == 2, result.output
    assert "delivery_plan.csv has changed since the plan was written" in flat(result.output)
    forge_manifest(first, "delivery_plan.csv")
    result = invoke("solve", EXAMPLE1, "--out", second, "--previous", first)
    assert result.exit_code == 2, result.output
    assert "contract c1 took 3 referrals in 2026-01, above its monthly_max 2" in flat(result.output)
    assert not second.exists()


def test_a_previous_plan_whose_scenario_changed_is_refused(tmp_path: Path) -> None:
    # The plan was made from `scenario`; need.csv was then edited in place, so the plan can no
    # longer be checked against what it was made from.
    scenario, first = tmp_path / "scenario", tmp_path / "a"
    shutil.copytree(EXAMPLE1, scenario)
    assert invoke("solve", scenario, "--out", first).exit_code == 0
    (scenario / "need.csv").write_text("hospital,category,waiting,inflow\nA,k,12,4\n", encoding="utf-8")
    result = invoke("solve", scenario, "--out", tmp_path / "b", "--previous", first)
    assert result.exit_code == 2, result.output
    assert "the scenario the plan was made from is not there as it was" in flat(result.output)
    assert "need.csv differ" in flat(result.output)
    # With the original files back where the manifest says they were, the plan is usable again.
    shutil.rmtree(scenario)
    shutil.copytree(EXAMPLE1, scenario)
    result = invoke("solve", scenario, "--out", tmp_path / "b", "--previous", first)
    assert result.exit_code == 0, result.output


def test_a_replan_records_what_it_was_made_from(tmp_path: Path) -> None:
    # The re-plan from actuals records the digests of the previous plan's decision files and of
    # the actuals file; an actuals file edited afterwards is named by check.
    first, second = tmp_path / "a", tmp_path / "b"
    assert invoke("solve", EXAMPLE1, "--out", first).exit_code == 0
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(ACTUALS, encoding="utf-8")
    replan = ("--previous", first, "--freeze-until", "2026-01", "--actuals", actuals)
    assert invoke("solve", EXAMPLE1, "--out", second, *replan).exit_code == 0
    recorded = json.loads((second / "manifest.json").read_text(encoding="utf-8"))["replan_sha256"]
    assert recorded == {
        "actuals": digest(actuals),
        "previous_plan/delivery_plan.csv": digest(first / "delivery_plan.csv"),
        "previous_plan/production_plan.csv": digest(first / "production_plan.csv"),
    }
    assert invoke("check", EXAMPLE1, second).exit_code == 0
    actuals.write_text(ACTUALS.replace("A,k,2026-01,3,8", "A,k,2026-01,3,9"), encoding="utf-8")
    result = invoke("check", EXAMPLE1, second)
    assert result.exit_code == 6, result.output
    assert f"{actuals} (the actuals file this re-plan was made from) is missing or has changed since" in flat(
        result.output
    )
