"""Independent check of a written volume plan against the spec (scenario-format.md sections 2-4, 6).

The checker reads the plan files back and recomputes everything they imply from the scenario
alone: capacities, waiting lists, prices, totals, objective terms. It never imports the
optimizer or OR-Tools, so a modelling mistake there cannot hide here.

Every violation is one sentence naming the file, the row as a spreadsheet numbers it (header =
row 1), the rule in the domain's words and the figures. Each rule family is one function below
(its docstring starts with the rule); `check_volume_plan` runs them all and collects every
violation. When a CSV file is missing or its header is wrong nothing else can be read
reliably, so only those problems are reported.

Choices where the spec is silent:
- summary.json's per-hospital list has one entry for every hospital of hospitals.csv. Its
  `frame_sek` is the hospital's frame from hospitals.csv, null when it has none; a plan written
  before frames existed has no `frame_sek`, which is accepted for a hospital without a frame.
- stability compares decisions by (codes, month YYYY-MM); previous-plan flows in months outside
  this horizon are not values of this plan and are left out.
- A relative `previous_plan` path is looked up from the working directory, then from the plan
  folder.
- The CSV files may be in either dialect, plain or Swedish Excel (inputs/plan_files.py); a text
  cell's guard apostrophe is not part of its value.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from leveransplan.inputs.plan_files import read_plan_csv
from leveransplan.inputs.tables import cannot_read
from leveransplan.models.derived import VolumeData
from leveransplan.models.months import parse_month
from leveransplan.models.numbers import grouped
from leveransplan.models.scenario import VOLUME_OBJECTIVES, Scenario

DELIVERY = "delivery_plan.csv"
PRODUCTION = "production_plan.csv"
VOLUME_TABLE = "volume_table.csv"
USAGE = "contract_usage.csv"
SUMMARY = "summary.json"

HEADERS: dict[str, tuple[str, ...]] = {
    DELIVERY: (
        "month", "hospital", "category", "channel", "provider", "contract",
        "volume", "unit_price_sek", "cost_sek",
    ),
    PRODUCTION: (
        "month", "hospital", "category", "base_used", "additional_own",
        "additional_for_others", "waiting_end", "over_guarantee",
    ),
    VOLUME_TABLE: ("hospital", "category", "uppdrag", "bas", "tillagg"),
    USAGE: (
        "contract", "provider", "category", "volume_min", "volume_max",
        "used", "unused_min", "cost_sek",
    ),
}  # fmt: skip
CHANNELS = ("transfer", "external")
STATUSES = ("OPTIMAL", "FEASIBLE")
HOSPITAL_FIGURES = (
    "over_guarantee_start",
    "over_guarantee_end",
    "patient_months_over",
    "referrals_out",
    "referrals_in",
    "cost_sek",
)
WHOLE_NUMBER = re.compile(r"^[0-9]+$")

Key = tuple[str, str, int]  # hospital, category, month number
Rows = list[tuple[int, dict[str, str]]]  # (spreadsheet row, cells by column)
T = TypeVar("T")


class PlanCheckFailed(Exception):
    """A written plan breaks rules of the spec; `violations` lists every one found."""

    def __init__(self, violations: list[str]) -> None:
        super().__init__(f"{len(violations)} violation(s) in the plan")
        self.violations = list(violations)

    def __str__(self) -> str:
        return "\n".join(self.violations)


def _at(file: str, rows: Iterable[int]) -> str:
    """`file row 3` or `file rows 3, 5`."""
    numbers = sorted(set(rows))
    word = "row" if len(numbers) == 1 else "rows"
    return f"{file} {word} {', '.join(str(r) for r in numbers)}"


# -- the plan files as read -------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    """A delivery_plan.csv row: a transfer t[h,g,k,m] or an external referral e[h,c,m]."""

    row: int
    month: int
    hospital: str
    category: str
    channel: str
    provider: str
    contract: str
    volume: int
    unit_price_sek: int
    cost_sek: int


@dataclass(frozen=True)
class Production:
    """A production_plan.csv row: b, a, transfers into the hospital and the waiting list."""

    row: int
    month: int
    hospital: str
    category: str
    base_used: int
    additional_own: int
    additional_for_others: int
    waiting_end: int
    over_guarantee: int

    @property
    def key(self) -> Key:
        return (self.hospital, self.category, self.month)


@dataclass(frozen=True)
class VolumeLine:
    """A volume_table.csv row: the decision's volume table (uppdrag = bas + tillägg)."""

    row: int
    hospital: str
    category: str
    uppdrag: int
    bas: int
    tillagg: int


@dataclass(frozen=True)
class Usage:
    """A contract_usage.csv row."""

    row: int
    contract: str
    provider: str
    category: str
    volume_min: int
    volume_max: int
    used: int
    unused_min: int
    cost_sek: int


@dataclass(frozen=True)
class StageLine:
    """One entry of a model's stages list in summary.json (volumes, at or placements)."""

    model: str
    index: int
    objective: str
    value: int
    bound: int
    status: str

    @property
    def where(self) -> str:
        return f"{SUMMARY} {self.model}.stages[{self.index}] ({self.objective})"


@dataclass
class Summary:
    """The parts of summary.json's "volumes" object that parsed; a part that did not is None."""

    scenario: str | None = None
    stages: list[StageLine] | None = None
    objectives: dict[str, int] = field(default_factory=dict)
    cost_sek: int | None = None
    unused_minimum_cost_sek: int | None = None
    previous_plan: str | None = None
    hospitals: dict[str, dict[str, int]] | None = None
    frames: dict[str, int | None] = field(default_factory=dict)  # frame_sek of each entry that has it


@dataclass
class PlanFiles:
    """A plan folder's rows that parsed, with their spreadsheet row numbers."""

    folder: Path
    flows: list[Flow] = field(default_factory=list)
    production: list[Production] = field(default_factory=list)
    volume_table: list[VolumeLine] = field(default_factory=list)
    usage: list[Usage] = field(default_factory=list)
    summary: Summary | None = None


class _Codes:
    """The scenario's codes and the horizon's month labels as sets and lookups, made once a check.

    A plan at scale 20 has some 90 000 rows: a code looked up in a list of 100 hospitals and a
    month label parsed again on every row added seconds to reading it. A month not written as
    the horizon's own label takes the full parse, and its message.
    """

    def __init__(self, data: VolumeData) -> None:
        self.hospitals = frozenset(data.hospitals)
        self.categories = frozenset(data.categories)
        self.month_numbers = dict(zip(data.scenario.horizon.labels(), data.months, strict=True))


class _Cells:
    """Typed access to the rows of one CSV file, one row at a time (`read`); a bad cell is
    reported once and marks its row unusable."""

    def __init__(self, file: str, data: VolumeData, codes: _Codes, out: list[str]) -> None:
        self.file = file
        self.data = data
        self.codes = codes
        self.out = out
        self.row = 0
        self.raw: dict[str, str] = {}
        self.ok = True

    def read(self, row: int, raw: dict[str, str]) -> None:
        """Move on to the next row."""
        self.row, self.raw, self.ok = row, raw, True

    @property
    def where(self) -> str:
        return f"{self.file} row {self.row}"

    def _bad(self, column: str, value: str, expected: str) -> None:
        self.out.append(f"{self.where}: {column} {value!r} {expected}")
        self.ok = False

    def text(self, column: str) -> str:
        return self.raw[column].strip()

    def count(self, column: str) -> int:
        value = self.raw[column].strip()
        if value.isascii() and value.isdigit():  # WHOLE_NUMBER, without a regex on every cell
            return int(value)
        self._bad(column, value, "is not a whole number >= 0")
        return 0

    def month(self, column: str) -> int:
        value = self.raw[column].strip()
        number = self.codes.month_numbers.get(value)
        if number is not None:  # a month of the horizon as the writer labels it
            return number
        horizon = self.data.scenario.horizon
        try:
            number = horizon.number(value)
        except ValueError:
            self._bad(column, value, "is not a month written YYYY-MM")
            return 0
        if number is None:
            last = horizon.label(horizon.length)
            self._bad(column, value, f"is outside the horizon {horizon.start}..{last}")
            return 0
        return number

    def code(self, column: str, known: Collection[str], source: str) -> str:
        value = self.raw[column].strip()
        if value not in known:
            self._bad(column, value, f"is not a {column} in {source}")
        return value

    def choice(self, column: str, allowed: tuple[str, ...]) -> str:
        value = self.text(column)
        if value not in allowed:
            self._bad(column, value, f"is not one of {', '.join(allowed)}")
        return value


def _read_table(
    folder: Path, file: str, out: list[str], label: str = "", header: tuple[str, ...] | None = None
) -> Rows | None:
    """Rows of a plan CSV in either dialect as (spreadsheet row, cells by column); None when unreadable.

    `header` is the expected header row (default: the volume file's, from HEADERS). Cells come back
    as the plain dialect has them (decimal point, no guard apostrophe), so codes compare as written.
    """
    name = label or file
    path = folder / file
    if not path.is_file():
        out.append(f"{name}: missing from the plan folder {folder}")
        return None
    try:
        table = read_plan_csv(path)
    except UnicodeDecodeError as error:
        out.append(f"{name}: not UTF-8 text (byte {error.start + 1} cannot be read)")
        return None
    except OSError as error:  # not a regular file, too large, or a record that cannot be read
        out.append(f"{name}: {cannot_read(error)}")
        return None
    expected = header if header is not None else HEADERS[file]
    if tuple(table.header) != expected:
        out.append(f"{name} row 1: header is {','.join(table.header)!r}, expected {','.join(expected)!r}")
        return None
    rows: Rows = []
    for number, cells in table.rows:
        if len(cells) != len(expected):
            out.append(f"{name} row {number}: {len(cells)} cells, but the header has {len(expected)}")
            continue
        rows.append((number, dict(zip(expected, cells, strict=True))))
    return rows


def _parse_rows(
    file: str, rows: Rows, data: VolumeData, codes: _Codes, out: list[str], build: Callable[[_Cells, int], T]
) -> list[T]:
    """The rows whose every cell parses, built into their record type; bad cells are reported."""
    parsed = []
    cells = _Cells(file, data, codes, out)
    for row, raw in rows:
        cells.read(row, raw)
        record = build(cells, row)
        if cells.ok:
            parsed.append(record)
    return parsed


def _flow(c: _Cells, row: int) -> Flow:
    return Flow(
        row=row,
        month=c.month("month"),
        hospital=c.code("hospital", c.codes.hospitals, "hospitals.csv"),
        category=c.code("category", c.codes.categories, "categories.csv"),
        channel=c.choice("channel", CHANNELS),
        provider=c.text("provider"),
        contract=c.text("contract"),
        volume=c.count("volume"),
        unit_price_sek=c.count("unit_price_sek"),
        cost_sek=c.count("cost_sek"),
    )


def _production(c: _Cells, row: int) -> Production:
    return Production(
        row=row,
        month=c.month("month"),
        hospital=c.code("hospital", c.codes.hospitals, "hospitals.csv"),
        category=c.code("category", c.codes.categories, "categories.csv"),
        base_used=c.count("base_used"),
        additional_own=c.count("additional_own"),
        additional_for_others=c.count("additional_for_others"),
        waiting_end=c.count("waiting_end"),
        over_guarantee=c.count("over_guarantee"),
    )


def _volume_line(c: _Cells, row: int) -> VolumeLine:
    return VolumeLine(
        row=row,
        hospital=c.code("hospital", c.codes.hospitals, "hospitals.csv"),
        category=c.code("category", c.codes.categories, "categories.csv"),
        uppdrag=c.count("uppdrag"),
        bas=c.count("bas"),
        tillagg=c.count("tillagg"),
    )


def _usage(c: _Cells, row: int) -> Usage:
    return Usage(
        row=row,
        contract=c.code("contract", c.data.contracts, "contracts.csv"),
        provider=c.text("provider"),
        category=c.text("category"),
        volume_min=c.count("volume_min"),
        volume_max=c.count("volume_max"),
        used=c.count("used"),
        unused_min=c.count("unused_min"),
        cost_sek=c.count("cost_sek"),
    )


def _json_int(owner: dict[str, Any], key: str, where: str, out: list[str]) -> int | None:
    value = owner.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    out.append(f"{SUMMARY} {where}.{key}: {value!r} is not a whole number")
    return None


def parse_stages(model: str, raw: Any, out: list[str]) -> list[StageLine] | None:
    """A model's stages from summary.json; every malformed entry is reported."""
    if not isinstance(raw, list):
        out.append(f"{SUMMARY} {model}.stages: {raw!r} is not a list of stages")
        return None
    stages = []
    for index, entry in enumerate(raw):
        where = f"{model}.stages[{index}]"
        if not isinstance(entry, dict):
            out.append(f"{SUMMARY} {where}: {entry!r} is not an object")
            continue
        objective, status, seconds = entry.get("objective"), entry.get("status"), entry.get("seconds")
        value = _json_int(entry, "value", where, out)
        bound = _json_int(entry, "bound", where, out)
        ok = value is not None and bound is not None
        if not isinstance(objective, str):
            out.append(f"{SUMMARY} {where}.objective: {objective!r} is not a term name")
            ok = False
        if status not in STATUSES:
            out.append(f"{SUMMARY} {where}.status: {status!r} is not one of {', '.join(STATUSES)}")
            ok = False
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            out.append(f"{SUMMARY} {where}.seconds: {seconds!r} is not a number of seconds >= 0")
        if ok:
            assert value is not None and bound is not None
            stages.append(StageLine(model, index, str(objective), value, bound, str(status)))
    return stages


def _parse_hospitals(
    raw: Any, data: VolumeData, out: list[str], frames: dict[str, int | None]
) -> dict[str, dict[str, int]] | None:
    """The per-hospital figures by hospital; each entry's `frame_sek` (when it has one) goes to `frames`."""
    if not isinstance(raw, list):
        out.append(f"{SUMMARY} volumes.hospitals: {raw!r} is not a list of hospitals")
        return None
    hospitals: dict[str, dict[str, int]] = {}
    for index, entry in enumerate(raw):
        where = f"volumes.hospitals[{index}]"
        if not isinstance(entry, dict):
            out.append(f"{SUMMARY} {where}: {entry!r} is not an object")
            continue
        code = entry.get("hospital")
        if code not in data.hospitals:
            out.append(f"{SUMMARY} {where}.hospital: {code!r} is not a hospital in hospitals.csv")
            continue
        if code in hospitals:
            out.append(f"{SUMMARY} {where}.hospital: {code!r} is listed twice")
            continue
        figures = {name: _json_int(entry, name, where, out) for name in HOSPITAL_FIGURES}
        hospitals[code] = {name: v for name, v in figures.items() if v is not None}
        if "frame_sek" in entry:
            frame = entry["frame_sek"]
            if frame is None or (isinstance(frame, int) and not isinstance(frame, bool)):
                frames[code] = frame
            else:
                out.append(f"{SUMMARY} {where}.frame_sek: {frame!r} is neither null nor a whole number")
    for code in data.hospitals:
        if code not in hospitals:
            out.append(f"{SUMMARY} volumes.hospitals: no entry for hospital {code}; every hospital has one")
    return hospitals


def _read_summary(folder: Path, data: VolumeData, out: list[str]) -> Summary | None:
    path = folder / SUMMARY
    if not path.is_file():
        out.append(f"{SUMMARY}: missing from the plan folder {folder}")
        return None
    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        out.append(f"{SUMMARY}: not readable as UTF-8 JSON ({error})")
        return None
    volumes = document.get("volumes") if isinstance(document, dict) else None
    if not isinstance(volumes, dict):
        out.append(f'{SUMMARY}: has no object "volumes"')
        return None
    summary = Summary()
    scenario = document.get("scenario")
    if isinstance(scenario, str):
        summary.scenario = scenario
    else:
        out.append(f"{SUMMARY} scenario: {scenario!r} is not the scenario's name")
    summary.stages = parse_stages("volumes", volumes.get("stages"), out)
    objectives = volumes.get("objectives")
    if isinstance(objectives, dict):
        for name in VOLUME_OBJECTIVES:
            value = _json_int(objectives, name, "volumes.objectives", out)
            if value is not None:
                summary.objectives[name] = value
    else:
        out.append(f"{SUMMARY} volumes.objectives: {objectives!r} is not an object of term values")
    summary.cost_sek = _json_int(volumes, "cost_sek", "volumes", out)
    summary.unused_minimum_cost_sek = _json_int(volumes, "unused_minimum_cost_sek", "volumes", out)
    previous = volumes.get("previous_plan", "")
    if previous is None or (isinstance(previous, str) and previous):
        summary.previous_plan = previous
    else:
        out.append(f"{SUMMARY} volumes.previous_plan: {previous!r} is neither null nor a folder path")
    summary.hospitals = _parse_hospitals(volumes.get("hospitals"), data, out, summary.frames)
    return summary


def read_plan(data: VolumeData, plan_dir: Path, out: list[str]) -> PlanFiles | None:
    """Parse the plan files, reporting unreadable files and cells; None when a CSV file is unusable."""
    tables = {file: _read_table(plan_dir, file, out) for file in HEADERS}
    summary = _read_summary(plan_dir, data, out)
    delivery, production, volume_table, usage = (
        tables[f] for f in (DELIVERY, PRODUCTION, VOLUME_TABLE, USAGE)
    )
    if delivery is None or production is None or volume_table is None or usage is None:
        return None
    codes = _Codes(data)
    return PlanFiles(
        folder=plan_dir,
        flows=_parse_rows(DELIVERY, delivery, data, codes, out, _flow),
        production=_parse_rows(PRODUCTION, production, data, codes, out, _production),
        volume_table=_parse_rows(VOLUME_TABLE, volume_table, data, codes, out, _volume_line),
        usage=_parse_rows(USAGE, usage, data, codes, out, _usage),
        summary=summary,
    )


# -- what the decisions imply, recomputed from scratch ----------------------------------------


@dataclass
class Recomputed:
    """Quantities the plan's decisions imply under the scenario, computed without the optimizer."""

    production: dict[Key, Production] = field(default_factory=dict)  # first row of each key
    base: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    own: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    into: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    into_rows: dict[Key, list[int]] = field(default_factory=lambda: defaultdict(list))
    transferred: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    referred: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    out_rows: dict[Key, list[int]] = field(default_factory=lambda: defaultdict(list))
    balance_pairs: list[tuple[str, str]] = field(default_factory=list)
    waiting: dict[Key, int] = field(default_factory=dict)
    contract_used: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    contract_rows: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    contract_month: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    contract_month_rows: dict[tuple[str, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    unused_minimum_cost: int = 0
    hospital: dict[str, dict[str, int]] = field(default_factory=dict)
    terms: dict[str, int] = field(default_factory=dict)
    stability_problems: list[str] = field(default_factory=list)


def _price(data: VolumeData, hospital: str, category: str) -> int | None:
    return data.prices.get((hospital, data.price_class[category]))


def _external(flow: Flow, data: VolumeData) -> bool:
    return flow.channel == "external" and flow.contract in data.contracts


def recompute(plan: PlanFiles, data: VolumeData) -> Recomputed:
    """Waiting lists, contract use, costs, per-hospital figures and objective terms of the plan."""
    found = Recomputed()
    hospitals = frozenset(data.hospitals)
    for line in plan.production:
        key = line.key
        if key in found.production:
            continue
        found.production[key] = line
        found.base[key] += line.base_used
        found.own[key] += line.additional_own
    for flow in plan.flows:
        key = (flow.hospital, flow.category, flow.month)
        found.out_rows[key].append(flow.row)
        if flow.channel == "transfer":
            found.transferred[key] += flow.volume
            if flow.provider in hospitals:  # an unknown receiver is transfers_allowed's finding
                into = (flow.provider, flow.category, flow.month)
                found.into[into] += flow.volume
                found.into_rows[into].append(flow.row)
        else:
            found.referred[key] += flow.volume
            if flow.contract in data.contracts:
                found.contract_used[flow.contract] += flow.volume
                found.contract_rows[flow.contract].append(flow.row)
                found.contract_month[flow.contract, flow.month] += flow.volume
                found.contract_month_rows[flow.contract, flow.month].append(flow.row)
    _waiting_lists(found, data)
    _hospital_figures(found, plan, data)
    _objective_terms(found, plan, data)
    return found


def _waiting_lists(found: Recomputed, data: VolumeData) -> None:
    """w[h,k,m] from w0 = waiting; pairs without need or own_volumes rows start empty with no inflow."""
    leaving = set(found.base) | set(found.own) | set(found.transferred) | set(found.referred)
    extra = sorted({(h, k) for h, k, _m in leaving} - set(data.pairs))
    found.balance_pairs = list(data.pairs) + extra
    for h, k in found.balance_pairs:
        level = data.waiting.get((h, k), 0)
        for m in data.months:
            key = (h, k, m)
            level += data.inflow.get(key, 0) - found.base[key] - found.own[key]
            level -= found.transferred[key] + found.referred[key]
            found.waiting[key] = level


def _hospital_figures(found: Recomputed, plan: PlanFiles, data: VolumeData) -> None:
    """Per hospital: guarantee figures at start and end, X_h, referrals out and in, cost."""
    last = data.months[-1]
    for h in data.hospitals:
        found.hospital[h] = dict.fromkeys(HOSPITAL_FIGURES, 0)
    waiting = found.waiting
    for h, k in found.balance_pairs:
        figures = found.hospital[h]
        limit = data.limit.get((h, k), 0)
        figures["over_guarantee_start"] += max(0, data.waiting.get((h, k), 0) - limit)
        figures["over_guarantee_end"] += max(0, waiting[h, k, last] - limit)
        figures["patient_months_over"] += sum(max(0, waiting[h, k, m] - limit) for m in data.months)
    for (h, k, _m), units in found.own.items():
        found.hospital[h]["cost_sek"] += units * (_price(data, h, k) or 0)
    for flow in plan.flows:
        figures = found.hospital[flow.hospital]
        figures["referrals_out"] += flow.volume
        if flow.channel == "transfer":
            if flow.provider in found.hospital:
                found.hospital[flow.provider]["referrals_in"] += flow.volume
                figures["cost_sek"] += flow.volume * (_price(data, flow.provider, flow.category) or 0)
        elif _external(flow, data):
            figures["cost_sek"] += flow.volume * data.contracts[flow.contract].price_sek
    found.unused_minimum_cost = sum(
        max(0, c.volume_min - found.contract_used[code]) * c.price_sek for code, c in data.contracts.items()
    )


def _objective_terms(found: Recomputed, plan: PlanFiles, data: VolumeData) -> None:
    """The six volume terms of spec section 4, in exact integer arithmetic."""
    terms = found.terms
    terms["over_guarantee"] = sum(f["patient_months_over"] for f in found.hospital.values())
    shares = [
        -(-1000 * found.hospital[h]["patient_months_over"] // inflow)  # ceil without floats
        for h in data.hospitals
        if (inflow := data.hospital_inflow(h)) > 0
    ]
    terms["equity"] = max(shares, default=0)
    terms["out_of_region"] = sum(
        f.volume for f in plan.flows if _external(f, data) and data.contracts[f.contract].out_of_region
    )
    terms["cost"] = sum(f["cost_sek"] for f in found.hospital.values()) + found.unused_minimum_cost
    travel = 0
    for flow in plan.flows:
        if flow.channel == "transfer":
            travel += flow.volume * data.travel_minutes(flow.hospital, flow.provider)
        elif _external(flow, data):
            travel += flow.volume * data.travel_minutes(flow.hospital, data.contracts[flow.contract].provider)
    terms["travel"] = travel
    terms["stability"] = _stability(found, plan, data)


def _decision_values(
    flows: Iterable[tuple[str, str, str, str, str, str, int]],
    own: Iterable[tuple[str, str, str, int]],
) -> dict[tuple[str, ...], int]:
    """a, t and e values keyed by codes and month label, so two plans compare directly."""
    values: dict[tuple[str, ...], int] = defaultdict(int)
    for h, k, label, units in own:
        values["a", h, k, label] += units
    for label, h, k, channel, provider, contract, units in flows:
        if channel == "transfer":
            values["t", h, provider, k, label] += units
        else:
            values["e", h, contract, label] += units
    return values


def _stability(found: Recomputed, plan: PlanFiles, data: VolumeData) -> int:
    """sum |x - x_prev| over a, t and e against the previous plan; 0 without one."""
    summary = plan.summary
    if summary is None or summary.previous_plan is None:
        return 0
    folder = _previous_folder(summary.previous_plan, plan.folder)
    if folder is None:
        found.stability_problems.append(
            f"{SUMMARY} volumes.previous_plan: folder {summary.previous_plan!r} not found; "
            "the stability term cannot be recomputed"
        )
        return 0
    label = data.scenario.horizon.label
    current = _decision_values(
        (
            (label(f.month), f.hospital, f.category, f.channel, f.provider, f.contract, f.volume)
            for f in plan.flows
        ),
        ((h, k, label(m), v) for (h, k, m), v in found.own.items()),
    )
    previous = _previous_values(folder, data, found.stability_problems)
    in_horizon = set(data.scenario.horizon.labels())
    return sum(
        abs(current.get(key, 0) - previous.get(key, 0))
        for key in set(current) | set(previous)
        if key[-1] in in_horizon
    )


def _previous_folder(text: str, plan_dir: Path) -> Path | None:
    for folder in (Path(text), plan_dir / text):
        if folder.is_dir():
            return folder
    return None


def _previous_values(folder: Path, data: VolumeData, out: list[str]) -> dict[tuple[str, ...], int]:
    """a, t and e of a previous plan folder (its production_plan.csv and delivery_plan.csv)."""
    flows: list[tuple[str, str, str, str, str, str, int]] = []
    own: list[tuple[str, str, str, int]] = []
    for file in (PRODUCTION, DELIVERY):
        rows = _read_table(folder, file, out, label=f"previous plan {folder / file}")
        for row, raw in rows or []:
            cells = {c: v.strip() for c, v in raw.items()}
            units_column = "additional_own" if file == PRODUCTION else "volume"
            try:
                parse_month(cells["month"])
            except ValueError:
                out.append(
                    f"previous plan {folder / file} row {row}: month {cells['month']!r} is not YYYY-MM"
                )
                continue
            if not WHOLE_NUMBER.match(cells[units_column]):
                out.append(
                    f"previous plan {folder / file} row {row}: {units_column} {cells[units_column]!r} "
                    "is not a whole number >= 0"
                )
                continue
            units = int(cells[units_column])
            if file == PRODUCTION:
                own.append((cells["hospital"], cells["category"], cells["month"], units))
            else:
                flows.append((
                    cells["month"], cells["hospital"], cells["category"], cells["channel"],
                    cells["provider"], cells["contract"], units,
                ))  # fmt: skip
    return _decision_values(flows, own)


# -- the rules --------------------------------------------------------------------------------


@dataclass
class _Check:
    """What every rule reads: the scenario's lookups, the plan's rows and the recomputed figures."""

    data: VolumeData
    plan: PlanFiles
    found: Recomputed
    hospitals: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.hospitals = frozenset(self.data.hospitals)

    def label(self, month: int) -> str:
        return self.data.scenario.horizon.label(month)


def unique_delivery_flows(c: _Check) -> Iterator[str]:
    """Hard: each referral flow has one delivery_plan.csv row, with a non-zero volume."""
    first: dict[tuple[int, str, str, str, str, str], int] = {}
    for f in c.plan.flows:
        key = (f.month, f.hospital, f.category, f.channel, f.provider, f.contract)
        if key in first:
            yield (
                f"{DELIVERY} row {f.row}: repeats the flow of row {first[key]} (same month, hospital, "
                "category, channel, provider and contract); each flow has one row"
            )
        else:
            first[key] = f.row
        if f.volume == 0:
            yield f"{DELIVERY} row {f.row}: volume 0; the delivery plan lists only non-zero flows"


def production_rows_complete(c: _Check) -> Iterator[str]:
    """Hard: production_plan.csv has one row per month for each hospital and category with a need."""
    required = {(h, k, m) for h, k in c.data.pairs for m in c.data.months}
    seen: dict[Key, int] = {}
    for line in c.plan.production:
        if line.key not in required:
            yield (
                f"{PRODUCTION} row {line.row}: {line.hospital} has no need.csv or own_volumes.csv row for "
                f"{line.category}, so production_plan.csv has no rows for it"
            )
        elif line.key in seen:
            what = f"{line.hospital}, {line.category}, {c.label(line.month)}"
            yield f"{PRODUCTION} row {line.row}: repeats row {seen[line.key]} ({what})"
        else:
            seen[line.key] = line.row
    for h, k in c.data.pairs:
        for m in c.data.months:
            if (h, k, m) not in seen:
                yield (
                    f"{PRODUCTION}: no row for {h}, {k}, {c.label(m)}; every month of every hospital and "
                    "category with a need or own_volumes row has one"
                )


def base_capacity(c: _Check) -> Iterator[str]:
    """Hard: base units used stay within the month's base capacity, b <= B[h,k,m]."""
    for key, line in c.found.production.items():
        capacity = c.data.base_capacity.get(key, 0)
        if line.base_used > capacity:
            yield (
                f"{PRODUCTION} row {line.row}: {line.hospital} used {grouped(line.base_used)} base units of "
                f"{line.category} in {c.label(line.month)}, above its base capacity {grouped(capacity)} "
                "that month"
            )


def additional_capacity(c: _Check) -> Iterator[str]:
    """Hard: a hospital's additional units, for itself and for others, fit its offered capacity."""
    found, capacities = c.found, c.data.additional_capacity
    above = [
        key
        for key in set(found.own) | set(found.into)
        if found.own.get(key, 0) + found.into.get(key, 0) > capacities.get(key, 0)
    ]
    for key in sorted(above):
        g, k, m = key
        own, into = found.own.get(key, 0), found.into.get(key, 0)
        capacity = capacities.get(key, 0)
        line = found.production.get(key)
        if line is not None:
            yield (
                f"{PRODUCTION} row {line.row}: {g} produces {grouped(own)} additional units of {k} for its "
                "own "
                f"patients and {grouped(into)} for other hospitals' patients in {c.label(m)}, "
                f"{grouped(own + into)} in all, above its additional capacity {grouped(capacity)} that month"
            )
        else:
            yield (
                f"{_at(DELIVERY, found.into_rows[key])}: {grouped(into)} patients transferred to {g} in "
                f"{k} in "
                f"{c.label(m)}, above {g}'s additional capacity {grouped(capacity)} that month"
            )
    for key, line in found.production.items():
        into = found.into.get(key, 0)
        if line.additional_for_others != into:
            yield (
                f"{PRODUCTION} row {line.row}: additional_for_others "
                f"{grouped(line.additional_for_others)}, but "
                f"{DELIVERY} transfers {grouped(into)} patients into {line.hospital} in {line.category} in "
                f"{c.label(line.month)}"
            )


def transfers_allowed(c: _Check) -> Iterator[str]:
    """Hard: a transfer goes to another of the region's hospitals that access.csv allows."""
    for f in c.plan.flows:
        if f.channel != "transfer":
            continue
        where = f"{DELIVERY} row {f.row}"
        if f.contract:
            yield f"{where}: a transfer has no contract, but contract is {f.contract!r}"
        if f.provider not in c.hospitals:
            yield f"{where}: transfer to {f.provider!r}, which is not a hospital in hospitals.csv"
        elif f.provider == f.hospital:
            yield f"{where}: transfer from {f.hospital} to itself; a transfer goes to another hospital"
        elif not c.data.allowed(f.hospital, f.provider):
            yield f"{where}: transfer of {f.hospital}'s patients to {f.provider}, not allowed by access.csv"


def external_referrals_allowed(c: _Check) -> Iterator[str]:
    """Hard: a referral uses a contract of its category, in the contract's months, to an allowed provider."""
    horizon = c.data.scenario.horizon
    for f in c.plan.flows:
        if f.channel != "external":
            continue
        where = f"{DELIVERY} row {f.row}"
        contract = c.data.contracts.get(f.contract)
        if contract is None:
            yield f"{where}: external referral to contract {f.contract!r}, which is not in contracts.csv"
            continue
        if f.provider != contract.provider:
            yield f"{where}: provider {f.provider!r} is not the provider {contract.provider} of {f.contract}"
        if f.category != contract.category:
            yield f"{where}: category {f.category} is not the category {contract.category} of {f.contract}"
        if f.month not in c.data.contract_months[f.contract]:
            first = contract.first_month or horizon.start
            last = contract.last_month or horizon.label(horizon.length)
            yield (
                f"{where}: referral to contract {f.contract} in {c.label(f.month)}, outside the contract's "
                f"months {first}..{last}"
            )
        if not c.data.allowed(f.hospital, contract.provider):
            yield (
                f"{where}: referral of {f.hospital}'s patients to provider {contract.provider}, "
                "which access.csv does not allow"
            )


def contract_limits(c: _Check) -> Iterator[str]:
    """Hard: a contract's referrals stay within volume_max in all and monthly_max in each month."""
    found = c.found
    for code, contract in c.data.contracts.items():
        used = found.contract_used.get(code, 0)
        if used > contract.volume_max:
            yield (
                f"{_at(DELIVERY, found.contract_rows[code])}: contract {code} used {grouped(used)} in all, "
                f"above its volume_max {grouped(contract.volume_max)}"
            )
        if contract.monthly_max is None:
            continue
        for m in c.data.months:
            month_used = found.contract_month.get((code, m), 0)
            if month_used > contract.monthly_max:
                yield (
                    f"{_at(DELIVERY, found.contract_month_rows[code, m])}: contract {code} took "
                    f"{grouped(month_used)} referrals in {c.label(m)}, "
                    f"above its monthly_max {grouped(contract.monthly_max)}"
                )


def _derivation(found: Recomputed, data: VolumeData, key: Key, start: str, before: int) -> str:
    """How a month's waiting list follows from the month before, for a message."""
    return (
        f"{start} {grouped(before)} + inflow {grouped(data.inflow.get(key, 0))} - base "
        f"{grouped(found.base[key])}"
        f" - additional {grouped(found.own[key])} - transferred {grouped(found.transferred[key])}"
        f" - referred {grouped(found.referred[key])}"
    )


def waiting_list_balance(c: _Check) -> Iterator[str]:
    """Hard: the waiting list carries over month to month and never goes negative; over = max(0, w - L)."""
    found, data = c.found, c.data
    for h, k in found.balance_pairs:
        limit = data.limit.get((h, k), 0)
        before, start = data.waiting.get((h, k), 0), "start"
        for m in data.months:
            key = (h, k, m)
            level = found.waiting[key]
            line = found.production.get(key)
            if level < 0:
                where = f"{PRODUCTION} row {line.row}" if line else _at(DELIVERY, found.out_rows[key])
                yield (
                    f"{where}: the waiting list of {h} in {k} would end {c.label(m)} at {grouped(level)} "
                    f"({_derivation(found, data, key, start, before)}); more patients are treated than "
                    "are waiting"
                )
            if line is not None and line.waiting_end != level:
                yield (
                    f"{PRODUCTION} row {line.row}: waiting_end {grouped(line.waiting_end)}, but the "
                    "waiting list "
                    f"of {h} in {k} at the end of {c.label(m)} is {grouped(level)} "
                    f"({_derivation(found, data, key, start, before)})"
                )
            if line is not None and line.over_guarantee != max(0, level - limit):
                yield (
                    f"{PRODUCTION} row {line.row}: over_guarantee {grouped(line.over_guarantee)}, but "
                    "patients "
                    f"beyond the guarantee are max(0, {grouped(level)} - L {grouped(limit)}) "
                    f"= {grouped(max(0, level - limit))}"
                )
            before, start = level, "previous month's"


def flow_prices(c: _Check) -> Iterator[str]:
    """Hard: a transfer costs the receiver's additional price, a referral its contract's price."""
    for f in c.plan.flows:
        where = f"{DELIVERY} row {f.row}"
        if f.channel == "transfer" and f.provider in c.hospitals:
            price = _price(c.data, f.provider, f.category)
            price_class = c.data.price_class[f.category]
            if price is None:
                yield f"{where}: {f.provider} has no additional price for {price_class} in prices.csv"
            elif f.unit_price_sek != price:
                yield (
                    f"{where}: unit_price_sek {grouped(f.unit_price_sek)}, but {f.provider}'s additional "
                    "price "
                    f"for {price_class} is {grouped(price)}"
                )
        elif _external(f, c.data):
            price = c.data.contracts[f.contract].price_sek
            if f.unit_price_sek != price:
                yield (
                    f"{where}: unit_price_sek {grouped(f.unit_price_sek)}, but contract {f.contract}'s "
                    f"price_sek is {grouped(price)}"
                )
        if f.cost_sek != f.volume * f.unit_price_sek:
            yield (
                f"{where}: cost_sek {grouped(f.cost_sek)} is not volume {grouped(f.volume)} × unit_price_sek "
                f"{grouped(f.unit_price_sek)} = {grouped(f.volume * f.unit_price_sek)}"
            )


def _one_row_each(
    file: str,
    rows: Iterable[tuple[int, Any]],
    required: Iterable[Any],
    describe: Callable[[Any], str],
    rule: str,
) -> Iterator[str]:
    """Hard: a summary table has exactly one row per required key."""
    required_list = list(required)
    required_set = set(required_list)
    seen: dict[Any, int] = {}
    for row, key in rows:
        if key not in required_set:
            yield f"{file} row {row}: no row is expected for {describe(key)}; {rule}"
        elif key in seen:
            yield f"{file} row {row}: repeats row {seen[key]} ({describe(key)})"
        else:
            seen[key] = row
    for key in required_list:
        if key not in seen:
            yield f"{file}: no row for {describe(key)}; {rule}"


def volume_table_consistent(c: _Check) -> Iterator[str]:
    """Hard: volume_table.csv sums the plan: bas = base, tillagg = additional produced, uppdrag = both."""
    found, data = c.found, c.data
    yield from _one_row_each(
        VOLUME_TABLE,
        ((line.row, (line.hospital, line.category)) for line in c.plan.volume_table),
        data.pairs,
        lambda key: f"{key[0]}, {key[1]}",
        "one row per hospital and category of production_plan.csv",
    )
    pairs = set(data.pairs)
    for line in c.plan.volume_table:
        h, k = line.hospital, line.category
        if (h, k) not in pairs:
            continue
        where = f"{VOLUME_TABLE} row {line.row}"
        bas = data.base_total.get((h, k), 0)
        own = sum(found.own.get((h, k, m), 0) for m in data.months)
        for_others = sum(found.into.get((h, k, m), 0) for m in data.months)
        if line.bas != bas:
            yield (
                f"{where}: bas {grouped(line.bas)}, but own_volumes.csv gives {h} a base of {grouped(bas)} "
                f"in {k}"
            )
        if line.tillagg != own + for_others:
            yield (
                f"{where}: tillagg {grouped(line.tillagg)}, but the plan has {h} produce "
                f"{grouped(own + for_others)} "
                f"additional units of {k} (own {grouped(own)} + for others {grouped(for_others)})"
            )
        if line.uppdrag != bas + own + for_others:
            yield (
                f"{where}: uppdrag {grouped(line.uppdrag)}, but bas {grouped(bas)} + tillagg "
                f"{grouped(own + for_others)} "
                f"= {grouped(bas + own + for_others)}"
            )


def contract_usage_consistent(c: _Check) -> Iterator[str]:
    """Hard: contract_usage.csv matches contracts.csv and the plan's referrals; unused minimums are paid."""
    found, data = c.found, c.data
    yield from _one_row_each(
        USAGE,
        ((line.row, line.contract) for line in c.plan.usage),
        data.contracts,
        lambda code: f"contract {code}",
        "one row per contract of contracts.csv",
    )
    for line in c.plan.usage:
        contract = data.contracts[line.contract]
        where = f"{USAGE} row {line.row}"
        for column in ("provider", "category", "volume_min", "volume_max"):
            written, expected = getattr(line, column), getattr(contract, column)
            if written != expected:
                yield f"{where}: {column} {written}, but contracts.csv has {expected} for {line.contract}"
        used = found.contract_used.get(line.contract, 0)
        unused = max(0, contract.volume_min - used)
        cost = (used + unused) * contract.price_sek
        if line.used != used:
            yield (
                f"{where}: used {grouped(line.used)}, but {DELIVERY} refers {grouped(used)} to "
                f"{line.contract}"
            )
        if line.unused_min != unused:
            yield (
                f"{where}: unused_min {grouped(line.unused_min)}, but max(0, volume_min "
                f"{grouped(contract.volume_min)}"
                f" - used {grouped(used)}) = {grouped(unused)}"
            )
        if line.cost_sek != cost:
            yield (
                f"{where}: cost_sek {grouped(line.cost_sek)}, but (used {grouped(used)} + unused_min "
                f"{grouped(unused)}) "
                f"× price_sek {grouped(contract.price_sek)} = {grouped(cost)}"
            )


def budget(c: _Check) -> Iterator[str]:
    """Hard: when scenario.toml gives max_cost_sek, the plan's cost stays within it."""
    cap = c.data.scenario.max_cost_sek
    cost = c.found.terms["cost"]
    if cap is not None and cost > cap:
        yield (
            f"{DELIVERY}, {PRODUCTION} and {USAGE}: the plan costs {grouped(cost)} SEK (additional units, "
            "transfers, referrals and unused contract minimums), above the budget max_cost_sek "
            f"{grouped(cap)} SEK"
        )


def frames(c: _Check) -> Iterator[str]:
    """Hard: what the plan spends on each hospital's patients stays within its frame_sek, and
    summary.json states each hospital's frame as hospitals.csv gives it."""
    for h, frame in c.data.frames.items():
        spend = c.found.hospital[h]["cost_sek"]
        if spend > frame:
            yield (
                f"{DELIVERY} and {PRODUCTION}: the plan spends {grouped(spend)} SEK on {h}'s patients (its "
                f"additional units, its patients' transfers and referrals), {grouped(spend - frame)} SEK "
                "above "
                f"its frame_sek {grouped(frame)} SEK in hospitals.csv"
            )
    summary = c.plan.summary
    if summary is None or summary.hospitals is None:
        return
    for h in summary.hospitals:  # a hospital without an entry is reported by _parse_hospitals
        expected = c.data.frames.get(h)
        if h not in summary.frames:
            if expected is not None:
                yield (
                    f"{SUMMARY} volumes.hospitals ({h}): no frame_sek, but hospitals.csv gives {h} a frame "
                    f"of {grouped(expected)} SEK"
                )
            continue
        written = summary.frames[h]
        if written != expected:
            said = "null" if written is None else grouped(written)
            gives = "no frame (null)" if expected is None else f"{grouped(expected)} SEK"
            yield f"{SUMMARY} volumes.hospitals ({h}).frame_sek: {said}, but hospitals.csv gives {gives}"


def objectives_match(c: _Check) -> Iterator[str]:
    """Hard: summary.json's terms, totals and hospital figures equal those recomputed from the plan."""
    yield from c.found.stability_problems
    summary = c.plan.summary
    if summary is None:
        return
    if summary.scenario is not None and summary.scenario != c.data.scenario.name:
        yield f"{SUMMARY} scenario: {summary.scenario!r}, but the scenario is {c.data.scenario.name!r}"
    terms = c.found.terms
    for name, written in summary.objectives.items():
        if written != terms[name]:
            yield (
                f"{SUMMARY} volumes.objectives.{name}: {grouped(written)}, but the plan's {name} "
                "recomputed from "
                f"its files is {grouped(terms[name])}"
            )
    totals = (
        ("cost_sek", summary.cost_sek, terms["cost"], "the plan's cost"),
        ("unused_minimum_cost_sek", summary.unused_minimum_cost_sek, c.found.unused_minimum_cost,
         "the cost of unused contract minimums"),
    )  # fmt: skip
    for key, written_total, expected, what in totals:
        if written_total is not None and written_total != expected:
            yield (
                f"{SUMMARY} volumes.{key}: {grouped(written_total)}, but {what} recomputed is "
                f"{grouped(expected)}"
            )
    for h, figures in (summary.hospitals or {}).items():
        for name, written in figures.items():
            expected = c.found.hospital[h][name]
            if written != expected:
                yield (
                    f"{SUMMARY} volumes.hospitals ({h}).{name}: {grouped(written)}, but recomputed from "
                    "the plan "
                    f"it is {grouped(expected)}"
                )


def stages_consistent(c: _Check) -> Iterator[str]:
    """Hard: one stage per term, in order; bound <= value, equal when OPTIMAL; later stages hold it."""
    summary = c.plan.summary
    if summary is None or summary.stages is None:
        return
    order = list(c.data.scenario.objective.volumes)
    reached = -1
    seen: set[str] = set()
    for stage in summary.stages:
        if stage.objective not in order:
            yield f"{stage.where}: {stage.objective!r} is not a term of the volume objective order {order}"
            continue
        position = order.index(stage.objective)
        if stage.objective in seen:
            yield f"{stage.where}: a second stage for {stage.objective}; each term is minimised once"
        elif position < reached:
            yield (
                f"{stage.where}: comes after {order[reached]}, but the volume objective order {order} "
                "puts it before"
            )
        seen.add(stage.objective)
        reached = max(reached, position)
        if stage.bound > stage.value:
            yield (
                f"{stage.where}: bound {grouped(stage.bound)} is above value {grouped(stage.value)}; "
                "a bound cannot exceed the minimum reached"
            )
        if stage.status == "OPTIMAL" and stage.bound != stage.value:
            yield (
                f"{stage.where}: status OPTIMAL, but bound {grouped(stage.bound)} is not value "
                f"{grouped(stage.value)}"
            )
        final = c.found.terms[stage.objective]
        if final > stage.value:
            yield (
                f"{stage.where}: the final plan's {stage.objective} is {grouped(final)}, above the value "
                f"{grouped(stage.value)} this stage reached; later stages hold it at or below that"
            )
        elif final < stage.bound:
            yield (
                f"{stage.where}: the final plan's {stage.objective} is {grouped(final)}, below the stage's "
                "proven "
                f"bound {grouped(stage.bound)}"
            )
    for term in order:
        if term not in seen:
            yield f"{SUMMARY} volumes.stages: no stage for {term!r} of the volume objective order {order}"


RULES: tuple[Callable[[_Check], Iterator[str]], ...] = (
    unique_delivery_flows,
    production_rows_complete,
    base_capacity,
    additional_capacity,
    transfers_allowed,
    external_referrals_allowed,
    contract_limits,
    waiting_list_balance,
    flow_prices,
    volume_table_consistent,
    contract_usage_consistent,
    budget,
    frames,
    objectives_match,
    stages_consistent,
)


def check_volume_plan(scenario: Scenario, plan_dir: Path) -> list[str]:
    """Every violation of the spec's rules by the volume plan in `plan_dir`; empty when it passes."""
    violations: list[str] = []
    data = VolumeData.from_scenario(scenario)
    plan = read_plan(data, Path(plan_dir), violations)
    if plan is None:
        return violations
    check = _Check(data, plan, recompute(plan, data))
    for rule in RULES:
        violations.extend(rule(check))
    return violations
