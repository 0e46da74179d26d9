"""Plain terminal text laid out as rich lays it out, without importing rich: lines and the solution's tables.

Output without colour (a pipe, a file, -o) needs none of rich's styles, and importing rich and laying out
a homework's tables with it costs more than the rest of `backprop solve`. This writer follows rich's
rules for what the terminal renderer prints: text wrapped at spaces to the width (a word too long for a
line folded), kept trailing spaces, and box.SIMPLE_HEAD tables without edges whose column widths the
renderer has already chosen. Anything else (a table rich must narrow, a newline or tab inside a text)
is handed to rich itself, writing into the same output. tests/test_render_plain.py holds the two to
byte-identical output.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from .cellwidth import cells, chop, narrow

_WORD = re.compile(r"\s*\S+\s*")
_TRAILING = re.compile(r"\s+$")


def breaks(text: str, width: int, fold: bool = True) -> list[int]:
    """Where a line of text is broken to fit width: a word with its trailing spaces stays on the line when
    its visible part fits; else it starts the next line; a word wider than a line is folded across lines
    (fold), or starts a line of its own and is cut short there (a table cell)."""
    out: list[int] = []
    used = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        visible = cells(word.rstrip())
        if width - used >= visible:
            used += cells(word)
        elif visible > width and fold:
            pieces = chop(word, width)
            for k, piece in enumerate(pieces):
                if start:
                    out.append(start)
                if k == len(pieces) - 1:
                    used = cells(piece)
                else:
                    start += len(piece)
        elif visible > width:
            if start:
                out.append(start)
            used = cells(word)
        elif used and start:
            out.append(start)
            used = cells(word)
    return out


def wrapped(text: str, width: int, justify: str = "default", cell: bool = False) -> list[str]:
    """text as the lines of width it wraps to: "default" as printed, "left" or "right" within a cell.

    Printed text folds a word too long for its line; a table cell (cell) cuts it short with an ellipsis.
    """
    marks = [0, *breaks(text, width, fold=not cell), len(text)]
    lines = [text[a:b] for a, b in zip(marks, marks[1:])] or [""]
    out = []
    for line in lines:
        excess = len(line) - width
        if excess > 0:  # whitespace beyond the width goes
            space = _TRAILING.search(line)
            if space is not None:
                line = line[:len(line) - min(len(space.group(0)), excess)]
        if justify == "right":
            line = line.rstrip()
        line = _crop(line, width, cell)
        if justify == "left":
            line += " " * (width - cells(line))
        elif justify == "right":
            line = " " * (width - cells(line)) + line
        out.append(line)
    return out


def _crop(line: str, width: int, ellipsis: bool) -> str:
    if cells(line) <= width:
        return line
    if ellipsis:
        return (chop(line, width - 1)[0] if width > 1 else "") + "…"
    return chop(line, width)[0]


def simple(text: str) -> bool:
    """Whether this writer lays text out as rich does: printable characters of one cell each (no newline, tab,
    wide character or combining mark: rich writes those)."""
    return text.isprintable() and narrow(text)


def table(title: str | None, headers: Sequence[str], right: Sequence[bool], rows: Sequence[Sequence],
          widths: Sequence[int], lines_of) -> list[str]:
    """A box.SIMPLE_HEAD table without edges, its columns widths wide and 3 cells apart.

    rows hold strings or formulas; lines_of(cell, width, right) gives a cell's lines, unpadded.
    """
    total = sum(widths) + 3 * (len(widths) - 1)
    out = wrapped(title, total, "left") if title else []

    def row_lines(row: Sequence, bottom: bool = False) -> list[str]:
        columns = []
        for k, width in enumerate(widths):
            cell = row[k] if k < len(row) else ""
            lines = lines_of(cell, width, right[k])
            columns.append([_pad(line, width, right[k]) for line in lines])
        height = max(len(c) for c in columns)
        for k, width in enumerate(widths):
            blank = [" " * width] * (height - len(columns[k]))
            columns[k] = blank + columns[k] if bottom else columns[k] + blank
        return ["   ".join(parts) for parts in zip(*columns)]

    out += row_lines(headers, bottom=True)  # a header that wraps sits on the rule, as rich sets it
    out.append("─" * total)
    for row in rows:
        out += row_lines(row)
    return out


def _pad(line: str, width: int, right: bool) -> str:
    gap = width - cells(line)
    return " " * gap + line if right else line + " " * gap
