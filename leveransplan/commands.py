"""The commands that read, check and compare: each one a function named for its command, from the
files it reads to what it writes and prints; and the steps every command shares.

A command that cannot go on says why on stderr (outputs.console) and stops with its exit code
(leveransplan.exit_codes) by raising typer.Exit. `solve` is in commands_solve, `explain` and
`frontier` in commands_guarantee.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from leveransplan.exit_codes import EXIT_CHECK, EXIT_INVALID, EXIT_OUTPUT, EXIT_USAGE
from leveransplan.inputs import ScenarioInvalid, load_scenario
from leveransplan.inputs.actuals import ActualsInvalid, read_actuals, read_referrals
from leveransplan.inputs.generators.synthetic import describe as describe_generated
from leveransplan.inputs.generators.synthetic import unsafe_target
from leveransplan.inputs.previous import PreviousPlan, PreviousPlanInvalid, read_previous_plan
from leveransplan.inputs.replan import rest_of_year
from leveransplan.inputs.whatif import WhatIf, WhatIfInvalid
from leveransplan.models.derived import VolumeData
from leveransplan.models.language import N_, _, ngettext
from leveransplan.models.months import parse_month
from leveransplan.models.numbers import grouped
from leveransplan.models.scenario import Scenario
from leveransplan.models.training import PlacementData
from leveransplan.optimizer.conflicts import ConflictSearch
from leveransplan.optimizer.placements.conflicts import placement_conflicts
from leveransplan.optimizer.search import Interrupted
from leveransplan.optimizer.sweep import BASE as SWEEP_BASE
from leveransplan.optimizer.sweep import CHANGES as SWEEP_CHANGES
from leveransplan.optimizer.sweep import COLUMNS as SWEEP_COLUMNS
from leveransplan.optimizer.sweep import FAILED as SWEEP_FAILED
from leveransplan.optimizer.sweep import TERMS as SWEEP_TERMS
from leveransplan.optimizer.sweep import Variant, VariantsInvalid, built_in_variants, read_variants
from leveransplan.optimizer.sweep import parameters as sweep_parameters
from leveransplan.optimizer.sweep import sweep as run_sweep
from leveransplan.optimizer.volumes.conflicts import volume_conflicts
from leveransplan.outputs.appended_table import AppendedTable, TableUnreadable
from leveransplan.outputs.chain import plan_chain
from leveransplan.outputs.checker.plan import check_plan, models_in_plan
from leveransplan.outputs.console.common import (
    err_console,
    out_console,
    print_cannot_write,
    print_checked,
    print_conflict,
    print_json,
    print_notes,
    print_refusal,
    print_valid,
    print_violations,
)
from leveransplan.outputs.console.compare import print_diff, print_sweep, sweep_progress
from leveransplan.outputs.console.followup import print_follow_up
from leveransplan.outputs.console.history import print_history
from leveransplan.outputs.diff import PlanUnreadable, diff_plans
from leveransplan.outputs.followup import PlanUnreadable as FollowUpUnreadable
from leveransplan.outputs.followup import follow_up, template, write_follow_up
from leveransplan.outputs.generated import write_scenario
from leveransplan.outputs.manifest import MANIFEST, ManifestUnreadable, record_output
from leveransplan.outputs.publish import REPORT, TargetTaken, free_folder_name, write_csv
from leveransplan.outputs.recorded import PlanUnverified, RecordedRun, plan_run, plan_scenario, verify_plan
from leveransplan.outputs.report.frontier import is_frontier_folder, write_frontier_report
from leveransplan.outputs.report.page import ReportUnreadable, write_report

if TYPE_CHECKING:
    from distributed import Client

# The sweep table's whole-number columns: the objective terms and their changes.
SWEEP_WHOLE = (*SWEEP_TERMS, *SWEEP_CHANGES.values())

# --- the steps the commands share ----------------------------------------------------------------


NO_SCENARIO = N_(
    "The scenario {plan} was made from cannot be read: no comparison per hospital and kind, no "
    "settlement, no care guarantee fulfilment, no ST-A status."
)
SCENARIO_CHANGED = N_(
    "The scenario {plan} was made from has changed since ({files} differ): no comparison per hospital "
    "and kind, no settlement, no care guarantee fulfilment, no ST-A status, as they would take its "
    "categories, prices, decided levels, guarantee limits and trainees as they are now."
)


def refuse(title: str, problems: Sequence[object], exit_code: int) -> NoReturn:
    """Print a title and every problem, say that nothing was written, and exit with `exit_code`."""
    print_refusal(title, problems)
    raise typer.Exit(exit_code)


def cannot_write(target: Path, error: OSError, kept_rows: int = 0) -> NoReturn:
    """The output could not be written: say why in plain words; nothing was left behind, or (a
    file written a row at a time) the `kept_rows` written before."""
    print_cannot_write(target, error, kept_rows)
    raise typer.Exit(EXIT_OUTPUT)


def _nothing_written(error: Exception, exit_code: int) -> NoReturn:
    """Why the command stops, in the error's words, and that nothing was written."""
    err_console.print(_("{why}. Nothing was written.").format(why=error), markup=False, highlight=False)
    raise typer.Exit(exit_code) from None


def _exists(target: Path, overwrite: bool) -> NoReturn:
    """`target` is taken: name it, and the way out (`overwrite`: the command has --overwrite)."""
    words = (
        _("{target} exists; choose another --out or add --overwrite. Nothing was written.")
        if overwrite
        else _("{target} exists; choose another --out. Nothing was written.")
    )
    err_console.print(words.format(target=target), markup=False, highlight=False)
    raise typer.Exit(EXIT_USAGE)


def load(folder: Path, what_ifs: Sequence[WhatIf] = ()) -> Scenario:
    """The scenario, with notes on how its files were read on stderr; bad input exits 3 (a what-if 2)."""
    try:
        scenario = load_scenario(folder, what_ifs)
    except ScenarioInvalid as invalid:
        print_notes(invalid.notes)
        if isinstance(invalid, WhatIfInvalid):
            refuse(
                ngettext(
                    "[bold red]{count} what-if flag cannot be applied:[/]",
                    "[bold red]{count} what-if flags cannot be applied:[/]",
                    len(invalid.problems),
                ).format(count=len(invalid.problems)),
                invalid.problems,
                EXIT_USAGE,
            )
        count = len(invalid.problems)
        if what_ifs:
            title = ngettext(
                "[bold red]The scenario {folder} with the what-if changes has {count} problem:[/]",
                "[bold red]The scenario {folder} with the what-if changes has {count} problems:[/]",
                count,
            )
        else:
            title = ngettext(
                "[bold red]The scenario {folder} has {count} problem:[/]",
                "[bold red]The scenario {folder} has {count} problems:[/]",
                count,
            )
        title = title.format(folder=folder, count=grouped(count))
        refuse(title, invalid.problems, EXIT_INVALID)
    print_notes(scenario.notes)
    return scenario


def replan_rest_of_year(
    scenario: Scenario, actuals: Path, decided_until: str, previous: Path | None
) -> Scenario:
    """The scenario of the months after `decided_until`, from the reported outcomes (inputs.replan)."""
    notes: list[str] = []
    try:
        decided = read_previous_plan(previous, scenario).volumes if previous is not None else None
        performed = read_actuals(actuals, notes)
        print_notes(notes)
        return rest_of_year(scenario, performed, decided_until, decided, actuals.name)
    except (ActualsInvalid, PreviousPlanInvalid) as invalid:
        print_notes(notes)
        refuse(
            _("[bold red]The re-plan from {file} cannot start:[/]").format(file=actuals),
            invalid.problems,
            EXIT_INVALID,
        )


def scenario_of_plan(scenario_dir: Path, plan_dir: Path) -> tuple[Scenario, RecordedRun, list[str]]:
    """The scenario a plan was made from (the folder with the plan's recorded what-ifs and re-plan
    applied), the recorded run, and what makes the plan's files differ from what it wrote."""
    try:
        run, changed = plan_run(plan_dir)
    except ManifestUnreadable as error:
        err_console.print(f"{error}.", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    scenario = load(scenario_dir, run.what_ifs)
    if run.replan_order:
        scenario = scenario.replanning()
    differing = run.changed_inputs(scenario_dir)
    if differing:
        err_console.print(
            _(
                "Note: {files} differ from the files the plan was made from "
                "({manifest}'s inputs_sha256): is this the plan's scenario?"
            ).format(files=", ".join(differing), manifest=plan_dir / MANIFEST),
            markup=False,
            highlight=False,
        )
    if run.what_ifs:
        err_console.print(
            _("With the plan's what-if changes: {changes}").format(changes="; ".join(map(str, run.what_ifs)))
        )
    if run.actuals_file is not None and run.decided_until is not None:
        scenario = replan_rest_of_year(scenario, run.actuals_file, run.decided_until, run.previous_plan)
        err_console.print(
            _("Read as a re-plan after {month} from {file}.").format(
                month=run.decided_until, file=run.actuals_file
            )
        )
    return scenario, run, changed


def print_volume_conflicts(
    scenario: Scenario, previous_plan: PreviousPlan | None, freeze_until: str | None
) -> None:
    """Name a small set of volume rules that cannot hold together (a separate feasibility solve)."""
    frozen = None if freeze_until is None else scenario.horizon.number(freeze_until)
    previous = None if previous_plan is None else previous_plan.volumes
    data = VolumeData.from_scenario(scenario)
    _print_conflict(volume_conflicts(data, scenario.max_cost_sek, previous, frozen))


def print_placement_conflicts(
    scenario: Scenario, previous_plan: PreviousPlan | None, freeze_until: str | None
) -> None:
    """Name the placements that must stay and the limits that cannot hold together."""
    previous = None if previous_plan is None else previous_plan.placements
    frozen = None if freeze_until is None else parse_month(freeze_until)
    _print_conflict(placement_conflicts(PlacementData(scenario, previous, frozen)))


def _print_conflict(search: ConflictSearch) -> None:
    conflict = search.conflict
    rules = None if conflict is None else conflict.rules
    print_conflict(search.status, rules, conflict is not None and conflict.proven_minimal)


# --- the commands ----------------------------------------------------------------------------------


def validate(folder: Path) -> None:
    """List every problem in the scenario's files, or say what the valid scenario holds."""
    print_valid(folder, load(folder))


def check(scenario_dir: Path, plan_dir: Path) -> None:
    """Check a written plan against its scenario (as the plan's manifest records it) and its files
    against the digests the manifest records; exit 6 on any violation."""
    scenario, run, problems = scenario_of_plan(scenario_dir, plan_dir)
    problems += check_plan(scenario, plan_dir, run.frozen)
    if problems:
        print_violations(problems)
        raise typer.Exit(EXIT_CHECK)
    print_checked(plan_dir, models_in_plan(plan_dir) or [])


def report(plan_dir: Path, out: Path | None, overwrite: bool) -> None:
    """Write the HTML report of a plan or a frontier folder; a plan folder's own report.html is
    recorded in its manifest."""
    target = out if out is not None else plan_dir / REPORT
    if target.exists() and not overwrite:
        _exists(target, overwrite=True)
    try:
        if is_frontier_folder(plan_dir):
            write_frontier_report(plan_dir, target)
        else:
            # The ST-A status per month needs the scenario; the report says so when it is not at hand.
            has_trainees = (plan_dir / "placements.csv").is_file()
            scenario = _scenario_of(plan_dir, say_why=False) if has_trainees else None
            write_report(plan_dir, target, scenario=scenario)
        if target.resolve() == (plan_dir / REPORT).resolve():
            record_output(plan_dir, target)  # the plan folder keeps listing all its files
    except ReportUnreadable as error:
        _nothing_written(error, EXIT_USAGE)
    except OSError as error:
        cannot_write(target, error)
    out_console.print(_("Report written to {target}.").format(target=target))


def diff(plan_a: Path, plan_b: Path, out: Path | None, overwrite: bool, as_json: bool = False) -> None:
    """Compare two verified plans; print the changes (or JSON) and write the changed flows as CSV."""
    scenarios = []
    for plan in (plan_a, plan_b):
        try:
            scenarios.append(verify_plan(plan)[0])
        except PlanUnverified as unverified:
            refuse(
                _("[bold red]The plan {plan} cannot be compared as written:[/]").format(plan=plan),
                unverified.problems,
                EXIT_USAGE,
            )
    try:
        result = diff_plans(plan_a, plan_b, scenarios[0])
    except PlanUnreadable as error:
        err_console.print(f"{error}.", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    target = out if out is not None else Path(f"diff-{plan_a.resolve().name}-{plan_b.resolve().name}.csv")
    if target.exists() and not overwrite:
        _exists(target, overwrite=True)
    if not as_json:
        print_diff(plan_a, plan_b, result)
    try:
        write_csv(target, result.csv_columns, result.flows)
    except OSError as error:
        cannot_write(target, error)
    if as_json:
        print_json({**result.as_json(), "csv": str(target)})
    elif result.actual is not None:
        out_console.print(
            _(
                "{changed} changed flows and the {actual} flows of the months replaced by actuals written "
                "to {target}."
            ).format(
                changed=grouped(len(result.changed_flows)), actual=grouped(result.actual.flows), target=target
            )
        )
    else:
        out_console.print(
            _("{changed} changed flows written to {target}.").format(
                changed=grouped(len(result.flows)), target=target
            )
        )


def history(plan_dir: Path, as_json: bool) -> None:
    """The chain of plans from `plan_dir` back to the first; exit 6 when a link is broken (a
    previous plan missing or changed), 2 when `plan_dir` is no plan."""
    try:
        chain = plan_chain(plan_dir)
    except ManifestUnreadable as error:
        err_console.print(f"{error}.", markup=False, highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    broken = any(link.broken for link in chain)
    if as_json:
        print_json({"plans": [link.as_json() for link in chain], "broken": broken})
    else:
        print_history(chain)
    if broken:
        raise typer.Exit(EXIT_CHECK)


def _scenario_of(plan_dir: Path, say_why: bool = True) -> Scenario | None:
    """The scenario a plan's manifest names, as the plan was made from it (its what-ifs, re-plan
    order and months from actuals), or None when it cannot be read or its files have changed
    since; `say_why` says so on stderr (followup then compares row by row only)."""
    try:
        run, _manifest = plan_run(plan_dir)
        folder = run.scenario_folder
        if folder is not None:
            changed = run.changed_inputs(folder)
            if not changed:
                return plan_scenario(run, folder)
            if say_why:
                err_console.print(
                    _(SCENARIO_CHANGED).format(plan=plan_dir, files=", ".join(changed)),
                    markup=False,
                    highlight=False,
                )
            return None
    except (ManifestUnreadable, ScenarioInvalid):  # what-ifs, actuals and previous plans too
        pass
    if say_why:
        err_console.print(_(NO_SCENARIO).format(plan=plan_dir), markup=False, highlight=False)
    return None


def followup(plan_dir: Path, actuals: Path | None, referrals: Path | None, out: Path | None) -> None:
    """Compare reported outcomes with the plan; print the shortfalls and write the comparison.
    Without `actuals`, the plan's ST-A status (and the referrals, when given)."""
    notes: list[str] = []
    try:
        performed = None if actuals is None else read_actuals(actuals, notes, blank_is_unreported=True)
        delivered = None if referrals is None else read_referrals(referrals, notes, blank_is_unreported=True)
        print_notes(notes)
    except ActualsInvalid as invalid:
        print_notes(notes)
        count = len(invalid.problems)
        title = ngettext(
            "{count} problem in the reported outcomes:", "{count} problems in the reported outcomes:", count
        ).format(count=count)
        refuse(f"[bold red]{title}[/]", invalid.problems, EXIT_INVALID)
    try:
        result = follow_up(plan_dir, performed, delivered, _scenario_of(plan_dir))
    except FollowUpUnreadable as error:
        _refuse_follow_up(str(error))
    if not result.with_actuals and result.st_status is None and delivered is None:
        _refuse_follow_up(
            _(
                "Without --actuals only the ST-A status is followed up, and {plan} has no ST-A placements "
                "(placements.csv) or its scenario cannot be read; give --actuals"
            ).format(plan=plan_dir)
        )
    target = out if out is not None else free_folder_name(Path(f"followup-{plan_dir.resolve().name}"))
    if target.exists():
        _refuse_follow_up(_("{target} exists; choose another --out.").format(target=target))
    print_follow_up(result)
    try:
        written = write_follow_up(target, result, delivered is not None, free_name=out is None)
    except TargetTaken as error:
        _refuse_follow_up(str(error))
    except OSError as error:
        cannot_write(target, error)
    out_console.print(
        _("Follow-up written to {folder}.").format(folder=written), markup=False, highlight=False
    )


def _refuse_follow_up(message: str) -> NoReturn:
    """Say why on stderr, that nothing was written, and stop with the usage exit code."""
    err_console.print(
        _("{message}. Nothing was written.").format(message=message.rstrip(".")),
        markup=False,
        highlight=False,
    )
    raise typer.Exit(EXIT_USAGE)


def followup_template(kind: str, plan_dir: Path, out: Path | None, overwrite: bool) -> None:
    """Write the `kind` file followup reads for `plan_dir`, a row per planned month to fill in."""
    try:
        columns, rows = template(plan_dir, kind)
    except FollowUpUnreadable as error:
        _refuse_follow_up(str(error))
    target = out if out is not None else Path(f"{kind}-{plan_dir.resolve().name}.csv")
    if target.resolve().parent == plan_dir.resolve():
        # A file added to the plan folder would make the plan differ from what solve wrote.
        _refuse_follow_up(_("{target} is in the plan folder; choose another --out.").format(target=target))
    if target.exists() and not overwrite:
        _refuse_follow_up(
            _("{target} exists; choose another --out or add --overwrite.").format(target=target)
        )
    try:
        write_csv(target, columns, rows)
    except OSError as error:
        cannot_write(target, error)
    out_console.print(
        ngettext(
            "{count} row to fill in written to {target}.",
            "{count} rows to fill in written to {target}.",
            len(rows),
        ).format(count=grouped(len(rows)), target=target),
        markup=False,
        highlight=False,
    )


@contextmanager
def cluster_client(scheduler: str | None, workers: int | None = None) -> Iterator[Client]:
    """`optimizer.cluster.dask_client`, with a scheduler that cannot be reached said in one message
    naming its address (exit code 2, nothing written)."""
    # Imported here: Dask takes a third of a second to import, which no other command should pay.
    from leveransplan.optimizer.cluster import ClusterUnavailable, dask_client

    try:
        with dask_client(scheduler, workers=workers) as client:
            yield client
    except ClusterUnavailable as error:
        _nothing_written(error, EXIT_USAGE)


def sweep(
    folder: Path,
    variants: Path | None,
    time_limit: float,
    processes: int,
    out: Path | None,
    scheduler: str | None = None,
    resume: bool = False,
    deterministic: bool = False,
) -> None:
    """Solve each what-if variant against the base plan on a Dask cluster (an embedded one of
    `processes` workers, 0: one per core; or the one at `scheduler`), each row added to the CSV
    file as it finishes; print the comparison. `resume` keeps the rows already in the file."""
    scenario = load(folder)
    try:
        chosen = read_variants(variants) if variants is not None else built_in_variants(scenario)
    except VariantsInvalid as error:
        _nothing_written(error, EXIT_USAGE)
    target = out if out is not None else Path(f"sweep-{folder.resolve().name}.csv")
    table = AppendedTable(target, SWEEP_COLUMNS)
    finished: list[dict[str, Any]] = []
    if resume:
        finished = _resumed_rows(table, chosen)
    elif target.exists():
        err_console.print(
            _(
                "{target} exists; choose another --out, or add --resume to go on with it. "
                "Nothing was written."
            ).format(target=target),
            markup=False,
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE)
    total = len(chosen) + 1

    def finished_row(row: dict[str, Any]) -> None:
        try:
            table.append(row)
        except OSError as error:
            if not table.rows:  # no half of a first row left behind either
                target.unlink(missing_ok=True)
            cannot_write(target, error, table.rows)
        advance()

    try:
        with (
            cluster_client(scheduler, workers=processes or None) as client,
            sweep_progress(total, len(finished)) as advance,
        ):
            rows = run_sweep(
                client,
                folder,
                chosen,
                time_limit,
                deterministic=deterministic,
                finished=finished,
                on_row=finished_row,
            )
        title = ngettext(
            "{scenario}: {count} what-if against the base plan",
            "{scenario}: {count} what-ifs against the base plan",
            len(chosen),
        )
        print_sweep(title.format(scenario=scenario.name, count=len(chosen)), rows)
        try:
            table.write(rows)  # in the variants' order, each with its changes
        except OSError as error:
            cannot_write(target, error, table.rows)
    except Interrupted as stop:
        kept = table.rows_on_disk()
        if not kept:
            raise
        err_console.print(
            ngettext(
                "Stopped ({signal}). {count} finished row is in {target}; add --resume to go on.",
                "Stopped ({signal}). {count} finished rows are in {target}; add --resume to go on.",
                kept,
            ).format(signal=stop, count=grouped(kept), target=target),
            markup=False,
            highlight=False,
        )
        raise typer.Exit(128 + stop.signal_number) from None
    out_console.print(_("Written to {target} (exact SEK there).").format(target=target))


def _resumed_rows(table: AppendedTable, variants: list[Variant]) -> list[dict[str, Any]]:
    """The rows of an earlier run of the same sweep to keep: every one but those that failed (the
    last row of a variant counts). A row of a variant this sweep does not have, or with other
    what-ifs, is refused: the file is another sweep's."""
    wanted = {variant.name: sweep_parameters(variant) for variant in (Variant(SWEEP_BASE), *variants)}
    try:
        read = table.read(whole=SWEEP_WHOLE, decimal=("seconds",))
    except TableUnreadable as error:
        _nothing_written(error, EXIT_USAGE)
    rows: dict[str, dict[str, Any]] = {}
    for number, row in read:
        name = row["variant"]
        problem = None
        if name not in wanted:
            problem = _("{file}, row {row}, column variant: {value} is not a variant of this sweep").format(
                file=table.path, row=number, value=repr(name)
            )
        elif row["parameters"] != wanted[name]:
            problem = _(
                "{file}, row {row}, column parameters: {value}; expected {expected}, as variant {name} is now"
            ).format(
                file=table.path,
                row=number,
                value=repr(row["parameters"]),
                expected=repr(wanted[name]),
                name=name,
            )
        if problem is not None:
            err_console.print(
                _(
                    "{problem}. The file is another sweep's; choose another --out. Nothing was written."
                ).format(problem=problem),
                markup=False,
                highlight=False,
            )
            raise typer.Exit(EXIT_USAGE)
        rows[name] = row
    return [row for row in rows.values() if row["status"] != SWEEP_FAILED]


def generate(out: Path, scale: int, seed: int, overwrite: bool) -> None:
    """Write a generated scenario folder of `scale` regions into `out` (a scenario folder only
    replaced with `overwrite`)."""
    if out.exists() and not overwrite:
        err_console.print(
            _("{target} exists; choose another folder or add --overwrite. Nothing was written.").format(
                target=out
            ),
            markup=False,
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE)
    problem = unsafe_target(out)
    if problem is not None:
        err_console.print(
            _("{target} {problem}. Nothing was written.").format(target=out, problem=problem),
            markup=False,
            highlight=False,
        )
        raise typer.Exit(EXIT_USAGE)
    try:
        files = write_scenario(out, scale, seed, overwrite=overwrite)
    except TargetTaken as error:
        _nothing_written(error, EXIT_USAGE)
    except OSError as error:
        cannot_write(out, error)
    out_console.print(
        _("Wrote {target} (scale {scale}, seed {seed}): {files}.").format(
            target=out, scale=scale, seed=seed, files=describe_generated(files)
        ),
        markup=False,
        highlight=False,
    )
