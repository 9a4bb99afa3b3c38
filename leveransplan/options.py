"""The command line's arguments and options, each with its help text, as typer reads them.

leveransplan/cli.py declares the commands with these; an option that several commands share with
the same meaning is one declaration here. docs/commands.md documents every one of them.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from leveransplan.inputs.generators.synthetic import MAX_SCALE
from leveransplan.models.language import _
from leveransplan.optimizer.frontier import MAX_POINTS, MIN_POINTS

ScenarioArgument = Annotated[
    Path | None,
    typer.Argument(
        help=_("Scenario folder (scenario.toml and CSV tables). Default: the shipped VGR 2026 scenario.")
    ),
]

Out = Annotated[
    Path | None,
    typer.Option("--out", help=_("Output folder (default: plan-<scenario folder name>, never overwritten).")),
]

Overwrite = Annotated[
    bool,
    typer.Option(
        "--overwrite",
        help=_(
            "Replace --out if it is an earlier plan holding only its own files, as written "
            "(a folder with anything else in it is refused, naming what)."
        ),
    ),
]

Only = Annotated[
    str | None,
    typer.Option(
        "--only",
        help=_(
            "Solve one model: volumes, at or placements (default: every model the scenario has tables for)."
        ),
    ),
]

ProposePlaces = Annotated[
    bool,
    typer.Option(
        "--propose-places",
        help=_(
            "Instead of holding to st_capacity.csv's places, propose the fewest places per hospital, "
            "specialty and year that place every requirement that can be placed, spread evenly."
        ),
    ),
]

TimeLimit = Annotated[
    float | None, typer.Option("--time-limit", help=_("Seconds for the whole solve, all models and stages."))
]

Workers = Annotated[int | None, typer.Option("--workers", help=_("CP-SAT workers (0 = all cores)."))]

Seed = Annotated[
    int | None,
    typer.Option(
        "--seed", help=_("CP-SAT random seed; with --robust also the seed of the planning futures.")
    ),
]

Robust = Annotated[
    int | None,
    typer.Option(
        "--robust",
        min=1,
        max=200,
        help=_(
            "Plan against N sampled futures (uncertainty.csv) for the fewest patient-months beyond "
            "the guarantee on average, at no more than the cost of the plan made at forecast inflow "
            "(docs/risk.md); 30 is a good start."
        ),
    ),
]

Previous = Annotated[
    Path | None,
    typer.Option("--previous", help=_("A plan folder to stay close to: turns on the stability objectives.")),
]

FreezeUntil = Annotated[
    str | None,
    typer.Option(
        "--freeze-until",
        help=_("With --previous: decisions up to this month (YYYY-MM) stay as decided."),
    ),
]

Round = Annotated[
    str | None,
    typer.Option(
        "--round",
        help=_(
            "With --previous: the decision round (YYYY-MM) this re-plan is made in; the months "
            "before it stay as decided (--round 2026-09 is --freeze-until 2026-08), and manifest.json "
            "records the round."
        ),
    ),
]

AllowChange = Annotated[
    int | None,
    typer.Option(
        "--allow-change",
        help=_(
            "With --previous: after the least change the guarantee allows, each hospital's "
            "additional units, transfers and referrals may change by up to this many units (or as "
            "much as the least change needs) to save money or travel."
        ),
    ),
]

AllowChangeSek = Annotated[
    str | None,
    typer.Option(
        "--allow-change-sek",
        help=_(
            "With --previous: as --allow-change, in SEK of change per hospital (each unit moved "
            "at its price), e.g. 3e6."
        ),
    ),
]

Actuals = Annotated[
    Path | None,
    typer.Option(
        "--actuals",
        help=_(
            "With --freeze-until or --round: re-plan the months after it from reported outcomes "
            "(CSV: hospital, category, month, performed, waiting_end)."
        ),
    ),
]

SetValues = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help=_("What-if: one value, TABLE.KEY.COLUMN=VALUE (contracts.KAT-1.volume_max=2500).")
    ),
]

Scales = Annotated[
    list[str] | None,
    typer.Option(
        "--scale", help=_("What-if: scale a numeric column, TABLE.COLUMN=FACTOR (need.inflow=1.10).")
    ),
]

Where = Annotated[
    list[str] | None,
    typer.Option("--where", help=_("Rows --scale applies to, COLUMN=VALUE (hospital=SÄS); all must match.")),
]

Dips = Annotated[
    list[str] | None,
    typer.Option(
        "--dip",
        help=(
            _(
                "What-if: capacity lost in a go-live, HOSPITAL[:CATEGORY...]:YYYY-MM..YYYY-MM=FACTOR, "
                "the share of base and additional capacity kept (SU:2026-04..2026-06=0.6); the lost units "
                "are gone."
            )
        ),
    ),
]

Shifts = Annotated[
    list[str] | None,
    typer.Option(
        "--shift",
        help=(
            _(
                "What-if: the capacity factor times FACTOR, HOSPITAL:YYYY-MM..YYYY-MM=FACTOR; the year's "
                "volumes are spread over the other months (SU:2026-04..2026-06=0.6)."
            )
        ),
    ),
]

WithoutProviders = Annotated[
    list[str] | None,
    typer.Option("--without-provider", help=_("What-if: leave out every contract of a provider.")),
]

Budget = Annotated[
    str | None, typer.Option("--budget", help=_("What-if: a cap on the plan's cost in SEK (250e6)."))
]

Objectives = Annotated[
    list[str] | None,
    typer.Option(
        "--objective",
        help=_("What-if: objective order, TERMS (volumes) or MODEL=TERMS (placements=unplaced,travel)."),
    ),
]

Excel = Annotated[
    bool,
    typer.Option(
        "--excel",
        help=_(
            "Also write workbooks/: a workbook per hospital, region.xlsx, and AT.xlsx and "
            "ST-A.xlsx when those models are solved. The CSV files are not changed."
        ),
    ),
]

Report = Annotated[
    bool, typer.Option("--report", help=_("Also write report.html (self-contained, works offline)."))
]

Parquet = Annotated[
    bool,
    typer.Option("--parquet", help=_("Also write the tables as typed Parquet files in bi/, for Power BI.")),
]

SwedishCsv = Annotated[
    bool,
    typer.Option(
        "--swedish-csv",
        help=_(
            "Also write csv-sv/: a copy of each CSV file in the Swedish Excel dialect (';', "
            "decimal comma, BOM). The CSV files themselves are not changed."
        ),
    ),
]

Deterministic = Annotated[
    bool,
    typer.Option(
        "--deterministic",
        help=_(
            "Byte-identical output files for the same inputs and flags on any machine: the solver "
            "searches in a fixed order and --time-limit counts CP-SAT's deterministic time units."
        ),
    ),
]

Quiet = Annotated[bool, typer.Option("--quiet", help=_("No live progress on stderr."))]

Json = Annotated[
    bool, typer.Option("--json", help=_("Print summary.json's content on stdout instead of tables."))
]

PlanDir = Annotated[
    Path | None,
    typer.Argument(help=_("A plan folder made from the scenario (default: solve the volumes first).")),
]

Top = Annotated[
    int, typer.Option("--top", help=_("Show the N hospitals and categories with most patient-months."))
]

ExplainTimeLimit = Annotated[
    float | None,
    typer.Option(
        "--time-limit",
        help=_(
            "Seconds for the whole command: the solve when no plan is given, and the solves of "
            "what another 10 MSEK buys."
        ),
    ),
]

ExplainJson = Annotated[bool, typer.Option("--json", help=_("Print every explanation as JSON on stdout."))]

Marginal = Annotated[
    bool,
    typer.Option(
        "--marginal",
        help=_(
            'With --json: add what another 10 MSEK buys; the output is then {"reasons": [...], '
            '"marginal": {...}} instead of the list of reasons (the text always shows it).'
        ),
    ),
]

ScenarioDir = Annotated[Path, typer.Argument(help=_("The scenario folder the plan was made from."))]

CheckPlanDir = Annotated[Path, typer.Argument(help=_("A plan folder written by `leveransplan solve`."))]

ReportPlanDir = Annotated[
    Path,
    typer.Argument(
        help=_("A plan folder (`leveransplan solve`) or a frontier folder (`leveransplan frontier`).")
    ),
]

ReportOut = Annotated[
    Path | None,
    typer.Option("--out", help=_("The HTML file (default: report.html in the plan folder).")),
]

ReportOverwrite = Annotated[bool, typer.Option("--overwrite", help=_("Replace --out if it exists."))]

PlanA = Annotated[Path, typer.Argument(help=_("The plan compared with (e.g. the decided one)."))]

PlanB = Annotated[Path, typer.Argument(help=_("The new plan."))]

DiffOut = Annotated[
    Path | None,
    typer.Option("--out", help=_("CSV of the changed flows (default: diff-A-B.csv, never overwritten).")),
]

DiffJson = Annotated[
    bool,
    typer.Option(
        "--json",
        help=_(
            "Print the comparison as JSON on stdout instead of tables (flows, volume table, objectives, "
            "each hospital's spend and delegation.on_delegation); the CSV is written as without it."
        ),
    ),
]

FollowupPlanDir = Annotated[Path, typer.Argument(help=_("The plan folder to follow up."))]

FollowupActuals = Annotated[
    Path | None,
    typer.Option(
        "--actuals",
        help=_(
            "CSV: hospital, category, month, performed, waiting_end. Without it only the ST-A status "
            "of the plan (and --referrals) is followed up."
        ),
    ),
]

Referrals = Annotated[
    Path | None,
    typer.Option("--referrals", help=_("CSV: hospital, category, provider, month, referrals (delivered).")),
]

FollowupOut = Annotated[
    Path | None,
    typer.Option("--out", help=_("Folder for the CSV files (default: followup-PLAN, never overwritten).")),
]


class TemplateFile(StrEnum):
    """The files followup reads."""

    actuals = "actuals"
    referrals = "referrals"


TemplateKind = Annotated[TemplateFile, typer.Argument(help=_("actuals or referrals."))]

TemplatePlanDir = Annotated[Path, typer.Argument(help=_("The plan folder the file is for."))]

TemplateOut = Annotated[
    Path | None,
    typer.Option("--out", help=_("The CSV file (default: actuals-PLAN.csv or referrals-PLAN.csv).")),
]

Variants = Annotated[
    Path | None,
    typer.Option(
        "--variants",
        help=_("TOML file of \\[\\[variant]] tables (name and what-if keys); default: built in."),
    ),
]

SweepTimeLimit = Annotated[float, typer.Option("--time-limit", help=_("Seconds per variant."))]

Processes = Annotated[
    int,
    typer.Option(
        "--processes", help=_("Worker processes of the cluster started on this machine (default: the cores).")
    ),
]

# An existing Dask cluster to run on, for the commands that run many solves (sweep, risk).
Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help=_(
            "Run on the Dask cluster of this scheduler (`dask scheduler`, with `dask worker` on each "
            "machine) instead of a cluster of this machine's cores started for the command."
        ),
    ),
]

Resume = Annotated[
    bool,
    typer.Option(
        "--resume",
        help=_(
            "Go on with the --out file of a stopped run: its rows are kept and only the variants "
            "missing there, or failed, are solved."
        ),
    ),
]

SweepDeterministic = Annotated[
    bool,
    typer.Option(
        "--deterministic",
        help=_(
            "The same rows for the same inputs on any machine: the solver searches in a fixed order "
            "and --time-limit counts CP-SAT's deterministic time units."
        ),
    ),
]

SweepOut = Annotated[
    Path | None,
    typer.Option(
        "--out",
        help=_(
            "CSV of the results, a row added as each variant ends (default: sweep-SCENARIO.csv; an "
            "existing file only with --resume)."
        ),
    ),
]

Points = Annotated[
    int,
    typer.Option(
        "--points",
        help=_(
            "Budgets on the curve, evenly spaced from the least cost (the take-or-pay minimums) to "
            "the unconstrained optimum's cost, both included ({least} to {most})."
        ).format(least=MIN_POINTS, most=MAX_POINTS),
    ),
]

FrontierOut = Annotated[
    Path | None,
    typer.Option(
        "--out", help=_("Output folder (default: frontier-<scenario folder name>, never overwritten).")
    ),
]

FrontierOverwrite = Annotated[
    bool,
    typer.Option(
        "--overwrite",
        help=_(
            "Replace --out if it is an earlier output of the tool holding only its own files, as "
            "written (a folder with anything else in it is refused, naming what)."
        ),
    ),
]

FrontierTimeLimit = Annotated[
    float | None,
    typer.Option(
        "--time-limit",
        help=_("Seconds for the whole command, all points (default: the scenario's time_limit_s)."),
    ),
]

FrontierDeterministic = Annotated[
    bool,
    typer.Option(
        "--deterministic",
        help=_(
            "The same curve for the same inputs on any machine: the solver searches in a fixed "
            "order and --time-limit counts CP-SAT's deterministic time units."
        ),
    ),
]

FrontierReport = Annotated[
    bool, typer.Option("--report", help=_("Also write report.html with the curve as a chart."))
]

FrontierJson = Annotated[
    bool, typer.Option("--json", help=_("Print summary.json's content on stdout instead of the table."))
]

GenerateOut = Annotated[Path, typer.Argument(help=_("The scenario folder to write."))]

Scale = Annotated[
    int,
    typer.Option(
        "--scale",
        min=1,
        max=MAX_SCALE,
        help=_(
            "Regions of five hospitals each: 1 is about VGR (5 hospitals, 30 contracts, 292 AT "
            "positions, 540 ST-A trainees), 20 about the nation (100 hospitals, 600 contracts)."
        ),
    ),
]

GenerateSeed = Annotated[
    int, typer.Option("--seed", min=0, help=_("Random seed: the same scale and seed give the same files."))
]

GenerateOverwrite = Annotated[
    bool, typer.Option("--overwrite", help=_("Replace OUT if it is a scenario folder."))
]

HistoryPlanDir = Annotated[
    Path, typer.Argument(help=_("A plan folder (`leveransplan solve`): the newest of the chain."))
]

HistoryJson = Annotated[
    bool,
    typer.Option(
        "--json",
        help=_(
            "Print the chain as JSON on stdout instead of lines (each plan, its previous plan and whether "
            "that is as recorded)."
        ),
    ),
]

RiskPlan = Annotated[Path, typer.Argument(help=_("A plan folder written by `leveransplan solve`."))]

Samples = Annotated[
    int,
    typer.Option("--samples", min=1, max=100_000, help=_("How many futures to sample (1 000 by default).")),
]

RiskSeed = Annotated[
    int,
    typer.Option(
        "--seed", min=0, max=2**31 - 1, help=_("The futures' seed: the same seed gives the same futures.")
    ),
]

Uncertainty = Annotated[
    Path | None,
    typer.Option(
        "--uncertainty",
        help=_(
            "A file read as the scenario's uncertainty.csv, to try other figures without changing the "
            "scenario the plan was made from."
        ),
    ),
]

RiskOut = Annotated[
    Path | None,
    typer.Option("--out", help=_("Output folder (default: risk-<plan folder name>, never overwritten).")),
]
