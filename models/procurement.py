"""The proposal of what to procure: each candidate contract's units in a plan, and what they buy.

A candidate contract (candidate_contracts.csv) is not bought yet; the plan refers patients to it
only where the region's own capacity and its existing contracts do not reach, and before sending
them out of the region (the `procured` term right after out_of_region). What the candidates buy
is measured against the over_guarantee stage solved without them (optimizer/procurement.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions
from leveransplan.models.language import _
from leveransplan.models.numbers import grouped


@dataclass(frozen=True)
class CandidateUse:
    """One candidate contract in a plan: the units referred to it, their cost, and when."""

    contract: str
    provider: str
    category: str
    out_of_region: bool
    units: int
    price_sek: int
    first_month: int | None  # month numbers 1..H; None when it is not taken up
    last_month: int | None
    most_in_a_month: int

    @property
    def cost_sek(self) -> int:
        return self.units * self.price_sek


def candidate_uses(data: VolumeData, decisions: Decisions) -> list[CandidateUse]:
    """Every candidate contract, in the scenario's order, taken up or not."""
    by_month: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (_h, c, m), units in decisions.referrals.items():
        if units and data.contracts[c].candidate:
            by_month[c][m] += units
    uses = []
    for c, contract in data.contracts.items():
        if not contract.candidate:
            continue
        months = sorted(by_month[c])
        uses.append(
            CandidateUse(
                contract=c,
                provider=contract.provider,
                category=contract.category,
                out_of_region=contract.out_of_region,
                units=sum(by_month[c].values()),
                price_sek=contract.price_sek,
                first_month=months[0] if months else None,
                last_month=months[-1] if months else None,
                most_in_a_month=max(by_month[c].values(), default=0),
            )
        )
    return uses


def describe_proposal(
    data: VolumeData, decisions: Decisions, over: int, over_without: int | None, proven: bool
) -> list[str]:
    """The proposal in words, in the reader's language: a line per candidate and one for what
    they buy together.

    `over`: the plan's patient-months beyond the guarantee; `over_without`: the over_guarantee
    stage's value without the candidates (None: not solved); `proven`: both figures proven optimal.
    """
    uses = candidate_uses(data, decisions)
    taken = [use for use in uses if use.units]
    lines = [
        _(
            "What to procure: {units} units for {cost} SEK, from {taken} of {candidates} candidate contracts."
        ).format(
            units=grouped(sum(u.units for u in taken)),
            cost=grouped(sum(u.cost_sek for u in taken)),
            taken=grouped(len(taken)),
            candidates=grouped(len(uses)),
        )
    ]
    for use in uses:
        where = _(", out of region") if use.out_of_region else ""
        if not use.units:
            lines.append(
                _("  {contract} ({provider}, {category}{where}): not taken up").format(
                    contract=use.contract, provider=use.provider, category=use.category, where=where
                )
            )
            continue
        assert use.first_month is not None and use.last_month is not None
        label = data.scenario.horizon.label
        months = label(use.first_month) + (
            "" if use.last_month == use.first_month else f"..{label(use.last_month)}"
        )
        lines.append(
            _(
                "  {contract} ({provider}, {category}{where}): {units} units at {price} SEK, {cost} SEK, "
                "{months}, at most {most} in a month"
            ).format(
                contract=use.contract,
                provider=use.provider,
                category=use.category,
                where=where,
                units=grouped(use.units),
                price=grouped(use.price_sek),
                cost=grouped(use.cost_sek),
                months=months,
                most=grouped(use.most_in_a_month),
            )
        )
    if over_without is None:
        lines.append(
            _(
                "What they buy in patient-months is not known: the plan without them was not solved "
                "(the order does not minimise over_guarantee, months are frozen, or the time ran out)."
            )
        )
    else:
        note = "" if proven else _(" (not proven: a stage stopped on the time limit)")
        lines.append(
            _(
                "Together they buy {removed} patient-months beyond the guarantee: {without} without them, "
                "{with_them} with them{note}."
            ).format(
                removed=grouped(over_without - over),
                without=grouped(over_without),
                with_them=grouped(over),
                note=note,
            )
        )
    return lines
