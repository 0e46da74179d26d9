"""Where a printed formula may break across terminal lines: before an operator outside every bracket.

A formula breaks before ' = ' first, then before ' + ' and ' − ', then before '·' (the outermost
operators first), and the operator starts the next line, so a minus sign stays with its number.
It never breaks inside a bracket, after a function name (log p) or anywhere else; a piece that
still does not fit is broken inside its brackets, and at last cut, only when nothing else fits.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .cellwidth import cells as cell_len

if TYPE_CHECKING:  # rich is imported only when a table is laid out by rich (in colour)
    from rich.console import Console, ConsoleOptions
    from rich.measure import Measurement
    from rich.segment import Segment

# Break opportunities, outermost first; each is the operator a continuation line starts with.
LEVELS: tuple[tuple[str, ...], ...] = ((" = ",), (" + ", " − "), ("·",))
OPEN, CLOSE = "([", ")]"
GAP = 3  # what separates two columns of a terminal table: padding, rule, padding


def cut(text: str, ops: Sequence[str], depth: int = 0) -> list[str]:
    """text cut before each operator of ops at bracket depth ``depth``; joined, the pieces are text.

    A piece keeps the space before the next operator, so the pieces concatenate back to text.
    """
    pieces, start, level = [], 0, 0
    for i, ch in enumerate(text):
        if ch in OPEN:
            level += 1
        elif ch in CLOSE:
            level -= 1
        elif level == depth and i > start:
            for op in ops:
                if text.startswith(op, i):
                    at = i + 1 if op.startswith(" ") else i
                    pieces.append(text[start:at])
                    start = at
                    break
    pieces.append(text[start:])
    return pieces


def pieces(text: str) -> list[str]:
    """The parts no wrap may break at the top level: text cut at every top-level operator."""
    out = [text]
    for ops in LEVELS:
        out = [p for part in out for p in cut(part, ops)]
    return out


def min_width(text: str) -> int:
    """The narrowest width text fits without a break inside a bracket."""
    return max(cell_len(p.strip()) for p in pieces(text))


def _levels(text: str) -> Iterator[tuple[Sequence[str], int]]:
    """Every (operators, depth) at which text may break, outermost first, down to its deepest bracket."""
    deepest = depth = 0
    for ch in text:
        depth += (ch in OPEN) - (ch in CLOSE)
        deepest = max(deepest, depth)
    for d in range(deepest + 1):
        for ops in LEVELS:
            yield ops, d


def wrap(text: str, width: int) -> list[str]:
    """Lines of text at most width wide, broken at the outermost operators that make it fit."""
    return _wrap(text.strip(), width, list(_levels(text)))


def _wrap(text: str, width: int, levels: list) -> list[str]:
    if cell_len(text) <= width:
        return [text]
    while levels:
        (ops, depth), levels = levels[0], levels[1:]
        parts = cut(text, ops, depth)
        if len(parts) > 1:
            break
    else:  # no operator left to break at: cut the characters, the last resort
        width = max(width, 1)
        return [text[i:i + width] for i in range(0, len(text), width)]
    lines = [parts[0]]
    for part in parts[1:]:
        if cell_len((lines[-1] + part).strip()) <= width:
            lines[-1] += part
        else:
            lines.append(part)
    # a line still too long is a single piece: break it further in
    return [out for line in lines for out in _wrap(line.strip(), width, levels)]


def cost(lines: Sequence[str]) -> int:
    """How hard lines are to read: one per line, one more per line broken inside a product."""
    return len(lines) + sum(line.lstrip().startswith(LEVELS[-1]) for line in lines)


def equation(head: str, parts: Sequence[str], width: int) -> list[str]:
    """head = part = part …: one line if it fits, else each '= part' on a line of its own, under the first '='.

    The last part (the value) stays on the line before if it fits there. A part that does not
    fit on its line breaks, its continuation lines under its first character. When a part would
    have to break inside a bracket there, every '=' moves left, under the head indented by two,
    and the first one too when the first part needs it.
    """
    whole = " = ".join([head, *parts])
    if cell_len(whole) <= width:
        return [whole]
    aligned = " " * (cell_len(head) + 1) + "= "
    short = " " * (cell_len(head) - cell_len(head.lstrip()) + 2) + "= "
    prefix, lines = aligned, [f"{head} = "]
    if any(min_width(p) > width - cell_len(aligned) for p in parts):
        prefix = short
        if min_width(parts[0]) > width - cell_len(lines[0]):
            lines = [head, short]
    alone = False  # whether the last part took more than one line
    for n, part in enumerate(parts, start=1):
        if lines[-1].endswith("= "):  # a line that waits for its part
            start = lines.pop()
        elif n == len(parts) and not alone and cell_len(f"{lines[-1]} = {part}") <= width:
            lines[-1] += f" = {part}"
            continue
        else:
            start = prefix
        broken = wrap(part, width - cell_len(start))
        lines += [start + broken[0], *(" " * cell_len(start) + line for line in broken[1:])]
        alone = len(broken) > 1
    return lines


@dataclass(frozen=True)
class Breakable:
    """A formula in a rich table cell: it breaks only where wrap() allows, at the width rich gives it."""

    text: str

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        return Measurement(min_width(self.text), cell_len(self.text))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        from rich.segment import Segment

        width = options.max_width
        for line in wrap(self.text, width):
            pad = " " * (width - cell_len(line)) if options.justify == "right" else ""
            yield Segment(pad + line)
            yield Segment.line()


def measure(cell: object) -> tuple[int, int]:
    """(narrowest, widest) width of a table cell: a Breakable, or words that may wrap at any space."""
    if isinstance(cell, Breakable):
        return min_width(cell.text), cell_len(cell.text)
    text = str(cell)
    return max((cell_len(w) for w in text.split()), default=0), cell_len(text)


def fit(narrowest: Sequence[int], widest: Sequence[int], room: int) -> list[int] | None:
    """Column widths within room: the widest a column needs, the widest columns narrowed first.

    None when even the narrowest widths do not fit.
    """
    if sum(narrowest) > room:
        return None
    widths = list(widest)
    for _ in range(sum(widths) - room):
        i = max((i for i, w in enumerate(widths) if w > narrowest[i]), key=lambda i: widths[i])
        widths[i] -= 1
    return widths


def column_widths(columns: Sequence[Sequence[object]], room: int) -> list[int] | None:
    """Widths of table columns (each its header and cells) within room; None if they cannot fit.

    Each column is as wide as its longest line once its formulas are broken to fit().
    """
    sizes = [[measure(c) for c in col] for col in columns]
    fitted = fit([max(n for n, _ in s) for s in sizes], [max(w for _, w in s) for s in sizes], room)
    if fitted is None:
        return None
    return [max(_used(c, width) for c in col) for col, width in zip(columns, fitted)]


def _used(cell: object, width: int) -> int:
    """How wide a cell is at width: a formula its longest line, words all of width if they wrap."""
    if isinstance(cell, Breakable):
        return max(cell_len(line) for line in wrap(cell.text, width))
    return min(cell_len(str(cell)), width)
