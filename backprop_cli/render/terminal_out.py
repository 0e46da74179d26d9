"""Where the terminal renderer's lines and tables go: through rich (colour), or plain.py's writer (no colour).

Both take the same calls, say(text, style) and table(tab, widths), and write the same characters;
rich adds only the colours. The plain writer hands rich anything it does not lay out itself.
"""
from __future__ import annotations

import io

from .plain import simple, wrapped
from .plain import table as plain_table
from .wrap import Breakable, wrap


class Tab:
    """A table to print: its title, headers, which columns are numbers (right-aligned), and rows of cells."""

    def __init__(self, headers: list[str], numeric: list[bool], title: str | None, formulas: bool):
        self.headers, self.numeric, self.title, self.formulas = headers, numeric[:len(headers)], title, formulas
        self.rows: list[list] = []

    def add_row(self, *cells) -> None:
        """A row; in a table of formulas, every text cell is a formula (it breaks only outside brackets)."""
        self.rows.append([Breakable(c) if self.formulas and isinstance(c, str) else c for c in cells])

    @property
    def columns(self) -> list[tuple]:
        """Each column: its header, then its cells (an empty string where a row is short)."""
        return [(h, *(row[k] if k < len(row) else "" for row in self.rows)) for k, h in enumerate(self.headers)]


class RichOut:
    """Output through rich: colours, and any layout the plain writer leaves to rich."""

    def __init__(self, width: int, color: bool):
        from rich.console import Console  # only for colour, or what the plain writer leaves to rich

        self.buffer, self.width = io.StringIO(), width
        # A height too, so that rich never reads COLUMNS or LINES itself (it fails on COLUMNS=² or LINES=²).
        self.console = Console(file=self.buffer, width=width, height=25, color_system="standard" if color else None,
                               force_terminal=color, highlight=False, markup=False, emoji=False,
                               legacy_windows=False)

    def say(self, text: str = "", style: str | None = None) -> None:
        from rich.text import Text as RichText

        self.console.print(RichText(text, style=style) if style else text)

    def table(self, tab: Tab, widths: list[int] | None) -> None:
        from rich import box
        from rich.table import Table as RichTable

        t = RichTable(*tab.headers, box=box.SIMPLE_HEAD, title=tab.title, title_justify="left", title_style="bold",
                      show_edge=False, pad_edge=False)
        for col, right in zip(t.columns, tab.numeric):
            col.justify = "right" if right else "left"
        for row in tab.rows:
            t.add_row(*row)
        for col, width in zip(t.columns, widths or ()):
            col.width = width
        self.console.print(t)

    def value(self) -> str:
        return self.buffer.getvalue()


class PlainOut:
    """Output without colour, laid out as rich would lay it out (plain.py), rich itself for the rest."""

    def __init__(self, width: int):
        self.width = width
        self.parts: list[str] = []
        self.rich: RichOut | None = None

    def say(self, text: str = "", style: str | None = None) -> None:
        if simple(text):
            self.parts += [line + "\n" for line in wrapped(text, self.width)]
        else:
            self._by_rich().say(text, style)
            self._flush()

    def table(self, tab: Tab, widths: list[int] | None) -> None:
        texts = [tab.title or "", *tab.headers, *(c for row in tab.rows for c in row if isinstance(c, str))]
        if widths is None or not all(simple(t) for t in texts):  # rich narrows it, or its text is unusual
            self._by_rich().table(tab, widths)
            self._flush()
            return
        self.parts += [line + "\n" for line in plain_table(tab.title, tab.headers, tab.numeric, tab.rows, widths,
                                                           _cell_lines)]

    def _by_rich(self) -> RichOut:
        if self.rich is None:
            self.rich = RichOut(self.width, False)
        return self.rich

    def _flush(self) -> None:
        assert self.rich is not None
        self.parts.append(self.rich.value())
        self.rich.buffer.seek(0)
        self.rich.buffer.truncate()

    def value(self) -> str:
        return "".join(self.parts)


def _cell_lines(cell, width: int, right: bool) -> list[str]:
    """A table cell's lines at width: a formula broken only outside brackets, words wrapped at spaces."""
    if isinstance(cell, Breakable):
        return wrap(cell.text, width)
    return wrapped(cell, width, "right" if right else "left", cell=True)
