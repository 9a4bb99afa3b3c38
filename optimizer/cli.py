"""The `leveransplan` command line: thin wrappers over inputs, the solve driver and outputs.

Exit codes: 0 done, 1 internal error, 2 usage (bad flag, output folder exists), 3 invalid input,
4 infeasible, 5 no solution within the time limit, 6 the plan checker found a violation.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from inputs import ScenarioInvalid, default_scenario_path, load_scenario
from models.derived import VolumeData
from models.plan import VolumeSolution
from models.scenario import Scenario
from optimizer.solve import NoSolutionInTime, VolumeInfeasible, solve_volumes
from outputs.check import PlanCheckFailed, check_volume_plan
from outputs.publish import OutputExists, free_folder_name, publish_volume_plan
from outputs.volume_files import hospital_summary, unused_minimum_cost

EXIT_USAGE, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_NO_SOLUTION, EXIT_CHECK = 2, 3, 4, 5, 6

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Delivery plans for care volumes across the region's hospitals (CP-SAT).\n\n"
    "Exit codes: 0 done, 1 internal error, 2 usage, 3 invalid input, 4 infeasible, "
    "5 no solution within the time limit, 6 plan checker failed.",
)
out_console = Console()
err_console = Console(stderr=True)

ScenarioArgument = Annotated[
    Path | None,
    typer.Argument(
        help="Scenario folder (scenario.toml and CSV tables). Default: the shipped VGR 2026 scenario."
    ),
]


def _sek(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def _msek(value: int) -> str:
    return f"{value / 1e6:,.1f}".replace(",", " ")


def _load(folder: Path) -> Scenario:
    try:
        return load_scenario(folder)
    except ScenarioInvalid as invalid:
        err_console.print(f"[bold red]The scenario {folder} has {len(invalid.problems)} problem(s):[/]")
        for problem in invalid.problems:
            err_console.print(f"  {problem}", markup=False, highlight=False)
        err_console.print("Nothing was written.")
        raise typer.Exit(EXIT_INVALID) from None


def _print_summary(scenario: Scenario, solution: VolumeSolution, out: Path) -> None:
    data = VolumeData.from_scenario(scenario)
    stages = Table(title=f"{scenario.name}: stages solved in order", title_justify="left")
    for column in ("objective", "value", "bound", "status", "seconds"):
        stages.add_column(column, justify="left" if column in ("objective", "status") else "right")
    for stage in solution.stages:
        stages.add_row(
            stage.objective, _sek(stage.value), _sek(stage.bound), stage.status, f"{stage.seconds:.2f}"
        )
    out_console.print(stages)
    table = Table(title="Per hospital", title_justify="left")
    for column in (
        "hospital",
        "over 90 d start",
        "over 90 d end",
        "patient-months over",
        "sent out",
        "received",
        "cost MSEK",
    ):
        table.add_column(column, justify="left" if column == "hospital" else "right")
    rows = hospital_summary(data, solution)
    for row in rows:
        table.add_row(
            row["hospital"],
            _sek(row["over_guarantee_start"]),
            _sek(row["over_guarantee_end"]),
            _sek(row["patient_months_over"]),
            _sek(row["referrals_out"]),
            _sek(row["referrals_in"]),
            _msek(row["cost_sek"]),
        )
    unused = unused_minimum_cost(data, solution)
    table.add_row("unused min.", "", "", "", "", "", _msek(unused))
    table.add_row(
        "[bold]region[/]",
        _sek(sum(r["over_guarantee_start"] for r in rows)),
        _sek(sum(r["over_guarantee_end"] for r in rows)),
        _sek(sum(r["patient_months_over"] for r in rows)),
        _sek(sum(r["referrals_out"] for r in rows)),
        _sek(sum(r["referrals_in"] for r in rows)),
        _msek(solution.values.term("cost")),
    )
    out_console.print(table)
    out_console.print(
        "over 90 d: patients waiting beyond the guarantee (waiting list above three months of inflow); "
        "sent out: transfers to other hospitals and referrals to contracts; received: transfers in. "
        "Exact SEK figures are in the files."
    )
    out_console.print(f"Plan written to {out} (checked by the independent plan checker).")


@app.command()
def solve(
    scenario_dir: ScenarioArgument = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Output folder (default: plan-<scenario folder name>, never overwritten)."
        ),
    ] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace --out if it exists.")] = False,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds for the whole solve, all stages.")
    ] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="CP-SAT workers (0 = all cores).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="CP-SAT random seed.")] = None,
) -> None:
    """Solve a scenario and write its delivery plan (all files appear together, or none)."""
    folder = scenario_dir or default_scenario_path()
    scenario = _load(folder)
    overrides: dict[str, Any] = {}
    for key, value in (("time_limit_s", time_limit), ("workers", workers), ("seed", seed)):
        if value is not None:
            overrides[key] = value
    if overrides:
        try:
            settings = scenario.solver.model_copy(update=overrides)
            type(scenario.solver).model_validate(settings.model_dump())
        except ValueError:
            err_console.print("--time-limit must be above 0, --workers and --seed 0 or more.")
            raise typer.Exit(EXIT_USAGE) from None
        scenario = scenario.model_copy(update={"solver": settings})
    target = out if out is not None else free_folder_name(Path(f"plan-{folder.resolve().name}"))
    if target.exists() and not overwrite:
        err_console.print(f"{target} exists; choose another --out or add --overwrite. Nothing was written.")
        raise typer.Exit(EXIT_USAGE)
    try:
        solution = solve_volumes(scenario)
    except VolumeInfeasible as error:
        err_console.print(f"[bold red]Infeasible:[/] {error}. Nothing was written.")
        raise typer.Exit(EXIT_INFEASIBLE) from None
    except NoSolutionInTime as error:
        err_console.print(f"No plan within the time limit: {error}. Nothing was written.")
        raise typer.Exit(EXIT_NO_SOLUTION) from None
    parameters = {
        "objective_volumes": list(scenario.objective.volumes),
        "max_cost_sek": scenario.max_cost_sek,
        "solver": scenario.solver.model_dump(),
    }
    try:
        written = publish_volume_plan(target, folder, scenario, solution, parameters, overwrite=overwrite)
    except OutputExists as error:
        err_console.print(f"{error}. Nothing was written.")
        raise typer.Exit(EXIT_USAGE) from None
    except PlanCheckFailed as failed:
        err_console.print("[bold red]The plan checker rejected the plan; nothing was written:[/]")
        for problem in failed.violations:
            err_console.print(f"  {problem}", markup=False, highlight=False)
        raise typer.Exit(EXIT_CHECK) from None
    _print_summary(scenario, solution, written)


@app.command()
def validate(scenario_dir: ScenarioArgument = None) -> None:
    """List every problem in a scenario's files (file, row, column, value, what was expected)."""
    folder = scenario_dir or default_scenario_path()
    scenario = _load(folder)
    data = VolumeData.from_scenario(scenario)
    out_console.print(
        f"{folder}: valid. {len(data.hospitals)} hospitals, {len(data.categories)} categories, "
        f"{len(data.contracts)} contracts, {scenario.months} months from {scenario.start}."
    )


@app.command()
def check(
    scenario_dir: Annotated[Path, typer.Argument(help="The scenario folder the plan was made from.")],
    plan_dir: Annotated[Path, typer.Argument(help="A plan folder written by `leveransplan solve`.")],
) -> None:
    """Check a written plan against every rule of the spec, independently of the solver."""
    scenario = _load(scenario_dir)
    if not plan_dir.is_dir():
        err_console.print(f"{plan_dir} is not a plan folder.")
        raise typer.Exit(EXIT_USAGE)
    problems = check_volume_plan(scenario, plan_dir)
    if problems:
        err_console.print(f"[bold red]{len(problems)} violation(s):[/]")
        for problem in problems:
            err_console.print(f"  {problem}", markup=False, highlight=False)
        raise typer.Exit(EXIT_CHECK)
    out_console.print(f"{plan_dir}: every rule holds and every objective matches summary.json.")


def main() -> None:
    """Console entry point: user errors are messages; an internal error is one line unless debugging."""
    try:
        app()
    except Exception as error:
        if os.environ.get("LEVERANSPLAN_DEBUG"):
            raise
        err_console.print(
            f"Internal error ({type(error).__name__}): {error}. Set LEVERANSPLAN_DEBUG=1 to see where.",
            markup=False,
            highlight=False,
        )
        sys.exit(1)
