"""A scenario whose scenario.toml marks it illustrative (`illustrative = "..."` or `= true`, a
format 1.1 addition) carries the mark on every page of its plan's report and every sheet of its
workbook, and in summary.json; a scenario without it carries none."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import EXAMPLE1, invoke, only_problem
from helpers.plans import Xlsx
from leveransplan.inputs import load_scenario
from leveransplan.inputs.settings import ILLUSTRATIVE

NOTE = "Hospital B's prices are invented & <rounded>."


def example_with(tmp_path: Path, line: str) -> Path:
    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLE1, scenario)
    toml = (scenario / "scenario.toml").read_text(encoding="utf-8")
    (scenario / "scenario.toml").write_text(f"{line}\n{toml}", encoding="utf-8")
    return scenario


@pytest.mark.parametrize(
    ("line", "mark"), [(f'illustrative = "{NOTE}"', NOTE), ("illustrative = true", ILLUSTRATIVE), ("", None)]
)
def test_the_mark_is_read(tmp_path: Path, line: str, mark: str | None) -> None:
    assert load_scenario(example_with(tmp_path, line)).illustrative == mark


def test_a_mark_that_is_not_a_sentence_is_refused(tmp_path: Path) -> None:
    problem = only_problem(example_with(tmp_path, "illustrative = 3"))
    assert (problem.file, problem.key, problem.value) == ("scenario.toml", "illustrative", "3")
    assert "expected true, false or a sentence" in problem.expected


def test_every_page_and_sheet_carries_the_mark(tmp_path: Path) -> None:
    scenario = example_with(tmp_path, f'illustrative = "{NOTE}"')
    plan = tmp_path / "plan"
    result = invoke("solve", scenario, "--deterministic", "--excel", "--report", "--out", plan)
    assert result.exit_code == 0, result.output
    assert json.loads((plan / "summary.json").read_text(encoding="utf-8"))["illustrative"] == NOTE
    page = (plan / "report.html").read_text(encoding="utf-8")
    assert page.count('<p class="illustrative">') == 1  # under the title; print CSS repeats it
    assert "Hospital B&#x27;s prices are invented &amp; &lt;rounded&gt;." in page
    assert ".illustrative { position: fixed; top: 0;" in page  # on every printed page
    books = sorted((plan / "workbooks").iterdir())
    assert [book.name for book in books] == ["A.xlsx", "B.xlsx", "region.xlsx"]
    for book in books:
        workbook = Xlsx(book)
        assert len(workbook.sheets) >= 5  # each hospital's and the region's tables, one per sheet
        for name in workbook.sheets:
            assert workbook.value(name, "A1") == f"ILLUSTRATIVE: {NOTE}", name
            header = workbook.sheet(name).find(".//{*}oddHeader")
            assert header is not None and NOTE.replace("&", "&&") in (header.text or ""), name


def test_a_plan_without_the_mark_has_none(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    assert invoke("solve", EXAMPLE1, "--deterministic", "--excel", "--report", "--out", plan).exit_code == 0
    assert "illustrative" not in json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    assert 'class="illustrative"' not in (plan / "report.html").read_text(encoding="utf-8")
    for book in sorted((plan / "workbooks").iterdir()):
        workbook = Xlsx(book)
        assert all(not str(workbook.value(name, "A1")).startswith("ILLUSTRATIVE") for name in workbook.sheets)
