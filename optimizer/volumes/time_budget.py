"""The volume solve's time limit shared between its stages: deadlines, reserves and shares.

Per-category network stages take milliseconds, so a coupled stage gets all the time left but a
reserve for each later stage. Some work no limit shortens: a stage's fixed work (every
category's network, the evaluations, the holds) and, in the travel stage, the routing that
follows every search. The shares below leave both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from leveransplan.models.scenario import SolverSettings
from leveransplan.optimizer.search import SearchRun
from leveransplan.optimizer.volumes.model import SolveParameters

# Kept for each later stage when a stage may take all the time left: at least this, or as long as
# the longest stage proven optimal so far took (TimeBudget.stage_floor_s).
_RESERVE_PER_STAGE_S = 4.0
# Below this many seconds left, categories not yet solved in a stage keep their plan unsolved.
_OUT_OF_TIME_S = 0.1
# At most this long for the best combination of the columns of a coupled stage.
_COMBINATION_SECONDS = 3.0


@dataclass
class TimeBudget:
    """The time limit of one volume solve, counted on the run's clock from `started`."""

    search: SearchRun
    settings: SolverSettings
    started: float
    # The longest a routing of the travel stage's plan took (routing.Routing): every search in
    # that stage is followed by one, so the searches leave it that much of their time.
    routing_seconds: float = 0.0
    # The longest a stage solved by the networks alone took (wall clock): a stage's fixed
    # work, which no time limit shortens (every category's network, evaluations, holds). A
    # stage that also searches jointly takes about twice that even with no
    # time left for the search, so each later stage keeps twice this in reserve.
    stage_floor_s: float = 0.0
    # Once a stage is not searched, no later one is: it would not hold that stage's value.
    out_of_time: bool = False

    def remaining(self) -> float:
        return self.settings.time_limit_s - (self.search.now() - self.started)

    def is_up(self) -> bool:
        """Whether so little is left that a category not yet solved keeps its plan unsolved."""
        return self.remaining() <= _OUT_OF_TIME_S

    def parameters(self, limit: float) -> SolveParameters:
        return SolveParameters(max(limit, 0.05), self.settings.workers, self.settings.seed)

    def joint_time(self, stages_left: int) -> float:
        """Time for a joint solve: all that is left but a reserve for each later stage.

        Joint stages are the hard ones; per-category stages take a second or two on the region,
        so an even split would starve the joint stage for nothing.
        """
        # What follows a search in this stage (rounding, holds, evaluations) cannot stop at the
        # deadline: it takes about a stage's fixed work, so the search leaves that too.
        remaining = self.remaining() - self.routing_seconds - self.stage_floor_s
        per_stage = max(_RESERVE_PER_STAGE_S, 2 * self.stage_floor_s)
        reserve = min(per_stage * (stages_left - 1), remaining / 2)
        return max(remaining - reserve, remaining / stages_left)

    def no_time_for_a_stage(self) -> bool:
        """Whether the time left is too short to search a stage at all: none is left, or less than
        half of what a stage has been seen to take even when it finds its optimum at once (its
        fixed work: every category's network, the evaluations, the holds)."""
        left = self.remaining()
        # (A stage that searches jointly has about twice the fixed work: see stage_floor_s.)
        self.out_of_time = self.out_of_time or left <= _OUT_OF_TIME_S or left < self.stage_floor_s / 2
        return self.out_of_time

    def stage_done(self, started: float, by_networks: bool) -> None:
        """A stage that began at `started` is done: when the networks alone proved it optimal,
        its time is a stage's fixed work (on the wall clock only: the deterministic clock does
        not count it)."""
        if by_networks and not self.search.deterministic:
            self.stage_floor_s = max(self.stage_floor_s, self.search.now() - started)

    def share_of_stage(self, stages_left: int) -> Callable[[], float]:
        """Seconds left of half the stage's time: the column generation's share, leaving the rest
        for settling the categories it mixed and the joint search."""
        deadline = self.search.now() + self.joint_time(stages_left) / 2
        return lambda: deadline - self.search.now()

    def dive_seconds(self, stages_left: int) -> float:
        """For diving from the LP to a whole plan (rounding.dived): a quarter of the stage's time,
        taken from the half that follows the column generation."""
        return self.joint_time(stages_left) / 4

    def combination_seconds(self) -> float:
        """For choosing the best combination of the columns: a small model, a tenth of what is left."""
        return min(_COMBINATION_SECONDS, self.remaining() / 10)
