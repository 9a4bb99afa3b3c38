"""The terminal's consoles: what a scenario's cells put on screen is shown, never obeyed.

Codes, names and file names come from the user's files. A cell holding a terminal escape
sequence (ESC [ 2 J clears the screen; others retitle the window or fake a line of output) or a
bidirectional override (which makes text read in another order than it is) would act on the
terminal if printed raw. Every text these consoles print has such characters written as visible
escapes (\\x1b, \\u202e) instead; the styling the tool itself adds is unaffected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Console
from rich.segment import Segment

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional embeddings, overrides
# and isolates.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with each control character written as a visible escape."""
    return _UNPRINTABLE.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text
    )


class SafeConsole(Console):
    """A rich Console that prints control characters in text as visible escapes."""

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        # Segments that are control codes are rich's own (cursor moves); text segments carry
        # the content, whose styling rich adds after this point.
        return super()._render_buffer(
            segment if segment.control else Segment(printable(segment.text), segment.style)
            for segment in buffer
        )
