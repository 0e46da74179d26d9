"""The worked solution as rich terminal tables (plain text when there is no colour)."""
from __future__ import annotations

import io
from collections.abc import Callable

from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text as RichText

from ..formula.printing import fmt_number, to_text
from ..model import Problem
from ..solution import Solution
from .blocks import (BatchTotal, Block, Definitions, Derivation, Diagram, Document, Equation, LossChange, Note,
                     Paragraph, SampleSum, Shortcut, Subheading, Table, Title)
from .cells import Cell, Formula, Grad, InSample, Join, Math, Name, Num, SampleKey, Sum, Text, grad_text
from .dispatch import pick
from .layout import build

WHO = "terminal renderer"


def render(sol: Solution, *, precision: int = 4, width: int = 100, color: bool = False,
           symbolic: bool = False) -> str:
    """Every section of the solution, as the terminal shows it; symbolic adds the derivation in symbols."""
    return write(build(sol, symbolic), precision=precision, width=width, color=color)


def write(doc: Document, *, precision: int = 4, width: int = 100, color: bool = False) -> str:
    """A laid-out document as terminal text."""
    out = io.StringIO()
    console = Console(file=out, width=width, color_system="standard" if color else None,
                      force_terminal=color, highlight=False, markup=False, emoji=False, legacy_windows=False)
    _Terminal(console, precision).document(doc)
    return out.getvalue()


def picture(p: Problem) -> list[str]:
    """A compact text picture of the network, one line per layer."""
    lines = [f"inputs: {', '.join(p.inputs)}" if p.inputs else "inputs: (none)"]
    for layer in p.layers:
        lines.append(f"  → {layer.label}: {', '.join(layer.neurons)}  [{layer.activation}]")
    if p.kind == "expression":
        lines.append(f"  → output {p.loss}")
    else:
        lines.append(f"  → loss {p.loss}" + (f" against {', '.join(t for _, t in p.outputs)}" if p.outputs else ""))
    return lines


class _Terminal:
    def __init__(self, console: Console, precision: int):
        self.console, self.p = console, precision

    def document(self, doc: Document) -> None:
        for block in doc.front:
            self.block(block)
        for section in doc.sections:
            self.console.print()
            self.console.print(RichText(f"{section.number}. {section.title}", style="bold underline"))
            for block in section.blocks:
                self.block(block)

    def block(self, block: Block) -> None:
        pick(BLOCKS, block, WHO)(self, block)

    def cell(self, cell: Cell) -> str:
        return pick(CELLS, cell, WHO)(self, cell)

    def bold(self, title: str | None) -> None:
        if title:
            self.console.print(RichText(title, style="bold"))

    def rich_table(self, headers: list[str], numeric: list[bool], title: str | None = None) -> RichTable:
        t = RichTable(*headers, box=box.SIMPLE_HEAD, title=title, title_justify="left", title_style="bold",
                      show_edge=False, pad_edge=False)
        for col, right in zip(t.columns, numeric):
            col.justify = "right" if right else "left"
        return t

    # Blocks, one method each (BLOCKS below).

    def title(self, block: Title) -> None:
        self.bold(block.text)

    def paragraph(self, block: Paragraph) -> None:
        self.console.print(self.cell(block.text))

    def subheading(self, block: Subheading) -> None:
        self.console.print(RichText(block.text, style="bold italic"))

    def note(self, block: Note) -> None:
        self.bold(block.title)
        self.console.print("  " + self.cell(block.text))

    def table(self, block: Table) -> None:
        """One table per group of rows, titled by the group; the caption is left to documents."""
        headers, numeric = [c.header for c in block.columns], [c.numeric for c in block.columns]
        for group in block.groups:
            t = self.rich_table(headers, numeric, group.title)
            for row in group.rows:
                t.add_row(*(self.cell(c) for c in row))
            self.console.print(t)

    def derivation(self, block: Derivation) -> None:
        """One table: each equation in symbols, then with each sample's numbers and its value."""
        self.bold(block.title)
        numbers = any(isinstance(row, Equation) and row.numbers for row in block.rows)
        headers = [*block.head, *(["with numbers", "value"] if numbers else [])]
        t = self.rich_table(headers, [False, False, False, True])
        for row in block.rows:
            pick(ROWS, row, WHO)(self, row, t)
        self.console.print(t)

    def equation(self, eq: Equation, t: RichTable) -> None:
        symbols = self.cell(eq.formula)
        if not eq.numbers:
            t.add_row(self.cell(eq.lhs), symbols)
        for s, numbers in enumerate(eq.numbers):
            lhs = InSample(eq.lhs, s) if len(eq.numbers) > 1 else eq.lhs
            t.add_row(self.cell(lhs), symbols, self.cell(numbers), self.num(eq.values[s]))

    def shortcut(self, row: Shortcut, t: RichTable) -> None:
        """Under its equation: = the short formula (what it is), then each sample's numbers and value."""
        symbols = f"= {self.cell(row.formula)} ({row.label})"
        if not row.numbers:
            t.add_row("", symbols)
        for s, numbers in enumerate(row.numbers):
            lhs = self.cell(InSample(row.lhs, s)) if len(row.numbers) > 1 else ""
            t.add_row(lhs, symbols, self.cell(numbers), self.num(row.values[s]))

    def sample_sum(self, row: SampleSum, t: RichTable) -> None:
        t.add_row(self.cell(row.lhs), "sum over samples", self.cell(row.parts), self.num(row.total))

    def definitions(self, block: Definitions) -> None:
        self.bold(block.title)
        for lhs, rhs in block.rows:
            self.console.print(f"  {self.cell(lhs)} = {self.cell(rhs)}")

    def diagram(self, block: Diagram) -> None:
        self.bold(block.title)
        for line in picture(block.problem):
            self.console.print("  " + line)

    def batch_total(self, block: BatchTotal) -> None:
        self.console.print(f"  {self.cell(block.lhs)} over the batch ({block.reduction}) = {self.cell(block.parts)}"
                           f" = {self.num(block.total)}")

    def loss_change(self, block: LossChange) -> None:
        change = block.after - block.before
        self.console.print(f"  {self.cell(block.lhs)}: {self.num(block.before)} → {self.num(block.after)} "
                           f"(change {'+' if change >= 0 else '−'}{self.num(abs(change))})")

    # Cells, one method each (CELLS below): all plain text.

    def num(self, v: float) -> str:
        return fmt_number(v, self.p)

    def text(self, c: Text) -> str:
        return c.text

    def name(self, c: Name) -> str:
        return c.name

    def grad(self, c: Grad) -> str:
        return grad_text(c.loss, c.node)

    def number(self, c: Num) -> str:
        return self.num(c.value)

    def math(self, c: Math) -> str:
        return c.text

    def formula(self, c: Formula) -> str:
        text = to_text(c.expr, c.values, self.p)
        return text if c.value is None else f"{text} = {self.num(c.value)}"

    def sum(self, c: Sum) -> str:
        parts = " + ".join(self.num(v) for v in c.values)
        return f"({parts})/{len(c.values)}" if c.mean else parts

    def in_sample(self, c: InSample) -> str:
        return f"{self.cell(c.cell)} [{c.sample + 1}]"

    def sample_key(self, c: SampleKey) -> str:
        return ""  # the [s] tags and the "sample s" columns name the samples themselves

    def join(self, c: Join) -> str:
        return c.sep.join(self.cell(part) for part in c.parts)


BLOCKS: dict[type, Callable] = {
    Title: _Terminal.title, Paragraph: _Terminal.paragraph, Subheading: _Terminal.subheading, Note: _Terminal.note,
    Table: _Terminal.table, Derivation: _Terminal.derivation, Definitions: _Terminal.definitions,
    Diagram: _Terminal.diagram, BatchTotal: _Terminal.batch_total, LossChange: _Terminal.loss_change,
}
ROWS: dict[type, Callable] = {Equation: _Terminal.equation, Shortcut: _Terminal.shortcut,
                              SampleSum: _Terminal.sample_sum}
CELLS: dict[type, Callable] = {
    Text: _Terminal.text, Name: _Terminal.name, Grad: _Terminal.grad, Num: _Terminal.number, Math: _Terminal.math,
    Formula: _Terminal.formula, Sum: _Terminal.sum, InSample: _Terminal.in_sample, SampleKey: _Terminal.sample_key,
    Join: _Terminal.join,
}
