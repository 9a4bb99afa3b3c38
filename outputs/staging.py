"""Folders that appear whole or not at all, and never take another run's place.

A run writes a folder (a plan, a follow-up, a generated scenario) into a hidden staging folder
`.NAME.PID.xxxxxxxx.partial` beside its target NAME and renames it to NAME only when every file is
written and checked. So a run killed at any moment leaves at most such a hidden folder, which a
later run writing anything into the same parent folder removes.

While a run is alive it holds a lock on its staging folder (flock; the kernel drops it when the
process dies, however it dies). A staging folder is stale, and removed, only when nobody holds
its lock and its process is gone (or, since process numbers are reused and another machine's
mean nothing here, it is older than an hour). The final rename happens under a lock on the
parent folder, after checking that the target is still as the run found it when it started: a
folder that appeared or changed meanwhile (another run, a user) is never replaced, and the run
says so instead of reporting success.

Where the system has no flock (Windows) or the file system refuses it (some network shares),
the process-number rule and the operating system's own refusal to rename onto a folder remain.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from leveransplan.models.language import _

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

# `.NAME.PID.TAG.partial` (being written) and `.NAME.PID.TAG.old` (a replaced folder being removed).
_STAGING_NAME = re.compile(r"^\.(?P<target>.+)\.(?P<pid>\d+)\.(?P<tag>[^./]+)\.(?P<kind>partial|old)$")
# A staging folder whose lock is free is stale after this long even if its process number is in
# use: the number may belong to another process by now, or to another machine or container.
STALE_AFTER_S = 3600.0

# One entry of a folder as a run saw it: name, kind, size and modification time.
Entry = tuple[str, str, int, int]


class TargetTaken(Exception):
    """The target appeared or changed while the run was working; it was not replaced."""


def _entries(folder: Path, prefix: str) -> list[Entry]:
    entries = []
    for entry in os.scandir(folder):
        stat = entry.stat(follow_symlinks=False)
        kind = "dir" if entry.is_dir(follow_symlinks=False) else "file"
        entries.append((prefix + entry.name, kind, stat.st_size, stat.st_mtime_ns))
    return entries


@dataclass(frozen=True)
class FolderState:
    """What a target folder held when the run looked: None when it did not exist."""

    entries: tuple[Entry, ...] | None

    @classmethod
    def of(cls, folder: Path) -> FolderState:
        if not folder.exists():
            return cls(None)
        entries = list(_entries(folder, ""))
        # A plan's one sub-folder (bi/) is seen file by file, as the plan's files are: a file
        # edited in it while the run works changes no time of the folder itself.
        for name, kind, _size, _mtime in list(entries):
            if kind == "dir":
                entries += _entries(folder / name, f"{name}/")
        return cls(tuple(sorted(entries)))

    @property
    def exists(self) -> bool:
        return self.entries is not None


def _lock(fd: int, blocking: bool) -> bool | None:
    """Take an exclusive lock on an open folder: True taken, False held by another, None unsupported."""
    if fcntl is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if blocking else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return None  # e.g. a network share that has no flock for folders
    return True


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on `folder` (waiting for it) for the `with` block; no-op if unsupported."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        _lock(fd, blocking=True)
        yield
    finally:
        os.close(fd)  # closing drops the lock


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # another user's process, or a platform that cannot tell
    return True


def _stale(folder: Path, pid: int) -> bool:
    """Nobody holds the folder's lock, and its process is gone or it is older than STALE_AFTER_S."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        if _lock(fd, blocking=False) is False:
            return False  # a live run is writing it
        if not _process_alive(pid):
            return True
        return time.time() - os.fstat(fd).st_mtime > STALE_AFTER_S
    finally:
        os.close(fd)


def remove_stale_staging(parent: Path) -> list[Path]:
    """Remove the staging folders that dead runs left in `parent`; return them.

    A stale `.old` folder holds a folder that a run was replacing when it died: when its target
    is missing (the run died between the two renames) it is put back, so nothing is lost.
    """
    removed: list[Path] = []
    try:
        candidates = sorted(parent.iterdir())
    except OSError:
        return removed
    for candidate in candidates:
        match = _STAGING_NAME.match(candidate.name)
        if match is None or not candidate.is_dir() or candidate.is_symlink():
            continue
        if not _stale(candidate, int(match["pid"])):
            continue
        if match["kind"] == "old":
            target = parent / match["target"]
            kept = candidate / match["target"]
            if kept.is_dir() and not target.exists():
                with contextlib.suppress(OSError):
                    os.rename(kept, target)
        shutil.rmtree(candidate, ignore_errors=True)
        removed.append(candidate)
    return removed


def free_folder_name(wanted: Path) -> Path:
    """`wanted`, or wanted-2, wanted-3 ... : the first name not taken now."""
    candidate, number = wanted, 2
    while candidate.exists():
        candidate = wanted.with_name(f"{wanted.name}-{number}")
        number += 1
    return candidate


def _rename_onto_nothing(source: Path, target: Path) -> None:
    """Rename `source` to `target`, failing with FileExistsError if anything is at `target`.

    POSIX rename replaces an empty folder silently, so the name is first taken with mkdir, which
    fails when anything holds it; Windows' rename refuses an existing target by itself.
    """
    if os.name == "nt":  # pragma: no cover
        os.rename(source, target)
        return
    os.mkdir(target)
    try:
        os.replace(source, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.rmdir(target)
        raise


class Staging:
    """A hidden folder beside `target` to write into, locked while this run lives.

    Use as a context manager; `publish` renames it into place. On leaving the block, whatever
    was not published is removed.
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self.parent = target.parent
        self.path: Path | None = None
        self._fd: int | None = None

    def __enter__(self) -> Staging:
        self.parent.mkdir(parents=True, exist_ok=True)
        # Under the parent's lock, so a cleaner (which takes it too) never sees the new folder
        # before its lock is held.
        with folder_lock(self.parent):
            remove_stale_staging(self.parent)
            prefix = f".{self.target.name}.{os.getpid()}."
            path = Path(tempfile.mkdtemp(prefix=prefix, suffix=".partial", dir=self.parent))
            self.path = path
            self._fd = os.open(path, os.O_RDONLY)
            _lock(self._fd, blocking=True)
        umask = os.umask(0)
        os.umask(umask)
        path.chmod(0o777 & ~umask)  # mkdtemp makes it private; the folder is an ordinary one
        return self

    def __exit__(self, *exc: object) -> None:
        if self.path is not None and self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def publish(
        self,
        seen: FolderState | None,
        free_name: bool = False,
        finish: Callable[[Path], None] | None = None,
    ) -> Path:
        """Rename the staging folder to the target, if the target is still as `seen`; return its path.

        `seen` is the target as the run found it at its start (None: anything may be replaced).
        With `free_name` the target is a default name: the first of NAME, NAME-2, ... free at
        this moment is taken instead. `finish` is called with the final path just before the
        rename (to write what names it). Raises TargetTaken when the target appeared or changed.
        """
        assert self.path is not None
        with folder_lock(self.parent):
            target = free_folder_name(self.target) if free_name else self.target
            now = FolderState.of(target)
            if seen is not None and now != seen and not free_name:
                words = (
                    _(
                        "{target} appeared while this run was working (another run, or a program, wrote "
                        "there); it was not replaced"
                    )
                    if not seen.exists
                    else _(
                        "{target} changed while this run was working (another run, or a program, wrote "
                        "there); it was not replaced"
                    )
                )
                raise TargetTaken(words.format(target=target))
            if finish is not None:
                finish(target)
            if not now.exists:
                try:
                    _rename_onto_nothing(self.path, target)
                except FileExistsError:
                    raise TargetTaken(
                        _("{target} appeared at the last moment; it was not replaced").format(target=target)
                    ) from None
                return target
            prefix = f".{target.name}.{os.getpid()}."
            retired = Path(tempfile.mkdtemp(prefix=prefix, suffix=".old", dir=self.parent))
            os.replace(target, retired / target.name)
            try:
                os.replace(self.path, target)
            except BaseException:
                # Put the replaced folder back; if even that fails, the `.old` folder keeps it
                # and the next run's clean-up puts it back (remove_stale_staging).
                os.replace(retired / target.name, target)
                os.rmdir(retired)
                raise
            shutil.rmtree(retired, ignore_errors=True)
            return target


def write_folder(target: Path, files: Mapping[str, str], seen: FolderState | None) -> Path:
    """Write `files` (name: UTF-8 text) as the folder `target`, whole or not at all; see `Staging.publish`."""
    with Staging(target) as staging:
        assert staging.path is not None
        for name, text in files.items():
            (staging.path / name).write_bytes(text.encode("utf-8"))
        return staging.publish(seen)
