"""What changed between two plans: referrals and SEK per hospital, provider and month, the volume
table, each objective, and who must decide the update.

Plan B is compared with plan A (B minus A). The region updates the assignments during the year on
delegation up to 3 000 000 SEK; larger updates go to the committee. The limit holds for each
hospital and for the region: an update is decided on delegation only when no hospital's spend
(spec section 7: its additional units, its patients' transfers and referrals) changes by more
than 3 000 000 SEK, up or down, and neither does the region's total cost. A net change hides
nothing: +2.9 MSEK at one hospital and -2.9 MSEK at another is on delegation, +3.1 and -3.1 is
not, although both net 0.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
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

VOLUME_TABLE_COLUMNS = ("hospital", "category", "bas_a", "bas_b", "tillagg_a", "tillagg_b", "uppdrag_change")

FlowKey = tuple[str, str, str]  # month, hospital, provider


class PlanUnreadable(Exception):
    """A plan folder lacks a file the comparison needs, or a file cannot be read."""


@dataclass
class HospitalChange:
    """What one hospital's patients cost in each plan (its spend, summary.json), and the change."""

    hospital: str
    spend_a_sek: int
    spend_b_sek: int

    @property
    def change_sek(self) -> int:
        return self.spend_b_sek - self.spend_a_sek

    @property
    def beyond_delegation(self) -> bool:
        return abs(self.change_sek) > DELEGATION_LIMIT_SEK


@dataclass
class PlanDiff:
    """Flows that changed, the volume table's changes, objective changes per model, and the cost
    changes per hospital and for the region that decide who must approve the update."""

    flows: list[dict[str, Any]] = field(default_factory=list)
    volume_table: list[dict[str, Any]] = field(default_factory=list)
    objectives: list[dict[str, Any]] = field(default_factory=list)
    hospitals: list[HospitalChange] = field(default_factory=list)
    cost_a_sek: int | None = None
    cost_b_sek: int | None = None

    @property
    def cost_change_sek(self) -> int | None:
        if self.cost_a_sek is None or self.cost_b_sek is None:
            return None
        return self.cost_b_sek - self.cost_a_sek

    @property
    def region_beyond_delegation(self) -> bool:
        change = self.cost_change_sek
        return change is not None and abs(change) > DELEGATION_LIMIT_SEK

    @property
    def committee_hospitals(self) -> list[str]:
        """The hospitals whose change alone takes the update beyond delegation."""
        return [h.hospital for h in self.hospitals if h.beyond_delegation]

    @property
    def needs_committee(self) -> bool:
        return self.region_beyond_delegation or bool(self.committee_hospitals)

    def delegation(self) -> dict[str, Any]:
        """The decision rule's figures, as `diff --json` prints them."""
        return {
            "on_delegation": not self.needs_committee if self.cost_change_sek is not None else None,
            "limit_sek": DELEGATION_LIMIT_SEK,
            "region_change_sek": self.cost_change_sek,
            "hospitals": {h.hospital: h.change_sek for h in self.hospitals},
            "committee_hospitals": self.committee_hospitals,
            "region_beyond_limit": self.region_beyond_delegation,
        }

    def as_json(self) -> dict[str, Any]:
        """The whole comparison, for scripts (`diff --json`)."""
        return {
            "flows": self.flows,
            "volume_table": self.volume_table,
            "objectives": self.objectives,
            "cost_a_sek": self.cost_a_sek,
            "cost_b_sek": self.cost_b_sek,
            "hospitals": [
                {
                    "hospital": h.hospital,
                    "spend_a_sek": h.spend_a_sek,
                    "spend_b_sek": h.spend_b_sek,
                    "change_sek": h.change_sek,
                }
                for h in self.hospitals
            ],
            "delegation": self.delegation(),
        }


def _rows(path: Path, what: str, read: Callable[[dict[str, str]], None]) -> None:
    """Each row of a plan CSV given to `read`; a file that is not there has none. A row `read`
    cannot take (a missing column, a number that is not whole) names the file and the row."""
    if not path.exists():
        return
    try:
        table = read_plan_csv(path)
    except (OSError, UnicodeDecodeError) as error:
        raise PlanUnreadable(f"{path} cannot be read ({error})") from None
    for number, row in table.records():
        try:
            read(row)
        except (KeyError, ValueError):
            raise PlanUnreadable(
                f"{path}, row {number}: expected a {what} row written by leveransplan"
            ) from None


def _flows(plan: Path) -> dict[FlowKey, tuple[int, int]]:
    """(volume, cost) per (month, hospital, provider) from delivery_plan.csv."""
    totals: dict[FlowKey, list[int]] = defaultdict(lambda: [0, 0])

    def add(row: dict[str, str]) -> None:
        total = totals[row["month"], row["hospital"], row["provider"]]
        total[0] += int(row["volume"])
        total[1] += int(row["cost_sek"])

    _rows(plan / "delivery_plan.csv", "delivery plan", add)
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


def _volume_table(plan: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """(bas, tillagg) per (hospital, category) from volume_table.csv."""
    rows: dict[tuple[str, str], tuple[int, int]] = {}

    def add(row: dict[str, str]) -> None:
        rows[row["hospital"], row["category"]] = (int(row["bas"]), int(row["tillagg"]))

    _rows(plan / "volume_table.csv", "volume table", add)
    return rows


def _spend_by_hospital(summary: dict[str, Any], path: Path) -> dict[str, int]:
    """Each hospital's spend from summary.json's volumes.hospitals (its cost_sek)."""
    rows = (summary.get("volumes") or {}).get("hospitals") or []
    spend: dict[str, int] = {}
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("cost_sek"), int):
            raise PlanUnreadable(f"{path}: volumes.hospitals holds a row without a whole cost_sek")
        spend[str(row.get("hospital"))] = row["cost_sek"]
    return spend


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
    table_a, table_b = _volume_table(plan_a), _volume_table(plan_b)
    for hospital, category in sorted(table_a.keys() | table_b.keys()):
        (bas_a, extra_a), (bas_b, extra_b) = (
            table.get((hospital, category), (0, 0)) for table in (table_a, table_b)
        )
        if (bas_a, extra_a) != (bas_b, extra_b):
            result.volume_table.append(
                {
                    "hospital": hospital,
                    "category": category,
                    "bas_a": bas_a,
                    "bas_b": bas_b,
                    "tillagg_a": extra_a,
                    "tillagg_b": extra_b,
                    "uppdrag_change": bas_b + extra_b - bas_a - extra_a,
                }
            )
    volumes_a, volumes_b = summary_a.get("volumes") or {}, summary_b.get("volumes") or {}
    if isinstance(volumes_a.get("cost_sek"), int) and isinstance(volumes_b.get("cost_sek"), int):
        result.cost_a_sek, result.cost_b_sek = volumes_a["cost_sek"], volumes_b["cost_sek"]
        spend_a = _spend_by_hospital(summary_a, plan_a / "summary.json")
        spend_b = _spend_by_hospital(summary_b, plan_b / "summary.json")
        # A hospital in one plan only spends nothing in the other.
        order = [*spend_a, *(h for h in spend_b if h not in spend_a)]
        result.hospitals = [HospitalChange(h, spend_a.get(h, 0), spend_b.get(h, 0)) for h in order]
    return result
