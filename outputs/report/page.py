"""report.html: one self-contained HTML page of a plan folder, readable offline and without JavaScript.

The page is built from the plan's files alone (summary.json, manifest.json and the CSV files of
each model the plan holds); charts are drawn with matplotlib and embedded as inline SVG, so the
file has no external reference of any kind. The same plan gives a byte-identical page: nothing in
it depends on the clock (the time shown is the plan's, from manifest.json), and the SVG output is
made deterministic (fixed hash salt, glyphs as paths, no date in the metadata). A plan solved with
--deterministic goes further: the page leaves out the run record (the plan folder, the time, the
command line and the solver's progress in wall-clock seconds), so that two runs of the same inputs
give the same page.

The page is put together here from its rooms: plan.py reads the plan folder, costs.py splits
the cost by channel, charts.py draws, html.py sets numbers and tables, and sections.py,
volumes.py, decision.py (the decision's tables per hospital) and replan.py (a re-plan against its
previous plan) write the sections.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leveransplan.models.language import _
from leveransplan.models.scenario import Scenario
from leveransplan.outputs.report.charts import Charts
from leveransplan.outputs.report.decision import decision_section
from leveransplan.outputs.report.html import element, escaped, html_document
from leveransplan.outputs.report.plan import ReportUnreadable, read_plan
from leveransplan.outputs.report.replan import replan_section
from leveransplan.outputs.report.sections import (
    at_section,
    header_section,
    placements_section,
    progress_section,
    summary_section,
)
from leveransplan.outputs.report.st_status import st_status_section
from leveransplan.outputs.report.volumes import volume_section

VOLUME_FILES = ("delivery_plan.csv", "production_plan.csv", "volume_table.csv", "contract_usage.csv")
PLACEMENT_FILES = ("places_table.csv", "unplaced.csv")


def render_report(
    plan_dir: Path,
    progress: list[dict[str, Any]] | None = None,
    shown_folder: Path | None = None,
    scenario: Scenario | None = None,
) -> str:
    """The report of the plan in `plan_dir` as one HTML document.

    `shown_folder`: the plan folder's name on the page when the files are still in a staging
    folder (`solve --report` writes the report before the plan is moved into place). `scenario`:
    the scenario the plan was made from, for the ST-A status per month (None: a note instead).
    """
    plan = read_plan(plan_dir, progress)
    plan.shown_folder = None if shown_folder is None else shown_folder.resolve()
    for model, files in (("volumes", VOLUME_FILES), ("placements", PLACEMENT_FILES)):
        if model in plan.models:
            for name in files:
                if not (plan_dir / name).is_file():
                    raise ReportUnreadable(
                        _("{folder}: {file} is missing; the plan is incomplete").format(
                            folder=plan_dir, file=name
                        )
                    )
    charts = Charts()
    sections = [header_section(plan), summary_section(plan)]
    illustrative = plan.summary.get("illustrative")
    if isinstance(illustrative, str):
        # Right under the title, and (print CSS) at the top of every printed page.
        # The scenario's own words as summary.json keeps them; the default sentence has its Swedish.
        banner = element("strong", _("Illustrative:")) + " " + escaped(_(illustrative))
        sections.insert(1, f'<p class="illustrative">{banner}</p>')
    builders = {"volumes": volume_section, "at": at_section, "placements": placements_section}
    sections += [builders[m](plan, charts) for m in plan.models]
    if "placements" in plan.models:
        sections.append(st_status_section(plan, scenario))
    if "volumes" in plan.models:
        replan = replan_section(plan)
        sections += [replan] if replan else []
        sections.append(decision_section(plan))
    sections.append(progress_section(plan, charts))
    name = plan.summary.get("scenario") or _("plan")
    footer = _(
        "Written by {command} from the files in the plan folder. Every figure is also in the plan's "
        "CSV files and summary.json."
    ).format(command="<code>leveransplan report</code>")
    title = _("Delivery plan report: {scenario}").format(scenario=name)
    return html_document(title, sections, footer)


def write_report(
    plan_dir: Path,
    target: Path,
    progress: list[dict[str, Any]] | None = None,
    shown_folder: Path | None = None,
    scenario: Scenario | None = None,
) -> None:
    """Write the report of the plan in `plan_dir` to `target` (see `render_report`)."""
    document = render_report(Path(plan_dir), progress, shown_folder, scenario)
    try:
        Path(target).write_text(document, encoding="utf-8")
    except OSError as error:
        raise ReportUnreadable(
            _("{path} cannot be written ({error})").format(path=target, error=error)
        ) from None
