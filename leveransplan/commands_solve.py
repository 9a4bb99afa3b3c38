"""`solve`: from a scenario folder and the run's flags to a checked plan folder, all files or none.

The scenario is loaded with the what-ifs applied; a previous plan must be as written and pass the
checker before the solve stays close to it; a re-plan from actuals solves the months after the
decided ones. The solve gets what the time limit leaves once reading is done and writing and
checking are set aside; the plan is then written, checked by the independent checker and
published together.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn

import typer

from leveransplan.commands import (
    cannot_write,
    load,
    print_placement_conflicts,
    print_volume_conflicts,
    refuse,
    replan_rest_of_year,
)
from leveransplan.exit_codes import (
    EXIT_CHECK,
    EXIT_INFEASIBLE,
    EXIT_NO_SOLUTION,
    EXIT_PARTIAL,
    EXIT_USAGE,
)
from leveransplan.inputs.previous import PreviousPlan, PreviousPlanInvalid, read_previous_plan
from leveransplan.inputs.whatif import DIP_MEANS, WhatIf
from leveransplan.models.language import N_, _
from leveransplan.models.months import format_month, parse_month
from leveransplan.models.plan import ChangeAllowance
from leveransplan.models.scenario import Scenario
from leveransplan.models.wording import shown
from leveransplan.optimizer.errors import Infeasible
from leveransplan.optimizer.search import search_run
from leveransplan.optimizer.solve import models_to_solve, solve_scenario
from leveransplan.outputs.checker.volume_plan import PlanCheckFailed
from leveransplan.outputs.console.common import err_console, print_problems, print_summary_json
from leveransplan.outputs.console.solve import print_replan_order, print_solved
from leveransplan.outputs.manifest import previous_plan_record, replan_digests
from leveransplan.outputs.publish import (
    OutputRefused,
    TargetTaken,
    plan_target,
    publish_plan,
    publish_seconds,
)
from leveransplan.outputs.recorded import PlanUnverified, verify_plan


@dataclass(frozen=True)
class SolveRun:
    """What `solve` was asked for, its flags parsed."""

    folder: Path
    out: Path | None
    overwrite: bool
    only: str | None
    propose_places: bool
    robust: int | None  # --robust N: the planning futures
    # --time-limit, --workers, --seed and --deterministic, as the solver settings they change.
    solver: dict[str, Any]
    previous: Path | None
    freeze_until: str | None
    # --round: the decision round, YYYY-MM; the months before it are frozen.
    decision_round: str | None
    actuals: Path | None
    # --allow-change UNITS and --allow-change-sek SEK, as typed.
    allow_change: tuple[int | None, str | None]
    what_if_flags: dict[str, Any]
    what_ifs: list[WhatIf]
    excel: bool
    report: bool
    parquet: bool
    swedish_csv: bool
    quiet: bool
    as_json: bool


def _check_robust(scenario: Scenario, models: list[str], run: SolveRun) -> None:
    """--robust plans a year of volumes from its start, against the region's money alone."""
    why = None
    if "volumes" not in models:
        why = _("--robust plans the volumes; the scenario has no volume tables, or --only leaves them out.")
    elif run.previous is not None or run.freeze_until is not None or run.decision_round is not None:
        why = _(
            "--robust plans the year from its start; it does not re-plan (--previous, --freeze-until, "
            "--round). Re-plan without --robust."
        )
    elif any(h.frame_sek is not None for h in scenario.hospitals):
        why = _(
            "--robust keeps the region's money within the forecast plan's cost, not each hospital's "
            "frame (frame_sek in hospitals.csv); solve without --robust, or without the frames."
        )
    elif scenario.has_candidates:
        why = _(
            "--robust does not choose which candidate contracts to procure; solve without --robust, "
            "or without candidate_contracts.csv."
        )
    if why is not None:
        err_console.print(why)
        raise typer.Exit(EXIT_USAGE)


def solve(run: SolveRun, started: float) -> NoReturn:
    """Solve the scenario and publish its plan; exit 0, or 8 when the time limit stopped a model
    (`started`: when the command started, on time.perf_counter's clock)."""
    folder, freeze_until = run.folder, run.freeze_until
    scenario = load(folder, run.what_ifs)
    try:
        models = models_to_solve(scenario, run.only)
    except ValueError as error:
        err_console.print(f"{error}.")
        raise typer.Exit(EXIT_USAGE) from None
    if run.propose_places and "placements" not in models:
        err_console.print(_("--propose-places needs the ST-A tables (st_trainees.csv and the others)."))
        raise typer.Exit(EXIT_USAGE)
    if run.robust is not None:
        _check_robust(scenario, models, run)
    if run.solver:
        try:
            settings = scenario.solver.model_copy(update=run.solver)
            type(scenario.solver).model_validate(settings.model_dump())
        except ValueError:
            err_console.print(
                _("--time-limit must be above 0, --workers 0 to 1024 and --seed 0 to 2147483647.")
            )
            raise typer.Exit(EXIT_USAGE) from None
        scenario = scenario.model_copy(update={"solver": settings})
    if run.decision_round is not None:
        freeze_until = _round_freeze_until(scenario, run)
    protected = {N_("the scenario folder"): folder}
    if run.previous is not None:
        protected[N_("the previous plan")] = run.previous
    try:
        target = plan_target(run.out, Path(f"plan-{folder.resolve().name}"), run.overwrite, protected)
    except OutputRefused as refused:
        err_console.print(_("{why}. Nothing was written.").format(why=refused), markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    previous_manifest = None
    if run.previous is not None:
        _verify_previous(run.previous, folder)
        previous_manifest = previous_plan_record(run.previous)  # as verified, before the solve
        scenario = scenario.replanning()
        print_replan_order(scenario, models)
    if run.actuals is not None:
        if freeze_until is None or models != ["volumes"]:
            err_console.print(
                _(
                    "--actuals re-plans the volumes after the decided months: give --freeze-until YYYY-MM "
                    "(or a --round after the horizon's first month) and, when the scenario has training "
                    "tables, --only volumes."
                )
            )
            raise typer.Exit(EXIT_USAGE)
        scenario = replan_rest_of_year(scenario, run.actuals, freeze_until, run.previous)
        freeze_until = None  # the decided months are not part of the new plan
    replan_sha256 = replan_digests(run.previous, run.actuals)  # as read, before the solve
    previous_plan = None
    if run.previous is not None:
        try:
            previous_plan = read_previous_plan(run.previous, scenario)
        except PreviousPlanInvalid as invalid:
            refuse(
                _("[bold red]The previous plan {plan} cannot be used:[/]").format(plan=run.previous),
                invalid.problems,
                EXIT_USAGE,
            )
    if freeze_until is not None:
        _check_freeze(scenario, previous_plan, freeze_until)
    allowance = _change_allowance(run, models, scenario.objective.volumes)
    show_progress = not run.quiet and not run.as_json and err_console.is_terminal
    try:
        with search_run(scenario.solver.deterministic, show_progress) as search:
            plan = solve_scenario(
                _solve_time_left(scenario, models, started, run.excel),
                models,
                run.propose_places,
                previous_plan,
                freeze_until,
                allowance,
                run.robust,
            )
    except Infeasible as error:
        err_console.print(_("[bold red]Infeasible:[/] {why}.").format(why=error))
        if error.model == "volumes":
            print_volume_conflicts(scenario, previous_plan, freeze_until)
        elif error.model == "placements":
            print_placement_conflicts(scenario, previous_plan, freeze_until)
        err_console.print(_("Nothing was written."))
        raise typer.Exit(EXIT_INFEASIBLE) from None
    if not plan.models:
        reasons = "; ".join(f"{model}: {shown(why)}" for model, why in plan.not_solved.items())
        err_console.print(
            _("No plan within the time limit ({reasons}). Nothing was written.").format(reasons=reasons)
        )
        raise typer.Exit(EXIT_NO_SOLUTION)
    parameters = {
        "what_if": [str(change) for change in run.what_ifs],
        "what_if_flags": run.what_if_flags,
        **({"dip_means": DIP_MEANS} if run.what_if_flags.get("dip") else {}),
        "previous_plan": None if run.previous is None else str(run.previous),
        "round": run.decision_round,
        "freeze_until": freeze_until if run.actuals is None else None,
        "actuals": None
        if run.actuals is None
        else {"file": str(run.actuals), "decided_until": _month_before_start(scenario)},
        "models": models,
        "propose_places": run.propose_places,
        "robust": run.robust,
        "objective": scenario.objective.model_dump(),
        "objective_source": scenario.objective.sources(run.previous is not None, models),
        **({} if allowance is None else {"change_allowance": asdict(allowance)}),
        "max_cost_sek": scenario.max_cost_sek,
        "solver": scenario.solver.model_dump(),
    }
    try:
        written = publish_plan(
            target,
            folder,
            scenario,
            plan,
            parameters,
            previous_plan=None
            if previous_plan is None or previous_plan.volumes is None
            else str(run.previous),
            excel=run.excel,
            report=run.report,
            parquet=run.parquet,
            swedish_csv=run.swedish_csv,
            progress=search.progress.trajectory(),
            replan_sha256=replan_sha256,
            previous_manifest=previous_manifest,
        )
    except (OutputRefused, TargetTaken) as error:
        err_console.print(
            _("{why}. This run's plan was not written.").format(why=error), markup=False, highlight=False
        )
        raise typer.Exit(EXIT_USAGE) from None
    except OSError as error:
        cannot_write(target.path, error)
    except PlanCheckFailed as failed:
        err_console.print(_("[bold red]The plan checker rejected the plan; nothing was written:[/]"))
        print_problems(failed.violations)
        raise typer.Exit(EXIT_CHECK) from None
    exit_code = EXIT_PARTIAL if plan.partial else 0
    if run.as_json:
        print_summary_json("plan_folder", written)
    else:
        print_solved(scenario, plan, run.what_ifs, written, EXIT_PARTIAL)
    raise typer.Exit(exit_code)


def _verify_previous(previous: Path, scenario_dir: Path) -> None:
    """Refuse a previous plan that is not as written or fails the checker against its scenario."""
    try:
        verify_plan(previous, [scenario_dir])
    except PlanUnverified as unverified:
        refuse(
            _("[bold red]The previous plan {plan} cannot be used as written:[/]").format(plan=previous),
            unverified.problems,
            EXIT_USAGE,
        )


def _round_freeze_until(scenario: Scenario, run: SolveRun) -> str | None:
    """The last month --round freezes (None: the round is the horizon's first month, nothing is
    frozen); refuse a round with --freeze-until, without --previous or outside the horizon."""
    decision_round = run.decision_round
    if run.freeze_until is not None:
        err_console.print(
            _(
                "--round {round} and --freeze-until {month}: give one of them "
                "(--round YYYY-MM freezes the months before the round)."
            ).format(round=repr(decision_round), month=repr(run.freeze_until))
        )
        raise typer.Exit(EXIT_USAGE)
    if run.previous is None:
        err_console.print(
            _(
                "--round {round} needs --previous: the plan of the round before, whose months "
                "before the round are already decided."
            ).format(round=repr(decision_round))
        )
        raise typer.Exit(EXIT_USAGE)
    horizon = scenario.horizon
    try:
        month = horizon.number(decision_round or "")
    except ValueError:
        month = None
    if month is None:
        err_console.print(
            _("--round {round}: expected a month of the horizon {first}..{last}.").format(
                round=repr(decision_round), first=horizon.start, last=horizon.label(horizon.length)
            )
        )
        raise typer.Exit(EXIT_USAGE)
    return None if month == 1 else horizon.label(month - 1)


def _check_freeze(scenario: Scenario, previous_plan: PreviousPlan | None, freeze_until: str) -> None:
    """Refuse --freeze-until without a previous plan, or with a month outside the horizon."""
    if previous_plan is None:
        err_console.print(_("--freeze-until needs --previous: the plan whose months are already decided."))
        raise typer.Exit(EXIT_USAGE)
    try:
        inside = scenario.horizon.number(freeze_until) is not None
    except ValueError:
        inside = False
    if not inside:
        horizon = scenario.horizon
        err_console.print(
            _("--freeze-until {month}: expected a month of the horizon {first}..{last}.").format(
                month=repr(freeze_until), first=horizon.start, last=horizon.label(horizon.length)
            )
        )
        raise typer.Exit(EXIT_USAGE)


def _month_before_start(scenario: Scenario) -> str:
    """The month before the scenario's first: the last decided month of a re-plan."""
    return format_month(parse_month(scenario.start) - 1)


def _solve_time_left(scenario: Scenario, models: list[str], started: float, excel: bool = False) -> Scenario:
    """The scenario with the time the solve may take: the time limit covers the whole command, so
    what reading took so far and what writing and checking the plan will take are left out.

    In deterministic mode the limit counts the solver's work, not seconds, and is left as it is.
    """
    if scenario.solver.deterministic:
        return scenario
    limit = scenario.solver.time_limit_s
    spent = time.perf_counter() - started
    left = limit - spent - publish_seconds(scenario, models, excel)
    # However little is left, the search gets a moment to find a plan at all.
    settings = scenario.solver.model_copy(update={"time_limit_s": max(left, min(limit, 1.0))})
    return scenario.model_copy(update={"solver": settings})


def _change_allowance(run: SolveRun, models: list[str], order: tuple[str, ...]) -> ChangeAllowance | None:
    """--allow-change and --allow-change-sek as the volume solve's allowance (None without them);
    a usage error unless they come with --previous, the volumes and a stage after stability in
    the volume `order` (the stages that may use it), as whole amounts >= 0."""
    units, sek_text = run.allow_change
    if units is None and sek_text is None:
        return None
    if run.previous is None or "volumes" not in models:
        err_console.print(
            _(
                "--allow-change and --allow-change-sek loosen a re-plan's least change: give --previous "
                "and solve the volumes."
            )
        )
        raise typer.Exit(EXIT_USAGE)
    if "stability" not in order[:-1]:
        err_console.print(
            _(
                "--allow-change and --allow-change-sek let the stages after stability use the change "
                "they allow, but the volume order {order} has none after it."
            ).format(order=", ".join(order))
        )
        raise typer.Exit(EXIT_USAGE)
    if units is not None and units < 0:
        err_console.print(_("--allow-change {units}: expected whole units, 0 or more.").format(units=units))
        raise typer.Exit(EXIT_USAGE)
    sek = None
    if sek_text is not None:
        try:
            amount = Decimal(sek_text.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            amount = Decimal(-1)
        if not amount.is_finite() or amount < 0 or amount != amount.to_integral_value() or amount > 2**53:
            err_console.print(
                _("--allow-change-sek {amount}: expected whole SEK, 0 or more, e.g. 3e6.").format(
                    amount=sek_text
                ),
                markup=False,
                highlight=False,
            )
            raise typer.Exit(EXIT_USAGE)
        sek = int(amount)
    return ChangeAllowance(units, sek)
