"""Live progress on stderr, the trajectory kept in manifest.json, --json and --quiet.

Example 1 of the spec (tests/data/example1) solves to over_guarantee 0, cost 390, travel 80 (1 x 20 + 2 x 30)
(spec examples.md).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import EXAMPLE1
from leveransplan.cli import app
from leveransplan.inputs import load_scenario
from leveransplan.models.plan import gap_percent
from leveransplan.optimizer.search import Progress, search_run
from leveransplan.optimizer.solve import solve_scenario

runner = CliRunner()


def test_updates_are_throttled_but_each_stage_end_is_shown() -> None:
    # With a 10 s interval, only the first of 100 quick updates is shown; the stage's end always is.
    stream = io.StringIO()
    progress = Progress(stream=stream, interval_s=10.0)
    progress.start_model("volumes", 0.0)
    progress.start_stage("cost", 0.0)
    for step in range(100):
        progress.update(0.01 * step, value=1000 - step, bound=500)
    progress.finish_stage(1.5, 950, 950)
    shown = [line for line in stream.getvalue().split("\r") if line.strip()]
    assert len(shown) == 2
    assert shown[0].startswith("volumes · cost  objective 1 000  bound 500  gap 50.00 %")
    assert shown[1].startswith("volumes · cost  objective 950  bound 950  gap 0.00 %  1.5 s")


def test_a_part_is_shown_under_its_name_but_not_recorded() -> None:
    progress = Progress(stream=io.StringIO(), interval_s=0.0)
    progress.start_model("volumes", 0.0)
    progress.start_stage("cost", 0.0)
    with progress.part("k, category 1 of 1"):
        progress.update(0.1, value=7, bound=3)
    progress.update(0.2, value=400, bound=300)
    assert "volumes · cost (k, category 1 of 1)  objective 7" in progress.stream.getvalue()  # type: ignore[union-attr]
    assert [(p["value"], p["bound"]) for p in progress.trajectory()] == [(400, 300)]


def test_gap() -> None:
    # (value - bound) / value: (200 - 150) / 200 = 25 %.
    assert gap_percent(200, 150) == 25.0
    assert gap_percent(0, 0) == 0.0


def test_progress_goes_to_stderr_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with search_run(show_progress=True):
        solve_scenario(load_scenario(EXAMPLE1), ["volumes"])
    shown = stream.getvalue()
    assert "volumes · over_guarantee" in shown
    assert "volumes · travel  objective 80  bound 80  gap 0.00 %" in shown


def test_trajectory_is_kept_in_the_manifest(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    last: dict[str, tuple[int, int]] = {}
    for point in manifest["progress"]:
        assert point["model"] == "volumes"
        last[point["stage"]] = (point["value"], point["bound"])
    # Each solved stage ends on its reported value and bound (stability without a previous plan
    # is a constant, never solved).
    for stage in summary["volumes"]["stages"]:
        if stage["objective"] != "stability":
            assert last[stage["objective"]] == (stage["value"], stage["bound"])
    assert last["cost"] == (390, 390)


def test_json_prints_the_summary_only(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["plan_folder"] == str(out)
    assert printed["volumes"]["objectives"]["cost"] == 390
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in printed.items() if k != "plan_folder"} == summary


def test_quiet_and_not_a_terminal_show_no_progress(tmp_path: Path) -> None:
    # CliRunner's stderr is not a terminal: nothing but results, with or without --quiet.
    for flags, name in (([], "a"), (["--quiet"], "b")):
        result = runner.invoke(app, ["solve", str(EXAMPLE1), "--out", str(tmp_path / name), *flags])
        assert result.exit_code == 0
        assert "objective" not in result.stderr
        assert "·" not in result.stderr
