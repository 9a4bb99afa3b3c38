"""A plan folder read back as its manifest records it: the scenario it was made from, and whether
it can be trusted as written.

A plan is made from a scenario folder, changed in memory by what-if flags and, for a re-plan
from actuals, cut to the months after the decided ones. manifest.json records all of that, so
the same scenario can be derived again (`plan_scenario`) and the plan checked against it.
`verify_plan` is what every command that builds on a plan runs first (`solve --previous`,
`diff`): the files must be as written (their SHA-256 as manifest.json lists them), the scenario
it was made from must still be there unchanged, and the independent checker must pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leveransplan.inputs.actuals import read_actuals
from leveransplan.inputs.load import load_scenario
from leveransplan.inputs.previous import read_previous_plan
from leveransplan.inputs.problems import ScenarioInvalid
from leveransplan.inputs.replan import rest_of_year
from leveransplan.inputs.whatif import DIP_MEANS, WhatIf, WhatIfInvalid, parse_recorded
from leveransplan.models.language import _
from leveransplan.models.scenario import Scenario
from leveransplan.outputs.checker.plan import check_plan
from leveransplan.outputs.manifest import (
    ACTUALS_KEY,
    MANIFEST,
    PREVIOUS_PLAN_KEY,
    ManifestUnreadable,
    changed_outputs,
    input_digests,
    read_manifest,
    sha256_of,
)


class PlanUnverified(Exception):
    """A plan cannot be used as written; `problems` says why, each in words."""

    def __init__(self, plan_dir: Path, problems: list[str]) -> None:
        super().__init__(_("{plan_dir} cannot be used as written").format(plan_dir=plan_dir))
        self.plan_dir = plan_dir
        self.problems = problems


@dataclass
class RecordedRun:
    """What a plan's manifest.json records of the run that made it."""

    manifest: dict[str, Any]
    what_ifs: list[WhatIf] = field(default_factory=list)
    previous_plan: Path | None = None
    freeze_until: str | None = None
    actuals_file: Path | None = None
    decided_until: str | None = None
    replan_order: bool = False

    @property
    def scenario_folder(self) -> Path | None:
        folder = self.manifest.get("scenario_folder")
        return Path(folder) if isinstance(folder, str) else None

    @property
    def frozen(self) -> tuple[Path, str] | None:
        """The previous plan and --freeze-until month the checker compares the decided months with."""
        if self.previous_plan is None or self.freeze_until is None:
            return None
        return self.previous_plan, self.freeze_until

    def changed_inputs(self, scenario_dir: Path) -> list[str]:
        """The scenario files that differ from those the plan was made from (none: the same)."""
        recorded = self.manifest.get("inputs_sha256")
        if not isinstance(recorded, dict):
            return []
        now = input_digests(scenario_dir)
        return sorted(name for name in set(now) | set(recorded) if now.get(name) != recorded.get(name))

    def changed_replan_inputs(self) -> list[str]:
        """The previous plan's decision files or the actuals file of a re-plan that are no longer
        as the re-plan read them."""
        recorded = self.manifest.get("replan_sha256")
        if not isinstance(recorded, dict):
            return []
        problems = []
        for key, digest in sorted(recorded.items()):
            if key.startswith(PREVIOUS_PLAN_KEY) and self.previous_plan is not None:
                path, what = self.previous_plan / key[len(PREVIOUS_PLAN_KEY) :], _("the previous plan's")
            elif key == ACTUALS_KEY and self.actuals_file is not None:
                path, what = self.actuals_file, _("the actuals file")
            else:
                continue
            try:
                same = path.is_file() and sha256_of(path) == digest
            except OSError:
                same = False
            if not same:
                problems.append(
                    _("{path} ({what} this re-plan was made from) is missing or has changed since").format(
                        path=path, what=what
                    )
                )
        return problems


def _unreadable(where: Path, key: str, expected: str) -> ManifestUnreadable:
    return ManifestUnreadable(
        _(
            "{where}: {key} is not what leveransplan writes (expected {expected}); was the file edited?"
        ).format(where=where, key=key, expected=expected)
    )


def recorded_run(plan_dir: Path) -> RecordedRun:
    """The run recorded in the plan's manifest.json; ManifestUnreadable when it cannot be read."""
    manifest = read_manifest(plan_dir)
    where = plan_dir / MANIFEST
    parameters = manifest.get("parameters")
    if not isinstance(parameters, dict):
        raise _unreadable(where, "parameters", _("an object"))
    flags = parameters.get("what_if_flags") or {}
    if not isinstance(flags, dict):
        raise _unreadable(where, "parameters.what_if_flags", _("an object of what-if flags"))
    if flags.get("dip") and parameters.get("dip_means") != DIP_MEANS:
        # A plan made when --dip re-spread the year (what --shift does now) is read as made.
        flags = {**flags, "shift": [*(flags.get("shift") or []), *flags["dip"]]}
        del flags["dip"]
    try:
        what_ifs = parse_recorded(flags)
    except WhatIfInvalid as invalid:
        raise ManifestUnreadable(
            _("{where} records what-if flags that cannot be read: {invalid}").format(
                where=where, invalid=invalid
            )
        ) from None
    except (TypeError, ValueError, AttributeError, KeyError):
        raise _unreadable(
            where, "parameters.what_if_flags", _("lists of flags as leveransplan writes them")
        ) from None
    run = RecordedRun(manifest, what_ifs)
    # A re-plan's order (stability after the guarantee's terms where the scenario left the order
    # open) is recorded by the plans made since it came in; an older re-plan ran the scenario's order.
    sources = parameters.get("objective_source")
    run.replan_order = isinstance(sources, dict) and "re-plan" in sources.values()
    previous, freeze = parameters.get("previous_plan"), parameters.get("freeze_until")
    if previous is not None and not isinstance(previous, str):
        raise _unreadable(where, "parameters.previous_plan", _("a folder name"))
    run.previous_plan = None if previous is None else Path(previous)
    run.freeze_until = freeze if isinstance(freeze, str) else None
    actuals = parameters.get("actuals")
    if actuals:
        if not (
            isinstance(actuals, dict)
            and isinstance(actuals.get("file"), str)
            and isinstance(actuals.get("decided_until"), str)
        ):
            raise _unreadable(where, "parameters.actuals", _('an object with "file" and "decided_until"'))
        run.actuals_file, run.decided_until = Path(actuals["file"]), actuals["decided_until"]
    return run


def plan_run(plan_dir: Path) -> tuple[RecordedRun, list[str]]:
    """The run a plan folder's manifest.json records, and whatever makes its files differ from
    what that run wrote (a plan without a manifest is checked as it is, with that said).

    ManifestUnreadable when `plan_dir` is no folder or its manifest cannot be read.
    """
    if not plan_dir.is_dir():
        raise ManifestUnreadable(_("{plan_dir} is not a plan folder").format(plan_dir=plan_dir))
    if not (plan_dir / MANIFEST).exists():
        return RecordedRun({}), [
            _("{file} is missing: the files cannot be verified as the plan wrote them").format(file=MANIFEST)
        ]
    run = recorded_run(plan_dir)
    return run, changed_outputs(plan_dir, run.manifest) + run.changed_replan_inputs()


def plan_scenario(run: RecordedRun, scenario_dir: Path, notes: list[str] | None = None) -> Scenario:
    """The scenario the run was made from: `scenario_dir` with its recorded what-ifs and re-plan.

    Raises what loading raises (ScenarioInvalid, WhatIfInvalid, ActualsInvalid, PreviousPlanInvalid).
    """
    scenario = load_scenario(scenario_dir, run.what_ifs)
    if run.replan_order:
        scenario = scenario.replanning()
    if run.actuals_file is None or run.decided_until is None:
        return scenario
    decided = None
    if run.previous_plan is not None:
        decided = read_previous_plan(run.previous_plan, scenario).volumes
    performed = read_actuals(run.actuals_file, notes)
    return rest_of_year(scenario, performed, run.decided_until, decided, run.actuals_file.name)


def _scenario_folder(run: RecordedRun, candidates: list[Path]) -> tuple[Path | None, list[str]]:
    """The first candidate folder whose scenario files are those the plan was made from."""
    tried = []
    for folder in candidates:
        if not (folder / "scenario.toml").is_file():
            continue
        changed = run.changed_inputs(folder)
        if not changed:
            return folder, []
        tried.append(_("{folder} ({changed} differ)").format(folder=folder, changed=", ".join(changed[:4])))
    return None, tried


def verify_plan(plan_dir: Path, scenario_dirs: list[Path] | None = None) -> tuple[Scenario, RecordedRun]:
    """The scenario of a plan that can be trusted as written, or PlanUnverified with every reason.

    The plan's files must be those manifest.json lists, unchanged; the scenario it was made from
    is the folder its manifest names, or one of `scenario_dirs`, whichever still holds the same
    files; and the plan must pass the independent checker against it.
    """
    if not plan_dir.is_dir():
        raise PlanUnverified(plan_dir, [_("{plan_dir} is not a plan folder").format(plan_dir=plan_dir)])
    try:
        run = recorded_run(plan_dir)
    except ManifestUnreadable as error:
        raise PlanUnverified(plan_dir, [str(error)]) from None
    problems = changed_outputs(plan_dir, run.manifest) + run.changed_replan_inputs()
    candidates = [folder for folder in [run.scenario_folder, *(scenario_dirs or [])] if folder is not None]
    folder, tried = _scenario_folder(run, candidates)
    if folder is None:
        where = "; ".join(tried) if tried else _("no scenario folder with scenario.toml")
        problems.append(
            _(
                "the scenario the plan was made from is not there as it was ({where}): the plan cannot be "
                "checked against it. Keep a decided plan's scenario unchanged; make changes in a copy or "
                "with what-if flags"
            ).format(where=where)
        )
        raise PlanUnverified(plan_dir, problems)
    try:
        scenario = plan_scenario(run, folder)
    except ScenarioInvalid as invalid:
        raise PlanUnverified(
            plan_dir, problems + [_("its scenario: {p}").format(p=p) for p in invalid.problems]
        ) from None
    problems += check_plan(scenario, plan_dir, run.frozen)
    if problems:
        raise PlanUnverified(plan_dir, problems)
    return scenario, run
