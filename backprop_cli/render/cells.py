"""The cells of the layout: small typed values that each format writes in its own way.

The terminal writes every cell as plain text; markdown writes the same cell as code, inline math
or display LaTeX. A new cell type needs one writer in each format.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Union

from ..formula.printing import name_latex
from ..formula.tree import Expr, add


@dataclass(frozen=True)
class Text:
    """Words, written as they are."""

    text: str


@dataclass(frozen=True)
class Name:
    """A name from the problem file (a node, an input, a parameter)."""

    name: str


@dataclass(frozen=True)
class Grad:
    """The gradient ∂loss/∂node, as a quantity; of_mean: of the mean of loss over that many samples."""

    loss: str
    node: str
    of_mean: int = 0


@dataclass(frozen=True)
class Num:
    """A number, written at the precision asked for."""

    value: float


@dataclass(frozen=True)
class Math:
    """A short piece of notation the formula printer cannot build (p ← p − η·∂L/∂p), spelt both ways."""

    text: str
    latex: str


@dataclass(frozen=True)
class Formula:
    """A sum of formula terms, in symbols or with one sample's numbers substituted; optionally '= value'."""

    terms: tuple[Expr, ...]
    values: dict | None = None  # name -> number of one sample
    symbols: dict = field(default_factory=dict)  # name -> LaTeX
    value: float | None = None

    @property
    def expr(self) -> Expr:
        """The terms as one formula."""
        return self.terms[0] if len(self.terms) == 1 else add(*self.terms)


@dataclass(frozen=True)
class Sum:
    """Numbers added up (a + b), or averaged ((a + b)/n); a long sum as a + b + c + … + z."""

    values: tuple[float, ...]
    mean: bool = False
    of: int = 0  # when more: how many values are summed, of which values holds the first few and the last


@dataclass(frozen=True)
class InSample:
    """A cell that stands for one sample of a batch."""

    cell: Cell
    sample: int  # counted from 0


@dataclass(frozen=True)
class SampleKey:
    """A clause saying how this format marks sample s, for a reader of a batch problem."""


@dataclass(frozen=True)
class Join:
    """Cells written one after another, with a separator."""

    parts: tuple[Cell, ...]
    sep: str = ""


Cell = Union[  # noqa: UP007 - a run-time alias
    Text, Name, Grad, Num, Math, Formula, Sum, InSample, SampleKey, Join]
CELL_TYPES = (Text, Name, Grad, Num, Math, Formula, Sum, InSample, SampleKey, Join)


def names(items: Iterable[str], sep: str = ", ") -> Join:
    """Several names, comma separated."""
    return Join(tuple(Name(n) for n in items), sep)


def grad_text(loss: str, node: str, of_mean: int = 0) -> str:
    """∂L/∂node as text; ∂(mean of f)/∂x for the mean over samples."""
    return f"∂(mean of {loss})/∂{node}" if of_mean else f"∂{loss}/∂{node}"


def grad_latex(loss: str, node: str, symbols: dict | None = None, of_mean: int = 0) -> str:
    """∂L/∂node as LaTeX; the mean over samples is \\overline{f}."""
    top = name_latex(loss, symbols)
    top = f"\\overline{{{top}}}" if of_mean else top
    return f"\\frac{{\\partial {top}}}{{\\partial {name_latex(node, symbols)}}}"
