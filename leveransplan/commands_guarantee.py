"""`explain` and `frontier`: why patients are left beyond the care guarantee, and what money buys.

Both solve the volumes and print through outputs/console/guarantee.py; `frontier` also writes its
folder, all files or none. Their time limits cover the whole command, start-up included.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, NoReturn

import typer

from leveransplan.commands import cannot_write, load, print_volume_conflicts, refuse, scenario_of_plan
from leveransplan.exit_codes import (
    EXIT_INFEASIBLE,
    EXIT_NO_SOLUTION,
    EXIT_OUTPUT,
    EXIT_PARTIAL,
    EXIT_USAGE,
)
from leveransplan.inputs.previous import PreviousPlanInvalid, read_previous_plan
from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.explanation import explain_capacity_loss, explain_over_guarantee
from leveransplan.models.frontier import MarginalFigure
from leveransplan.models.language import N_, _
from leveransplan.models.plan import VolumeSolution
from leveransplan.models.procurement import describe_proposal
from leveransplan.models.scenario import Scenario
from leveransplan.models.wording import shown
from leveransplan.optimizer.errors import Infeasible, NoPlanInTime, reason_of
from leveransplan.optimizer.frontier import solve_frontier
from leveransplan.optimizer.marginal import describe_marginal, marginal_figure
from leveransplan.optimizer.search import search_run
from leveransplan.optimizer.solve import solve_scenario
from leveransplan.outputs.console.common import err_console, print_summary_json
from leveransplan.outputs.console.guarantee import (
    print_capacity_losses,
    print_explanations,
    print_explanations_json,
    print_frontier_written,
)
from leveransplan.outputs.frontier_files import publish_frontier
from leveransplan.outputs.manifest import SUMMARY
from leveransplan.outputs.publish import OutputRefused, TargetTaken, plan_target
from leveransplan.outputs.report.page import ReportUnreadable

# Writing a frontier folder (its two small files and the manifest) and, with --report, rendering
# its chart: the time limit leaves this much for them.
_FRONTIER_WRITE_S = 0.3
_FRONTIER_REPORT_S = 1.5


def explain(
    folder: Path,
    plan_dir: Path | None,
    top: int,
    time_limit: float | None,
    as_json: bool,
    marginal: bool,
    started: float,
) -> None:
    """Explain the plan of `plan_dir`, or of a fresh volume solve of `folder` without one: the
    limits that leave patients beyond the guarantee and, in the text or with `marginal`, what
    another 10 MSEK buys (`started`: when the command started, on time.perf_counter's clock)."""
    frozen_until = None
    # The over_guarantee stage without candidate contracts, and whether it and the plan's are proven.
    over_without: int | None = None
    proven = False
    if plan_dir is not None:
        scenario, run, _changed = scenario_of_plan(folder, plan_dir)
        if run.frozen is not None:
            frozen_until = scenario.horizon.number(run.frozen[1])
        try:
            decided = read_previous_plan(plan_dir, scenario).volumes
        except PreviousPlanInvalid as invalid:
            refuse(
                _("[bold red]The plan {plan} cannot be read:[/]").format(plan=plan_dir),
                invalid.problems,
                EXIT_USAGE,
            )
        if decided is None:
            err_console.print(
                _("{plan} has no volume plan (delivery_plan.csv) to explain.").format(plan=plan_dir)
            )
            raise typer.Exit(EXIT_USAGE)
        decisions = decided
        over_without, proven = _over_without_candidates(plan_dir)
    else:
        scenario = load(folder)
        if not scenario.has_volumes:
            err_console.print(
                _("{folder} has no volume tables: nothing is planned against the guarantee.").format(
                    folder=folder
                )
            )
            raise typer.Exit(EXIT_USAGE)
        if time_limit is not None:
            settings = scenario.solver.model_copy(update={"time_limit_s": time_limit})
            scenario = scenario.model_copy(update={"solver": settings})
        # Half the time for the plan when the marginal figure's solves within the budget follow it.
        halve = scenario.max_cost_sek is not None and (marginal or not as_json)
        solution = _solve_volumes(scenario, halve, quiet=as_json)
        decisions = solution.decisions
        without = solution.over_without_candidates
        if without is not None:
            over_without = without.value
            proven = without.status == solution.stage("over_guarantee").status == "OPTIMAL"
    data = VolumeData.from_scenario(scenario)
    reasons = explain_over_guarantee(data, decisions, scenario.max_cost_sek, frozen_until)
    proposal = None
    if scenario.has_candidates:
        over = TermValues(data, decisions).over_guarantee()
        proposal = describe_proposal(data, decisions, over, over_without, proven)
    losses = explain_capacity_loss(data, decisions)
    figure = None
    if marginal or not as_json:
        figure = _marginal(scenario, time_limit, started, decisions, frozen_until, show=not as_json)
    if as_json:
        print_explanations_json(reasons, figure, losses)
        return
    print_explanations(
        scenario, reasons, top, None if figure is None else describe_marginal(figure), proposal
    )
    print_capacity_losses(losses)


def _over_without_candidates(plan_dir: Path) -> tuple[int | None, bool]:
    """The over_guarantee stage without candidate contracts as the plan's summary.json has it
    (None when it has none), and whether it and the plan's over_guarantee stage are proven."""
    try:
        volumes = json.loads((plan_dir / SUMMARY).read_text(encoding="utf-8"))["volumes"]
        procurement = volumes["procurement"]
        value = procurement["over_guarantee_without_candidates"]
        stages = [s for s in volumes["stages"] if s["objective"] == "over_guarantee"]
        proven = procurement["without_candidates_status"] == "OPTIMAL" and stages[0]["status"] == "OPTIMAL"
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None, False
    if not isinstance(value, int) or isinstance(value, bool):
        return None, False
    return value, proven


def _solve_volumes(scenario: Scenario, halve: bool, quiet: bool) -> VolumeSolution:
    """The volume plan, in the scenario's time limit or, with `halve`, half of it;
    infeasible exits 4 naming the rules in conflict, no plan in time 5."""
    solving = scenario
    if halve:
        halved = scenario.solver.model_copy(update={"time_limit_s": scenario.solver.time_limit_s / 2})
        solving = scenario.model_copy(update={"solver": halved})
    try:
        with search_run(False, not quiet and err_console.is_terminal):
            plan = solve_scenario(solving, ["volumes"])
    except Infeasible as error:
        err_console.print(_("[bold red]Infeasible:[/] {why}.").format(why=error))
        print_volume_conflicts(scenario, None, None)
        raise typer.Exit(EXIT_INFEASIBLE) from None
    except NoPlanInTime as error:
        err_console.print(_("No plan within the time limit: {why}.").format(why=shown(reason_of(error))))
        raise typer.Exit(EXIT_NO_SOLUTION) from None
    assert plan.volumes is not None
    return plan.volumes


def _marginal(
    scenario: Scenario,
    time_limit: float | None,
    started: float,
    decisions: Decisions,
    frozen_until: int | None,
    show: bool,
) -> MarginalFigure | None:
    """What another 10 MSEK buys at the scenario's budget, in the time the command has left (None,
    with a note, when no plan within the budget is found in that time)."""
    limit = time_limit if time_limit is not None else scenario.solver.time_limit_s
    left = max(limit - (time.perf_counter() - started), min(limit, 1.0))
    settings = scenario.solver.model_copy(update={"time_limit_s": left})
    try:
        with search_run(False, show and err_console.is_terminal):
            return marginal_figure(
                scenario.model_copy(update={"solver": settings}),
                previous=decisions if frozen_until is not None else None,
                frozen_until=frozen_until,
            )
    except (NoPlanInTime, Infeasible) as error:
        err_console.print(_("Note: what another 10 MSEK buys is not shown ({why}).").format(why=error))
        return None


def frontier(
    folder: Path,
    points: int,
    out: Path | None,
    overwrite: bool,
    solver: dict[str, Any],
    report: bool,
    quiet: bool,
    as_json: bool,
    started: float,
) -> NoReturn:
    """Solve the fewest patient-months beyond the guarantee within `points` budgets and publish the
    curve; exit 0, or 8 when the time limit stopped a point before it was proven best (`solver`:
    the settings the flags change; `started`: when the command started, on time.perf_counter's
    clock)."""
    scenario = load(folder)
    if not scenario.has_volumes:
        err_console.print(
            _("{folder} has no volume tables: there is no volume plan to put a price on.").format(
                folder=folder
            )
        )
        raise typer.Exit(EXIT_USAGE)
    scenario = scenario.model_copy(update={"solver": scenario.solver.model_copy(update=solver)})
    try:
        target = plan_target(
            out, Path(f"frontier-{folder.resolve().name}"), overwrite, {N_("the scenario folder"): folder}
        )
    except OutputRefused as refused:
        err_console.print(_("{why}. Nothing was written.").format(why=refused), markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    solving = scenario
    if not scenario.solver.deterministic:
        # The limit covers the whole command: what reading took and what writing will take are left out.
        limit = scenario.solver.time_limit_s
        writing = _FRONTIER_WRITE_S + (_FRONTIER_REPORT_S if report else 0.0)
        left = limit - (time.perf_counter() - started) - writing
        settings = scenario.solver.model_copy(update={"time_limit_s": max(left, min(limit, 1.0))})
        solving = scenario.model_copy(update={"solver": settings})
    show_progress = not quiet and not as_json and err_console.is_terminal
    try:
        with search_run(scenario.solver.deterministic, show_progress):
            curve = solve_frontier(solving, points)
    except Infeasible as error:
        err_console.print(_("[bold red]Infeasible:[/] {why}.").format(why=error))
        print_volume_conflicts(solving.model_copy(update={"max_cost_sek": None}), None, None)
        err_console.print(_("Nothing was written."))
        raise typer.Exit(EXIT_INFEASIBLE) from None
    except NoPlanInTime as error:
        err_console.print(
            _("No plan within the time limit ({reasons}). Nothing was written.").format(
                reasons=shown(reason_of(error))
            )
        )
        raise typer.Exit(EXIT_NO_SOLUTION) from None
    parameters = {
        "command": "frontier",
        "points": points,
        "max_cost_sek": scenario.max_cost_sek,
        "solver": scenario.solver.model_dump(),
    }
    try:
        written = publish_frontier(target, folder, scenario, curve, parameters, report=report)
    except TargetTaken as error:
        err_console.print(
            _("{why}. This run's frontier was not written.").format(why=error), markup=False, highlight=False
        )
        raise typer.Exit(EXIT_USAGE) from None
    except ReportUnreadable as error:
        err_console.print(_("{why}. Nothing was written.").format(why=error), markup=False, highlight=False)
        raise typer.Exit(EXIT_OUTPUT) from None
    except OSError as error:
        cannot_write(target.path, error)
    if as_json:
        print_summary_json("frontier_folder", written)
    else:
        print_frontier_written(curve, written, EXIT_PARTIAL)
    raise typer.Exit(EXIT_PARTIAL if curve.partial else 0)
