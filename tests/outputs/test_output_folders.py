"""Output folders: --overwrite replaces only what the tool wrote, two runs never both succeed into
one folder, and the hidden staging folders of dead runs are cleaned up beside any target.

Example 1 of the spec (tests/data/example1) solves in well under a second, so each test runs
real solves. Races are made deterministic by running the second solve inside the first one's
solve (the first run's check at its start has passed; the second then writes the same folder).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import COMMAND, EXAMPLE1, flat
from leveransplan import commands_solve
from leveransplan.cli import app
from leveransplan.outputs.staging import Staging, remove_stale_staging

# Above Linux's pid_max (4 194 304): no process has this number.
DEAD_PID = 2**22 + 1
runner = CliRunner()


def solve(*args: str | Path) -> Any:
    return runner.invoke(app, ["solve", str(EXAMPLE1), *map(str, args), "--quiet"])


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` by relative path, with its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# -- --overwrite replaces only what the tool wrote ----------------------------------------------


@pytest.mark.parametrize(
    ("add", "named"),
    [
        pytest.param({"notes/minutes.txt": "agreed on Monday\n"}, "notes/ (a folder the plan did not write)"),
        pytest.param({"my-copy.xlsx": "a workbook\n"}, "my-copy.xlsx (a file the plan did not write)"),
        pytest.param(
            {"volume_table.csv": "hospital,category,uppdrag,bas,tillagg\n"},
            "volume_table.csv (changed since the plan wrote it)",
        ),
    ],
)
def test_overwrite_keeps_a_users_files(tmp_path: Path, add: dict[str, str], named: str) -> None:
    # A plan folder with a user's notes, their own workbook, or the plan's own table edited
    # by hand: --overwrite refuses, naming the file, and nothing changes.
    out = tmp_path / "plan"
    assert solve("--out", out).exit_code == 0
    for name, text in add.items():
        (out / name).parent.mkdir(exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    before = snapshot(out)
    result = solve("--out", out, "--overwrite")
    assert result.exit_code == 2, result.output
    assert f"--out {out} holds what --overwrite would destroy: {named}" in flat(result.output)
    assert "Nothing was written" in flat(result.output)
    assert snapshot(out) == before
    assert hidden(tmp_path) == []


def test_a_scenario_folder_is_never_an_output_folder(tmp_path: Path) -> None:
    # The scenario's own folder (with a summary.json in it too, which is not a scenario file
    # and refused as such), and another scenario's folder: nothing in them changes.
    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLE1, scenario)
    before = snapshot(scenario)
    result = runner.invoke(app, ["solve", str(scenario), "--out", str(scenario), "--overwrite"])
    assert result.exit_code == 2, result.output
    assert f"--out {scenario} is the scenario folder ({scenario})" in flat(result.output)
    (scenario / "summary.json").write_text("{}\n", encoding="utf-8")
    result = runner.invoke(app, ["solve", str(scenario), "--out", str(scenario), "--overwrite"])
    assert result.exit_code == 3, result.output
    assert "summary.json: is not a file of the scenario format" in flat(result.output)
    (scenario / "summary.json").unlink()
    other = tmp_path / "other"
    shutil.copytree(EXAMPLE1, other)
    result = solve("--out", other, "--overwrite")
    assert result.exit_code == 2, result.output
    assert f"--out {other} holds a scenario (scenario.toml, hospitals.csv, categories.csv)" in flat(
        result.output
    )
    assert snapshot(scenario) == before
    assert visible(other) == visible(EXAMPLE1)


def test_the_previous_plan_is_never_the_output_folder(tmp_path: Path) -> None:
    # The new plan records the previous one by its folder: replacing it would lose what the
    # new plan is compared with.
    first = tmp_path / "first"
    assert solve("--out", first).exit_code == 0
    before = snapshot(first)
    result = solve("--out", first, "--overwrite", "--previous", first)
    assert result.exit_code == 2, result.output
    assert f"--out {first} is the previous plan ({first})" in flat(result.output)
    assert snapshot(first) == before


def test_overwrite_replaces_an_earlier_plan_whole(tmp_path: Path) -> None:
    # An earlier plan with its report and workbook, then a plan with neither: no file of the
    # earlier plan is left behind.
    out = tmp_path / "plan"
    assert solve("--out", out, "--report", "--excel").exit_code == 0
    assert {"report.html", "workbooks"} <= set(visible(out))
    assert solve("--out", out, "--overwrite").exit_code == 0
    assert "report.html" not in visible(out) and "workbooks" not in visible(out)
    assert runner.invoke(app, ["check", str(EXAMPLE1), str(out)]).exit_code == 0


# -- two runs into one folder -------------------------------------------------------------------


def _second_run_while_solving(monkeypatch: pytest.MonkeyPatch, *second: str | Path) -> list[Any]:
    """Make the next solve run a whole second solve (with `second`'s arguments) in its middle."""
    original = commands_solve.solve_scenario
    results: list[Any] = []

    def solve_while_another_run_writes(*args: Any, **kwargs: Any) -> Any:
        plan = original(*args, **kwargs)
        if not results:
            results.append(None)  # the second run's own solve must not start a third
            results[0] = solve(*second)
        return plan

    monkeypatch.setattr(commands_solve, "solve_scenario", solve_while_another_run_writes)
    return results


def test_two_runs_into_one_folder_never_both_succeed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Both runs find no `plan` at their start; the second finishes first. The first must then
    # fail, saying so, and leave the second's plan as it is.
    out = tmp_path / "plan"
    second = _second_run_while_solving(monkeypatch, "--out", out)
    first = solve("--out", out)
    assert second[0].exit_code == 0, second[0].output
    assert first.exit_code == 2, first.output
    assert f"{out} appeared while this run was working" in flat(first.output)
    assert "This run's plan was not written" in flat(first.output)
    assert "Plan written" not in first.output
    assert runner.invoke(app, ["check", str(EXAMPLE1), str(out)]).exit_code == 0
    assert visible(tmp_path) == ["plan"] and hidden(tmp_path) == []


def test_overwrite_never_replaces_a_plan_written_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both runs are asked to overwrite `plan`; the second replaces it while the first solves.
    # The first would replace a plan it never saw: it fails instead.
    out = tmp_path / "plan"
    assert solve("--out", out).exit_code == 0
    second = _second_run_while_solving(monkeypatch, "--out", out, "--overwrite", "--report")
    first = solve("--out", out, "--overwrite")
    assert second[0].exit_code == 0, second[0].output
    assert first.exit_code == 2, first.output
    assert f"{out} changed while this run was working" in flat(first.output)
    assert "report.html" in visible(out)


def test_two_runs_with_the_default_name_take_two_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without --out each run takes plan-example1, or the next free name when the final rename
    # happens: the second run (finished first) has plan-example1, the first plan-example1-2.
    monkeypatch.chdir(tmp_path)
    second = _second_run_while_solving(monkeypatch)
    first = solve()
    assert second[0].exit_code == 0 and first.exit_code == 0, first.output
    assert "Plan written to plan-example1 " in flat(second[0].output)
    assert "Plan written to plan-example1-2 " in flat(first.output)
    assert visible(tmp_path) == ["plan-example1", "plan-example1-2"]
    for plan in visible(tmp_path):
        assert runner.invoke(app, ["check", str(EXAMPLE1), plan]).exit_code == 0


def test_two_processes_into_one_folder(tmp_path: Path) -> None:
    # Two real processes started together: exactly one writes the plan, the other says why not.
    out = tmp_path / "plan"
    runs = [
        subprocess.Popen(
            [*COMMAND, "solve", str(EXAMPLE1), "--out", str(out), "--quiet"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    finished = [(run.wait(timeout=120), run.communicate()) for run in runs]
    codes = sorted(code for code, _ in finished)
    assert codes == [0, 2], finished
    loser = next(streams for code, streams in finished if code == 2)
    assert "Plan written" not in loser[0]
    assert visible(tmp_path) == ["plan"] and hidden(tmp_path) == []


# -- staging folders left by dead runs ---------------------------------------------------------


def test_any_run_removes_what_a_dead_run_left_beside_it(tmp_path: Path) -> None:
    # A run killed while writing `a` left its staging folder; a run writing `b` in the same
    # folder removes it.
    left = tmp_path / f".a.{DEAD_PID}.k2j4x7qz.partial"
    left.mkdir()
    (left / "delivery_plan.csv").write_text("half\n", encoding="utf-8")
    assert solve("--out", tmp_path / "b").exit_code == 0
    assert hidden(tmp_path) == []


def test_a_replaced_plan_left_by_a_dead_run_is_put_back(tmp_path: Path) -> None:
    # A run killed between its two renames left the plan it was replacing in `.plan...old` and
    # no `plan`: the clean-up puts it back instead of deleting it.
    earlier = tmp_path / "earlier"
    assert solve("--out", earlier).exit_code == 0
    retired = tmp_path / f".plan.{DEAD_PID}.abcd1234.old"
    retired.mkdir()
    shutil.move(earlier, retired / "plan")
    before = snapshot(retired / "plan")
    assert remove_stale_staging(tmp_path) == [retired]
    assert visible(tmp_path) == ["plan"] and snapshot(tmp_path / "plan") == before


def test_a_live_runs_staging_folder_is_kept(tmp_path: Path) -> None:
    # Another process holds a staging folder (its lock), under a name whose process number is
    # no process: the lock alone keeps it. When that process ends, the folder is stale.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import fcntl, os, sys, time
                path = {str(tmp_path / f".plan.{DEAD_PID}.live0001.partial")!r}
                os.mkdir(path)
                fcntl.flock(os.open(path, os.O_RDONLY), fcntl.LOCK_EX)
                print("locked", flush=True)
                time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert remove_stale_staging(tmp_path) == []
        assert solve("--out", tmp_path / "other").exit_code == 0
        assert hidden(tmp_path) == [f".plan.{DEAD_PID}.live0001.partial"]
    finally:
        holder.kill()
        holder.wait()
    assert remove_stale_staging(tmp_path) == [tmp_path / f".plan.{DEAD_PID}.live0001.partial"]


def test_a_staging_folder_is_locked_while_it_is_written(tmp_path: Path) -> None:
    # This process's own staging folder, seen from a clean-up: kept while open, removed after.
    with Staging(tmp_path / "plan") as staging:
        assert staging.path is not None and staging.path.parent == tmp_path
        assert remove_stale_staging(tmp_path) == []
        assert staging.path.exists()
    assert hidden(tmp_path) == []


def test_an_old_staging_folder_with_a_living_process_number_is_stale(tmp_path: Path) -> None:
    # Process numbers are reused: an unlocked folder older than an hour goes even if the number
    # belongs to a process now (this one's).
    old = tmp_path / f".plan.{os.getpid()}.oldoldol.partial"
    old.mkdir()
    assert remove_stale_staging(tmp_path) == []
    an_hour_and_more = time.time() - 3700
    os.utime(old, (an_hour_and_more, an_hour_and_more))
    assert remove_stale_staging(tmp_path) == [old]
