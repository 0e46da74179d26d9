"""The worked solution as rich terminal tables (plain text when there is no colour)."""
from __future__ import annotations

from collections.abc import Callable

from ..formula.printing import fmt_number, to_text
from ..model import Problem
from ..solution import Solution
from .blocks import (
    BatchTotal,
    Block,
    Definitions,
    Derivation,
    Diagram,
    Document,
    Equation,
    LossChange,
    LossCurve,
    Note,
    Paragraph,
    SampleSum,
    Shortcut,
    Subheading,
    Table,
    Title,
)
from .cells import Cell, Formula, Grad, InSample, Join, Math, Name, Num, SampleKey, Sum, Text, grad_text
from .chart import text_chart
from .dispatch import pick
from .escape import plain
from .layout import build
from .terminal_out import PlainOut, RichOut, Tab
from .wrap import GAP, Breakable, column_widths, cost, equation, wrap

WHO = "terminal renderer"


def render(sol: Solution, *, precision: int = 4, width: int = 100, color: bool = False,
           symbolic: bool = False, full: bool = False) -> str:
    """Every section of the solution, as the terminal shows it; symbolic adds the derivation in symbols.

    full shows every sample of a batch larger than limits.MAX_SHOWN_SAMPLES, not only the first few.
    """
    return write(build(sol, symbolic, full), precision=precision, width=width, color=color)


def write(doc: Document, *, precision: int = 4, width: int = 100, color: bool = False) -> str:
    """A laid-out document as terminal text: through rich in colour, else plain.py's writer (the same text)."""
    out: RichOut | PlainOut = RichOut(width, color) if color else PlainOut(width)
    _Terminal(out, precision).document(doc)
    return out.value()


def picture(p: Problem) -> list[str]:
    """A compact text picture of the network, one line per layer."""
    lines = [f"inputs: {', '.join(p.inputs)}" if p.inputs else "inputs: (none)"]
    for layer in p.layers:
        lines.append(f"  → {layer.label}: {', '.join(layer.neurons)}  [{layer.activation}]")
    if p.is_expression:
        lines.append(f"  → output {p.loss}")
    else:
        lines.append(f"  → loss {p.loss}" + (f" against {', '.join(t for _, t in p.outputs)}" if p.outputs else ""))
    return lines


class _Terminal:
    def __init__(self, out: RichOut | PlainOut, precision: int):
        self.out, self.p = out, precision

    def document(self, doc: Document) -> None:
        for block in doc.front:
            self.block(block)
        for section in doc.sections:
            self.out.say()
            self.out.say(f"{section.number}. {section.title}", "bold underline")
            for block in section.blocks:
                self.block(block)

    def block(self, block: Block) -> None:
        pick(BLOCKS, block, WHO)(self, block)

    def cell(self, cell: Cell) -> str:
        return pick(CELLS, cell, WHO)(self, cell)

    def bold(self, title: str | None) -> None:
        if title:
            self.out.say(title, "bold")

    def rich_table(self, headers: list[str], numeric: list[bool], title: str | None = None,
                   formulas: bool = False) -> Tab:
        return Tab(headers, numeric, title, formulas)

    def show(self, t: Tab, fold: bool = False) -> None:
        """Print a table whose formulas break only outside brackets, or fold its rows into equations.

        rich would narrow the widest column below what its formulas need, so the widths are set here.
        A derivation (fold) is folded when its table does not fit or reads worse than equations
        (more lines, or products broken): each row then reads first cell = second = third …
        """
        columns = t.columns
        room = self.out.width - GAP * (len(columns) - 1)
        widths = column_widths(columns, room)
        if fold:
            rows = list(zip(*([c.text if isinstance(c, Breakable) else str(c) for c in col[1:]] for col in columns)))
            folded = _fold(rows, self.out.width)
            if widths is None or sum(map(cost, folded)) < sum(
                    max(cost(wrap(c, w)) for c, w in zip(row, widths)) for row in rows):
                self.lines([line for lines in folded for line in lines])
                return
        self.out.table(t, widths)

    # Blocks, one method each (BLOCKS below).


    def title(self, block: Title) -> None:
        self.bold(plain(block.text))  # an escape sequence in a title would drive the terminal

    def paragraph(self, block: Paragraph) -> None:
        self.out.say(self.cell(block.text))

    def subheading(self, block: Subheading) -> None:
        self.out.say(block.text, "bold italic")

    def note(self, block: Note) -> None:
        self.bold(block.title)
        self.out.say("  " + self.cell(block.text))

    def table(self, block: Table) -> None:
        """One table per group of rows, titled by the group; the caption is left to documents."""
        headers, numeric = [c.header for c in block.columns], [c.numeric for c in block.columns]
        for group in block.groups:
            t = self.rich_table(headers, numeric, group.title)
            for row in group.rows:
                t.add_row(*(Breakable(self.cell(c)) if _formula(c) else self.cell(c) for c in row))
            self.show(t)

    def derivation(self, block: Derivation) -> None:
        """One table: each equation in symbols, then with each sample's numbers and its value."""
        shortcuts = dict.fromkeys(r.label for r in block.rows if isinstance(r, Shortcut))
        self.bold((block.title or "") + "".join(f"; {label}: the chain rule simplifies to it" for label in shortcuts))
        numbers = any(isinstance(row, Equation) and row.numbers for row in block.rows)
        headers = [*block.head, *(["with numbers", "value"] if numbers else [])]
        t = self.rich_table(headers, [False, False, False, True], formulas=True)
        for row in block.rows:
            pick(ROWS, row, WHO)(self, row, t)
        self.show(t, fold=True)

    def equation(self, eq: Equation, t: Tab) -> None:
        symbols = self.cell(eq.formula)
        if not eq.numbers:
            t.add_row(self.cell(eq.lhs), symbols)
        for s, numbers in enumerate(eq.numbers):
            lhs = InSample(eq.lhs, s) if len(eq.numbers) > 1 else eq.lhs
            t.add_row(self.cell(lhs), symbols, self.cell(numbers), self.num(eq.values[s]))

    def shortcut(self, row: Shortcut, t: Tab) -> None:
        """Under its equation: = the short formula (what it is), then each sample's numbers and value."""
        symbols = self.cell(row.formula)  # which shortcut it is, the derivation's title says
        if not row.numbers:
            t.add_row("shortcut", symbols)
        for s, numbers in enumerate(row.numbers):
            lhs = f"shortcut [{s + 1}]" if len(row.numbers) > 1 else "shortcut"
            t.add_row(lhs, symbols, self.cell(numbers), self.num(row.values[s]))

    def sample_sum(self, row: SampleSum, t: Tab) -> None:
        t.add_row(self.cell(row.lhs), "sum over samples", self.cell(row.parts), self.num(row.total))

    def definitions(self, block: Definitions) -> None:
        self.bold(block.title)
        for lhs, rhs in block.rows:
            self.lines(equation(f"  {self.cell(lhs)}", [self.cell(rhs)], self.out.width))

    def diagram(self, block: Diagram) -> None:
        self.bold(block.title)
        for line in picture(block.problem):
            self.out.say("  " + line)

    def batch_total(self, block: BatchTotal) -> None:
        self.lines(equation(f"  {self.cell(block.lhs)} over the batch ({block.reduction})",
                            [self.cell(block.parts), self.num(block.total)], self.out.width))

    def lines(self, lines: list[str]) -> None:
        """Lines already broken to the width."""
        for line in lines:
            self.out.say(line)

    def loss_change(self, block: LossChange) -> None:
        change = block.after - block.before
        self.out.say(f"  {self.cell(block.lhs)}: {self.num(block.before)} → {self.num(block.after)} "
                           f"(change {'+' if change >= 0 else '−'}{self.num(abs(change))})")

    def loss_curve(self, block: LossCurve) -> None:
        self.bold(f"{self.cell(block.lhs)} after each step{' (log scale)' if block.log else ''}")
        self.lines(text_chart(block.losses, self.out.width, self.p, block.log))

    # Cells, one method each (CELLS below): all plain text.

    def num(self, v: float) -> str:
        return fmt_number(v, self.p)

    def text(self, c: Text) -> str:
        return plain(c.text)  # the source and description are Text too

    def name(self, c: Name) -> str:
        return c.name

    def grad(self, c: Grad) -> str:
        return grad_text(c.loss, c.node, c.of_mean)

    def number(self, c: Num) -> str:
        return self.num(c.value)

    def math(self, c: Math) -> str:
        return c.text

    def formula(self, c: Formula) -> str:
        text = to_text(c.expr, c.values, self.p)
        return text if c.value is None else f"{text} = {self.num(c.value)}"

    def sum(self, c: Sum) -> str:
        shown = [self.num(v) for v in c.values]
        if c.of > len(c.values):
            shown.insert(-1, "…")
        parts = " + ".join(shown)
        return f"({parts})/{max(c.of, len(c.values))}" if c.mean else parts

    def in_sample(self, c: InSample) -> str:
        return f"{self.cell(c.cell)} [{c.sample + 1}]"

    def sample_key(self, c: SampleKey) -> str:
        return ""  # the [s] tags and the "sample s" columns name the samples themselves

    def join(self, c: Join) -> str:
        return c.sep.join(self.cell(part) for part in c.parts)


def _formula(cell: Cell) -> bool:
    """Whether a table cell is written as a formula (which breaks only outside brackets) or as words."""
    if isinstance(cell, Join):
        return any(_formula(c) for c in cell.parts)
    return isinstance(cell, (Formula, Sum, Math)) or isinstance(cell, InSample) and _formula(cell.cell)


BLOCKS: dict[type, Callable] = {
    Title: _Terminal.title, Paragraph: _Terminal.paragraph, Subheading: _Terminal.subheading, Note: _Terminal.note,
    Table: _Terminal.table, Derivation: _Terminal.derivation, Definitions: _Terminal.definitions,
    Diagram: _Terminal.diagram, BatchTotal: _Terminal.batch_total, LossChange: _Terminal.loss_change,
    LossCurve: _Terminal.loss_curve,
}
ROWS: dict[type, Callable] = {Equation: _Terminal.equation, Shortcut: _Terminal.shortcut,
                              SampleSum: _Terminal.sample_sum}
CELLS: dict[type, Callable] = {
    Text: _Terminal.text, Name: _Terminal.name, Grad: _Terminal.grad, Num: _Terminal.number, Math: _Terminal.math,
    Formula: _Terminal.formula, Sum: _Terminal.sum, InSample: _Terminal.in_sample, SampleKey: _Terminal.sample_key,
    Join: _Terminal.join,
}


def _fold(rows: list, width: int) -> list[list[str]]:
    """Each row of a derivation as an equation: first cell = second = …"""
    return [equation(f"  {first}", [c for c in rest if c], width) for first, *rest in rows]
