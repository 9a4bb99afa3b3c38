"""`leveransplan sweep`: variants solved on a Dask cluster, each row kept as it finishes.

Example 1 (tests/data/example1): hospital A has 10 waiting and 4 more each month, 5 base units
(2.5 in February by its profile) and no additional ones; B offers 3 additional units at 150 SEK
(20 minutes away), contract c1 with X 2 to 3 units at 120 SEK, at most 2 a month (30 minutes).
The base plan: over_guarantee 0 at 390 SEK (2 units of X and 1 of B), travel 2 x 30 + 20 = 80.
Without X only B helps (1 unit in month 1, 2 in month 2): w1 = 12 - 3 - 1 = 8 (2 over), w2 =
8 + 2 - 2 - 2 = 6: over_guarantee 2, and 3 transfers x 150 = 450 SEK, 60 more than the base;
travel 3 x 20 = 60, 20 minutes less.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed import Client
from typer.testing import CliRunner

from helpers import EXAMPLE1, flat
from leveransplan.cli import app
from leveransplan.inputs.whatif import WithoutProvider
from leveransplan.optimizer import cluster
from leveransplan.optimizer import sweep as sweep_module
from leveransplan.optimizer.cluster import ScenarioFiles, dask_client
from leveransplan.optimizer.sweep import COLUMNS, Variant, solve_variant, sweep
from leveransplan.outputs.console.common import out_console

runner = CliRunner()
VARIANTS = [
    Variant("without X", {"without_provider": ["X"]}),
    Variant("inflow +50 %", {"scale": ["need.inflow=1.5"]}),
    Variant("c1 min above max", {"set": ["contracts.c1.volume_min=9"]}),
]
BASE_ROW = {"over_guarantee": 0, "equity": 0, "out_of_region": 0, "cost": 390, "travel": 80}
WITHOUT_X_CHANGES = {
    "over_guarantee_change": 2,
    "cost_change_sek": 60,
    "out_of_region_change": 0,  # X is in the region
    "travel_change": -20,
}


@pytest.fixture(scope="module")
def local_client() -> Iterator[Client]:
    """An embedded LocalCluster of two worker processes, as `leveransplan sweep` starts."""
    with dask_client(workers=2) as client:
        yield client


def _changes(row: dict[str, Any]) -> dict[str, Any]:
    return {column: row[column] for column in WITHOUT_X_CHANGES}


def test_rows_equal_the_variants_run_one_by_one(local_client: Client) -> None:
    rows = sweep(local_client, EXAMPLE1, VARIANTS, time_limit_s=10, deterministic=True)
    assert [r["variant"] for r in rows] == ["base", "without X", "inflow +50 %", "c1 min above max"]
    files = ScenarioFiles.read(EXAMPLE1)
    for row, variant in zip(rows, [Variant("base"), *VARIANTS], strict=True):
        alone = solve_variant(files, variant, 10, True)
        changes = {"seconds", *(c for c in COLUMNS if c.endswith(("_change", "_change_sek")))}
        assert {k: v for k, v in row.items() if k not in changes} == {
            k: v for k, v in alone.items() if k not in changes
        }
    base, without = rows[0], rows[1]
    assert {term: base[term] for term in BASE_ROW} == BASE_ROW
    assert base["parameters"] == "" and without["parameters"] == "--without-provider X"
    assert (without["over_guarantee"], without["cost"], without["travel"]) == (2, 450, 60)
    assert _changes(without) == WITHOUT_X_CHANGES
    assert rows[3]["status"] == "INVALID" and "is above volume_max 3" in rows[3]["note"]
    assert rows[3]["over_guarantee_change"] is None


def test_a_failing_variant_is_its_own_row(monkeypatch: pytest.MonkeyPatch) -> None:
    # One variant of three runs out of memory while loading: its row says so, and the others,
    # the base plan's included, have their values and changes. (Worker threads of this process,
    # so that the simulated failure reaches them.)
    load = sweep_module.load_scenario

    def out_of_memory(folder: Path, what_ifs: Any = ()) -> Any:
        if any(isinstance(change, WithoutProvider) for change in what_ifs):
            raise MemoryError("simulated")
        return load(folder, what_ifs)

    monkeypatch.setattr(sweep_module, "load_scenario", out_of_memory)
    handed_on: list[dict[str, Any]] = []
    with dask_client(workers=2, processes=False) as client:
        rows = sweep(client, EXAMPLE1, VARIANTS, 10, deterministic=True, on_row=handed_on.append)
    assert sorted(r["variant"] for r in handed_on) == sorted(r["variant"] for r in rows)
    failed = rows[1]
    assert (failed["variant"], failed["status"], failed["note"]) == (
        "without X",
        "ERROR",
        "MemoryError: simulated",
    )
    assert failed["over_guarantee"] is None and failed["over_guarantee_change"] is None
    assert [r["status"] for r in rows] == ["OPTIMAL", "ERROR", "OPTIMAL", "INVALID"]
    assert {term: rows[0][term] for term in BASE_ROW} == BASE_ROW


def test_finished_rows_are_not_solved_again(local_client: Client) -> None:
    # The base plan's row of an earlier run (its seconds 99.9 mark it) is kept as it is, and
    # the changes of the variant solved now are counted against it.
    earlier = {"variant": "base", "parameters": "", "status": "OPTIMAL", **BASE_ROW, "seconds": 99.9}
    handed_on: list[dict[str, Any]] = []
    rows = sweep(local_client, EXAMPLE1, VARIANTS[:1], 10, finished=[earlier], on_row=handed_on.append)
    assert [r["variant"] for r in handed_on] == ["without X"]
    assert rows[0]["seconds"] == 99.9
    assert _changes(handed_on[0]) == _changes(rows[1]) == WITHOUT_X_CHANGES


def test_a_sweep_with_every_row_finished_solves_nothing(local_client: Client) -> None:
    earlier = [
        {"variant": "base", "parameters": "", "status": "OPTIMAL", **BASE_ROW},
        {"variant": "without X", "parameters": "--without-provider X", "status": "INVALID"},
    ]
    handed_on: list[dict[str, Any]] = []
    rows = sweep(local_client, EXAMPLE1, VARIANTS[:1], 10, finished=earlier, on_row=handed_on.append)
    assert handed_on == []
    assert [(r["variant"], r["status"], r["over_guarantee_change"]) for r in rows] == [
        ("base", "OPTIMAL", 0),
        ("without X", "INVALID", None),
    ]


def _variants_file(folder: Path, *names: str) -> Path:
    known = {
        "without X": 'without_provider = ["X"]',
        "c1 min above max": 'set = ["contracts.c1.volume_min=9"]',
        "inflow +50 %": 'scale = ["need.inflow=1.5"]',
    }
    path = folder / "variants.toml"
    path.write_text("".join(f'[[variant]]\nname = "{n}"\n{known[n]}\n' for n in names), encoding="utf-8")
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_command_writes_the_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(out_console, "_width", 250)  # every column's title whole
    variants = _variants_file(tmp_path, "without X")
    out = tmp_path / "sweep.csv"
    result = runner.invoke(
        app, ["sweep", str(EXAMPLE1), "--variants", str(variants), "--processes", "1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = _rows(out)
    assert list(rows[0]) == list(COLUMNS)
    assert [
        (r["variant"], r["parameters"], r["over_guarantee_change"], r["cost_change_sek"], r["travel_change"])
        for r in rows
    ] == [("base", "", "0", "0", "0"), ("without X", "'--without-provider X", "2", "60", "-20")]
    # The terminal: the change in patient-months before the change in money.
    titles = next(line for line in result.output.splitlines() if "change patient-months" in line)
    assert titles.index("change patient-months") < titles.index("change MSEK")
    without = next(line for line in result.output.splitlines() if line.startswith("│ without X"))
    assert [cell.strip() for cell in without.split("│")[3:5]] == ["+2", "+0.0"]


def test_resume_keeps_finished_rows_and_solves_the_rest(tmp_path: Path) -> None:
    # An earlier run was killed: the base plan's row is there (seconds 99.9), "without X"
    # failed, and the row of "c1 min above max" was cut off by the kill (no line end).
    variants = _variants_file(tmp_path, "without X", "c1 min above max")
    out = tmp_path / "sweep.csv"
    header = ",".join(COLUMNS)
    base = "base,,OPTIMAL,0,0,0,0,0,0,0,0,390,80,99.9,"
    failed = "without X,'--without-provider X,ERROR,,,,,,,,,,,3.0,MemoryError: simulated"
    out.write_text(f"{header}\n{base}\n{failed}\nc1 min above max,'--set contr", encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "sweep",
            str(EXAMPLE1),
            "--variants",
            str(variants),
            "--processes",
            "1",
            "--out",
            str(out),
            "--resume",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = {r["variant"]: r for r in _rows(out)}
    assert list(rows) == ["base", "without X", "c1 min above max"]
    assert rows["base"]["seconds"] == "99.9"
    assert (rows["without X"]["status"], rows["without X"]["over_guarantee_change"]) == ("OPTIMAL", "2")
    assert rows["without X"]["cost_change_sek"] == "60"
    assert rows["c1 min above max"]["status"] == "INVALID"


def test_resume_refuses_another_sweeps_file(tmp_path: Path) -> None:
    # Row 2 says "without X" left out provider Y: this sweep's "without X" leaves out X.
    variants = _variants_file(tmp_path, "without X")
    out = tmp_path / "sweep.csv"
    before = f"{','.join(COLUMNS)}\nwithout X,'--without-provider Y,OPTIMAL,,,,,,,,,,,1.0,\n"
    out.write_text(before, encoding="utf-8")
    result = runner.invoke(
        app, ["sweep", str(EXAMPLE1), "--variants", str(variants), "--out", str(out), "--resume"]
    )
    assert result.exit_code == 2
    assert (
        f"{out}, row 2, column parameters: '--without-provider Y'; expected '--without-provider X'"
        in flat(result.output)
    )
    assert out.read_text(encoding="utf-8") == before


def test_an_existing_table_is_kept_without_resume(tmp_path: Path) -> None:
    out = tmp_path / "sweep.csv"
    out.write_text("theirs\n", encoding="utf-8")
    result = runner.invoke(app, ["sweep", str(EXAMPLE1), "--out", str(out)])
    assert result.exit_code == 2
    assert "exists; choose another --out, or add --resume" in flat(result.output)
    assert out.read_text(encoding="utf-8") == "theirs\n"


def test_variant_names_are_their_own(tmp_path: Path) -> None:
    # "base" is the plan without flags, and a resumed sweep finds each row by its name.
    path = tmp_path / "variants.toml"
    path.write_text(
        '[[variant]]\nname = "base"\nscale = ["need.inflow=1.1"]\n'
        '[[variant]]\nname = "x"\nscale = ["need.inflow=1.1"]\n'
        '[[variant]]\nname = "x"\nscale = ["need.inflow=1.2"]\n',
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["sweep", str(EXAMPLE1), "--variants", str(path), "--out", str(tmp_path / "s")]
    )
    assert result.exit_code == 2
    said = flat(result.output)
    assert 'variant 1: the name "base" is taken' in said and 'variant 3: the name "x" is taken' in said


def test_an_unreachable_scheduler_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Port 1 on this machine has no scheduler: one message naming it, exit 2, nothing written.
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1.0)
    out = tmp_path / "sweep.csv"
    result = runner.invoke(
        app, ["sweep", str(EXAMPLE1), "--scheduler", "tcp://127.0.0.1:1", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "No Dask scheduler answers at tcp://127.0.0.1:1 within 1 s" in flat(result.output)
    assert "Traceback" not in result.output and not out.exists()
    result = runner.invoke(app, ["sweep", str(EXAMPLE1), "--scheduler", "127.0.0.1", "--out", str(out)])
    assert result.exit_code == 2
    assert "127.0.0.1 is not the address of a Dask scheduler" in flat(result.output)


# --- a scheduler and two workers, each a process of its own, as on a cluster of machines ---------


def _start(*arguments: str, log: Path) -> subprocess.Popen[bytes]:
    dask = Path(sys.executable).parent / "dask"
    with log.open("wb") as handle:
        return subprocess.Popen([str(dask), *arguments], stdout=handle, stderr=handle, start_new_session=True)


@pytest.fixture
def separate_cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """`dask scheduler` and two `dask worker` processes on localhost: the address and the workers."""
    address_file = tmp_path / "scheduler.json"
    processes = [
        _start(
            "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
            "--scheduler-file", str(address_file), log=tmp_path / "scheduler.log",
        )
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not address_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(address_file.read_text(encoding="utf-8"))["address"]
        workers = [
            _start(
                "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                log=tmp_path / f"worker{n}.log",
            )
            for n in (1, 2)
        ]  # fmt: skip
        processes += workers
        # Both workers registered before a client starts: on 2 cores the three processes' start-up
        # (their imports) can starve the client's event loop past distributed's 10 s to start it.
        logs = [tmp_path / f"worker{n}.log" for n in (1, 2)]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not all(
            "Registered to" in log.read_text(encoding="utf-8", errors="replace") for log in logs
        ):
            time.sleep(0.2)
        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=30)
        yield address, workers
    finally:
        # The workers first, while their scheduler is there to take their leave.
        for process in reversed(processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_a_sweep_on_an_existing_scheduler(
    tmp_path: Path, separate_cluster: tuple[str, list[subprocess.Popen[bytes]]]
) -> None:
    address, _ = separate_cluster
    variants = _variants_file(tmp_path, "without X", "c1 min above max")
    out = tmp_path / "sweep.csv"
    result = runner.invoke(
        app, ["sweep", str(EXAMPLE1), "--variants", str(variants), "--scheduler", address, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = _rows(out)
    assert [(r["variant"], r["status"], r["over_guarantee_change"], r["cost_change_sek"]) for r in rows] == [
        ("base", "OPTIMAL", "0", "0"),
        ("without X", "OPTIMAL", "2", "60"),
        ("c1 min above max", "INVALID", "", ""),
    ]


def test_a_worker_killed_mid_sweep_loses_no_finished_row(
    tmp_path: Path, separate_cluster: tuple[str, list[subprocess.Popen[bytes]]]
) -> None:
    # Inflow scaled by 1.00, 1.05, ..., 1.95: twenty variants. When the first row comes, one
    # worker is killed (SIGKILL, as the kernel ends a process out of memory): the scheduler
    # gives its tasks to the other worker, every variant gets its row, and the rows handed on
    # before the kill are the rows at the end.
    address, workers = separate_cluster
    variants = [
        Variant(f"inflow x{f / 100:.2f}", {"scale": [f"need.inflow={f / 100:.2f}"]})
        for f in range(100, 200, 5)
    ]
    handed_on: list[dict[str, Any]] = []
    before_kill: list[dict[str, Any]] = []

    def kill_at_the_first_row(row: dict[str, Any]) -> None:
        handed_on.append(row)
        if not before_kill:
            before_kill.extend(handed_on)
            os.kill(workers[0].pid, signal.SIGKILL)

    with dask_client(address) as client:
        rows = sweep(client, EXAMPLE1, variants, 10, deterministic=True, on_row=kill_at_the_first_row)
    assert workers[0].wait(timeout=10) == -signal.SIGKILL
    assert len(handed_on) == len(rows) == 21
    assert all(r["status"] == "OPTIMAL" for r in rows)
    by_name = {r["variant"]: r for r in rows}
    assert all(
        {k: v for k, v in by_name[r["variant"]].items() if not k.endswith(("_change", "_change_sek"))}
        == {k: v for k, v in r.items() if not k.endswith(("_change", "_change_sek"))}
        for r in before_kill
    )
    # Inflow x1.00 is the base plan again: no change.
    assert _changes(by_name["inflow x1.00"]) == dict.fromkeys(WITHOUT_X_CHANGES, 0)
