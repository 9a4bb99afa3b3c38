"""The result of solving a scenario: one solution per model solved, and the models left without one."""

from __future__ import annotations

from dataclasses import dataclass, field

from leveransplan.models.plan import StageResult, VolumeSolution
from leveransplan.models.training import ATSolution, PlacementSolution

MODELS = ("volumes", "at", "placements")


@dataclass
class ScenarioPlan:
    """Each model's solution, None for a model the scenario has no tables for or that was not asked.

    `not_solved`: models asked for that have no plan, each with the reason (the time limit ran
    out before any plan was found).
    """

    volumes: VolumeSolution | None = None
    at: ATSolution | None = None
    placements: PlacementSolution | None = None
    not_solved: dict[str, str] = field(default_factory=dict)

    @property
    def models(self) -> list[str]:
        return [name for name in MODELS if getattr(self, name) is not None]

    def stages(self, model: str) -> list[StageResult]:
        solution = getattr(self, model)
        return [] if solution is None else list(solution.stages)

    def stopped_stages(self) -> list[tuple[str, StageResult]]:
        """(model, stage) of every stage the time limit stopped before it was proven optimal."""
        return [(m, s) for m in self.models for s in self.stages(m) if s.status != "OPTIMAL"]

    @property
    def partial(self) -> bool:
        """Whether the time limit stopped any model before it was proven optimal, or before it had a plan."""
        return bool(self.not_solved) or bool(self.stopped_stages())
