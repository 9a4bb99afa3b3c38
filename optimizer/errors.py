"""What a solve can end in besides a plan, the same for every model (volumes, AT, placements)."""

from __future__ import annotations


class Infeasible(Exception):
    """No plan obeys every rule of the model (for example a budget below the take-or-pay minimums).

    `model` names the model ("volumes", "at" or "placements") once the scenario's solve knows it,
    so that a caller can look for the rules that clash in that model.
    """

    def __init__(self, message: str, model: str | None = None) -> None:
        super().__init__(message)
        self.model = model


class NoPlanInTime(Exception):
    """The time limit ran out before any plan was found."""


def reason_of(error: Exception) -> str:
    """An error's reason as raised: a `Words` stays one (English as a string, so summary.json's
    not_solved is the same in every language; the reader's language where it is printed)."""
    first = error.args[0] if error.args else ""
    return first if isinstance(first, str) else str(error)
