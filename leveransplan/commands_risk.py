"""`leveransplan risk`: a written volume plan played through sampled futures (docs/risk.md)."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

import typer

from leveransplan.commands import cannot_write, cluster_client, refuse
from leveransplan.exit_codes import EXIT_INVALID, EXIT_USAGE
from leveransplan.inputs.load import load_scenario
from leveransplan.inputs.previous import PreviousPlanInvalid, read_previous_plan
from leveransplan.inputs.problems import ScenarioInvalid
from leveransplan.models.derived import VolumeData
from leveransplan.models.language import N_, _
from leveransplan.models.risk import (
    PlanArrays,
    forecast_future,
    play,
    play_chunk,
    sample_outcomes,
    summarise,
)
from leveransplan.models.scenario import Scenario
from leveransplan.models.uncertainty import RISK_STREAM, UncertaintyModel, decimal_text
from leveransplan.outputs.console.common import err_console, out_console, print_json
from leveransplan.outputs.console.risk import print_risk
from leveransplan.outputs.publish import OutputRefused, plan_target
from leveransplan.outputs.recorded import PlanUnverified, verify_plan
from leveransplan.outputs.report.risk import render_risk_report
from leveransplan.outputs.risk_files import RISK_JSON, RISK_REPORT, risk_files
from leveransplan.outputs.staging import TargetTaken, write_folder

UNCERTAINTY = "uncertainty.csv"


def _plan_scenario(plan_dir: Path, uncertainty: Path | None) -> Scenario:
    """The plan's scenario, verified; with `uncertainty`, that file read as its uncertainty.csv."""
    try:
        scenario, run = verify_plan(plan_dir)
    except PlanUnverified as unverified:
        refuse(
            _("[bold red]The plan {plan} cannot be played as written:[/]").format(plan=plan_dir),
            unverified.problems,
            EXIT_USAGE,
        )
    if uncertainty is None:
        return scenario
    folder = run.scenario_folder
    assert folder is not None  # verify_plan checked the plan against it
    if not uncertainty.is_file():
        err_console.print(
            _("--uncertainty {file}: no such file. Nothing was written.").format(file=uncertainty),
            markup=False,
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE)
    # The file is read as uncertainty.csv of a copy of the plan's scenario, with every rule that
    # table has (codes, months and ranges of that scenario); its problems name the file given.
    with tempfile.TemporaryDirectory(prefix="leveransplan-risk-") as holder:
        copy = Path(holder) / folder.name
        shutil.copytree(folder, copy)
        shutil.copyfile(uncertainty, copy / UNCERTAINTY)
        try:
            with_rows = load_scenario(copy, run.what_ifs)
        except ScenarioInvalid as invalid:
            problems = [
                replace(p, file=str(uncertainty)) if p.file == UNCERTAINTY else p for p in invalid.problems
            ]
            refuse(
                _("[bold red]--uncertainty {file} cannot be used:[/]").format(file=uncertainty),
                problems,
                EXIT_INVALID,
            )
    return scenario.model_copy(update={"uncertainty": with_rows.uncertainty})


def risk(
    plan_dir: Path,
    samples: int,
    seed: int,
    uncertainty: Path | None,
    scheduler: str | None,
    out: Path | None,
    overwrite: bool,
    as_json: bool,
) -> NoReturn:
    """Play the plan in `plan_dir` through `samples` futures and publish the risk folder."""
    scenario = _plan_scenario(plan_dir, uncertainty)
    if not (plan_dir / "production_plan.csv").is_file():
        err_console.print(_("{plan} has no volume plan (production_plan.csv) to play.").format(plan=plan_dir))
        raise typer.Exit(EXIT_USAGE)
    try:
        target = plan_target(
            out, Path(f"risk-{plan_dir.resolve().name}"), overwrite, {N_("the plan folder"): plan_dir}
        )
    except OutputRefused as refused:
        err_console.print(_("{why}. Nothing was written.").format(why=refused), markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    try:
        previous = read_previous_plan(plan_dir, scenario)
    except PreviousPlanInvalid as invalid:
        refuse(
            _("[bold red]The plan {plan} cannot be read:[/]").format(plan=plan_dir),
            invalid.problems,
            EXIT_USAGE,
        )
    assert previous.volumes is not None
    data = VolumeData.from_scenario(scenario)
    plan = PlanArrays.of(data, previous.volumes)
    model = UncertaintyModel.of(data)
    # Imported here, as cluster_client imports Dask: only the commands that use it pay for it.
    from leveransplan.optimizer.cluster import chunk_mapper

    with cluster_client(scheduler) as client:
        mapper = chunk_mapper(client, play_chunk)
        outcome = sample_outcomes(data, plan, model, samples, seed, RISK_STREAM, mapper)
    summary = summarise(data.hospitals, outcome, play(plan, forecast_future(data)))
    figures = [
        {
            key: decimal_text(v) if key == "value" else v
            for key, v in row.model_dump().items()
            if v is not None
        }
        for row in scenario.uncertainty
    ]
    files = risk_files(summary, scenario.horizon, plan_dir, seed, figures)
    files[RISK_REPORT] = render_risk_report(summary, scenario.horizon, str(plan_dir), scenario.name, seed)
    try:
        written = write_folder(target.path, files, target.seen)
    except TargetTaken as error:
        err_console.print(_("{why}. Nothing was written.").format(why=error), markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    except OSError as error:
        cannot_write(target.path, error)
    if as_json:
        print_json({"risk_folder": str(written), **json.loads(files[RISK_JSON])})
    else:
        print_risk(summary, scenario.horizon)
        out_console.print(_("The risk was written to {target}.").format(target=written))
    raise typer.Exit(0)
