"""Solving every model a scenario has tables for, within one time limit for the whole solve."""

from __future__ import annotations

from leveransplan.inputs.previous import PreviousPlan
from leveransplan.models.language import _
from leveransplan.models.months import parse_month
from leveransplan.models.plan import ChangeAllowance
from leveransplan.models.results import ScenarioPlan
from leveransplan.models.scenario import Scenario
from leveransplan.models.training import ATData, PlacementData
from leveransplan.optimizer.at.model import solve_at
from leveransplan.optimizer.errors import Infeasible, NoPlanInTime, reason_of
from leveransplan.optimizer.placements.model import solve_placements
from leveransplan.optimizer.procurement import MODEL as PROCUREMENT_BASELINE
from leveransplan.optimizer.procurement import over_guarantee_without_candidates
from leveransplan.optimizer.search import current_run_or_none, search_run
from leveransplan.optimizer.volumes.driver import solve_volumes
from leveransplan.optimizer.volumes.robust import robust_plan


def models_to_solve(scenario: Scenario, only: str | None) -> list[str]:
    """The models the scenario has tables for, or just `only` (which must be one of them)."""
    present = [
        name
        for name, has in (
            ("volumes", scenario.has_volumes),
            ("at", scenario.has_at),
            ("placements", scenario.has_placements),
        )
        if has
    ]
    if only is None:
        return present
    if only not in present:
        raise ValueError(
            _("--only {model}: the scenario has no tables for that model; it has {present}").format(
                model=only, present=", ".join(present)
            )
        )
    return [only]


def solve_scenario(
    scenario: Scenario,
    models: list[str],
    propose_places: bool = False,
    previous: PreviousPlan | None = None,
    frozen_until: str | None = None,
    allowance: ChangeAllowance | None = None,
    robust_samples: int | None = None,
) -> ScenarioPlan:
    """AT first (tiny), then volumes with at most half the time when placements follow, then the
    placements with all that is left.

    A model that finishes early leaves its time to the next: the volumes usually prove every
    stage in seconds at a region's size, and the placements can use every second they get.
    A model for which the time limit left no plan at all is named in `not_solved` and the others
    are solved still: only an infeasible model ends the whole solve.
    """
    run = current_run_or_none()
    if run is None:
        with search_run(scenario.solver.deterministic):
            return solve_scenario(
                scenario, models, propose_places, previous, frozen_until, allowance, robust_samples
            )
    started = run.now()
    limit = scenario.solver.time_limit_s
    plan = ScenarioPlan()

    def remaining() -> float:
        return max(limit - (run.now() - started), 0.05)

    if "at" in models:
        run.progress.start_model("at", run.now())
        try:
            plan.at = solve_at(ATData(scenario), remaining())
        except Infeasible as infeasible:
            raise Infeasible(str(infeasible), "at") from None
        except NoPlanInTime as error:
            plan.not_solved["at"] = reason_of(error)
    if "volumes" in models:
        without = None
        if scenario.has_candidates and frozen_until is None:
            # What the region reaches without procuring: a quarter of the volumes' time at most
            # (one separable stage, usually solved in a moment on the networks).
            run.progress.start_model(PROCUREMENT_BASELINE, run.now())
            quarter = (remaining() / 2 if "placements" in models else remaining()) / 4
            without = over_guarantee_without_candidates(scenario, quarter)
        run.progress.start_model("volumes", run.now())
        share = remaining() / 2 if "placements" in models else remaining()
        settings = scenario.solver.model_copy(update={"time_limit_s": share})
        try:
            plan.volumes = solve_volumes(
                scenario.model_copy(update={"solver": settings}),
                None if previous is None else previous.volumes,
                None if frozen_until is None else scenario.horizon.number(frozen_until),
                allowance,
            )
        except Infeasible as infeasible:
            raise Infeasible(str(infeasible), "volumes") from None
        except NoPlanInTime as error:
            plan.not_solved["volumes"] = reason_of(error)
        if plan.volumes is not None:
            plan.volumes.over_without_candidates = without
        if plan.volumes is not None and robust_samples is not None:
            # The plan made at forecast inflow sets the money; the robust plan replaces it.
            run.progress.start_model("robust", run.now())
            try:
                plan.volumes = robust_plan(scenario, plan.volumes, robust_samples)
            except NoPlanInTime as error:
                plan.volumes = None
                plan.not_solved["volumes"] = reason_of(error)
    if "placements" in models:
        run.progress.start_model("placements", run.now())
        previous_placements = None if previous is None else previous.placements
        placement_freeze = None if frozen_until is None else parse_month(frozen_until)
        data = PlacementData(scenario, previous_placements, placement_freeze)
        try:
            plan.placements = solve_placements(
                data,
                remaining(),
                propose_places,
                previous=previous_placements,
                previous_plan=None
                if previous is None or previous_placements is None
                else str(previous.folder),
            )
        except Infeasible as infeasible:
            raise Infeasible(str(infeasible), "placements") from None
        except NoPlanInTime as error:
            plan.not_solved["placements"] = reason_of(error)
    return plan
