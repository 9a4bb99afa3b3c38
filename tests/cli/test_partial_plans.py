"""A solve never throws away a model it solved: what the time limit stopped is published, marked.

The examples of the spec solve in milliseconds, so the time limit running out is stood in for:
the CP-SAT searches of a stage return UNKNOWN (no plan, no bound), as a search stopped at its
limit does. Only the completion of a model's starting plan (a solve fixed to its hint) runs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ortools.sat.python import cp_model
from typer.testing import CliRunner

from helpers import flat, write_files
from leveransplan.cli import app
from leveransplan.optimizer import search
from leveransplan.optimizer.search import SearchRun

runner = CliRunner()


def example2(folder: Path) -> Path:
    """Example 2 of the spec: three trainees, two hospitals, six months (unplaced 0, travel 250)."""
    return write_files(
        folder,
        {
            "scenario.toml": 'name = "Example 2"\nstart = "2026-01"\nmonths = 6\n'
            '[objective]\nplacements = ["unplaced", "travel"]\n[solver]\nworkers = 1\n',
            "hospitals.csv": "hospital,name\nH1,One\nH2,Two\n",
            "st_trainees.csv": "trainee,home_area,earliest_start,deadline,unavailable\n"
            "T1,X,2026-01,2026-06,2026-02\nT2,X,2026-01,2026-04,\nT3,X,2026-01,2026-06,\n",
            "st_requirements.csv": "trainee,specialty,months\nT1,ped,2\nT1,psy,2\nT2,ped,3\nT3,ped,2\n",
            "st_capacity.csv": "hospital,specialty,year,places,concurrent_max\n"
            "H1,ped,2026,1,\nH2,ped,2026,2,1\nH1,psy,2026,1,\n",
            "travel.csv": "home_area,hospital,minutes\nX,H1,10\nX,H2,50\n",
        },
    )


def example3(folder: Path) -> Path:
    """Example 3 of the spec: ten AT positions over three hospitals (deviation 4, stability 2)."""
    return write_files(
        folder,
        {
            "scenario.toml": 'name = "Example 3"\nstart = "2026-01"\nmonths = 12\n[at]\ntotal = 10\n'
            "[solver]\nworkers = 1\n",
            "hospitals.csv": "hospital,name\nH1,One\nH2,Two\nH3,Three\n",
            "at.csv": "hospital,min,max,weight,previous\nH1,0,10,1,3\nH2,0,10,1,5\nH3,0,10,1,2\n",
            "at_rotations.csv": "hospital,area,months,capacity_months\nH1,psykiatri,4,12\n",
        },
    )


def searches_find_nothing(monkeypatch: pytest.MonkeyPatch, stages_first: int = 0) -> None:
    """Every CP-SAT search after the first `stages_first` returns UNKNOWN, as one stopped at its
    time limit before finding a plan does; completing a starting plan still runs."""
    solve = SearchRun.solve
    calls = {"searches": 0}

    def out_of_time(
        self: SearchRun, model: Any, settings: Any, limit: float, *args: Any, **kwargs: Any
    ) -> Any:
        if kwargs.get("fixed_to_hint"):
            return solve(self, model, settings, limit, *args, **kwargs)
        calls["searches"] += 1
        if calls["searches"] <= stages_first:
            return solve(self, model, settings, limit, *args, **kwargs)
        stopped = cp_model.CpSolver()
        stopped.solve(cp_model.CpModel())  # a solver that has run, with no bound of this model
        return cp_model.UNKNOWN, stopped, 0.0

    monkeypatch.setattr(search.SearchRun, "solve", out_of_time)


def test_placements_keep_their_quick_plan_when_no_search_finds_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No search finds a plan. Before, this exited 5 and wrote nothing. The quick plan the
    # search starts from obeys every rule, so it is the plan: published, checked, marked.
    scenario = example2(tmp_path / "scenario")
    searches_find_nothing(monkeypatch)
    out = tmp_path / "plan"
    result = runner.invoke(app, ["solve", str(scenario), "--out", str(out)])
    assert result.exit_code == 8, result.output
    output = flat(result.output)
    assert "Partial plan: the time limit stopped the solve before every model was proven optimal" in output
    assert "placements · unplaced:" in output and "Exit code 8" in output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["partial"] is True and summary["placements"]["stopped_by_time_limit"] is True
    unplaced, travel = summary["placements"]["stages"]
    # No CP-SAT search found a plan, so both stages are FEASIBLE with the quick plan's values
    # (T2's three months left out, travel 190). The bounds are the stages' LPs (GLOP, not a
    # search): unplaced 0; travel with unplaced held at 1 is 140, T2 left out, T1's ped and psy
    # at H1 (2*10 + 2*10) and T3's ped at H2 (2*50); leaving out any other stay costs more.
    assert [(s["status"], s["value"], s["bound"]) for s in (unplaced, travel)] == [
        ("FEASIBLE", 1, 0), ("FEASIBLE", 190, 140),
    ]  # fmt: skip
    monkeypatch.undo()
    checked = runner.invoke(app, ["check", str(scenario), str(out)])
    assert checked.exit_code == 0, checked.output


def test_a_stage_stopped_by_the_time_limit_keeps_the_plan_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The deviation stage is solved (4, as examples.md derives); the stability stage finds
    # nothing in time. The deviation stage's plan stands: (3, 3, 4) in some order of hospitals,
    # H1 at most 3. Against the previous (3, 5, 2), (3, 3, 4) changes 0 + 2 + 2 = 4 and
    # (3, 4, 3) changes 0 + 1 + 1 = 2: the value is one of those, its bound at most the optimum 2.
    scenario = example3(tmp_path / "scenario")
    searches_find_nothing(monkeypatch, stages_first=1)
    out = tmp_path / "plan"
    result = runner.invoke(app, ["solve", str(scenario), "--out", str(out)])
    assert result.exit_code == 8, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    deviation, stability = summary["at"]["stages"]
    assert (deviation["value"], deviation["status"]) == (4, "OPTIMAL")
    assert stability["status"] == "FEASIBLE" and stability["value"] in (2, 4) and stability["bound"] <= 2
    assert summary["at"]["stopped_by_time_limit"] is True and summary["partial"] is True
    assert "at · stability" in flat(result.output)
    monkeypatch.undo()
    assert runner.invoke(app, ["check", str(scenario), str(out)]).exit_code == 0


def test_a_whole_plan_is_not_partial(tmp_path: Path) -> None:
    # Example 3 proven in both stages: exit 0, nothing marked.
    scenario = example3(tmp_path / "scenario")
    out = tmp_path / "plan"
    result = runner.invoke(app, ["solve", str(scenario), "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["partial"] is False and summary["at"]["stopped_by_time_limit"] is False
    assert "Partial plan" not in result.output


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        pytest.param(
            lambda s: s.update(partial=False),
            "summary.json partial: False, but the stages and not_solved say True",
            id="partial",
        ),
        pytest.param(
            lambda s: s["at"].update(stopped_by_time_limit=False),
            "summary.json at.stopped_by_time_limit: False, but its stages say True",
            id="stopped",
        ),
        pytest.param(
            lambda s: s.update(not_solved={"at": "no plan"}),
            'summary.json not_solved names "at", but the plan holds that model',
            id="not solved",
        ),
    ],
)
def test_the_checker_holds_the_partial_marks_to_the_stages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Any, says: str
) -> None:
    # A plan stopped by the time limit whose marks are edited to say otherwise is refused.
    scenario = example3(tmp_path / "scenario")
    searches_find_nothing(monkeypatch, stages_first=1)
    out = tmp_path / "plan"
    assert runner.invoke(app, ["solve", str(scenario), "--out", str(out)]).exit_code == 8
    monkeypatch.undo()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    edit(summary)
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    result = runner.invoke(app, ["check", str(scenario), str(out)])
    assert result.exit_code == 6
    assert says in flat(result.output)
