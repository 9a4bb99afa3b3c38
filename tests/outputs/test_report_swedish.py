"""The report in the reader's language: Swedish with `--lang sv`, English with `--lang en`.

Example 1 of examples.md (tests/data/example1): A sends 1 patient to B (150 SEK) and 2 to
contract c1 at provider X (120 SEK each); cost 390, over the guarantee 4 at the start and 0 at the
end. The Swedish below is report.po's, read back by hand.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest

from helpers import EXAMPLE1, invoke, refused
from helpers.plans import Page
from helpers.replans import solve_replans
from leveransplan.models.language import use_language
from leveransplan.models.numbers import signed


def page_text(text: str) -> str:
    """The page's text with tags dropped and every space (no-break ones too) as one space."""
    without_tags = "".join(part.split(">", 1)[-1] for part in text.split("<"))
    return " ".join(html.unescape(without_tags).split())


def report(folder: Path, language: str, out: Path) -> str:
    result = invoke("--lang", language, "report", folder, "--out", out, "--overwrite")
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def example1_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example1") / "plan"
    result = invoke("solve", EXAMPLE1, "--out", out, "--deterministic", "--quiet")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def swedish(example1_plan: Path) -> str:
    return report(example1_plan, "sv", example1_plan.parent / "sv.html")


def test_the_swedish_report_has_swedish_headings_and_tables(swedish: str) -> None:
    page = Page(swedish)
    assert '<html lang="sv">' in swedish
    assert "<title>Rapport över leveransplanen: Example 1</title>" in swedish
    for heading in (
        "<h2>Sammanfattning</h2>",
        "<h2>Vårdvolymer</h2>",
        "<h3>Patienter utöver vårdgarantin per sjukhus</h3>",
        "<h3>Remisser per sjukhus och månad</h3>",
        "<h3>Avtalens nyttjande mot lägsta åtagande och högsta volym</h3>",
        "<h3>Kostnad per kanal</h3>",
        "<h2>Lösarens förlopp</h2>",
    ):
        assert heading in swedish, heading
    # The figures of the English report's table (test_report.py), under Swedish headers.
    assert page.table("sjukhus") == [
        [
            "sjukhus",
            "över, start",
            "över, slut",
            "patientmånader över",
            "skickade",
            "mottagna",
            "kostnad kr",
        ],
        ["A", "4", "0", "0", "3", "0", "390"],
        ["B", "0", "0", "0", "0", "1", "0"],
        ["regionen", "4", "0", "0", "3", "1", "390"],
    ]
    assert page.table("mål")[0] == ["mål", "värde", "gräns", "lucka %", "status", "sekunder"]


def test_the_swedish_report_sets_figures_with_a_decimal_comma(swedish: str) -> None:
    # The channels' shares of 390 SEK: 150 / 390 = 38.46 % and 240 / 390 = 61.54 %, one decimal.
    assert Page(swedish).table("kanal") == [
        ["kanal", "kostnad kr", "andel %"],
        ["Egen tilläggsproduktion", "0", "0,0"],
        ["Överföringar till andra sjukhus", "150", "38,5"],
        ["Köpt vård hos vårdgivaren X", "240", "61,5"],
        ["Utomregional vård: inga", "0", "0,0"],
        ["Outnyttjade lägsta åtaganden (betalas oavsett nyttjande)", "0", "0,0"],
        ["totalt (cost_sek i summary.json: 390)", "390", ""],
    ]


def test_the_swedish_charts_are_labelled_in_swedish(swedish: str) -> None:
    assert Page(swedish).charts == [
        "Patienter utöver vårdgarantin",
        "Remisser per sjukhus och månad",
        "Avtalens nyttjande",
        "Kostnad per kanal",
    ]  # no progress chart: a plan solved with --deterministic leaves the solver's progress out
    # Chart text stays SVG text: the legend of the bars, the axis and c1's 2 used of its maximum 3.
    for text in (
        "vid början",
        "vid slutet",
        "patienter under planperioden",
        "2 av 3",
        "använda",
    ):
        assert f">{text}</text>" in swedish, text


def test_a_stage_stopped_by_the_time_limit_is_pointed_out_in_swedish(
    example1_plan: Path, tmp_path: Path
) -> None:
    # cost stopped at 390 with a bound of 300: gap |390 - 300| / 390 = 23.08 %, "23,08 %" in Swedish.
    plan = tmp_path / "plan"
    shutil.copytree(example1_plan, plan)
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    summary["volumes"]["stages"][1].update(bound=300, status="FEASIBLE")
    (plan / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    text = report(plan, "sv", tmp_path / "r.html")
    assert Page(text).table("mål")[2][:5] == ["cost", "390", "300", "23,08", "FEASIBLE"]
    assert (
        "cost stoppades av tidsgränsen innan värdet var bevisat bäst: 390 hittades, och ingen plan kan "
        "bli bättre än 300 (lucka 23,08 %). En längre --time-limit kan stänga luckan."
    ) in page_text(text)


def test_lang_en_gives_the_english_report(example1_plan: Path, swedish: str, tmp_path: Path) -> None:
    # Asked for after the Swedish page in the same process: the texts marked at import follow too.
    english = report(example1_plan, "en", tmp_path / "en.html")
    page = Page(english)
    assert '<html lang="en">' in english
    assert "<title>Delivery plan report: Example 1</title>" in english
    assert "<h2>Summary</h2>" in english and "<h2>Care volumes (vårdvolymer)</h2>" in english
    assert page.table("channel")[2] == ["Transfers to other hospitals", "150", "38.5"]
    assert page.charts[0] == "Patients over the guarantee"


def test_the_frontier_report_in_swedish(tmp_path: Path) -> None:
    # Example 1's frontier (test_frontier.py): from 340 SEK to 390 SEK over_guarantee falls from 2
    # to 0, so 2 patient-months / 50 SEK = 40 000 removed per extra million SEK: "40 000,0".
    out = tmp_path / "frontier"
    result = invoke("frontier", EXAMPLE1, "--points", "4", "--deterministic", "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    text = report(out, "sv", tmp_path / "frontier.html")
    page = Page(text)
    assert '<html lang="sv">' in text
    assert "<title>Vad pengarna ger: Example 1</title>" in text
    assert "<h2>Patientmånader utöver vårdgarantin mot budget</h2>" in text
    assert page.charts == ["Budgetkurva"]
    rows = page.table("budget kr")
    assert rows[0][:3] == ["budget kr", "over_guarantee", "gräns"]
    assert rows[-1][:4] == ["390", "0", "0", "0,0000"]
    assert rows[-1][7:] == ["40 000,0", "optimum utan budgettak"]
    assert ">patientmånader utöver vårdgarantin</text>" in text


def test_the_replan_section_in_swedish(tmp_path: Path) -> None:
    # R31 against P (test_report.py): H1 0 -> 3 100 000 SEK, H2 4 000 000 -> 900 000 SEK, both
    # changes beyond the 3 000 000 SEK delegation limit; 2026-02 is the month R31 decided.
    plans = solve_replans(tmp_path, "R31")
    use_language("sv")
    page = Page(report(plans["R31"], "sv", tmp_path / "r31.html"))
    assert page.table("sjukhus", 1) == [
        ["sjukhus", "kr föregående plan", "kr denna plan", "ändring", "delegation"],
        ["H1", "0", "3 100 000", "+3 100 000", "över 3 000 000 kr: till nämnden"],
        # The change's sign as models/numbers.py sets a Swedish change.
        [
            "H2",
            "4 000 000",
            "900 000",
            " ".join(signed(-3_100_000).split()),
            "över 3 000 000 kr: till nämnden",
        ],
    ]
    assert [row[:2] for row in page.table("månad")[1:]] == [["2026-02", "beslutad"]]


def test_a_folder_that_is_not_a_plan_is_refused_in_swedish(tmp_path: Path) -> None:
    result = invoke("--lang", "sv", "report", tmp_path)
    refused(
        result,
        2,
        f"{tmp_path} är ingen planmapp: summary.json saknas "
        "(förväntat en mapp skriven av leveransplan solve)",
    )
    assert not (tmp_path / "report.html").exists()
