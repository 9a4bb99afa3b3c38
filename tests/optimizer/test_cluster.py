"""optimizer/cluster.py: the embedded LocalCluster, how it ends, and a scenario folder sent to workers."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from helpers import EXAMPLE1, alive
from leveransplan.optimizer.cluster import ScenarioFiles, dask_client


def test_the_embedded_cluster_has_single_threaded_workers_that_leave_ctrl_c_to_it() -> None:
    with dask_client(workers=2) as client:
        workers = client.scheduler_info()["workers"].values()
        assert [w["nthreads"] for w in workers] == [1, 1]
        # A terminal's Ctrl-C reaches every process of the group: the workers ignore it.
        handlers = client.run(lambda: signal.getsignal(signal.SIGINT))
        assert list(handlers.values()) == [signal.SIG_IGN, signal.SIG_IGN]
        pids = list(client.run(os.getpid).values())
    assert not any(alive(pid) for pid in pids)


def _start_then_sleep(marker: str) -> None:
    Path(marker).touch()
    time.sleep(60)


def test_leaving_by_an_exception_ends_the_workers_in_the_middle_of_their_tasks(tmp_path: Path) -> None:
    # A task of 60 s is under way when the block is left by an exception (as by Ctrl-C): the
    # worker process is ended at once, not when its task is done.
    marker = tmp_path / "started"
    with pytest.raises(RuntimeError, match="stop"), dask_client(workers=1) as client:
        (pid,) = client.run(os.getpid).values()
        client.submit(_start_then_sleep, str(marker), pure=False)
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists()
        started = time.monotonic()
        raise RuntimeError("stop")
    # Measured: 0.02 s; closing the cluster without ending its workers first waits for the
    # nannies' time-out, 4 s.
    assert time.monotonic() - started < 2
    assert not alive(pid)


def test_a_scenario_folder_is_written_once_per_machine(tmp_path: Path) -> None:
    # The top level's files only (a scenario has no sub-folders); the same files give the same
    # folder, other files another.
    files = ScenarioFiles.read(EXAMPLE1)
    assert [name for name, _ in files.files] == sorted(p.name for p in EXAMPLE1.iterdir() if p.is_file())
    folder = files.folder()
    assert folder.name == "example1" and folder != EXAMPLE1
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == dict(files.files)
    assert ScenarioFiles.read(EXAMPLE1).folder() == folder
    changed = ScenarioFiles(files.name, (*files.files[:-1], (files.files[-1][0], b"# changed\n")))
    assert changed.digest != files.digest and changed.folder() != folder
