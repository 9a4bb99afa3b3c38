"""Pricing the category networks in worker processes (optimizer/volumes/pricing.py) gives exactly
what pricing them one after the other gives.

(1) Property, over generated scenarios: at arc costs drawn at random (each network's travel
    costs times a whole factor, plus a whole weight per hospital on its patient-months beyond
    the guarantee), the workers' least costs and flows equal those found in this process.
(2) Property: the equity stage and then the cost stage by columns, priced in 2 workers (every
    network counted as large), give the same plan, value and bound as priced here; the cost
    stage's plan keeps the equity reached and passes the independent plan checker.
(3) Small networks, or one worker, are priced in this process: no pool is started.
(4) A worker ignores Ctrl-C (the solve stops it), and ends when its solve is killed outright.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from helpers import ROOT
from helpers.columns import category_networks, equity_then_cost
from helpers.generated import PROPERTY, scenarios, without_money
from helpers.plans import checker_violations
from helpers.volumes import line_of_three
from leveransplan.models import Scenario, VolumeData
from leveransplan.models.evaluation import TermValues
from leveransplan.optimizer.volumes import pricing
from leveransplan.optimizer.volumes.pricing import network_pricer


@PROPERTY
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_workers_find_the_same_cheapest_flows(scenario: Scenario, seed: int) -> None:
    data = VolumeData.from_scenario(scenario)
    flows = category_networks(data)
    rng = np.random.default_rng(seed)
    weights = rng.integers(0, 1000, len(data.hospitals))
    priced = {
        k: network.priced(int(rng.integers(1, 50)) * network.costs["travel"], weights)
        for k, network in flows.items()
    }
    here = {k: flows[k].cheapest(cost) for k, cost in priced.items()}
    with network_pricer(flows, list(flows), workers=2, parallel_from_arcs=0) as pricer:
        assert (pricer.executor is not None) == (len(flows) > 1)
        there = pricer.cheapest(priced)
    assert set(there) == set(here)
    for k, found in here.items():
        theirs = there[k]
        assert found is not None and theirs is not None
        assert theirs[0] == found[0], k
        assert np.array_equal(theirs[1], found[1]), k


@PROPERTY
@given(scenarios())
def test_columns_priced_in_workers_give_the_same_plan(scenario: Scenario) -> None:
    scenario = without_money(scenario)
    data = VolumeData.from_scenario(scenario)
    here = equity_then_cost(data)
    threshold = pricing.PARALLEL_FROM_ARCS
    pricing.PARALLEL_FROM_ARCS = 0
    try:
        there = equity_then_cost(data)
    finally:
        pricing.PARALLEL_FROM_ARCS = threshold
    if here is None:  # no hospital with inflow: nothing to decompose
        assert there is None
    assume(here is not None)
    assert there is not None
    for mine, theirs in zip(here, there, strict=True):
        assert (theirs.value, theirs.bound, theirs.obeys_linking) == (
            mine.value,
            mine.bound,
            mine.obeys_linking,
        )
        assert theirs.decisions == mine.decisions
    equity, cost = there
    assert TermValues(data, cost.decisions).equity() <= equity.value
    assert checker_violations()(scenario, cost.decisions) == []


@pytest.mark.parametrize(("workers", "parallel_from_arcs"), [(1, 0), (2, 10**12)])
def test_small_networks_or_one_worker_price_here(workers: int, parallel_from_arcs: int) -> None:
    data = VolumeData.from_scenario(line_of_three(a_to_c_allowed=True))
    flows = category_networks(data)
    priced = {k: network.costs["travel"] for k, network in flows.items()}
    with network_pricer(flows, list(flows), workers, parallel_from_arcs) as pricer:
        assert pricer.executor is None
        found = pricer.cheapest(priced)
    for k, cost in priced.items():
        here = flows[k].cheapest(cost)
        assert here is not None and found[k] is not None
        assert found[k][0] == here[0]


# A solve that prices the generator's scale 1 (about 50 networks) in 2 workers for ever,
# printing the workers' pids.
_PRICING_FOR_EVER = """
import sys, tempfile
from pathlib import Path
from leveransplan.inputs import load_scenario
from leveransplan.outputs.generated import write_scenario
from leveransplan.models import VolumeData
from leveransplan.optimizer.volumes.flow import CategoryFlow
from leveransplan.optimizer.volumes.pricing import network_pricer
folder = Path(tempfile.mkdtemp()) / "generated"
write_scenario(folder, 1, 0)
data = VolumeData.from_scenario(load_scenario(folder))
flows = {k: CategoryFlow(data, k) for k in data.categories}
priced = {k: network.costs["travel"] for k, network in flows.items()}
with network_pricer(flows, list(flows), workers=2, parallel_from_arcs=0) as pricer:
    pricer.cheapest(priced)
    print(" ".join(str(pid) for pid in pricer.executor._processes), flush=True)
    while True:
        pricer.cheapest(priced)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (ended, not yet reaped by its new parent) counts as ended.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to tell ended processes")
def test_workers_ignore_ctrl_c_and_end_when_their_solve_is_killed() -> None:
    solve = subprocess.Popen(
        [sys.executable, "-c", _PRICING_FOR_EVER],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert solve.stdout is not None
        workers = [int(pid) for pid in solve.stdout.readline().split()]
        assert len(workers) == 2
        # Ctrl-C reaches a worker (the whole process group gets it): it goes on, silently.
        for pid in workers:
            os.kill(pid, signal.SIGINT)
        time.sleep(0.5)
        assert all(_alive(pid) for pid in workers)
        # The solve killed outright: its workers end too (they look every half second).
        solve.kill()
        solve.wait()
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers)
        assert solve.stderr is not None
        assert "Traceback" not in solve.stderr.read()
    finally:
        if solve.poll() is None:
            solve.kill()
