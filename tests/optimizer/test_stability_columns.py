"""A coupled stage after the stability stage holds stability through the columns' values: the
plan the decomposition starts from must be valued against the previous plan like every other
column, or the LP takes its change for 0 and the rounded plan breaks the stability hold."""

from __future__ import annotations

from pathlib import Path

from helpers import write_files
from leveransplan.inputs import load_scenario
from leveransplan.models import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.optimizer.volumes.decomposition import Decomposition, Linking
from leveransplan.optimizer.volumes.flow import CategoryFlow

# One month; A's 10 waiting patients go to B (10 additional units at 150 SEK) or to contract c1
# (provider X, 10 units at 100 SEK).
SCENARIO = {
    "scenario.toml": 'name = "Columns"\nstart = "2026-01"\nmonths = 1\n',
    "hospitals.csv": "hospital,name\nA,Hospital A\nB,Hospital B\n",
    "categories.csv": "category,area,kind,specialty,price_class\nk,somatik,forstabesok,Test,besok\n",
    "prices.csv": "hospital,price_class,price_sek\nA,besok,100\nB,besok,150\n",
    "own_volumes.csv": "hospital,category,base,additional_max\nB,k,0,10\n",
    "need.csv": "hospital,category,waiting,inflow\nA,k,10,0\n",
    "contracts.csv": "contract,provider,category,volume_min,volume_max,price_sek\nc1,X,k,0,10,100\n",
}


def test_the_starting_column_counts_its_change_against_the_previous_plan(tmp_path: Path) -> None:
    data = VolumeData.from_scenario(load_scenario(write_files(tmp_path / "scenario", SCENARIO)))
    previous = Decisions(transfers={("A", "B", "k", 1): 10})
    # 7 of the 10 moved from B to X: |3 - 10| + |7 - 0| = 14 units of change; cost 3 * 150 + 7 * 100.
    current = Decisions(transfers={("A", "B", "k", 1): 3}, referrals={("A", "c1", 1): 7})
    assert TermValues(data, current, previous).term("stability") == 14
    flows = {k: CategoryFlow(data, k, previous) for k in data.categories}
    problem = Decomposition(data, flows, ["k"], current, Linking("cost", held={"stability": 14}))
    assert problem.columns["k"][0].values == {"cost": 1_150, "stability": 14}
