"""The volume plan's money: prices of transfers and referrals, contract_usage.csv, the budget and
each hospital's frame.

Each rule family is one function (its docstring starts with the rule) over what
volume_figures.VolumeCheck holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from leveransplan.models.numbers import grouped
from leveransplan.outputs.checker.files import SUMMARY
from leveransplan.outputs.checker.summary import one_row_each
from leveransplan.outputs.checker.volume_figures import VolumeCheck, additional_price, external
from leveransplan.outputs.checker.volume_files import DELIVERY, PRODUCTION, USAGE


def flow_prices(c: VolumeCheck) -> Iterator[str]:
    """Hard: a transfer costs the receiver's additional price, a referral its contract's price."""
    for f in c.plan.flows:
        where = f"{DELIVERY} row {f.row}"
        if f.channel == "transfer" and f.provider in c.hospitals:
            price = additional_price(c.data, f.provider, f.category)
            price_class = c.data.price_class[f.category]
            if price is None:
                yield f"{where}: {f.provider} has no additional price for {price_class} in prices.csv"
            elif f.unit_price_sek != price:
                yield (
                    f"{where}: unit_price_sek {grouped(f.unit_price_sek)}, but {f.provider}'s additional "
                    f"price for {price_class} is {grouped(price)}"
                )
        elif external(f, c.data):
            price = c.data.contracts[f.contract].price_sek
            if f.unit_price_sek != price:
                yield (
                    f"{where}: unit_price_sek {grouped(f.unit_price_sek)}, but contract {f.contract}'s "
                    f"price_sek is {grouped(price)}"
                )
        if f.cost_sek != f.volume * f.unit_price_sek:
            yield (
                f"{where}: cost_sek {grouped(f.cost_sek)} is not volume {grouped(f.volume)} × unit_price_sek "
                f"{grouped(f.unit_price_sek)} = {grouped(f.volume * f.unit_price_sek)}"
            )


def contract_usage_consistent(c: VolumeCheck) -> Iterator[str]:
    """Hard: contract_usage.csv matches contracts.csv and the plan's referrals; unused minimums are paid."""
    found, data = c.found, c.data
    yield from one_row_each(
        USAGE,
        ((line.row, line.contract) for line in c.plan.usage),
        data.contracts,
        lambda code: f"contract {code}",
        "one row per contract of contracts.csv",
    )
    for line in c.plan.usage:
        contract = data.contracts[line.contract]
        where = f"{USAGE} row {line.row}"
        for column in ("provider", "category", "volume_min", "volume_max"):
            written, expected = getattr(line, column), getattr(contract, column)
            if written != expected:
                yield f"{where}: {column} {written}, but contracts.csv has {expected} for {line.contract}"
        used = found.contract_used.get(line.contract, 0)
        unused = max(0, contract.volume_min - used)
        cost = (used + unused) * contract.price_sek
        if line.used != used:
            yield (
                f"{where}: used {grouped(line.used)}, but {DELIVERY} refers {grouped(used)} to "
                f"{line.contract}"
            )
        if line.unused_min != unused:
            yield (
                f"{where}: unused_min {grouped(line.unused_min)}, but max(0, volume_min "
                f"{grouped(contract.volume_min)}"
                f" - used {grouped(used)}) = {grouped(unused)}"
            )
        if line.cost_sek != cost:
            yield (
                f"{where}: cost_sek {grouped(line.cost_sek)}, but (used {grouped(used)} + unused_min "
                f"{grouped(unused)}) "
                f"× price_sek {grouped(contract.price_sek)} = {grouped(cost)}"
            )


def budget(c: VolumeCheck) -> Iterator[str]:
    """Hard: when scenario.toml gives max_cost_sek, the plan's cost stays within it."""
    cap = c.data.scenario.max_cost_sek
    cost = c.found.terms["cost"]
    if cap is not None and cost > cap:
        yield (
            f"{DELIVERY}, {PRODUCTION} and {USAGE}: the plan costs {grouped(cost)} SEK (additional units, "
            "transfers, referrals and unused contract minimums), above the budget max_cost_sek "
            f"{grouped(cap)} SEK"
        )


def frames(c: VolumeCheck) -> Iterator[str]:
    """Hard: what the plan spends on each hospital's patients stays within its frame_sek, and
    summary.json states each hospital's frame as hospitals.csv gives it."""
    for h, frame in c.data.frames.items():
        spend = c.found.hospital[h]["cost_sek"]
        if spend > frame:
            yield (
                f"{DELIVERY} and {PRODUCTION}: the plan spends {grouped(spend)} SEK on {h}'s patients (its "
                f"additional units, its patients' transfers and referrals), {grouped(spend - frame)} SEK "
                f"above its frame_sek {grouped(frame)} SEK in hospitals.csv"
            )
    summary = c.plan.summary
    if summary is None or summary.hospitals is None:
        return
    for h in summary.hospitals:  # a hospital without an entry is reported by _parse_hospitals
        expected = c.data.frames.get(h)
        if h not in summary.frames:
            if expected is not None:
                yield (
                    f"{SUMMARY} volumes.hospitals ({h}): no frame_sek, but hospitals.csv gives {h} a frame "
                    f"of {grouped(expected)} SEK"
                )
            continue
        written = summary.frames[h]
        if written != expected:
            said = "null" if written is None else grouped(written)
            gives = "no frame (null)" if expected is None else f"{grouped(expected)} SEK"
            yield f"{SUMMARY} volumes.hospitals ({h}).frame_sek: {said}, but hospitals.csv gives {gives}"
