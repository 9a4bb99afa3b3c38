"""The benchmark's comparison pieces: the spreadsheet baseline and the HiGHS formulation."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from helpers import BENCHMARKS, DATA, EXAMPLE1, benchmark_module
from leveransplan.inputs import default_scenario_path, load_scenario
from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import TermValues
from leveransplan.models.scenario import Scenario

greedy = benchmark_module("greedy")


@pytest.fixture
def example1() -> Scenario:
    """Worked example 1 of the spec: A's queue of 10, B's spare capacity, contract c1."""
    return load_scenario(EXAMPLE1)


def test_greedy_example1(example1):
    # A: waiting 10, inflow [2, 2], L = 6, base [3, 2], no additional of its own; B has no
    # patients and the spreadsheet moves none to it. c1 is planned in full: min(3, 2 × 2) = 3
    # over two months, split(3, [1, 1]) = [1, 2], all to A (the only queue beyond the guarantee).
    # Month 1: 12 patients, base 3 -> 9, quota 1 -> 8 (over 2). Month 2: 10, base 2 -> 8,
    # quota 2 -> 6 (over 0). over_guarantee 2, cost 3 × 120 = 360, travel 3 × 30 = 90;
    # the optimum is 0, 390, 80: the spreadsheet leaves 2 patient-months for 30 SEK less.
    data = VolumeData.from_scenario(example1)
    plan = greedy.greedy_plan(data)
    assert plan.base_used == {("A", "k", 1): 3, ("A", "k", 2): 2}
    assert plan.referrals == {("A", "c1", 1): 1, ("A", "c1", 2): 2}
    assert plan.additional_own == {}
    assert plan.transfers == {}
    terms = greedy.greedy_terms(data)
    assert (terms["over_guarantee"], terms["cost"], terms["travel"], terms["equity"]) == (2, 360, 90, 500)


def test_greedy_quota_shared_pro_rata():
    # A one-month contract of 10 units shared by queues 3 and 1 beyond the guarantee:
    # split(10, [3, 1]) = [floor(30/4), 10 - 7] = [7, 3].
    scenario = Scenario.model_validate(
        {
            "name": "pro rata",
            "start": "2026-01",
            "months": 1,
            "hospitals": [{"hospital": h, "name": h} for h in ("A", "B")],
            "categories": [
                {"category": "k", "area": "a", "kind": "k", "specialty": "s", "price_class": "besok"}
            ],
            "prices": [{"hospital": h, "price_class": "besok", "price_sek": 100} for h in ("A", "B")],
            # inflow 1 over one month: L = 3; waiting 6 and 4 are 3 and 1 beyond it.
            "need": [
                {"hospital": "A", "category": "k", "waiting": 6, "inflow": 1},
                {"hospital": "B", "category": "k", "waiting": 4, "inflow": 1},
            ],
            "contracts": [
                {"contract": "c", "provider": "X", "category": "k", "volume_min": 0, "volume_max": 10,
                 "price_sek": 50},
            ],
        }
    )  # fmt: skip
    data = VolumeData.from_scenario(scenario)
    assert greedy.contract_quotas(data) == {("A", "c", 1): 7, ("B", "c", 1): 3}
    # With the month's inflow A has 7 waiting and B 5, 4 and 2 beyond the guarantee; each refers
    # only those, within its quota: min(7, 4) = 4 and min(3, 2) = 2.
    assert greedy.greedy_plan(data).referrals == {("A", "c", 1): 4, ("B", "c", 1): 2}


@pytest.mark.parametrize("folder", ["example1", "vgr-2026"])
def test_greedy_plan_obeys_every_rule(folder):
    path = default_scenario_path() if folder == "vgr-2026" else DATA / folder
    scenario = load_scenario(path)
    data = VolumeData.from_scenario(scenario)
    plan = greedy.greedy_plan(data)
    assert all(level >= 0 for level in TermValues(data, plan).waiting.values())
    assert greedy.checker_violations(scenario, plan) == []


@pytest.mark.skipif(importlib.util.find_spec("highspy") is None, reason="highspy is not installed")
def test_highs_example1_reaches_the_spec_optimum():
    # examples.md: over_guarantee 0 (B takes 1, c1 takes 2 in month 1), cost 150 + 2 × 120 = 390,
    # travel 20 + 2 × 30 = 80. HiGHS runs in its own process (it cannot share one with ortools).
    folder = EXAMPLE1
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "highs_volumes.py"), str(folder), "--json", "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout)
    stages = {s["objective"]: (s["value"], s["bound"], s["status"]) for s in result["stages"]}
    assert stages == {
        "over_guarantee": (0, 0, "OPTIMAL"),
        "cost": (390, 390, "OPTIMAL"),
        "travel": (80, 80, "OPTIMAL"),
    }
    assert result["checker_violations"] == []
