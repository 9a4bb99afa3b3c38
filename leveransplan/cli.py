"""The `leveransplan` command line: each command parses its arguments and calls the one function
that carries it out (leveransplan.commands*), which prints through outputs.console*. The exit
codes are in leveransplan.exit_codes and the app's help.
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from leveransplan import __version__, commands, commands_guarantee, commands_solve
from leveransplan.commands import refuse
from leveransplan.commands_solve import SolveRun
from leveransplan.exit_codes import (
    EXIT_CHECK,
    EXIT_INFEASIBLE,
    EXIT_INVALID,
    EXIT_NO_SOLUTION,
    EXIT_OUTPUT,
    EXIT_PARTIAL,
    EXIT_USAGE,
)
from leveransplan.inputs import default_scenario_path
from leveransplan.inputs.generators.synthetic import MAX_SCALE
from leveransplan.inputs.whatif import WhatIfInvalid, parse_recorded, what_if_flags
from leveransplan.optimizer.frontier import MAX_POINTS, MIN_POINTS
from leveransplan.optimizer.search import Interrupted, process_age, stop_on_signals
from leveransplan.outputs.console import err_console, print_version

__all__ = [
    "EXIT_CHECK",
    "EXIT_INFEASIBLE",
    "EXIT_INVALID",
    "EXIT_NO_SOLUTION",
    "EXIT_OUTPUT",
    "EXIT_PARTIAL",
    "EXIT_USAGE",
    "app",
    "main",
]

# When this process started, on time.perf_counter's clock: a time limit covers the whole command,
# start-up included. Set by `main`; in-process callers (tests) count from the command's start.
_process_started: float | None = None
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


def _show_version(value: bool) -> None:
    if value:
        print_version(__version__)
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


def _solver_settings(deterministic: bool, **given: float | None) -> dict[str, Any]:
    """The solver settings the flags change: --deterministic when given, and each value given."""
    settings: dict[str, Any] = {"deterministic": True} if deterministic else {}
    settings.update((key, value) for key, value in given.items() if value is not None)
    return settings


def _command_started() -> float:
    """When the command started, on time.perf_counter's clock: the process's start under `main`."""
    return time.perf_counter() if _process_started is None else _process_started


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
    started = _command_started()
    if only is not None and only not in MODEL_NAMES:
        err_console.print(f"--only {only!r}: expected one of {', '.join(MODEL_NAMES)}.")
        raise typer.Exit(EXIT_USAGE)
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
        refuse(
            f"[bold red]{len(invalid.problems)} what-if flag(s) are not understood:[/]",
            invalid.problems,
            EXIT_USAGE,
        )
    run = SolveRun(
        folder=scenario_dir or default_scenario_path(),
        out=out,
        overwrite=overwrite,
        only=only,
        propose_places=propose_places,
        solver=_solver_settings(deterministic, time_limit_s=time_limit, workers=workers, seed=seed),
        previous=previous,
        freeze_until=freeze_until,
        actuals=actuals,
        what_if_flags=flags,
        what_ifs=what_ifs,
        excel=excel,
        report=report,
        quiet=quiet,
        as_json=as_json,
    )
    commands_solve.solve(run, started)


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
    started = _command_started()
    if time_limit is not None and (not math.isfinite(time_limit) or time_limit <= 0):
        err_console.print("--time-limit must be a number of seconds above 0.")
        raise typer.Exit(EXIT_USAGE)
    folder = scenario_dir or default_scenario_path()
    commands_guarantee.explain(folder, plan_dir, top, time_limit, as_json, marginal, started)


@app.command()
def validate(scenario_dir: ScenarioArgument = None) -> None:
    """List every problem in a scenario's files (file, row, column, value, what was expected)."""
    commands.validate(scenario_dir or default_scenario_path())


@app.command()
def check(
    scenario_dir: Annotated[Path, typer.Argument(help="The scenario folder the plan was made from.")],
    plan_dir: Annotated[Path, typer.Argument(help="A plan folder written by `leveransplan solve`.")],
) -> None:
    """Check a written plan against every rule of the spec, independently of the solver.

    What-if changes recorded in the plan's manifest.json are applied to the scenario again first,
    and every file is compared with the SHA-256 manifest.json records for it.
    """
    commands.check(scenario_dir, plan_dir)


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
    commands.report(plan_dir, out, overwrite)


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
    commands.diff(plan_a, plan_b, out, overwrite)


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
    commands.followup(plan_dir, actuals, referrals, out)


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
    commands.sweep(scenario_dir or default_scenario_path(), variants, time_limit, processes, out)


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
    started = _command_started()
    if not MIN_POINTS <= points <= MAX_POINTS:
        err_console.print(
            f"--points {points}: expected {MIN_POINTS} to {MAX_POINTS} budgets; the curve's two ends, the "
            "least cost and the unconstrained optimum's cost, are two of them. Nothing was written."
        )
        raise typer.Exit(EXIT_USAGE)
    if time_limit is not None and (not math.isfinite(time_limit) or time_limit <= 0):
        err_console.print("--time-limit must be a number of seconds above 0. Nothing was written.")
        raise typer.Exit(EXIT_USAGE)
    settings = _solver_settings(deterministic, time_limit_s=time_limit)
    folder = scenario_dir or default_scenario_path()
    commands_guarantee.frontier(folder, points, out, overwrite, settings, report, quiet, as_json, started)


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
    commands.generate(out, scale, seed, overwrite)


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
