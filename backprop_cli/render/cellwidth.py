"""How many terminal cells a text takes, without importing rich for the text a solution is made of.

Every character of a solution's own notation (ASCII, Latin-1, Greek, sub- and superscripts, arrows,
mathematical operators, box drawing) takes one cell. Any other text (a wide character in a title, a
combining mark) is measured by rich.cells, imported only then: the answer is rich's either way.
"""
from __future__ import annotations

import re

# One cell each; the zero-width and direction marks of U+200B–U+200F, U+2028–U+202E, U+2060–U+206F and
# the combining marks from U+0300 are left out, so they go to rich.
_NARROW = re.compile("[\x20-\x7e\u00a0-\u02ff\u0370-\u03ff\u2010-\u2027\u2030-\u205f\u2070-\u209f"
                     "\u2190-\u21ff\u2200-\u22ff\u2500-\u259f\u27e8\u27e9]*")


def narrow(text: str) -> bool:
    """Whether every character of text takes exactly one cell."""
    return _NARROW.fullmatch(text) is not None


def cells(text: str) -> int:
    """The width of text in terminal cells, as rich counts it."""
    if narrow(text):
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def chop(text: str, width: int) -> list[str]:
    """text cut into pieces of at most width cells, as rich folds a word too long for its line."""
    if narrow(text):
        return [text[k:k + width] for k in range(0, len(text), width)] or [""]
    from rich.cells import chop_cells

    return list(chop_cells(text, width))
