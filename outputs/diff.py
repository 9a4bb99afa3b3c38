"""What changed between two plans: referrals and SEK per hospital, provider and month, the volume
table, each objective, and who must decide the update.

Plan B is compared with plan A (B minus A). The region updates the assignments during the year on
delegation up to 3 000 000 SEK; larger updates go to the committee. The limit holds for each
hospital and for the region: an update is decided on delegation only when no hospital's spend
(spec section 7: its additional units, its patients' transfers and referrals) changes by more
than 3 000 000 SEK, up or down, and neither does the region's total cost. A net change hides
nothing: +2.9 MSEK at one hospital and -2.9 MSEK at another is on delegation, +3.1 and -3.1 is
not, although both net 0.

A re-plan is compared month by month as its manifest.json records it (`solve --freeze-until`,
`--round`, `--actuals`). Each month is one of:

- "frozen": held equal to the re-plan's previous plan (kept as decided). Its flows and money
  count on both sides, so against the previous plan they net to 0; a flow that differs there
  means A is not the plan B was made from, and is pointed out.
- "actual": the months a re-plan from actuals started after. B holds no decision for them: A's
  flows there are listed as replaced by the actuals (not as removals), and A's spend in them is
  reported apart and left out of the money and the delegation rule.
- "decided": the months the re-plan decided.

So the money compares the decided months plus the frozen months. A plan file holds a hospital's
spend per month only in part: delivery_plan.csv has each flow's cost_sek, production_plan.csv
the additional units without their price. A's spend in the actual months is its flows' cost_sek
there plus its additional units there at the hospital's additional price for the category's
price class, from the scenario A was made from (the one `diff` verified A against); the rest of
A's spend is summary.json's figure less that. The volume table is compared over the same
months: A's bas is its scenario's monthly base over them (the spec's split, as A's plan used it)
and its tillägg the additional units production_plan.csv holds for them.
Without a frozen or actual month in B's manifest, the comparison is the whole plans'.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leveransplan.inputs.plan_files import read_plan_csv
from leveransplan.inputs.problems import ScenarioInvalid
from leveransplan.models.derived import VolumeData
from leveransplan.models.language import N_, _, ngettext
from leveransplan.models.numbers import grouped, signed
from leveransplan.models.scenario import Scenario
from leveransplan.outputs.manifest import MANIFEST, PREVIOUS_PLAN, ManifestUnreadable, sha256_of
from leveransplan.outputs.recorded import plan_scenario, recorded_run

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

# The diff CSV of a re-plan says which kind of month each row is in.
REPLAN_DIFF_COLUMNS = (*DIFF_COLUMNS, "month_kind")
FROZEN, ACTUAL, DECIDED = "frozen", "actual", "decided"
# The month kinds as a reader sees them (the CSV keeps the codes).
MONTH_KIND_WORDS = {FROZEN: N_("frozen"), ACTUAL: N_("actual"), DECIDED: N_("decided")}

VOLUME_TABLE_COLUMNS = ("hospital", "category", "bas_a", "bas_b", "tillagg_a", "tillagg_b", "uppdrag_change")

FlowKey = tuple[str, str, str]  # month, hospital, provider
PairKey = tuple[str, str]  # hospital, category


class PlanUnreadable(Exception):
    """A plan folder lacks a file the comparison needs, or a file cannot be read."""


@dataclass(frozen=True)
class Replan:
    """What plan B's manifest.json records of the re-plan that made it: its previous plan and the
    months it froze or started after."""

    previous_plan: str | None
    # Whether that previous plan is plan A (the same folder, or a manifest.json with its digest).
    previous_is_a: bool
    frozen_until: str | None
    actuals_until: str | None
    actuals_file: str | None

    def month_kind(self, month: str) -> str:
        """FROZEN, ACTUAL or DECIDED (months are YYYY-MM, so text order is time order)."""
        if self.actuals_until is not None and month <= self.actuals_until:
            return ACTUAL
        if self.frozen_until is not None and month <= self.frozen_until:
            return FROZEN
        return DECIDED

    def as_json(self) -> dict[str, Any]:
        return {
            "previous_plan": self.previous_plan,
            "previous_is_a": self.previous_is_a,
            "frozen_until": self.frozen_until,
            "actuals_until": self.actuals_until,
            "actuals_file": self.actuals_file,
        }


@dataclass
class ActualMonths:
    """What plan A had planned for the months a re-plan from actuals replaced: left out of the
    comparison, reported apart."""

    months: list[str]
    flows: int = 0
    referrals: int = 0
    spend_a_sek: dict[str, int] = field(default_factory=dict)

    @property
    def cost_a_sek(self) -> int:
        return sum(self.spend_a_sek.values())

    def as_json(self) -> dict[str, Any]:
        return {
            "months": self.months,
            "flows_a": self.flows,
            "referrals_a": self.referrals,
            "cost_a_sek": self.cost_a_sek,
            "hospitals_a_sek": self.spend_a_sek,
        }


@dataclass
class HospitalChange:
    """What one hospital's patients cost in each plan (its spend, summary.json's cost_sek; for a
    re-plan from actuals, A's less its spend in the months replaced), and the change."""

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
    changes per hospital and for the region that decide who must approve the update.

    For a re-plan (`replan`), the money and the volume table cover the months compared (decided
    and frozen), and `actual` holds what A had planned for the months replaced by actuals."""

    flows: list[dict[str, Any]] = field(default_factory=list)
    volume_table: list[dict[str, Any]] = field(default_factory=list)
    objectives: list[dict[str, Any]] = field(default_factory=list)
    hospitals: list[HospitalChange] = field(default_factory=list)
    cost_a_sek: int | None = None
    cost_b_sek: int | None = None
    replan: Replan | None = None
    # Each month of either plan and its kind (all DECIDED when B is no re-plan).
    months: dict[str, str] = field(default_factory=dict)
    actual: ActualMonths | None = None

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

    @property
    def changed_flows(self) -> list[dict[str, Any]]:
        """The flows that change in the months compared (those of actual months left out)."""
        return [row for row in self.flows if row["month_kind"] != ACTUAL]

    @property
    def frozen_differences(self) -> list[dict[str, Any]]:
        """Flows that differ in months B holds frozen: none when A is the plan B was made from."""
        return [row for row in self.flows if row["month_kind"] == FROZEN]

    @property
    def csv_columns(self) -> tuple[str, ...]:
        return DIFF_COLUMNS if self.replan is None else REPLAN_DIFF_COLUMNS

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
            "months": self.months,
            "replan": None if self.replan is None else self.replan.as_json(),
            "actual_months": None if self.actual is None else self.actual.as_json(),
        }


def _rows(path: Path, what: str, read: Callable[[dict[str, str]], None]) -> None:
    """Each row of a plan CSV given to `read`; a file that is not there has none. A row `read`
    cannot take (a missing column, a number that is not whole) names the file and the row."""
    if not path.exists():
        return
    try:
        table = read_plan_csv(path)
    except (OSError, UnicodeDecodeError) as error:
        raise PlanUnreadable(_("{path} cannot be read ({error})").format(path=path, error=error)) from None
    for number, row in table.records():
        try:
            read(row)
        except (KeyError, ValueError):
            raise PlanUnreadable(
                _("{path}, row {row}: expected a {what} row written by leveransplan").format(
                    path=path, row=grouped(number), what=_(what)
                )
            ) from None


def _flows(plan: Path) -> dict[FlowKey, tuple[int, int]]:
    """(volume, cost) per (month, hospital, provider) from delivery_plan.csv."""
    totals: dict[FlowKey, list[int]] = defaultdict(lambda: [0, 0])

    def add(row: dict[str, str]) -> None:
        total = totals[row["month"], row["hospital"], row["provider"]]
        total[0] += int(row["volume"])
        total[1] += int(row["cost_sek"])

    _rows(plan / "delivery_plan.csv", N_("delivery plan"), add)
    return {key: (v[0], v[1]) for key, v in totals.items()}


def _production(plan: Path) -> dict[tuple[str, str, str], tuple[int, int]]:
    """(additional_own, additional_for_others) per (month, hospital, category), production_plan.csv."""
    units: dict[tuple[str, str, str], tuple[int, int]] = {}

    def add(row: dict[str, str]) -> None:
        units[row["month"], row["hospital"], row["category"]] = (
            int(row["additional_own"]),
            int(row["additional_for_others"]),
        )

    _rows(plan / "production_plan.csv", N_("production plan"), add)
    return units


def _summary(plan: Path) -> dict[str, Any]:
    path = plan / "summary.json"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanUnreadable(
            _("{path} is missing; expected a plan folder written by leveransplan solve").format(path=path)
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PlanUnreadable(_("{path} cannot be read ({error})").format(path=path, error=error)) from None
    if not isinstance(document, dict):
        raise PlanUnreadable(_("{path} is not a plan summary").format(path=path))
    return document


def _volume_table(plan: Path) -> dict[PairKey, tuple[int, int]]:
    """(bas, tillagg) per (hospital, category) from volume_table.csv."""
    rows: dict[PairKey, tuple[int, int]] = {}

    def add(row: dict[str, str]) -> None:
        rows[row["hospital"], row["category"]] = (int(row["bas"]), int(row["tillagg"]))

    _rows(plan / "volume_table.csv", N_("volume table"), add)
    return rows


def _spend_by_hospital(summary: dict[str, Any], path: Path) -> dict[str, int]:
    """Each hospital's spend from summary.json's volumes.hospitals (its cost_sek)."""
    rows = (summary.get("volumes") or {}).get("hospitals") or []
    spend: dict[str, int] = {}
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("cost_sek"), int):
            raise PlanUnreadable(
                _("{path}: volumes.hospitals holds a row without a whole cost_sek").format(path=path)
            )
        spend[str(row.get("hospital"))] = row["cost_sek"]
    return spend


def replan_of(plan_a: Path, plan_b: Path) -> Replan | None:
    """The re-plan plan B's manifest.json records, if it froze months or started after actuals."""
    try:
        run = recorded_run(plan_b)
    except ManifestUnreadable:
        return None  # no re-plan recorded: the whole plans are compared
    if run.freeze_until is None and run.decided_until is None:
        return None
    link = run.manifest.get(PREVIOUS_PLAN)
    previous_is_a = False
    if isinstance(link, dict) and isinstance(link.get("folder"), str):
        previous_is_a = Path(link["folder"]).resolve() == plan_a.resolve()
        if not previous_is_a and (plan_a / MANIFEST).is_file():
            previous_is_a = sha256_of(plan_a / MANIFEST) == link.get("manifest_sha256")
    elif run.previous_plan is not None:
        previous_is_a = run.previous_plan.resolve() == plan_a.resolve()
    return Replan(
        previous_plan=None if run.previous_plan is None else str(run.previous_plan),
        previous_is_a=previous_is_a,
        frozen_until=run.freeze_until,
        actuals_until=run.decided_until,
        actuals_file=None if run.actuals_file is None else str(run.actuals_file),
    )


def recorded_scenario(plan: Path) -> Scenario:
    """The scenario a plan was made from, as its manifest.json records it; PlanUnreadable when
    that scenario folder is gone or has changed since."""
    try:
        run = recorded_run(plan)
    except ManifestUnreadable as error:
        raise PlanUnreadable(str(error)) from None
    folder = run.scenario_folder
    if folder is None or not (folder / "scenario.toml").is_file() or run.changed_inputs(folder):
        raise PlanUnreadable(
            _(
                "{plan}: the scenario it was made from ({folder}) is not there as it was; its prices and "
                "base units are needed to compare the months after the actuals"
            ).format(plan=plan, folder=folder)
        )
    try:
        return plan_scenario(run, folder)
    except ScenarioInvalid as invalid:
        raise PlanUnreadable(
            _("{plan}: its scenario cannot be read ({problem})").format(
                plan=plan, problem=invalid.problems[0]
            )
        ) from None


def _unit_prices(scenario: Scenario) -> dict[PairKey, int]:
    """Each hospital's additional price per category (its price class's row in prices.csv)."""
    return {
        (row.hospital, category.category): row.price_sek
        for row in scenario.prices
        for category in scenario.categories
        if category.price_class == row.price_class
    }


def _base_by_month(scenario: Scenario) -> dict[tuple[str, str, str], int]:
    """Each hospital's base units per (month, hospital, category), as the plan's scenario splits them.

    volume_table.csv's `bas` is own_volumes.csv's base, before a capacity loss takes its share, so
    the units lost are added back: a loss is no change of `bas`.
    """
    data = VolumeData.from_scenario(scenario)
    label = scenario.horizon.label
    return {
        (label(m), h, k): units + data.base_lost.get((h, k, m), 0)
        for (h, k, m), units in data.base_capacity.items()
    }


def _actual_months(
    flows_a: dict[FlowKey, tuple[int, int]],
    production_a: dict[tuple[str, str, str], tuple[int, int]],
    replan: Replan,
    scenario_a: Callable[[], Scenario],
) -> ActualMonths:
    """A's flows and spend in the months B replaced by actuals."""
    months = sorted({m for m, _h, _p in flows_a} | {m for m, _h, _k in production_a})
    actual = ActualMonths([m for m in months if replan.month_kind(m) == ACTUAL])
    spend: dict[str, int] = defaultdict(int)
    for (month, hospital, _provider), (volume, cost) in flows_a.items():
        if replan.month_kind(month) == ACTUAL:
            actual.flows += 1
            actual.referrals += volume
            spend[hospital] += cost
    bought = {key: own for key, (own, _others) in production_a.items() if own and key[0] in actual.months}
    if bought:
        prices = _unit_prices(scenario_a())
        for (_month, hospital, category), units in bought.items():
            spend[hospital] += units * prices.get((hospital, category), 0)
    actual.spend_a_sek = dict(spend)
    return actual


def _compared_volume_table(
    table: dict[PairKey, tuple[int, int]],
    production: dict[tuple[str, str, str], tuple[int, int]],
    replan: Replan,
    scenario: Callable[[], Scenario],
) -> dict[PairKey, tuple[int, int]]:
    """A plan's volume table over the months compared: bas of those months, tillägg made in them."""
    if not any(replan.month_kind(month) == ACTUAL for month, _h, _k in production):
        return table
    base = _base_by_month(scenario())
    compared: dict[PairKey, list[int]] = {key: [0, 0] for key in table}
    for (month, hospital, category), units in base.items():
        if replan.month_kind(month) != ACTUAL and (hospital, category) in compared:
            compared[hospital, category][0] += units
    for (month, hospital, category), (own, others) in production.items():
        if replan.month_kind(month) != ACTUAL and (hospital, category) in compared:
            compared[hospital, category][1] += own + others
    return {key: (bas, extra) for key, (bas, extra) in compared.items()}


def diff_plans(plan_a: Path, plan_b: Path, scenario_a: Scenario | None = None) -> PlanDiff:
    """Plan B against plan A; when B is a re-plan, month by month as its manifest records it.

    `scenario_a`: the scenario A was made from, when the caller has verified it; needed only when
    B replaced months by actuals in which A bought additional units, and read from A's manifest
    otherwise."""
    summary_a, summary_b = _summary(plan_a), _summary(plan_b)
    flows_a, flows_b = _flows(plan_a), _flows(plan_b)
    replan = replan_of(plan_a, plan_b)
    loaded: list[Scenario] = [] if scenario_a is None else [scenario_a]

    def scenario_of_a() -> Scenario:
        if not loaded:
            loaded.append(recorded_scenario(plan_a))
        return loaded[0]

    def kind(month: str) -> str:
        return DECIDED if replan is None else replan.month_kind(month)

    result = PlanDiff(replan=replan)
    production_a, production_b = _production(plan_a), _production(plan_b)
    months = {m for m, _h, _p in flows_a.keys() | flows_b.keys()}
    months |= {m for m, _h, _k in production_a.keys() | production_b.keys()}
    result.months = {month: kind(month) for month in sorted(months)}
    for key in sorted(flows_a.keys() | flows_b.keys()):
        volume_a, cost_a = flows_a.get(key, (0, 0))
        volume_b, cost_b = flows_b.get(key, (0, 0))
        if (volume_a, cost_a) == (volume_b, cost_b):
            continue
        month, hospital, provider = key
        replaced = kind(month) == ACTUAL and key not in flows_b  # B decided nothing there
        result.flows.append(
            {
                "month": month,
                "hospital": hospital,
                "provider": provider,
                "volume_a": volume_a,
                "volume_b": None if replaced else volume_b,
                "volume_change": None if replaced else volume_b - volume_a,
                "cost_a_sek": cost_a,
                "cost_b_sek": None if replaced else cost_b,
                "cost_change_sek": None if replaced else cost_b - cost_a,
                "month_kind": kind(month),
            }
        )
    has_actual = ACTUAL in result.months.values()
    if replan is not None and has_actual:
        result.actual = _actual_months(flows_a, production_a, replan, scenario_of_a)
    for model in ("volumes", "at", "placements"):
        if model not in summary_a or model not in summary_b:
            continue  # a model solved in one plan only has nothing to compare
        objectives_a = (summary_a.get(model) or {}).get("objectives") or {}
        objectives_b = (summary_b.get(model) or {}).get("objectives") or {}
        for name in [*objectives_a, *(n for n in objectives_b if n not in objectives_a)]:
            value_a, value_b = objectives_a.get(name), objectives_b.get(name)
            # With months replaced by actuals, B's objectives cover fewer months than A's.
            change = None
            if isinstance(value_a, int) and isinstance(value_b, int) and not has_actual:
                change = value_b - value_a
            result.objectives.append(
                {"model": model, "objective": name, "a": value_a, "b": value_b, "change": change}
            )
    table_a, table_b = _volume_table(plan_a), _volume_table(plan_b)
    if replan is not None and has_actual:
        table_a = _compared_volume_table(table_a, production_a, replan, scenario_of_a)
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
        spend_a = _spend_by_hospital(summary_a, plan_a / "summary.json")
        spend_b = _spend_by_hospital(summary_b, plan_b / "summary.json")
        replaced_sek = {} if result.actual is None else result.actual.spend_a_sek
        if result.actual is not None:  # in the plans' order of hospitals
            rank = {h: number for number, h in enumerate(spend_a)}
            ordered = sorted(replaced_sek, key=lambda h: rank.get(h, len(rank)))
            result.actual.spend_a_sek = {h: replaced_sek[h] for h in ordered}
        # The months replaced by actuals are what happened, no decision of B's: out of the money.
        spend_a = {h: sek - replaced_sek.get(h, 0) for h, sek in spend_a.items()}
        result.cost_a_sek = volumes_a["cost_sek"] - sum(replaced_sek.values())
        result.cost_b_sek = volumes_b["cost_sek"]
        # A hospital in one plan only spends nothing in the other.
        order = [*spend_a, *(h for h in spend_b if h not in spend_a)]
        result.hospitals = [HospitalChange(h, spend_a.get(h, 0), spend_b.get(h, 0)) for h in order]
    return result


def month_span(months: list[str]) -> str:
    """Months as the text says them: '2026-01..2026-02', or one month alone."""
    if not months:
        return _("none")
    return months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"


def replan_words(result: PlanDiff, plan_a: str = "A", plan_b: str = "B") -> list[str]:
    """How B re-planned A, month by month, and which months the money compares, in sentences in
    the reader's language (none when B is no re-plan)."""
    replan = result.replan
    if replan is None:
        return []
    kinds = {kind: [m for m, k in result.months.items() if k == kind] for kind in (FROZEN, ACTUAL, DECIDED)}
    parts = []
    if kinds[ACTUAL]:
        actual = month_span(kinds[ACTUAL])
        parts.append(
            _("{months} replaced by the actuals in {file}").format(months=actual, file=replan.actuals_file)
            if replan.actuals_file
            else _("{months} replaced by the actuals").format(months=actual)
        )
    if kinds[FROZEN]:
        parts.append(
            _("{months} frozen as its previous plan decided them").format(months=month_span(kinds[FROZEN]))
        )
    parts.append(_("{months} decided by the re-plan").format(months=month_span(kinds[DECIDED])))
    if replan.previous_is_a:
        words = [
            _("{plan_b} is a re-plan of {plan_a}: {months}.").format(
                plan_b=plan_b, plan_a=plan_a, months="; ".join(parts)
            )
        ]
    else:
        words = [
            _("{plan_b} is a re-plan of {previous}, not of {plan_a}: {months}.").format(
                plan_b=plan_b,
                previous=replan.previous_plan or _("another plan"),
                plan_a=plan_a,
                months="; ".join(parts),
            )
        ]
    compared = (
        _("the decided months and the frozen ones (as decided, in both plans)")
        if kinds[FROZEN]
        else _("the decided months")
    )
    if kinds[ACTUAL]:
        words.append(
            _(
                "Money, the volume table and the delegation rule compare {compared}; the months replaced by "
                "actuals are what happened, not a decision, and are left out."
            ).format(compared=compared)
        )
    else:
        words.append(
            _("Money, the volume table and the delegation rule compare {compared}.").format(compared=compared)
        )
    if result.frozen_differences:
        why = (
            _("frozen months must equal the previous plan: check both plans")
            if replan.previous_is_a
            else _("{plan_b} holds the frozen months of its own previous plan, not those of {plan_a}").format(
                plan_b=plan_b, plan_a=plan_a
            )
        )
        count = len(result.frozen_differences)
        words.append(
            ngettext(
                "{count} flow differs in the frozen months: {why}.",
                "{count} flows differ in the frozen months: {why}.",
                count,
            ).format(count=grouped(count), why=why)
        )
    return words


def decision_words(result: PlanDiff) -> str:
    """Who decides the update, and why: the hospitals and the region beyond the limit, if any (in
    the reader's language)."""
    assert result.cost_change_sek is not None
    change = (
        _("The volume plan's cost changes by {change} SEK over the months compared")
        if result.actual is not None
        else _("The volume plan's cost changes by {change} SEK")
    ).format(change=signed(result.cost_change_sek))
    limit = grouped(DELEGATION_LIMIT_SEK)
    if not result.needs_committee:
        return _(
            "{change}: this update needs a decision on delegation (within {limit} SEK for the "
            "region and for each hospital)."
        ).format(change=change, limit=limit)
    beyond = [
        _("{hospital} {change} SEK").format(hospital=h.hospital, change=signed(h.change_sek))
        for h in result.hospitals
        if h.beyond_delegation
    ]
    if result.region_beyond_delegation:
        beyond.append(_("the region {change} SEK").format(change=signed(result.cost_change_sek)))
    return _(
        "{change}: this update needs a committee decision (above the {limit} SEK delegation limit: {beyond})."
    ).format(change=change, limit=limit, beyond=", ".join(beyond))
