"""A solved volume plan: the decisions of spec section 3 and the stage results of the solve."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

StageStatus = Literal["OPTIMAL", "FEASIBLE"]


class StageResult(BaseModel):
    """One lexicographic stage: its best value, the proven bound, the status and wall seconds."""

    model_config = ConfigDict(frozen=True)

    objective: str
    value: int
    bound: int
    status: StageStatus
    seconds: float = Field(ge=0)


class VolumePlan(BaseModel):
    """Non-zero decisions of the volume model, keyed as in the spec.

    base_used[h,k,m] = b, additional_own[h,k,m] = a, transfers[h,g,k,m] = t,
    referrals[h,c,m] = e. Month keys are 1-based month numbers of the horizon.
    """

    model_config = ConfigDict(frozen=True)

    base_used: dict[tuple[str, str, int], int] = {}
    additional_own: dict[tuple[str, str, int], int] = {}
    transfers: dict[tuple[str, str, str, int], int] = {}
    referrals: dict[tuple[str, str, int], int] = {}
    stages: tuple[StageResult, ...] = ()
    objectives: dict[str, int] = {}

    def stage(self, objective: str) -> StageResult:
        """The stage result of one objective term."""
        for result in self.stages:
            if result.objective == objective:
                return result
        raise KeyError(objective)
