"""Outcomes reported during the year, to follow a plan up and to re-plan from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Performed:
    """What a hospital performed in a category and month, and its waiting list at the month's end."""

    row: int
    hospital: str
    category: str
    month: str
    performed: int
    waiting_end: int


@dataclass(frozen=True)
class Delivered:
    """Referrals a hospital delivered to a provider (a hospital or a contract's provider) in a month."""

    row: int
    hospital: str
    category: str
    provider: str
    month: str
    referrals: int
