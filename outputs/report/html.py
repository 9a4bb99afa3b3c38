"""The report page's HTML: its style sheet, numbers as the page sets them, tables and cards."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

from leveransplan.models.language import _, current_language
from leveransplan.models.numbers import typeset

CSS = """
.illustrative { background: #fff4e5; border: 1px solid #d9822b; padding: 0.5em 0.8em; }
@media print { .illustrative { position: fixed; top: 0; left: 0; right: 0; margin: 0; }
  main { padding-top: 3em; } }
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
table.decision tr.area td { font-weight: 600; background: #eef2f6; }
table.decision tr.kind td { font-weight: 600; }
table.decision tr.category td:first-child { padding-left: 22px; }
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


def number_text(value: Any, decimals: int = 0) -> str:
    """A number with a no-break space between thousands, as the CLI prints them; '–' for none."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return typeset(value, decimals)


def figure_text(text: str) -> str:
    """A figure as a CSV file writes it ('3.25', '-4') as the page sets it, with its own number of
    decimals ('3,25' in Swedish); text that is no figure, as it is."""
    plain = text.strip()
    try:
        value = float(plain)
    except ValueError:
        return text
    if not plain.lstrip("+-").replace(".", "", 1).isdigit():
        return text  # 'nan', 'inf', '1e3': not a figure as the plan files write them
    places = len(plain.partition(".")[2])
    return typeset(value, places)


def sek_axis(total: float) -> tuple[float, str]:
    """Divisor and unit for an axis of SEK: millions from 10 million up, else SEK."""
    return (1e6, _("MSEK")) if total >= 10_000_000 else (1.0, _("SEK"))


def escaped(text: Any) -> str:
    """`text` as HTML text, quotes included, so a code from a CSV file cannot become markup."""
    return html.escape(str(text), quote=True)


def html_table(
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
            text = number_text(value)
        else:
            text = escaped(value)
        return f'<{tag} class="num">{text}</{tag}>' if num else f"<{tag}>{text}</{tag}>"

    def line(tag: str, cells: Sequence[Any], css: str = "") -> str:
        return f"<tr{css}>" + "".join(cell(tag, c, n) for c, n in zip(cells, numeric, strict=True)) + "</tr>"

    body = [line("td", r) for r in rows]
    if total is not None:
        body.append(line("td", total, ' class="total"'))
    return f"<table><thead>{line('th', header)}</thead><tbody>{''.join(body)}</tbody></table>"


def cards_html(items: Sequence[tuple[str, str]]) -> str:
    """Headline figures as a row of cards, each a value over its label."""
    cards = "".join(
        f'<div class="card"><div class="value">{escaped(v)}</div><div class="label">{escaped(k)}</div></div>'
        for k, v in items
    )
    return f'<div class="cards">{cards}</div>'


def html_document(title: str, sections: Sequence[str], footer: str) -> str:
    """A self-contained page in the current language: `title`, its sections and a footer (HTML)."""
    return (
        f'<!DOCTYPE html>\n<html lang="{current_language()}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escaped(title)}</title>\n<style>{CSS}</style>\n</head>\n"
        f"<body><main>\n{chr(10).join(sections)}\n<footer>{footer}</footer>\n</main></body>\n</html>\n"
    )


def element(tag: str, text: str, css: str | None = None) -> str:
    """`text`, escaped, as an element of the page: element("p", "No change.", "note")."""
    attribute = "" if css is None else f' class="{css}"'
    return f"<{tag}{attribute}>{escaped(text)}</{tag}>"
