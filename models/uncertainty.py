"""How the year may differ from the forecast, and futures drawn from it (docs/risk.md).

uncertainty.csv (models.scenario.UncertaintyRow) states the figures; where it says nothing the
defaults of UNCERTAINTY_DEFAULTS hold. `UncertaintyModel` resolves them to one figure per
hospital and category, per hospital and month, and per contract (the most specific row wins), and
`draw_futures` samples futures from it with numpy, reproducibly for a seed.

A future is:
- each hospital's and category's inflow over the horizon: the forecast times a factor with mean 1
  (gamma with the given coefficient of variation, or the two-point swing), spread over the months
  by the seasonal profile with the spec's cumulative floor split;
- each hospital's production factor per month: 1, or 1 - depth with the shortfall's chance;
- each contract's delivery per month: the month's planned referrals delivered with the contract's
  reliability, else none that month (a cancelled month: a surgeon leaves, a theatre closes).
  Catch-up capacity is the hospital's own staff: it follows the hospital's production factor.

Every draw depends on the scenario only, never on a plan: the same futures evaluate any plan of
the scenario, so two plans are compared on the same years.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from leveransplan.models.derived import VolumeData
from leveransplan.models.scenario import UNCERTAINTY_DEFAULTS, UncertaintyRow

# Season factors are brought to whole numbers at this scale before the cumulative split, so the
# split is exact integer arithmetic as the spec's split is.
SEASON_SCALE = 1_000_000
GAMMA, SWING = 0, 1  # how a pair's inflow varies
# Where risk and the robust plan draw their futures: the same seed gives the two disjoint streams,
# so a robust plan is never evaluated on the futures it was planned against.
RISK_STREAM, PLANNING_STREAM = 0, 1


def _inflow_rank(row: UncertaintyRow) -> int:
    """Hospital and category > category > hospital > neither."""
    return 2 * (row.category is not None) + (row.hospital is not None)


def _shortfall_rank(row: UncertaintyRow) -> int:
    """Hospital and month > hospital > month > neither."""
    return 2 * (row.hospital is not None) + (row.month is not None)


def _most_specific(
    rows: Sequence[UncertaintyRow],
    kinds: tuple[str, ...],
    rank: Callable[[UncertaintyRow], int],
    **keys: str | None,
) -> UncertaintyRow | None:
    """The row of `kinds` that applies to `keys` (each row key empty or equal) with the highest rank."""
    best: UncertaintyRow | None = None
    best_rank = -1
    for row in rows:
        if row.kind not in kinds:
            continue
        if any(getattr(row, name) not in (None, value) for name, value in keys.items()):
            continue
        row_rank = rank(row)
        if row_rank > best_rank:
            best, best_rank = row, row_rank
    return best


@dataclass(frozen=True)
class UncertaintyModel:
    """One figure per target: pairs in VolumeData.pairs order, hospitals in VolumeData.hospitals
    order, contracts in VolumeData.contracts order, months 1..H as columns 0..H-1."""

    inflow_family: np.ndarray  # [pairs] GAMMA or SWING
    inflow_spread: np.ndarray  # [pairs] the coefficient of variation, or the swing
    season: np.ndarray  # [pairs, months] whole-number weights (SEASON_SCALE is an average month)
    chance: np.ndarray  # [hospitals, months]
    depth: np.ndarray  # [hospitals, months]
    reliability: np.ndarray  # [contracts]

    @classmethod
    def of(cls, data: VolumeData, rows: Sequence[UncertaintyRow] | None = None) -> UncertaintyModel:
        """The figures of `rows` (the scenario's uncertainty.csv when None), defaults elsewhere."""
        rows = data.scenario.uncertainty if rows is None else rows
        horizon = data.scenario.horizon
        labels = [horizon.label(m) for m in data.months]
        family = np.zeros(len(data.pairs), dtype=np.int8)
        spread = np.zeros(len(data.pairs))
        season = np.zeros((len(data.pairs), len(labels)), dtype=np.int64)
        for p, (h, k) in enumerate(data.pairs):
            row = _most_specific(rows, ("inflow_cv", "inflow_swing"), _inflow_rank, hospital=h, category=k)
            if row is None:
                spread[p] = float(UNCERTAINTY_DEFAULTS["inflow_cv"])
            else:
                family[p] = SWING if row.kind == "inflow_swing" else GAMMA
                spread[p] = float(row.value)
            for m, label in enumerate(labels):
                row = _most_specific(rows, ("season",), _inflow_rank, hospital=h, category=k, month=label)
                factor = UNCERTAINTY_DEFAULTS["season"] if row is None else row.value
                season[p, m] = int((factor * SEASON_SCALE).to_integral_value())
        chance = np.zeros((len(data.hospitals), len(labels)))
        depth = np.zeros((len(data.hospitals), len(labels)))
        for i, h in enumerate(data.hospitals):
            for m, label in enumerate(labels):
                for kind, target in (("shortfall_chance", chance), ("shortfall_depth", depth)):
                    row = _most_specific(rows, (kind,), _shortfall_rank, hospital=h, month=label)
                    target[i, m] = float(UNCERTAINTY_DEFAULTS[kind] if row is None else row.value)
        reliability = np.array(
            [
                float(
                    UNCERTAINTY_DEFAULTS["reliability"]
                    if (row := _most_specific(rows, ("reliability",), _reliability_rank, contract=c)) is None
                    else row.value
                )
                for c in data.contracts
            ]
        )
        return cls(family, spread, season, chance, depth, reliability)

    def inflow_quantile(self, q: float, draws: int = 100_000, seed: int = 0) -> np.ndarray:
        """Each pair's inflow factor at quantile q (0..1): the plan made "at the 90th percentile"
        scales each forecast by its factor at 0.9. Gamma quantiles are read off `draws` draws."""
        rng = np.random.default_rng(seed)
        factors = np.ones(len(self.inflow_spread))
        for p, (family, spread) in enumerate(zip(self.inflow_family, self.inflow_spread, strict=True)):
            if spread == 0:
                continue
            if family == SWING:
                factors[p] = 1 + spread if q > 0.5 else 1 - spread
            else:
                shape = 1 / spread**2
                factors[p] = float(np.quantile(rng.gamma(shape, 1 / shape, draws), q))
        return factors


def _reliability_rank(row: UncertaintyRow) -> int:
    return int(row.contract is not None)


@dataclass(frozen=True)
class Futures:
    """`samples` sampled futures of one scenario."""

    inflow: np.ndarray  # [samples, pairs, months] patients referred
    production: np.ndarray  # [samples, hospitals, months] the share of planned production made
    delivered: np.ndarray  # [samples, contracts, months] 1 when the provider delivers that month, else 0

    @property
    def samples(self) -> int:
        return int(self.inflow.shape[0])


def cumulative_split(totals: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The spec's split of each total over its weights, vectorised: totals [..., pairs] (whole
    numbers), weights [pairs, months] (whole numbers); parts [..., pairs, months] summing to the
    totals, q_m = floor(A*W_m/W) - floor(A*W_(m-1)/W)."""
    running = np.cumsum(weights, axis=-1)
    whole = running[:, -1]
    safe = np.where(whole == 0, 1, whole)
    floors = (totals[..., :, None] * running) // safe[:, None]
    floors = np.where(whole[:, None] == 0, 0, floors)
    return np.diff(floors, axis=-1, prepend=0)


def forecast_inflow(data: VolumeData) -> np.ndarray:
    """need.csv's inflow over the horizon per pair, in VolumeData.pairs order."""
    return np.array([data.inflow_total[pair] for pair in data.pairs], dtype=np.int64)


def inflow_totals(
    forecast: np.ndarray, model: UncertaintyModel, samples: int, rng: np.random.Generator
) -> np.ndarray:
    """Each future's inflow over the horizon per pair [samples, pairs], whole patients (the
    forecast times the factor, rounded half up)."""
    factor = np.ones((samples, len(forecast)))
    gamma = (model.inflow_family == GAMMA) & (model.inflow_spread > 0)
    if gamma.any():
        shape = 1 / model.inflow_spread[gamma] ** 2
        factor[:, gamma] = rng.gamma(shape, 1 / shape, size=(samples, int(gamma.sum())))
    swing = (model.inflow_family == SWING) & (model.inflow_spread > 0)
    if swing.any():
        sign = np.where(rng.random((samples, int(swing.sum()))) < 0.5, -1.0, 1.0)
        factor[:, swing] = 1 + sign * model.inflow_spread[swing]
    return np.floor(forecast * factor + 0.5).astype(np.int64)


def draw_futures(
    forecast: np.ndarray, model: UncertaintyModel, samples: int, rng: np.random.Generator
) -> Futures:
    """`samples` futures, drawn in a fixed order from `rng` (inflow, production, deliveries), so a
    seed gives the same futures on any machine and with any number of workers."""
    totals = inflow_totals(forecast, model, samples, rng)
    inflow = cumulative_split(totals, model.season)
    short = rng.random((samples, *model.chance.shape)) < model.chance
    production = np.where(short, 1.0 - model.depth, 1.0)
    months = model.chance.shape[1]
    delivered = rng.random((samples, len(model.reliability), months)) < model.reliability[:, None]
    return Futures(inflow, production, delivered.astype(np.float64))


def decimal_text(value: Decimal | float) -> str:
    """A figure as uncertainty.csv writes it (0.1, not 0.10000000000000001)."""
    return format(Decimal(str(value)).normalize(), "f")
