"""The checker's frozen-months rule: in a re-plan with --freeze-until, the decided months are as
the previous plan decided them, and `check` and `solve` both enforce it.

Example 1 of the spec (tests/data/example1): the optimum refers 2 of A's patients to c1 in
2026-01 and transfers 1 to B (spec examples.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from helpers import EXAMPLE1
from helpers.training import example2
from leveransplan.cli import app
from leveransplan.inputs import load_scenario
from leveransplan.models.language import use_language
from leveransplan.models.results import ScenarioPlan
from leveransplan.models.training import PlacementData
from leveransplan.optimizer.placements.model import solve_placements
from leveransplan.outputs.checker.frozen import check_frozen_months
from leveransplan.outputs.publish import publish_plan

runner = CliRunner()


def solve(out: Path, *flags: str) -> Path:
    result = runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(out), "--quiet", *flags])
    assert result.exit_code == 0, result.output
    return out


def test_a_replan_that_keeps_the_frozen_month_passes(tmp_path: Path) -> None:
    base = solve(tmp_path / "base")
    replan = solve(tmp_path / "replan", "--previous", str(base), "--freeze-until", "2026-01")
    assert check_frozen_months(load_scenario(EXAMPLE1), replan, base, "2026-01") == []
    checked = runner.invoke(app, ["check", str(EXAMPLE1), str(replan)])
    assert checked.exit_code == 0, checked.output


def test_a_plan_that_changes_a_frozen_month_is_named(tmp_path: Path) -> None:
    # A plan made without the freeze, with c1 capped at 1: in 2026-01 it refers 1 to c1 where the
    # base plan referred 2. Against the base plan frozen up to 2026-01 that is a violation, named
    # by file, month, decision and both values; 2026-02 is not frozen and not compared.
    base = solve(tmp_path / "base")
    other = solve(
        tmp_path / "other", "--set", "contracts.c1.volume_max=1", "--set", "contracts.c1.volume_min=1"
    )
    scenario = load_scenario(EXAMPLE1)
    violations = check_frozen_months(scenario, other, base, "2026-01")
    assert (
        f"delivery_plan.csv 2026-01 referral A, c1: 1, but 2 was decided by the previous plan {base} "
        "(--freeze-until 2026-01)" in violations
    )
    assert not any("2026-02" in v for v in violations)


def test_check_applies_the_frozen_months_the_manifest_records(tmp_path: Path) -> None:
    # A re-plan whose previous plan was swapped afterwards for another one: check reads the
    # previous plan and the month from manifest.json and finds the decided month changed (and,
    # separately, that summary.json's stability no longer matches).
    base = solve(tmp_path / "base")
    replan = solve(tmp_path / "replan", "--previous", str(base), "--freeze-until", "2026-01")
    shutil.rmtree(base)
    solve(base, "--set", "contracts.c1.volume_max=1", "--set", "contracts.c1.volume_min=1")
    checked = runner.invoke(app, ["check", str(EXAMPLE1), str(replan)])
    assert checked.exit_code == 6
    assert "referral A, c1: 2, but 1 was decided" in " ".join(checked.output.split())


def test_a_frozen_placement_that_moved_is_named(tmp_path: Path) -> None:
    # Example 2 (tests/helpers/training.py): T3's paediatrics starts at H2 in 2026-01. In a copy of
    # the plan that stay starts in 2026-02 instead: the stay decided in the frozen 2026-01 is
    # gone (the new start lies after the freeze, so only that is named).

    scenario = example2()
    solution = solve_placements(PlacementData(scenario), 20)
    assert solution.plan.placed[("T3", "ped")] == ("H2", 2026 * 12)
    base = publish_plan(tmp_path / "base", tmp_path, scenario, ScenarioPlan(placements=solution), {})
    moved = tmp_path / "moved"
    shutil.copytree(base, moved)
    text = (moved / "placements.csv").read_text(encoding="utf-8")
    assert "T3,ped,H2,2026-01,2026-02" in text
    moved_text = text.replace("T3,ped,H2,2026-01,2026-02", "T3,ped,H2,2026-02,2026-03")
    (moved / "placements.csv").write_text(moved_text, encoding="utf-8")
    assert check_frozen_months(scenario, moved, base, "2026-01") == [
        f"placements.csv T3 ped: at H2 from 2026-02, but H2 from 2026-01 was decided by the previous plan "
        f"{base} (--freeze-until 2026-01)"
    ]


def test_a_start_in_a_frozen_month_the_previous_plan_lacks_is_named(tmp_path: Path) -> None:
    # Example 2 again, with a previous plan that did not place T3's paediatrics: the plan's start
    # at H2 in the frozen 2026-01 was not decided then, so it is named (in either language).
    scenario = example2()
    solution = solve_placements(PlacementData(scenario), 20)
    plan = publish_plan(tmp_path / "plan", tmp_path, scenario, ScenarioPlan(placements=solution), {})
    previous = tmp_path / "previous"
    shutil.copytree(plan, previous)
    text = (previous / "placements.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith("T3,ped,")]
    (previous / "placements.csv").write_text("".join(lines), encoding="utf-8")
    found = check_frozen_months(scenario, plan, previous, "2026-01")
    assert len(found) == 1
    assert found[0].startswith("placements.csv T3 ped: starts at H2 in 2026-01, a month ")
    assert found[0].endswith("where the previous plan has no such start")
    use_language("sv")
    assert check_frozen_months(scenario, plan, previous, "2026-01")[0].startswith(
        "placements.csv T3 ped: börjar på H2 i 2026-01"
    )
