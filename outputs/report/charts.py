"""The report's charts: matplotlib figures as inline SVG, deterministic and self-contained.

Glyphs are drawn as paths, the SVG hash salt is fixed and the metadata carries no date, so the
same figures give the same bytes; each chart's ids get their own prefix, so they never clash on
the page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
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
from matplotlib.ticker import FuncFormatter, MaxNLocator, ScalarFormatter

from leveransplan.models.language import _, current_language
from leveransplan.models.numbers import decimals, percent
from leveransplan.outputs.report.costs import CostChannels
from leveransplan.outputs.report.html import escaped, number_text, sek_axis
from leveransplan.outputs.report.plan import ProgressPoint, cell_int

# Colours: one blue for "the plan", one orange for "attention", greys for limits.
BLUE = "#2b6ca3"
LIGHT_BLUE = "#a9c8e4"
ORANGE = "#d9822b"
GREY = "#c9ccd1"
DARK = "#333333"
RC: dict[Any, Any] = {
    "svg.hashsalt": "leveransplan",
    # Text stays text: searchable, selectable and far smaller than glyph outlines.
    "svg.fonttype": "none",
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

_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(href="|url\()#([^")]+)')


class Charts:
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
        label = f'<svg role="img" aria-label="{escaped(title)}" '
        return f'<div class="figure">{text.replace("<svg ", label, 1)}</div>'


def thousands_axis(axis: Any, divisor: float = 1.0, decimals: int = 0) -> None:
    """An axis whose tick labels are numbers as the page sets them (divided by `divisor`)."""
    axis.set_major_formatter(FuncFormatter(lambda x, _pos: number_text(x / divisor, decimals)))


class _DecimalSignFormatter(ScalarFormatter):
    """matplotlib's own tick labels (seconds: 0.5, 0.0010) with the page's decimal sign."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        text = super().__call__(x, pos)
        return text.replace(".", ",") if current_language() == "sv" else text


def count_axis(axis: Any) -> None:
    """An axis of whole numbers (patients, positions): integer ticks, thousands spaced."""
    axis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    thousands_axis(axis)


def label_bars(ax: Axes, bars: Any, texts: Sequence[str], horizontal: bool = False) -> None:
    """Each bar's figure written at its end (`horizontal` bars) or on its top."""
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


def heatmap_size(rows: int, columns: int) -> tuple[float, float]:
    """A heatmap's size in inches for `rows` by `columns` cells, at most a page wide."""
    return (min(11.0, 2.2 + 0.75 * columns), 1.3 + 0.42 * rows)


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    grid: Sequence[Sequence[float | None]],
    labels: Sequence[Sequence[str]] | None = None,
    cmap: str = "Blues",
    share: bool = False,
    colorbar: str | None = None,
) -> Callable[[Figure], None]:
    """A heatmap drawing with each cell's figure written in it (or `labels`); None cells are grey.

    `share`: the cells are shares from 0 to 1, shown in per cent on the colour bar. `colorbar`:
    the colour bar's label (default: patients).
    """
    colorbar_label = _("patients") if colorbar is None else colorbar

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
                text = labels[i][j] if labels is not None else number_text(value)
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
        bar.set_label(colorbar_label)
        bar.outline.set_visible(False)
        if share:
            bar.set_ticks([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
            bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _pos: percent(x, 0)))
        else:
            bar.set_ticks(list(steps))
            thousands_axis(bar.ax.yaxis)

    return draw


def contract_chart(usage: list[dict[str, str]], path: Path, away: set[str]) -> Callable[[Figure], None]:
    """Each contract's use against its minimum and maximum (`away`: the out-of-region contracts)."""
    labels = [f"{r['contract']} · {r['provider']} · {r['category']}" for r in usage]
    minimum = [cell_int(r, "volume_min", path) for r in usage]
    maximum = [cell_int(r, "volume_max", path) for r in usage]
    used = [cell_int(r, "used", path) for r in usage]
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
        label_bars(
            ax,
            bars,
            [
                _("{used} of {maximum}").format(used=number_text(u), maximum=number_text(hi))
                for u, hi in zip(used, maximum, strict=True)
            ],
            horizontal=True,
        )
        ax.set_yticks(y, labels)
        ax.set_ylim(len(usage) - 0.4, -0.6)
        ax.set_xlabel(_("patients over the horizon"))
        count_axis(ax.xaxis)
        ax.set_xlim(0, max([*maximum, *used, 1]) * 1.15)
        ax.grid(axis="x")
        handles: list[Artist] = [Patch(color=BLUE, label=_("used"))]
        if LIGHT_BLUE in colours:
            handles.append(Patch(color=LIGHT_BLUE, label=_("used, out of region")))
        if ORANGE in colours:
            handles.append(Patch(color=ORANGE, label=_("used below the minimum")))
        handles.append(Patch(facecolor="#eceef1", edgecolor=GREY, label=_("room up to the maximum")))
        handles.append(
            Line2D(
                [],
                [],
                marker="|",
                linestyle="None",
                markersize=11,
                markeredgewidth=1.8,
                color="black",
                label=_("minimum"),
            )
        )
        ax.legend(
            handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(handles), fontsize=8
        )

    return draw


def channel_chart(channels: CostChannels) -> Callable[[Figure], None]:
    """The cost of each channel as a horizontal bar."""
    divisor, unit = sek_axis(max([c.cost_sek for c in channels.channels] + [0]))
    colour = {
        "own": BLUE,
        "transfer": "#4f9a94",
        "contract": "#8c6bb1",
        "out_of_region": ORANGE,
        "unused_minimum": "#9a9a9a",
    }
    places = 1 if divisor > 1 else 0

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        y = list(range(len(channels.channels)))
        values = [c.cost_sek / divisor for c in channels.channels]
        bars = ax.barh(y, values, height=0.6, color=[colour[c.kind] for c in channels.channels])
        label_bars(ax, bars, [f"{number_text(v, places)} {unit}" for v in values], horizontal=True)
        ax.set_yticks(y, [_short(c.name, 60) for c in channels.channels])
        ax.set_ylim(len(y) - 0.5, -0.5)
        ax.set_xlabel(unit)
        thousands_axis(ax.xaxis, 1.0, 0)
        ax.set_xlim(0, max([*values, 1e-9]) * 1.18)
        ax.grid(axis="x")

    return draw


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def progress_size(stages: int) -> tuple[float, float]:
    """The progress chart's size in inches: up to three stages side by side."""
    columns = min(3, stages)
    rows = -(-stages // columns)
    return (min(11.0, 3.7 * columns), 2.7 * rows)


def progress_chart(points: list[ProgressPoint], stages: list[str]) -> Callable[[Figure], None]:
    """Each stage's best value and proven bound against the seconds of its model's solve."""

    corner: dict[str, Any] = {"loc": "right", "fontsize": 8}

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
            end = decimals(seconds[-1], 2)
            if value is None:
                ax.set_title(_("no solution by {seconds} s").format(seconds=end), **corner, color=ORANGE)
            elif bound is not None and value == bound:
                ax.set_title(_("optimal at {seconds} s").format(seconds=end), **corner, color="#1e7b34")
            elif bound is not None:
                gap = percent(abs(value - bound) / max(1.0, abs(value)), 2)
                title = _("gap {gap} at {seconds} s").format(gap=gap, seconds=end)
                ax.set_title(title, **corner, color=ORANGE)
            if seconds[-1] - seconds[0] < 1e-6:  # one moment: show it within a second, not a blink
                ax.set_xlim(max(0.0, seconds[0] - 0.5), seconds[0] + 0.5)
            ax.set_xlabel(_("seconds"))
            ax.xaxis.set_major_formatter(_DecimalSignFormatter())
            ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
            thousands_axis(ax.yaxis)
            ax.grid(True)
        figure.legend(
            handles=[
                Line2D([], [], color=BLUE, marker="o", markersize=3, label=_("best value found")),
                Line2D(
                    [], [], color=ORANGE, linestyle="--", marker="o", markersize=3, label=_("proven bound")
                ),
            ],
            loc="outside upper left",
            ncol=2,
            fontsize=8,
        )

    return draw
