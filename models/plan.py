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


@dataclass(frozen=True)
class ChangeAllowance:
    """A re-plan's tolerance: after the stage of least change, each hospital may change up to
    `units` units and `sek` SEK (None: no allowance in that measure) against the previous plan,
    or as much as the plan of least change moves it where that is more. The stages after
    stability then hold each hospital's change within its cap instead of the least total."""

    units: int | None = None
    sek: int | None = None

    @property
    def given(self) -> bool:
        return self.units is not None or self.sek is not None

    def caps(self, moved: dict[str, tuple[int, int]]) -> dict[str, dict[str, int]]:
        """Each hospital's caps, given what the plan of least change moves there, (units, SEK) by
        hospital (recorded as `least_units` and `least_sek`, so that the checker can derive each
        cap again)."""
        caps: dict[str, dict[str, int]] = {}
        for h, (least_units, least_sek) in moved.items():
            caps[h] = {"least_units": least_units, "least_sek": least_sek}
            if self.units is not None:
                caps[h]["units"] = max(self.units, least_units)
            if self.sek is not None:
                caps[h]["sek"] = max(self.sek, least_sek)
        return caps


@dataclass(frozen=True)
class RobustRecord:
    """How a robust plan was made (docs/risk.md): the planning futures, the money it could spend,
    and the plan made at forecast inflow that it replaced."""

    samples: int
    seed: int
    money_cap_sek: int  # the forecast plan's cost, or the budget where that is lower
    forecast_over_guarantee: int
    forecast_cost_sek: int
    price_per_msek: float  # patient-months the LP priced a million SEK at (0 when money did not bind)


@dataclass
class VolumeSolution:
    """The decisions reached, the result of every stage, and the plan's objective terms."""

    decisions: Decisions
    stages: list[StageResult]
    values: TermValues
    # With candidate contracts: the over_guarantee stage solved without them, the measure of
    # the patient-months the procurement buys (optimizer/procurement.py); None when not solved.
    over_without_candidates: StageResult | None = None
    # A re-plan's change allowance and each hospital's caps under it ({h: {"units": .., "sek": ..}}).
    allowance: ChangeAllowance | None = None
    change_caps: dict[str, dict[str, int]] | None = None
    # `solve --robust`: the plan is the robust one; its stages are empty (it is no lexicographic optimum).
    robust: RobustRecord | None = None

    def stage(self, objective: str) -> StageResult:
        """The stage result of one objective term."""
        for result in self.stages:
            if result.objective == objective:
                return result
        raise KeyError(objective)
