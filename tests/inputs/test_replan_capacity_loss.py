"""A re-plan from actuals keeps a go-live's capacity loss once: the rest of the year starts from
own_volumes' base before the loss, and the loss rows (kept in the scenario) take the later
months' share again."""

from __future__ import annotations

from pathlib import Path

from helpers import write_files
from leveransplan.inputs import load_scenario
from leveransplan.inputs.actuals import read_actuals
from leveransplan.inputs.replan import rest_of_year
from leveransplan.models import VolumeData

# A's base of 40 splits 10 a month over four months; March and April keep half of it.
SCENARIO = {
    "scenario.toml": 'name = "Loss"\nstart = "2026-01"\nmonths = 4\n',
    "hospitals.csv": "hospital,name\nA,Hospital A\n",
    "categories.csv": "category,area,kind,specialty,price_class\nk,somatik,forstabesok,Test,besok\n",
    "prices.csv": "hospital,price_class,price_sek\nA,besok,100\n",
    "own_volumes.csv": "hospital,category,base,additional_max\nA,k,40,0\n",
    "need.csv": "hospital,category,waiting,inflow\nA,k,20,40\n",
    "capacity_loss.csv": "hospital,category,first_month,last_month,factor\nA,k,2026-03,2026-04,0.5\n",
}


def test_a_replan_from_actuals_takes_the_loss_once(tmp_path: Path) -> None:
    scenario = load_scenario(write_files(tmp_path / "scenario", SCENARIO))
    data = VolumeData.from_scenario(scenario)
    assert [data.base_capacity["A", "k", m] for m in data.months] == [10, 10, 5, 5]
    actuals = tmp_path / "actuals.csv"
    actuals.write_text(
        "hospital,category,month,performed,waiting_end\nA,k,2026-01,10,20\nA,k,2026-02,10,20\n",
        encoding="utf-8",
    )
    rest = rest_of_year(scenario, read_actuals(actuals), "2026-02", None, actuals.name)
    later = VolumeData.from_scenario(rest)
    # March and April: floor(0.5 * 10) each, as in the whole year's plan (not floor(0.5 * 5)).
    assert [later.base_capacity["A", "k", m] for m in later.months] == [5, 5]
