"""Every way a command ends early: its exit code, the key words of its message, and nothing written.

Exit codes: 0 done, 1 internal error, 2 usage, 3 invalid input, 4 infeasible, 5 no solution in
time, 6 checker failed, 7 the output cannot be written, 8 partial (written, but stopped by the
time limit). Each path of the commands (leveransplan/commands*.py) below, with
its exit code and the tests that cover it; those written as module::test are elsewhere and not
repeated here.

solve
  2  --only not a model name
       test_solve_usage_errors[only]
  2  a what-if flag not understood (parse_recorded)
       test_solve_usage_errors[set]
  2  a what-if flag that names nothing (load, applied)
       test_whatif::test_a_bad_flag_exits_2_and_writes_nothing
  3  the scenario has problems (load)
       test_inputs::test_cli_solve_broken_scenario_exits_3_and_writes_nothing
  3  a file unreadable / not UTF-8 or cp1252 (load)
       test_robustness (every file kind)
  2  --only a model the scenario lacks (models_to_solve)
       test_solve_usage_errors[only at]
  2  --propose-places without ST-A tables
       test_solve_usage_errors[propose]
  2  --time-limit / --workers / --seed out of range
       test_solve_usage_errors[time/workers]
  2  --out exists, no --overwrite
       test_cli_solve::test_an_existing_output_folder_is_kept
  2  --out not a folder a plan may take, or holding what --overwrite would destroy (OutputRefused)
       test_overwrite_never_replaces_what_is_not_a_plan
       test_output_folders (a user's files, an edited file, a scenario folder, the previous plan)
  2  --actuals without --freeze-until
       test_solve_usage_errors[actuals]
  3  --actuals that do not fit (replan_rest_of_year)
       test_whatif::test_actuals_must_cover_every_waiting_list
       test_robustness::test_a_locked_actuals_file_stops_the_replan
  2  --previous not usable (PreviousPlanInvalid)
       test_whatif::test_a_previous_plan_with_unknown_codes_is_refused
  2  --previous not as written, or refused by the checker against its scenario (PlanUnverified)
       test_replan_inputs::test_a_previous_plan_must_be_as_written_and_pass_the_checker
  2  --freeze-until without --previous
       test_whatif::test_freeze_needs_a_previous_plan_and_a_month_of_the_horizon
  2  --freeze-until outside the horizon
       (same test)
  4  volumes infeasible (Infeasible)
       test_volumes::test_a_budget_below_the_take_or_pay_minimums_exits_4_and_writes_nothing
  4  AT infeasible (Infeasible)
       test_at_out_of_reach_exits_4
  5  no plan in time for any model asked (NoPlanInTime, NoPlanInTime)
       test_no_plan_in_time_exits_5
  8  a model without a plan in time, the others published (partial)
       test_a_model_without_a_plan_in_time_leaves_the_others
       test_partial_plans (placements on the quick plan, stages stopped by the time limit)
  2  --out appears or changes while solving (TargetTaken)
       test_an_output_folder_made_while_solving_is_kept
       test_output_folders::test_two_runs_into_one_folder_never_both_succeed
  6  the plan checker rejects the plan (PlanCheckFailed)
       test_a_rejected_plan_exits_6_and_leaves_nothing
  7  the disk is full, or the folder cannot be written (OSError)
       test_kill_safety::test_a_full_disk_while_writing_leaves_nothing
       test_kill_safety::test_a_folder_that_cannot_be_written_is_named
  -  killed at any moment: no partial plan folder
       test_kill_safety::test_a_killed_run_leaves_a_whole_plan_or_none
explain    (writes no files)
  2  PLAN given: a plan folder that is not a folder (scenario_of_plan, as check)
       test_explain_errors[not a folder]
  2  PLAN given: a delivery plan that does not fit (PreviousPlanInvalid)
       test_explain_errors[unknown contract]
  2  PLAN given: no delivery_plan.csv
       test_explain::test_explain_a_training_only_plan_is_refused
  3  the scenario has problems (load)
       test_explain_errors[scenario]
  2  the scenario has no volume tables
       test_explain_errors[no volumes]
  2  --time-limit not above 0
       test_explain_errors[time]
  4  no plan obeys every rule (Infeasible), with the rules in conflict
       test_explain_errors[infeasible]
  5  no plan in time (NoPlanInTime)
       test_explain_no_plan_in_time_exits_5
validate
  3  the scenario has problems (load)
       test_inputs::test_cli_validate_broken_scenario_exits_3_with_the_located_message
  3  hospitals.csv alone: nothing to plan
       test_hospitals_alone_plan_nothing
check
  2  the plan folder is not a folder
       test_check_errors[not a folder]
  2  manifest.json's what-if flags cannot be read
       test_check_errors[flags]
  2  manifest.json edited into another shape
       test_an_edited_manifest_is_refused
  3  the scenario has problems (load)
       test_check_errors[scenario]
  3  the recorded re-plan cannot start (replan_rest_of_year)
       test_check_errors[replan]
  6  a rule is broken
       test_cli_solve::test_check_names_a_tampered_volume
  6  a file differs from manifest.json's digest, or a model's files are not in summary.json
       test_replan_inputs::test_check_verifies_every_model_and_the_manifest
report
  2  --out exists, no --overwrite
       test_report_errors[exists]
  2  the folder cannot be read as a plan (ReportUnreadable)
       test_report_errors[not a plan]
diff
  2  a folder that is not a plan, or a plan the checker refuses (PlanUnverified)
       test_diff::test_a_folder_that_is_not_a_plan
       test_diff::test_diff_checks_what_it_reads
  2  --out exists, no --overwrite
       test_diff::test_the_command_prints_and_writes_the_csv
  7  the disk is full
       test_kill_safety::test_diff_on_a_full_disk
followup
  3  the reported outcomes have problems (ActualsInvalid)
       test_followup::test_a_bad_report_is_located
       test_robustness::test_a_reported_outcomes_file_that_cannot_be_read
  2  the folder is not a plan (PlanUnreadable)
       test_followup_errors[not a plan]
  2  --out exists
       test_followup_errors[exists]
sweep
  3  the scenario has problems (load)
       test_sweep_errors[scenario]
  2  the variants file is bad (VariantsInvalid)
       test_sweep::test_a_bad_variants_file_is_named
       test_robustness::test_a_variants_file_that_cannot_be_read
  2  --out exists, no --resume
       test_sweep_errors[exists]
       test_sweep::test_an_existing_table_is_kept_without_resume
  2  --resume with another sweep's file (a variant it lacks, other what-ifs)
       test_sweep::test_resume_refuses_another_sweeps_file
  2  --scheduler not an address, or no scheduler answers there (ClusterUnavailable)
       test_sweep::test_an_unreachable_scheduler_is_named
  2  --processes with --scheduler
       test_sweep_errors[processes and scheduler]
  7  the disk is full: the rows finished before stay in --out
       test_kill_safety::test_a_sweep_on_a_full_disk_keeps_the_rows_before
  130/143  Ctrl-C or SIGTERM: the finished rows stay in --out
       test_kill_safety::test_ctrl_c_and_sigterm_stop_a_sweep_and_its_workers_at_once (no row yet)
       test_kill_safety::test_a_stopped_sweep_keeps_its_finished_rows
main()
  1  any other exception: one line, no traceback
       test_an_internal_error_is_one_line
  -  ... unless LEVERANSPLAN_DEBUG is set
       test_debugging_shows_the_traceback
(typer)
  2  unknown option, missing argument
       test_typer_usage_errors
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import leveransplan.cli as cli
from helpers import ACTUALS, EXAMPLE1, flat, invoke, refused
from leveransplan import commands, commands_guarantee, commands_solve
from leveransplan.cli import app
from leveransplan.inputs import load_scenario
from leveransplan.optimizer import solve as scenario_solve
from leveransplan.optimizer.errors import Infeasible, NoPlanInTime
from leveransplan.outputs import publish

EXIT_INTERNAL, EXIT_USAGE, EXIT_INVALID, EXIT_INFEASIBLE, EXIT_NO_SOLUTION, EXIT_CHECK = 1, 2, 3, 4, 5, 6

runner = CliRunner()


def left_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Example 1's plan, solved once; tests copy it before changing it."""
    out = tmp_path_factory.mktemp("solved") / "plan"
    assert invoke("solve", EXAMPLE1, "--out", out).exit_code == 0
    return out


def copy_of(solved: Path, tmp_path: Path) -> Path:
    plan = tmp_path / "plan"
    shutil.copytree(solved, plan)
    return plan


def _at_only(folder: Path) -> Path:
    """A scenario with the AT tables alone: H1's psykiatri takes 12 AT-months at 4 months each."""
    folder.mkdir()
    files = {
        "scenario.toml": 'name = "AT"\nstart = "2026-01"\nmonths = 12\n'
        "[at]\ntotal = 5\n[solver]\nworkers = 1\n",
        "hospitals.csv": "hospital,name\nH1,One\n",
        "at.csv": "hospital,min,max,weight\nH1,0,10,1\n",
        "at_rotations.csv": "hospital,area,months,capacity_months\nH1,psykiatri,4,12\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# --- solve ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        pytest.param(
            ["--only", "speed"], "--only 'speed': expected one of volumes, at, placements", id="only"
        ),
        pytest.param(
            ["--set", "nonsense"],
            ["1 what-if flag is not understood", "--set nonsense", "expected TABLE.KEY.COLUMN=VALUE"],
            id="set",
        ),
        pytest.param(
            ["--only", "at"],
            "--only at: the scenario has no tables for that model; it has volumes",
            id="only at",
        ),
        pytest.param(["--propose-places"], "--propose-places needs the ST-A tables", id="propose"),
        pytest.param(["--time-limit", "0"], "--time-limit must be above 0", id="time"),
        pytest.param(["--workers", "-1"], "--workers 0 to 1024 and --seed 0 to 2147483647", id="workers"),
        pytest.param(
            ["--actuals", "actuals.csv"],
            "--actuals re-plans the volumes after the decided months",
            id="actuals",
        ),
    ],
)
def test_solve_usage_errors(tmp_path: Path, flags: list[str], says: str | list[str]) -> None:
    out = tmp_path / "plan"
    result = invoke("solve", EXAMPLE1, "--out", out, *flags)
    refused(result, EXIT_USAGE, *([says] if isinstance(says, str) else says))
    assert left_in(tmp_path) == []


def test_at_out_of_reach_exits_4(tmp_path: Path) -> None:
    # H1 can take at most 12 / 4 = 3 AT positions, fewer than the total 5.
    result = invoke("solve", _at_only(tmp_path / "at"), "--out", tmp_path / "plan")
    refused(result, EXIT_INFEASIBLE, "Infeasible", "at most 3 AT positions", "Nothing was written")
    assert left_in(tmp_path) == ["at"]


def test_no_plan_in_time_exits_5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Example 1 is solved in presolve however short the limit, so the solver's answer is stood in
    # for: the one model asked for has no plan, so there is nothing to write.
    def out_of_time(*args: Any, **kwargs: Any) -> None:
        raise NoPlanInTime("no plan for the volumes within 0.1 s")

    monkeypatch.setattr(scenario_solve, "solve_volumes", out_of_time)
    result = invoke("solve", EXAMPLE1, "--out", tmp_path / "plan")
    refused(result, EXIT_NO_SOLUTION, "No plan within the time limit", "within 0.1 s", "Nothing was written")
    assert left_in(tmp_path) == []


def test_a_model_without_a_plan_in_time_leaves_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The AT model (tiny) finds no plan in time, stood in for; the volumes of a scenario with
    # both are still solved and published, and the plan says which model has none: exit 8.
    def out_of_time(*args: Any, **kwargs: Any) -> None:
        raise NoPlanInTime("no plan was found for the deviation stage within the time limit")

    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLE1, scenario)
    with (scenario / "scenario.toml").open("a", encoding="utf-8") as toml:
        toml.write("\n[at]\ntotal = 2\n")
    (scenario / "at.csv").write_text("hospital,min,max,weight\nA,0,2,1\nB,0,2,1\n", encoding="utf-8")
    monkeypatch.setattr(scenario_solve, "solve_at", out_of_time)
    out = tmp_path / "plan"
    result = invoke("solve", scenario, "--out", out)
    assert result.exit_code == 8, result.output
    assert "at: no plan (no plan was found for the deviation stage" in flat(result.output)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["partial"] is True and "at" not in summary and "volumes" in summary
    assert summary["not_solved"] == {"at": "no plan was found for the deviation stage within the time limit"}
    assert not (out / "at_distribution.csv").exists()
    assert invoke("check", scenario, out).exit_code == 0


def test_an_output_folder_made_while_solving_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Another run (or the analyst) creates --out after the early check: it is left as it is.
    out = tmp_path / "plan"
    solve_scenario = commands_solve.solve_scenario

    def solve_while_someone_writes(*args: Any, **kwargs: Any) -> Any:
        plan = solve_scenario(*args, **kwargs)
        out.mkdir()
        (out / "theirs.txt").write_text("theirs\n", encoding="utf-8")
        return plan

    monkeypatch.setattr(commands_solve, "solve_scenario", solve_while_someone_writes)
    result = invoke("solve", EXAMPLE1, "--out", out)
    refused(result, EXIT_USAGE, "appeared while this run was working", "This run's plan was not written")
    assert left_in(tmp_path) == ["plan"]
    assert left_in(out) == ["theirs.txt"]


def test_a_rejected_plan_exits_6_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The checker is made to find a violation in the freshly written files; the staging folder goes.
    monkeypatch.setattr(
        publish,
        "check_plan",
        lambda scenario, folder, frozen=None: ["delivery_plan.csv row 2: made up"],
    )
    result = invoke("solve", EXAMPLE1, "--out", tmp_path / "plan")
    refused(result, EXIT_CHECK, "The plan checker rejected the plan", "delivery_plan.csv row 2: made up")
    assert left_in(tmp_path) == []


# --- check ---------------------------------------------------------------------------------------


def _record(plan: Path, **parameters: Any) -> None:
    manifest = json.loads((plan / "manifest.json").read_text(encoding="utf-8"))
    manifest["parameters"].update(parameters)
    (plan / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize("case", ["not a folder", "flags", "scenario", "replan"])
def test_check_errors(solved: Path, tmp_path: Path, case: str) -> None:
    plan = copy_of(solved, tmp_path)
    scenario = EXAMPLE1
    if case == "not a folder":
        plan = plan / "summary.json"
        code, says = EXIT_USAGE, ["summary.json is not a plan folder"]
    elif case == "flags":
        _record(plan, what_if_flags={"set": ["nonsense"]})
        code, says = EXIT_USAGE, ["manifest.json records what-if flags that cannot be read", "--set nonsense"]
    elif case == "scenario":
        scenario = tmp_path / "scenario"
        shutil.copytree(EXAMPLE1, scenario)
        (scenario / "need.csv").write_text("hospital,category,waiting,inflow\nA,k,-1,4\n", encoding="utf-8")
        code, says = EXIT_INVALID, ["need.csv, row 2, column waiting: '-1'"]
    else:
        _record(plan, actuals={"file": str(tmp_path / "gone.csv"), "decided_until": "2026-01"})
        code, says = EXIT_INVALID, ["The re-plan from", "gone.csv: does not exist"]
    before = {p.name: p.read_bytes() for p in (plan if plan.is_dir() else plan.parent).iterdir()}
    result = invoke("check", scenario, plan)
    refused(result, code, *says)
    assert {p.name: p.read_bytes() for p in (plan if plan.is_dir() else plan.parent).iterdir()} == before


# --- explain -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "case",
    ["not a folder", "unknown contract", "scenario", "no volumes", "time", "infeasible"],
)
def test_explain_errors(solved: Path, tmp_path: Path, case: str) -> None:
    plan = copy_of(solved, tmp_path)
    args: list[str | Path] = [EXAMPLE1, plan]
    if case == "not a folder":
        args = [EXAMPLE1, plan / "summary.json"]
        code, says = EXIT_USAGE, ["summary.json is not a plan folder"]
    elif case == "unknown contract":
        path = plan / "delivery_plan.csv"
        path.write_text(path.read_text(encoding="utf-8").replace(",c1,", ",c9,"), encoding="utf-8")
        code, says = (
            EXIT_USAGE,
            ["cannot be read", "column contract: 'c9': is not a contract of this scenario"],
        )
    elif case == "scenario":
        scenario = tmp_path / "scenario"
        shutil.copytree(EXAMPLE1, scenario)
        (scenario / "need.csv").write_text("hospital,category,waiting,inflow\nA,k,-1,4\n", encoding="utf-8")
        args = [scenario]
        code, says = EXIT_INVALID, ["need.csv, row 2, column waiting: '-1'"]
    elif case == "no volumes":
        args = [_at_only(tmp_path / "at")]
        code, says = EXIT_USAGE, ["has no volume tables"]
    elif case == "time":
        args = [EXAMPLE1, "--time-limit", "0"]
        code, says = EXIT_USAGE, ["--time-limit must be a number of seconds above 0"]
    else:
        # c1's take-or-pay minimum alone costs 2 x 120 = 240 SEK, above a budget of 1 SEK.
        scenario = tmp_path / "scenario"
        shutil.copytree(EXAMPLE1, scenario)
        with (scenario / "scenario.toml").open("a", encoding="utf-8") as handle:
            handle.write("\n[budget]\nmax_cost_sek = 1\n")
        args = [scenario]
        code, says = EXIT_INFEASIBLE, ["Infeasible", "the budget cap of 1 SEK", "minimums alone cost 240 SEK"]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    refused(invoke("explain", *args), code, *says)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_explain_no_plan_in_time_exits_5(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def out_of_time(*args: Any, **kwargs: Any) -> None:
        raise NoPlanInTime("no plan for the volumes within 0.1 s")

    monkeypatch.setattr(commands_guarantee, "solve_scenario", out_of_time)
    monkeypatch.chdir(tmp_path)
    refused(invoke("explain", EXAMPLE1), EXIT_NO_SOLUTION, "No plan within the time limit", "within 0.1 s")
    assert left_in(tmp_path) == []


# --- report, followup, sweep ----------------------------------------------------------------------


@pytest.mark.parametrize("case", ["exists", "not a plan"])
def test_report_errors(tmp_path: Path, case: str) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    target = tmp_path / "report.html"
    if case == "exists":
        target.write_text("theirs\n", encoding="utf-8")
        result = invoke("report", folder, "--out", target)
        refused(result, EXIT_USAGE, "exists", "Nothing was written")
        assert target.read_text(encoding="utf-8") == "theirs\n"
    else:
        result = invoke("report", folder, "--out", target)
        refused(result, EXIT_USAGE, "Nothing was written")
        assert not target.exists()
    assert left_in(folder) == []


@pytest.mark.parametrize("case", ["not a plan", "exists"])
def test_followup_errors(solved: Path, tmp_path: Path, case: str) -> None:
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(ACTUALS, encoding="utf-8")
    out = tmp_path / "f"
    if case == "not a plan":
        result = invoke("followup", tmp_path / "nothing", "--actuals", actuals, "--out", out)
        refused(result, EXIT_USAGE, "production_plan.csv is missing", "Nothing was written")
        assert not out.exists()
    else:
        out.mkdir()
        result = invoke("followup", solved, "--actuals", actuals, "--out", out)
        refused(result, EXIT_USAGE, "exists; choose another --out", "Nothing was written")
        assert left_in(out) == []
    assert left_in(tmp_path) == (["actuals.csv", "f"] if case == "exists" else ["actuals.csv"])


@pytest.mark.parametrize("case", ["scenario", "exists", "processes and scheduler"])
def test_sweep_errors(tmp_path: Path, case: str) -> None:
    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLE1, scenario)
    out = tmp_path / "sweep.csv"
    if case == "scenario":
        (scenario / "contracts.csv").unlink()
        (scenario / "access.csv").write_text("hospital,provider,travel_minutes\nA,Y,5\n", encoding="utf-8")
        result = invoke("sweep", scenario, "--processes", "1", "--out", out)
        refused(result, EXIT_INVALID, "access.csv, row 2, column provider: 'Y'", "Nothing was written")
        assert not out.exists()
    elif case == "exists":
        out.write_text("theirs\n", encoding="utf-8")
        result = invoke("sweep", scenario, "--processes", "1", "--out", out)
        refused(result, EXIT_USAGE, "exists; choose another --out", "Nothing was written")
        assert out.read_text(encoding="utf-8") == "theirs\n"
    else:
        result = invoke(
            "sweep", scenario, "--processes", "2", "--scheduler", "tcp://127.0.0.1:8786", "--out", out
        )
        refused(result, EXIT_USAGE, "--processes is for the cluster started on this machine")
        assert not out.exists()


# --- main() and typer ------------------------------------------------------------------------------


def _break_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(commands, "load_scenario", boom)
    monkeypatch.setattr(sys, "argv", ["leveransplan", "validate", str(EXAMPLE1)])


def test_an_internal_error_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _break_loading(monkeypatch)
    monkeypatch.delenv("LEVERANSPLAN_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == EXIT_INTERNAL
    err = flat(capsys.readouterr().err)
    assert err == "Internal error (RuntimeError): boom. Set LEVERANSPLAN_DEBUG=1 to see where."


def test_debugging_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    _break_loading(monkeypatch)
    monkeypatch.setenv("LEVERANSPLAN_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        cli.main()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["solve", str(EXAMPLE1), "--speed", "9"], "No such option"),
        (["template", "bogus", "plan"], "Invalid value"),
        (["diff", "plan"], "Missing argument"),
    ],
)
def test_typer_usage_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], says: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args)
    assert result.exit_code == EXIT_USAGE, result.output
    assert says in flat(result.output)
    assert left_in(tmp_path) == []


@pytest.mark.parametrize(
    ("parameters", "key"),
    [
        ({"what_if_flags": "--set x"}, "parameters.what_if_flags"),
        ({"what_if_flags": ["a"]}, "parameters.what_if_flags"),
        ({"what_if_flags": {"set": [1]}}, "parameters.what_if_flags"),
        ({"actuals": "a.csv"}, "parameters.actuals"),
        ({"actuals": {"file": "a.csv"}}, "parameters.actuals"),
    ],
)
def test_an_edited_manifest_is_refused(
    solved: Path, tmp_path: Path, parameters: dict[str, Any], key: str
) -> None:
    # A manifest edited by hand into a shape leveransplan never writes: exit 2 naming the key,
    # for check and explain alike, never an internal error.
    plan = copy_of(solved, tmp_path)
    _record(plan, **parameters)
    for command in ("check", "explain"):
        refused(invoke(command, EXAMPLE1, plan), EXIT_USAGE, f"{key} is not what leveransplan writes")


def test_hospitals_alone_plan_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "scenario"
    folder.mkdir()
    shutil.copy(EXAMPLE1 / "scenario.toml", folder)
    shutil.copy(EXAMPLE1 / "hospitals.csv", folder)
    refused(invoke("validate", folder), EXIT_INVALID, "has no scenario tables")


@pytest.mark.parametrize(
    ("name", "says"),
    [
        (".", "is the current folder or holds it"),
        ("afile/x", "lies under a file, not a folder"),
        ("afile", "is a file; a plan is a folder"),
        (
            "notes",
            "holds files but no plan (manifest.json is missing or unreadable): --overwrite replaces "
            "only a plan folder the tool wrote",
        ),
    ],
)
def test_overwrite_never_replaces_what_is_not_a_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, says: str
) -> None:
    # --overwrite replaces a plan folder; the current folder, a file, a path under a file and a
    # folder of other files are refused before anything is solved or deleted.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("keep", encoding="utf-8")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "minutes.txt").write_text("keep", encoding="utf-8")
    before = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    refused(invoke("solve", EXAMPLE1, "--out", name, "--overwrite"), EXIT_USAGE, f"--out {name} {says}")
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == before


def test_explaining_with_other_files_than_the_plans_says_so(solved: Path, tmp_path: Path) -> None:
    # The plan was made from example 1; with need.csv changed since, explain and check still run
    # but say which files differ from those in the manifest's inputs_sha256.
    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLE1, scenario)
    (scenario / "need.csv").write_text("hospital,category,waiting,inflow\nA,k,11,4\n", encoding="utf-8")
    result = invoke("explain", scenario, solved)
    assert result.exit_code == 0
    assert "Note: need.csv differ from the files the plan was made from" in flat(result.output)


@pytest.mark.parametrize(
    "arguments",
    [
        ["sweep", str(EXAMPLE1), "--time-limit", "nan"],
        ["sweep", str(EXAMPLE1), "--time-limit", "0"],
        ["sweep", str(EXAMPLE1), "--processes", "-1"],
        ["explain", str(EXAMPLE1), "--time-limit", "nan"],
        ["explain", str(EXAMPLE1), "--time-limit", "-1"],
    ],
)
def test_time_limits_that_are_no_number_of_seconds(tmp_path: Path, arguments: list[str]) -> None:
    # nan, 0 and negative limits (and negative processes) are refused before any work (exit 2).
    refused(
        invoke(*arguments, *(["--out", str(tmp_path / "s.csv")] if arguments[0] == "sweep" else [])),
        EXIT_USAGE,
        "--time-limit must be a number of seconds above 0",
    )
    assert left_in(tmp_path) == []


@pytest.mark.parametrize("model", ["at", "volumes", "placements"])
def test_the_solve_names_the_infeasible_model(model: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Each model's solver says only that no plan exists; the scenario's solve adds which model.
    def infeasible(*args: Any, **kwargs: Any) -> None:
        raise Infeasible("no plan obeys every rule")

    solver = {"at": "solve_at", "volumes": "solve_volumes", "placements": "solve_placements"}[model]
    monkeypatch.setattr(scenario_solve, solver, infeasible)
    monkeypatch.setattr(scenario_solve, "ATData", lambda *a: None)
    monkeypatch.setattr(scenario_solve, "PlacementData", lambda *a: None)
    with pytest.raises(Infeasible) as raised:
        scenario_solve.solve_scenario(load_scenario(EXAMPLE1), [model])
    assert raised.value.model == model
    assert str(raised.value) == "no plan obeys every rule"


@pytest.mark.parametrize("model", ["at", "volumes", "placements"])
def test_an_infeasible_model_gets_its_own_conflict_search(
    model: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the volumes and the placements have a search for the rules that clash; an infeasible
    # AT names the hospital that limits it in its message instead.
    searched: list[str] = []
    monkeypatch.setattr(commands_solve, "print_volume_conflicts", lambda *a: searched.append("volumes"))
    monkeypatch.setattr(commands_solve, "print_placement_conflicts", lambda *a: searched.append("placements"))

    def infeasible(*args: Any, **kwargs: Any) -> None:
        raise Infeasible(f"no {model} plan obeys every rule", model)

    monkeypatch.setattr(commands_solve, "solve_scenario", infeasible)
    result = invoke("solve", EXAMPLE1, "--out", tmp_path / "plan")
    refused(result, EXIT_INFEASIBLE, "Infeasible", f"no {model} plan obeys every rule", "Nothing was written")
    assert searched == ([] if model == "at" else [model])
    assert left_in(tmp_path) == []
