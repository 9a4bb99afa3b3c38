"""The `leveransplan` command line: each command parses its arguments and calls the one function
that carries it out (leveransplan.commands*), which prints through outputs/console/. The exit
codes are in leveransplan.exit_codes and the app's help.
"""

from __future__ import annotations

import math
import os
import sys
import time
from typing import Annotated, Any

import typer
from typer import rich_utils
from typer._click import core as click_core
from typer.core import TyperCommand, TyperGroup

from leveransplan import __version__, commands, commands_guarantee, commands_risk, commands_solve, options
from leveransplan.commands import refuse
from leveransplan.commands_solve import SolveRun
from leveransplan.exit_codes import (
    EXIT_USAGE,
)
from leveransplan.inputs import default_scenario_path
from leveransplan.inputs.whatif import WhatIfInvalid, parse_recorded, what_if_flags
from leveransplan.models.language import LANGUAGES, _, language_named, ngettext, use_language
from leveransplan.optimizer.frontier import MAX_POINTS, MIN_POINTS
from leveransplan.optimizer.search import Interrupted, process_age, stop_on_signals
from leveransplan.outputs.console.common import err_console, print_version

# When this process started, on time.perf_counter's clock: a time limit covers the whole command,
# start-up included. Set by `main`; in-process callers (tests) count from the command's start.
_process_started: float | None = None
MODEL_NAMES = ("volumes", "at", "placements")

# Typer's help screen takes its panel titles and words from these module constants, read when the
# help is printed; the command line is built in one language, so they are set with it. The
# brackets stay out of the catalogue: they are typer's, not words. The words typer's vendored click
# writes itself are translated by the command classes below where click lets a subclass reach them;
# its messages about an unknown option or a missing argument are built deep in its parser and stay
# English.
TYPER_TEXTS = {
    "ARGUMENTS_PANEL_TITLE": _("Arguments"),
    "OPTIONS_PANEL_TITLE": _("Options"),
    "COMMANDS_PANEL_TITLE": _("Commands"),
    "ERRORS_PANEL_TITLE": _("Error"),
    "ABORTED_TEXT": _("Aborted."),
    "DEFAULT_STRING": "[" + _("default: {}") + "]",
    "REQUIRED_LONG_STRING": "[" + _("required") + "]",
    "ENVVAR_STRING": "[" + _("env var: {}") + "]",
    "DEPRECATED_STRING": _("(deprecated)") + " ",
    "RICH_HELP": _("Try [blue]'{command_path} {help_option}'[/] for help."),
}
for _name, _text in TYPER_TEXTS.items():
    if hasattr(rich_utils, _name):  # another typer may lack one; its own English then stays
        setattr(rich_utils, _name, _text)

# The completion options' help, as typer words it, by the options' names.
_COMPLETION_HELP = {
    "install_completion": _("Install completion for the current shell."),
    "show_completion": _("Show completion for the current shell, to copy it or customize the installation."),
}


class _Translated(click_core.Command):
    """A command whose help screen has the words click itself writes in the chosen language: the
    usage line's "Usage:", --help's help and the completion options' help."""

    def get_usage(self, ctx: click_core.Context) -> str:
        usage = super().get_usage(ctx)
        english = "Usage:"
        return _("Usage:") + usage.removeprefix(english) if usage.startswith(english) else usage

    def get_help_option(self, ctx: click_core.Context) -> Any:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = _("Show this message and exit.")
        return option

    def get_params(self, ctx: click_core.Context) -> list[Any]:
        params = super().get_params(ctx)
        for param in params:
            if param.name in _COMPLETION_HELP:
                param.help = _COMPLETION_HELP[param.name]  # type: ignore[attr-defined]
        return params


class _TranslatedGroup(_Translated, TyperGroup):
    """The app's group, with click's own words translated."""


class _TranslatedCommand(_Translated, TyperCommand):
    """A command, with click's own words translated."""


app = typer.Typer(
    cls=_TranslatedGroup,
    add_completion=True,
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help=_(
        "Delivery plans for care volumes, AT positions and ST-A side-service placements across the "
        "region's hospitals (CP-SAT)."
    )
    + "\n\n"
    + _(
        "Exit codes: 0 done, 1 internal error, 2 usage, 3 invalid input, 4 infeasible, "
        "5 no solution within the time limit, 6 plan checker failed, 7 output cannot be written "
        "(disk full, no permission, a file open in another program), 8 partial (written, but the time "
        "limit stopped a model before it was proven optimal), 130 stopped by Ctrl-C (143 by SIGTERM)."
    ),
)


def _show_version(value: bool) -> None:
    if value:
        print_version(__version__)
        raise typer.Exit()


def _choose_language(value: str | None) -> str | None:
    if value is not None and language_named(value) is None:
        raise typer.BadParameter(
            _("{value}: expected one of {languages}.").format(
                value=repr(value), languages=", ".join(LANGUAGES)
            )
        )
    use_language(value)
    return value


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help=_("Show the version and exit.")
        ),
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            callback=_choose_language,
            is_eager=True,
            metavar="sv|en",
            help=_(
                "The language of what is printed, the report and the workbooks: sv (default) or en. "
                "Also LEVERANSPLAN_LANG or the locale (LANG)."
            ),
        ),
    ] = None,
) -> None:
    """Delivery plans for care volumes, AT positions and ST-A side-service placements."""


def _solver_settings(deterministic: bool, **given: float | None) -> dict[str, Any]:
    """The solver settings the flags change: --deterministic when given, and each value given."""
    settings: dict[str, Any] = {"deterministic": True} if deterministic else {}
    settings.update((key, value) for key, value in given.items() if value is not None)
    return settings


def _command_started() -> float:
    """When the command started, on time.perf_counter's clock: the process's start under `main`."""
    return time.perf_counter() if _process_started is None else _process_started


@app.command(
    cls=_TranslatedCommand,
    help=_("Solve a scenario and write its plans (all files appear together, or none)."),
)
def solve(
    scenario_dir: options.ScenarioArgument = None,
    out: options.Out = None,
    overwrite: options.Overwrite = False,
    only: options.Only = None,
    propose_places: options.ProposePlaces = False,
    robust: options.Robust = None,
    time_limit: options.TimeLimit = None,
    workers: options.Workers = None,
    seed: options.Seed = None,
    previous: options.Previous = None,
    freeze_until: options.FreezeUntil = None,
    decision_round: options.Round = None,
    actuals: options.Actuals = None,
    allow_change: options.AllowChange = None,
    allow_change_sek: options.AllowChangeSek = None,
    set_values: options.SetValues = None,
    scales: options.Scales = None,
    where: options.Where = None,
    dips: options.Dips = None,
    shifts: options.Shifts = None,
    without_providers: options.WithoutProviders = None,
    budget: options.Budget = None,
    objectives: options.Objectives = None,
    excel: options.Excel = False,
    report: options.Report = False,
    parquet: options.Parquet = False,
    swedish_csv: options.SwedishCsv = False,
    deterministic: options.Deterministic = False,
    quiet: options.Quiet = False,
    as_json: options.Json = False,
) -> None:
    """`leveransplan solve`: the help is the translated text above."""
    started = _command_started()
    if only is not None and only not in MODEL_NAMES:
        err_console.print(
            _("--only {value}: expected one of {models}.").format(
                value=repr(only), models=", ".join(MODEL_NAMES)
            )
        )
        raise typer.Exit(EXIT_USAGE)
    flags = what_if_flags(
        set_values or (),
        scales or (),
        where or (),
        dips or (),
        without_providers or (),
        budget,
        objectives or (),
        shifts or (),
    )
    try:
        what_ifs = parse_recorded(flags)
    except WhatIfInvalid as invalid:
        refuse(
            ngettext(
                "[bold red]{count} what-if flag is not understood:[/]",
                "[bold red]{count} what-if flags are not understood:[/]",
                len(invalid.problems),
            ).format(count=len(invalid.problems)),
            invalid.problems,
            EXIT_USAGE,
        )
    run = SolveRun(
        folder=scenario_dir or default_scenario_path(),
        out=out,
        overwrite=overwrite,
        only=only,
        propose_places=propose_places,
        robust=robust,
        solver=_solver_settings(deterministic, time_limit_s=time_limit, workers=workers, seed=seed),
        previous=previous,
        freeze_until=freeze_until,
        decision_round=decision_round,
        actuals=actuals,
        allow_change=(allow_change, allow_change_sek),
        what_if_flags=flags,
        what_ifs=what_ifs,
        excel=excel,
        report=report,
        parquet=parquet,
        swedish_csv=swedish_csv,
        quiet=quiet,
        as_json=as_json,
    )
    commands_solve.solve(run, started)


@app.command(
    cls=_TranslatedCommand,
    help=_(
        "Why patients are left beyond the care guarantee: the limits that bind, per hospital and category."
    )
    + "\n\n"
    + _(
        "Ordered by patient-months beyond the guarantee, then what another 10 MSEK would remove "
        "at the plan's budget and where that money would go. When no plan obeys every rule, names "
        "a small set of rules that cannot hold together instead (exit code 4)."
    ),
)
def explain(
    scenario_dir: options.ScenarioArgument = None,
    plan_dir: options.PlanDir = None,
    top: options.Top = 20,
    time_limit: options.ExplainTimeLimit = None,
    as_json: options.ExplainJson = False,
    marginal: options.Marginal = False,
) -> None:
    """`leveransplan explain`: the help is the translated text above."""
    started = _command_started()
    if time_limit is not None and (not math.isfinite(time_limit) or time_limit <= 0):
        err_console.print(_("--time-limit must be a number of seconds above 0."))
        raise typer.Exit(EXIT_USAGE)
    folder = scenario_dir or default_scenario_path()
    commands_guarantee.explain(folder, plan_dir, top, time_limit, as_json, marginal, started)


@app.command(
    cls=_TranslatedCommand,
    help=_("List every problem in a scenario's files (file, row, column, value, what was expected)."),
)
def validate(scenario_dir: options.ScenarioArgument = None) -> None:
    """`leveransplan validate`: the help is the translated text above."""
    commands.validate(scenario_dir or default_scenario_path())


@app.command(
    cls=_TranslatedCommand,
    help=_("Check a written plan against every rule of the spec, independently of the solver.")
    + "\n\n"
    + _(
        "What-if changes recorded in the plan's manifest.json are applied to the scenario again "
        "first, and every file is compared with the SHA-256 manifest.json records for it."
    ),
)
def check(
    scenario_dir: options.ScenarioDir,
    plan_dir: options.CheckPlanDir,
) -> None:
    """`leveransplan check`: the help is the translated text above."""
    commands.check(scenario_dir, plan_dir)


@app.command(
    "report",
    cls=_TranslatedCommand,
    help=_("Write one self-contained HTML report of a plan or a frontier (opens offline, in any browser)."),
)
def report_command(
    plan_dir: options.ReportPlanDir,
    out: options.ReportOut = None,
    overwrite: options.ReportOverwrite = False,
) -> None:
    """`leveransplan report`: the help is the translated text above."""
    commands.report(plan_dir, out, overwrite)


@app.command(
    cls=_TranslatedCommand,
    help=_(
        "What changed from plan A to plan B: referrals and SEK per hospital, provider and month; objectives."
    )
    + "\n\n"
    + _(
        "Both plans are verified first: their files as written and checked against their "
        "scenarios. The update is on delegation only when no hospital's spend and not the "
        "region's cost changes by more than 3 000 000 SEK; otherwise it goes to the committee."
    ),
)
def diff(
    plan_a: options.PlanA,
    plan_b: options.PlanB,
    out: options.DiffOut = None,
    overwrite: options.ReportOverwrite = False,
    as_json: options.DiffJson = False,
) -> None:
    """`leveransplan diff`: the help is the translated text above."""
    commands.diff(plan_a, plan_b, out, overwrite, as_json)


@app.command(
    cls=_TranslatedCommand,
    help=_(
        "The chain of plans from PLAN_DIR back to the first: each plan's round, frozen months and "
        "scenario, and whether the previous plan each one was made from is still as it recorded "
        "it."
    )
    + "\n\n"
    + _("A previous plan that is missing or changed breaks the chain: it is named, and the exit code is 6."),
)
def history(plan_dir: options.HistoryPlanDir, as_json: options.HistoryJson = False) -> None:
    """`leveransplan history`: the help is the translated text above."""
    commands.history(plan_dir, as_json)


@app.command(
    cls=_TranslatedCommand,
    help=_(
        "Performed against planned per hospital, category and month; referrals delivered against the plan."
    )
    + "\n\n"
    + _(
        "With the plan's scenario readable also per hospital and kind (price class) by month, "
        "year to date and period (T1 January-April, T2 May-August, ÅR), the settlement of "
        "additional volumes per April, August and December, up to the level decided for the year, "
        "the share of the waiting lists within the care guarantee, planned and reported, and the "
        "ST-A status report."
    ),
)
def followup(
    plan_dir: options.FollowupPlanDir,
    actuals: options.FollowupActuals = None,
    referrals: options.Referrals = None,
    out: options.FollowupOut = None,
) -> None:
    """`leveransplan followup`: the help is the translated text above."""
    commands.followup(plan_dir, actuals, referrals, out)


@app.command(
    "template",
    cls=_TranslatedCommand,
    help=_(
        "Write the CSV file followup reads for a plan, one row per planned month with the figures "
        "empty: actuals (hospital, category, month, performed, waiting_end) or referrals "
        "(hospital, category, provider, month, referrals)."
    ),
)
def template_command(
    kind: options.TemplateKind,
    plan_dir: options.TemplatePlanDir,
    out: options.TemplateOut = None,
    overwrite: options.ReportOverwrite = False,
) -> None:
    """`leveransplan template`: the help is the translated text above."""
    commands.followup_template(kind.value, plan_dir, out, overwrite)


@app.command(
    "risk",
    cls=_TranslatedCommand,
    help=_(
        "How likely a plan is to break the care guarantee: the plan played through sampled futures "
        "of inflow, production and deliveries (all files appear together, or none)."
    ),
)
def risk_command(
    plan_dir: options.RiskPlan,
    samples: options.Samples = 1000,
    seed: options.RiskSeed = 0,
    uncertainty: options.Uncertainty = None,
    scheduler: options.Scheduler = None,
    out: options.RiskOut = None,
    overwrite: options.Overwrite = False,
    as_json: options.Json = False,
) -> None:
    """`leveransplan risk`: the help is the translated text above."""
    commands_risk.risk(plan_dir, samples, seed, uncertainty, scheduler, out, overwrite, as_json)


@app.command(
    "sweep",
    cls=_TranslatedCommand,
    help=_(
        "Solve a set of what-ifs side by side and compare each with the base plan, a row of the CSV "
        "file as each one finishes."
    ),
)
def sweep_command(
    scenario_dir: options.ScenarioArgument = None,
    variants: options.Variants = None,
    time_limit: options.SweepTimeLimit = 20.0,
    processes: options.Processes = 0,
    scheduler: options.Scheduler = None,
    deterministic: options.SweepDeterministic = False,
    out: options.SweepOut = None,
    resume: options.Resume = False,
) -> None:
    """`leveransplan sweep`: the help is the translated text above."""
    if not math.isfinite(time_limit) or time_limit <= 0 or processes < 0:
        err_console.print(_("--time-limit must be a number of seconds above 0, --processes 0 or more."))
        raise typer.Exit(EXIT_USAGE)
    if scheduler is not None and processes:
        err_console.print(
            _("--processes is for the cluster started on this machine; with --scheduler its workers solve.")
        )
        raise typer.Exit(EXIT_USAGE)
    commands.sweep(
        scenario_dir or default_scenario_path(),
        variants,
        time_limit,
        processes,
        out,
        scheduler=scheduler,
        resume=resume,
        deterministic=deterministic,
    )


@app.command(
    "frontier",
    cls=_TranslatedCommand,
    help=_(
        "What money buys: the fewest patient-months beyond the guarantee within each budget, from "
        "the take-or-pay minimums to the cost of the unconstrained optimum (all files appear "
        "together, or none)."
    ),
)
def frontier_command(
    scenario_dir: options.ScenarioArgument = None,
    points: options.Points = 11,
    out: options.FrontierOut = None,
    overwrite: options.FrontierOverwrite = False,
    time_limit: options.FrontierTimeLimit = None,
    deterministic: options.FrontierDeterministic = False,
    report: options.FrontierReport = False,
    quiet: options.Quiet = False,
    as_json: options.FrontierJson = False,
) -> None:
    """`leveransplan frontier`: the help is the translated text above."""
    started = _command_started()
    if not MIN_POINTS <= points <= MAX_POINTS:
        err_console.print(
            _(
                "--points {points}: expected {least} to {most} budgets; the curve's two ends, the "
                "least cost and the unconstrained optimum's cost, are two of them. Nothing was written."
            ).format(points=points, least=MIN_POINTS, most=MAX_POINTS)
        )
        raise typer.Exit(EXIT_USAGE)
    if time_limit is not None and (not math.isfinite(time_limit) or time_limit <= 0):
        err_console.print(_("--time-limit must be a number of seconds above 0. Nothing was written."))
        raise typer.Exit(EXIT_USAGE)
    settings = _solver_settings(deterministic, time_limit_s=time_limit)
    folder = scenario_dir or default_scenario_path()
    commands_guarantee.frontier(folder, points, out, overwrite, settings, report, quiet, as_json, started)


@app.command(
    cls=_TranslatedCommand,
    help=_(
        "Write a valid, realistic scenario of any size, modelled on VGR 2026 (every figure illustrative)."
    ),
)
def generate(
    out: options.GenerateOut,
    scale: options.Scale = 1,
    seed: options.GenerateSeed = 0,
    overwrite: options.GenerateOverwrite = False,
) -> None:
    """`leveransplan generate`: the help is the translated text above."""
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
        err_console.print(_("Stopped ({signal}). Nothing was written.").format(signal=stop))
        sys.exit(128 + stop.signal_number)
    except Exception as error:
        if os.environ.get("LEVERANSPLAN_DEBUG"):
            raise
        err_console.print(
            _("Internal error ({kind}): {error}. Set LEVERANSPLAN_DEBUG=1 to see where.").format(
                kind=type(error).__name__, error=error
            ),
            markup=False,
            highlight=False,
        )
        sys.exit(1)
    finally:
        restore()
        _process_started = None  # a caller in this process (a test) starts its own clock
