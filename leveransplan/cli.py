"""The `leveransplan` command line: thin wrappers over inputs, the solve driver and outputs.

Exit codes: 0 done, 1 internal error, 2 usage (bad flag, output folder exists), 3 invalid input,
4 infeasible, 5 no solution within the time limit, 6 the plan checker found a violation,
7 the output cannot be written (disk full, no permission, a file open in another program),
8 partial: the plan is written, but the time limit stopped a model before it was proven optimal
or before it had any plan, 130 stopped by Ctrl-C (143 by SIGTERM).
"""

from __future__ import annotations

import errno
import json
import math
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.table import Table

from leveransplan import __version__
from leveransplan.inputs import ScenarioInvalid, default_scenario_path, load_scenario
from leveransplan.inputs.actuals import ActualsInvalid, read_actuals, read_referrals
from leveransplan.inputs.generators.synthetic import MAX_SCALE, unsafe_target
from leveransplan.inputs.generators.synthetic import describe as describe_generated
from leveransplan.inputs.previous import PreviousPlan, PreviousPlanInvalid, read_previous_plan
from leveransplan.inputs.replan import rest_of_year
from leveransplan.inputs.whatif import WhatIf, WhatIfInvalid, parse_recorded, what_if_flags
from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions
from leveransplan.models.explanation import explain_over_guarantee
from leveransplan.models.frontier import SCENARIO_BUDGET, Frontier, MarginalFigure
from leveransplan.models.months import format_month, parse_month
from leveransplan.models.numbers import grouped, msek, signed
from leveransplan.models.plan import StageResult, VolumeSolution
from leveransplan.models.results import ScenarioPlan
from leveransplan.models.scenario import Scenario
from leveransplan.models.training import ATData, PlacementData
from leveransplan.optimizer.conflicts import ConflictSearch
from leveransplan.optimizer.errors import Infeasible, NoPlanInTime
from leveransplan.optimizer.frontier import MAX_POINTS, MIN_POINTS, solve_frontier
from leveransplan.optimizer.marginal import describe_marginal, marginal_figure
from leveransplan.optimizer.placements.conflicts import placement_conflicts
from leveransplan.optimizer.placements.model import PlacementsInfeasible
from leveransplan.optimizer.search import Interrupted, gap_percent, process_age, search_run, stop_on_signals
from leveransplan.optimizer.solve import models_to_solve, solve_scenario
from leveransplan.optimizer.sweep import TERMS as SWEEP_TERMS
from leveransplan.optimizer.sweep import VariantsInvalid, built_in_variants, read_variants
from leveransplan.optimizer.sweep import sweep as run_sweep
from leveransplan.optimizer.volumes.conflicts import volume_conflicts
from leveransplan.outputs.check import PlanCheckFailed
from leveransplan.outputs.checks import check_plan, models_in_plan
from leveransplan.outputs.diff import DIFF_COLUMNS, PlanUnreadable, diff_plans
from leveransplan.outputs.followup import PRODUCTION_COLUMNS, REFERRAL_COLUMNS, follow_up
from leveransplan.outputs.followup import PlanUnreadable as FollowUpUnreadable
from leveransplan.outputs.frontier_files import publish_frontier
from leveransplan.outputs.frontier_report import is_frontier_folder, write_frontier_report
from leveransplan.outputs.generated import write_scenario
from leveransplan.outputs.manifest import (
    MANIFEST,
    ManifestUnreadable,
    changed_outputs,
    record_output,
    replan_digests,
)
from leveransplan.outputs.publish import (
    REPORT,
    OutputRefused,
    TargetTaken,
    free_folder_name,
    plan_target,
    publish_plan,
    publish_seconds,
    write_csv,
)
from leveransplan.outputs.recorded import PlanUnverified, RecordedRun, recorded_run, verify_plan
from leveransplan.outputs.report import ReportUnreadable, write_report
from leveransplan.outputs.staging import FolderState, Staging
from leveransplan.outputs.terminal import SafeConsole
from leveransplan.outputs.training_files import at_rows, placement_summary, places_rows
from leveransplan.outputs.volume_files import hospital_summary, unused_minimum_cost

EXIT_USAGE, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_NO_SOLUTION, EXIT_CHECK, EXIT_OUTPUT = 2, 3, 4, 5, 6, 7
EXIT_PARTIAL = 8
# When this process started, on time.perf_counter's clock: a time limit covers the whole command,
# start-up included. Set by `main`; in-process callers (tests) count from the command's start.
_process_started: float | None = None
# A list of problems longer than this is cut, with the number left out: files of a million bad
# rows must not flood the terminal (each file lists its first 100 problems and counts the rest,
# inputs.tables, so one file's list is always shown whole).
SHOWN_PROBLEMS = 200
MODEL_NAMES = ("volumes", "at", "placements")

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Delivery plans for care volumes, AT positions and ST-A side-service placements across the "
    "region's hospitals (CP-SAT).\n\n"
    "Exit codes: 0 done, 1 internal error, 2 usage, 3 invalid input, 4 infeasible, "
    "5 no solution within the time limit, 6 plan checker failed, 7 output cannot be written "
    "(disk full, no permission, a file open in another program), 8 partial (written, but the time "
    "limit stopped a model before it was proven optimal), 130 stopped by Ctrl-C (143 by SIGTERM).",
)
out_console = SafeConsole(soft_wrap=True)  # messages keep whole paths on one line; tables fit the width
err_console = SafeConsole(stderr=True, soft_wrap=True)


def _show_version(value: bool) -> None:
    if value:
        out_console.print(f"leveransplan {__version__}", markup=False, highlight=False)
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    """Delivery plans for care volumes, AT positions and ST-A side-service placements."""


ScenarioArgument = Annotated[
    Path | None,
    typer.Argument(
        help="Scenario folder (scenario.toml and CSV tables). Default: the shipped VGR 2026 scenario."
    ),
]


def _refuse(title: str, problems: Sequence[object], exit_code: int) -> NoReturn:
    """Print a title and every problem, say that nothing was written, and exit with `exit_code`."""
    err_console.print(title)
    _print_problems(problems)
    err_console.print("Nothing was written.")
    raise typer.Exit(exit_code)


def _print_problems(problems: Sequence[object]) -> None:
    """Each problem on a line of its own, at most SHOWN_PROBLEMS of them, then how many more."""
    for problem in problems[:SHOWN_PROBLEMS]:
        err_console.print(f"  {problem}", markup=False, highlight=False)
    if len(problems) > SHOWN_PROBLEMS:
        err_console.print(f"  ... and {len(problems) - SHOWN_PROBLEMS} more not shown here.")


def _cannot_write(target: Path, error: OSError) -> NoReturn:
    """The output could not be written: say why in plain words; nothing was left behind."""
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EACCES: "permission denied: is the folder or a file in it open in another program, e.g. Excel?",
        errno.EPERM: "permission denied: is the folder or a file in it open in another program, e.g. Excel?",
        errno.EROFS: "the disk is read-only",
        errno.ENOTEMPTY: "a folder of that name appeared meanwhile",
        errno.EEXIST: "a file or folder of that name is in the way",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
    }
    why = reasons.get(error.errno or 0, error.strerror or str(error))
    err_console.print(f"Cannot write {target}: {why}. Nothing was written.", markup=False, highlight=False)
    raise typer.Exit(EXIT_OUTPUT)


def _load(folder: Path, what_ifs: Sequence[WhatIf] = ()) -> Scenario:
    """The scenario, with notes on how its files were read on stderr; bad input exits 3 (a what-if 2)."""
    try:
        scenario = load_scenario(folder, what_ifs)
    except ScenarioInvalid as invalid:
        _print_notes(invalid.notes)
        if isinstance(invalid, WhatIfInvalid):
            _refuse(
                f"[bold red]{len(invalid.problems)} what-if flag(s) cannot be applied:[/]",
                invalid.problems,
                EXIT_USAGE,
            )
        changed = " with the what-if changes" if what_ifs else ""
        title = f"[bold red]The scenario {folder}{changed} has {len(invalid.problems)} problem(s):[/]"
        _refuse(title, invalid.problems, EXIT_INVALID)
    _print_notes(scenario.notes)
    return scenario


def _rest_of_year(scenario: Scenario, actuals: Path, decided_until: str, previous: Path | None) -> Scenario:
    """The scenario of the months after `decided_until`, from the reported outcomes (inputs.replan)."""
    notes: list[str] = []
    try:
        decided = read_previous_plan(previous, scenario).volumes if previous is not None else None
        performed = read_actuals(actuals, notes)
        _print_notes(notes)
        return rest_of_year(scenario, performed, decided_until, decided, actuals.name)
    except (ActualsInvalid, PreviousPlanInvalid) as invalid:
        _print_notes(notes)
        _refuse(f"[bold red]The re-plan from {actuals} cannot start:[/]", invalid.problems, EXIT_INVALID)


def _print_notes(notes: Sequence[str]) -> None:
    """How input files were read (for example as cp1252), on stderr."""
    for note in notes:
        err_console.print(f"Note: {note}", markup=False, highlight=False)


def scenario_start_before(scenario: Scenario) -> str:
    """The month before the scenario's first: the last decided month of a re-plan."""
    return format_month(parse_month(scenario.start) - 1)


def _print_stages(title: str, stages: list[StageResult]) -> None:
    table = Table(title=title, title_justify="left")
    for column in ("objective", "value", "bound", "status", "seconds"):
        table.add_column(column, justify="left" if column in ("objective", "status") else "right")
    for stage in stages:
        table.add_row(
            stage.objective, grouped(stage.value), grouped(stage.bound), stage.status, f"{stage.seconds:.2f}"
        )
    out_console.print(table)


def _print_volumes(scenario: Scenario, solution: VolumeSolution) -> None:
    data = VolumeData.from_scenario(scenario)
    _print_stages(f"{scenario.name}, volumes: stages solved in order", solution.stages)
    table = Table(title="Per hospital", title_justify="left")
    for column in (
        "hospital",
        "over 90 d start",
        "over 90 d end",
        "patient-months over",
        "sent out",
        "received",
        "cost MSEK",
        *(["frame MSEK"] if data.frames else []),
    ):
        table.add_column(column, justify="left" if column == "hospital" else "right")
    rows = hospital_summary(data, solution)
    for row in rows:
        frame = data.frames.get(row["hospital"])
        table.add_row(
            row["hospital"],
            grouped(row["over_guarantee_start"]),
            grouped(row["over_guarantee_end"]),
            grouped(row["patient_months_over"]),
            grouped(row["referrals_out"]),
            grouped(row["referrals_in"]),
            msek(row["cost_sek"]),
            *([msek(frame) if frame is not None else ""] if data.frames else []),
        )
    unused = unused_minimum_cost(data, solution)
    table.add_row("unused min.", "", "", "", "", "", msek(unused), *([""] if data.frames else []))
    table.add_row(
        "[bold]region[/]",
        grouped(sum(r["over_guarantee_start"] for r in rows)),
        grouped(sum(r["over_guarantee_end"] for r in rows)),
        grouped(sum(r["patient_months_over"] for r in rows)),
        grouped(sum(r["referrals_out"] for r in rows)),
        grouped(sum(r["referrals_in"] for r in rows)),
        msek(solution.values.term("cost")),
        *([msek(scenario.max_cost_sek) if scenario.max_cost_sek is not None else ""] if data.frames else []),
    )
    out_console.print(table)
    out_console.print(
        "over 90 d: patients waiting beyond the guarantee (waiting list above three months of inflow); "
        "sent out: transfers to other hospitals and referrals to contracts; received: transfers in"
        + ("; cost: what the plan spends on the hospital's patients, within its frame" if data.frames else "")
        + ". Exact SEK figures are in the files."
    )


def _print_at(scenario: Scenario, plan: ScenarioPlan) -> None:
    assert plan.at is not None
    data = ATData(scenario)
    _print_stages(f"{scenario.name}, AT positions ({data.total}): stages solved in order", plan.at.stages)
    table = Table(title="AT positions per hospital", title_justify="left")
    for column in ("hospital", "positions", "need-weighted share", "previous", "largest possible"):
        table.add_column(column, justify="left" if column == "hospital" else "right")
    for row in at_rows(data, plan.at):
        limit = data.limit(row["hospital"])
        table.add_row(
            row["hospital"], str(row["positions"]), row["target"], str(row["previous"]), str(limit.positions)
        )
    out_console.print(table)


def _print_placements(scenario: Scenario, plan: ScenarioPlan) -> None:
    solution = plan.placements
    assert solution is not None
    data = PlacementData(scenario)
    summary = placement_summary(data, solution)
    mode = ", places proposed" if solution.propose_places else ""
    _print_stages(f"{scenario.name}, ST-A placements{mode}: stages solved in order", solution.stages)
    table = Table(title=f"Side-service places {summary['months']}", title_justify="left")
    for column in ("hospital", "specialty", "year", "used", "places"):
        table.add_column(column, justify="left" if column in ("hospital", "specialty") else "right")
    for row in places_rows(data, solution):
        table.add_row(
            row["hospital"], row["specialty"], str(row["year"]), str(row["used"]), str(row["places"])
        )
    out_console.print(table)
    share = 100 * summary["trainees_fully_placed"] / summary["trainees"] if summary["trainees"] else 100.0
    out_console.print(
        f"{summary['placed']} of {summary['requirements']} requirements placed; "
        f"{summary['trainees_fully_placed']} of {summary['trainees']} trainees ({share:.1f} %) have every "
        "mandatory side-service placed; unplaced.csv gives the reason for each one left."
    )


@app.command()
def solve(
    scenario_dir: ScenarioArgument = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Output folder (default: plan-<scenario folder name>, never overwritten)."
        ),
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace --out if it is an earlier plan holding only its own files, as written "
            "(a folder with anything else in it is refused, naming what).",
        ),
    ] = False,
    only: Annotated[
        str | None,
        typer.Option(
            "--only",
            help="Solve one model: volumes, at or placements "
            "(default: every model the scenario has tables for).",
        ),
    ] = None,
    propose_places: Annotated[
        bool,
        typer.Option(
            "--propose-places",
            help="Instead of holding to st_capacity.csv's places, propose the fewest places per hospital, "
            "specialty and year that place every requirement that can be placed, spread evenly.",
        ),
    ] = False,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds for the whole solve, all models and stages.")
    ] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="CP-SAT workers (0 = all cores).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="CP-SAT random seed.")] = None,
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="A plan folder to stay close to: turns on the stability objectives."),
    ] = None,
    freeze_until: Annotated[
        str | None,
        typer.Option(
            "--freeze-until",
            help="With --previous: decisions up to this month (YYYY-MM) stay as decided.",
        ),
    ] = None,
    actuals: Annotated[
        Path | None,
        typer.Option(
            "--actuals",
            help="With --freeze-until: re-plan the months after it from reported outcomes "
            "(CSV: hospital, category, month, performed, waiting_end).",
        ),
    ] = None,
    set_values: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="What-if: one value, TABLE.KEY.COLUMN=VALUE (contracts.KAT-1.volume_max=2500)."
        ),
    ] = None,
    scales: Annotated[
        list[str] | None,
        typer.Option(
            "--scale", help="What-if: scale a numeric column, TABLE.COLUMN=FACTOR (need.inflow=1.10)."
        ),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option("--where", help="Rows --scale applies to, COLUMN=VALUE (hospital=SÄS); all must match."),
    ] = None,
    dips: Annotated[
        list[str] | None,
        typer.Option(
            "--dip",
            help="What-if: a production dip, HOSPITAL:YYYY-MM..YYYY-MM=FACTOR (SU:2026-04..2026-06=0.6).",
        ),
    ] = None,
    without_providers: Annotated[
        list[str] | None,
        typer.Option("--without-provider", help="What-if: leave out every contract of a provider."),
    ] = None,
    budget: Annotated[
        str | None, typer.Option("--budget", help="What-if: a cap on the plan's cost in SEK (250e6).")
    ] = None,
    objectives: Annotated[
        list[str] | None,
        typer.Option(
            "--objective",
            help="What-if: objective order, TERMS (volumes) or MODEL=TERMS (placements=unplaced,travel).",
        ),
    ] = None,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel",
            help="Write the CSV files in the Swedish Excel dialect (';', decimal comma, BOM) "
            "and delivery_plan.xlsx.",
        ),
    ] = False,
    report: Annotated[
        bool, typer.Option("--report", help="Also write report.html (self-contained, works offline).")
    ] = False,
    deterministic: Annotated[
        bool,
        typer.Option(
            "--deterministic",
            help="Byte-identical output files for the same inputs and flags on any machine: the solver "
            "searches in a fixed order and --time-limit counts CP-SAT's deterministic time units.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No live progress on stderr.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print summary.json's content on stdout instead of tables.")
    ] = False,
) -> None:
    """Solve a scenario and write its plans (all files appear together, or none)."""
    started = time.perf_counter() if _process_started is None else _process_started
    if only is not None and only not in MODEL_NAMES:
        err_console.print(f"--only {only!r}: expected one of {', '.join(MODEL_NAMES)}.")
        raise typer.Exit(EXIT_USAGE)
    folder = scenario_dir or default_scenario_path()
    flags = what_if_flags(
        set_values or (),
        scales or (),
        where or (),
        dips or (),
        without_providers or (),
        budget,
        objectives or (),
    )
    try:
        what_ifs = parse_recorded(flags)
    except WhatIfInvalid as invalid:
        _refuse(
            f"[bold red]{len(invalid.problems)} what-if flag(s) are not understood:[/]",
            invalid.problems,
            EXIT_USAGE,
        )
    scenario = _load(folder, what_ifs)
    try:
        models = models_to_solve(scenario, only)
    except ValueError as error:
        err_console.print(f"{error}.")
        raise typer.Exit(EXIT_USAGE) from None
    if propose_places and "placements" not in models:
        err_console.print("--propose-places needs the ST-A tables (st_trainees.csv and the others).")
        raise typer.Exit(EXIT_USAGE)
    overrides: dict[str, Any] = {"deterministic": True} if deterministic else {}
    for key, value in (("time_limit_s", time_limit), ("workers", workers), ("seed", seed)):
        if value is not None:
            overrides[key] = value
    if overrides:
        try:
            settings = scenario.solver.model_copy(update=overrides)
            type(scenario.solver).model_validate(settings.model_dump())
        except ValueError:
            err_console.print("--time-limit must be above 0, --workers 0 to 1024 and --seed 0 to 2147483647.")
            raise typer.Exit(EXIT_USAGE) from None
        scenario = scenario.model_copy(update={"solver": settings})
    protected = {"the scenario folder": folder}
    if previous is not None:
        protected["the previous plan"] = previous
    try:
        target = plan_target(out, Path(f"plan-{folder.resolve().name}"), overwrite, protected)
    except OutputRefused as refused:
        err_console.print(f"{refused}. Nothing was written.", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    if previous is not None:
        _verify_previous(previous, folder)
    if actuals is not None:
        if freeze_until is None or models != ["volumes"]:
            err_console.print(
                "--actuals re-plans the volumes after the decided months: give --freeze-until YYYY-MM "
                "and, when the scenario has training tables, --only volumes."
            )
            raise typer.Exit(EXIT_USAGE)
        scenario = _rest_of_year(scenario, actuals, freeze_until, previous)
        freeze_until = None  # the decided months are not part of the new plan
    replan_sha256 = replan_digests(previous, actuals)  # as read, before the solve
    previous_plan = None
    if previous is not None:
        try:
            previous_plan = read_previous_plan(previous, scenario)
        except PreviousPlanInvalid as invalid:
            _refuse(
                f"[bold red]The previous plan {previous} cannot be used:[/]", invalid.problems, EXIT_USAGE
            )
    if freeze_until is not None:
        if previous_plan is None:
            err_console.print("--freeze-until needs --previous: the plan whose months are already decided.")
            raise typer.Exit(EXIT_USAGE)
        try:
            inside = scenario.horizon.number(freeze_until) is not None
        except ValueError:
            inside = False
        if not inside:
            horizon = scenario.horizon
            err_console.print(
                f"--freeze-until {freeze_until!r}: expected a month of the horizon "
                f"{horizon.start}..{horizon.label(horizon.length)}."
            )
            raise typer.Exit(EXIT_USAGE)
    show_progress = not quiet and not as_json and err_console.is_terminal
    try:
        with search_run(scenario.solver.deterministic, show_progress) as run:
            plan = solve_scenario(
                _solve_time_left(scenario, models, started),
                models,
                propose_places,
                previous_plan,
                freeze_until,
            )
    except Infeasible as error:
        err_console.print(f"[bold red]Infeasible:[/] {error}.")
        if isinstance(error, Infeasible):
            _print_conflicts(scenario, previous_plan, freeze_until)
        elif isinstance(error, PlacementsInfeasible):
            _print_placement_conflicts(scenario, previous_plan, freeze_until)
        err_console.print("Nothing was written.")
        raise typer.Exit(EXIT_INFEASIBLE) from None
    if not plan.models:
        reasons = "; ".join(f"{model}: {why}" for model, why in plan.not_solved.items())
        err_console.print(f"No plan within the time limit ({reasons}). Nothing was written.")
        raise typer.Exit(EXIT_NO_SOLUTION)
    parameters = {
        "what_if": [str(change) for change in what_ifs],
        "what_if_flags": flags,
        "previous_plan": None if previous is None else str(previous),
        "freeze_until": freeze_until if actuals is None else None,
        "actuals": None
        if actuals is None
        else {"file": str(actuals), "decided_until": scenario_start_before(scenario)},
        "models": models,
        "propose_places": propose_places,
        "objective": scenario.objective.model_dump(),
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
            previous_plan=None if previous_plan is None or previous_plan.volumes is None else str(previous),
            excel=excel,
            report=report,
            progress=run.progress.trajectory(),
            replan_sha256=replan_sha256,
        )
    except (OutputRefused, TargetTaken) as error:
        err_console.print(f"{error}. This run's plan was not written.", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    except OSError as error:
        _cannot_write(target.path, error)
    except PlanCheckFailed as failed:
        err_console.print("[bold red]The plan checker rejected the plan; nothing was written:[/]")
        _print_problems(failed.violations)
        raise typer.Exit(EXIT_CHECK) from None
    exit_code = EXIT_PARTIAL if plan.partial else 0
    if as_json:
        summary = json.loads((written / "summary.json").read_text(encoding="utf-8"))
        print(json.dumps({"plan_folder": str(written), **summary}, ensure_ascii=False, indent=2))
        raise typer.Exit(exit_code)
    if what_ifs:
        out_console.print("What-if changes (in memory; the scenario files are unchanged):")
        for change in what_ifs:
            out_console.print(f"  {change}", markup=False, highlight=False)
    if plan.volumes is not None:
        _print_volumes(scenario, plan.volumes)
    if plan.at is not None:
        _print_at(scenario, plan)
    if plan.placements is not None:
        _print_placements(scenario, plan)
    out_console.print(f"Plan written to {written} (checked by the independent plan checker).")
    if plan.partial:
        _print_partial(plan)
    raise typer.Exit(exit_code)


def _print_partial(plan: ScenarioPlan) -> None:
    """Which models the time limit stopped, each stage with its gap, and what exit code 8 means."""
    err_console.print(
        "[bold yellow]Partial plan:[/] the time limit stopped the solve before every model was "
        "proven optimal."
    )
    for model, stage in plan.stopped_stages():
        gap = gap_percent(stage.value, stage.bound)
        err_console.print(
            f"  {model} · {stage.objective}: {grouped(stage.value)}, proven bound {grouped(stage.bound)} "
            f"(gap {gap:.2f} %), {stage.status}",
            highlight=False,
        )
    for model, why in plan.not_solved.items():
        err_console.print(f"  {model}: no plan ({why}); nothing was written for it", highlight=False)
    err_console.print(
        "summary.json marks it (partial, stopped_by_time_limit, not_solved); a longer --time-limit "
        f"may do better. Exit code {EXIT_PARTIAL}."
    )


def _verify_previous(previous: Path, scenario_dir: Path) -> None:
    """Refuse a previous plan that is not as written or fails the checker against its scenario."""
    try:
        verify_plan(previous, [scenario_dir])
    except PlanUnverified as unverified:
        _refuse(
            f"[bold red]The previous plan {previous} cannot be used as written:[/]",
            unverified.problems,
            EXIT_USAGE,
        )


def _solve_time_left(scenario: Scenario, models: list[str], started: float) -> Scenario:
    """The scenario with the time the solve may take: the time limit covers the whole command, so
    what reading took so far and what writing and checking the plan will take are left out.

    In deterministic mode the limit counts the solver's work, not seconds, and is left as it is.
    """
    if scenario.solver.deterministic:
        return scenario
    limit = scenario.solver.time_limit_s
    spent = time.perf_counter() - started
    left = limit - spent - publish_seconds(scenario, models)
    # However little is left, the search gets a moment to find a plan at all.
    settings = scenario.solver.model_copy(update={"time_limit_s": max(left, min(limit, 1.0))})
    return scenario.model_copy(update={"solver": settings})


def _print_placement_conflicts(
    scenario: Scenario, previous_plan: PreviousPlan | None, freeze_until: str | None
) -> None:
    """Name the placements that must stay and the limits that cannot hold together."""
    previous = None if previous_plan is None else previous_plan.placements
    frozen = None if freeze_until is None else parse_month(freeze_until)
    _print_conflict(placement_conflicts(PlacementData(scenario, previous, frozen)))


def _print_conflicts(
    scenario: Scenario, previous_plan: PreviousPlan | None, freeze_until: str | None
) -> None:
    """Name a small set of volume rules that cannot hold together (a separate feasibility solve)."""
    frozen = None if freeze_until is None else scenario.horizon.number(freeze_until)
    previous = None if previous_plan is None else previous_plan.volumes
    data = VolumeData.from_scenario(scenario)
    _print_conflict(volume_conflicts(data, scenario.max_cost_sek, previous, frozen))


def _print_conflict(search: ConflictSearch) -> None:
    """Print the rules in conflict, found by a separate feasibility solve with assumptions."""
    if search.status == "FEASIBLE":
        err_console.print(
            "A separate feasibility solve found a plan that obeys every rule, so this verdict is the "
            "solver's error, not the scenario's: please report it with the scenario and the command."
        )
        return
    conflict = search.conflict
    if conflict is None:
        err_console.print("A separate feasibility solve could not name the conflicting rules in time.")
        return
    minimal = "; each one is needed for the conflict" if conflict.proven_minimal else ""
    if len(conflict.rules) == 1:
        err_console.print("This rule cannot hold by itself:")
    else:
        err_console.print(f"These {len(conflict.rules)} rules cannot all hold{minimal}:")
    for rule in conflict.rules:
        err_console.print(f"  - {rule}", markup=False, highlight=False)


@app.command()
def explain(
    scenario_dir: ScenarioArgument = None,
    plan_dir: Annotated[
        Path | None,
        typer.Argument(help="A plan folder made from the scenario (default: solve the volumes first)."),
    ] = None,
    top: Annotated[
        int, typer.Option("--top", help="Show the N hospitals and categories with most patient-months.")
    ] = 20,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            help="Seconds for the whole command: the solve when no plan is given, and the solves of "
            "what another 10 MSEK buys.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every explanation as JSON on stdout.")
    ] = False,
    marginal: Annotated[
        bool,
        typer.Option(
            "--marginal",
            help='With --json: add what another 10 MSEK buys; the output is then {"reasons": [...], '
            '"marginal": {...}} instead of the list of reasons (the text always shows it).',
        ),
    ] = False,
) -> None:
    """Why patients are left beyond the care guarantee: the limits that bind, per hospital and category.

    Ordered by patient-months beyond the guarantee, then what another 10 MSEK would remove at the
    plan's budget and where that money would go. When no plan obeys every rule, names a small set
    of rules that cannot hold together instead (exit code 4).
    """
    started = time.perf_counter() if _process_started is None else _process_started
    if time_limit is not None and (not math.isfinite(time_limit) or time_limit <= 0):
        err_console.print("--time-limit must be a number of seconds above 0.")
        raise typer.Exit(EXIT_USAGE)
    folder = scenario_dir or default_scenario_path()
    frozen_until = None
    if plan_dir is not None:
        scenario, run, _ = _scenario_of_plan(folder, plan_dir)
        if run.frozen is not None:
            frozen_until = scenario.horizon.number(run.frozen[1])
        try:
            decided = read_previous_plan(plan_dir, scenario).volumes
        except PreviousPlanInvalid as invalid:
            _refuse(f"[bold red]The plan {plan_dir} cannot be read:[/]", invalid.problems, EXIT_USAGE)
        if decided is None:
            err_console.print(f"{plan_dir} has no volume plan (delivery_plan.csv) to explain.")
            raise typer.Exit(EXIT_USAGE)
        decisions = decided
    else:
        scenario = _load(folder)
        if not scenario.has_volumes:
            err_console.print(f"{folder} has no volume tables: nothing is planned against the guarantee.")
            raise typer.Exit(EXIT_USAGE)
        if time_limit is not None:
            settings = scenario.solver.model_copy(update={"time_limit_s": time_limit})
            scenario = scenario.model_copy(update={"solver": settings})
        solving = scenario
        if scenario.max_cost_sek is not None and (marginal or not as_json):
            # Half the time for the plan: the marginal figure's solves within the budget follow it.
            halved = scenario.solver.model_copy(update={"time_limit_s": scenario.solver.time_limit_s / 2})
            solving = scenario.model_copy(update={"solver": halved})
        try:
            with search_run(False, not as_json and err_console.is_terminal):
                plan = solve_scenario(solving, ["volumes"])
        except Infeasible as error:
            err_console.print(f"[bold red]Infeasible:[/] {error}.")
            _print_conflicts(scenario, None, None)
            raise typer.Exit(EXIT_INFEASIBLE) from None
        except NoPlanInTime as error:
            err_console.print(f"No plan within the time limit: {error}.")
            raise typer.Exit(EXIT_NO_SOLUTION) from None
        assert plan.volumes is not None
        decisions = plan.volumes.decisions
    data = VolumeData.from_scenario(scenario)
    reasons = explain_over_guarantee(data, decisions, scenario.max_cost_sek, frozen_until)
    figure = None
    if marginal or not as_json:
        figure = _marginal(scenario, time_limit, started, decisions, frozen_until, show=not as_json)
    if as_json:
        explained = [r.as_dict() for r in reasons]
        document = explained if figure is None else {"reasons": explained, "marginal": figure.as_dict()}
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return
    total = sum(r.patient_months for r in reasons)
    out_console.print(
        f"[bold]{scenario.name}[/]: {grouped(total)} patient-months beyond the care guarantee, "
        f"in {len(reasons)} hospital and category pairs; most first."
    )
    for reason in reasons[:top]:
        out_console.print(
            f"\n[bold]{reason.hospital} · {reason.category}[/]: {grouped(reason.patient_months)} "
            "patient-months "
            f"beyond the guarantee in {reason.months} ({grouped(reason.over_start)} beyond it at the start, "
            f"{grouped(reason.over_end)} at the end)",
            highlight=False,
        )
        for limit in reason.limits:
            out_console.print(f"  binds: {limit}", markup=False, highlight=False)
        for unused in reason.unused:
            out_console.print(f"  left unused: {unused}", markup=False, highlight=False)
    if len(reasons) > top:
        out_console.print(f"\n... and {len(reasons) - top} more; --top {len(reasons)} shows them all.")
    unexplained = [r for r in reasons[:top] if r.unused and not r.money_binds]
    if unexplained:
        order = ", ".join(scenario.objective.volumes)
        out_console.print(
            "\n'left unused' is capacity that would have shortened a wait beyond the guarantee. Where "
            "no budget cap or frame binds, the plan leaves it because of the objective order "
            f"({order}) or a stage stopped on the time limit (see the stages' status)."
        )

    if figure is not None:
        out_console.print("\n[bold]What another 10 MSEK buys[/]")
        for line in describe_marginal(figure):
            out_console.print(line, markup=False, highlight=False)


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
        err_console.print(f"Note: what another 10 MSEK buys is not shown ({error}).")
        return None


@app.command()
def validate(scenario_dir: ScenarioArgument = None) -> None:
    """List every problem in a scenario's files (file, row, column, value, what was expected)."""
    folder = scenario_dir or default_scenario_path()
    scenario = _load(folder)
    parts = [f"{len(scenario.hospitals)} hospitals"]
    if scenario.has_volumes:
        data = VolumeData.from_scenario(scenario)
        parts.append(
            f"volumes: {len(data.categories)} categories, {len(data.contracts)} contracts, "
            f"{scenario.months} months from {scenario.start}"
        )
    if scenario.has_at:
        parts.append(f"AT: {scenario.at_total} positions over {len(scenario.at)} hospitals")
    if scenario.has_placements:
        parts.append(
            f"ST-A: {len(scenario.st_trainees)} trainees, {len(scenario.st_requirements)} requirements, "
            f"{len(scenario.st_fixed)} fixed, "
            f"{scenario.placement_horizon.length} months from {scenario.start}"
        )
    out_console.print(f"{folder}: valid. " + "; ".join(parts) + ".")


@app.command()
def check(
    scenario_dir: Annotated[Path, typer.Argument(help="The scenario folder the plan was made from.")],
    plan_dir: Annotated[Path, typer.Argument(help="A plan folder written by `leveransplan solve`.")],
) -> None:
    """Check a written plan against every rule of the spec, independently of the solver.

    What-if changes recorded in the plan's manifest.json are applied to the scenario again first,
    and every file is compared with the SHA-256 manifest.json records for it.
    """
    scenario, run, problems = _scenario_of_plan(scenario_dir, plan_dir)
    problems += check_plan(scenario, plan_dir, run.frozen)
    if problems:
        err_console.print(f"[bold red]{len(problems)} violation(s):[/]")
        _print_problems(problems)
        raise typer.Exit(EXIT_CHECK)
    checked = ", ".join(models_in_plan(plan_dir) or [])
    out_console.print(f"{plan_dir}: every rule holds and every objective matches summary.json ({checked}).")


def _plan_run(plan_dir: Path) -> tuple[RecordedRun, list[str]]:
    """The run a plan folder's manifest.json records, and whatever makes its files differ from
    what that run wrote (a plan without a manifest is checked as it is, with that said)."""
    if not plan_dir.is_dir():
        err_console.print(f"{plan_dir} is not a plan folder.", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE)
    if not (plan_dir / MANIFEST).exists():
        return RecordedRun({}), [
            f"{MANIFEST} is missing: the files cannot be verified as the plan wrote them"
        ]
    try:
        run = recorded_run(plan_dir)
    except ManifestUnreadable as error:
        err_console.print(f"{error}.", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    return run, changed_outputs(plan_dir, run.manifest) + run.changed_replan_inputs()


def _scenario_of_plan(scenario_dir: Path, plan_dir: Path) -> tuple[Scenario, RecordedRun, list[str]]:
    """The scenario a plan was made from (the folder with the plan's recorded what-ifs and re-plan
    applied), the recorded run, and what makes the plan's files differ from what it wrote."""
    run, changed = _plan_run(plan_dir)
    scenario = _load(scenario_dir, run.what_ifs)
    differing = run.changed_inputs(scenario_dir)
    if differing:
        err_console.print(
            f"Note: {', '.join(differing)} differ from the files the plan was made from "
            f"({plan_dir / MANIFEST}'s inputs_sha256): is this the plan's scenario?",
            markup=False,
            highlight=False,
        )
    if run.what_ifs:
        err_console.print("With the plan's what-if changes: " + "; ".join(map(str, run.what_ifs)))
    if run.actuals_file is not None and run.decided_until is not None:
        scenario = _rest_of_year(scenario, run.actuals_file, run.decided_until, run.previous_plan)
        err_console.print(f"Read as a re-plan after {run.decided_until} from {run.actuals_file}.")
    return scenario, run, changed


@app.command("report")
def report_command(
    plan_dir: Annotated[
        Path,
        typer.Argument(
            help="A plan folder (`leveransplan solve`) or a frontier folder (`leveransplan frontier`)."
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="The HTML file (default: report.html in the plan folder)."),
    ] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace --out if it exists.")] = False,
) -> None:
    """Write one self-contained HTML report of a plan or a frontier (opens offline, in any browser)."""
    target = out if out is not None else plan_dir / REPORT
    if target.exists() and not overwrite:
        err_console.print(f"{target} exists; choose another --out or add --overwrite. Nothing was written.")
        raise typer.Exit(EXIT_USAGE)
    try:
        if is_frontier_folder(plan_dir):
            write_frontier_report(plan_dir, target)
        else:
            write_report(plan_dir, target)
        if target.resolve() == (plan_dir / REPORT).resolve():
            record_output(plan_dir, target)  # the plan folder keeps listing all its files
    except ReportUnreadable as error:
        err_console.print(f"{error}. Nothing was written.", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    except OSError as error:
        _cannot_write(target, error)
    out_console.print(f"Report written to {target}.")


@app.command()
def diff(
    plan_a: Annotated[Path, typer.Argument(help="The plan compared with (e.g. the decided one).")],
    plan_b: Annotated[Path, typer.Argument(help="The new plan.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="CSV of the changed flows (default: diff-A-B.csv, never overwritten)."),
    ] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace --out if it exists.")] = False,
) -> None:
    """What changed from plan A to plan B: referrals and SEK per hospital, provider and month; objectives.

    Both plans are verified first: their files as written and checked against their scenarios.
    """
    for plan in (plan_a, plan_b):
        try:
            verify_plan(plan)
        except PlanUnverified as unverified:
            _refuse(
                f"[bold red]The plan {plan} cannot be compared as written:[/]",
                unverified.problems,
                EXIT_USAGE,
            )
    try:
        result = diff_plans(plan_a, plan_b)
    except PlanUnreadable as error:
        err_console.print(f"{error}.", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    target = out if out is not None else Path(f"diff-{plan_a.resolve().name}-{plan_b.resolve().name}.csv")
    if target.exists() and not overwrite:
        err_console.print(f"{target} exists; choose another --out or add --overwrite. Nothing was written.")
        raise typer.Exit(EXIT_USAGE)
    flows = Table(title=f"Referrals that change from {plan_a} to {plan_b}", title_justify="left")
    for column in ("month", "hospital", "provider", "referrals A", "referrals B", "change", "SEK change"):
        flows.add_column(column, justify="left" if column in ("month", "hospital", "provider") else "right")
    for row in result.flows:
        flows.add_row(
            row["month"],
            row["hospital"],
            row["provider"],
            grouped(row["volume_a"]),
            grouped(row["volume_b"]),
            signed(row["volume_change"]),
            signed(row["cost_change_sek"]),
        )
    out_console.print(flows)
    objectives = Table(title="Objectives", title_justify="left")
    for column in ("model", "objective", "A", "B", "change"):
        objectives.add_column(column, justify="left" if column in ("model", "objective") else "right")
    for row in result.objectives:
        change = "" if row["change"] is None else signed(row["change"])
        a, b = (grouped(v) if isinstance(v, int) else str(v) for v in (row["a"], row["b"]))
        objectives.add_row(row["model"], row["objective"], a, b, change)
    out_console.print(objectives)
    if result.cost_change_sek is not None:
        decision = (
            "a committee decision (above the 3 000 000 SEK delegation limit)"
            if result.needs_committee
            else "a decision on delegation (within 3 000 000 SEK)"
        )
        out_console.print(
            f"The volume plan's cost changes by {result.cost_change_sek:+,} SEK".replace(",", " ")
            + f": this update needs {decision}."
        )
    try:
        write_csv(target, DIFF_COLUMNS, result.flows)
    except OSError as error:
        _cannot_write(target, error)
    out_console.print(f"{len(result.flows)} changed flows written to {target}.")


@app.command()
def followup(
    plan_dir: Annotated[Path, typer.Argument(help="The plan folder to follow up.")],
    actuals: Annotated[
        Path, typer.Option("--actuals", help="CSV: hospital, category, month, performed, waiting_end.")
    ],
    referrals: Annotated[
        Path | None,
        typer.Option("--referrals", help="CSV: hospital, category, provider, month, referrals (delivered)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the CSV files (default: followup-PLAN, never overwritten)."),
    ] = None,
) -> None:
    """Performed against planned per hospital, category and month; referrals delivered against the plan."""
    notes: list[str] = []
    try:
        performed = read_actuals(actuals, notes)
        delivered = None if referrals is None else read_referrals(referrals, notes)
        _print_notes(notes)
    except ActualsInvalid as invalid:
        _print_notes(notes)
        _refuse(
            f"[bold red]{len(invalid.problems)} problem(s) in the reported outcomes:[/]",
            invalid.problems,
            EXIT_INVALID,
        )
    try:
        result = follow_up(plan_dir, performed, delivered)
    except FollowUpUnreadable as error:
        err_console.print(f"{error}. Nothing was written.", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    target = out if out is not None else free_folder_name(Path(f"followup-{plan_dir.resolve().name}"))
    if target.exists():
        err_console.print(f"{target} exists; choose another --out. Nothing was written.")
        raise typer.Exit(EXIT_USAGE)
    for title, columns, rows in (
        ("Performed against planned (target 100 %), shortfalls first", PRODUCTION_COLUMNS, result.production),
        (
            "Referrals delivered against the delivery plan, shortfalls first",
            REFERRAL_COLUMNS,
            result.referrals,
        ),
    ):
        if not rows:
            continue
        table = Table(title=title, title_justify="left")
        for column in columns:
            table.add_column(
                column, justify="left" if column in ("month", "hospital", "category", "provider") else "right"
            )
        for row in rows[:25]:
            table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
        out_console.print(table)
        if len(rows) > 25:
            out_console.print(f"... and {len(rows) - 25} more rows in the CSV file.")
    files = {"followup_production.csv": (PRODUCTION_COLUMNS, result.production)}
    if delivered is not None:
        files["followup_referrals.csv"] = (REFERRAL_COLUMNS, result.referrals)
    try:
        with Staging(target) as staging:
            assert staging.path is not None
            for name, (columns, rows) in files.items():
                write_csv(staging.path / name, columns, rows)
            target = staging.publish(FolderState(None), free_name=out is None)
    except TargetTaken as error:
        err_console.print(f"{error}. Nothing was written.", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    except OSError as error:
        _cannot_write(target, error)
    out_console.print(f"Follow-up written to {target}.")


@app.command("sweep")
def sweep_command(
    scenario_dir: ScenarioArgument = None,
    variants: Annotated[
        Path | None,
        typer.Option(
            "--variants", help="TOML file of [[variant]] tables (name and what-if keys); default: built in."
        ),
    ] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds per variant.")] = 20.0,
    processes: Annotated[int, typer.Option("--processes", help="Worker processes (default: the cores).")] = 0,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="CSV of the results (default: sweep-SCENARIO.csv, never overwritten)."),
    ] = None,
) -> None:
    """Solve a set of what-ifs side by side and compare each with the base plan."""
    if not math.isfinite(time_limit) or time_limit <= 0 or processes < 0:
        err_console.print("--time-limit must be a number of seconds above 0, --processes 0 or more.")
        raise typer.Exit(EXIT_USAGE)
    folder = scenario_dir or default_scenario_path()
    scenario = _load(folder)
    try:
        chosen = read_variants(variants) if variants is not None else built_in_variants(scenario)
    except VariantsInvalid as error:
        err_console.print(f"{error}. Nothing was written.", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    target = out if out is not None else Path(f"sweep-{folder.resolve().name}.csv")
    if target.exists():
        err_console.print(f"{target} exists; choose another --out. Nothing was written.")
        raise typer.Exit(EXIT_USAGE)
    rows = run_sweep(folder, chosen, time_limit, processes or os.cpu_count() or 1)
    columns = ("variant", "status", *SWEEP_TERMS, "cost_change_sek", "seconds", "note")
    table = Table(
        title=f"{scenario.name}: {len(chosen)} what-ifs against the base plan", title_justify="left"
    )
    money = {"cost": "cost MSEK", "cost_change_sek": "change MSEK"}
    shown = [c for c in columns if c != "note"]
    for column in shown:
        table.add_column(
            money.get(column, column), justify="left" if column in ("variant", "status") else "right"
        )
    for row in rows:
        cells = []
        for column in shown:
            value = row.get(column)
            if value is None:
                cells.append("")
            elif column in money:
                cells.append(msek(value))
            else:
                cells.append(grouped(value) if isinstance(value, int) else str(value))
        table.add_row(*cells)
    out_console.print(table)
    for row in rows:
        if row.get("note"):
            out_console.print(f"{row['variant']}: {row['note']}", markup=False, highlight=False)
    try:
        write_csv(target, columns, rows)
    except OSError as error:
        _cannot_write(target, error)
    out_console.print(f"Written to {target} (exact SEK there).")


# Writing a frontier folder (its two small files and the manifest) and, with --report, rendering
# its chart: the time limit leaves this much for them.
_FRONTIER_WRITE_S = 0.3
_FRONTIER_REPORT_S = 1.5


@app.command("frontier")
def frontier_command(
    scenario_dir: ScenarioArgument = None,
    points: Annotated[
        int,
        typer.Option(
            "--points",
            help=f"Budgets on the curve, evenly spaced from the least cost (the take-or-pay minimums) to "
            f"the unconstrained optimum's cost, both included ({MIN_POINTS} to {MAX_POINTS}).",
        ),
    ] = 11,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Output folder (default: frontier-<scenario folder name>, never overwritten)."
        ),
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Replace --out if it is an earlier output of the tool holding only its own files, as "
            "written (a folder with anything else in it is refused, naming what).",
        ),
    ] = False,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            help="Seconds for the whole command, all points (default: the scenario's time_limit_s).",
        ),
    ] = None,
    deterministic: Annotated[
        bool,
        typer.Option(
            "--deterministic",
            help="The same curve for the same inputs on any machine: the solver searches in a fixed "
            "order and --time-limit counts CP-SAT's deterministic time units.",
        ),
    ] = False,
    report: Annotated[
        bool, typer.Option("--report", help="Also write report.html with the curve as a chart.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No live progress on stderr.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print summary.json's content on stdout instead of the table.")
    ] = False,
) -> None:
    """What money buys: the fewest patient-months beyond the guarantee within each budget, from the
    take-or-pay minimums to the cost of the unconstrained optimum (all files appear together, or none)."""
    started = time.perf_counter() if _process_started is None else _process_started
    if not MIN_POINTS <= points <= MAX_POINTS:
        err_console.print(
            f"--points {points}: expected {MIN_POINTS} to {MAX_POINTS} budgets; the curve's two ends, the "
            "least cost and the unconstrained optimum's cost, are two of them. Nothing was written."
        )
        raise typer.Exit(EXIT_USAGE)
    if time_limit is not None and (not math.isfinite(time_limit) or time_limit <= 0):
        err_console.print("--time-limit must be a number of seconds above 0. Nothing was written.")
        raise typer.Exit(EXIT_USAGE)
    folder = scenario_dir or default_scenario_path()
    scenario = _load(folder)
    if not scenario.has_volumes:
        err_console.print(f"{folder} has no volume tables: there is no volume plan to put a price on.")
        raise typer.Exit(EXIT_USAGE)
    overrides: dict[str, Any] = {"deterministic": True} if deterministic else {}
    if time_limit is not None:
        overrides["time_limit_s"] = time_limit
    scenario = scenario.model_copy(update={"solver": scenario.solver.model_copy(update=overrides)})
    try:
        target = plan_target(
            out, Path(f"frontier-{folder.resolve().name}"), overwrite, {"the scenario folder": folder}
        )
    except OutputRefused as refused:
        err_console.print(f"{refused}. Nothing was written.", markup=False, highlight=False)
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
            frontier = solve_frontier(solving, points)
    except Infeasible as error:
        err_console.print(f"[bold red]Infeasible:[/] {error}.")
        _print_conflicts(solving.model_copy(update={"max_cost_sek": None}), None, None)
        err_console.print("Nothing was written.")
        raise typer.Exit(EXIT_INFEASIBLE) from None
    except NoPlanInTime as error:
        err_console.print(f"No plan within the time limit ({error}). Nothing was written.")
        raise typer.Exit(EXIT_NO_SOLUTION) from None
    parameters = {
        "command": "frontier",
        "points": points,
        "max_cost_sek": scenario.max_cost_sek,
        "solver": scenario.solver.model_dump(),
    }
    try:
        written = publish_frontier(target, folder, scenario, frontier, parameters, report=report)
    except TargetTaken as error:
        err_console.print(f"{error}. This run's frontier was not written.", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    except ReportUnreadable as error:
        err_console.print(f"{error}. Nothing was written.", markup=False, highlight=False)
        raise typer.Exit(EXIT_OUTPUT) from None
    except OSError as error:
        _cannot_write(target.path, error)
    exit_code = EXIT_PARTIAL if frontier.partial else 0
    if as_json:
        summary = json.loads((written / "summary.json").read_text(encoding="utf-8"))
        print(json.dumps({"frontier_folder": str(written), **summary}, ensure_ascii=False, indent=2))
        raise typer.Exit(exit_code)
    _print_frontier(frontier)
    out_console.print(f"Frontier written to {written}.")
    if frontier.partial:
        stopped = [p for p in frontier.points if p.status != "OPTIMAL"]
        err_console.print(
            f"[bold yellow]Partial frontier:[/] the time limit stopped {len(stopped)} of "
            f"{len(frontier.points)} points before they were proven best (their gap is in the table); a "
            f"longer --time-limit or fewer --points may do better. Exit code {EXIT_PARTIAL}."
        )
    raise typer.Exit(exit_code)


def _print_frontier(frontier: Frontier) -> None:
    """The curve as a table: each budget's plan, bound and what the money from the budget before buys."""
    table = Table(
        title=f"{frontier.scenario}: patient-months beyond the guarantee against the budget",
        title_justify="left",
    )
    # The seconds of each point are in frontier.csv: without them the table fits 80 columns.
    columns = ("budget SEK", "over_guarantee", "bound", "status", "gap %", "cost SEK", "per MSEK")
    for column in columns:
        table.add_column(column, justify="left" if column == "status" else "right", no_wrap=True)
    for i, point in enumerate(frontier.points):
        per_msek = frontier.removed_per_msek(i)
        table.add_row(
            grouped(point.budget_sek),
            grouped(point.over_guarantee),
            grouped(point.bound),
            point.status,
            "<0.01" if 0 < point.gap_pct < 0.005 else f"{point.gap_pct:.2f}",
            grouped(point.cost_sek),
            "" if per_msek is None else f"{per_msek:,.1f}".replace(",", " "),
            style="bold" if SCENARIO_BUDGET in point.marks else None,
        )
    out_console.print(table)
    first, last = frontier.points[0], frontier.points[-1]
    out_console.print(
        "over_guarantee: patient-months beyond the care guarantee of the best plan found within the "
        "budget; bound: proven, no plan within the budget does better; cost: the plan's; per MSEK: "
        "patient-months that the money from the budget before removes, per million SEK. "
        f"The least cost, {grouped(first.budget_sek)} SEK (the take-or-pay minimums), leaves "
        f"{grouped(first.over_guarantee)}; the unconstrained optimum costs {grouped(last.budget_sek)} SEK "
        "and "
        f"leaves {grouped(last.over_guarantee)}: more money buys nothing.",
        highlight=False,
    )
    words = frontier.scenario_budget_words()
    if words is not None:
        shown = " (in bold)" if any(SCENARIO_BUDGET in p.marks for p in frontier.points) else ""
        out_console.print(words[0].upper() + words[1:] + shown + ".", highlight=False)
    if len(frontier.points) < frontier.points_asked:
        out_console.print(
            f"{len(frontier.points)} budgets instead of {frontier.points_asked}: the span from the least "
            "cost to the unconstrained optimum's holds fewer whole SEK."
        )


@app.command()
def generate(
    out: Annotated[Path, typer.Argument(help="The scenario folder to write.")],
    scale: Annotated[
        int,
        typer.Option(
            "--scale",
            min=1,
            max=MAX_SCALE,
            help="Regions of five hospitals each: 1 is about VGR (5 hospitals, 30 contracts, 292 AT "
            "positions, 540 ST-A trainees), 20 about the nation (100 hospitals, 600 contracts).",
        ),
    ] = 1,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Random seed: the same scale and seed give the same files.")
    ] = 0,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace OUT if it is a scenario folder.")
    ] = False,
) -> None:
    """Write a valid, realistic scenario of any size, modelled on VGR 2026 (every figure illustrative)."""
    if out.exists() and not overwrite:
        err_console.print(
            f"{out} exists; choose another folder or add --overwrite. Nothing was written.",
            markup=False,
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE)
    problem = unsafe_target(out)
    if problem is not None:
        err_console.print(f"{out} {problem}. Nothing was written.", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE)
    try:
        files = write_scenario(out, scale, seed, overwrite=overwrite)
    except TargetTaken as error:
        err_console.print(f"{error}. Nothing was written.", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    except OSError as error:
        _cannot_write(out, error)
    out_console.print(
        f"Wrote {out} (scale {scale}, seed {seed}): {describe_generated(files)}.",
        markup=False,
        highlight=False,
    )


def main() -> None:
    """Console entry point: user errors are messages; an internal error is one line unless debugging.

    Ctrl-C or SIGTERM stop the run at once, even mid-search; whatever was half-written is removed
    and the exit code is 128 + the signal's number (130 for Ctrl-C).
    """
    global _process_started
    _process_started = time.perf_counter() - process_age()
    restore = stop_on_signals()
    try:
        app()
    except Interrupted as stop:
        err_console.print(f"Stopped ({stop}). Nothing was written.")
        sys.exit(128 + stop.signal_number)
    except Exception as error:
        if os.environ.get("LEVERANSPLAN_DEBUG"):
            raise
        err_console.print(
            f"Internal error ({type(error).__name__}): {error}. Set LEVERANSPLAN_DEBUG=1 to see where.",
            markup=False,
            highlight=False,
        )
        sys.exit(1)
    finally:
        restore()
        _process_started = None  # a caller in this process (a test) starts its own clock
