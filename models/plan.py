"""A solved volume plan: the decisions of spec section 3 and the result of every stage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from leveransplan.models.evaluation import Decisions, TermValues

StageStatus = Literal["OPTIMAL", "FEASIBLE"]


def gap_percent(value: int, bound: int) -> float:
    """|value - bound| / max(1, |value|), in per cent: how far a plan may lie above its bound."""
    return 0.0 if value == bound else 100.0 * abs(value - bound) / max(abs(value), 1)


class StageResult(BaseModel):
    """One lexicographic stage: its best value, the proven bound, the status and wall seconds."""

    model_config = ConfigDict(frozen=True)

    objective: str
    value: int
    bound: int
    status: StageStatus
    seconds: float = Field(ge=0)


@dataclass
class VolumeSolution:
    """The decisions reached, the result of every stage, and the plan's objective terms."""

    decisions: Decisions
    stages: list[StageResult]
    values: TermValues
    # With candidate contracts: the over_guarantee stage solved without them, the measure of
    # the patient-months the procurement buys (optimizer/procurement.py); None when not solved.
    over_without_candidates: StageResult | None = None

    def stage(self, objective: str) -> StageResult:
        """The stage result of one objective term."""
        for result in self.stages:
            if result.objective == objective:
                return result
        raise KeyError(objective)
