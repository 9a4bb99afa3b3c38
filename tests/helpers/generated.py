"""Generated volume scenarios: small ones drawn by hypothesis, with the whole-region reference the
properties over them compare with, and a region of the generator (inputs/generators/synthetic.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from leveransplan.inputs import load_scenario
from leveransplan.models import (
    PRICE_CLASSES,
    VOLUME_OBJECTIVES,
    AccessRow,
    Category,
    Contract,
    Hospital,
    NeedRow,
    ObjectiveOrder,
    OwnVolume,
    PriceRow,
    ProfileRow,
    Scenario,
    SolverSettings,
    VolumeData,
)
from leveransplan.models.evaluation import Decisions
from leveransplan.models.months import Horizon
from leveransplan.models.scenario import order_with_procurement
from leveransplan.optimizer.volumes.model import SolveParameters, VolumeModel
from leveransplan.outputs.generated import write_scenario

SOLVER = SolverSettings(time_limit_s=5, workers=1)
PROPERTY = settings(
    deadline=None,
    max_examples=25,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FACTORS = [Decimal("0"), Decimal("0.5"), Decimal("0.6"), Decimal("1.5")]
PROVIDERS = ("P1", "P2")


@st.composite
def scenarios(draw: st.DrawFn, budget: str = "feasible", candidates: bool = False) -> Scenario:
    """1-3 hospitals, 1-2 categories, 2-4 months, 0-2 contracts, random access and profile.

    budget: "none"; "feasible" (none, or at least the take-or-pay minimums); "infeasible"
    (below them, with a take-or-pay contract added when there is none). Unless "none", each
    hospital may have a frame of 0 to 600 SEK. With `candidates`, 1-2 candidate contracts
    (candidate_contracts.csv) and `procured` placed in the order as the loader places it.
    """
    hospitals = [f"H{i}" for i in range(draw(st.integers(1, 3)))]
    months = draw(st.integers(2, 4))
    horizon = Horizon("2026-01", months)
    categories = [
        Category(
            category=f"k{i}",
            area="somatik",
            kind="x",
            specialty="s",
            price_class=draw(st.sampled_from(PRICE_CLASSES)),
        )
        for i in range(draw(st.integers(1, 2)))
    ]
    codes = [c.category for c in categories]
    prices = [
        PriceRow(hospital=h, price_class=cls, price_sek=draw(st.integers(0, 400)))
        for h in hospitals
        for cls in PRICE_CLASSES
    ]
    own, need = [], []
    for h in hospitals:
        for k in codes:
            if draw(st.booleans()):
                own.append(
                    OwnVolume(
                        hospital=h,
                        category=k,
                        base=draw(st.integers(0, 12)),
                        additional_max=draw(st.integers(0, 8)),
                    )
                )
            if draw(st.booleans()):
                need.append(
                    NeedRow(
                        hospital=h,
                        category=k,
                        waiting=draw(st.integers(0, 25)),
                        inflow=draw(st.integers(0, 12)),
                    )
                )
    profile = [
        ProfileRow(hospital=h, month=label, factor=draw(st.sampled_from(FACTORS)))
        for h in hospitals
        for label in horizon.labels()
        if draw(st.integers(0, 4)) == 0
    ]
    contracts = []
    for i in range(draw(st.integers(0, 2))):
        volume_min = draw(st.integers(0, 4))
        first = last = None
        if draw(st.booleans()):
            # Month numbers 0..H+1: the contract may start before or end after the horizon.
            lo, hi = sorted(draw(st.lists(st.integers(0, months + 1), min_size=2, max_size=2)))
            first, last = horizon.label(lo), horizon.label(hi)
        contracts.append(
            Contract(
                contract=f"c{i}",
                provider=draw(st.sampled_from(PROVIDERS)),
                category=draw(st.sampled_from(codes)),
                volume_min=volume_min,
                volume_max=volume_min + draw(st.integers(0, 8)),
                price_sek=draw(st.integers(0, 300)),
                first_month=first,
                last_month=last,
                monthly_max=draw(st.one_of(st.none(), st.integers(0, 5))),
                out_of_region=draw(st.booleans()),
            )
        )
    if budget == "infeasible" and take_or_pay(contracts) == 0:
        volume_min = draw(st.integers(1, 3))
        contracts.append(
            Contract(
                contract="c_min",
                provider=PROVIDERS[0],
                category=codes[0],
                volume_min=volume_min,
                volume_max=volume_min + draw(st.integers(0, 3)),
                price_sek=draw(st.integers(1, 300)),
            )
        )
    if candidates:
        for i in range(draw(st.integers(1, 2))):
            contracts.append(
                Contract(
                    contract=f"u{i}",
                    provider=draw(st.sampled_from((*PROVIDERS, "P3"))),
                    category=draw(st.sampled_from(codes)),
                    volume_min=0,
                    volume_max=draw(st.integers(1, 10)),
                    price_sek=draw(st.integers(0, 300)),
                    monthly_max=draw(st.one_of(st.none(), st.integers(0, 5))),
                    out_of_region=draw(st.booleans()),
                    candidate=True,
                )
            )
    destinations = [*hospitals, *sorted({c.provider for c in contracts})]
    access = [
        AccessRow(
            hospital=h,
            provider=p,
            travel_minutes=draw(st.integers(0, 90)),
            allowed=draw(st.sampled_from([True, True, False])),
        )
        for h in hospitals
        for p in destinations
        if p != h and draw(st.booleans())
    ]
    order = draw(st.permutations(VOLUME_OBJECTIVES))[: draw(st.integers(1, len(VOLUME_OBJECTIVES)))]
    if candidates:
        order = list(order_with_procurement(tuple(order)))
    least = take_or_pay(contracts)
    cap = {
        "none": None,
        "feasible": draw(st.one_of(st.none(), st.integers(least, least + 600))),
        "infeasible": draw(st.integers(0, least - 1)) if least else None,
    }[budget]
    frames = {
        h: None if budget == "none" else draw(st.one_of(st.none(), st.integers(0, 600))) for h in hospitals
    }
    return Scenario(
        name="generated",
        start="2026-01",
        months=months,
        objective=ObjectiveOrder(volumes=tuple(order)),
        max_cost_sek=cap,
        solver=SOLVER,
        hospitals=tuple(Hospital(hospital=h, name=h, frame_sek=frames[h]) for h in hospitals),
        categories=tuple(categories),
        prices=tuple(prices),
        own_volumes=tuple(own),
        need=tuple(need),
        profile=tuple(profile),
        contracts=tuple(contracts),
        access=tuple(access),
    )


def without_money(scenario: Scenario) -> Scenario:
    """The scenario without its budget and frames: the stages by columns alone know neither
    (the driver sets their rows), so tests of the columns alone drop them."""
    hospitals = tuple(h.model_copy(update={"frame_sek": None}) for h in scenario.hospitals)
    return scenario.model_copy(update={"max_cost_sek": None, "hospitals": hospitals})


def take_or_pay(contracts: list[Contract]) -> int:
    """SEK every plan pays: the contracts' minimums (the least cost of any plan)."""
    return sum(c.volume_min * c.price_sek for c in contracts)


def reference_stage_values(scenario: Scenario, previous: Decisions | None = None) -> list[int]:
    """Stage values of one CP-SAT model of all categories, each term held region-wide."""
    data = VolumeData.from_scenario(scenario)
    model = VolumeModel(data, list(data.categories), previous)
    if scenario.max_cost_sek is not None:
        model.add_budget(scenario.max_cost_sek)
    model.add_frames(data.frames)
    values = []
    for term in scenario.objective.volumes:
        if term == "stability" and previous is None:  # no previous plan: the term is 0
            values.append(0)
            continue
        objective = model.objectives.equity_variable({}) if term == "equity" else model.term(term)
        outcome = model.solve(objective, SolveParameters(5.0, 1, 0))
        assert outcome.status == "OPTIMAL"
        values.append(outcome.bound)
        model.model.add(objective <= outcome.bound)
    return values


def generated_region(tmp_path: Path, seed: int) -> Scenario:
    """Scale 1 of the generator (inputs/generators/synthetic.py) for `seed`."""
    write_scenario(tmp_path / "generated", 1, seed)
    return load_scenario(tmp_path / "generated")
