"""The result of solving a scenario: one solution per model solved."""

from __future__ import annotations

from dataclasses import dataclass

from models.plan import VolumeSolution
from models.training import ATSolution, PlacementSolution

MODELS = ("volumes", "at", "placements")


@dataclass
class ScenarioPlan:
    """Each model's solution, None for a model the scenario has no tables for or that was not asked."""

    volumes: VolumeSolution | None = None
    at: ATSolution | None = None
    placements: PlacementSolution | None = None

    @property
    def models(self) -> list[str]:
        return [name for name in MODELS if getattr(self, name) is not None]
