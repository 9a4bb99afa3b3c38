"""Figures as a Swedish reader writes them: thousands grouped by a space (1 234 567)."""

from __future__ import annotations


def grouped(value: int) -> str:
    """An integer with its thousands grouped by spaces: 1234567 -> '1 234 567'."""
    return f"{value:,}".replace(",", " ")


def signed(value: int) -> str:
    """A change with its sign and thousands grouped: 1234 -> '+1 234', -5 -> '-5'."""
    return f"{value:+,}".replace(",", " ")


def msek(value: int, digits: str = ".1f") -> str:
    """SEK as millions, grouped: 1234567890 -> '1 234.6' (format `digits`, default one decimal)."""
    return f"{value / 1e6:,{digits}}".replace(",", " ")
