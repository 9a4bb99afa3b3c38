"""The language people read: Swedish by default, English on request, from one message catalogue.

Every text a person reads is written in the code in English and wrapped in `_` (or `ngettext`
for a count), so Babel's extractor finds it; its Swedish is in the catalogue,
leveransplan/locale/sv/LC_MESSAGES/*.po (one file per part of the tool, merged when read).
Machine files (the spec's CSV files, summary.json, manifest.json) keep their English names and
are never translated.

The language is, first to last: `--lang` on the command line, LEVERANSPLAN_LANG, then the
locale's LANGUAGE / LC_ALL / LC_MESSAGES / LANG when it names English or Swedish; otherwise
Swedish, the language of the region's readers (a server's C or POSIX locale says nothing about
its readers).

Help texts are translated when the command line is built, so the language is read from the
process's own arguments and environment at that moment; `use_language` changes it for what is
printed afterwards.
"""

from __future__ import annotations

import gettext
import io
import os
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
LANGUAGE_VARIABLE = "LEVERANSPLAN_LANG"
_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
# The language whose catalogue is the code's own text.
SOURCE_LANGUAGE = "en"

_chosen: str | None = None


def language_named(name: str | None) -> str | None:
    """The supported language a name means ('sv', 'sv_SE.UTF-8', 'en-GB', 'English'), or None."""
    if not name:
        return None
    head = name.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    aliases = {"sv": "sv", "swedish": "sv", "svenska": "sv", "en": "en", "english": "en", "engelska": "en"}
    return aliases.get(head)


def _from_arguments(argv: Sequence[str]) -> str | None:
    for index, word in enumerate(argv):
        if word == "--":
            break
        if word == "--lang" and index + 1 < len(argv):
            return language_named(argv[index + 1])
        if word.startswith("--lang="):
            return language_named(word.partition("=")[2])
    return None


def requested_language(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language the process asks for: `--lang`, LEVERANSPLAN_LANG, the locale, else Swedish."""
    argv = sys.argv[1:] if argv is None else argv
    environ = os.environ if environ is None else environ
    chosen = _from_arguments(argv) or language_named(environ.get(LANGUAGE_VARIABLE))
    if chosen:
        return chosen
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable, "")
        # LANGUAGE may list several (sv:en); the first that is one of ours decides.
        for part in value.split(":"):
            found = language_named(part)
            if found:
                return found
    return DEFAULT_LANGUAGE


def use_language(language: str | None) -> str:
    """Print in `language` from now on ('sv' or 'en'; None: what the process asks for)."""
    global _chosen
    _chosen = language_named(language) or requested_language()
    return _chosen


def current_language() -> str:
    """The language texts are printed in now."""
    return _chosen if _chosen is not None else use_language(None)


def catalogue_files(language: str) -> list[str]:
    """The catalogue's .po files of `language`, by name (none for the source language)."""
    folder = resources.files("leveransplan") / "locale" / language / "LC_MESSAGES"
    if not folder.is_dir():
        return []
    return sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".po"))


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue of `language`: its .po files read by Babel and chained in name order."""
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    folder = resources.files("leveransplan") / "locale" / language / "LC_MESSAGES"
    chain: gettext.NullTranslations = gettext.NullTranslations()
    for name in reversed(catalogue_files(language)):
        with (folder / name).open("rb") as handle:
            catalog = read_po(handle, locale=language)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
        compiled.seek(0)
        part = gettext.GNUTranslations(compiled)
        part.add_fallback(chain)
        chain = part
    return chain


def _(message: str) -> str:
    """`message` in the current language."""
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural of a message for `count`, in the current language."""
    return translations(current_language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks a text for the catalogue where it is defined; `_` translates it where it is shown."""
    return message
