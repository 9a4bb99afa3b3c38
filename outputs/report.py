"""report.html: one self-contained HTML page of a plan folder, readable offline and without JavaScript.

The page is built from the plan's files alone (summary.json, manifest.json and the CSV files of
each model the plan holds); charts are drawn with matplotlib and embedded as inline SVG, so the
file has no external reference of any kind. The same plan gives a byte-identical page: nothing in
it depends on the clock (the time shown is the plan's, from manifest.json), and the SVG output is
made deterministic (fixed hash salt, glyphs as paths, no date in the metadata). A plan solved with
--deterministic goes further: the page leaves out the run record (the plan folder, the time, the
command line and the solver's progress in wall-clock seconds), so that two runs of the same inputs
give the same page. A field of manifest.json of another type than expected (a hand-edited file) is
treated as absent.

Choices where the issue is silent:
- Cost by channel: own additional production (tillägg) is the only channel without a price in the
  files, so it is summary.json's per-hospital cost minus the delivery plan's cost (transfers and
  referrals). The channels are then checked against summary.json's cost_sek, which also holds the
  unused take-or-pay minimums; a difference is shown on the page, never hidden.
- Out-of-region contracts (utomlänsvård) are told apart by an `out_of_region` column of
  contract_usage.csv when there is one; otherwise by the scenario's contracts.csv when manifest.json
  names a scenario folder whose contracts.csv still has the recorded SHA-256; otherwise only when
  summary.json's out_of_region term is 0 (then no contract is out of region). When none of these
  holds, out-of-region contracts are shown with the other contracts and the page says so.
- The solver's progress comes from the `progress` argument, else manifest.json's "progress"; points
  that are not {"model", "stage", "seconds", "value", "bound"} with a number of seconds and a value
  or a bound (the other may be null, as before a stage's first solution) are left out.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from leveransplan.inputs.plan_files import read_plan_csv
from leveransplan.inputs.tables import read_file
from leveransplan.outputs.check_volume_files import HOSPITAL_FIGURES

MODELS = ("volumes", "at", "placements")
MODEL_TITLES = {
    "volumes": "Care volumes (vårdvolymer)",
    "at": "AT positions (AT-tjänster)",
    "placements": "ST-A side-service placements (sidotjänstgöring)",
}
VOLUME_FILES = ("delivery_plan.csv", "production_plan.csv", "contract_usage.csv")
PLACEMENT_FILES = ("places_table.csv", "unplaced.csv")

# Colours: one blue for "the plan", one orange for "attention", greys for limits.
BLUE = "#2b6ca3"
LIGHT_BLUE = "#a9c8e4"
ORANGE = "#d9822b"
GREY = "#c9ccd1"
DARK = "#333333"
RC: dict[Any, Any] = {
    "svg.hashsalt": "leveransplan",
    "svg.fonttype": "path",
    "text.parse_math": False,  # a provider named "P$1$" is text, not mathematics
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#777777",
    "axes.axisbelow": True,
    "grid.color": "#e3e5e8",
    "legend.frameon": False,
}
CSS = """
body { font-family: "DejaVu Sans", "Segoe UI", Arial, Helvetica, sans-serif; color: #222;
       margin: 0; background: #f4f5f7; font-size: 14px; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #2b6ca3; }
h3 { font-size: 15px; margin: 22px 0 6px; }
p.lead { color: #555; margin: 0 0 14px; }
p.note { color: #555; font-size: 13px; margin: 4px 0 10px; }
p.warn { background: #fff3e0; border-left: 4px solid #d9822b; padding: 6px 10px; }
nav { font-size: 13px; margin: 8px 0 0; }
nav a { margin-right: 14px; color: #2b6ca3; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e3e5e8; text-align: left; vertical-align: top; }
th { background: #eef2f6; font-weight: 600; }
td:first-child { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 600; border-top: 2px solid #999; }
table.meta th { background: none; font-weight: 600; padding-left: 0; width: 150px; }
table.meta td { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 12px; }
table.hashes td { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 12px; padding: 1px 8px; }
.status-OPTIMAL { color: #1e7b34; font-weight: 600; }
.status-FEASIBLE { color: #b35c00; font-weight: 600; }
.figure { margin: 8px 0; }
.figure svg { max-width: 100%; height: auto; display: block; }
.figure svg * { stroke-linejoin: round; stroke-linecap: butt; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 12px; }
.card { border: 1px solid #d5dbe2; border-radius: 4px; padding: 6px 12px; min-width: 150px; }
.card .value { font-size: 18px; font-weight: 600; }
.card .label { font-size: 12px; color: #555; }
details { margin: 4px 0 12px; }
summary { cursor: pointer; color: #2b6ca3; }
footer { margin-top: 36px; font-size: 12px; color: #666; }
"""


# Said on the page of a plan solved with --deterministic, where the run record is left out.
DETERMINISTIC_RUN = (
    "Solved with --deterministic: the plan folder, the time, the command line and the solver's "
    "progress differ from run to run, so this page leaves them out (manifest.json keeps the run record) "
    "and the same inputs give the same page."
)


class ReportUnreadable(Exception):
    """The plan folder cannot be read into a report."""


# -- reading the plan folder ------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ReportUnreadable(f"{path} cannot be read ({error})") from None


def _read_rows(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """A plan CSV's rows, after checking that the columns the report uses are there."""
    return _read_table(path, columns)[1]


def _read_table(path: Path, columns: Sequence[str]) -> tuple[list[str], list[dict[str, str]]]:
    """A plan CSV's header and rows (blank rows left out); ReportUnreadable without `columns`."""
    if not path.is_file():
        raise ReportUnreadable(f"{path.parent}: {path.name} is missing; the plan is incomplete")
    try:
        table = read_plan_csv(path)
    except (OSError, UnicodeDecodeError) as error:
        raise ReportUnreadable(f"{path} cannot be read ({error})") from None
    missing = [c for c in columns if c not in table.header]
    if missing:
        raise ReportUnreadable(f"{path}: column {', '.join(missing)} is missing")
    return table.header, [row for _number, row in table.records() if any(row.values())]


def _int(row: dict[str, str], column: str, path: Path) -> int:
    text = row.get(column, "").strip()
    try:
        return int(text)
    except ValueError:
        raise ReportUnreadable(f"{path}, column {column}: {text!r} is not a whole number") from None


def _whole(value: Any, where: str) -> int:
    """A whole number from summary.json (a missing figure is 0)."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise ReportUnreadable(f"summary.json, {where}: {value!r} is not a whole number")
    return value


def _hospitals(volumes: dict[str, Any]) -> list[tuple[str, dict[str, int]]]:
    """summary.json's per-hospital figures of the volume plan, in its order."""
    rows = volumes.get("hospitals") or []
    if not isinstance(rows, list):
        raise ReportUnreadable("summary.json, volumes.hospitals: expected a list")
    return [
        (
            str(row.get("hospital", "?")),
            {key: _whole(row.get(key), f"volumes.hospitals[{i}].{key}") for key in HOSPITAL_FIGURES},
        )
        for i, row in enumerate(rows)
        if isinstance(row, dict)
    ]


def _frames(volumes: dict[str, Any]) -> dict[str, int]:
    """Each hospital's frame_sek from summary.json's per-hospital figures (none when it has none)."""
    rows = volumes.get("hospitals") or []
    return {
        str(row.get("hospital", "?")): _whole(row["frame_sek"], f"volumes.hospitals[{i}].frame_sek")
        for i, row in enumerate(rows if isinstance(rows, list) else [])
        if isinstance(row, dict) and row.get("frame_sek") is not None
    }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@dataclass(frozen=True)
class Stage:
    """One lexicographic stage as summary.json records it."""

    objective: str
    value: float | None
    bound: float | None
    status: str
    seconds: float | None

    @property
    def gap_pct(self) -> float | None:
        """CP-SAT's relative gap |value - bound| / max(1, |value|), in per cent."""
        if self.value is None or self.bound is None:
            return None
        return 100 * abs(self.value - self.bound) / max(1.0, abs(self.value))


@dataclass(frozen=True)
class ProgressPoint:
    """The best value and the proven bound of one stage at one moment of its model's solve.

    `value` is None before the stage's first solution; `bound` None before a bound is proven.
    """

    model: str
    stage: str
    seconds: float
    value: float | None
    bound: float | None


@dataclass
class Plan:
    """What the report reads from a plan folder."""

    folder: Path
    summary: dict[str, Any]
    manifest: dict[str, Any] | None
    progress: list[ProgressPoint]
    skipped_progress: int = 0
    models: list[str] = field(default_factory=list)
    shown_folder: Path | None = None  # the name to show, when the files are read from elsewhere

    def recorded(self, kind: type | tuple[type, ...], *keys: str) -> Any:
        """The manifest's value at `keys`, or None when it is absent or not of `kind` (a hand-edited file)."""
        return recorded_value(self.manifest, kind, *keys)

    @property
    def deterministic(self) -> bool:
        """Whether the plan was solved with --deterministic, as manifest.json records it."""
        return self.recorded(bool, "parameters", "solver", "deterministic") is True

    def stages(self, model: str) -> list[Stage]:
        stages = self.summary[model].get("stages")
        if not isinstance(stages, list):
            raise ReportUnreadable(f"{self.folder / 'summary.json'}: {model} has no list of stages")
        return [
            Stage(
                objective=str(s.get("objective", "?")),
                value=_number(s.get("value")),
                bound=_number(s.get("bound")),
                status=str(s.get("status", "")),
                seconds=_number(s.get("seconds")),
            )
            for s in stages
            if isinstance(s, dict)
        ]


def recorded_value(document: Any, kind: type | tuple[type, ...], *keys: str) -> Any:
    """A JSON document's value at `keys`, or None when it is absent or not of `kind` (a hand-edited file)."""
    value = document
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    if isinstance(value, bool) and not (kind is bool or (isinstance(kind, tuple) and bool in kind)):
        return None  # JSON's true is no number
    return value if isinstance(value, kind) else None


def _progress_points(raw: Any) -> tuple[list[ProgressPoint], int]:
    """The well-formed progress points, and how many were left out."""
    if not isinstance(raw, list):
        return [], 0
    points = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        seconds, value, bound = (_number(item.get(key)) for key in ("seconds", "value", "bound"))
        if item.get("model") not in MODELS or not isinstance(item.get("stage"), str):
            continue
        if seconds is None or (value is None and bound is None):
            continue
        points.append(ProgressPoint(item["model"], item["stage"], seconds, value, bound))
    return points, len(raw) - len(points)


def read_plan(plan_dir: Path, progress: list[dict[str, Any]] | None = None) -> Plan:
    """The plan folder's summary, manifest and progress; ReportUnreadable when it is not a plan."""
    if not plan_dir.is_dir():
        raise ReportUnreadable(f"{plan_dir}: no such folder")
    summary_path = plan_dir / "summary.json"
    if not summary_path.is_file():
        raise ReportUnreadable(
            f"{plan_dir} is not a plan folder: summary.json is missing "
            "(expected a folder written by leveransplan solve)"
        )
    summary = _read_json(summary_path)
    if not isinstance(summary, dict):
        raise ReportUnreadable(f"{summary_path} is not a plan summary")
    models = [m for m in MODELS if isinstance(summary.get(m), dict)]
    if not models:
        raise ReportUnreadable(f'{summary_path} has no object "volumes", "at" or "placements"')
    manifest_path = plan_dir / "manifest.json"
    manifest = _read_json(manifest_path) if manifest_path.is_file() else None
    if manifest is not None and not isinstance(manifest, dict):
        raise ReportUnreadable(f"{manifest_path} is not a plan manifest")
    raw = progress if progress is not None else (manifest or {}).get("progress")
    points, skipped = _progress_points(raw)
    return Plan(plan_dir, summary, manifest, points, skipped, models)


# -- cost by channel -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Channel:
    """One way the volume plan spends money, and how much over the horizon."""

    name: str
    kind: str  # own | transfer | contract | out_of_region | unused_minimum
    cost_sek: int


@dataclass
class CostChannels:
    """The volume plan's cost split by channel, checked against summary.json's cost_sek."""

    channels: list[Channel]
    cost_sek: int
    notes: list[str]
    out_of_region: set[str] | None  # contracts with a provider in another region; None: unknown

    @property
    def total_sek(self) -> int:
        return sum(c.cost_sek for c in self.channels)


def _truthy(text: str) -> bool:
    return text.strip().lower() in {"true", "1", "yes", "ja"}


def _out_of_region_contracts(
    plan: Plan, usage: list[dict[str, str]], usage_header: Sequence[str]
) -> tuple[set[str] | None, str]:
    """The contracts in another region, and where that came from; None when the files cannot tell."""
    if "out_of_region" in usage_header:
        return {r["contract"] for r in usage if _truthy(r["out_of_region"])}, "contract_usage.csv"
    folder = plan.recorded(str, "scenario_folder")
    recorded = plan.recorded(str, "inputs_sha256", "contracts.csv")
    flags = plan.recorded(list, "parameters", "what_if_flags", "set") or []
    changed = any("out_of_region" in str(flag) for flag in flags)  # --set may have changed a mark
    if isinstance(folder, str) and isinstance(recorded, str) and not changed:
        contracts = Path(folder) / "contracts.csv"
        try:
            data = read_file(contracts)
        except OSError:
            data = None
        if data is not None and hashlib.sha256(data).hexdigest() == recorded:
            try:
                table = read_plan_csv(contracts)
            except (OSError, UnicodeDecodeError):
                table = None
            if table is not None and "contract" in table.header:
                flagged = {
                    r["contract"].strip() for _n, r in table.records() if _truthy(r.get("out_of_region", ""))
                }
                return flagged, f"the scenario's contracts.csv ({contracts})"
    objectives = plan.summary["volumes"].get("objectives")
    if isinstance(objectives, dict) and objectives.get("out_of_region") == 0:
        return set(), "summary.json (no patient was sent out of the region)"
    return None, ""


def cost_by_channel(plan_dir: Path) -> CostChannels:
    """The volume plan's cost over the horizon by channel; ReportUnreadable without a volume plan."""
    plan = read_plan(plan_dir)
    if "volumes" not in plan.models:
        raise ReportUnreadable(f"{plan_dir} holds no volume plan")
    return _cost_by_channel(plan)


def _cost_by_channel(plan: Plan) -> CostChannels:
    volumes = plan.summary["volumes"]
    delivery_path = plan.folder / "delivery_plan.csv"
    usage_path = plan.folder / "contract_usage.csv"
    delivery = _read_rows(delivery_path, ("channel", "provider", "contract", "cost_sek"))
    usage_columns = ("contract", "provider", "used", "unused_min", "cost_sek")
    usage_header, usage = _read_table(usage_path, usage_columns)
    notes: list[str] = []

    transfers = sum(_int(r, "cost_sek", delivery_path) for r in delivery if r["channel"] == "transfer")
    referrals = sum(_int(r, "cost_sek", delivery_path) for r in delivery if r["channel"] != "transfer")
    hospital_cost = sum(figures["cost_sek"] for _name, figures in _hospitals(volumes))
    own = hospital_cost - transfers - referrals

    out_of_region, source = _out_of_region_contracts(plan, usage, usage_header)
    by_provider: dict[str, int] = defaultdict(int)
    away: dict[str, int] = defaultdict(int)
    unused_total = 0
    for row in usage:
        used, unused, cost = (_int(row, c, usage_path) for c in ("used", "unused_min", "cost_sek"))
        price = cost // (used + unused) if used + unused else 0
        unused_total += unused * price
        if out_of_region is not None and row["contract"] in out_of_region:
            away[row["provider"]] += used * price
        else:
            by_provider[row["provider"]] += used * price

    channels = [
        Channel("Own additional production (tillägg)", "own", own),
        Channel("Transfers to other hospitals", "transfer", transfers),
    ]
    for provider in sorted(by_provider, key=lambda p: (-by_provider[p], p)):
        channels.append(
            Channel(f"Contract provider {provider} (köpt vård)", "contract", by_provider[provider])
        )
    if out_of_region is None:
        notes.append(
            "Out-of-region contracts cannot be told apart from the plan files alone "
            "(contract_usage.csv has no out_of_region column and the scenario's contracts.csv is not "
            "available with its recorded hash); they are counted with the contract providers."
        )
    else:
        providers = ", ".join(sorted(away)) or "none"
        channels.append(
            Channel(f"Out of region (utomlänsvård): {providers}", "out_of_region", sum(away.values()))
        )
        notes.append(f"Out-of-region contracts as marked in {source}.")
    channels.append(Channel("Unused contract minimums (take-or-pay)", "unused_minimum", unused_total))

    cost_sek = _whole(volumes.get("cost_sek"), "volumes.cost_sek")
    total = sum(c.cost_sek for c in channels)
    if total != cost_sek:
        notes.append(
            f"The channels add up to {_n(total)} SEK but summary.json's cost_sek is {_n(cost_sek)} SEK "
            f"(difference {_n(total - cost_sek)} SEK): the plan's files disagree with each other."
        )
    recorded_unused = volumes.get("unused_minimum_cost_sek")
    if isinstance(recorded_unused, int) and recorded_unused != unused_total:
        notes.append(
            f"Unused minimums from contract_usage.csv: {_n(unused_total)} SEK; summary.json says "
            f"{_n(recorded_unused)} SEK."
        )
    return CostChannels(channels, cost_sek, notes, out_of_region)


# -- formatting ----------------------------------------------------------------------------------------


def _n(value: Any, decimals: int = 0) -> str:
    """A number with a no-break space between thousands, as the CLI prints them; '–' for none."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    text = f"{value:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # no "−0"
    return text.replace(",", "\u00a0").replace("-", "−")


def _sek_axis(total: float) -> tuple[float, str]:
    """Divisor and unit for an axis of SEK: MSEK from 10 million up, else SEK."""
    return (1e6, "MSEK") if total >= 10_000_000 else (1.0, "SEK")


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _table(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    numeric: Sequence[bool] | None = None,
    total: Sequence[Any] | None = None,
    raw: bool = False,
) -> str:
    """An HTML table: numbers spaced by thousands, text escaped unless `raw` (cells already HTML)."""
    numeric = numeric or [False] * len(header)

    def cell(tag: str, value: Any, num: bool) -> str:
        if raw and tag == "td":
            text = str(value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            text = _n(value)
        else:
            text = _e(value)
        return f'<{tag} class="num">{text}</{tag}>' if num else f"<{tag}>{text}</{tag}>"

    def line(tag: str, cells: Sequence[Any], css: str = "") -> str:
        return f"<tr{css}>" + "".join(cell(tag, c, n) for c, n in zip(cells, numeric, strict=True)) + "</tr>"

    body = [line("td", r) for r in rows]
    if total is not None:
        body.append(line("td", total, ' class="total"'))
    return f"<table><thead>{line('th', header)}</thead><tbody>{''.join(body)}</tbody></table>"


def _cards(items: Sequence[tuple[str, str]]) -> str:
    cards = "".join(
        f'<div class="card"><div class="value">{_e(v)}</div><div class="label">{_e(k)}</div></div>'
        for k, v in items
    )
    return f'<div class="cards">{cards}</div>'


# -- charts --------------------------------------------------------------------------------------------

_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(href="|url\()#([^")]+)')


class _Charts:
    """Renders figures to inline SVG, each with its own id prefix so ids never clash on the page."""

    def __init__(self) -> None:
        self.count = 0

    def svg(self, size: tuple[float, float], draw: Callable[[Figure], None], title: str) -> str:
        self.count += 1
        prefix = f"c{self.count}-"
        with matplotlib.rc_context(RC):
            figure = Figure(figsize=size, layout="constrained")
            draw(figure)
            buffer = io.StringIO()
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        text = buffer.getvalue()
        text = text[text.index("<svg") :]
        text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
        text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
        text = re.sub(r'<style type="text/css">.*?</style>', "", text, flags=re.S)
        text = _ID.sub(lambda m: f'id="{prefix}{m[1]}"', text)
        text = _REF.sub(lambda m: f"{m[1]}#{prefix}{m[2]}", text)
        label = f'<svg role="img" aria-label="{_e(title)}" '
        return f'<div class="figure">{text.replace("<svg ", label, 1)}</div>'


def _thousands(axis: Any, divisor: float = 1.0, decimals: int = 0) -> None:
    axis.set_major_formatter(FuncFormatter(lambda x, _pos: _n(x / divisor, decimals)))


def _counts(axis: Any) -> None:
    """An axis of whole numbers (patients, positions): integer ticks, thousands spaced."""
    axis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    _thousands(axis)


def _label_bars(ax: Axes, bars: Any, texts: Sequence[str], horizontal: bool = False) -> None:
    for bar, text in zip(bars, texts, strict=True):
        if horizontal:
            ax.annotate(
                text,
                (bar.get_x() + bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        else:
            ax.annotate(
                text,
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
            )


# -- sections ------------------------------------------------------------------------------------------


def _header(plan: Plan) -> str:
    scenario = plan.summary.get("scenario") or plan.recorded(str, "scenario") or "(unnamed scenario)"
    run_record = not plan.deterministic
    rows = [("Plan folder", str(plan.shown_folder or plan.folder.resolve()))] if run_record else []
    if plan.manifest:
        folder = plan.recorded(str, "scenario_folder")
        if folder is not None:
            rows.append(("Scenario folder", folder))
        if run_record:
            time = (plan.recorded(str, "time_utc") or "").replace("T", " ").replace("+00:00", " UTC")
            rows.append(("Planned", time or "–"))
        tool = plan.recorded(dict, "tool")
        if tool:
            rows.append(("Tool", ", ".join(f"{k} {v}" for k, v in tool.items())))
        command = plan.recorded(list, "command_line")
        if command is not None and run_record:
            rows.append(("Command line", " ".join(str(c) for c in command)))
        what_if = plan.recorded(list, "parameters", "what_if")
        if what_if:
            rows.append(("What-if", "; ".join(str(w) for w in what_if)))
        if not run_record:
            rows.append(("Run record", DETERMINISTIC_RUN))
    else:
        rows.append(("Manifest", "manifest.json is missing: no audit trail for this plan"))
    for model in plan.models:
        previous = plan.summary[model].get("previous_plan")
        if previous:
            rows.append((f"Previous plan ({model})", str(previous)))
    meta = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    hashes = ""
    inputs = plan.recorded(dict, "inputs_sha256")
    if inputs:
        cells = [
            f"<td>{_e(name)}</td><td>{_e(str(digest)[:12])}</td>" for name, digest in sorted(inputs.items())
        ]
        columns = 4
        lines = ["<tr>" + "".join(cells[i : i + columns]) + "</tr>" for i in range(0, len(cells), columns)]
        hashes = (
            "<h3>Inputs (SHA-256, first 12 hex digits; the full values are in manifest.json)</h3>"
            f'<table class="hashes">{"".join(lines)}</table>'
        )
    links = "".join(f'<a href="#{m}">{_e(MODEL_TITLES[m])}</a>' for m in plan.models)
    links += '<a href="#progress">Solver progress</a>'
    return (
        f"<header><h1>Delivery plan report: {_e(scenario)}</h1>"
        '<p class="lead">Leveransplan (delivery plan): what the plan decides, how good it is and how '
        "the solver got there.</p>"
        f'<table class="meta">{meta}</table>{hashes}<nav>{links}</nav></header>'
    )


def _stage_table(plan: Plan, model: str) -> str:
    rows = []
    for s in plan.stages(model):
        gap = s.gap_pct
        gap_text = "–" if gap is None else ("0" if gap == 0 else f"{gap:.2f}")
        rows.append(
            [
                f"<code>{_e(s.objective)}</code>",
                _n(s.value),
                _n(s.bound),
                gap_text,
                f'<span class="status-{_e(s.status)}">{_e(s.status)}</span>',
                _n(s.seconds, 2),
            ]
        )
    return _table(
        ["objective", "value", "bound", "gap %", "status", "seconds"],
        rows,
        numeric=[False, True, True, True, False, True],
        raw=True,
    )


def _summary_section(plan: Plan) -> str:
    parts = [
        "<section><h2>Summary</h2>",
        '<p class="note">Each model is solved lexicographically: every objective in turn, most important '
        "first, with the earlier ones held at the values reached. <em>bound</em> is the best value the "
        "solver proved possible; <em>gap</em> is |value − bound| / max(1, |value|). OPTIMAL means the "
        "value is proven best; FEASIBLE means the time limit stopped the stage first.</p>",
    ]
    for model in plan.models:
        parts.append(f"<h3>{_e(MODEL_TITLES[model])}</h3>{_stage_table(plan, model)}")
        for stage in plan.stages(model):
            if stage.status != "OPTIMAL" and stage.gap_pct:
                parts.append(
                    f'<p class="warn"><code>{_e(stage.objective)}</code> stopped at the time limit before '
                    f"its value was proven best: {_n(stage.value)} found, and no plan can do better than "
                    f"{_n(stage.bound)} (gap {stage.gap_pct:.2f} %). "
                    "A longer --time-limit may close the gap.</p>"
                )
    parts.append("</section>")
    return "".join(parts)


def _volume_section(plan: Plan, charts: _Charts) -> str:
    volumes = plan.summary["volumes"]
    folder = plan.folder
    hospitals = _hospitals(volumes)
    names = [name for name, _figures in hospitals]
    production_path = folder / "production_plan.csv"
    production = _read_rows(production_path, ("month", "hospital"))
    delivery_path = folder / "delivery_plan.csv"
    delivery = _read_rows(delivery_path, ("month", "hospital", "channel", "volume"))
    usage_path = folder / "contract_usage.csv"
    usage = _read_rows(usage_path, ("contract", "provider", "category", "volume_min", "volume_max", "used"))
    channels = _cost_by_channel(plan)

    def total(key: str) -> int:
        return sum(figures[key] for _name, figures in hospitals)

    objectives = volumes.get("objectives") or {}
    parts = [f'<section id="volumes"><h2>{_e(MODEL_TITLES["volumes"])}</h2>']
    divisor, unit = _sek_axis(channels.cost_sek)
    parts.append(
        _cards(
            [
                (f"cost, {unit}", _n(channels.cost_sek / divisor, 1 if divisor > 1 else 0)),
                (
                    "over the guarantee, start → end",
                    f"{_n(total('over_guarantee_start'))} → {_n(total('over_guarantee_end'))}",
                ),
                ("patient-months over the guarantee", _n(total("patient_months_over"))),
                ("patients sent out", _n(total("referrals_out"))),
                ("sent out of the region", _n(objectives.get("out_of_region"))),
            ]
        )
    )

    # Patients over the guarantee per hospital.
    parts.append("<h3>Patients over the care guarantee (vårdgarantin), per hospital</h3>")
    parts.append(
        '<p class="note">Patients waiting beyond the 90-day guarantee: a waiting list longer than three '
        "months of inflow, at the start of the first month and at the end of the last. "
        "Patient-months: the same count summed over every month of the plan.</p>"
    )
    if hospitals:
        start = [figures["over_guarantee_start"] for _name, figures in hospitals]
        end = [figures["over_guarantee_end"] for _name, figures in hospitals]

        def draw_over(figure: Figure) -> None:
            ax = figure.add_subplot()
            x = range(len(names))
            width = 0.38
            first = ax.bar([i - width / 2 for i in x], start, width, color=GREY, label="at the start")
            last = ax.bar([i + width / 2 for i in x], end, width, color=BLUE, label="at the end")
            _label_bars(ax, first, [_n(v) for v in start])
            _label_bars(ax, last, [_n(v) for v in end])
            ax.set_xticks(list(x), names)
            ax.set_ylabel("patients over the guarantee")
            _counts(ax.yaxis)
            ax.margins(y=0.12)
            ax.grid(axis="y")
            ax.legend(loc="upper right")

        parts.append(
            charts.svg((max(5.0, 1.1 * len(names) + 2), 3.2), draw_over, "Patients over the guarantee")
        )
    rows = [[name, *(figures[key] for key in HOSPITAL_FIGURES)] for name, figures in hospitals]
    header = [
        "hospital",
        "over, start",
        "over, end",
        "patient-months over",
        "sent out",
        "received",
        "cost SEK",
    ]
    totals: list[Any] = ["region", *(total(key) for key in HOSPITAL_FIGURES)]
    frames = _frames(volumes)
    if frames:
        # Each frame caps its own hospital's cost; the region's line has no frame of its own.
        for row, (name, figures) in zip(rows, hospitals, strict=True):
            frame = frames.get(name)
            row += ["–", "–"] if frame is None else [frame, frame - figures["cost_sek"]]
        header += ["frame SEK", "left of frame SEK"]
        totals += ["", ""]
    parts.append(_table(header, rows, numeric=[False] + [True] * (len(header) - 1), total=totals))
    frame_words = (
        " A hospital's frame (hospitals.csv's frame_sek) caps that cost; what is left of it is the frame "
        "less the cost."
        if frames
        else ""
    )
    parts.append(
        '<p class="note">Sent out: transfers to other hospitals and referrals to contracts; received: '
        "transfers in. A hospital's cost is its own additional units, its transfers at the receiving "
        f"hospital's price and its referrals; unused contract minimums are the region's.{frame_words}</p>"
    )

    # Referrals per hospital and month.
    months = sorted({r["month"] for r in production} | {r["month"] for r in delivery})
    row_names = list(names) + sorted({r["hospital"] for r in delivery} - set(names))
    grid = [[0] * len(months) for _ in row_names]
    for r in delivery:
        grid[row_names.index(r["hospital"])][months.index(r["month"])] += _int(r, "volume", delivery_path)
    parts.append("<h3>Referrals per hospital and month</h3>")
    parts.append(
        '<p class="note">Patients each hospital sends to be treated elsewhere: transfers to another of '
        "the region's hospitals and referrals to contracts with external providers (köpt vård).</p>"
    )
    if months and row_names:
        parts.append(
            charts.svg(
                _heatmap_size(len(row_names), len(months)),
                _heatmap(row_names, months, grid),
                "Referrals per hospital and month",
            )
        )
    else:
        parts.append('<p class="note">The plan has no months.</p>')

    # Contract use against minimum and maximum.
    parts.append("<h3>Contract use against minimum and maximum</h3>")
    away = channels.out_of_region or set()
    if usage:
        parts.append(
            '<p class="note">Patients referred to each contract over the horizon. The bar is the use, the '
            "grey band the contract's room up to its maximum, the black mark its minimum (paid whether "
            "used or not).</p>"
        )
        parts.append(
            charts.svg(
                (10.5, 0.8 + 0.27 * len(usage)), _contract_chart(usage, usage_path, away), "Contract use"
            )
        )
        contract_rows = [
            [
                r["contract"],
                r["provider"],
                r["category"],
                _int(r, "volume_min", usage_path),
                _int(r, "volume_max", usage_path),
                _int(r, "used", usage_path),
                _int(r, "unused_min", usage_path) if r.get("unused_min", "") != "" else 0,
                _int(r, "cost_sek", usage_path) if r.get("cost_sek", "") != "" else 0,
            ]
            for r in usage
        ]
        parts.append(
            "<details><summary>Contract table</summary>"
            + _table(
                [
                    "contract",
                    "provider",
                    "category",
                    "minimum",
                    "maximum",
                    "used",
                    "unused minimum",
                    "cost SEK",
                ],
                contract_rows,
                numeric=[False, False, False, True, True, True, True, True],
            )
            + "</details>"
        )
    else:
        parts.append('<p class="note">The scenario has no contracts.</p>')

    # Cost by channel.
    parts.append("<h3>Cost by channel</h3>")
    parts.append(
        charts.svg((10.5, 0.9 + 0.3 * len(channels.channels)), _channel_chart(channels), "Cost by channel")
    )
    share = max(1, channels.cost_sek)
    parts.append(
        _table(
            ["channel", "cost SEK", "share %"],
            [[c.name, c.cost_sek, _n(100 * c.cost_sek / share, 1)] for c in channels.channels],
            numeric=[False, True, True],
            total=["total (summary.json cost_sek: " + _n(channels.cost_sek) + ")", channels.total_sek, ""],
        )
    )
    parts.append(
        '<p class="note">Own additional production is summary.json\'s cost per hospital minus the '
        "delivery plan's transfers and referrals (the plan files hold no additional price per hospital). "
        "Contract channels are the units used at the contract's price; unused minimums are what the "
        "region pays for take-or-pay volumes it does not use.</p>"
    )
    for note in channels.notes:
        css = "warn" if "disagree" in note or "says" in note else "note"
        parts.append(f'<p class="{css}">{_e(note)}</p>')
    parts.append("</section>")
    return "".join(parts)


def _heatmap_size(rows: int, columns: int) -> tuple[float, float]:
    return (min(11.0, 2.2 + 0.75 * columns), 1.3 + 0.42 * rows)


def _heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    grid: Sequence[Sequence[float | None]],
    labels: Sequence[Sequence[str]] | None = None,
    cmap: str = "Blues",
    share: bool = False,
    colorbar: str = "patients",
) -> Callable[[Figure], None]:
    """A heatmap drawing with each cell's figure written in it (or `labels`); None cells are grey.

    `share`: the cells are shares from 0 to 1, shown in per cent on the colour bar.
    """

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        # Colours in steps (a legend one can read a cell against), drawn as vector cells: a
        # smooth colour bar would be embedded as a raster image.
        if share:
            steps = [k / 10 for k in range(11)]
        else:
            top = max([v for r in grid for v in r if v is not None] + [1])
            steps = [float(v) for v in MaxNLocator(nbins=8, integer=True).tick_values(0, top)]
        norm = BoundaryNorm(steps, 256)
        colours = matplotlib.colormaps[cmap].with_extremes(bad="#eceef1")
        masked = np.ma.masked_invalid(np.array([[np.nan if v is None else v for v in r] for r in grid]))
        mesh = ax.pcolormesh(masked, cmap=colours, norm=norm, edgecolors="white", linewidth=1.5)
        ax.set_xticks(
            [j + 0.5 for j in range(len(columns))],
            columns,
            rotation=45 if len(columns) > 8 else 0,
            ha="right" if len(columns) > 8 else "center",
        )
        ax.set_yticks([i + 0.5 for i in range(len(rows))], rows)
        ax.invert_yaxis()
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        small = len(columns) > 16
        dark_from = steps[-1] * 0.55
        for i, line in enumerate(grid):
            for j, value in enumerate(line):
                text = labels[i][j] if labels is not None else _n(value)
                if value is None or text == "":
                    ax.text(
                        j + 0.5, i + 0.5, text or "–", ha="center", va="center", fontsize=8, color="#777777"
                    )
                    continue
                ax.text(
                    j + 0.5,
                    i + 0.5,
                    text,
                    ha="center",
                    va="center",
                    fontsize=7 if small else 8,
                    color="white" if value >= dark_from else DARK,
                )
        bar = figure.colorbar(mesh, ax=ax, shrink=0.9, pad=0.01, aspect=12)
        bar.set_label(colorbar)
        bar.outline.set_visible(False)
        if share:
            bar.set_ticks([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
            bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        else:
            bar.set_ticks(list(steps))
            _thousands(bar.ax.yaxis)

    return draw


def _contract_chart(usage: list[dict[str, str]], path: Path, away: set[str]) -> Callable[[Figure], None]:
    labels = [f"{r['contract']} · {r['provider']} · {r['category']}" for r in usage]
    minimum = [_int(r, "volume_min", path) for r in usage]
    maximum = [_int(r, "volume_max", path) for r in usage]
    used = [_int(r, "used", path) for r in usage]
    colours = [
        ORANGE if u < lo else (LIGHT_BLUE if r["contract"] in away else BLUE)
        for r, u, lo in zip(usage, used, minimum, strict=True)
    ]

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        y = list(range(len(usage)))
        ax.barh(y, maximum, height=0.8, color="#eceef1", edgecolor=GREY, linewidth=0.6)
        bars = ax.barh(y, used, height=0.5, color=colours)
        ax.scatter(minimum, y, marker="|", s=180, color="black", linewidths=1.8, zorder=3)
        _label_bars(
            ax, bars, [f"{_n(u)} of {_n(hi)}" for u, hi in zip(used, maximum, strict=True)], horizontal=True
        )
        ax.set_yticks(y, labels)
        ax.set_ylim(len(usage) - 0.4, -0.6)
        ax.set_xlabel("patients over the horizon")
        _counts(ax.xaxis)
        ax.set_xlim(0, max([*maximum, *used, 1]) * 1.15)
        ax.grid(axis="x")
        handles: list[Artist] = [Patch(color=BLUE, label="used")]
        if LIGHT_BLUE in colours:
            handles.append(Patch(color=LIGHT_BLUE, label="used, out of region"))
        if ORANGE in colours:
            handles.append(Patch(color=ORANGE, label="used below the minimum"))
        handles.append(Patch(facecolor="#eceef1", edgecolor=GREY, label="room up to the maximum"))
        handles.append(
            Line2D(
                [],
                [],
                marker="|",
                linestyle="None",
                markersize=11,
                markeredgewidth=1.8,
                color="black",
                label="minimum",
            )
        )
        ax.legend(
            handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(handles), fontsize=8
        )

    return draw


def _channel_chart(channels: CostChannels) -> Callable[[Figure], None]:
    divisor, unit = _sek_axis(max([c.cost_sek for c in channels.channels] + [0]))
    colour = {
        "own": BLUE,
        "transfer": "#4f9a94",
        "contract": "#8c6bb1",
        "out_of_region": ORANGE,
        "unused_minimum": "#9a9a9a",
    }
    decimals = 1 if divisor > 1 else 0

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        y = list(range(len(channels.channels)))
        values = [c.cost_sek / divisor for c in channels.channels]
        bars = ax.barh(y, values, height=0.6, color=[colour[c.kind] for c in channels.channels])
        _label_bars(ax, bars, [f"{_n(v, decimals)} {unit}" for v in values], horizontal=True)
        ax.set_yticks(y, [_short(c.name, 60) for c in channels.channels])
        ax.set_ylim(len(y) - 0.5, -0.5)
        ax.set_xlabel(unit)
        _thousands(ax.xaxis, 1.0, 0)
        ax.set_xlim(0, max([*values, 1e-9]) * 1.18)
        ax.grid(axis="x")

    return draw


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _at_section(plan: Plan, charts: _Charts) -> str:
    at = plan.summary["at"]
    path = plan.folder / "at_distribution.csv"
    rows = _read_rows(path, ("hospital", "positions", "target", "previous"))
    parts = [f'<section id="at"><h2>{_e(MODEL_TITLES["at"])}</h2>']
    positions = [_int(r, "positions", path) for r in rows]
    targets = [float(r["target"]) if r["target"].strip() else 0.0 for r in rows]
    previous = [r["previous"].strip() for r in rows]
    parts.append(
        _cards(
            [("AT positions distributed", _n(at.get("total", sum(positions)))), ("hospitals", _n(len(rows)))]
        )
    )
    parts.append(
        '<p class="note">Positions per hospital against the need-weighted target (total × the '
        "hospital's weight / the sum of weights) and last period's positions.</p>"
    )
    if rows:
        names = [r["hospital"] for r in rows]

        def draw(figure: Figure) -> None:
            ax = figure.add_subplot()
            x = list(range(len(rows)))
            bars = ax.bar(x, positions, 0.55, color=BLUE, label="positions")
            for bar, p in zip(bars, positions, strict=True):
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    bar.get_height() / 2,
                    _n(p),
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white",
                )
            ax.scatter(x, targets, marker="_", s=500, color=ORANGE, linewidths=2.2, label="target", zorder=3)
            known = [(i, int(p)) for i, p in enumerate(previous) if p.lstrip("-").isdigit()]
            if known:
                ax.scatter(
                    [i for i, _ in known],
                    [p for _, p in known],
                    marker="o",
                    s=22,
                    color=DARK,
                    label="previous",
                    zorder=4,
                )
            ax.set_xticks(x, names)
            ax.set_ylabel("AT positions")
            _counts(ax.yaxis)
            ax.margins(y=0.15)
            ax.grid(axis="y")
            handles, labels = ax.get_legend_handles_labels()
            order = sorted(
                range(len(labels)), key=lambda i: ["positions", "target", "previous"].index(labels[i])
            )
            ax.legend(
                [handles[i] for i in order],
                [labels[i] for i in order],
                loc="lower center",
                bbox_to_anchor=(0.5, 1.0),
                ncol=3,
            )

        parts.append(charts.svg((max(5.0, 0.9 * len(rows) + 2.5), 3.0), draw, "AT positions"))
    parts.append(
        _table(
            ["hospital", "positions", "target", "previous"],
            [
                [r["hospital"], p, r["target"], r["previous"] or "–"]
                for r, p in zip(rows, positions, strict=True)
            ],
            numeric=[False, True, True, True],
            total=["total", sum(positions), "", ""],
        )
    )
    parts.append("</section>")
    return "".join(parts)


def _placements_section(plan: Plan, charts: _Charts) -> str:
    summary = plan.summary["placements"]
    places_path = plan.folder / "places_table.csv"
    places = _read_rows(places_path, ("hospital", "specialty", "year", "used", "places"))
    unplaced_path = plan.folder / "unplaced.csv"
    unplaced = _read_rows(unplaced_path, ("trainee", "specialty", "reason"))
    parts = [f'<section id="placements"><h2>{_e(MODEL_TITLES["placements"])}</h2>']
    cards = []
    if "placed" in summary and "requirements" in summary:
        cards.append(("requirements placed", f"{_n(summary['placed'])} of {_n(summary['requirements'])}"))
    if "trainees_fully_placed" in summary and "trainees" in summary:
        cards.append(
            (
                "trainees with every side-service placed",
                f"{_n(summary['trainees_fully_placed'])} of {_n(summary['trainees'])}",
            )
        )
    if "places_total" in summary:
        cards.append(("places offered", _n(summary["places_total"])))
    if summary.get("months"):
        cards.append(("planning months", str(summary["months"])))
    if summary.get("mode") == "propose_places":
        cards.append(("mode", "places proposed by the plan"))
    parts.append(_cards(cards))

    parts.append("<h3>Placements per hospital and specialty against places</h3>")
    parts.append(
        '<p class="note">Side-service placements starting in each year against the places offered '
        "(st_capacity.csv); the colour is the share of places used.</p>"
    )
    hospitals = list(dict.fromkeys(r["hospital"] for r in places))
    specialties = list(dict.fromkeys(r["specialty"] for r in places))
    columns = sorted(
        {(r["specialty"], r["year"]) for r in places}, key=lambda c: (specialties.index(c[0]), c[1])
    )
    if hospitals and columns:
        share: list[list[float | None]] = [[None] * len(columns) for _ in hospitals]
        labels = [["no places"] * len(columns) for _ in hospitals]
        for r in places:
            i, j = hospitals.index(r["hospital"]), columns.index((r["specialty"], r["year"]))
            used, offered = _int(r, "used", places_path), _int(r, "places", places_path)
            share[i][j] = used / offered if offered else (1.0 if used else 0.0)
            labels[i][j] = f"{used}/{offered}"
        names = [f"{s}\n{y}" for s, y in columns]
        size = (min(11.0, 2.4 + 0.85 * len(columns)), 1.4 + 0.45 * len(hospitals))
        parts.append(
            charts.svg(
                size,
                _heatmap(
                    hospitals,
                    names,
                    share,
                    labels,
                    cmap="Greens",
                    share=True,
                    colorbar="share of places used",
                ),
                "Placements against places",
            )
        )
        parts.append(
            "<details><summary>Places table</summary>"
            + _table(
                ["hospital", "specialty", "year", "used", "places"],
                [
                    [
                        r["hospital"],
                        r["specialty"],
                        r["year"],
                        _int(r, "used", places_path),
                        _int(r, "places", places_path),
                    ]
                    for r in places
                ],
                numeric=[False, False, False, True, True],
            )
            + "</details>"
        )
    else:
        parts.append('<p class="note">The plan has no places (places_table.csv is empty).</p>')

    parts.append("<h3>Requirements not placed</h3>")
    if unplaced:
        shown = unplaced[:200]
        parts.append(
            _table(
                ["trainee", "specialty", "reason"],
                [[r["trainee"], r["specialty"], r["reason"]] for r in shown],
            )
        )
        if len(unplaced) > len(shown):
            parts.append(f'<p class="note">{len(unplaced) - len(shown)} more in unplaced.csv.</p>')
    else:
        parts.append('<p class="note">Every requirement is placed.</p>')
    parts.append("</section>")
    return "".join(parts)


def _progress_section(plan: Plan, charts: _Charts) -> str:
    if plan.deterministic:
        note = f'<p class="note">{_e(DETERMINISTIC_RUN)}</p>'
        return f'<section id="progress"><h2>Solver progress</h2>{note}</section>'
    parts = [
        '<section id="progress"><h2>Solver progress</h2>',
        '<p class="note">Each stage\'s best value found (solid) and the bound the solver proved (dashed) '
        "against the seconds since the model's solve began. Where the lines meet, the stage is proven "
        "optimal.</p>",
    ]
    if plan.skipped_progress:
        parts.append(
            f'<p class="note">{plan.skipped_progress} recorded progress point(s) could not be read and '
            "are left out.</p>"
        )
    for model in plan.models:
        points = [p for p in plan.progress if p.model == model]
        parts.append(f"<h3>{_e(MODEL_TITLES[model])}</h3>")
        if not points:
            parts.append(
                '<p class="note">No trajectory was recorded for this model (the plan was written without '
                "progress recording, or the solver found each stage's optimum at once).</p>"
            )
            continue
        order = [s.objective for s in plan.stages(model)]
        stages = sorted(
            {p.stage for p in points}, key=lambda s: (order.index(s) if s in order else len(order), s)
        )
        parts.append(
            charts.svg(
                _progress_size(len(stages)), _progress_chart(points, stages), f"Solver progress, {model}"
            )
        )
    parts.append("</section>")
    return "".join(parts)


def _progress_size(stages: int) -> tuple[float, float]:
    columns = min(3, stages)
    rows = -(-stages // columns)
    return (min(11.0, 3.7 * columns), 2.7 * rows)


def _progress_chart(points: list[ProgressPoint], stages: list[str]) -> Callable[[Figure], None]:
    def draw(figure: Figure) -> None:
        columns = min(3, len(stages))
        rows = -(-len(stages) // columns)
        for k, stage in enumerate(stages):
            ax = figure.add_subplot(rows, columns, k + 1)
            series = sorted((p for p in points if p.stage == stage), key=lambda p: p.seconds)
            seconds = [p.seconds for p in series]
            values = [np.nan if p.value is None else p.value for p in series]
            bounds = [np.nan if p.bound is None else p.bound for p in series]
            ax.step(seconds, bounds, where="post", color=ORANGE, linestyle="--", marker="o", markersize=3)
            ax.step(seconds, values, where="post", color=BLUE, marker="o", markersize=3, zorder=3)
            known = [v for v in values + bounds if not np.isnan(v)]
            if max(known) - min(known) < 1:  # a flat line: whole numbers around it, not 2, 2, 2
                low = min(known)
                ax.set_ylim(low - 1 if low < 0 else max(0.0, low - 1), max(known) + 1)
            ax.set_title(stage, loc="left")
            value = next((p.value for p in reversed(series) if p.value is not None), None)
            bound = next((p.bound for p in reversed(series) if p.bound is not None), None)
            end = f"{seconds[-1]:.2f} s"
            if value is None:
                ax.set_title(f"no solution by {end}", loc="right", fontsize=8, color=ORANGE)
            elif bound is not None and value == bound:
                ax.set_title(f"optimal at {end}", loc="right", fontsize=8, color="#1e7b34")
            elif bound is not None:
                gap = 100 * abs(value - bound) / max(1.0, abs(value))
                ax.set_title(f"gap {gap:.2f} % at {end}", loc="right", fontsize=8, color=ORANGE)
            if seconds[-1] - seconds[0] < 1e-6:  # one moment: show it within a second, not a blink
                ax.set_xlim(max(0.0, seconds[0] - 0.5), seconds[0] + 0.5)
            ax.set_xlabel("seconds")
            ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
            _thousands(ax.yaxis)
            ax.grid(True)
        figure.legend(
            handles=[
                Line2D([], [], color=BLUE, marker="o", markersize=3, label="best value found"),
                Line2D([], [], color=ORANGE, linestyle="--", marker="o", markersize=3, label="proven bound"),
            ],
            loc="outside upper left",
            ncol=2,
            fontsize=8,
        )

    return draw


def render_report(
    plan_dir: Path, progress: list[dict[str, Any]] | None = None, shown_folder: Path | None = None
) -> str:
    """The report of the plan in `plan_dir` as one HTML document.

    `shown_folder`: the plan folder's name on the page when the files are still in a staging
    folder (`solve --report` writes the report before the plan is moved into place).
    """
    plan = read_plan(plan_dir, progress)
    plan.shown_folder = None if shown_folder is None else shown_folder.resolve()
    for model, files in (("volumes", VOLUME_FILES), ("placements", PLACEMENT_FILES)):
        if model in plan.models:
            for name in files:
                if not (plan_dir / name).is_file():
                    raise ReportUnreadable(f"{plan_dir}: {name} is missing; the plan is incomplete")
    charts = _Charts()
    sections = [_header(plan), _summary_section(plan)]
    builders = {"volumes": _volume_section, "at": _at_section, "placements": _placements_section}
    sections += [builders[m](plan, charts) for m in plan.models]
    sections.append(_progress_section(plan, charts))
    scenario = plan.summary.get("scenario") or "plan"
    footer = (
        "<footer>Written by <code>leveransplan report</code> from the files in the plan folder. "
        "Every figure is also in the plan's CSV files and summary.json.</footer>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Delivery plan report: {_e(scenario)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body><main>\n{chr(10).join(sections)}\n{footer}\n</main></body>\n</html>\n"
    )


def write_report(
    plan_dir: Path,
    target: Path,
    progress: list[dict[str, Any]] | None = None,
    shown_folder: Path | None = None,
) -> None:
    """Write the report of the plan in `plan_dir` to `target` (see `render_report`)."""
    document = render_report(Path(plan_dir), progress, shown_folder)
    try:
        Path(target).write_text(document, encoding="utf-8")
    except OSError as error:
        raise ReportUnreadable(f"{target} cannot be written ({error})") from None
