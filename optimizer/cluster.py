"""The Dask cluster that many solves run on: an embedded local one, or an existing scheduler.

`dask_client()` starts a `LocalCluster` on this machine (one single-threaded worker per core, no
dashboard, quiet logs) and closes it again; `dask_client("tcp://HOST:PORT")` connects to a
cluster someone started (`dask scheduler`, `dask worker ...` on each machine), for work one
machine cannot do in time. The workers need not share a file system with this machine:
`ScenarioFiles` carries a scenario folder's files to them.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os
import shutil
import signal
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster, Nanny, Worker, WorkerPlugin

from leveransplan.models.language import _

# How long a scheduler given by address may take to answer before the command gives up.
CONNECT_TIMEOUT_S = 10.0
# The loggers of dask's scheduler, workers and client: only what stops the work is shown.
_QUIET = logging.CRITICAL


def chunk_mapper(client: Client, task: Callable[..., Any]) -> Callable[..., list[Any]]:
    """A mapper of chunks for models.risk.sample_outcomes: the arguments every chunk shares sent to
    each worker once, then `task(*shared, size, seed)` per chunk, the results in the chunks' order
    whichever finishes first."""

    def mapper(*arguments: Any) -> list[Any]:
        *shared_arguments, chunks = arguments
        shared = client.scatter(shared_arguments, broadcast=True)
        return list(
            client.gather([client.submit(task, *shared, size, seed, pure=False) for size, seed in chunks])
        )

    return mapper


class ClusterUnavailable(Exception):
    """The Dask scheduler named cannot be reached; the message names its address."""


@contextmanager
def dask_client(
    scheduler: str | None = None, workers: int | None = None, processes: bool = True
) -> Iterator[Client]:
    """A client of an embedded LocalCluster (`scheduler` None) or of the scheduler at that address.

    The embedded cluster has `workers` workers (default: the machine's cores), one thread each,
    in worker processes (`processes`) or in threads of this one. Leaving the block closes it;
    leaving it by an exception (Ctrl-C, SIGTERM) ends its worker processes at once, in the
    middle of whatever they solve. A cluster given by address is left running.
    Raises ClusterUnavailable when the scheduler does not answer within CONNECT_TIMEOUT_S.
    """
    with _quiet_logs():
        if scheduler is not None:
            client = _connect(scheduler)
            try:
                yield client
            finally:
                client.close()
            return
        with _interrupts_ignored():
            cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=processes,
                # No dashboard; the scheduler's own HTTP server (health checks) on a free port,
                # so that clusters side by side do not contend for 8787.
                dashboard_address=":0",
                scheduler_kwargs={"dashboard": False},
                silence_logs=_QUIET,
            )
        try:
            client = Client(cluster)
            pids: list[int] = []
            if processes:
                client.register_plugin(_IgnoreInterrupts())
                pids = list(client.run(os.getpid).values())
            try:
                yield client
            except BaseException:
                _end_now(cluster, pids)
                raise
            finally:
                client.close()
        finally:
            cluster.close()


def _connect(scheduler: str) -> Client:
    """A client of the scheduler at `scheduler`, or ClusterUnavailable naming it."""
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (ValueError, TypeError) as error:
        message = _(
            "{address} is not the address of a Dask scheduler ({error}); expected tcp://HOST:PORT, "
            "such as tcp://10.0.0.5:8786 (`dask scheduler` prints it)"
        ).format(address=scheduler, error=error)
    except OSError as error:
        message = _(
            "No Dask scheduler answers at {address} within {seconds} s ({error}); start one with "
            "`dask scheduler` and its workers with `dask worker {address}`"
        ).format(
            address=scheduler, seconds=f"{CONNECT_TIMEOUT_S:g}", error=str(error) or type(error).__name__
        )
    raise ClusterUnavailable(message)


def _end_now(cluster: LocalCluster, pids: list[int]) -> None:
    """End the embedded cluster's worker processes now: closing it would wait for their solves.

    Each worker's nanny is told first that its worker is not to be started again.
    """
    for nanny in cluster.workers.values():
        if isinstance(nanny, Nanny):
            nanny.close_gracefully(reason="leveransplan-stopped")
    for pid in pids:
        with suppress(OSError):  # already gone
            os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))  # Windows has no SIGKILL


@contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ctrl-C ignored while the embedded cluster starts its worker processes, which inherit that.

    Ctrl-C on a terminal reaches every process of its group: only this one is to see it, and
    end the workers (a worker would print a traceback of its own). Python leaves SIGINT ignored
    in a process started with it ignored; `_IgnoreInterrupts` does the same for a worker the
    cluster starts later, in place of one that died. A Ctrl-C in this second is lost.
    SIGTERM stays open: it ends a worker at once.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _IgnoreInterrupts(WorkerPlugin):
    """A worker process ignores Ctrl-C: the process that started the cluster ends it."""

    def setup(self, worker: Worker) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextmanager
def _quiet_logs() -> Iterator[None]:
    """Dask's own log lines (a worker lost, a task retried) and warnings kept off the terminal in
    this process."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(_QUIET)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="distributed")
            yield
    finally:
        logger.setLevel(level)


@dataclass(frozen=True)
class ScenarioFiles:
    """A scenario folder's files (its top level, as load_scenario reads it), to solve it on any worker."""

    name: str  # the folder's name
    files: tuple[tuple[str, bytes], ...]

    @classmethod
    def read(cls, folder: Path) -> ScenarioFiles:
        """The files of `folder`'s top level (sub-folders are no part of a scenario)."""
        files = tuple((path.name, path.read_bytes()) for path in sorted(folder.iterdir()) if path.is_file())
        return cls(folder.resolve().name, files)

    @cached_property
    def digest(self) -> str:
        """The files' SHA-256 together: the same folder on a worker is written once (and hashed once)."""
        digest = hashlib.sha256()
        for name, content in self.files:
            digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
        return digest.hexdigest()

    def folder(self) -> Path:
        """The folder on this machine: written once into the temporary folder, under the files'
        digest, and used by every process and every run with the same files.

        Worker processes are ended without warning (a killed sweep, a lost worker), so nothing
        would remove a folder of their own; one per distinct scenario is what is left.
        """
        root = Path(tempfile.gettempdir()) / f"leveransplan-scenarios-{getpass.getuser()}"
        folder = root / self.digest[:32] / self.name
        if folder.is_dir():
            return folder
        root.mkdir(mode=0o700, exist_ok=True)
        # Written beside it and renamed into place: a process solving on it never sees half of it.
        writing = Path(tempfile.mkdtemp(dir=root, prefix=".writing-"))
        try:
            (writing / self.name).mkdir()
            for name, content in self.files:
                (writing / self.name / name).write_bytes(content)
            try:
                writing.rename(folder.parent)
            except OSError:  # another process wrote it first
                if not folder.is_dir():
                    raise
        finally:
            shutil.rmtree(writing, ignore_errors=True)
        return folder
