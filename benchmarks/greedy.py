"""The spreadsheet baseline of the benchmark: the analyst's pro-rata plan (models/pro_rata.py, where
each choice an analyst makes in a spreadsheet is written down), its objective terms, and the
independent checker's verdict on it.

    python benchmarks/greedy.py [SCENARIO]   # prints the baseline's objective terms
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from leveransplan.inputs import default_scenario_path, load_scenario
from leveransplan.models.derived import VolumeData
from leveransplan.models.evaluation import Decisions, TermValues
from leveransplan.models.plan import StageResult, VolumeSolution
from leveransplan.models.pro_rata import contract_quotas, pro_rata_plan
from leveransplan.models.results import ScenarioPlan
from leveransplan.models.scenario import Scenario
from leveransplan.outputs.checker.volume_plan import check_volume_plan
from leveransplan.outputs.publish import write_plan

__all__ = ["checker_violations", "contract_quotas", "greedy_plan", "greedy_terms"]

TERMS = ("over_guarantee", "equity", "out_of_region", "cost", "travel")


def greedy_plan(data: VolumeData) -> Decisions:
    """The analyst's plan (models/pro_rata.py, where the rules above are written down)."""
    return pro_rata_plan(data)


def greedy_terms(data: VolumeData) -> dict[str, int]:
    """The baseline plan's objective terms (spec section 4), computed exactly."""
    values = TermValues(data, greedy_plan(data))
    return {name: values.term(name) for name in TERMS}


def checker_violations(
    scenario: Scenario, decisions: Decisions, stages: list[StageResult] | None = None
) -> list[str]:
    """The independent plan checker's verdict on `decisions`, written as a plan to a temporary folder.

    Without `stages` each term of the scenario's order is a FEASIBLE stage with the trivial bound 0.
    """
    data = VolumeData.from_scenario(scenario)
    values = TermValues(data, decisions)
    if stages is None:
        stages = [
            StageResult(objective=name, value=values.term(name), bound=0, status="FEASIBLE", seconds=0.0)
            for name in scenario.objective.volumes
        ]
    plan = ScenarioPlan(volumes=VolumeSolution(decisions, stages, values))
    with tempfile.TemporaryDirectory() as folder:
        write_plan(Path(folder), scenario, plan, previous_plan=None)
        return check_volume_plan(scenario, Path(folder))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=None)
    args = parser.parse_args()
    data = VolumeData.from_scenario(load_scenario(args.scenario or default_scenario_path()))
    for name, value in greedy_terms(data).items():
        print(f"{name:<15} {value:>15,}".replace(",", " "))


if __name__ == "__main__":
    main()
