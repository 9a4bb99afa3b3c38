"""The volume plan's flows and capacities: rows complete, units within capacity, transfers and
referrals allowed, contracts within their limits, and the waiting list carried month to month.

Each rule family is one function (its docstring starts with the rule) over what
volume_figures.VolumeCheck holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from leveransplan.models.derived import VolumeData
from leveransplan.models.language import _
from leveransplan.models.numbers import grouped
from leveransplan.outputs.checker.files import file_rows
from leveransplan.outputs.checker.volume_figures import Recomputed, VolumeCheck
from leveransplan.outputs.checker.volume_files import DELIVERY, PRODUCTION, Key


def unique_delivery_flows(c: VolumeCheck) -> Iterator[str]:
    """Hard: each referral flow has one delivery_plan.csv row, with a non-zero volume."""
    first: dict[tuple[int, str, str, str, str, str], int] = {}
    for f in c.plan.flows:
        key = (f.month, f.hospital, f.category, f.channel, f.provider, f.contract)
        if key in first:
            yield (
                _(
                    "{file} row {row}: repeats the flow of row {key} (same month, hospital, category, "
                    "channel, provider and contract); each flow has one row"
                ).format(file=DELIVERY, row=f.row, key=first[key])
            )
        else:
            first[key] = f.row
        if f.volume == 0:
            yield _("{file} row {row}: volume 0; the delivery plan lists only non-zero flows").format(
                file=DELIVERY, row=f.row
            )


def production_rows_complete(c: VolumeCheck) -> Iterator[str]:
    """Hard: production_plan.csv has one row per month for each hospital and category with a need."""
    required = {(h, k, m) for h, k in c.data.pairs for m in c.data.months}
    seen: dict[Key, int] = {}
    for line in c.plan.production:
        if line.key not in required:
            yield (
                _(
                    "{file} row {row}: {hospital} has no need.csv or own_volumes.csv row for {category}, "
                    "so production_plan.csv has no rows for it"
                ).format(file=PRODUCTION, row=line.row, hospital=line.hospital, category=line.category)
            )
        elif line.key in seen:
            what = f"{line.hospital}, {line.category}, {c.label(line.month)}"
            yield _("{file} row {row}: repeats row {seen} ({what})").format(
                file=PRODUCTION, row=line.row, seen=seen[line.key], what=what
            )
        else:
            seen[line.key] = line.row
    for h, k in c.data.pairs:
        for m in c.data.months:
            if (h, k, m) not in seen:
                yield (
                    _(
                        "{file}: no row for {h}, {k}, {label}; every month of every hospital and category "
                        "with a need or own_volumes row has one"
                    ).format(file=PRODUCTION, h=h, k=k, label=c.label(m))
                )


def base_capacity(c: VolumeCheck) -> Iterator[str]:
    """Hard: base units used stay within the month's base capacity, b <= B[h,k,m]."""
    for key, line in c.found.production.items():
        capacity = c.data.base_capacity.get(key, 0)
        if line.base_used > capacity:
            yield (
                _(
                    "{file} row {row}: {hospital} used {base_used} base units of {category} in {label}, "
                    "above its base capacity {capacity} that month"
                ).format(
                    file=PRODUCTION,
                    row=line.row,
                    hospital=line.hospital,
                    base_used=grouped(line.base_used),
                    category=line.category,
                    label=c.label(line.month),
                    capacity=grouped(capacity),
                )
            )


def additional_capacity(c: VolumeCheck) -> Iterator[str]:
    """Hard: a hospital's additional units, for itself and for others, fit its offered capacity."""
    found, capacities = c.found, c.data.additional_capacity
    above = [
        key
        for key in set(found.own) | set(found.into)
        if found.own.get(key, 0) + found.into.get(key, 0) > capacities.get(key, 0)
    ]
    for key in sorted(above):
        g, k, m = key
        own, into = found.own.get(key, 0), found.into.get(key, 0)
        capacity = capacities.get(key, 0)
        line = found.production.get(key)
        if line is not None:
            yield (
                _(
                    "{file} row {row}: {g} produces {own} additional units of {k} for its own patients "
                    "and {into} for other hospitals' patients in {label}, {value} in all, above its "
                    "additional capacity {capacity} that month"
                ).format(
                    file=PRODUCTION,
                    row=line.row,
                    g=g,
                    own=grouped(own),
                    k=k,
                    into=grouped(into),
                    label=c.label(m),
                    value=grouped(own + into),
                    capacity=grouped(capacity),
                )
            )
        else:
            yield (
                _(
                    "{rows}: {into} patients transferred to {g} in {k} in {label}, above {g}'s additional "
                    "capacity {capacity} that month"
                ).format(
                    rows=file_rows(DELIVERY, found.into_rows[key]),
                    into=grouped(into),
                    g=g,
                    k=k,
                    label=c.label(m),
                    capacity=grouped(capacity),
                )
            )
    for key, line in found.production.items():
        into = found.into.get(key, 0)
        if line.additional_for_others != into:
            yield (
                _(
                    "{file} row {row}: additional_for_others {additional_for_others}, but {file2} "
                    "transfers {into} patients into {hospital} in {category} in {label}"
                ).format(
                    file=PRODUCTION,
                    row=line.row,
                    additional_for_others=grouped(line.additional_for_others),
                    file2=DELIVERY,
                    into=grouped(into),
                    hospital=line.hospital,
                    category=line.category,
                    label=c.label(line.month),
                )
            )


def transfers_allowed(c: VolumeCheck) -> Iterator[str]:
    """Hard: a transfer goes to another of the region's hospitals that access.csv allows."""
    for f in c.plan.flows:
        if f.channel != "transfer":
            continue
        where = _("{file} row {row}").format(file=DELIVERY, row=f.row)
        if f.contract:
            yield _("{where}: a transfer has no contract, but contract is {contract}").format(
                where=where, contract=repr(f.contract)
            )
        if f.provider not in c.hospitals:
            yield _("{where}: transfer to {provider}, which is not a hospital in hospitals.csv").format(
                where=where, provider=repr(f.provider)
            )
        elif f.provider == f.hospital:
            yield _(
                "{where}: transfer from {hospital} to itself; a transfer goes to another hospital"
            ).format(where=where, hospital=f.hospital)
        elif not c.data.allowed(f.hospital, f.provider):
            yield _(
                "{where}: transfer of {hospital}'s patients to {provider}, not allowed by access.csv"
            ).format(where=where, hospital=f.hospital, provider=f.provider)


def external_referrals_allowed(c: VolumeCheck) -> Iterator[str]:
    """Hard: a referral uses a contract of its category, in the contract's months, to an allowed provider."""
    horizon = c.data.scenario.horizon
    for f in c.plan.flows:
        if f.channel != "external":
            continue
        where = _("{file} row {row}").format(file=DELIVERY, row=f.row)
        contract = c.data.contracts.get(f.contract)
        if contract is None:
            yield _(
                "{where}: external referral to contract {contract}, which is not in contracts.csv"
            ).format(where=where, contract=repr(f.contract))
            continue
        if f.provider != contract.provider:
            yield _("{where}: provider {provider} is not the provider {provider2} of {contract}").format(
                where=where, provider=repr(f.provider), provider2=contract.provider, contract=f.contract
            )
        if f.category != contract.category:
            yield _("{where}: category {category} is not the category {category2} of {contract}").format(
                where=where, category=f.category, category2=contract.category, contract=f.contract
            )
        if f.month not in c.data.contract_months[f.contract]:
            first = contract.first_month or horizon.start
            last = contract.last_month or horizon.label(horizon.length)
            yield (
                _(
                    "{where}: referral to contract {contract} in {label}, outside the contract's months "
                    "{first}..{last}"
                ).format(where=where, contract=f.contract, label=c.label(f.month), first=first, last=last)
            )
        if not c.data.allowed(f.hospital, contract.provider):
            yield (
                _(
                    "{where}: referral of {hospital}'s patients to provider {provider}, which access.csv "
                    "does not allow"
                ).format(where=where, hospital=f.hospital, provider=contract.provider)
            )


def contract_limits(c: VolumeCheck) -> Iterator[str]:
    """Hard: a contract's referrals stay within volume_max in all and monthly_max in each month."""
    found = c.found
    for code, contract in c.data.contracts.items():
        used = found.contract_used.get(code, 0)
        if used > contract.volume_max:
            yield (
                _("{rows}: contract {code} used {used} in all, above its volume_max {volume_max}").format(
                    rows=file_rows(DELIVERY, found.contract_rows[code]),
                    code=code,
                    used=grouped(used),
                    volume_max=grouped(contract.volume_max),
                )
            )
        if contract.monthly_max is None:
            continue
        for m in c.data.months:
            month_used = found.contract_month.get((code, m), 0)
            if month_used > contract.monthly_max:
                yield (
                    _(
                        "{rows}: contract {code} took {month_used} referrals in {label}, above its "
                        "monthly_max {monthly_max}"
                    ).format(
                        rows=file_rows(DELIVERY, found.contract_month_rows[code, m]),
                        code=code,
                        month_used=grouped(month_used),
                        label=c.label(m),
                        monthly_max=grouped(contract.monthly_max),
                    )
                )


def _derivation(found: Recomputed, data: VolumeData, key: Key, start: str, before: int) -> str:
    """How a month's waiting list follows from the month before, for a message."""
    return _(
        "{start} {before} + inflow {inflow} - base {base} - additional {additional} - transferred "
        "{transferred} - referred {referred}"
    ).format(
        start=start,
        before=grouped(before),
        inflow=grouped(data.inflow.get(key, 0)),
        base=grouped(found.base[key]),
        additional=grouped(found.own[key]),
        transferred=grouped(found.transferred[key]),
        referred=grouped(found.referred[key]),
    )


def waiting_list_balance(c: VolumeCheck) -> Iterator[str]:
    """Hard: the waiting list carries over month to month and never goes negative; over = max(0, w - L)."""
    found, data = c.found, c.data
    for h, k in found.balance_pairs:
        limit = data.limit.get((h, k), 0)
        before, start = data.waiting.get((h, k), 0), _("start")
        for m in data.months:
            key = (h, k, m)
            level = found.waiting[key]
            line = found.production.get(key)
            if level < 0:
                where = (
                    _("{file} row {row}").format(file=PRODUCTION, row=line.row)
                    if line
                    else file_rows(DELIVERY, found.out_rows[key])
                )
                yield (
                    _(
                        "{where}: the waiting list of {h} in {k} would end {label} at {level} "
                        "({derivation}); more patients are treated than are waiting"
                    ).format(
                        where=where,
                        h=h,
                        k=k,
                        label=c.label(m),
                        level=grouped(level),
                        derivation=_derivation(found, data, key, start, before),
                    )
                )
            if line is not None and line.waiting_end != level:
                yield (
                    _(
                        "{file} row {row}: waiting_end {waiting_end}, but the waiting list of {h} in {k} "
                        "at the end of {label} is {level} ({derivation})"
                    ).format(
                        file=PRODUCTION,
                        row=line.row,
                        waiting_end=grouped(line.waiting_end),
                        h=h,
                        k=k,
                        label=c.label(m),
                        level=grouped(level),
                        derivation=_derivation(found, data, key, start, before),
                    )
                )
            if line is not None and line.over_guarantee != max(0, level - limit):
                yield (
                    _(
                        "{file} row {row}: over_guarantee {over_guarantee}, but patients beyond the "
                        "guarantee are max(0, {level} - L {limit}) = {max}"
                    ).format(
                        file=PRODUCTION,
                        row=line.row,
                        over_guarantee=grouped(line.over_guarantee),
                        level=grouped(level),
                        limit=grouped(limit),
                        max=grouped(max(0, level - limit)),
                    )
                )
            before, start = level, _("previous month's")
