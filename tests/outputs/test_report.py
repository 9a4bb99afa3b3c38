"""`leveransplan report`: one self-contained HTML page of a plan folder.

Example 1 of examples.md (tests/data/example1) has the hand-derived optimum: A sends 1 patient to
B (150 SEK) and 2 to contract c1 at provider X (120 SEK each) in 2026-01; stages over_guarantee 0,
cost 390, travel 80, all OPTIMAL. The training-only plan is examples 2 and 3 in one scenario.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import EXAMPLE1, ROOT, invoke
from helpers.plans import Page
from helpers.replans import solve_replans
from helpers.training import TRAINING_FILES, even_load_at_two_hospitals, placements
from leveransplan.cli import app
from leveransplan.models.results import ScenarioPlan
from leveransplan.outputs.publish import publish_plan
from leveransplan.outputs.report.costs import cost_by_channel
from leveransplan.outputs.report.page import ReportUnreadable, write_report

SCRIPT = ROOT / "scripts" / "render_report.sh"


def solve(scenario: Path, out: Path, *extra: str) -> Path:
    result = invoke("solve", scenario, "--out", out, "--quiet", *extra)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def example1_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return solve(EXAMPLE1, tmp_path_factory.mktemp("example1") / "plan")


@pytest.fixture(scope="module")
def example1_report(example1_plan: Path) -> str:
    result = invoke("report", example1_plan)
    assert result.exit_code == 0, result.output
    return (example1_plan / "report.html").read_text(encoding="utf-8")


def test_report_is_one_file_with_no_external_reference(example1_plan: Path, example1_report: str) -> None:
    assert (example1_plan / "report.html").is_file()
    page = Page(example1_report)
    for tag, attributes in page.tags:
        assert tag not in ("script", "link", "img", "iframe", "object", "embed"), tag
        for name, value in attributes.items():
            if name in ("src", "srcset", "data", "action", "poster"):
                pytest.fail(f"<{tag} {name}={value!r}>")
            if name in ("href", "xlink:href"):
                assert value is not None and value.startswith("#"), f"<{tag} {name}={value!r}>"
    assert "@import" not in example1_report
    assert "url(http" not in example1_report and "url(file" not in example1_report
    assert page.sections == ["volumes", "decision", "progress"]


def test_report_shows_the_stages_of_example1(example1_report: str) -> None:
    # The optimum of examples.md: over_guarantee 0, cost 1 x 150 + 2 x 120 = 390, travel
    # 1 x 20 + 2 x 30 = 80; each proven (bound = value, gap 0).
    stages = Page(example1_report).table("objective")
    assert stages == [
        ["objective", "value", "bound", "gap %", "status", "seconds"],
        ["over_guarantee", "0", "0", "0", "OPTIMAL", stages[1][5]],
        ["cost", "390", "390", "0", "OPTIMAL", stages[2][5]],
        ["travel", "80", "80", "0", "OPTIMAL", stages[3][5]],
    ]


def test_report_shows_each_hospital(example1_report: str) -> None:
    # A: 10 waiting against a limit of floor(3 x 4 / 2) = 6, so 4 over at the start and 0 at the
    # end; it sends 3 (1 to B, 2 to c1) for 390 SEK. B receives the 1.
    hospitals = Page(example1_report).table("hospital")
    assert hospitals == [
        ["hospital", "over, start", "over, end", "patient-months over", "sent out", "received", "cost SEK"],
        ["A", "4", "0", "0", "3", "0", "390"],
        ["B", "0", "0", "0", "0", "1", "0"],
        ["region", "4", "0", "0", "3", "1", "390"],
    ]
    assert Page(example1_report).charts == [
        "Patients over the guarantee",
        "Referrals per hospital and month",
        "Contract use",
        "Cost by channel",
        "Solver progress, volumes",  # the solve records the trajectory in manifest.json
    ]


def test_cost_channels_of_example1_add_up_to_cost_sek(example1_plan: Path, example1_report: str) -> None:
    # No own additional units (A offers none); the transfer to B 150; c1's 2 units 240 (its
    # minimum of 2 is used, so nothing is paid for unused minimums); c1 is not out of region.
    channels = cost_by_channel(example1_plan)
    assert [(c.kind, c.cost_sek) for c in channels.channels] == [
        ("own", 0),
        ("transfer", 150),
        ("contract", 240),
        ("out_of_region", 0),
        ("unused_minimum", 0),
    ]
    summary = json.loads((example1_plan / "summary.json").read_text(encoding="utf-8"))
    assert channels.total_sek == channels.cost_sek == summary["volumes"]["cost_sek"] == 390
    table = Page(example1_report).table("channel")
    assert [row[:2] for row in table[1:]] == [
        ["Own additional production (tillägg)", "0"],
        ["Transfers to other hospitals", "150"],
        ["Contract provider X (köpt vård)", "240"],
        ["Out of region (utomlänsvård): none", "0"],
        ["Unused contract minimums (take-or-pay)", "0"],
        ["total (summary.json cost_sek: 390)", "390"],
    ]


def test_own_additional_production_is_its_own_channel(tmp_path: Path) -> None:
    # Example 1 with A offering 2 additional units at its 100 SEK, split(2, [1, 0.5]) = [1, 1]:
    # month 1 must lose 3 patients: A's own unit (100) and c1's 2 (240, its minimum) beat B's
    # 150. Cost 340, all of it accounted for.
    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLE1, scenario)
    (scenario / "own_volumes.csv").write_text(
        "hospital,category,base,additional_max\nA,k,5,2\nB,k,0,3\n", encoding="utf-8"
    )
    plan = solve(scenario, tmp_path / "plan")
    channels = cost_by_channel(plan)
    assert {c.kind: c.cost_sek for c in channels.channels} == {
        "own": 100,
        "transfer": 0,
        "contract": 240,
        "out_of_region": 0,
        "unused_minimum": 0,
    }
    assert channels.total_sek == channels.cost_sek == 340
    assert channels.notes == [
        f"Out-of-region contracts as marked in the scenario's contracts.csv ({scenario / 'contracts.csv'})."
    ]


def test_unused_minimums_are_a_channel(tmp_path: Path) -> None:
    # c1 with minimum = maximum = 3 and a monthly maximum of 1: the 3 units (360) are paid in any
    # plan, so cost 360 is least; over_guarantee (second) then uses one unit in each of the two
    # months. 2 used (240) and 1 unused (120) add up to the 360.
    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLE1, scenario)
    (scenario / "contracts.csv").write_text(
        "contract,provider,category,volume_min,volume_max,price_sek,first_month,last_month,monthly_max,"
        "out_of_region\nc1,X,k,3,3,120,,,1,false\n",
        encoding="utf-8",
    )
    toml = (scenario / "scenario.toml").read_text(encoding="utf-8")
    (scenario / "scenario.toml").write_text(
        toml.replace(
            'volumes = ["over_guarantee", "cost", "travel"]', 'volumes = ["cost", "over_guarantee"]'
        ),
        encoding="utf-8",
    )
    plan = solve(scenario, tmp_path / "plan")
    channels = cost_by_channel(plan)
    by_kind = {c.kind: c.cost_sek for c in channels.channels}
    assert by_kind == {"own": 0, "transfer": 0, "contract": 240, "out_of_region": 0, "unused_minimum": 120}
    assert channels.total_sek == channels.cost_sek == 360


def test_out_of_region_contracts_are_their_own_channel(tmp_path: Path) -> None:
    # c1 marked out of region: its 2 units (240) move from the contract channel to out of region.
    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLE1, scenario)
    contracts = (scenario / "contracts.csv").read_text(encoding="utf-8")
    (scenario / "contracts.csv").write_text(contracts.replace(",2,false", ",2,true"), encoding="utf-8")
    plan = solve(scenario, tmp_path / "plan")
    channels = cost_by_channel(plan)
    away = [c for c in channels.channels if c.kind == "out_of_region"]
    assert [(c.name, c.cost_sek) for c in away] == [("Out of region (utomlänsvård): X", 240)]
    assert channels.total_sek == channels.cost_sek
    # Without the scenario folder the plan's files cannot tell, and the report says so.
    shutil.rmtree(scenario)
    channels = cost_by_channel(plan)
    assert [c.kind for c in channels.channels] == ["own", "transfer", "contract", "unused_minimum"]
    assert channels.total_sek == channels.cost_sek
    assert "cannot be told apart" in channels.notes[0]


def test_the_same_plan_gives_a_byte_identical_report(example1_plan: Path, tmp_path: Path) -> None:
    first, second, third = tmp_path / "1.html", tmp_path / "2.html", tmp_path / "3.html"
    write_report(example1_plan, first)
    write_report(example1_plan, second)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; "
            "from leveransplan.outputs.report.page import write_report; "
            "write_report(Path(sys.argv[1]), Path(sys.argv[2]))",
            str(example1_plan),
            str(third),
        ],
        check=True,
        cwd=ROOT,
    )
    assert first.read_bytes() == second.read_bytes() == third.read_bytes()


def test_a_plan_with_workbooks_and_swedish_copies(tmp_path: Path) -> None:
    # The workbooks and csv-sv/'s copies leave the files the report reads as they are.
    plan = solve(EXAMPLE1, tmp_path / "plan", "--excel", "--swedish-csv")
    write_report(plan, tmp_path / "report.html")
    page = Page((tmp_path / "report.html").read_text(encoding="utf-8"))
    assert [row[1] for row in page.table("objective")[1:]] == ["0", "390", "80"]
    assert cost_by_channel(plan).total_sek == 390


def test_a_training_only_plan_has_no_volume_section(tmp_path: Path) -> None:
    # Examples 3 (AT: deviation 4, stability 2; H1 3, H2 4, H3 3) and 2 (ST-A: unplaced 0,
    # travel 250; H1's one paediatrics place to T2, H2's two places to T1 and T3).
    scenario = tmp_path / "scenario"
    scenario.mkdir()
    for name, text in TRAINING_FILES.items():
        (scenario / name).write_text(text, encoding="utf-8")
    plan = solve(scenario, tmp_path / "plan")
    write_report(plan, tmp_path / "report.html")
    page = Page((tmp_path / "report.html").read_text(encoding="utf-8"))
    # The ST-A status per month follows the placements (a note here: write_report has no scenario).
    assert page.sections == ["at", "placements", "st-status", "progress"]
    assert [(r[0], r[1], r[4]) for r in page.table("objective")[1:]] == [
        ("deviation", "4", "OPTIMAL"),
        ("stability", "2", "OPTIMAL"),
    ]
    assert [(r[0], r[1], r[4]) for r in page.table("objective", after=1)[1:]] == [
        ("unplaced", "0", "OPTIMAL"),
        ("travel", "250", "OPTIMAL"),
    ]
    assert page.table("hospital")[1:] == [
        ["H1", "3", "3.33", "3"],
        ["H2", "4", "3.33", "5"],
        ["H3", "3", "3.33", "2"],
        ["total", "10", "", ""],
    ]
    assert page.table("hospital", after=1)[1:] == [
        ["H1", "ped", "2026", "1", "1"],
        ["H2", "ped", "2026", "2", "2"],
        ["H1", "psy", "2026", "1", "1"],
    ]
    assert page.charts == [
        "AT positions",
        "Placements against places",
        "Solver progress, at",
        "Solver progress, placements",
    ]
    with pytest.raises(ReportUnreadable, match="holds no volume plan"):
        cost_by_channel(plan)


def test_a_proposal_shows_proposed_decided_and_maximum_per_hospital(tmp_path: Path) -> None:
    # tests/helpers/training.py's even load: 4 ped stays, H1 decided 1 of at most 2, H2 decided 3 of
    # at most 6; the proposal 1 + 3 loads each to 50 % of its maximum.
    scenario = even_load_at_two_hospitals()
    solution = placements(scenario, propose=True)
    plan = publish_plan(
        tmp_path / "plan", tmp_path, scenario, ScenarioPlan(placements=solution), {}, report=True
    )
    page = Page((plan / "report.html").read_text(encoding="utf-8"))
    header = ["specialty", "2026 proposed", "2026 decided", "2026 max", "2026 load"]
    assert page.table("specialty") == [
        header,
        ["ped", "1", "1", "2", "50 %"],
        ["total", "1", "1", "2", ""],
    ]
    assert page.table("specialty", after=1) == [
        header,
        ["ped", "3", "3", "6", "50 %"],
        ["total", "3", "3", "6", ""],
    ]


def progress_points() -> list[dict[str, object]]:
    """A trajectory for example 1's volume stages, as the solve records it."""
    return [
        {"model": "volumes", "stage": "over_guarantee", "seconds": 0.01, "value": 6, "bound": 0},
        {"model": "volumes", "stage": "over_guarantee", "seconds": 0.02, "value": 0, "bound": 0},
        {"model": "volumes", "stage": "cost", "seconds": 0.03, "value": 540, "bound": 240},
        {"model": "volumes", "stage": "cost", "seconds": 0.05, "value": 390, "bound": 390},
        {"model": "volumes", "stage": "travel", "seconds": 0.06, "value": 80, "bound": 80},
    ]


def without_trajectory(plan: Path, copy: Path) -> Path:
    """A copy of `plan` as written before the solve recorded its progress."""
    shutil.copytree(plan, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["progress"] = []
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return copy


def test_a_plan_without_a_trajectory_says_so(example1_plan: Path, tmp_path: Path) -> None:
    plan = without_trajectory(example1_plan, tmp_path / "plan")
    write_report(plan, tmp_path / "r.html")
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No trajectory was recorded" in text
    assert "Solver progress, volumes" not in Page(text).charts


def test_a_trajectory_given_by_hand_is_a_chart(example1_plan: Path, tmp_path: Path) -> None:
    plan = without_trajectory(example1_plan, tmp_path / "plan")
    write_report(plan, tmp_path / "r.html", progress_points())
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert Page(text).charts[-1] == "Solver progress, volumes"
    assert "No trajectory was recorded" not in text


def test_the_trajectory_in_manifest_json_is_used(example1_plan: Path, tmp_path: Path) -> None:
    plan = without_trajectory(example1_plan, tmp_path / "plan")
    manifest = json.loads((plan / "manifest.json").read_text(encoding="utf-8"))
    manifest["progress"] = [*progress_points(), {"model": "volumes", "stage": "cost"}, "noise"]
    (plan / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = invoke("report", plan, "--out", tmp_path / "r.html")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert Page(text).charts[-1] == "Solver progress, volumes"
    assert "2 recorded progress points could not be read and are left out." in text


def test_points_before_the_first_solution_are_kept(example1_plan: Path, tmp_path: Path) -> None:
    # The solve records a bound before the first solution with "value": null.
    plan = without_trajectory(example1_plan, tmp_path / "plan")
    early = {"model": "volumes", "stage": "over_guarantee", "seconds": 0.0, "value": None, "bound": 0}
    write_report(plan, tmp_path / "r.html", [early, *progress_points()])
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert Page(text).charts[-1] == "Solver progress, volumes"
    assert "could not be read" not in text


def test_a_stage_stopped_by_the_time_limit_is_pointed_out(example1_plan: Path, tmp_path: Path) -> None:
    # cost stopped at 390 with a bound of 300: gap |390 - 300| / 390 = 23.08 %.
    plan = tmp_path / "plan"
    shutil.copytree(example1_plan, plan)
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    summary["volumes"]["stages"][1].update(bound=300, status="FEASIBLE")
    (plan / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    write_report(plan, tmp_path / "r.html")
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert Page(text).table("objective")[2][:5] == ["cost", "390", "300", "23.08", "FEASIBLE"]
    # The share as every figure is set: a no-break space before the per cent sign.
    assert "no plan can do better than 300 (gap 23.08\u00a0%)" in text


def test_solve_report_shows_the_plan_folder_not_the_staging_folder(
    example1_plan: Path, tmp_path: Path
) -> None:
    # publish_plan writes the report in a staging folder, then renames it: the page names the
    # folder the plan ends up in, as `solve --report` passes it.
    staging = tmp_path / ".plan.v2.1036.k2j4_x.partial"
    shutil.copytree(example1_plan, staging)
    write_report(staging, staging / "report.html", shown_folder=tmp_path / "plan.v2")
    rows = Page((staging / "report.html").read_text(encoding="utf-8")).tables[0]
    assert rows[0] == ["Plan folder", str(tmp_path.resolve() / "plan.v2")]
    out = tmp_path / "solved"
    result = CliRunner().invoke(app, ["solve", str(EXAMPLE1), "--out", str(out), "--report", "--quiet"])
    assert result.exit_code == 0, result.output
    rows = Page((out / "report.html").read_text(encoding="utf-8")).tables[0]
    assert rows[0] == ["Plan folder", str(out.resolve())]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256((out / "report.html").read_bytes()).hexdigest()
    assert manifest["outputs_sha256"]["report.html"] == digest


def test_text_from_the_files_is_escaped(example1_plan: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    shutil.copytree(example1_plan, plan)
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    summary["scenario"] = "<script>alert('x')</script>"
    summary["volumes"]["stages"][0]["objective"] = '"><img src=x onerror=alert(1)>'
    (plan / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    write_report(plan, tmp_path / "r.html")
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>" not in text and "<img" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text


def test_a_folder_that_is_not_a_plan(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-plan"
    folder.mkdir()
    with pytest.raises(ReportUnreadable) as error:
        write_report(folder, tmp_path / "r.html")
    assert str(folder) in str(error.value) and "summary.json is missing" in str(error.value)
    assert not (tmp_path / "r.html").exists()
    result = invoke("report", folder)
    assert result.exit_code == 2
    assert "summary.json is missing" in " ".join(result.output.split())


def test_a_plan_without_its_delivery_plan(example1_plan: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    shutil.copytree(example1_plan, plan)
    (plan / "delivery_plan.csv").unlink()
    with pytest.raises(ReportUnreadable, match=r"delivery_plan\.csv is missing"):
        write_report(plan, tmp_path / "r.html")


def test_the_rendering_script_is_there_and_executable() -> None:
    assert SCRIPT.is_file() and os.access(SCRIPT, os.X_OK)
    text = SCRIPT.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash") and "apt-get install -y chromium" in text
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)
    usage = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True)
    assert usage.returncode == 2 and "PLAN_DIR_OR_HTML" in usage.stdout


def edited_manifest(plan: Path, copy: Path, *changes: tuple[tuple[str, ...], object]) -> Path:
    """A copy of `plan` whose manifest.json has each (keys, value) set, as a hand edit would."""
    shutil.copytree(plan, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    for keys, value in changes:
        target = manifest
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return copy


@pytest.mark.parametrize(
    ("keys", "value"),
    [
        (("inputs_sha256",), 10**20),  # the reviewer's plan: 'int' object has no attribute 'get'
        (("inputs_sha256", "contracts.csv"), ["not", "a", "digest"]),
        (("scenario_folder",), 5),
        (("time_utc",), {"at": "noon"}),
        (("tool",), "leveransplan"),
        (("command_line",), "leveransplan solve"),
        (("parameters",), [1, 2]),
        (("parameters", "what_if"), 7),
        (("parameters", "what_if_flags"), 3),
        (("parameters", "what_if_flags", "set"), 5),
        (("parameters", "solver"), "fast"),
        (("parameters", "solver", "deterministic"), "yes"),
        (("progress",), {"volumes": 1}),
    ],
    ids=lambda item: ".".join(item) if isinstance(item, tuple) else None,
)
def test_a_manifest_field_of_another_type_is_treated_as_absent(
    example1_plan: Path, tmp_path: Path, keys: tuple[str, ...], value: object
) -> None:
    plan = edited_manifest(example1_plan, tmp_path / "plan", (keys, value))
    result = invoke("report", plan, "--out", tmp_path / "r.html")
    assert result.exit_code == 0, result.output
    page = Page((tmp_path / "r.html").read_text(encoding="utf-8"))
    # The stages of example 1 (over_guarantee 0, cost 390, travel 80) are there whatever the manifest.
    assert [row[1] for row in page.table("objective")[1:]] == ["0", "390", "80"]
    shown = dict(row for row in page.tables[0] if len(row) == 2)
    if keys == ("inputs_sha256",):
        assert not any(table and table[0][0] == "access.csv" for table in page.tables)
    if keys == ("time_utc",):
        assert shown["Planned"] == "–"
    if keys == ("parameters", "solver", "deterministic"):  # only JSON's true means deterministic
        assert "Planned" in shown and "Run record" not in shown


def test_a_deterministic_plan_leaves_the_run_record_out(example1_plan: Path, tmp_path: Path) -> None:
    # Two copies of one plan as two `solve --deterministic` runs leave them: the same files but
    # for manifest.json's time, command line and progress (wall-clock seconds), in two folders.
    # The page leaves all four out and says so once in the header and once for the progress.
    pages = []
    for name, time, seconds in (
        ("run-one", "2026-01-01T08:00:00+00:00", 0.5),
        ("run-two", "2027-06-30", 9.0),
    ):
        plan = edited_manifest(
            example1_plan,
            tmp_path / name,
            (("parameters", "solver", "deterministic"), True),
            (("time_utc",), time),
            (("command_line",), ["leveransplan", "solve", "--out", name]),
            (("progress",), [{**p, "seconds": i * seconds} for i, p in enumerate(progress_points())]),
        )
        write_report(plan, tmp_path / f"{name}.html")
        pages.append((tmp_path / f"{name}.html").read_bytes())
    assert pages[0] == pages[1]
    text = pages[0].decode("utf-8")
    page = Page(text)
    rows = dict(row for row in page.tables[0] if len(row) == 2)
    assert not {"Plan folder", "Planned", "Command line"} & set(rows)
    assert rows["Run record"].startswith("Solved with --deterministic")
    assert text.count("manifest.json keeps the run record") == 2
    assert "Solver progress, volumes" not in page.charts
    assert str(tmp_path) not in text and "run-one" not in text and "08:00" not in text


def test_a_plan_solved_without_deterministic_shows_its_run_record(example1_report: str) -> None:
    rows = dict(row for row in Page(example1_report).tables[0] if len(row) == 2)
    assert {"Plan folder", "Planned", "Command line"} <= set(rows) and "Run record" not in rows
    assert "Solver progress, volumes" in Page(example1_report).charts


# -- a re-plan's report: what changed against its previous plan (helpers/replans.py) ----------------


@pytest.fixture(scope="module")
def replans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return solve_replans(tmp_path_factory.mktemp("replans"), "R31", "F")


def replan_page(plan: Path) -> tuple[Page, str]:
    out = plan.parent / f"{plan.name}.html"
    result = invoke("report", plan, "--out", out, "--overwrite")
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    return Page(text), " ".join(html.unescape(text).replace("\u00a0", " ").split())


def table_headed(page: Page, *header: str) -> list[list[str]]:
    return next(t for t in page.tables if t and tuple(t[0][: len(header)]) == header)


def test_a_replan_from_actuals_shows_each_hospitals_change(replans: dict[str, Path]) -> None:
    # R31 against P over 2026-02, the month it decided: H1 0 -> 31 x 100 000 SEK, H2 40 -> 9
    # referrals at 100 000 SEK: +3.1 and -3.1 MSEK, both beyond the limit: the committee.
    page, text = replan_page(replans["R31"])
    assert page.sections == ["volumes", "replan", "decision", "progress"]
    assert "2026-01 replaced by the actuals" in text and "2026-02 decided by the re-plan" in text
    assert (
        "this update needs a committee decision (above the 3 000 000 SEK delegation limit: "
        "H1 +3 100 000 SEK, H2 -3 100 000 SEK)."
    ) in text
    assert table_headed(page, "hospital", "SEK previous plan") == [
        ["hospital", "SEK previous plan", "SEK this plan", "change", "delegation"],
        ["H1", "0", "3 100 000", "+3 100 000", "beyond 3 000 000 SEK: committee"],
        ["H2", "4 000 000", "900 000", "-3 100 000", "beyond 3 000 000 SEK: committee"],
    ]
    # P's 2026-01 (H1's 40 units, H2's 40 referrals) was replaced by the actuals: shown apart.
    assert table_headed(page, "hospital", "SEK planned") == [
        ["hospital", "SEK planned"],
        ["H1", "4 000 000"],
        ["H2", "4 000 000"],
        ["all hospitals", "8 000 000"],
    ]
    assert table_headed(page, "hospital", "category", "bas before")[1:] == [
        ["H1", "k", "0", "0", "0", "31", "+31"]
    ]
    assert table_headed(page, "month", "kind")[1:] == [
        ["2026-02", "decided", "H2", "X", "40", "9", "-31", "-3 100 000"]
    ]


def test_a_replan_with_frozen_months_is_on_delegation(replans: dict[str, Path]) -> None:
    # F froze 2026-01 as P decided it; H1 buys 20 more in 2026-02: +2 000 000 SEK, H2 unchanged.
    page, text = replan_page(replans["F"])
    assert "2026-01 frozen as its previous plan decided them" in text
    assert "this update needs a decision on delegation" in text
    assert table_headed(page, "hospital", "SEK previous plan")[1:] == [
        ["H1", "4 000 000", "6 000 000", "+2 000 000", "within"],
        ["H2", "8 000 000", "8 000 000", "+0", "within"],
    ]


def test_a_previous_plan_changed_since_is_not_compared_with(replans: dict[str, Path], tmp_path: Path) -> None:
    # A copy of P whose manifest.json differs from the one R31 was made from, and a copy of R31
    # that names it: the report says why it compares nothing.
    previous, plan = tmp_path / "P", tmp_path / "R31"
    shutil.copytree(replans["P"], previous)
    shutil.copytree(replans["R31"], plan)
    manifest = json.loads((plan / "manifest.json").read_text(encoding="utf-8"))
    manifest["previous_plan"]["folder"] = str(previous)
    (plan / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with (previous / "manifest.json").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    page, text = replan_page(plan)
    assert "replan" in page.sections
    assert "No comparison with the previous plan: its previous plan's" in text
    assert "has changed since this plan was made" in text


def test_a_plan_made_from_a_previous_plan_alone_is_compared_whole(
    replans: dict[str, Path], tmp_path: Path
) -> None:
    # P solved again with P as its previous plan (no frozen month, no actuals): the same optimum,
    # so every hospital's spend is as before and nothing changes.
    scenario = replans["P"].parent / "scenario"
    plan = solve(scenario, tmp_path / "again", "--deterministic", "--previous", str(replans["P"]))
    page, text = replan_page(plan)
    assert f"This plan was made from {replans['P']} and froze no month: the whole plans are compared." in text
    assert table_headed(page, "hospital", "SEK previous plan")[1:] == [
        ["H1", "4 000 000", "4 000 000", "+0", "within"],
        ["H2", "8 000 000", "8 000 000", "+0", "within"],
    ]
    assert '<h3>Referrals that change</h3><p class="note">No change.</p>' in text
