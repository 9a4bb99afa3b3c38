"""Hand-made volume scenarios: built from compact tables, written as a scenario folder, read back,
solved and published through the independent plan checker."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from leveransplan.inputs import load_scenario
from leveransplan.models import (
    PRICE_CLASSES,
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
    VolumeSolution,
)
from leveransplan.models.results import ScenarioPlan
from leveransplan.models.scenario import CapacityLossRow, CatchUpRow, UncertaintyRow, order_with_procurement
from leveransplan.optimizer.volumes.driver import solve_volumes
from leveransplan.outputs.checker.volume_plan import check_volume_plan
from leveransplan.outputs.publish import publish_plan

FAST = SolverSettings(time_limit_s=10, workers=1)

TABLES: dict[str, tuple[str, type]] = {
    "hospitals": ("hospitals.csv", Hospital),
    "categories": ("categories.csv", Category),
    "prices": ("prices.csv", PriceRow),
    "own_volumes": ("own_volumes.csv", OwnVolume),
    "need": ("need.csv", NeedRow),
    "profile": ("profile.csv", ProfileRow),
    "contracts": ("contracts.csv", Contract),
    "access": ("access.csv", AccessRow),
    "capacity_loss": ("capacity_loss.csv", CapacityLossRow),
    "catch_up": ("catch_up.csv", CatchUpRow),
    "uncertainty": ("uncertainty.csv", UncertaintyRow),
}
# candidate_contracts.csv's columns: a candidate is a Contract with `candidate` set and no minimum.
CANDIDATE_COLUMNS = (
    "contract",
    "provider",
    "category",
    "price_sek",
    "first_month",
    "last_month",
    "monthly_max",
    "volume_max",
    "out_of_region",
)
OPTIONAL_ADDITIONS = ("capacity_loss", "catch_up", "uncertainty")  # written only when they have rows


# -- building, writing, solving and publishing ----------------------------------------------


def contract(
    name: str,
    *,
    price: int,
    volume_max: int,
    volume_min: int = 0,
    provider: str = "X",
    category: str = "k",
    **optional: Any,
) -> Contract:
    """A contract row; `optional` takes first_month, last_month, monthly_max, out_of_region and
    candidate (a row of candidate_contracts.csv, with volume_min 0)."""
    return Contract(
        contract=name,
        provider=provider,
        category=category,
        volume_min=volume_min,
        volume_max=volume_max,
        price_sek=price,
        **optional,
    )


def build(
    *,
    order: Iterable[str],
    months: int = 1,
    hospitals: Iterable[str] = ("A",),
    categories: Iterable[str] = ("k",),
    prices: dict[str, int] | None = None,
    own: dict[tuple[str, str], tuple[int, int]] | None = None,
    need: dict[tuple[str, str], tuple[int, int]] | None = None,
    profile: dict[tuple[str, str], str] | None = None,
    contracts: Iterable[Contract] = (),
    access: dict[tuple[str, str], tuple[int, bool]] | None = None,
    budget: int | None = None,
    capacity_loss: Iterable[CapacityLossRow] = (),
    catch_up: Iterable[CatchUpRow] = (),
    uncertainty: Iterable[UncertaintyRow] = (),
) -> Scenario:
    """A scenario from compact tables; every category is of price class besok.

    own: (hospital, category) -> (base, additional_max); need: -> (waiting, inflow);
    profile: (hospital, month) -> factor; access: (hospital, provider) -> (minutes, allowed);
    prices: hospital -> besok price (100 when not given).
    """
    hospitals = tuple(hospitals)
    prices = prices or {}
    return Scenario(
        name="tiny",
        start="2026-01",
        months=months,
        objective=ObjectiveOrder(volumes=tuple(order)),
        max_cost_sek=budget,
        solver=FAST,
        hospitals=tuple(Hospital(hospital=h, name=f"Hospital {h}") for h in hospitals),
        categories=tuple(
            Category(category=k, area="somatik", kind="operation", specialty="Test", price_class="besok")
            for k in categories
        ),
        prices=tuple(
            PriceRow(hospital=h, price_class="besok", price_sek=prices.get(h, 100)) for h in hospitals
        ),
        own_volumes=tuple(
            OwnVolume(hospital=h, category=k, base=base, additional_max=additional)
            for (h, k), (base, additional) in (own or {}).items()
        ),
        need=tuple(
            NeedRow(hospital=h, category=k, waiting=waiting, inflow=inflow)
            for (h, k), (waiting, inflow) in (need or {}).items()
        ),
        profile=tuple(
            ProfileRow(hospital=h, month=month, factor=factor)
            for (h, month), factor in (profile or {}).items()
        ),
        contracts=tuple(contracts),
        access=tuple(
            AccessRow(hospital=h, provider=p, travel_minutes=minutes, allowed=allowed)
            for (h, p), (minutes, allowed) in (access or {}).items()
        ),
        capacity_loss=tuple(capacity_loss),
        catch_up=tuple(catch_up),
        uncertainty=tuple(uncertainty),
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def untaken_candidate() -> Scenario:
    """A candidate contract not taken up: A's base units clear its 5 waiting, so CAND (provider
    Capio, a candidate only) is proposed with 0 units and no months."""
    return build(
        order=order_with_procurement(("over_guarantee", "cost")),
        own={("A", "k"): (5, 0)},
        need={("A", "k"): (5, 0)},
        contracts=[contract("CAND", price=10, volume_max=10, provider="Capio", candidate=True)],
    )


def write_scenario(folder: Path, scenario: Scenario) -> Path:
    """Write a scenario folder (scenario.toml and every volume table) that load_scenario reads back."""
    folder.mkdir(parents=True)
    lines = [f'name = "{scenario.name}"', f'start = "{scenario.start}"', f"months = {scenario.months}", ""]
    terms = ", ".join(f'"{t}"' for t in scenario.objective.volumes)
    lines += ["[objective]", f"volumes = [{terms}]", ""]
    if scenario.max_cost_sek is not None:
        lines += ["[budget]", f"max_cost_sek = {scenario.max_cost_sek}", ""]
    solver = scenario.solver
    lines += ["[solver]", f"time_limit_s = {solver.time_limit_s}", f"workers = {solver.workers}"]
    lines += [f"seed = {solver.seed}"]
    (folder / "scenario.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for attribute, (file, row_type) in TABLES.items():
        if attribute in OPTIONAL_ADDITIONS and not getattr(scenario, attribute):
            continue
        columns = [c for c in row_type.model_fields if c != "candidate"]
        rows = [row for row in getattr(scenario, attribute) if not getattr(row, "candidate", False)]
        _write_csv(folder / file, columns, rows)
    candidates = [c for c in scenario.contracts if c.candidate]
    if candidates:
        _write_csv(folder / "candidate_contracts.csv", list(CANDIDATE_COLUMNS), candidates)
    return folder


def _write_csv(path: Path, columns: list[str], rows: Iterable[Any]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(getattr(row, c)) for c in columns])


def publish_and_check(
    tmp_path: Path,
    scenario_dir: Path,
    scenario: Scenario,
    solution: VolumeSolution,
    previous_plan: Path | None = None,
    name: str = "plan",
) -> Path:
    """Publish the plan (the checker runs inside) and check the written files once more."""
    plan = tmp_path / name
    parameters = {
        "objective_volumes": list(scenario.objective.volumes),
        "max_cost_sek": scenario.max_cost_sek,
    }
    previous = None if previous_plan is None else str(previous_plan)
    publish_plan(
        plan, scenario_dir, scenario, ScenarioPlan(volumes=solution), parameters, previous_plan=previous
    )
    assert check_volume_plan(scenario, plan) == []
    return plan


def solve_checked(tmp_path: Path, scenario: Scenario) -> VolumeSolution:
    """Write the scenario, read it back, solve it and publish the plan through the checker."""
    folder = write_scenario(tmp_path / "scenario", scenario)
    loaded = load_scenario(folder)
    assert loaded == scenario
    solution = solve_volumes(loaded)
    publish_and_check(tmp_path, folder, loaded, solution)
    return solution


def stage_values(solution: VolumeSolution) -> list[tuple[str, int]]:
    """(objective, value) of every stage in the order solved; every stage must be proven optimal."""
    for stage in solution.stages:
        assert stage.status == "OPTIMAL", stage
        assert stage.bound == stage.value, stage
    return [(stage.objective, stage.value) for stage in solution.stages]


def line_of_three(a_to_c_allowed: bool) -> Scenario:
    """Hospitals A - B - C on a line, 30 minutes apart (A to C 50, allowed or not), in one month:
    A and B have 5 waiting each, B and C 5 additional units each, at 100, 200 and 300 SEK."""
    hospitals = ("A", "B", "C")
    minutes = {("A", "B"): 30, ("B", "C"): 30, ("A", "C"): 50}
    access = []
    for (h, g), m in minutes.items():
        access.append(
            AccessRow(
                hospital=h, provider=g, travel_minutes=m, allowed=(h, g) != ("A", "C") or a_to_c_allowed
            )
        )
        access.append(AccessRow(hospital=g, provider=h, travel_minutes=m))
    return Scenario(
        name="a line of three",
        start="2026-01",
        months=1,
        objective=ObjectiveOrder(volumes=("over_guarantee", "cost", "travel")),
        hospitals=tuple(Hospital(hospital=h, name=h) for h in hospitals),
        categories=(Category(category="k", area="a", kind="x", specialty="s", price_class="besok"),),
        prices=tuple(
            PriceRow(hospital=h, price_class=c, price_sek=price)
            for h, price in (("A", 100), ("B", 200), ("C", 300))
            for c in PRICE_CLASSES
        ),
        own_volumes=(
            OwnVolume(hospital="B", category="k", base=0, additional_max=5),
            OwnVolume(hospital="C", category="k", base=0, additional_max=5),
        ),
        need=(
            NeedRow(hospital="A", category="k", waiting=5, inflow=0),
            NeedRow(hospital="B", category="k", waiting=5, inflow=0),
        ),
        access=tuple(access),
    )
