"""Every CP-SAT solve of a run goes through here: its parameters, the clock its time limits count, progress.

One run (a `leveransplan solve`) has one `SearchRun`: the clock that time limits and the seconds
reported in summary.json are counted on, and the live progress shown while the solver works.

- Normally the clock is the wall clock, and CP-SAT runs its workers in parallel.
- With `deterministic`, CP-SAT interleaves a fixed number of workers in a fixed order and every
  limit counts CP-SAT's deterministic time (a measure of work done, roughly seconds on a current
  machine). Then the same inputs give the same plan, the same stage values and the same reported
  "seconds" whatever the machine's speed, load or number of cores, so output files are
  byte-identical. The price: the run no longer stops at a wall-clock time.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TextIO

from ortools.sat.python import cp_model

from leveransplan.models.language import _
from leveransplan.models.numbers import decimals, grouped
from leveransplan.models.plan import gap_percent
from leveransplan.models.scenario import SolverSettings

# Workers interleaved in deterministic mode when --workers is 0 (all cores): a fixed number, so
# that the plan does not depend on how many cores the machine has.
DETERMINISTIC_WORKERS = 2
# The trajectory keeps at most one point per this many seconds of a stage (the first and last always).
_MIN_POINT_INTERVAL_S = 0.05


@dataclass
class ProgressPoint:
    """The best objective value and proven bound of one stage at one moment."""

    model: str
    stage: str
    seconds: float
    value: int | None
    bound: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "stage": self.stage,
            "seconds": round(self.seconds, 3),
            "value": self.value,
            "bound": self.bound,
        }


@dataclass
class Progress:
    """Live progress on a terminal (throttled) and the trajectory of every stage, kept for the report."""

    stream: TextIO | None = None  # None: record only, show nothing
    interval_s: float = 0.5
    points: list[ProgressPoint] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _shown_at: float = -math.inf
    _line_length: int = 0
    _model: str = ""
    _stage: str = ""
    _detail: str = ""
    _recording: bool = True
    _stage_started: float = 0.0
    _model_started: float = 0.0
    _value: int | None = None
    _bound: int | None = None

    def start_model(self, model: str, now: float) -> None:
        self._model, self._model_started = model, now

    def start_stage(self, stage: str, now: float) -> None:
        """A new stage starts; its figures are unknown yet."""
        with self._lock:
            self._stage, self._stage_started = stage, now
            self._value = self._bound = None

    @contextmanager
    def part(self, detail: str) -> Iterator[None]:
        """A part of the stage (one category, a relaxation) is solved: its own figures are shown
        while it runs, named by `detail`, but not recorded; the trajectory is the whole stage's."""
        with self._lock:
            saved = self._value, self._bound
            self._detail, self._recording = detail, False
            self._value = self._bound = None
        try:
            yield
        finally:
            with self._lock:
                self._detail, self._recording = "", True
                self._value, self._bound = saved

    def update(self, now: float, value: int | None = None, bound: int | None = None) -> None:
        """A better plan (`value`) or bound was found: record it; show it unless shown just now."""
        with self._lock:
            # Every value reported is a plan's and every bound a proven one, so within a stage
            # the best of each stands (a joint solve may start from a weaker bound than the
            # categories solved before it had proven).
            if value is not None:
                self._value = value if self._value is None else min(value, self._value)
            if bound is not None:
                self._bound = bound if self._bound is None else max(bound, self._bound)
            if self._value is not None and self._bound is not None:
                self._bound = min(self._bound, self._value)
            point = ProgressPoint(
                self._model, self._stage, now - self._model_started, self._value, self._bound
            )
            if self._recording:
                self._record(point)
            if self.stream is not None and time.monotonic() - self._shown_at >= self.interval_s:
                self._show(now)

    def finish_stage(self, now: float, value: int, bound: int) -> None:
        """The stage's final figures: always recorded, always shown."""
        with self._lock:
            self._value, self._bound = value, bound
            self._record(ProgressPoint(self._model, self._stage, now - self._model_started, value, bound))
            if self.stream is not None:
                self._show(now)

    def close(self) -> None:
        """Clear the progress line, so that the results print on a clean line."""
        if self.stream is not None and self._line_length:
            self.stream.write("\r" + " " * self._line_length + "\r")
            self.stream.flush()
            self._line_length = 0

    def trajectory(self) -> list[dict[str, Any]]:
        return [point.as_dict() for point in self.points]

    def _record(self, point: ProgressPoint) -> None:
        stage = (point.model, point.stage)
        last = self.points[-1] if self.points else None
        if last is not None and (last.model, last.stage) == stage:
            if (last.value, last.bound) == (point.value, point.bound):
                return
            before = self.points[-2] if len(self.points) > 1 else None
            if (
                point.seconds - last.seconds < _MIN_POINT_INTERVAL_S
                and before is not None
                and (before.model, before.stage) == stage
            ):
                self.points[-1] = point  # many improvements in a blink: keep the latest
                return
        self.points.append(point)

    def _show(self, now: float) -> None:
        assert self.stream is not None
        value = "-" if self._value is None else grouped(self._value)
        bound = "-" if self._bound is None else grouped(self._bound)
        gap = ""
        if self._value is not None and self._bound is not None:
            gap = "  " + _("gap {gap} %").format(gap=decimals(gap_percent(self._value, self._bound), 2))
        detail = f" ({self._detail})" if self._detail else ""
        # The model and stage are the names summary.json and the stage table use: not translated.
        line = (
            f"{self._model} · {self._stage}{detail}  "
            + _("objective {value}  bound {bound}").format(value=value, bound=bound)
            + gap
            + "  "
            + _("{seconds} s").format(seconds=decimals(now - self._model_started, 1))
        )
        padding = max(self._line_length - len(line), 0)
        self.stream.write("\r" + line + " " * padding)
        self.stream.flush()
        self._line_length = len(line)
        self._shown_at = time.monotonic()


def process_age() -> float:
    """Seconds since this process started (0 where the system cannot tell).

    A time limit covers the whole command as the user times it, start-up included; Linux keeps
    the start time in /proc (in clock ticks since boot, against the seconds since boot).
    """
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as uptime:
            since_boot = float(uptime.read().split()[0])
        return max(since_boot - int(fields[19]) / os.sysconf("SC_CLK_TCK"), 0.0)
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0


class Interrupted(Exception):
    """The run was asked to stop (Ctrl-C or a termination signal); nothing is to be written."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal.Signals(signal_number).name)
        self.signal_number = signal_number


# The solves under way, so that a stop request can end their search at once.
_active_solvers: set[cp_model.CpSolver] = set()
_active_lock = threading.Lock()


def stop_on_signals() -> Callable[[], None]:
    """Make Ctrl-C and SIGTERM stop the run promptly, even in the middle of a CP-SAT search.

    Python runs a signal handler only between bytecodes of the main thread, which waits inside
    CP-SAT during a search, so the handler alone would wait for the stage's time limit. Python's
    C-level handler also writes the signal's number to a wakeup file at once: a watcher thread
    reads it and stops every search under way; the handler then raises `Interrupted` in the
    main thread, and the `finally` blocks remove anything half-written. Returns a function that
    restores the previous handling. Only the main thread can install signal handlers.
    """
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)

    def raise_interrupted(signal_number: int, _frame: object) -> None:
        raise Interrupted(signal_number)

    previous_handlers = {
        number: signal.signal(number, raise_interrupted) for number in (signal.SIGINT, signal.SIGTERM)
    }
    previous_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)

    def watch() -> None:
        while os.read(read_fd, 1):
            with _active_lock:
                for solver in _active_solvers:
                    solver.stop_search()

    watcher = threading.Thread(target=watch, name="stop-on-signals", daemon=True)
    watcher.start()

    def restore() -> None:
        signal.set_wakeup_fd(previous_fd)
        for number, handler in previous_handlers.items():
            signal.signal(number, handler)
        os.close(write_fd)
        watcher.join(timeout=1)
        os.close(read_fd)

    return restore


class SearchRun:
    """The clock and progress of one run; see the module docstring."""

    def __init__(self, deterministic: bool = False, progress: Progress | None = None) -> None:
        self.deterministic = deterministic
        self.progress = progress if progress is not None else Progress()
        self._started = time.perf_counter()
        self._deterministic_spent = 0.0

    def now(self) -> float:
        """Seconds since the run started, on the run's clock."""
        if self.deterministic:
            return self._deterministic_spent
        return time.perf_counter() - self._started

    def solve(
        self,
        model: cp_model.CpModel,
        settings: SolverSettings,
        time_limit_s: float,
        subsolvers: Sequence[str] = (),
        value_offset: int = 0,
        presolve_inclusions: bool = True,
        fixed_to_hint: bool = False,
        good_enough: int | None = None,
    ) -> tuple[Any, cp_model.CpSolver, float]:
        """Solve `model` within `time_limit_s` on the run's clock: (status, solver, seconds spent).

        `value_offset` is added to the objective and bound shown (the rest of a stage solved in parts).
        `presolve_inclusions` False skips presolve's search for linear constraints that include
        others (see VolumeModel.solve). `fixed_to_hint`: every hinted variable is fixed to its
        hint, so the solve only completes the starting plan (see `starting_plan`).
        `good_enough`: stop at the first plan whose objective is at most this, a bound the caller
        has proven elsewhere (the plan is then optimal, though the solve reports FEASIBLE).
        """
        solver = cp_model.CpSolver()
        parameters = solver.parameters
        parameters.random_seed = settings.seed
        parameters.subsolvers.extend(subsolvers)
        # Ctrl-C is ours to handle (stop_on_signals): CP-SAT would end the one search and go on.
        parameters.catch_sigint_signal = False
        if not presolve_inclusions:
            parameters.presolve_inclusion_work_limit = 0
        if fixed_to_hint:
            parameters.fix_variables_to_their_hinted_value = True
        limit = max(time_limit_s, 0.05)
        if self.deterministic:
            parameters.num_workers = settings.workers or DETERMINISTIC_WORKERS
            parameters.interleave_search = True
            parameters.max_deterministic_time = limit
        else:
            parameters.num_workers = settings.workers
            parameters.max_time_in_seconds = limit
        started = self.now()
        wall_started = time.perf_counter()
        callback = None
        if model.has_objective():
            callback = _SolutionProgress(self, value_offset, wall_started, started, good_enough)
            solver.best_bound_callback = callback.on_bound
        with _active_lock:
            _active_solvers.add(solver)
        try:
            status = solver.solve(model, callback)
        finally:
            with _active_lock:
                _active_solvers.discard(solver)
        if self.deterministic:
            self._deterministic_spent += solver.deterministic_time
        return status, solver, self.now() - started


# The most a starting plan's completion may take beyond the time limit; it fixes every decision
# the hint gives, so presolve settles it in well under a second on the shipped scenario.
STARTING_PLAN_S = 10.0


def starting_plan(
    model: cp_model.CpModel, settings: SolverSettings, objective: cp_model.LinearExprT
) -> cp_model.CpSolver | None:
    """The model's starting plan (its hint) as a solution, when the search found no plan in time.

    A model that always has a plan by construction (the placements' quick plan) is then still
    published, marked as stopped by the time limit, instead of being thrown away. None when the
    model has no hint or the hint does not complete into a plan.
    """
    if not model.proto.solution_hint.vars:
        return None
    model.minimize(objective)
    status, solver, _ = current_run().solve(model, settings, STARTING_PLAN_S, fixed_to_hint=True)
    return solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


class _SolutionProgress(cp_model.CpSolverSolutionCallback):
    """Forwards each improving plan and bound of one solve to the run's progress."""

    def __init__(
        self,
        run: SearchRun,
        offset: int,
        wall_started: float,
        clock_started: float,
        good_enough: int | None = None,
    ) -> None:
        super().__init__()
        self.run = run
        self.good_enough = good_enough
        self.offset = offset
        self.wall_started = wall_started
        self.clock_started = clock_started

    def _now(self) -> float:
        # During a solve the deterministic clock has not been charged yet; show wall time meanwhile.
        return self.clock_started + (time.perf_counter() - self.wall_started)

    def on_solution_callback(self) -> None:
        self.run.progress.update(
            self._now(),
            value=round(self.objective_value) + self.offset,
            bound=math.ceil(self.best_objective_bound - 1e-6) + self.offset,
        )
        if self.good_enough is not None and round(self.objective_value) <= self.good_enough:
            self.stop_search()

    def on_bound(self, bound: float) -> None:
        self.run.progress.update(self._now(), bound=math.ceil(bound - 1e-6) + self.offset)


_current: ContextVar[SearchRun | None] = ContextVar("search_run", default=None)


def current_run_or_none() -> SearchRun | None:
    """The run in progress, if a caller opened one with `search_run`."""
    return _current.get()


def current_run() -> SearchRun:
    """The run in progress, or else a fresh wall-clock run that shows and keeps nothing beyond
    the caller's own solve (library use and tests; `search_run` opens a run that lasts)."""
    run = _current.get()
    return run if run is not None else SearchRun()


@contextmanager
def search_run(deterministic: bool = False, show_progress: bool = False) -> Iterator[SearchRun]:
    """Make a run the current one for the solves inside the `with` block."""
    progress = Progress(stream=sys.stderr if show_progress else None)
    run = SearchRun(deterministic, progress)
    token = _current.set(run)
    try:
        yield run
    finally:
        progress.close()
        _current.reset(token)
