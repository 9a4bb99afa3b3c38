"""The command line in Swedish: help, the stage table, figures, progress and refusals.

Swedish is what a person gets when nothing names a language: a server's C locale and no
LEVERANSPLAN_LANG. The expected texts are cli.po's Swedish, written out here by hand.

Example 1 of the spec (tests/data/example1) solves to over_guarantee 0, cost 390 (1 patient to B at
150 SEK and 2 to contract c1 at 120 SEK), travel 80. With every price ten times higher the same plan
is the cheapest, so the cost stage is 10 x 390 = 3 900: Swedish writes it 3 900 with a no-break space.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

from typer import rich_utils

from helpers import COMMAND, EXAMPLE1, flat, invoke, refused
from leveransplan.cli import TYPER_TEXTS
from leveransplan.exit_codes import EXIT_USAGE
from leveransplan.models.language import use_language
from leveransplan.models.wording import shown
from leveransplan.optimizer.errors import NoPlanInTime, reason_of
from leveransplan.optimizer.search import Progress
from leveransplan.optimizer.training_driver import no_plan_for_stage

TENFOLD = ("--scale", "prices.price_sek=10", "--scale", "contracts.price_sek=10")


def _help(*args: str) -> str:
    """`leveransplan ARGS --help` in a process of its own, with a C locale and no language chosen:
    the help texts are translated when the command line is built, so only a new process shows them."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in ("LEVERANSPLAN_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
    }
    environ.update(LANG="C.UTF-8", COLUMNS="400", TERMINAL_WIDTH="400")
    done = subprocess.run(
        [*COMMAND, *args, "--help"], capture_output=True, text=True, env=environ, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return flat(done.stdout)


def test_the_help_is_swedish_when_no_language_is_named() -> None:
    shown = _help()
    assert (
        "Leveransplaner för vårdvolymer, AT-tjänster och sidotjänstgöring för ST-läkare i allmänmedicin "
        "vid regionens sjukhus (CP-SAT)." in shown
    )
    assert "Slutkoder: 0 klart, 1 internt fel, 2 felaktigt anrop, 3 ogiltig indata," in shown
    assert "130 avbruten med Ctrl-C (143 med SIGTERM)." in shown
    assert (
        "Lös ett scenario och skriv dess planer (alla filer kommer på plats samtidigt, eller ingen)." in shown
    )
    # typer's panel titles and click's own words, set from the catalogue.
    assert "Flaggor" in shown and "Kommandon" in shown
    assert shown.startswith("Användning: ")  # then the program, here python -c
    assert "--help <bool> Visa den här hjälpen och avsluta." in shown
    assert "--install-completion <bool> Installera tabbkomplettering för det aktuella skalet." in shown
    assert "Solve a scenario" not in shown and "Exit codes" not in shown


def test_an_options_help_is_swedish_and_english_with_lang_en() -> None:
    swedish = _help("solve")
    assert "Ingen löpande förloppsrad på stderr." in swedish
    assert "Argument" in swedish
    english = _help("--lang", "en")
    assert "Solve a scenario and write its plans (all files appear together, or none)." in english
    assert "Exit codes: 0 done, 1 internal error, 2 usage" in english
    assert "Options" in english and "Commands" in english and "Slutkoder" not in english
    assert english.startswith("Usage: ") and "--help <bool> Show this message and exit." in english


def test_every_typer_text_set_exists_in_the_installed_typer() -> None:
    # A name typer no longer has would leave its English on screen without a word said.
    assert all(hasattr(rich_utils, name) for name in TYPER_TEXTS)


def test_solve_prints_the_stage_table_and_figures_in_swedish(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = invoke("--lang", "sv", "solve", EXAMPLE1, "--deterministic", "--out", out, *TENFOLD)
    assert result.exit_code == 0, result.output
    shown = flat(result.output)
    assert "Example 1, volymer: steg lösta i ordning" in shown
    assert "┃ mål ┃ värde ┃ gräns ┃ status ┃ sekunder ┃" in shown
    # The cost stage, 10 x 390 SEK, grouped by a no-break space; its seconds with a decimal comma.
    assert "│ 3\xa0900 │ 3\xa0900 │" in result.output
    assert "│ cost │ 3 900 │ 3 900 │ OPTIMAL │ 0,00 │" in shown
    assert "Per sjukhus" in shown
    assert f"Planen skrevs till {out} (kontrollerad av den oberoende plankontrollen)." in shown
    # The plan passes the independent checker again, and says so in Swedish.
    checked = invoke("--lang", "sv", "check", EXAMPLE1, out)
    assert checked.exit_code == 0, checked.output
    assert f"{out}: alla regler håller och alla mål stämmer med summary.json (volumes)." in flat(
        checked.output
    )


def test_the_same_solve_in_english_is_as_before(tmp_path: Path) -> None:
    result = invoke(
        "--lang", "en", "solve", EXAMPLE1, "--deterministic", "--out", tmp_path / "plan", *TENFOLD
    )
    assert result.exit_code == 0, result.output
    shown = flat(result.output)
    assert "Example 1, volumes: stages solved in order" in shown
    assert "┃ objective ┃ value ┃ bound ┃ status ┃ seconds ┃" in shown
    assert "│ cost │ 3 900 │ 3 900 │ OPTIMAL │ 0.00 │" in shown


def test_a_refusal_in_swedish_and_in_english() -> None:
    refused(
        invoke("--lang", "sv", "solve", EXAMPLE1, "--only", "nonsense"),
        EXIT_USAGE,
        "--only 'nonsense': ska vara en av volumes, at, placements.",
    )
    refused(
        invoke("--lang", "en", "solve", EXAMPLE1, "--only", "nonsense"),
        EXIT_USAGE,
        "--only 'nonsense': expected one of volumes, at, placements.",
    )


def test_a_what_if_refusal_counts_in_swedish_and_says_nothing_was_written(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    result = invoke("--lang", "sv", "solve", EXAMPLE1, "--set", "nonsense", "--out", out)
    refused(
        result, EXIT_USAGE, "1 scenarioändring går inte att tolka:", "--set nonsense", "Ingenting skrevs."
    )
    assert not out.exists()


def test_the_progress_line_in_swedish() -> None:
    # Value 1 000 against bound 500: the gap is (1000 - 500) / 1000 = 50 %.
    use_language("sv")
    stream = io.StringIO()
    progress = Progress(stream=stream, interval_s=0.0)
    progress.start_model("volumes", 0.0)
    progress.start_stage("cost", 0.0)
    progress.update(0.5, value=1000, bound=500)
    progress.finish_stage(1.5, 950, 950)
    shown = [line for line in stream.getvalue().split("\r") if line.strip()]
    assert shown[0].startswith("volumes · cost  mål 1\xa0000  gräns 500  lucka 50,00 %")
    assert shown[-1].startswith("volumes · cost  mål 950  gräns 950  lucka 0,00 %  1,5 s")


def test_json_and_the_plan_files_are_the_same_in_both_languages(tmp_path: Path) -> None:
    printed = {}
    for language in ("sv", "en"):
        out = tmp_path / language
        result = invoke("--lang", language, "solve", EXAMPLE1, "--deterministic", "--json", "--out", out)
        assert result.exit_code == 0, result.output
        document = json.loads(result.stdout)
        assert document.pop("plan_folder") == str(out)
        printed[language] = document
    assert printed["sv"] == printed["en"]
    for name in ("delivery_plan.csv", "production_plan.csv", "volume_table.csv", "summary.json"):
        assert (tmp_path / "sv" / name).read_bytes() == (tmp_path / "en" / name).read_bytes(), name


def test_explain_in_swedish() -> None:
    # Example 1's optimum leaves no patient beyond the guarantee (over_guarantee 0), and its
    # scenario.toml sets no budget: money does not bind.
    result = invoke("--lang", "sv", "explain", EXAMPLE1)
    assert result.exit_code == 0, result.output
    shown = flat(result.output)
    assert (
        "Example 1: 0 patientmånader utöver vårdgarantin, i 0 par av sjukhus och kategori; flest först."
        in shown
    )
    assert (
        "Ingen budget: pengarna begränsar inte. Planen når det lägsta möjliga antalet patientmånader "
        "utöver vårdgarantin; mer pengar skulle inte ta bort någon."
    ) in shown


def test_a_time_limit_reason_is_english_in_the_files_and_swedish_on_screen() -> None:
    # summary.json's not_solved keeps the English whatever the language; the terminal shows it
    # in the reader's (commands_solve, outputs/console/solve.py).
    reason = reason_of(NoPlanInTime(no_plan_for_stage("deviation")))
    use_language("sv")
    assert (
        json.dumps({"at": reason})
        == '{"at": "no plan was found for the deviation stage within the time limit"}'
    )
    assert shown(reason) == "ingen plan hittades för steget deviation inom tidsgränsen"


def test_validate_counts_in_singular_and_plural() -> None:
    # Example 1: hospitals A and B, category k, contract c1, months 2026-01..2026-02.
    for language, expected in (
        ("sv", "giltigt. 2 sjukhus; volymer: 1 kategori, 1 avtal, 2 månader från 2026-01."),
        ("en", "valid. 2 hospitals; volumes: 1 category, 1 contract, 2 months from 2026-01."),
    ):
        result = invoke("--lang", language, "validate", EXAMPLE1)
        assert result.exit_code == 0, result.output
        assert expected in flat(result.output)
