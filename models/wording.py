"""Texts that both a machine file and a person read: English in the file, the reader's language
on screen.

Some explanations end up in machine files (the reason column of unplaced.csv, `explain --json`,
the frontier's summary, `history --json`), which must not change with the language, and are
also printed for a person. A `Words` is such a text: as a `str` it is its English, so the
files written from it stay byte-identical whatever the language; `shown` renders it again in
the current language, for the screen, the report and the workbooks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from leveransplan.models.language import _, current_language, use_language
from leveransplan.models.numbers import grouped


@contextmanager
def in_english() -> Iterator[None]:
    """Texts and figures in English while inside, then the language before again."""
    before = current_language()
    use_language("en")
    try:
        yield
    finally:
        use_language(before)


class Words(str):
    """A text whose value is its English and that `shown` renders in the reader's language.

    `render` writes the text in the current language (with `_`, `ngettext` and the figures of
    models/numbers.py); it is called once in English for the value and again for each showing.
    """

    _render: Callable[[], str]

    def __new__(cls, render: Callable[[], str]) -> Words:
        with in_english():
            english = render()
        words = super().__new__(cls, english)
        words._render = render
        return words

    def shown(self) -> str:
        """The text in the current language."""
        return self._render()

    def __reduce__(self) -> tuple[Any, ...]:
        # Across processes it travels as its English: the rendering needs this process's data.
        return (str, (str(self[:]),))


def shown(text: str) -> str:
    """A text in the current language: a `Words` rendered again, any other text as it is."""
    return text.shown() if isinstance(text, Words) else text


def _value(value: object) -> str:
    if isinstance(value, Words):
        return value.shown()
    if isinstance(value, int) and not isinstance(value, bool):
        return grouped(value)
    return str(value)


def phrase(message: str, **values: object) -> Words:
    """`message` (marked with N_ where it is written) translated and filled with `values`: a whole
    number is a figure (grouped as the language writes it), a `Words` is rendered in the same
    language, anything else is put in as it is (codes, months, years as text)."""
    return Words(lambda: _(message).format(**{name: _value(v) for name, v in values.items()}))


def joined(separator: str, parts: Iterable[str]) -> Words:
    """Parts joined by a separator that reads alike in every language ('; ', ', ')."""
    items = list(parts)
    return Words(lambda: separator.join(shown(part) for part in items))
