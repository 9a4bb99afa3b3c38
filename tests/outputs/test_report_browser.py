"""The report as a reader opens it: the shipped scenario's report.html rendered by headless
Chromium (Debian's package, which .ci/run installs when it is missing), driven by Playwright.

The page must open without a console error or an uncaught exception, show its title and every
section, the volume stages in their order, and draw every chart: each one an SVG with a size on
the page and its labels as text (searchable, not glyph outlines).

Without Chromium the test is skipped on a developer's machine and fails in CI (CI=true), where
its absence means the install step is broken.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from helpers import invoke

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As root in a container: no sandbox; and no background traffic on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def shipped_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed: .ci/run installs it (apt-get install -y chromium)")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    out = tmp_path_factory.mktemp("shipped") / "plan"
    # Every model of the shipped scenario, so that every section and chart is on the page; on
    # deterministic time, 20 s of CP-SAT's work (a stage the limit stops is marked, exit 8).
    result = invoke("solve", "--out", out, "--deterministic", "--time-limit", "20", "--report", "--quiet")
    assert result.exit_code in (0, 8), result.output
    return out / "report.html"


def check_in_browser(
    report: Path, title: str, sections: tuple[str, ...], volumes: str, screenshot: str = ""
) -> None:
    """Open `report` in Chromium: no console error, `title` in its title, every one of `sections`
    among its headings, the volume stages in order under the summary's `volumes` heading and
    every chart drawn with its labels as text."""
    from playwright.sync_api import sync_playwright

    html = report.read_text(encoding="utf-8")
    charts_in_file = html.count('<div class="figure">')
    assert charts_in_file >= 5  # volumes, costs, AT, places: at least one chart each
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(report.as_uri())
            page.wait_for_load_state("load")
            assert problems == []
            assert title in page.title() and "VGR 2026" in page.title()
            headings = [h.strip() for h in page.locator("h2").all_inner_texts()]
            for section in sections:
                assert section in headings, headings
            # The volume stages: the table under the summary's "Care volumes" heading.
            stages = page.locator(f"h3:has-text('{volumes}') + table").first.inner_text()
            order = ["over_guarantee", "equity", "out_of_region", "cost", "travel", "stability"]
            assert [m.group(0) for m in re.finditer("|".join(order), stages)] == order
            figures = page.locator(".figure svg")
            assert figures.count() == charts_in_file
            for index in range(figures.count()):
                figure = figures.nth(index)
                box = figure.bounding_box()
                assert box is not None and box["width"] > 100 and box["height"] > 50, index
                # Axis labels and titles are <text>: a reader can search and copy them.
                assert figure.locator("text").count() > 0, figure.get_attribute("aria-label")
            if screenshot:  # for looking at the page; the assertions above are the test
                page.screenshot(path=screenshot, full_page=True)
        finally:
            browser.close()


def test_the_report_opens_in_a_browser_with_every_chart_drawn(shipped_report: Path) -> None:
    sections = (
        "Summary",
        "Care volumes (vårdvolymer)",
        "AT positions (AT-tjänster)",
        "ST-A side-service placements (sidotjänstgöring)",
        "Solver progress",
    )
    screenshot = os.environ.get("REPORT_SCREENSHOT", "")
    check_in_browser(shipped_report, "Delivery plan report", sections, "Care volumes", screenshot)


def test_the_swedish_report_opens_in_a_browser_with_every_chart_drawn(shipped_report: Path) -> None:
    # The same plan's report in Swedish, as a reader in the region gets it by default.
    swedish = shipped_report.parent.parent / "report-sv.html"
    result = invoke("--lang", "sv", "report", shipped_report.parent, "--out", swedish)
    assert result.exit_code == 0, result.output
    assert '<html lang="sv">' in swedish.read_text(encoding="utf-8")
    sections = (
        "Sammanfattning",
        "Vårdvolymer",
        "AT-tjänster",
        "Sidotjänstgöring för ST-läkare i allmänmedicin",
        "Lösarens förlopp",
    )
    check_in_browser(swedish, "Rapport över leveransplanen", sections, "Vårdvolymer")
