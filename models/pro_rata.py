"""The analyst's plan: contracts shared pro rata to the queues beyond the guarantee.

What the optimizer is measured against in the benchmark: the plan an analyst at the central
office draws up by hand, in a spreadsheet, without an optimizer. Each choice below is what an
analyst does in a spreadsheet:

- Base volume is used first, as far as there are patients: it is paid by appropriation anyway.
- Each contract's volume is planned in full at the start of the year: volume_max, spread evenly
  over the contract's months in the horizon (never more than monthly_max a month), each month's
  volume shared among the hospitals whose patients may go to the provider (access.csv) in
  proportion to their waiting lists beyond the guarantee at the start, max(0, waiting - L).
  Both roundings are the spec's cumulative split. A contract that no hospital has patients
  beyond the guarantee for at the start is not shared out (its take-or-pay minimum is paid).
- Month by month each hospital then clears what it can of its own patients beyond the
  guarantee: first its quota of the region's contracts (cheaper than its own additional
  price, and already procured), then its own additional capacity, then its catch-up capacity
  (catch_up.csv), and last its quota of out-of-region contracts (the care guarantee's rule:
  another region only after the region's own options). Only patients beyond the guarantee are
  referred or treated on additional volume; a quota a hospital cannot fill is left unused,
  never passed to another hospital.
- Catch-up capacity is the hospital's own extra production, not a contract already bought: it is
  not shared out in quotas, and it comes after the additional capacity the hospital offers in
  own_volumes.csv (which the analyst plans first), up to its units per month in its months.
- Candidate contracts (candidate_contracts.csv) are left out: the analyst plans with the
  contracts the region has.
- No transfers between hospitals: a spreadsheet plans each hospital on its own.

The volume driver also starts from this plan when it leaves fewer patient-months beyond the
guarantee than base units alone (optimizer/volumes/driver.py): whatever the time limit, its plan then
leaves no more patient-months beyond the guarantee than the analyst's.
"""

from __future__ import annotations

from collections import defaultdict

from leveransplan.models.derived import VolumeData, split
from leveransplan.models.evaluation import Decisions


def contract_quotas(data: VolumeData) -> dict[tuple[str, str, int], int]:
    """Referrals each hospital may make to each contract in each month: (hospital, contract, month)."""
    quotas: dict[tuple[str, str, int], int] = {}
    for c, contract in data.contracts.items():
        months = list(data.contract_months[c])
        if not months or c in data.catch_up:  # catch-up is the hospital's own, used in full
            continue
        volume = contract.volume_max
        if contract.monthly_max is not None:
            volume = min(volume, contract.monthly_max * len(months))
        sharing = [
            (h, max(0, data.waiting[h, k] - data.limit[h, k]))
            for h, k in data.pairs
            if k == contract.category and data.has_need(h, k) and data.allowed(h, contract.provider)
        ]
        weights = [beyond for _h, beyond in sharing]
        for m, monthly in zip(months, split(volume, [1] * len(months)), strict=True):
            for (h, _beyond), quota in zip(sharing, split(monthly, weights), strict=True):
                if quota:
                    quotas[h, c, m] = quota
    return quotas


def pro_rata_plan(data: VolumeData) -> Decisions:
    """The analyst's plan: base, then contract quotas, own additional, catch-up, out-of-region quotas."""
    quotas = contract_quotas(data)
    by_category: dict[str, list[str]] = defaultdict(list)
    catch_up: dict[tuple[str, str], list[str]] = defaultdict(list)
    for c, contract in data.contracts.items():
        if c in data.catch_up:
            catch_up[data.catch_up[c], contract.category].append(c)
            # Its units per month in its months, used for its own hospital's patients only.
            for m in data.contract_months[c]:
                quotas[data.catch_up[c], c, m] = contract.monthly_max or 0
        elif not contract.candidate:  # the analyst plans with the contracts the region has
            by_category[contract.category].append(c)
    plan = Decisions()
    for h, k in data.pairs:
        if not data.has_need(h, k):
            continue
        in_region = [c for c in by_category[k] if not data.contracts[c].out_of_region]
        out_of_region = [c for c in by_category[k] if data.contracts[c].out_of_region]
        limit = data.limit[h, k]
        level = data.waiting[h, k]
        for m in data.months:
            level += data.inflow[h, k, m]
            if used := min(data.base_capacity[h, k, m], level):
                plan.base_used[h, k, m] = used
                level -= used
            level = _refer(plan, quotas, h, m, in_region, level, limit)
            if produced := min(data.additional_capacity[h, k, m], max(0, level - limit)):
                plan.additional_own[h, k, m] = produced
                level -= produced
            level = _refer(plan, quotas, h, m, catch_up[h, k], level, limit)
            level = _refer(plan, quotas, h, m, out_of_region, level, limit)
    return plan


def _refer(
    plan: Decisions,
    quotas: dict[tuple[str, str, int], int],
    hospital: str,
    month: int,
    contracts: list[str],
    level: int,
    limit: int,
) -> int:
    """Refer the patients above the guarantee limit to `contracts` in turn, each up to the
    hospital's quota that month; returns the waiting list left."""
    for c in contracts:
        if referred := min(quotas.get((hospital, c, month), 0), max(0, level - limit)):
            plan.referrals[hospital, c, month] = referred
            level -= referred
    return level
