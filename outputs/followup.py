"""The monthly follow-up the assignments prescribe: performed against planned, delivered against the plan.

"Måluppfyllelse, utförda volymer i förhållande till plan", target 100 %. Per hospital, category
and month: units performed against the units planned (base and additional, own patients and
others'). Per hospital, provider and month: referrals delivered against the delivery plan. The
rows that fall furthest short come first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leveransplan.inputs.plan_files import read_plan_csv
from leveransplan.models.actuals import Delivered, Performed
from leveransplan.outputs.staging import FolderState, Staging
from leveransplan.outputs.tabular import write_csv

PRODUCTION_COLUMNS = ("month", "hospital", "category", "planned", "performed", "difference", "fulfilment_pct")
REFERRAL_COLUMNS = ("month", "hospital", "provider", "planned", "delivered", "difference", "fulfilment_pct")


# The files `followup` reads, as `template` writes them for a plan: one row to fill in per
# hospital, category and month the plan produces in, resp. per flow it delivers.
ACTUALS_TEMPLATE_COLUMNS = ("hospital", "category", "month", "performed", "waiting_end")
REFERRALS_TEMPLATE_COLUMNS = ("hospital", "category", "provider", "month", "referrals")


class PlanUnreadable(Exception):
    """The plan folder lacks production_plan.csv or delivery_plan.csv, or they cannot be read."""


def _read(path: Path) -> list[dict[str, str]]:
    """A plan CSV's rows by column, in either dialect (inputs/plan_files.py)."""
    try:
        return [row for _, row in read_plan_csv(path).records()]
    except FileNotFoundError:
        raise PlanUnreadable(
            f"{path} is missing; expected a plan folder written by leveransplan solve"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise PlanUnreadable(f"{path} cannot be read ({error})") from None


def _pct(done: int, planned: int) -> float | None:
    """Fulfilment in per cent with one decimal; None when nothing was planned."""
    return None if planned == 0 else round(100 * done / planned, 1)


def _sorted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Shortfalls first (lowest fulfilment), then unplanned work, then by month and hospital.
    return sorted(
        rows,
        key=lambda r: (r["fulfilment_pct"] is None, r["fulfilment_pct"] or 0.0, r["month"], r["hospital"]),
    )


@dataclass
class FollowUp:
    """Both tables, each sorted with the largest shortfall first."""

    production: list[dict[str, Any]]
    referrals: list[dict[str, Any]]


def follow_up(plan: Path, performed: list[Performed], delivered: list[Delivered] | None) -> FollowUp:
    """Compare reported outcomes with the plan; months not reported are left out."""
    planned_units: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in _read(plan / "production_plan.csv"):
        try:
            units = int(row["base_used"]) + int(row["additional_own"]) + int(row["additional_for_others"])
        except (KeyError, TypeError, ValueError):
            raise PlanUnreadable(
                f"{plan / 'production_plan.csv'}: not a production plan written by leveransplan"
            ) from None
        planned_units[row["month"], row["hospital"], row["category"]] += units
    done_units: dict[tuple[str, str, str], int] = defaultdict(int)
    for report in performed:
        done_units[report.month, report.hospital, report.category] += report.performed
    production = []
    for key in sorted(done_units):
        month, hospital, category = key
        planned, done = planned_units.get(key, 0), done_units[key]
        production.append(
            {
                "month": month,
                "hospital": hospital,
                "category": category,
                "planned": planned,
                "performed": done,
                "difference": done - planned,
                "fulfilment_pct": _pct(done, planned),
            }
        )
    referrals = []
    if delivered is not None:
        planned_flows: dict[tuple[str, str, str], int] = defaultdict(int)
        for row in _read(plan / "delivery_plan.csv"):
            try:
                planned_flows[row["month"], row["hospital"], row["provider"]] += int(row["volume"])
            except (KeyError, TypeError, ValueError):
                raise PlanUnreadable(
                    f"{plan / 'delivery_plan.csv'}: not a delivery plan written by leveransplan"
                ) from None
        done_flows: dict[tuple[str, str, str], int] = defaultdict(int)
        for delivery in delivered:
            done_flows[delivery.month, delivery.hospital, delivery.provider] += delivery.referrals
        months = {month for month, _, _ in done_flows}
        for key in sorted(done_flows.keys() | {k for k in planned_flows if k[0] in months}):
            month, hospital, provider = key
            planned, done = planned_flows.get(key, 0), done_flows.get(key, 0)
            referrals.append(
                {
                    "month": month,
                    "hospital": hospital,
                    "provider": provider,
                    "planned": planned,
                    "delivered": done,
                    "difference": done - planned,
                    "fulfilment_pct": _pct(done, planned),
                }
            )
    return FollowUp(_sorted(production), _sorted(referrals))


def template(plan: Path, kind: str) -> tuple[tuple[str, ...], list[dict[str, Any]]]:
    """The columns and rows of the `kind` ("actuals" or "referrals") file to fill in for `plan`,
    by month, hospital and category, the figures empty. A flow the delivery plan splits over
    channels or contracts is one row, as followup reads one row per hospital, category, provider
    and month."""
    fields: tuple[str, ...]
    if kind == "actuals":
        source, fields, columns = "production_plan.csv", ("hospital", "category"), ACTUALS_TEMPLATE_COLUMNS
    else:
        source, fields = "delivery_plan.csv", ("hospital", "category", "provider")
        columns = REFERRALS_TEMPLATE_COLUMNS
    keys: set[tuple[str, ...]] = set()
    for row in _read(plan / source):
        try:
            keys.add((row["month"], *(row[name] for name in fields)))
        except KeyError:
            raise PlanUnreadable(f"{plan / source}: not a plan file written by leveransplan") from None
    return columns, [dict(zip(("month", *fields), key, strict=True)) for key in sorted(keys)]


def write_follow_up(target: Path, result: FollowUp, with_referrals: bool, free_name: bool) -> Path:
    """Write followup_production.csv, and followup_referrals.csv `with_referrals`, into the new
    folder `target`, both or neither; the folder they are in (with `free_name`, the next free
    name when `target` appeared meanwhile)."""
    files = {"followup_production.csv": (PRODUCTION_COLUMNS, result.production)}
    if with_referrals:
        files["followup_referrals.csv"] = (REFERRAL_COLUMNS, result.referrals)
    with Staging(target) as staging:
        assert staging.path is not None
        for name, (columns, rows) in files.items():
            write_csv(staging.path / name, columns, rows)
        return staging.publish(FolderState(None), free_name=free_name)
