"""Figures as a Swedish reader writes them: thousands grouped by a space (1 234 567)."""

from __future__ import annotations


def grouped(value: int) -> str:
    """An integer with its thousands grouped by spaces: 1234567 -> '1 234 567'."""
    return f"{value:,}".replace(",", " ")


def signed(value: int) -> str:
    """A change with its sign and thousands grouped: 1234 -> '+1 234', -5 -> '-5'."""
    return f"{value:+,}".replace(",", " ")


def decimals(value: float, places: int = 1) -> str:
    """A figure with `places` decimals and its thousands grouped: 1234.56 -> '1 234.6'."""
    return f"{value:,.{places}f}".replace(",", " ")


def msek(value: int, digits: str = ".1f") -> str:
    """SEK as millions, grouped: 1234567890 -> '1 234.6' (format `digits`, default one decimal)."""
    return f"{value / 1e6:,{digits}}".replace(",", " ")


def typeset(value: float, decimals: int = 0) -> str:
    """A figure as a page sets it: `decimals` decimals, thousands split by a no-break space and a
    true minus sign; a value that rounds to zero has none: -1234.5 -> '−1 234', -0.01 -> '0'."""
    text = f"{value:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":
        text = text.lstrip("-")  # no "−0"
    return text.replace(",", "\u00a0").replace("-", "\u2212")
