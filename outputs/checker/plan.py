"""The plan checker for a whole plan folder: each model's checker for each model the plan holds.

A model is checked when summary.json has an object for it or when any of its files is in the
folder: a file that summary.json does not speak of is still part of what a reader sees.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from leveransplan.inputs.tables import read_file
from leveransplan.models.language import _
from leveransplan.models.scenario import Scenario
from leveransplan.outputs.checker.bi import check_bi
from leveransplan.outputs.checker.copies import check_copies
from leveransplan.outputs.checker.data_dictionary import check_data_package
from leveransplan.outputs.checker.files import SUMMARY
from leveransplan.outputs.checker.frozen import check_frozen_months
from leveransplan.outputs.checker.training_plan import check_at_plan, check_placements_plan
from leveransplan.outputs.checker.volume_plan import check_volume_plan
from leveransplan.outputs.manifest import MODEL_FILES

CHECKERS = {"volumes": check_volume_plan, "at": check_at_plan, "placements": check_placements_plan}


def _summary(plan_dir: Path) -> dict[str, Any] | None:
    try:
        document = json.loads(read_file(plan_dir / SUMMARY).decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return document if isinstance(document, dict) else None


def models_in_plan(plan_dir: Path) -> list[str] | None:
    """The models summary.json has an object for, or None when it cannot be read."""
    document = _summary(Path(plan_dir))
    if document is None:
        return None
    return [name for name in CHECKERS if name in document]


def models_with_files(plan_dir: Path) -> list[str]:
    """The models any of whose files is in the plan folder."""
    return [name for name, files in MODEL_FILES.items() if any((Path(plan_dir) / f).exists() for f in files)]


def _partial_marks(document: dict[str, Any], models: list[str]) -> list[str]:
    """summary.json's marks of a plan the time limit stopped agree with its stages.

    Each model's `stopped_by_time_limit` is whether any of its stages is not OPTIMAL; `partial` is
    whether any model is stopped or has no plan at all (`not_solved`).
    """
    violations = []
    stopped_any = False
    for name in models:
        model = document.get(name)
        if not isinstance(model, dict) or not isinstance(model.get("stages"), list):
            continue  # the model's own checker names what is wrong with its stages
        stopped = any(isinstance(s, dict) and s.get("status") != "OPTIMAL" for s in model["stages"])
        stopped_any = stopped_any or stopped
        marked = model.get("stopped_by_time_limit")
        if marked is not None and marked is not stopped:
            violations.append(
                _("{file} {name}.stopped_by_time_limit: {marked}, but its stages say {stopped}").format(
                    file=SUMMARY, name=name, marked=repr(marked), stopped=repr(stopped)
                )
            )
    not_solved = document.get("not_solved", {})
    if not isinstance(not_solved, dict):
        violations.append(
            _("{file} not_solved: {not_solved} is not an object of models and reasons").format(
                file=SUMMARY, not_solved=repr(not_solved)
            )
        )
        not_solved = {}
    for name in not_solved:
        if name in models:
            violations.append(
                _('{file} not_solved names "{name}", but the plan holds that model').format(
                    file=SUMMARY, name=name
                )
            )
    partial = document.get("partial")
    expected = stopped_any or bool(not_solved)
    if partial is not None and partial is not expected:
        violations.append(
            _("{file} partial: {partial}, but the stages and not_solved say {expected}").format(
                file=SUMMARY, partial=repr(partial), expected=repr(expected)
            )
        )
    return violations


def check_plan(scenario: Scenario, plan_dir: Path, frozen: tuple[Path, str] | None = None) -> list[str]:
    """Every violation of the spec by the plan in `plan_dir`; empty when every model passes.

    `frozen`: the previous plan's folder and the --freeze-until month of a re-plan, whose
    decided months must be as the previous plan decided them (outputs/checker/frozen.py).
    """
    plan_dir = Path(plan_dir)
    document = _summary(plan_dir)
    if document is None:
        # Let the volume checker say precisely what is wrong with summary.json.
        return check_volume_plan(scenario, plan_dir) or [
            _("{file}: cannot be read in {plan_dir}").format(file=SUMMARY, plan_dir=plan_dir)
        ]
    in_files = models_with_files(plan_dir)
    models = [name for name in CHECKERS if name in document or name in in_files]
    if not models:
        return [
            _('{file}: has no object "volumes", "at" or "placements"; expected one per model solved').format(
                file=SUMMARY
            )
        ]
    violations: list[str] = []
    if "volumes" not in models:  # the volume checker compares the name; without it, here
        named = document.get("scenario")
        if named != scenario.name:
            violations.append(
                _("{file} scenario: {named}, but the scenario is {name}").format(
                    file=SUMMARY, named=repr(named), name=repr(scenario.name)
                )
            )
    present = {"volumes": scenario.has_volumes, "at": scenario.has_at, "placements": scenario.has_placements}
    for name in models:
        if not present[name]:
            files = [f for f in MODEL_FILES[name] if (plan_dir / f).exists()]
            what = (
                _('has an object "{name}"').format(name=name)
                if name in document
                else _("has no {name}, but {files} is here").format(name=name, files=files[0])
            )
            violations.append(
                _("{file}: {what}, but the scenario has no tables for that model").format(
                    file=SUMMARY, what=what
                )
            )
            continue
        if name not in document:
            violations.append(
                _('{file}: has no object "{name}", but the plan folder holds its files ({files})').format(
                    file=SUMMARY,
                    name=name,
                    files=", ".join(f for f in MODEL_FILES[name] if (plan_dir / f).exists()),
                )
            )
        violations.extend(CHECKERS[name](scenario, plan_dir))
    violations.extend(_partial_marks(document, models))
    violations.extend(check_bi(scenario, plan_dir, document))
    violations.extend(check_data_package(plan_dir))
    violations.extend(check_copies(plan_dir))
    if frozen is not None:
        violations.extend(check_frozen_months(scenario, plan_dir, *frozen))
    return violations
