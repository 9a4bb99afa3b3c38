"""The message catalogue: every text the code wraps in `_`, `N_` or `ngettext` has its Swedish,
no entry is left that the code no longer uses, and a translation keeps its message's
placeholders ({name}) and rich markup ([bold]...[/]), which `str.format` and rich fill in."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from leveransplan.models.language import catalogue_files, requested_language

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "leveransplan" / "locale" / "sv" / "LC_MESSAGES"
SOURCES = ("leveransplan", "models", "inputs", "optimizer", "outputs")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)?(?:[!:][^{}]*)?\}")
MARKUP = re.compile(r"\[/?[a-z][a-z ]*\]|\[/\]")


def used_messages() -> dict[str, list[str]]:
    """Every message the code marks, with where (file:line)."""
    found: dict[str, list[str]] = defaultdict(list)
    for source in SOURCES:
        folder = ROOT / source
        for filename, lineno, message, _comments, _context in extract_from_dir(
            folder, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=()
        ):
            if source == "leveransplan" and filename.split("/")[0] in SOURCES:
                continue  # the links to the rooms, read once under their own names
            for part in message if isinstance(message, tuple) else (message,):
                if part:
                    found[part].append(f"{source}/{filename}:{lineno}")
    return found


def catalogue() -> dict[str, list[tuple[str, str | tuple[str, ...], bool]]]:
    """Every catalogue entry: message -> (file, translation, fuzzy) per .po file holding it."""
    entries: dict[str, list[tuple[str, str | tuple[str, ...], bool]]] = defaultdict(list)
    for name in catalogue_files("sv"):
        with (CATALOGUE / name).open("rb") as handle:
            for message in read_po(handle, locale="sv"):
                if not message.id:
                    continue
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                for part in ids:
                    entries[part].append((name, message.string, message.fuzzy))
    return entries


USED = used_messages()
ENTRIES = catalogue()


def test_the_code_marks_texts_and_the_catalogue_has_files() -> None:
    assert catalogue_files("sv"), "no Swedish catalogue"
    assert USED


def test_every_marked_text_has_its_swedish() -> None:
    missing = [f"{where[0]}: {text!r}" for text, where in sorted(USED.items()) if text not in ENTRIES]
    assert not missing, f"{len(missing)} texts have no catalogue entry:\n" + "\n".join(missing[:50])
    untranslated = [
        f"{name}: {text!r}"
        for text, found in sorted(ENTRIES.items())
        for name, string, fuzzy in found
        if fuzzy or not (all(string) if isinstance(string, tuple) else string)
    ]
    assert not untranslated, "fuzzy or empty translations:\n" + "\n".join(untranslated[:50])


def test_no_entry_is_left_that_the_code_no_longer_uses() -> None:
    stale = sorted(text for text in ENTRIES if text not in USED)
    assert not stale, f"{len(stale)} catalogue entries are used nowhere:\n" + "\n".join(map(repr, stale[:50]))


def test_a_text_in_two_files_has_one_translation() -> None:
    split = {text: found for text, found in ENTRIES.items() if len({str(s) for _, s, _ in found}) > 1}
    assert not split, split


@pytest.mark.parametrize("text", sorted(t for t in ENTRIES if "{" in t or "[" in t))
def test_a_translation_keeps_its_placeholders_and_markup(text: str) -> None:
    for _name, string, _fuzzy in ENTRIES[text]:
        for translated in string if isinstance(string, tuple) else (string,):
            assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(text)), translated
            assert sorted(MARKUP.findall(translated)) == sorted(MARKUP.findall(text)), translated


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        # Nothing said, or a locale that names no language of ours: Swedish.
        ([], {}, "sv"),
        ([], {"LANG": "C.UTF-8"}, "sv"),
        ([], {"LANG": "de_DE.UTF-8"}, "sv"),
        # The locale decides when it names English or Swedish; LANGUAGE's first known entry wins.
        ([], {"LANG": "en_GB.UTF-8"}, "en"),
        ([], {"LANGUAGE": "de:en", "LANG": "sv_SE.UTF-8"}, "en"),
        # LEVERANSPLAN_LANG before the locale, --lang before both.
        ([], {"LEVERANSPLAN_LANG": "sv", "LANG": "en_US.UTF-8"}, "sv"),
        (["solve", "--lang", "en"], {"LEVERANSPLAN_LANG": "sv"}, "en"),
        (["--lang=sv", "solve"], {"LANG": "en_US.UTF-8"}, "sv"),
        # After "--" a word is an argument, not an option.
        (["--", "--lang", "en"], {}, "sv"),
    ],
)
def test_the_language_asked_for(argv: list[str], environ: dict[str, str], expected: str) -> None:
    assert requested_language(argv, environ) == expected
