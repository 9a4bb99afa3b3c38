"""What a solve can end in besides a plan, the same for every model (volumes, AT, placements)."""

from __future__ import annotations


class Infeasible(Exception):
    """No plan obeys every rule of the model (for example a budget below the take-or-pay minimums)."""


class NoPlanInTime(Exception):
    """The time limit ran out before any plan was found."""
