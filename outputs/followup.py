"""The monthly follow-up the assignments prescribe: performed against planned, delivered against the plan.

"Måluppfyllelse, utförda volymer i förhållande till plan", target 100 %. Per hospital, category
and month: units performed against the units planned (base and additional, own patients and
others'). Per hospital, provider and month: referrals delivered against the delivery plan. The
rows that fall furthest short come first. With the plan's scenario also the care guarantee's
fulfilment per hospital and month (followup_guarantee.py) and the ST-A status report
(followup_training.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leveransplan.inputs.plan_files import read_plan_csv
from leveransplan.models.actuals import Delivered, Performed
from leveransplan.models.derived import VolumeData
from leveransplan.models.language import _
from leveransplan.models.scenario import Scenario
from leveransplan.outputs.data_dictionary import write_data_package
from leveransplan.outputs.followup_guarantee import GUARANTEE_COLUMNS, guarantee_fulfilment
from leveransplan.outputs.followup_training import ST_STATUS_COLUMNS, st_status
from leveransplan.outputs.staging import FolderState, Staging
from leveransplan.outputs.tabular import write_csv

PRODUCTION_COLUMNS = ("month", "hospital", "category", "planned", "performed", "difference", "fulfilment_pct")
REFERRAL_COLUMNS = ("month", "hospital", "provider", "planned", "delivered", "difference", "fulfilment_pct")
BY_KIND_COLUMNS = (
    "month",
    "hospital",
    "kind",
    "planned",
    "performed",
    "fulfilment_pct",
    "ytd_planned",
    "ytd_performed",
    "ytd_fulfilment_pct",
)
PERIOD_COLUMNS = (
    "year",
    "period",
    "hospital",
    "kind",
    "planned",
    "performed",
    "difference",
    "fulfilment_pct",
)
BY_PROVIDER_COLUMNS = ("hospital", "provider", "planned", "delivered", "difference", "fulfilment_pct")
TOTAL = "total"  # the provider (and hospital) cell of a total row in followup_referrals_by_provider.csv
SETTLEMENT_COLUMNS = (
    "checkpoint",
    "hospital",
    "category",
    "base_to_date",
    "performed_to_date",
    "additional_performed",
    "decided_additional",
    "settled_units",
    "price_sek",
    "settled_to_date_sek",
    "settled_earlier_sek",
    "payment_sek",
)
# "Avräkning sker per april, augusti och december": the months additional volumes are settled.
CHECKPOINT_MONTHS = (4, 8, 12)
# The assignments' interim and annual follow-up: delår per april and august, helår.
PERIODS = (("T1", range(1, 5)), ("T2", range(5, 9)), ("ÅR", range(1, 13)))


Key = tuple[str, str, str]  # month, hospital, category (or provider)

# The files `followup` reads, as `template` writes them for a plan: one row to fill in per
# hospital, category and month the plan produces in, resp. per flow it delivers.
ACTUALS_TEMPLATE_COLUMNS = ("hospital", "category", "month", "performed", "waiting_end")
REFERRALS_TEMPLATE_COLUMNS = ("hospital", "category", "provider", "month", "referrals")


class PlanUnreadable(Exception):
    """The plan folder lacks production_plan.csv or delivery_plan.csv, or they cannot be read."""


def _read(path: Path) -> list[dict[str, str]]:
    """A plan CSV's rows by column, in either dialect (inputs/plan_files.py)."""
    try:
        return [row for _index, row in read_plan_csv(path).records()]
    except FileNotFoundError:
        raise PlanUnreadable(
            _("{path} is missing; expected a plan folder written by leveransplan solve").format(path=path)
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise PlanUnreadable(_("{path} cannot be read ({error})").format(path=path, error=error)) from None


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
    """The row tables, each sorted with the largest shortfall first, the tables per hospital and
    kind (a category's price class) by month and by period, the care guarantee's fulfilment per
    hospital and month, and the ST-A status per hospital and month."""

    production: list[dict[str, Any]]
    referrals: list[dict[str, Any]]
    by_kind: list[dict[str, Any]] = field(default_factory=list)
    periods: list[dict[str, Any]] = field(default_factory=list)
    settlement: list[dict[str, Any]] | None = None
    by_provider: list[dict[str, Any]] = field(default_factory=list)
    # None without the plan's scenario: the limits L and the trainees are the scenario's.
    guarantee: list[dict[str, Any]] | None = None
    # None also when the plan has no placements (placements.csv), which is said, not written empty.
    st_status: list[dict[str, Any]] | None = None
    # False for a follow-up without reported outcomes (no actuals file): the plan's ST-A status,
    # and referrals when they are reported, are all it holds.
    with_actuals: bool = True


def _by_provider(referrals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The monthly referral rows summed over the reported months per hospital and provider, each
    hospital followed by its total, the region's total last."""
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in referrals:
        for key in ((row["hospital"], row["provider"]), (row["hospital"], TOTAL), (TOTAL, TOTAL)):
            sums[key][0] += row["planned"]
            sums[key][1] += row["delivered"]
    # The totals sort after the hospital's providers, and the region's after every hospital.
    order = sorted(sums, key=lambda k: (k[0] == TOTAL, k[0], k[1] == TOTAL, k[1]))
    return [
        {
            "hospital": hospital,
            "provider": provider,
            "planned": sums[hospital, provider][0],
            "delivered": sums[hospital, provider][1],
            "difference": sums[hospital, provider][1] - sums[hospital, provider][0],
            "fulfilment_pct": _pct(sums[hospital, provider][1], sums[hospital, provider][0]),
        }
        for hospital, provider in order
    ]


def _to_date(units: dict[tuple[str, str, str], int], hospital: str, category: str, month: str) -> int:
    """The hospital's units of the category from the start of `month`'s year to `month`."""
    return sum(
        count
        for (when, h, c), count in units.items()
        if (h, c) == (hospital, category) and when[:4] == month[:4] and when <= month
    )


def settle(
    base_used: dict[tuple[str, str, str], int],
    done_units: dict[tuple[str, str, str], int],
    decided: dict[tuple[str, str], int],
    unit_price: dict[tuple[str, str], int],
) -> list[dict[str, Any]]:
    """Additional volumes settled per April, August and December of each year, for each reported
    checkpoint month: the units performed beyond the plan's base to date (month, hospital,
    category keys), at most the year's `decided` additional units (hospital, category), at
    `unit_price`; the payment is what is due to date less what earlier checkpoints of the year
    settled (negative: paid back). A hospital and category with neither a decided level nor
    additional units performed is left out."""
    reported = sorted({month for month, _hospital, _category in done_units})
    checkpoints = [m for m in reported if int(m[5:7]) in CHECKPOINT_MONTHS]
    pairs = sorted(decided.keys() | {(h, c) for _month, h, c in done_units})
    settled: dict[tuple[str, str, str], int] = defaultdict(int)
    rows = []
    for checkpoint in checkpoints:
        year = checkpoint[:4]
        for hospital, category in pairs:
            base = _to_date(base_used, hospital, category, checkpoint)
            done = _to_date(done_units, hospital, category, checkpoint)
            additional = max(0, done - base)
            level = decided.get((hospital, category), 0)
            if level == 0 and additional == 0:
                continue
            units = min(additional, level)
            price = unit_price.get((hospital, category), 0)
            earlier = settled[year, hospital, category]
            settled[year, hospital, category] = units * price
            rows.append(
                {
                    "checkpoint": checkpoint,
                    "hospital": hospital,
                    "category": category,
                    "base_to_date": base,
                    "performed_to_date": done,
                    "additional_performed": additional,
                    "decided_additional": level,
                    "settled_units": units,
                    "price_sek": price,
                    "settled_to_date_sek": units * price,
                    "settled_earlier_sek": earlier,
                    "payment_sek": units * price - earlier,
                }
            )
    return rows


def _by_kind(
    planned_units: dict[tuple[str, str, str], int],
    done_units: dict[tuple[str, str, str], int],
    price_class: dict[str, str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per hospital, kind and reported month (and year to date), and per year and period T1, T2,
    ÅR to date. A month counts once the report has a row of it: a plan row of that month without
    a report counts as nothing performed."""
    reported = {month for month, _hospital, _category in done_units}
    planned: dict[tuple[str, str, str], int] = defaultdict(int)
    done: dict[tuple[str, str, str], int] = defaultdict(int)
    for source, target in ((planned_units, planned), (done_units, done)):
        for (month, hospital, category), units in source.items():
            if month in reported:
                target[hospital, price_class.get(category, category), month] += units
    monthly, totals = [], []
    ytd: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    by_period: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for hospital, kind, month in sorted(planned.keys() | done.keys()):
        year, number = month[:4], int(month[5:7])
        running = ytd[hospital, kind, year]
        running[0] += planned[hospital, kind, month]
        running[1] += done[hospital, kind, month]
        monthly.append(
            {
                "month": month,
                "hospital": hospital,
                "kind": kind,
                "planned": planned[hospital, kind, month],
                "performed": done[hospital, kind, month],
                "fulfilment_pct": _pct(done[hospital, kind, month], planned[hospital, kind, month]),
                "ytd_planned": running[0],
                "ytd_performed": running[1],
                "ytd_fulfilment_pct": _pct(running[1], running[0]),
            }
        )
        for period, months in PERIODS:
            if number in months:
                sums = by_period[year, period, hospital, kind]
                sums[0] += planned[hospital, kind, month]
                sums[1] += done[hospital, kind, month]
    order = [name for name, _months in PERIODS]
    for year, period, hospital, kind in sorted(
        by_period, key=lambda k: (k[0], order.index(k[1]), k[2], k[3])
    ):
        plan_units, done_units_ = by_period[year, period, hospital, kind]
        totals.append(
            {
                "year": year,
                "period": period,
                "hospital": hospital,
                "kind": kind,
                "planned": plan_units,
                "performed": done_units_,
                "difference": done_units_ - plan_units,
                "fulfilment_pct": _pct(done_units_, plan_units),
            }
        )
    return monthly, totals


def _production_plan(plan: Path) -> tuple[dict[Key, int], dict[Key, int], dict[Key, tuple[int, int]]]:
    """production_plan.csv's units planned, base units used, and (waiting_end, over_guarantee),
    each by (month, hospital, category)."""
    planned_units: dict[Key, int] = defaultdict(int)
    base_used: dict[Key, int] = defaultdict(int)
    waiting: dict[Key, tuple[int, int]] = {}
    for row in _read(plan / "production_plan.csv"):
        key = (row.get("month", ""), row.get("hospital", ""), row.get("category", ""))
        try:
            base_used[key] += int(row["base_used"])
            planned_units[key] += int(row["base_used"]) + int(row["additional_own"])
            planned_units[key] += int(row["additional_for_others"])
            waiting[key] = (int(row["waiting_end"]), int(row["over_guarantee"]))
        except (KeyError, TypeError, ValueError):
            raise PlanUnreadable(
                _("{path}: not a production plan written by leveransplan").format(
                    path=plan / "production_plan.csv"
                )
            ) from None
    return planned_units, base_used, waiting


def _referral_rows(plan: Path, delivered: list[Delivered]) -> list[dict[str, Any]]:
    """Delivered against planned per month, hospital and provider. A hospital reports a month when
    the file has a figure of it: a planned flow of that hospital and month the file leaves out
    counts as nothing delivered; the flows of a hospital and month not reported are left out, so
    a file from some hospitals does not list every other hospital's flows as 0 %."""
    planned_flows: dict[Key, int] = defaultdict(int)
    for row in _read(plan / "delivery_plan.csv"):
        try:
            planned_flows[row["month"], row["hospital"], row["provider"]] += int(row["volume"])
        except (KeyError, TypeError, ValueError):
            raise PlanUnreadable(
                _("{path}: not a delivery plan written by leveransplan").format(
                    path=plan / "delivery_plan.csv"
                )
            ) from None
    done_flows: dict[Key, int] = defaultdict(int)
    for delivery in delivered:
        done_flows[delivery.month, delivery.hospital, delivery.provider] += delivery.referrals
    reported = {(month, hospital) for month, hospital, _provider in done_flows}
    rows = []
    for key in sorted(done_flows.keys() | {k for k in planned_flows if k[:2] in reported}):
        month, hospital, provider = key
        planned, done = planned_flows.get(key, 0), done_flows.get(key, 0)
        if planned == 0 and done == 0:
            continue  # a flow reported as 0 that was never planned says nothing
        rows.append(
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
    return rows


def _placed(plan: Path) -> set[tuple[str, str]] | None:
    """The (trainee, specialty) pairs placements.csv places; None when the plan has no placements."""
    if not (plan / "placements.csv").is_file():
        return None
    try:
        return {(row["trainee"], row["specialty"]) for row in _read(plan / "placements.csv")}
    except KeyError:
        raise PlanUnreadable(
            _("{path}: not a plan file written by leveransplan").format(path=plan / "placements.csv")
        ) from None


def follow_up(
    plan: Path,
    performed: list[Performed] | None,
    delivered: list[Delivered] | None,
    scenario: Scenario | None = None,
) -> FollowUp:
    """Compare reported outcomes with the plan; months not reported are left out. With the plan's
    `scenario` also per hospital and kind, the settlement of additional volumes, the care
    guarantee's fulfilment and the ST-A status. Without `performed` (no actuals file) only what
    needs no production figures: the ST-A status, and the referrals when `delivered` is given."""
    if performed is None:
        # The ST-A status is a status of the plan, so a director of studies needs no actuals for it.
        referrals = [] if delivered is None else _referral_rows(plan, delivered)
        placed = _placed(plan)
        status = None if placed is None or scenario is None else st_status(scenario, placed)
        return FollowUp(
            [], _sorted(referrals), by_provider=_by_provider(referrals), st_status=status, with_actuals=False
        )
    planned_units, base_used, waiting = _production_plan(plan)
    done_units: dict[Key, int] = defaultdict(int)
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
    referrals = [] if delivered is None else _referral_rows(plan, delivered)
    by_provider = _by_provider(referrals)
    placed = _placed(plan)
    if scenario is None:
        return FollowUp(_sorted(production), _sorted(referrals), by_provider=by_provider)
    price_class: dict[str, str] = {c.category: c.price_class for c in scenario.categories}
    monthly, periods = _by_kind(planned_units, done_units, price_class)
    prices: dict[tuple[str, str], int] = {(p.hospital, p.price_class): p.price_sek for p in scenario.prices}
    decided = {(v.hospital, v.category): v.additional_max for v in scenario.own_volumes}
    unit_price = {
        (hospital, category): prices.get((hospital, price_class.get(category, "")), 0)
        for hospital, category in decided.keys() | {(h, c) for _month, h, c in done_units}
    }
    settlement = settle(base_used, done_units, decided, unit_price)
    limit = VolumeData.from_scenario(scenario).limit
    return FollowUp(
        _sorted(production),
        _sorted(referrals),
        monthly,
        periods,
        settlement,
        by_provider,
        guarantee=guarantee_fulfilment(waiting, performed, limit),
        st_status=None if placed is None else st_status(scenario, placed),
    )


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
            raise PlanUnreadable(
                _("{path}: not a plan file written by leveransplan").format(path=plan / source)
            ) from None
    return columns, [dict(zip(("month", *fields), key, strict=True)) for key in sorted(keys)]


def write_follow_up(target: Path, result: FollowUp, with_referrals: bool, free_name: bool) -> Path:
    """Write followup_production.csv, followup_referrals.csv `with_referrals`, the other files the
    result holds and their datapackage.json into the new folder `target`, all or none; the folder
    they are in (with `free_name`, the next free name when `target` appeared meanwhile)."""
    files: dict[str, tuple[tuple[str, ...], list[dict[str, Any]]]] = {}
    if result.with_actuals:
        files["followup_production.csv"] = (PRODUCTION_COLUMNS, result.production)
    if result.by_kind:
        files["followup_by_kind.csv"] = (BY_KIND_COLUMNS, result.by_kind)
        files["followup_periods.csv"] = (PERIOD_COLUMNS, result.periods)
    if result.settlement is not None:
        files["followup_settlement.csv"] = (SETTLEMENT_COLUMNS, result.settlement)
    if result.guarantee is not None:
        files["followup_guarantee.csv"] = (GUARANTEE_COLUMNS, result.guarantee)
    if result.st_status is not None:
        files["followup_st_status.csv"] = (ST_STATUS_COLUMNS, result.st_status)
    if with_referrals:
        files["followup_referrals.csv"] = (REFERRAL_COLUMNS, result.referrals)
        files["followup_referrals_by_provider.csv"] = (BY_PROVIDER_COLUMNS, result.by_provider)
    with Staging(target) as staging:
        assert staging.path is not None
        for name, (columns, rows) in files.items():
            write_csv(staging.path / name, columns, rows)
        write_data_package(
            staging.path, "leveransplan-followup", [(name, shape[0]) for name, shape in files.items()]
        )
        return staging.publish(FolderState(None), free_name=free_name)
