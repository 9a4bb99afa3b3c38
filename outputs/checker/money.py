"""The volume plan's money: prices of transfers and referrals, contract_usage.csv, the budget and
each hospital's frame.

Each rule family is one function (its docstring starts with the rule) over what
volume_figures.VolumeCheck holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from leveransplan.models.language import _
from leveransplan.models.numbers import grouped
from leveransplan.outputs.checker.files import SUMMARY
from leveransplan.outputs.checker.summary import one_row_each
from leveransplan.outputs.checker.volume_figures import VolumeCheck, additional_price, external
from leveransplan.outputs.checker.volume_files import DELIVERY, PRODUCTION, USAGE


def flow_prices(c: VolumeCheck) -> Iterator[str]:
    """Hard: a transfer costs the receiver's additional price, a referral its contract's price."""
    for f in c.plan.flows:
        where = _("{file} row {row}").format(file=DELIVERY, row=f.row)
        if f.channel == "transfer" and f.provider in c.hospitals:
            price = additional_price(c.data, f.provider, f.category)
            price_class = c.data.price_class[f.category]
            if price is None:
                yield _("{where}: {provider} has no additional price for {price_class} in prices.csv").format(
                    where=where, provider=f.provider, price_class=price_class
                )
            elif f.unit_price_sek != price:
                yield (
                    _(
                        "{where}: unit_price_sek {unit_price_sek}, but {provider}'s additional price for "
                        "{price_class} is {price}"
                    ).format(
                        where=where,
                        unit_price_sek=grouped(f.unit_price_sek),
                        provider=f.provider,
                        price_class=price_class,
                        price=grouped(price),
                    )
                )
        elif external(f, c.data):
            price = c.data.contracts[f.contract].price_sek
            if f.unit_price_sek != price:
                yield (
                    _(
                        "{where}: unit_price_sek {unit_price_sek}, but contract {contract}'s price_sek is "
                        "{price}"
                    ).format(
                        where=where,
                        unit_price_sek=grouped(f.unit_price_sek),
                        contract=f.contract,
                        price=grouped(price),
                    )
                )
        if f.cost_sek != f.volume * f.unit_price_sek:
            yield (
                _(
                    "{where}: cost_sek {cost_sek} is not volume {volume} × unit_price_sek "
                    "{unit_price_sek} = {value}"
                ).format(
                    where=where,
                    cost_sek=grouped(f.cost_sek),
                    volume=grouped(f.volume),
                    unit_price_sek=grouped(f.unit_price_sek),
                    value=grouped(f.volume * f.unit_price_sek),
                )
            )


def contract_usage_consistent(c: VolumeCheck) -> Iterator[str]:
    """Hard: contract_usage.csv matches contracts.csv and the plan's referrals; unused minimums are paid."""
    found, data = c.found, c.data
    yield from one_row_each(
        USAGE,
        ((line.row, line.contract) for line in c.plan.usage),
        data.contracts,
        lambda code: _("contract {code}").format(code=code),
        _("one row per contract of contracts.csv"),
    )
    for line in c.plan.usage:
        contract = data.contracts[line.contract]
        where = _("{file} row {row}").format(file=USAGE, row=line.row)
        for column in ("provider", "category", "volume_min", "volume_max"):
            written, expected = getattr(line, column), getattr(contract, column)
            if written != expected:
                yield _(
                    "{where}: {column} {written}, but contracts.csv has {expected} for {contract}"
                ).format(
                    where=where, column=column, written=written, expected=expected, contract=line.contract
                )
        used = found.contract_used.get(line.contract, 0)
        unused = max(0, contract.volume_min - used)
        cost = (used + unused) * contract.price_sek
        if line.used != used:
            yield (
                _("{where}: used {used}, but {file} refers {used2} to {contract}").format(
                    where=where,
                    used=grouped(line.used),
                    file=DELIVERY,
                    used2=grouped(used),
                    contract=line.contract,
                )
            )
        if line.unused_min != unused:
            yield (
                _(
                    "{where}: unused_min {unused_min}, but max(0, volume_min {volume_min} - used {used}) "
                    "= {unused}"
                ).format(
                    where=where,
                    unused_min=grouped(line.unused_min),
                    volume_min=grouped(contract.volume_min),
                    used=grouped(used),
                    unused=grouped(unused),
                )
            )
        if line.cost_sek != cost:
            yield (
                _(
                    "{where}: cost_sek {cost_sek}, but (used {used} + unused_min {unused}) × price_sek "
                    "{price_sek} = {cost}"
                ).format(
                    where=where,
                    cost_sek=grouped(line.cost_sek),
                    used=grouped(used),
                    unused=grouped(unused),
                    price_sek=grouped(contract.price_sek),
                    cost=grouped(cost),
                )
            )


def budget(c: VolumeCheck) -> Iterator[str]:
    """Hard: when scenario.toml gives max_cost_sek, the plan's cost stays within it."""
    cap = c.data.scenario.max_cost_sek
    cost = c.found.terms["cost"]
    if cap is not None and cost > cap:
        yield (
            _(
                "{file}, {file2} and {file3}: the plan costs {cost} SEK (additional units, transfers, "
                "referrals and unused contract minimums), above the budget max_cost_sek {cap} SEK"
            ).format(file=DELIVERY, file2=PRODUCTION, file3=USAGE, cost=grouped(cost), cap=grouped(cap))
        )


def frames(c: VolumeCheck) -> Iterator[str]:
    """Hard: what the plan spends on each hospital's patients stays within its frame_sek, and
    summary.json states each hospital's frame as hospitals.csv gives it."""
    for h, frame in c.data.frames.items():
        spend = c.found.hospital[h]["cost_sek"]
        if spend > frame:
            yield (
                _(
                    "{file} and {file2}: the plan spends {spend} SEK on {h}'s patients (its additional "
                    "units, its patients' transfers and referrals), {value} SEK above its frame_sek "
                    "{frame} SEK in hospitals.csv"
                ).format(
                    file=DELIVERY,
                    file2=PRODUCTION,
                    spend=grouped(spend),
                    h=h,
                    value=grouped(spend - frame),
                    frame=grouped(frame),
                )
            )
    summary = c.plan.summary
    if summary is None or summary.hospitals is None:
        return
    for h in summary.hospitals:  # a hospital without an entry is reported by _parse_hospitals
        expected = c.data.frames.get(h)
        if h not in summary.frames:
            if expected is not None:
                yield (
                    _(
                        "{file} volumes.hospitals ({h}): no frame_sek, but hospitals.csv gives {h} a "
                        "frame of {expected} SEK"
                    ).format(file=SUMMARY, h=h, expected=grouped(expected))
                )
            continue
        written = summary.frames[h]
        if written != expected:
            said = "null" if written is None else grouped(written)
            gives = (
                _("no frame (null)")
                if expected is None
                else _("{expected} SEK").format(expected=grouped(expected))
            )
            yield _(
                "{file} volumes.hospitals ({h}).frame_sek: {said}, but hospitals.csv gives {gives}"
            ).format(file=SUMMARY, h=h, said=said, gives=gives)
