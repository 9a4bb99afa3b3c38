"""A volume plan played through sampled futures: the risk that it breaks the care guarantee.

Each future keeps the plan's decisions and changes the year around them (models.uncertainty):
each month a hospital makes its planned base and additional units and the transfers it receives
times its production factor, each contract delivers its planned referrals or (in a cancelled
month) none, always in whole units rounded down; and nobody is treated who is not waiting. When
fewer patients wait than the plan treats, the plan's units are used in the order a hospital would
use them: its base units (already paid), its own additional units, transfers to other hospitals,
referrals to contracts. What is left waits, and the waiting lists run on with the sampled inflow.
Patients beyond the guarantee are counted as the spec counts them: the waiting list above the
guarantee limit L[h,k] of the forecast (three months of forecast inflow), every month.

The futures' cost is what the region pays for units actually made: additional units, transfers
and referrals as delivered, and each contract's take-or-pay minimum where it is not used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions
from leveransplan.models.uncertainty import Futures, UncertaintyModel, draw_futures, forecast_inflow

# A whole unit made of a share of planned units: floor, with room for the share's binary rounding
# (0.7 * 10 is 6.999999999999999 in floating point, and must make 7).
_EPSILON = 1e-9
CHUNK = 125  # futures per task: the same chunks, so the same futures, with any number of workers
QUANTILES = (50, 90, 99)


@dataclass(frozen=True)
class PlanArrays:
    """A plan's decisions as arrays over (pair, month) and over its transfer and referral cells."""

    hospitals: int
    months: int
    pair_hospital: np.ndarray  # [pairs] index into the hospitals
    waiting: np.ndarray  # [pairs] at the start of month 1
    limit: np.ndarray  # [pairs] L[h,k]
    base: np.ndarray  # [pairs, months]
    additional: np.ndarray  # [pairs, months]
    additional_price: np.ndarray  # [pairs] the hospital's own price
    transfer_cell: np.ndarray  # [transfers] pair * months + month (the patients' hospital)
    transfer_to: np.ndarray  # [transfers] the receiving hospital
    transfer_month: np.ndarray
    transfer_units: np.ndarray
    transfer_price: np.ndarray  # the receiving hospital's price
    referral_cell: np.ndarray  # [referrals] pair * months + month
    referral_contract: np.ndarray  # index into the contracts
    referral_month: np.ndarray
    referral_units: np.ndarray
    contract_price: np.ndarray  # [contracts]
    volume_min: np.ndarray  # [contracts]
    catch_up_hospital: np.ndarray  # [contracts] the hospital whose staff make it, else -1

    @classmethod
    def of(cls, data: VolumeData, decisions: Decisions) -> PlanArrays:
        months = len(data.months)
        pair = {key: p for p, key in enumerate(data.pairs)}
        hospital = {h: i for i, h in enumerate(data.hospitals)}
        contract = {c: i for i, c in enumerate(data.contracts)}
        first = data.months.start
        base = np.zeros((len(data.pairs), months), dtype=np.int64)
        additional = np.zeros_like(base)
        for (h, k, m), v in decisions.base_used.items():
            base[pair[h, k], m - first] += v
        for (h, k, m), v in decisions.additional_own.items():
            additional[pair[h, k], m - first] += v
        transfers = [
            (pair[h, k] * months + m - first, hospital[g], m - first, v, data.additional_price(g, k))
            for (h, g, k, m), v in sorted(decisions.transfers.items())
            if v
        ]
        referrals = [
            (
                pair[h, data.contracts[c].category] * months + m - first,
                contract[c],
                m - first,
                v,
            )
            for (h, c, m), v in sorted(decisions.referrals.items())
            if v
        ]

        def column(rows: Sequence[tuple[int, ...]], i: int) -> np.ndarray:
            return np.array([row[i] for row in rows], dtype=np.int64)

        return cls(
            hospitals=len(data.hospitals),
            months=months,
            pair_hospital=np.array([hospital[h] for h, _ in data.pairs], dtype=np.int64),
            waiting=np.array([data.waiting[key] for key in data.pairs], dtype=np.int64),
            limit=np.array([data.limit[key] for key in data.pairs], dtype=np.int64),
            base=base,
            additional=additional,
            additional_price=np.array([data.additional_price(h, k) for h, k in data.pairs], dtype=np.int64),
            transfer_cell=column(transfers, 0),
            transfer_to=column(transfers, 1),
            transfer_month=column(transfers, 2),
            transfer_units=column(transfers, 3),
            transfer_price=column(transfers, 4),
            referral_cell=column(referrals, 0),
            referral_contract=column(referrals, 1),
            referral_month=column(referrals, 2),
            referral_units=column(referrals, 3),
            contract_price=np.array([c.price_sek for c in data.contracts.values()], dtype=np.int64),
            volume_min=np.array([c.volume_min for c in data.contracts.values()], dtype=np.int64),
            catch_up_hospital=np.array(
                [hospital[data.catch_up[c]] if c in data.catch_up else -1 for c in data.contracts],
                dtype=np.int64,
            ),
        )


@dataclass(frozen=True)
class Outcome:
    """What each future made of the plan."""

    over: np.ndarray  # [samples, hospitals, months] patients beyond the guarantee at each month's end
    paid: np.ndarray  # [samples] SEK

    @property
    def patient_months(self) -> np.ndarray:
        """[samples, hospitals] patient-months beyond the guarantee over the horizon."""
        return np.asarray(self.over.sum(axis=2))

    @staticmethod
    def joined(parts: Iterable[Outcome]) -> Outcome:
        parts = list(parts)
        return Outcome(np.concatenate([p.over for p in parts]), np.concatenate([p.paid for p in parts]))


def forecast_future(data: VolumeData) -> Futures:
    """The one future the plan was made for: forecast inflow, full production, every referral made."""
    months = len(data.months)
    inflow = np.array(
        [[data.inflow[h, k, m] for m in data.months] for h, k in data.pairs], dtype=np.int64
    ).reshape(len(data.pairs), months)
    return Futures(
        inflow[None],
        np.ones((1, len(data.hospitals), months)),
        np.ones((1, len(data.contracts), months)),
    )


def _scatter(cells: np.ndarray, values: np.ndarray, shape: tuple[int, int, int]) -> np.ndarray:
    """Sum values [samples, cells] into [samples, pairs, months] by their cell numbers."""
    samples, pairs, months = shape
    total = np.zeros((pairs * months, samples), dtype=values.dtype)
    np.add.at(total, cells, values.T)
    return total.T.reshape(samples, pairs, months)


def play(plan: PlanArrays, futures: Futures) -> Outcome:
    """The plan played through each future (the module's rules), month by month."""
    samples = futures.samples
    pairs, months = plan.base.shape
    shape = (samples, pairs, months)
    made = futures.production[:, plan.pair_hospital, :]  # [samples, pairs, months]
    base = np.floor(plan.base * made + _EPSILON).astype(np.int64)
    additional = np.floor(plan.additional * made + _EPSILON).astype(np.int64)
    transfer_made = futures.production[:, plan.transfer_to, plan.transfer_month]
    transfers = np.floor(plan.transfer_units * transfer_made + _EPSILON).astype(np.int64)
    catch_up = plan.catch_up_hospital[plan.referral_contract]
    delivery = np.where(
        catch_up >= 0,
        futures.production[:, np.maximum(catch_up, 0), plan.referral_month],
        futures.delivered[:, plan.referral_contract, plan.referral_month],
    )
    referrals = np.floor(plan.referral_units * delivery + _EPSILON).astype(np.int64)
    transfer_sum = _scatter(plan.transfer_cell, transfers, shape)
    referral_sum = _scatter(plan.referral_cell, referrals, shape)

    over = np.zeros(shape, dtype=np.int64)
    transfer_share = np.ones(shape)
    referral_share = np.ones(shape)
    additional_used = np.zeros(shape, dtype=np.int64)
    waiting = np.broadcast_to(plan.waiting, (samples, pairs)).astype(np.int64)
    for m in range(months):
        left = waiting + futures.inflow[:, :, m]
        left = left - np.minimum(base[:, :, m], left)
        used = np.minimum(additional[:, :, m], left)
        additional_used[:, :, m] = used
        left = left - used
        for planned, share in ((transfer_sum, transfer_share), (referral_sum, referral_share)):
            used = np.minimum(planned[:, :, m], left)
            share[:, :, m] = np.where(planned[:, :, m] > 0, used / np.maximum(planned[:, :, m], 1), 1.0)
            left = left - used
        waiting = left
        over[:, :, m] = np.maximum(0, left - plan.limit)

    # Within transfers and within referrals, a month that has fewer patients than planned sends
    # each cell the same share: the region pays for the units made, not for those planned.
    flat_transfer = transfer_share.reshape(samples, -1)[:, plan.transfer_cell]
    flat_referral = referral_share.reshape(samples, -1)[:, plan.referral_cell]
    sent = referrals * flat_referral
    used_by_contract = np.zeros((samples, len(plan.contract_price)))
    np.add.at(used_by_contract.T, plan.referral_contract, sent.T)
    unused_minimum = np.maximum(0.0, plan.volume_min - used_by_contract) * plan.contract_price
    paid = (
        (additional_used * plan.additional_price[None, :, None]).sum(axis=(1, 2))
        + (transfers * flat_transfer * plan.transfer_price).sum(axis=1)
        + (sent * plan.contract_price[plan.referral_contract]).sum(axis=1)
        + unused_minimum.sum(axis=1)
    )
    by_hospital = np.zeros((plan.hospitals, pairs), dtype=np.int64)
    by_hospital[plan.pair_hospital, np.arange(pairs)] = 1
    return Outcome(np.einsum("hp,spm->shm", by_hospital, over), np.round(paid).astype(np.int64))


def play_chunk(
    plan: PlanArrays,
    model: UncertaintyModel,
    forecast: np.ndarray,
    samples: int,
    seed: np.random.SeedSequence,
) -> Outcome:
    """One task of a risk run: `samples` futures drawn from `seed`, the plan played through them."""
    rng = np.random.default_rng(seed)
    return play(plan, draw_futures(forecast, model, samples, rng))


Mapper = Callable[..., Iterable[Outcome]]


def chunk_seeds(seed: int, stream: int, samples: int) -> list[tuple[int, np.random.SeedSequence]]:
    """The tasks of `samples` futures: (futures, seed) per chunk of CHUNK, from one root seed and stream."""
    sizes = [CHUNK] * (samples // CHUNK) + ([samples % CHUNK] if samples % CHUNK else [])
    children = np.random.SeedSequence([seed, stream]).spawn(len(sizes))
    return list(zip(sizes, children, strict=True))


def sample_outcomes(
    data: VolumeData,
    plan: PlanArrays,
    model: UncertaintyModel,
    samples: int,
    seed: int,
    stream: int,
    mapper: Mapper | None = None,
) -> Outcome:
    """The plan in `samples` futures, chunk by chunk through `mapper` (a Dask client's map and
    gather, say; the built-in map when None). The result depends on the seed and stream only."""
    tasks = chunk_seeds(seed, stream, samples)
    forecast = forecast_inflow(data)
    if mapper is None:
        parts = [play_chunk(plan, model, forecast, size, child) for size, child in tasks]
    else:
        parts = list(mapper(plan, model, forecast, tasks))
    return Outcome.joined(parts)


def quantile(values: np.ndarray, q: float, axis: int = 0) -> np.ndarray:
    """The empirical quantile: the smallest sampled value with at least q per cent at or below it."""
    return np.asarray(np.percentile(values, q, axis=axis, method="inverted_cdf"))


REGION = "region"


@dataclass(frozen=True)
class AreaRisk:
    """Patient-months beyond the guarantee over the horizon, of one hospital or the region."""

    area: str  # a hospital code, or REGION
    planned: int  # in the forecast future
    mean: float
    p50: int
    p90: int
    p99: int
    planned_end: int  # patients beyond the guarantee at the horizon's end, in the forecast future
    chance_end_above_plan: float  # the share of futures that end with more than planned_end


@dataclass(frozen=True)
class MonthRisk:
    """Patients beyond the guarantee at one month's end, of one hospital or the region."""

    area: str
    month: int  # 1..H
    planned: int
    mean: float
    p10: int
    p50: int
    p90: int
    chance_above_plan: float

    @property
    def excess(self) -> float:
        """How many more patients wait beyond the guarantee than planned, on average."""
        return self.mean - self.planned


@dataclass(frozen=True)
class RiskSummary:
    samples: int
    areas: list[AreaRisk]
    months: list[MonthRisk]
    paid_planned: int
    paid_mean: float
    paid_p90: int

    def area(self, name: str) -> AreaRisk:
        return next(a for a in self.areas if a.area == name)

    def concentrated(self, area: str = REGION, count: int = 3) -> list[MonthRisk]:
        """The months where the risk concentrates: the largest mean excess over the plan, most first
        (months with no excess are left out)."""
        rows = [r for r in self.months if r.area == area and r.excess > 0]
        return sorted(rows, key=lambda r: (-r.excess, r.month))[:count]


def _area_risk(name: str, sampled: np.ndarray, planned: np.ndarray) -> AreaRisk:
    """sampled [samples, months] and planned [months] patients beyond the guarantee."""
    totals = sampled.sum(axis=1)
    p50, p90, p99 = (int(quantile(totals, q)) for q in QUANTILES)
    return AreaRisk(
        area=name,
        planned=int(planned.sum()),
        mean=float(totals.mean()),
        p50=p50,
        p90=p90,
        p99=p99,
        planned_end=int(planned[-1]),
        chance_end_above_plan=float((sampled[:, -1] > planned[-1]).mean()),
    )


def _month_risks(name: str, sampled: np.ndarray, planned: np.ndarray) -> list[MonthRisk]:
    p10, p50, p90 = (quantile(sampled, q) for q in (10, 50, 90))
    return [
        MonthRisk(
            area=name,
            month=m + 1,
            planned=int(planned[m]),
            mean=float(sampled[:, m].mean()),
            p10=int(p10[m]),
            p50=int(p50[m]),
            p90=int(p90[m]),
            chance_above_plan=float((sampled[:, m] > planned[m]).mean()),
        )
        for m in range(sampled.shape[1])
    ]


def summarise(hospitals: Sequence[str], outcome: Outcome, planned: Outcome) -> RiskSummary:
    """Each hospital's and the region's risk, from the sampled outcomes and the forecast's."""
    areas: list[AreaRisk] = []
    months: list[MonthRisk] = []
    series = [(h, outcome.over[:, i, :], planned.over[0, i, :]) for i, h in enumerate(hospitals)]
    series.append((REGION, outcome.over.sum(axis=1), planned.over[0].sum(axis=0)))
    for name, sampled, forecast in series:
        areas.append(_area_risk(name, sampled, forecast))
        months += _month_risks(name, sampled, forecast)
    return RiskSummary(
        samples=int(outcome.over.shape[0]),
        areas=areas,
        months=months,
        paid_planned=int(planned.paid[0]),
        paid_mean=float(outcome.paid.mean()),
        paid_p90=int(quantile(outcome.paid, 90)),
    )
