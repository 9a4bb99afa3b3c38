"""The volume plan's flows and capacities: rows complete, units within capacity, transfers and
referrals allowed, contracts within their limits, and the waiting list carried month to month.

Each rule family is one function (its docstring starts with the rule) over what
volume_figures.VolumeCheck holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from leveransplan.models.derived import VolumeData
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
                f"{DELIVERY} row {f.row}: repeats the flow of row {first[key]} (same month, hospital, "
                "category, channel, provider and contract); each flow has one row"
            )
        else:
            first[key] = f.row
        if f.volume == 0:
            yield f"{DELIVERY} row {f.row}: volume 0; the delivery plan lists only non-zero flows"


def production_rows_complete(c: VolumeCheck) -> Iterator[str]:
    """Hard: production_plan.csv has one row per month for each hospital and category with a need."""
    required = {(h, k, m) for h, k in c.data.pairs for m in c.data.months}
    seen: dict[Key, int] = {}
    for line in c.plan.production:
        if line.key not in required:
            yield (
                f"{PRODUCTION} row {line.row}: {line.hospital} has no need.csv or own_volumes.csv row for "
                f"{line.category}, so production_plan.csv has no rows for it"
            )
        elif line.key in seen:
            what = f"{line.hospital}, {line.category}, {c.label(line.month)}"
            yield f"{PRODUCTION} row {line.row}: repeats row {seen[line.key]} ({what})"
        else:
            seen[line.key] = line.row
    for h, k in c.data.pairs:
        for m in c.data.months:
            if (h, k, m) not in seen:
                yield (
                    f"{PRODUCTION}: no row for {h}, {k}, {c.label(m)}; every month of every hospital and "
                    "category with a need or own_volumes row has one"
                )


def base_capacity(c: VolumeCheck) -> Iterator[str]:
    """Hard: base units used stay within the month's base capacity, b <= B[h,k,m]."""
    for key, line in c.found.production.items():
        capacity = c.data.base_capacity.get(key, 0)
        if line.base_used > capacity:
            yield (
                f"{PRODUCTION} row {line.row}: {line.hospital} used {grouped(line.base_used)} base units "
                f"of {line.category} in {c.label(line.month)}, above its base capacity {grouped(capacity)} "
                "that month"
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
                f"{PRODUCTION} row {line.row}: {g} produces {grouped(own)} additional units of {k} for its "
                f"own patients and {grouped(into)} for other hospitals' patients in {c.label(m)}, "
                f"{grouped(own + into)} in all, above its additional capacity {grouped(capacity)} that "
                "month"
            )
        else:
            yield (
                f"{file_rows(DELIVERY, found.into_rows[key])}: {grouped(into)} patients transferred to {g} "
                f"in {k} in {c.label(m)}, above {g}'s additional capacity {grouped(capacity)} that month"
            )
    for key, line in found.production.items():
        into = found.into.get(key, 0)
        if line.additional_for_others != into:
            yield (
                f"{PRODUCTION} row {line.row}: additional_for_others "
                f"{grouped(line.additional_for_others)}, but "
                f"{DELIVERY} transfers {grouped(into)} patients into {line.hospital} in {line.category} in "
                f"{c.label(line.month)}"
            )


def transfers_allowed(c: VolumeCheck) -> Iterator[str]:
    """Hard: a transfer goes to another of the region's hospitals that access.csv allows."""
    for f in c.plan.flows:
        if f.channel != "transfer":
            continue
        where = f"{DELIVERY} row {f.row}"
        if f.contract:
            yield f"{where}: a transfer has no contract, but contract is {f.contract!r}"
        if f.provider not in c.hospitals:
            yield f"{where}: transfer to {f.provider!r}, which is not a hospital in hospitals.csv"
        elif f.provider == f.hospital:
            yield f"{where}: transfer from {f.hospital} to itself; a transfer goes to another hospital"
        elif not c.data.allowed(f.hospital, f.provider):
            yield f"{where}: transfer of {f.hospital}'s patients to {f.provider}, not allowed by access.csv"


def external_referrals_allowed(c: VolumeCheck) -> Iterator[str]:
    """Hard: a referral uses a contract of its category, in the contract's months, to an allowed provider."""
    horizon = c.data.scenario.horizon
    for f in c.plan.flows:
        if f.channel != "external":
            continue
        where = f"{DELIVERY} row {f.row}"
        contract = c.data.contracts.get(f.contract)
        if contract is None:
            yield f"{where}: external referral to contract {f.contract!r}, which is not in contracts.csv"
            continue
        if f.provider != contract.provider:
            yield f"{where}: provider {f.provider!r} is not the provider {contract.provider} of {f.contract}"
        if f.category != contract.category:
            yield f"{where}: category {f.category} is not the category {contract.category} of {f.contract}"
        if f.month not in c.data.contract_months[f.contract]:
            first = contract.first_month or horizon.start
            last = contract.last_month or horizon.label(horizon.length)
            yield (
                f"{where}: referral to contract {f.contract} in {c.label(f.month)}, outside the contract's "
                f"months {first}..{last}"
            )
        if not c.data.allowed(f.hospital, contract.provider):
            yield (
                f"{where}: referral of {f.hospital}'s patients to provider {contract.provider}, "
                "which access.csv does not allow"
            )


def contract_limits(c: VolumeCheck) -> Iterator[str]:
    """Hard: a contract's referrals stay within volume_max in all and monthly_max in each month."""
    found = c.found
    for code, contract in c.data.contracts.items():
        used = found.contract_used.get(code, 0)
        if used > contract.volume_max:
            yield (
                f"{file_rows(DELIVERY, found.contract_rows[code])}: contract {code} used {grouped(used)} "
                f"in all, above its volume_max {grouped(contract.volume_max)}"
            )
        if contract.monthly_max is None:
            continue
        for m in c.data.months:
            month_used = found.contract_month.get((code, m), 0)
            if month_used > contract.monthly_max:
                yield (
                    f"{file_rows(DELIVERY, found.contract_month_rows[code, m])}: contract {code} took "
                    f"{grouped(month_used)} referrals in {c.label(m)}, "
                    f"above its monthly_max {grouped(contract.monthly_max)}"
                )


def _derivation(found: Recomputed, data: VolumeData, key: Key, start: str, before: int) -> str:
    """How a month's waiting list follows from the month before, for a message."""
    return (
        f"{start} {grouped(before)} + inflow {grouped(data.inflow.get(key, 0))} - base "
        f"{grouped(found.base[key])}"
        f" - additional {grouped(found.own[key])} - transferred {grouped(found.transferred[key])}"
        f" - referred {grouped(found.referred[key])}"
    )


def waiting_list_balance(c: VolumeCheck) -> Iterator[str]:
    """Hard: the waiting list carries over month to month and never goes negative; over = max(0, w - L)."""
    found, data = c.found, c.data
    for h, k in found.balance_pairs:
        limit = data.limit.get((h, k), 0)
        before, start = data.waiting.get((h, k), 0), "start"
        for m in data.months:
            key = (h, k, m)
            level = found.waiting[key]
            line = found.production.get(key)
            if level < 0:
                where = f"{PRODUCTION} row {line.row}" if line else file_rows(DELIVERY, found.out_rows[key])
                yield (
                    f"{where}: the waiting list of {h} in {k} would end {c.label(m)} at {grouped(level)} "
                    f"({_derivation(found, data, key, start, before)}); more patients are treated than are "
                    "waiting"
                )
            if line is not None and line.waiting_end != level:
                yield (
                    f"{PRODUCTION} row {line.row}: waiting_end {grouped(line.waiting_end)}, but the "
                    f"waiting list of {h} in {k} at the end of {c.label(m)} is {grouped(level)} "
                    f"({_derivation(found, data, key, start, before)})"
                )
            if line is not None and line.over_guarantee != max(0, level - limit):
                yield (
                    f"{PRODUCTION} row {line.row}: over_guarantee {grouped(line.over_guarantee)}, but "
                    f"patients beyond the guarantee are max(0, {grouped(level)} - L {grouped(limit)}) = "
                    f"{grouped(max(0, level - limit))}"
                )
            before, start = level, "previous month's"
