"""What changed between two plans: referrals and SEK per hospital, provider and month, and each objective.

Plan B is compared with plan A (B minus A). A change in the volume plan's cost above
3 000 000 SEK, up or down, needs a committee decision; smaller updates are decided on
delegation (the region's rule for updating the assignments during the year).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leveransplan.inputs.plan_files import read_plan_csv

DELEGATION_LIMIT_SEK = 3_000_000
DIFF_COLUMNS = (
    "month",
    "hospital",
    "provider",
    "volume_a",
    "volume_b",
    "volume_change",
    "cost_a_sek",
    "cost_b_sek",
    "cost_change_sek",
)

FlowKey = tuple[str, str, str]  # month, hospital, provider


class PlanUnreadable(Exception):
    """A plan folder lacks a file the comparison needs, or a file cannot be read."""


@dataclass
class PlanDiff:
    """Flows that changed, objective changes per model, and the cost change of the volume plan."""

    flows: list[dict[str, Any]] = field(default_factory=list)
    objectives: list[dict[str, Any]] = field(default_factory=list)
    cost_a_sek: int | None = None
    cost_b_sek: int | None = None

    @property
    def cost_change_sek(self) -> int | None:
        if self.cost_a_sek is None or self.cost_b_sek is None:
            return None
        return self.cost_b_sek - self.cost_a_sek

    @property
    def needs_committee(self) -> bool:
        change = self.cost_change_sek
        return change is not None and abs(change) > DELEGATION_LIMIT_SEK


def _flows(plan: Path) -> dict[FlowKey, tuple[int, int]]:
    """(volume, cost) per (month, hospital, provider) from delivery_plan.csv; empty when there is none."""
    path = plan / "delivery_plan.csv"
    totals: dict[FlowKey, list[int]] = defaultdict(lambda: [0, 0])
    if not path.exists():
        return {}
    try:
        table = read_plan_csv(path)
    except (OSError, UnicodeDecodeError) as error:
        raise PlanUnreadable(f"{path} cannot be read ({error})") from None
    for number, row in table.records():
        try:
            key = (row["month"], row["hospital"], row["provider"])
            totals[key][0] += int(row["volume"])
            totals[key][1] += int(row["cost_sek"])
        except (KeyError, ValueError):
            raise PlanUnreadable(
                f"{path}, row {number}: expected a delivery plan row written by leveransplan"
            ) from None
    return {key: (v[0], v[1]) for key, v in totals.items()}


def _summary(plan: Path) -> dict[str, Any]:
    path = plan / "summary.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanUnreadable(
            f"{path} is missing; expected a plan folder written by leveransplan solve"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PlanUnreadable(f"{path} cannot be read ({error})") from None
    if not isinstance(document, dict):
        raise PlanUnreadable(f"{path} is not a plan summary")
    return document


def diff_plans(plan_a: Path, plan_b: Path) -> PlanDiff:
    """Plan B against plan A."""
    summary_a, summary_b = _summary(plan_a), _summary(plan_b)
    flows_a, flows_b = _flows(plan_a), _flows(plan_b)
    result = PlanDiff()
    for key in sorted(flows_a.keys() | flows_b.keys()):
        volume_a, cost_a = flows_a.get(key, (0, 0))
        volume_b, cost_b = flows_b.get(key, (0, 0))
        if (volume_a, cost_a) == (volume_b, cost_b):
            continue
        month, hospital, provider = key
        result.flows.append(
            {
                "month": month,
                "hospital": hospital,
                "provider": provider,
                "volume_a": volume_a,
                "volume_b": volume_b,
                "volume_change": volume_b - volume_a,
                "cost_a_sek": cost_a,
                "cost_b_sek": cost_b,
                "cost_change_sek": cost_b - cost_a,
            }
        )
    for model in ("volumes", "at", "placements"):
        if model not in summary_a or model not in summary_b:
            continue  # a model solved in one plan only has nothing to compare
        objectives_a = (summary_a.get(model) or {}).get("objectives") or {}
        objectives_b = (summary_b.get(model) or {}).get("objectives") or {}
        for name in [*objectives_a, *(n for n in objectives_b if n not in objectives_a)]:
            value_a, value_b = objectives_a.get(name), objectives_b.get(name)
            change = value_b - value_a if isinstance(value_a, int) and isinstance(value_b, int) else None
            result.objectives.append(
                {"model": model, "objective": name, "a": value_a, "b": value_b, "change": change}
            )
    volumes_a, volumes_b = summary_a.get("volumes") or {}, summary_b.get("volumes") or {}
    if isinstance(volumes_a.get("cost_sek"), int) and isinstance(volumes_b.get("cost_sek"), int):
        result.cost_a_sek, result.cost_b_sek = volumes_a["cost_sek"], volumes_b["cost_sek"]
    return result
