"""Figures as the reader's language writes them.

Swedish (the default) is Babel's sv_SE: thousands split by a no-break space and a decimal comma
(1 234 567,5; -5; 0,5 %); the terminal and the workbooks keep the plain minus sign, and a page
sets a true one (`typeset`). English keeps the region's grouping by spaces, as
SI writes it, with a decimal point (1 234 567.5; 0.5 %), so a figure reads the same in both
languages but for its decimal sign. Machine files never use these: they write plain numbers.
"""

from __future__ import annotations

from babel.numbers import format_decimal

from leveransplan.models.language import current_language

_SWEDISH = "sv_SE"


def _pattern(places: int, sign: bool = False) -> str:
    body = "#,##0" + ("." + "0" * places if places > 0 else "")
    return f"+{body};-{body}" if sign else body


def _format(value: float, places: int, sign: bool = False) -> str:
    if current_language() == "sv":
        return format_decimal(value, format=_pattern(places, sign), locale=_SWEDISH)
    text = f"{value:{'+' if sign else ''},.{places}f}"
    return text.replace(",", " ")


def grouped(value: int) -> str:
    """An integer with its thousands grouped: 1234567 -> '1 234 567'."""
    return _format(value, 0)


def signed(value: int) -> str:
    """A change with its sign and thousands grouped: 1234 -> '+1 234', -5 -> '-5' ('−5' in Swedish)."""
    return _format(value, 0, sign=True)


def decimals(value: float, places: int = 1) -> str:
    """A figure with `places` decimals and its thousands grouped: 1234.56 -> '1 234.6' ('1 234,6')."""
    return _format(value, places)


def msek(value: int, digits: str = ".1f") -> str:
    """SEK as millions, grouped: 1234567890 -> '1 234.6' (format `digits`, default one decimal)."""
    if not digits.endswith("f"):  # a general format ('.6g'): as Python writes it, with its decimal sign
        text = f"{value / 1e6:{digits}}"
        return text.replace(".", ",") if current_language() == "sv" else text
    return _format(value / 1e6, int(digits.strip(".f") or 0))


def percent(value: float, places: int = 1) -> str:
    """A share (0.005) as a percentage with a space before the sign: '0.5 %' ('0,5 %')."""
    return f"{_format(value * 100, places)}\u00a0%"


def typeset(value: float, decimals: int = 0) -> str:
    """A figure as a page sets it: `decimals` decimals, thousands split by a no-break space and a
    true minus sign; a value that rounds to zero has none: -1234.5 -> '−1 234', -0.01 -> '0'."""
    text = f"{value:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # no "−0"
    text = text.replace(",", "\u00a0").replace("-", "\u2212")
    return text.replace(".", ",") if current_language() == "sv" else text
