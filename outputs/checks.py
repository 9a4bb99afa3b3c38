"""The plan checker for a whole plan folder: each model's checker for each model the plan holds."""

from __future__ import annotations

import json
from pathlib import Path

from models.scenario import Scenario
from outputs.check import SUMMARY, check_volume_plan
from outputs.check_frozen import check_frozen_months
from outputs.check_training import check_at_plan, check_placements_plan

CHECKERS = {"volumes": check_volume_plan, "at": check_at_plan, "placements": check_placements_plan}


def models_in_plan(plan_dir: Path) -> list[str] | None:
    """The models summary.json has an object for, or None when it cannot be read."""
    try:
        document = json.loads((plan_dir / SUMMARY).read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(document, dict):
        return None
    return [name for name in CHECKERS if name in document]


def check_plan(scenario: Scenario, plan_dir: Path, frozen: tuple[Path, str] | None = None) -> list[str]:
    """Every violation of the spec by the plan in `plan_dir`; empty when every model passes.

    `frozen`: the previous plan's folder and the --freeze-until month of a re-plan, whose
    decided months must be as the previous plan decided them (outputs.check_frozen).
    """
    models = models_in_plan(Path(plan_dir))
    if models is None:
        # Let the volume checker say precisely what is wrong with summary.json.
        return check_volume_plan(scenario, plan_dir) or [f"{SUMMARY}: cannot be read in {plan_dir}"]
    if not models:
        return [f'{SUMMARY}: has no object "volumes", "at" or "placements"; expected one per model solved']
    violations: list[str] = []
    if "volumes" not in models:  # the volume checker compares the name; without it, here
        named = json.loads((Path(plan_dir) / SUMMARY).read_bytes().decode("utf-8-sig")).get("scenario")
        if named != scenario.name:
            violations.append(f"{SUMMARY} scenario: {named!r}, but the scenario is {scenario.name!r}")
    present = {"volumes": scenario.has_volumes, "at": scenario.has_at, "placements": scenario.has_placements}
    for name in models:
        if not present[name]:
            violations.append(
                f'{SUMMARY}: has an object "{name}", but the scenario has no tables for that model'
            )
            continue
        violations.extend(CHECKERS[name](scenario, Path(plan_dir)))
    if frozen is not None:
        violations.extend(check_frozen_months(scenario, Path(plan_dir), *frozen))
    return violations
