"""The blocks of the layout: what a section shows, in order, with no format in it.

Each format has one writer per block type, chosen by one mapping; a new block type needs one
writer in each format (tests/test_render_layout.py checks that every format knows every type).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ..model import Problem
from .cells import Cell, Formula, Sum


@dataclass(frozen=True)
class Title:
    """The title of the whole document."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """Prose of its own: the source, the description."""

    text: Cell


@dataclass(frozen=True)
class Subheading:
    """A heading inside a section."""

    text: str


@dataclass(frozen=True)
class Note:
    """One line that belongs to the block above it (the terminal indents it); an optional title."""

    text: Cell
    title: str | None = None


@dataclass(frozen=True)
class Column:
    """A table column; numbers are right-aligned."""

    header: str
    numeric: bool = False


@dataclass(frozen=True)
class Rows:
    """One group of table rows: the terminal shows it under its title, markdown with its label."""

    rows: tuple[tuple[Cell, ...], ...]
    title: str | None = None
    label: Cell | None = None


@dataclass(frozen=True)
class Table:
    """Rows of cells under columns, in one or more groups.

    group_column heads the column of group labels (markdown writes one table with it, the
    terminal one titled table per group). The caption explains the table's notation; markdown
    writes it above the table, the terminal stays compact and leaves it out.
    """

    columns: tuple[Column, ...]
    groups: tuple[Rows, ...]
    group_column: str | None = None
    caption: tuple[Cell, ...] = ()  # one cell per line


@dataclass(frozen=True)
class Equation:
    """lhs = formula in symbols = the formula with each sample's numbers = its value."""

    lhs: Cell
    formula: Formula
    numbers: tuple[Formula, ...] = ()  # one per sample; none in a derivation in symbols
    values: tuple[float, ...] = ()


@dataclass(frozen=True)
class Shortcut:
    """Under an equation: the same lhs the short way, = formula = numbers = value (e.g. δ = ŷ − y).

    label names the shortcut: "the softmax + cross-entropy shortcut".
    """

    lhs: Cell
    formula: Formula
    numbers: tuple[Formula, ...]  # one per sample
    values: tuple[float, ...]
    label: str


@dataclass(frozen=True)
class SampleSum:
    """lhs summed over the samples of a batch: parts = total."""

    lhs: Cell
    parts: Sum
    total: float


@dataclass(frozen=True)
class Derivation:
    """Equations in reading order (the terminal: one table; markdown: one display each).

    head names the left-hand sides and the formulas ("node", "formula").
    """

    head: tuple[str, str]
    rows: tuple[Equation | Shortcut | SampleSum, ...]
    title: str | None = None


@dataclass(frozen=True)
class Definitions:
    """Named results, lhs = rhs: the loss, the function, the gradient.

    together: one system of equations (markdown aligns them in one display) or separate results.
    """

    title: str
    rows: tuple[tuple[Cell, Cell], ...]
    together: bool = True


@dataclass(frozen=True)
class Diagram:
    """The network or computational graph, drawn by each format in its own way."""

    title: str
    problem: Problem


@dataclass(frozen=True)
class BatchTotal:
    """The loss over a batch: lhs over the batch (reduction) = parts = total."""

    lhs: Cell
    reduction: str
    parts: Sum
    total: float


@dataclass(frozen=True)
class LossChange:
    """The loss before and after the update, and after it per sample."""

    lhs: Cell
    before: float
    after: float
    per_sample: tuple[float, ...]


@dataclass(frozen=True)
class LossCurve:
    """The loss over all samples after each step, losses[k] after k steps, drawn by each format its way.

    The terminal draws it in text, markdown as a mermaid line chart; each picks the points it draws.
    """

    lhs: Cell
    losses: tuple[float, ...]
    log: bool = False  # on a logarithmic scale: every loss is positive and they span two decades or more


Block = Union[  # noqa: UP007 - a run-time alias
    Title, Paragraph, Subheading, Note, Table, Derivation, Definitions, Diagram, BatchTotal, LossChange, LossCurve]
BLOCK_TYPES = (Title, Paragraph, Subheading, Note, Table, Derivation, Definitions, Diagram, BatchTotal, LossChange,
               LossCurve)
ROW_TYPES = (Equation, Shortcut, SampleSum)


@dataclass(frozen=True)
class Section:
    """A numbered section and its blocks."""

    number: int
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Document:
    """The whole solution, laid out: the front matter, then the numbered sections."""

    front: tuple[Block, ...]
    sections: tuple[Section, ...]
    symbols: dict = field(default_factory=dict)  # name -> LaTeX, the problem's own
