"""The volume plan's files as the checker reads them: the CSV rows and summary.json's "volumes" object.

Each row is parsed into its record with every cell typed (a code the scenario does not know, a
month outside the horizon, a count that is not a whole number is reported once and leaves its row
out); summary.json's figures are read as far as they parse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from leveransplan.models.derived import VolumeData
from leveransplan.models.language import _
from leveransplan.models.scenario import VOLUME_OBJECTIVES, VOLUME_TERMS
from leveransplan.outputs.checker.files import SUMMARY, Cells, json_int, parse_rows, read_table
from leveransplan.outputs.checker.summary import (
    StageLine,
    parse_objectives,
    parse_previous_plan,
    parse_stages,
)

DELIVERY = "delivery_plan.csv"
PRODUCTION = "production_plan.csv"
VOLUME_TABLE = "volume_table.csv"
USAGE = "contract_usage.csv"

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
HOSPITAL_FIGURES = (
    "over_guarantee_start",
    "over_guarantee_end",
    "patient_months_over",
    "referrals_out",
    "referrals_in",
    "cost_sek",
)
# A re-plan's figures of how much each hospital's decisions moved against the previous plan
# (checked when summary.json has them).
CHANGE_FIGURES = ("change_units", "change_sek")
# The units each hospital produced on its catch-up capacity (catch_up.csv): in summary.json, and
# required, when the scenario has catch-up capacity.
CATCH_UP_FIGURE = "catch_up_units"

Key = tuple[str, str, int]  # hospital, category, month number


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
    # A re-plan's change allowance: (units, sek) as given, and each hospital's caps under it.
    allowance: tuple[int | None, int | None] | None = None
    change_caps: dict[str, dict[str, int]] | None = None
    # `solve --robust`: money_cap_sek, forecast_cost_sek and forecast_over_guarantee as written.
    robust: dict[str, int] | None = None
    # categories.csv's grouping as written (absent from plans written before it was added).
    categories: Any = None
    # own_volumes.csv's decided bas and tillägg as written (absent from plans written before it was added).
    decided: Any = None


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

    A plan at scale 20 has some 90 000 rows: a code looked up in a list of 100 hospitals on every
    row added seconds to reading it.
    """

    def __init__(self, data: VolumeData) -> None:
        self.hospitals = frozenset(data.hospitals)
        self.categories = frozenset(data.categories)
        self.contracts = data.contracts
        self.horizon = data.scenario.horizon
        self.month_numbers = dict(zip(data.scenario.horizon.labels(), data.months, strict=True))

    def month(self, c: Cells, column: str) -> int:
        return c.horizon_month(column, self.horizon, self.month_numbers)


def _flow(codes: _Codes, c: Cells, row: int) -> Flow:
    return Flow(
        row=row,
        month=codes.month(c, "month"),
        hospital=c.code("hospital", codes.hospitals, "hospitals.csv"),
        category=c.code("category", codes.categories, "categories.csv"),
        channel=c.choice("channel", CHANNELS),
        provider=c.text("provider"),
        contract=c.text("contract"),
        volume=c.count("volume"),
        unit_price_sek=c.count("unit_price_sek"),
        cost_sek=c.count("cost_sek"),
    )


def _production(codes: _Codes, c: Cells, row: int) -> Production:
    return Production(
        row=row,
        month=codes.month(c, "month"),
        hospital=c.code("hospital", codes.hospitals, "hospitals.csv"),
        category=c.code("category", codes.categories, "categories.csv"),
        base_used=c.count("base_used"),
        additional_own=c.count("additional_own"),
        additional_for_others=c.count("additional_for_others"),
        waiting_end=c.count("waiting_end"),
        over_guarantee=c.count("over_guarantee"),
    )


def _volume_line(codes: _Codes, c: Cells, row: int) -> VolumeLine:
    return VolumeLine(
        row=row,
        hospital=c.code("hospital", codes.hospitals, "hospitals.csv"),
        category=c.code("category", codes.categories, "categories.csv"),
        uppdrag=c.count("uppdrag"),
        bas=c.count("bas"),
        tillagg=c.count("tillagg"),
    )


def _usage(codes: _Codes, c: Cells, row: int) -> Usage:
    return Usage(
        row=row,
        contract=c.code("contract", codes.contracts, "contracts.csv"),
        provider=c.text("provider"),
        category=c.text("category"),
        volume_min=c.count("volume_min"),
        volume_max=c.count("volume_max"),
        used=c.count("used"),
        unused_min=c.count("unused_min"),
        cost_sek=c.count("cost_sek"),
    )


def _parse_hospitals(
    raw: Any, data: VolumeData, out: list[str], frames: dict[str, int | None]
) -> dict[str, dict[str, int]] | None:
    """The per-hospital figures by hospital; each entry's `frame_sek` (when it has one) goes to `frames`."""
    if not isinstance(raw, list):
        out.append(
            _("{file} volumes.hospitals: {raw} is not a list of hospitals").format(
                file=SUMMARY, raw=repr(raw)
            )
        )
        return None
    hospitals: dict[str, dict[str, int]] = {}
    for index, entry in enumerate(raw):
        where = f"volumes.hospitals[{index}]"
        if not isinstance(entry, dict):
            out.append(
                _("{file} {where}: {entry} is not an object").format(
                    file=SUMMARY, where=where, entry=repr(entry)
                )
            )
            continue
        code = entry.get("hospital")
        if code not in data.hospitals:
            out.append(
                _("{file} {where}.hospital: {code} is not a hospital in hospitals.csv").format(
                    file=SUMMARY, where=where, code=repr(code)
                )
            )
            continue
        if code in hospitals:
            out.append(
                _("{file} {where}.hospital: {code} is listed twice").format(
                    file=SUMMARY, where=where, code=repr(code)
                )
            )
            continue
        figures = {name: json_int(entry, name, where, out) for name in HOSPITAL_FIGURES}
        figures.update({name: json_int(entry, name, where, out) for name in CHANGE_FIGURES if name in entry})
        if data.catch_up or CATCH_UP_FIGURE in entry:
            figures[CATCH_UP_FIGURE] = json_int(entry, CATCH_UP_FIGURE, where, out)
        hospitals[code] = {name: v for name, v in figures.items() if v is not None}
        if "frame_sek" in entry:
            frame = entry["frame_sek"]
            if frame is None or (isinstance(frame, int) and not isinstance(frame, bool)):
                frames[code] = frame
            else:
                out.append(
                    _("{file} {where}.frame_sek: {frame} is neither null nor a whole number").format(
                        file=SUMMARY, where=where, frame=repr(frame)
                    )
                )
    for code in data.hospitals:
        if code not in hospitals:
            out.append(
                _("{file} volumes.hospitals: no entry for hospital {code}; every hospital has one").format(
                    file=SUMMARY, code=code
                )
            )
    return hospitals


def _read_summary(folder: Path, data: VolumeData, out: list[str]) -> Summary | None:
    path = folder / SUMMARY
    if not path.is_file():
        out.append(_("{file}: missing from the plan folder {folder}").format(file=SUMMARY, folder=folder))
        return None
    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        out.append(_("{file}: not readable as UTF-8 JSON ({error})").format(file=SUMMARY, error=error))
        return None
    volumes = document.get("volumes") if isinstance(document, dict) else None
    if not isinstance(volumes, dict):
        out.append(_('{file}: has no object "volumes"').format(file=SUMMARY))
        return None
    summary = Summary()
    scenario = document.get("scenario")
    if isinstance(scenario, str):
        summary.scenario = scenario
    else:
        out.append(
            _("{file} scenario: {scenario} is not the scenario's name").format(
                file=SUMMARY, scenario=repr(scenario)
            )
        )
    summary.stages = parse_stages("volumes", volumes.get("stages"), out)
    # `procured` is a term of the plan only when the order has it (candidate contracts given).
    names = VOLUME_TERMS if "procured" in data.scenario.objective.volumes else VOLUME_OBJECTIVES
    summary.objectives = parse_objectives("volumes", volumes.get("objectives"), names, out)
    summary.cost_sek = json_int(volumes, "cost_sek", "volumes", out)
    summary.unused_minimum_cost_sek = json_int(volumes, "unused_minimum_cost_sek", "volumes", out)
    summary.previous_plan = parse_previous_plan("volumes", volumes, out)
    summary.hospitals = _parse_hospitals(volumes.get("hospitals"), data, out, summary.frames)
    summary.categories = volumes.get("categories")
    summary.decided = volumes.get("decided")
    if volumes.get("change_allowance") is not None:
        _parse_allowance(volumes["change_allowance"], data, out, summary)
    if volumes.get("robust") is not None:
        _parse_robust(volumes["robust"], out, summary)
    return summary


def _parse_robust(raw: Any, out: list[str], summary: Summary) -> None:
    """summary.json's robust: the figures the checker holds the plan to, each a whole number >= 0."""
    where = "volumes.robust"
    if not isinstance(raw, dict):
        out.append(
            _("{file} {where}: {raw} is not an object").format(file=SUMMARY, where=where, raw=repr(raw))
        )
        return
    figures = {
        name: json_int(raw, name, where, out)
        for name in ("samples", "money_cap_sek", "forecast_cost_sek", "forecast_over_guarantee")
    }
    summary.robust = {name: value for name, value in figures.items() if value is not None}


def _parse_allowance(raw: Any, data: VolumeData, out: list[str], summary: Summary) -> None:
    """summary.json's change_allowance: {"units": N|null, "sek": X|null, "hospitals": {h: {"units":
    cap, "sek": cap}}}, each cap a whole number in the measures given."""
    where = "volumes.change_allowance"
    if not isinstance(raw, dict) or not isinstance(raw.get("hospitals"), dict):
        out.append(
            _("{file} {where}: {raw} is not an object with the allowance and its hospitals").format(
                file=SUMMARY, where=where, raw=repr(raw)
            )
        )
        return
    given: dict[str, int | None] = {}
    for measure in ("units", "sek"):
        value = raw.get(measure)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            out.append(
                _("{file} {where}.{measure}: {value} is neither null nor a whole number >= 0").format(
                    file=SUMMARY, where=where, measure=measure, value=repr(value)
                )
            )
            return
        given[measure] = value
    caps: dict[str, dict[str, int]] = {}
    for h, figures in raw["hospitals"].items():
        if h not in data.hospitals or not isinstance(figures, dict):
            out.append(
                _("{file} {where}.hospitals: {h} is not a hospital in hospitals.csv with its caps").format(
                    file=SUMMARY, where=where, h=repr(h)
                )
            )
            continue
        caps[h] = {}
        measures = [m for m, v in given.items() if v is not None]
        for name in (*measures, "least_units", "least_sek"):
            value = json_int(figures, name, f"{where}.hospitals.{h}", out)
            if value is not None:
                caps[h][name] = value
    summary.allowance = (given["units"], given["sek"])
    summary.change_caps = caps


def read_plan(data: VolumeData, plan_dir: Path, out: list[str]) -> PlanFiles | None:
    """Parse the plan files, reporting unreadable files and cells; None when a CSV file is unusable."""
    tables = {file: read_table(plan_dir, file, header, out) for file, header in HEADERS.items()}
    summary = _read_summary(plan_dir, data, out)
    delivery, production, volume_table, usage = (
        tables[f] for f in (DELIVERY, PRODUCTION, VOLUME_TABLE, USAGE)
    )
    if delivery is None or production is None or volume_table is None or usage is None:
        return None
    codes = _Codes(data)
    return PlanFiles(
        folder=plan_dir,
        flows=parse_rows(DELIVERY, delivery, out, partial(_flow, codes)),
        production=parse_rows(PRODUCTION, production, out, partial(_production, codes)),
        volume_table=parse_rows(VOLUME_TABLE, volume_table, out, partial(_volume_line, codes)),
        usage=parse_rows(USAGE, usage, out, partial(_usage, codes)),
        summary=summary,
    )
