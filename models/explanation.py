"""Why patients are left beyond the care guarantee in a volume plan: the limits that bind, in words.

A patient waiting beyond the guarantee in month m could only have been helped by one more unit
of treatment in some month up to m while the patient was on the list: base units (bas), the
hospital's own additional units (tillägg), another hospital's additional units, or a contract
(köpt vård). So for each hospital and category left over the guarantee the explanation looks at
every month from the first up to the last month over the guarantee in which the hospital had
patients waiting, and names, for each of those ways, why the plan did not use it more:

- used in full (the capacity, the contract maximum or its monthly maximum was reached), with
  the months and the figures;
- not offered (no base or additional volume, the contract's months do not cover those months);
- not allowed (access.csv forbids those patients going there);
- the budget cap, when what is left of it buys less than one more unit of the cheapest way;
- the hospital's frame, when what is left of it buys less than one more unit of the cheapest way
  for its patients (every way with room left is paid from the frame of the patients' hospital);
- otherwise the capacity was left unused, which the objective order explains (an earlier stage
  held, or a stage stopped on the time limit): the explanation says so instead of guessing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.language import N_, _
from leveransplan.models.months import month_ranges as ranges_of_months
from leveransplan.models.numbers import grouped
from leveransplan.models.wording import Words, joined, phrase, shown

BUDGET_BINDS = "the budget cap binds"
FRAME_BINDS = "'s frame binds"  # after the hospital's code


@dataclass
class OverGuaranteeReason:
    """One hospital's patients in one category left beyond the guarantee, and why."""

    hospital: str
    category: str
    patient_months: int
    over_start: int  # beyond the guarantee before month 1 (waiting above three months of inflow)
    over_end: int  # beyond the guarantee at the end of the last month
    months: str  # the months with patients beyond the guarantee, as ranges
    # Each limit that binds, and the capacity left unused with its months, in words with figures:
    # English as `explain --json` writes them, `Words.shown` in the reader's language.
    limits: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)

    @property
    def money_binds(self) -> bool:
        """Whether the budget cap or the hospital's frame is why capacity was left unused."""
        return any(limit.startswith((BUDGET_BINDS, self.hospital + FRAME_BINDS)) for limit in self.limits)

    def as_dict(self) -> dict[str, object]:
        return {
            "hospital": self.hospital,
            "category": self.category,
            "patient_months": self.patient_months,
            "over_start": self.over_start,
            "over_end": self.over_end,
            "months": self.months,
            "limits": list(self.limits),
            "unused": list(self.unused),
        }


class _Explainer:
    """The per-month use of every way of treating patients in a plan, for the explanations."""

    def __init__(
        self, data: VolumeData, decisions: Decisions, budget: int | None, frozen_until: int | None = None
    ) -> None:
        self.data = data
        self.frozen_until = frozen_until or 0
        self.decisions = decisions
        self.values = TermValues(data, decisions)
        self.budget = budget
        self.cost = self.values.term("cost")
        # additional units produced by g in (k, m): for its own patients and for others'
        self.additional_used: dict[tuple[str, str, int], int] = defaultdict(int)
        for (g, k, m), v in decisions.additional_own.items():
            self.additional_used[g, k, m] += v
        for (_h, g, k, m), v in decisions.transfers.items():
            self.additional_used[g, k, m] += v
        self.contract_used: dict[str, int] = defaultdict(int)
        self.contract_month_used: dict[tuple[str, int], int] = defaultdict(int)
        for (_h, c, m), v in decisions.referrals.items():
            self.contract_used[c] += v
            self.contract_month_used[c, m] += v

    def label(self, months: Iterable[int]) -> str:
        return month_ranges(self.data, months)

    def explain(self, h: str, k: str) -> OverGuaranteeReason:
        data = self.data
        waiting = self.values.waiting
        limit = data.limit[h, k]
        over_months = [m for m in data.months if waiting[h, k, m] > limit]
        window = _helpful_months(list(data.months), [waiting[h, k, m] for m in data.months], set(over_months))
        reason = OverGuaranteeReason(
            hospital=h,
            category=k,
            patient_months=self.values.over_by_hospital_category[h, k],
            over_start=max(0, data.waiting[h, k] - limit),
            over_end=max(0, waiting[h, k, data.months[-1]] - limit),
            months=self.label(over_months),
        )
        decided = [m for m in window if m <= self.frozen_until]
        if decided:
            # Decided months are facts now: their capacity is no choice of this plan.
            reason.limits.append(
                phrase(
                    N_(
                        "{months} decided by the previous plan (--freeze-until): "
                        "its decisions stay as they were"
                    ),
                    months=self.label(decided),
                )
            )
            window = [m for m in window if m > self.frozen_until]
            if not window:
                return reason
        cheapest_spare: list[int] = []  # prices of ways with room left, for the budget check
        self._base(h, k, window, reason)
        self._own_additional(h, k, window, reason, cheapest_spare)
        self._other_hospitals(h, k, window, reason, cheapest_spare)
        self._contracts(h, k, window, reason, cheapest_spare)
        if self.budget is not None and cheapest_spare:
            left = self.budget - self.cost
            if left < min(cheapest_spare):
                # Its English begins with BUDGET_BINDS (money_binds).
                reason.limits.append(
                    phrase(
                        N_(
                            "the budget cap binds at {budget} SEK: the plan costs {cost} SEK, and the "
                            "{left} SEK left buy no unit of the cheapest way with room left ({cheapest} SEK)"
                        ),
                        budget=self.budget,
                        cost=self.cost,
                        left=left,
                        cheapest=min(cheapest_spare),
                    )
                )
        frame = data.frames.get(h)
        if frame is not None and cheapest_spare:
            spent = self.values.spend(h)
            left = frame - spent
            if left < min(cheapest_spare):
                # Its English begins with the hospital and FRAME_BINDS (money_binds).
                reason.limits.append(
                    phrase(
                        N_(
                            "{hospital}'s frame binds at {frame} SEK: the plan spends {spent} SEK on its "
                            "patients, and the {left} SEK left buy no unit of the cheapest way with room "
                            "left ({cheapest} SEK)"
                        ),
                        hospital=h,
                        frame=frame,
                        spent=spent,
                        left=left,
                        cheapest=min(cheapest_spare),
                    )
                )
        return reason

    def _base(self, h: str, k: str, window: list[int], reason: OverGuaranteeReason) -> None:
        data = self.data
        offered = sum(data.base_capacity[h, k, m] for m in window)
        if offered == 0:
            reason.limits.append(
                phrase(
                    N_("{hospital} has no base volume (bas) in {category} in {months}"),
                    hospital=h,
                    category=k,
                    months=self.label(window),
                )
            )
            return
        used = sum(self.decisions.base_used.get((h, k, m), 0) for m in window)
        full = [m for m in window if data.base_capacity[h, k, m] > 0]
        if used == offered:
            reason.limits.append(
                phrase(
                    N_("base volume (bas) used in full: {units} units in {months}"),
                    units=used,
                    months=self.label(full),
                )
            )
        else:
            spare = [
                m for m in window if self.decisions.base_used.get((h, k, m), 0) < data.base_capacity[h, k, m]
            ]
            reason.unused.append(
                phrase(
                    N_("base volume (bas): {units} units unused in {months}"),
                    units=offered - used,
                    months=self.label(spare),
                )
            )

    def _own_additional(
        self, h: str, k: str, window: list[int], reason: OverGuaranteeReason, prices: list[int]
    ) -> None:
        data = self.data
        offered = sum(data.additional_capacity[h, k, m] for m in window)
        if offered == 0:
            reason.limits.append(
                phrase(
                    N_("{hospital} offers no additional volume (tillägg) in {category} in {months}"),
                    hospital=h,
                    category=k,
                    months=self.label(window),
                )
            )
            return
        used = sum(self.additional_used[h, k, m] for m in window)
        full = [m for m in window if 0 < data.additional_capacity[h, k, m] <= self.additional_used[h, k, m]]
        for_others = sum(
            v
            for (p, g, kk, m), v in self.decisions.transfers.items()
            if g == h and kk == k and m in full and p != h
        )
        spare = [m for m in window if self.additional_used[h, k, m] < data.additional_capacity[h, k, m]]
        if full:
            others = (
                phrase(N_(", of which {units} for other hospitals' patients"), units=for_others)
                if for_others
                else ""
            )
            reason.limits.append(
                phrase(
                    N_("own additional capacity (tillägg) used up in {months} ({units} units{others})"),
                    months=self.label(full),
                    units=sum(data.additional_capacity[h, k, m] for m in full),
                    others=others,
                )
            )
        if spare:
            prices.append(data.additional_price(h, k))
            reason.unused.append(
                phrase(
                    N_("own additional capacity (tillägg): {units} units unused in {months}"),
                    units=offered - used,
                    months=self.label(spare),
                )
            )

    def _other_hospitals(
        self, h: str, k: str, window: list[int], reason: OverGuaranteeReason, prices: list[int]
    ) -> None:
        data = self.data
        used_up: list[Words] = []
        none_offered: list[str] = []
        for g in data.hospitals:
            if g == h:
                continue
            offered = sum(data.additional_capacity.get((g, k, m), 0) for m in window)
            if offered == 0:
                none_offered.append(g)
                continue
            if not data.allowed(h, g):
                reason.limits.append(
                    phrase(
                        N_("transfers to {other} not allowed for {hospital} patients (access.csv)"),
                        other=g,
                        hospital=h,
                    )
                )
                continue
            full = [
                m
                for m in window
                if 0 < data.additional_capacity.get((g, k, m), 0) <= self.additional_used[g, k, m]
            ]
            spare = [
                m
                for m in window
                if self.additional_used[g, k, m] < data.additional_capacity.get((g, k, m), 0)
            ]
            if full:
                used_up.append(phrase(N_("{hospital} in {months}"), hospital=g, months=self.label(full)))
            if spare:
                prices.append(data.additional_price(g, k))
                left = offered - sum(self.additional_used[g, k, m] for m in window)
                reason.unused.append(
                    phrase(
                        N_("{hospital}'s additional capacity: {units} units unused in {months}"),
                        hospital=g,
                        units=left,
                        months=self.label(spare),
                    )
                )
        if used_up:
            reason.limits.append(
                phrase(
                    N_("other hospitals' additional capacity used up: {hospitals}"),
                    hospitals=joined("; ", used_up),
                )
            )
        if none_offered:
            reason.limits.append(
                phrase(
                    N_("no additional volume (tillägg) in {category} offered by {hospitals}"),
                    category=k,
                    hospitals=", ".join(none_offered),
                )
            )

    def _contracts(
        self, h: str, k: str, window: list[int], reason: OverGuaranteeReason, prices: list[int]
    ) -> None:
        data = self.data
        contracts = [c for c, contract in data.contracts.items() if contract.category == k]
        if not contracts:
            reason.limits.append(phrase(N_("no contract (köpt vård) in {category}"), category=k))
            return
        for c in contracts:
            contract = data.contracts[c]
            name = phrase(N_("contract {contract} ({provider})"), contract=c, provider=contract.provider)
            if not data.allowed(h, contract.provider):
                words = phrase(
                    N_("provider {provider} not allowed for {hospital} patients (access.csv)"),
                    provider=contract.provider,
                    hospital=h,
                )
                if words not in reason.limits:  # once per provider, however many contracts it has
                    reason.limits.append(words)
                continue
            active = [m for m in window if m in data.contract_months[c]]
            if not active:
                first, last = data.contract_months[c].start, data.contract_months[c].stop - 1
                runs = (
                    phrase(N_("no month of the horizon"))
                    if first > last
                    else self.label(range(first, last + 1))
                )
                reason.limits.append(
                    phrase(
                        N_("{contract} runs in {runs}, not in {months}"),
                        contract=name,
                        runs=runs,
                        months=self.label(window),
                    )
                )
                continue
            if self.contract_used[c] >= contract.volume_max:
                reason.limits.append(
                    phrase(
                        N_("{contract} at its maximum of {volume}"), contract=name, volume=contract.volume_max
                    )
                )
                continue
            monthly = contract.monthly_max
            capped = [m for m in active if monthly is not None and self.contract_month_used[c, m] >= monthly]
            if capped:
                assert monthly is not None
                reason.limits.append(
                    phrase(
                        N_("{contract} at its monthly maximum of {volume} in {months}"),
                        contract=name,
                        volume=monthly,
                        months=self.label(capped),
                    )
                )
            open_months = [m for m in active if m not in capped]
            if open_months:
                prices.append(contract.price_sek)
                left = contract.volume_max - self.contract_used[c]
                outside = (
                    phrase(N_(" (out of region: used only after the region's own options)"))
                    if contract.out_of_region
                    else ""
                )
                reason.unused.append(
                    phrase(
                        N_("{contract}: {left} of {volume} unused, open in {months}{outside}"),
                        contract=name,
                        left=left,
                        volume=contract.volume_max,
                        months=self.label(open_months),
                        outside=outside,
                    )
                )


def _helpful_months(months: list[int], waiting: list[int], over: set[int]) -> list[int]:
    """Months in which one more unit treated would have shortened a wait beyond the guarantee.

    A unit more in month j lowers the list in every month from j on, so it helps a month m >= j
    that is over the guarantee, as long as the list stays above 0 from j to m (an empty month in
    between means the unit would only move a treatment from then to j). So: in each run of months
    with patients left, the months up to the run's last month over the guarantee.
    """
    helpful: list[int] = []
    run: list[int] = []
    for m, level in zip([*months, None], [*waiting, 0], strict=True):
        if m is not None and level > 0:
            run.append(m)
            continue
        over_in_run = [j for j in run if j in over]
        if over_in_run:
            helpful += [j for j in run if j <= over_in_run[-1]]
        run = []
    return helpful


def month_ranges(data: VolumeData, months: Iterable[int]) -> str:
    """Month numbers of the horizon as YYYY-MM ranges: 2026-01..2026-03, 2026-06."""
    return ranges_of_months(months, data.scenario.horizon.label) or phrase(N_("no month"))


@dataclass
class CapacityLossAccount:
    """How a hospital's patients were treated beyond its own capacity when a go-live took some of it.

    The figures are the plan's over the horizon for the hospital's patients: the plan chooses among
    catch-up units, transfers and referrals by the objective order, so each is named with its cost.
    """

    hospital: str
    base_lost: int
    additional_lost: int
    has_catch_up: bool = False  # the hospital has catch-up capacity (catch_up.csv)
    catch_up_units: int = 0
    catch_up_cost: int = 0
    catch_up_months: str = ""  # the months of its catch-up units (or of the capacity, when unused)
    catch_up_before_loss: bool = False  # every catch-up unit lies before the first month of loss
    transfer_units: int = 0
    transfer_cost: int = 0
    referral_units: int = 0
    referral_cost: int = 0
    patient_months: int = 0  # left beyond the guarantee

    def lines(self) -> list[str]:
        """The account in words, in the reader's language, one way of treating the patients a line;
        the first begins with the hospital's code, and a way the plan did not use (and could not)
        is left out."""
        months = shown(self.catch_up_months)
        if self.base_lost or self.additional_lost:
            lines = [
                _(
                    "{hospital} loses {base} base and {additional} additional units to capacity_loss.csv "
                    "and --dip"
                ).format(
                    hospital=self.hospital,
                    base=grouped(self.base_lost),
                    additional=grouped(self.additional_lost),
                )
            ]
        else:
            lines = [
                _("{hospital} loses no capacity and has catch-up capacity (catch_up.csv)").format(
                    hospital=self.hospital
                )
            ]
        if self.has_catch_up:
            if not self.catch_up_units:
                lines.append(_("catch-up capacity in {months}: not used").format(months=months))
            else:
                when = (
                    _("catch-up before the go-live, in {months}: {units} units, {cost} SEK")
                    if self.catch_up_before_loss
                    else _("catch-up in {months}: {units} units, {cost} SEK")
                )
                lines.append(
                    when.format(
                        months=months, units=grouped(self.catch_up_units), cost=grouped(self.catch_up_cost)
                    )
                )
        if self.transfer_units:
            lines.append(
                _("transfers to other hospitals: {units} units, {cost} SEK").format(
                    units=grouped(self.transfer_units), cost=grouped(self.transfer_cost)
                )
            )
        if self.referral_units:
            lines.append(
                _("referrals to contracts: {units} units, {cost} SEK").format(
                    units=grouped(self.referral_units), cost=grouped(self.referral_cost)
                )
            )
        lines.append(
            _("left beyond the guarantee: {months} patient-months").format(
                months=grouped(self.patient_months)
            )
        )
        return lines

    def as_dict(self) -> dict[str, object]:
        return dict(vars(self))


def explain_capacity_loss(data: VolumeData, decisions: Decisions) -> list[CapacityLossAccount]:
    """Each hospital that loses capacity or has catch-up capacity: what the plan did for its patients."""
    lost = data.lost_by_hospital()
    with_catch_up = set(data.catch_up.values())
    over = TermValues(data, decisions).over_by_hospital_category
    accounts = {
        h: CapacityLossAccount(h, *lost.get(h, (0, 0)), has_catch_up=h in with_catch_up)
        for h in data.hospitals
        if h in lost or h in with_catch_up
    }
    for (h, g, k, _m), units in decisions.transfers.items():
        if h in accounts:
            accounts[h].transfer_units += units
            accounts[h].transfer_cost += units * data.additional_price(g, k)
    catch_up_months: dict[str, set[int]] = defaultdict(set)
    for (h, c, m), units in decisions.referrals.items():
        if h not in accounts:
            continue
        cost = units * data.contracts[c].price_sek
        if c in data.catch_up:
            accounts[h].catch_up_units += units
            accounts[h].catch_up_cost += cost
            if units:
                catch_up_months[h].add(m)
        else:
            accounts[h].referral_units += units
            accounts[h].referral_cost += cost
    loss_months: dict[str, set[int]] = defaultdict(set)
    for cells in (data.base_lost, data.additional_lost):
        for g, _k, m in cells:
            loss_months[g].add(m)
    for h, account in accounts.items():
        if not account.has_catch_up:
            continue
        used = catch_up_months[h]
        capacity = {m for c, g in data.catch_up.items() if g == h for m in data.contract_months[c]}
        account.catch_up_months = month_ranges(data, used or capacity)
        account.catch_up_before_loss = bool(used and loss_months[h]) and max(used) < min(loss_months[h])
    for (h, _k), patient_months in over.items():
        if h in accounts:
            accounts[h].patient_months += patient_months
    return list(accounts.values())


def explain_over_guarantee(
    data: VolumeData, decisions: Decisions, budget: int | None = None, frozen_until: int | None = None
) -> list[OverGuaranteeReason]:
    """Every hospital and category left beyond the guarantee, most patient-months first.

    `frozen_until`: the last month a re-plan took as decided (--freeze-until); its months are
    named as decided, not searched for capacity left unused.
    """
    explainer = _Explainer(data, decisions, budget, frozen_until)
    left = [(h, k) for (h, k), v in explainer.values.over_by_hospital_category.items() if v > 0]
    reasons = [explainer.explain(h, k) for h, k in left]
    hospital_order = {h: i for i, h in enumerate(data.hospitals)}
    category_order = {k: i for i, k in enumerate(data.categories)}
    reasons.sort(key=lambda r: (-r.patient_months, hospital_order[r.hospital], category_order[r.category]))
    return reasons
