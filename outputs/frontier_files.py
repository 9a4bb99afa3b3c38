"""A frontier folder (frontier.csv, summary.json, datapackage.json, manifest.json): all or nothing.

The folder is written like a plan folder (outputs.publish): into a hidden staging folder beside
its target, renamed into place when every file is written, and its manifest.json lists every file
with its SHA-256, so that `--overwrite` replaces only a folder the tool wrote.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leveransplan.models.frontier import Frontier
from leveransplan.models.scenario import Scenario
from leveransplan.outputs.data_dictionary import write_data_package
from leveransplan.outputs.manifest import MANIFEST, SUMMARY, build_manifest, sha256_of, write_json
from leveransplan.outputs.publish import REPORT, PlanTarget
from leveransplan.outputs.report.frontier import FRONTIER_CSV, write_frontier_report
from leveransplan.outputs.staging import Staging
from leveransplan.outputs.tabular import write_csv

FRONTIER_COLUMNS = (
    "budget_sek",
    "over_guarantee",
    "bound",
    "status",
    "gap",
    "seconds",
    "cost_sek",
    "removed_per_msek",
    "marks",
)


def frontier_rows(frontier: Frontier) -> list[dict[str, Any]]:
    """One row per budget, ascending: the plan found, the proven bound, and what the money from
    the budget before removes per million SEK."""
    rows = []
    for i, point in enumerate(frontier.points):
        per_msek = frontier.removed_per_msek(i)
        rows.append(
            {
                "budget_sek": point.budget_sek,
                "over_guarantee": point.over_guarantee,
                "bound": point.bound,
                "status": point.status,
                "gap": f"{point.gap_pct:.4f}",
                "seconds": f"{point.seconds:.2f}",
                "cost_sek": point.cost_sek,
                "removed_per_msek": None if per_msek is None else f"{per_msek:.2f}",
                "marks": " ".join(point.marks),
            }
        )
    return rows


def frontier_summary(frontier: Frontier) -> dict[str, Any]:
    """summary.json of a frontier folder: the ends, the scenario's budget, and every point."""
    first, last = frontier.points[0], frontier.points[-1]
    points = []
    for i, point in enumerate(frontier.points):
        per_msek = frontier.removed_per_msek(i)
        points.append(
            {
                "budget_sek": point.budget_sek,
                "over_guarantee": point.over_guarantee,
                "bound": point.bound,
                "status": point.status,
                "gap": round(point.gap_pct, 4),
                "seconds": point.seconds,
                "cost_sek": point.cost_sek,
                "removed_per_msek": None if per_msek is None else round(per_msek, 4),
                "marks": list(point.marks),
            }
        )
    return {
        "scenario": frontier.scenario,
        "frontier": {
            "points_asked": frontier.points_asked,
            "least_cost_sek": frontier.least_cost_sek,
            "over_guarantee_at_least_cost": first.over_guarantee,
            "unconstrained_cost_sek": frontier.unconstrained_cost_sek,
            "over_guarantee_unconstrained": last.over_guarantee,
            "scenario_budget_sek": frontier.scenario_budget_sek,
            "scenario_budget": frontier.scenario_budget_words(),
            "partial": frontier.partial,
            "points": points,
        },
    }


def publish_frontier(
    target: PlanTarget,
    scenario_dir: Path,
    scenario: Scenario,
    frontier: Frontier,
    parameters: dict[str, Any],
    report: bool = False,
) -> Path:
    """Write the frontier folder and rename it into place; on any failure nothing is left behind.

    Returns the folder written (with a default name, the first free one). `report`: report.html
    too. Raises TargetTaken when the target appeared or changed meanwhile, OSError when it cannot
    be written.
    """
    with Staging(target.path) as staging:
        assert staging.path is not None
        folder = staging.path
        write_csv(folder / FRONTIER_CSV, FRONTIER_COLUMNS, frontier_rows(frontier))
        summary = frontier_summary(frontier)
        write_json(folder / SUMMARY, summary)
        package = write_data_package(
            folder, "leveransplan-frontier", [(FRONTIER_CSV, FRONTIER_COLUMNS)], summary=summary
        )
        record = build_manifest(
            scenario_dir, scenario, parameters, [folder / FRONTIER_CSV, folder / SUMMARY, package]
        )
        write_json(folder / MANIFEST, record)

        def name_the_folder(final: Path) -> None:
            # The report shows the folder's final name; the manifest then records its digest.
            write_frontier_report(folder, folder / REPORT, shown_folder=final)
            record["outputs_sha256"][REPORT] = sha256_of(folder / REPORT)
            write_json(folder / MANIFEST, record)

        return staging.publish(target.seen, target.free_name, name_the_folder if report else None)
