"""The report's ST-A status per month: the share of trainees with every placement planned, per
home hospital and month, as followup_st_status.csv has it."""

from __future__ import annotations

from pathlib import Path

from helpers import invoke
from helpers.plans import Page
from helpers.training import TRAINING_FILES


def scenario_with_a_late_trainee(folder: Path) -> Path:
    """The training-only scenario (example 2 for ST-A) plus T4 of home area X, 2026-05..2026-12,
    needing 3 months of ped: the horizon 2026-01..06 leaves no room, so T4 is unplaced."""
    folder.mkdir()
    for name, text in TRAINING_FILES.items():
        if name == "st_trainees.csv":
            text += "T4,X,2026-05,2026-12,\n"
        if name == "st_requirements.csv":
            text += "T4,ped,3\n"
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_the_report_shows_the_status_per_month(tmp_path: Path) -> None:
    # H1 is X's nearest hospital (10 minutes), so all four trainees count there. January-April:
    # T1, T2 and T3 are in their windows and fully placed, 3 of 3 = 100 %. May-June: T1, T3 and
    # T4, of whom T4 is unplaced, 2 of 3 = 66.7 %. The region's row is the same.
    scenario = scenario_with_a_late_trainee(tmp_path / "scenario")
    plan = tmp_path / "plan"
    result = invoke("--lang", "sv", "solve", scenario, "--out", plan, "--report", "--deterministic")
    assert result.exit_code == 0, result.output
    page = Page((plan / "report.html").read_text(encoding="utf-8"))
    full, two_thirds = "100,0 %", "66,7 %"  # as the page reads, its no-break spaces as spaces
    assert page.table("sjukhus", after=_index_of_status(page)) == [
        ["sjukhus", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"],
        ["H1", full, full, full, full, two_thirds, two_thirds],
        ["regionen", full, full, full, full, two_thirds, two_thirds],
    ]
    # The report command reads the scenario again; once it has changed, the section says why it is empty.
    (scenario / "travel.csv").write_text("home_area,hospital,minutes\nX,H1,15\nX,H2,50\n", encoding="utf-8")
    result = invoke("report", plan, "--out", tmp_path / "again.html")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "again.html").read_text(encoding="utf-8")
    assert "The status needs the scenario the plan was made from" in text


def _index_of_status(page: Page) -> int:
    """Which of the tables headed "sjukhus" is the status's: the one whose header has months only."""
    found = [t for t in page.tables if t and t[0] and t[0][0] == "sjukhus"]
    return next(i for i, t in enumerate(found) if all(c[:2] == "20" for c in t[0][1:]))
