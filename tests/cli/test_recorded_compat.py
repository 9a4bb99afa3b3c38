"""Plans written before two meanings changed are still verified as they were made:

- a re-plan recorded without `parameters.objective_source` ran the scenario's order (stability
  last where the scenario leaves the order open), not today's re-plan order;
- a plan recorded with `--dip` but without `parameters.dip_means` re-spread the year's volumes
  (what `--shift` does now), not a capacity loss.

Each old manifest is made from a new one by removing what older versions did not write.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import EXAMPLE1, invoke


def edit_manifest(plan: Path, change: dict) -> None:  # type: ignore[type-arg]
    path = plan / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for key, value in change.items():
        if value is None:
            manifest["parameters"].pop(key, None)
        else:
            manifest["parameters"][key] = value
    path.write_text(json.dumps(manifest), encoding="utf-8")


def test_a_replan_recorded_before_the_replan_order_keeps_the_scenarios_order(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLE1, scenario)
    toml = (scenario / "scenario.toml").read_text(encoding="utf-8")
    # No [objective] order: a re-plan today puts stability before cost.
    (scenario / "scenario.toml").write_text(toml.split("[objective]")[0] + "[solver]\nworkers = 1\n")
    assert invoke("solve", scenario, "--deterministic", "--out", tmp_path / "P").exit_code == 0
    # The old re-plan ran the spec's order: made here by giving it, then recorded as older
    # versions recorded it (no --objective flag given, no objective_source).
    spec_order = "over_guarantee,equity,out_of_region,cost,travel,stability"
    old = tmp_path / "R"
    result = invoke(
        "solve",
        scenario,
        "--deterministic",
        "--previous",
        tmp_path / "P",
        "--objective",
        spec_order,
        "--out",
        old,
    )
    assert result.exit_code == 0, result.output
    edit_manifest(old, {"what_if_flags": {}, "objective_source": None})
    checked = invoke("check", scenario, old)
    assert checked.exit_code == 0, checked.output
    # Marked as a re-plan of today, the same files break the re-plan order.
    edit_manifest(old, {"objective_source": {"volumes": "re-plan"}})
    checked = invoke("check", scenario, old)
    assert checked.exit_code == 6
    output = " ".join(checked.output.split())
    assert "(stability): comes after travel, but the volume objective order" in output


def test_a_dip_recorded_before_it_meant_a_loss_is_read_as_a_shift(tmp_path: Path) -> None:
    plan = tmp_path / "P"
    result = invoke("solve", EXAMPLE1, "--deterministic", "--shift", "A:2026-01=0.6", "--out", plan)
    assert result.exit_code == 0, result.output
    edit_manifest(plan, {"what_if_flags": {"dip": ["A:2026-01=0.6"]}, "dip_means": None})
    checked = invoke("check", EXAMPLE1, plan)
    assert checked.exit_code == 0, checked.output
    # Read as today's --dip (a capacity loss), the re-spread base breaks the base capacity.
    edit_manifest(plan, {"dip_means": "capacity_loss"})
    assert invoke("check", EXAMPLE1, plan).exit_code == 6
