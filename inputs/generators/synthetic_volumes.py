"""The volume tables of a generated scenario: each region's own volumes, need, prices, capacity
profile, contracts and access, drawn around the shipped VGR 2026 figures (vgr_decision,
vgr_volumes) by the same rules.
"""

from __future__ import annotations

import math
from typing import Any

from leveransplan.inputs.generators import vgr_decision, vgr_volumes
from leveransplan.inputs.generators.shared import waiting_beyond_guarantee, waiting_within_guarantee
from leveransplan.inputs.generators.synthetic_regions import ROLES, Grid

MONTHS = vgr_decision.MONTHS  # the volume horizon, 2026-01..2026-12
SAS = {row[0]: (row[4], row[5]) for row in vgr_decision.SAS_VOLUMES}

# Travel between regions: the minutes to a neighbouring region's hospitals and providers (farther
# ones are not allowed), and how many minutes each step on the grid adds.
FOREIGN_MINUTES = 90
STEP_MINUTES = 60

# Capacity profile: the shipped season, each dip drawn from a few levels; an EHR go-live at one
# hospital of every region and at a few more: 1-2 months at 0.6, sometimes a month at 0.8 after.
SEASON = {"06": (0.75, 0.8, 0.85), "07": (0.45, 0.5, 0.55), "08": (0.75, 0.8, 0.85), "12": (0.85, 0.9, 0.95)}
GO_LIVE_MONTHS = (2, 3, 4, 5, 9, 10, 11)
GO_LIVE_OTHERS = 0.1
GO_LIVE_FACTOR, RECOVERY_FACTOR = 0.6, 0.8

# A contract without months of its own is given a later start or an earlier end now and then.
CONTRACT_MONTHS = 0.1

# AT: previous positions spread like 2026's, the bounds about a quarter of them; the rotations'
# departments can host a fifth more than previous, except two rows per region set a little below
# the hospital's weighted share, so that they bind.
AT_BOUND = (0.2, 0.3)


def own_volumes(grid: Grid) -> dict[tuple[str, str], tuple[int, int]]:
    """(hospital, category) -> (base, additional_max): VGR's figures scaled by the hospital's size."""
    volumes: dict[tuple[str, str], tuple[int, int]] = {}
    for region in grid.regions:
        draw = grid.rng("own_volumes", region.number)
        for role, h in zip(ROLES, region.hospitals, strict=True):
            for k in vgr_decision.CATEGORY_CODES:
                base_noise, add_noise = draw.uniform(0.85, 1.15), draw.uniform(0.70, 1.30)
                if (role, k) in vgr_volumes.REGIONAL:
                    (base, add), factor = vgr_volumes.REGIONAL[(role, k)], region.factor
                elif (role, k) in vgr_volumes.NOT_RUN or SAS[k] == (0, 0):
                    continue
                else:
                    (base, add), factor = SAS[k], grid.size[h]
                row = (round(base * factor * base_noise), round(add * factor * add_noise))
                if sum(row) > 0:
                    volumes[(h, k)] = row
    return volumes


def need(
    grid: Grid, volumes: dict[tuple[str, str], tuple[int, int]]
) -> dict[tuple[str, str], tuple[int, int]]:
    """(hospital, category) -> (waiting, inflow), by the shipped rules (README: need.csv)."""
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for region in grid.regions:
        draw = grid.rng("need", region.number)
        inflow: dict[tuple[str, str], int] = {}
        waiting: dict[tuple[str, str], int] = {}
        excess_weight: dict[tuple[str, str], float] = {}
        for h, k in (
            (h, k) for h in region.hospitals for k in vgr_decision.CATEGORY_CODES if (h, k) in volumes
        ):
            base, add = volumes[(h, k)]
            role, capacity = grid.role_of[h], base + add
            spread, excess_noise, waiting_noise = draw.random(), draw.uniform(0.7, 1.3), draw.random()
            if k in vgr_volumes.DEFICIT and role not in vgr_volumes.DEFICIT[k][2]:
                d, e, _ = vgr_volumes.DEFICIT[k]
                pressure = vgr_volumes.PRESSURE[role]
                inflow[(h, k)] = round(capacity * (1 + d * pressure * (0.6 + 0.8 * spread)))
                excess_weight[(h, k)] = inflow[(h, k)] * e * pressure * excess_noise
            elif k in vgr_volumes.DEFICIT:  # spare additional capacity
                inflow[(h, k)] = round(base + add * (0.45 + 0.25 * spread))
            elif add > 0:  # about balanced: most of the additional volume is needed
                inflow[(h, k)] = round(base + add * (0.75 + 0.25 * spread))
            else:
                inflow[(h, k)] = round(base * (0.95 + 0.05 * spread))
            waiting[(h, k)] = waiting_within_guarantee(
                inflow[(h, k)], len(MONTHS), 0.90 + 0.10 * waiting_noise
            )
        totals = {
            group: round(target * region.factor * draw.uniform(0.9, 1.1))
            for group, target in vgr_volumes.EXCESS_TARGET.items()
        }
        waiting.update(waiting_beyond_guarantee(inflow, excess_weight, totals, len(MONTHS)))
        out.update({key: (waiting[key], inflow[key]) for key in inflow})
    return out


def prices(grid: Grid) -> list[list[Any]]:
    """Visits and treatments at the region's price (region 1: the decision's), scopies per hospital."""
    rows: list[list[Any]] = []
    shipped = {(h, cls): p for h, cls, p in vgr_decision.PRICES}
    for region in grid.regions:
        draw = grid.rng("prices", region.number)
        regional = {cls: shipped[("SU", cls)] for cls in ("besok", "behandling")}
        if region.number > 1:
            regional = {cls: round(p * draw.uniform(0.95, 1.05)) for cls, p in regional.items()}
        for role, h in zip(ROLES, region.hospitals, strict=True):
            scopy = round(shipped[(role, "skopi")] * draw.uniform(0.95, 1.05))
            rows += [[h, "besok", regional["besok"]], [h, "behandling", regional["behandling"]]]
            rows.append([h, "skopi", scopy])
    return rows


def profile(grid: Grid) -> list[list[Any]]:
    """Every hospital and month: the summer and Christmas dips, EHR go-lives at a few hospitals."""
    rows: list[list[Any]] = []
    for region in grid.regions:
        draw = grid.rng("profile", region.number)
        first_go_live = draw.choice(region.hospitals)
        for h in region.hospitals:
            factors = {m: draw.choice(SEASON[m[5:]]) if m[5:] in SEASON else 1.0 for m in MONTHS}
            start, length, recovery = draw.choice(GO_LIVE_MONTHS), draw.randint(1, 2), draw.random() < 0.5
            if h == first_go_live or draw.random() < GO_LIVE_OTHERS:
                dip = [GO_LIVE_FACTOR] * length + [RECOVERY_FACTOR] * recovery
                for month, factor in zip(MONTHS[start - 1 :], dip, strict=False):
                    factors[month] = min(factors[month], factor)
            rows += [[h, m, f"{f:.2f}"] for m, f in factors.items()]
    return rows


def contracts(grid: Grid) -> list[list[Any]]:
    """Each region's 30 contracts: the shipped ones with volumes by the region's size, prices near."""
    rows: list[list[Any]] = []
    for region in grid.regions:
        draw = grid.rng("contracts", region.number)
        for contract, provider, k, vmin, vmax, price, first, last, _, outside in vgr_volumes.CONTRACTS:
            volume_noise, min_noise, price_noise = (
                draw.uniform(0.85, 1.15),
                draw.uniform(0.9, 1.1),
                draw.uniform(0.95, 1.05),
            )
            change, month = draw.random(), draw.randint(2, 5)
            volume_max = max(10, _round_to(vmax * region.factor * volume_noise, 10))
            volume_min = min(volume_max, _round_to(volume_max * vmin / vmax * min_noise, 10))
            price = _round_to(price * price_noise, 10 if price < 10_000 else 100)
            if not first and not last and change < CONTRACT_MONTHS / 2:
                first = MONTHS[month - 1]  # starts 2026-02..2026-05
            elif not first and not last and change < CONTRACT_MONTHS:
                last = MONTHS[month + 4]  # ends 2026-06..2026-09
            active = len(
                MONTHS[MONTHS.index(first) if first else 0 : MONTHS.index(last) + 1 if last else None]
            )
            spread = draw.uniform(1.5, 1.6) if outside else draw.uniform(1.1, 1.2)
            monthly = math.ceil(volume_max / active * spread)
            rows.append(
                [
                    region.contract(contract),
                    region.provider(provider),
                    k,
                    volume_min,
                    volume_max,
                    price,
                    first,
                    last,
                    monthly,
                    outside,
                ]
            )
    return rows


def access(grid: Grid) -> list[list[Any]]:
    """Every (hospital, other hospital or provider) pair: VGR's travel times within a region,
    longer ones to the regions beside it, not allowed farther away (a missing pair would be)."""
    providers = [(r, p, town) for r in grid.regions for p, town in vgr_volumes.PROVIDERS.items()]
    rows: list[list[Any]] = []
    for region in grid.regions:
        draw = grid.rng("access", region.number)
        for role, h in zip(ROLES, region.hospitals, strict=True):
            for g, other_role in grid.role_of.items():
                other, noise = grid.region_of[g], draw.uniform(0.9, 1.1)
                if other is region and g != h:
                    rows.append(
                        [h, g, round(vgr_volumes.minutes(role, other_role) * region.geography), "true"]
                    )
                elif g != h:
                    rows.append(_foreign(h, g, region.steps(other), noise))
            for owner, p, town in providers:
                noise = draw.uniform(0.9, 1.1)
                if owner is region:
                    minutes = round(vgr_volumes.TOWN_MINUTES[town][ROLES.index(role)] * region.geography)
                    allowed = "false" if (role, p) in vgr_volumes.NOT_ALLOWED else "true"
                    rows.append([h, region.provider(p), minutes, allowed])
                else:
                    rows.append(_foreign(h, owner.provider(p), region.steps(owner), noise))
    return rows


def _foreign(h: str, target: str, steps: int, noise: float) -> list[Any]:
    """A pair between regions: allowed only to the regions beside h's, farther is longer."""
    minutes = round((FOREIGN_MINUTES + STEP_MINUTES * (steps - 1)) * noise)
    return [h, target, minutes, "true" if steps == 1 else "false"]


def _round_to(value: float, step: int) -> int:
    """`value` rounded to a whole multiple of `step`."""
    return step * round(value / step)
