"""The worked solution as a GitHub markdown document: tables, ```math equations and a mermaid diagram."""
from __future__ import annotations

import re
import textwrap
from collections.abc import Callable

from ..formula.printing import fmt_number, name_latex, to_latex
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
from .cells import Cell, Formula, Grad, InSample, Join, Math, Name, Num, SampleKey, Sum, Text, grad_latex
from .chart import xychart
from .dispatch import pick
from .escape import check_symbols, line_start, math_symbols, plain, prose
from .layout import build
from .mermaid import mermaid

WHO = "markdown renderer"
LINE = 60  # visible characters of one equation row before it is split
PROSE = 110  # characters of a line of prose; a longer note is wrapped as a paragraph is


def render(sol: Solution, *, precision: int = 4, width: int = 100, color: bool = False,
           symbolic: bool = False, full: bool = False) -> str:
    """The whole document; every equation already reads symbols = numbers, so symbolic adds nothing.

    full shows every sample of a batch larger than limits.MAX_SHOWN_SAMPLES, not only the first few.
    """
    check_symbols(sol.problem.symbols, sol.problem.file)
    if any(tex != safe for tex, safe in zip(sol.problem.symbols.values(), math_symbols(sol.problem.symbols).values())):
        import dataclasses  # only a symbol with a line break pays for it

        problem = dataclasses.replace(sol.problem, symbols=math_symbols(sol.problem.symbols))
        sol = dataclasses.replace(sol, problem=problem)  # the layout writes symbols into cells of its own
    return write(build(sol, full=full), precision=precision)


def write(doc: Document, *, precision: int = 4, width: int = 100, color: bool = False) -> str:
    """A laid-out document as markdown (width and colour do not apply)."""
    return "\n".join(_Markdown(doc, precision).document(doc)).strip("\n") + "\n"


def _visible(tex: str) -> int:
    """Roughly how many characters a LaTeX string shows."""
    return len(re.sub(r"\\[A-Za-z]+|[{}_^&]", "", tex))


def _join(parts: list[str]) -> str:
    """Terms joined by +, a term's leading minus turned into the operator."""
    out = parts[0]
    for s in parts[1:]:
        out += f" - {s[1:]}" if s.startswith("-") else f" + {s}"
    return out


def _wrap(text: str) -> list[str]:
    """Lines of at most 80 characters, never breaking inside `code` or $`math`$."""
    kept = re.sub(r"\$`.*?`\$|`[^`]*`", lambda m: m.group().replace(" ", "\0"), text)
    return [line.replace("\0", " ") for line in textwrap.wrap(kept, 80, break_long_words=False,
                                                              break_on_hyphens=False)]


def _sup(tex: str, sup: str) -> str:
    """tex^{sup}, braced when tex ends in a superscript or is a fraction."""
    base = f"{{{tex}}}" if "^" in tex or "'" in tex or tex.startswith("\\frac") else tex
    return f"{base}^{{{sup}}}"


def _row(cells: list[str]) -> str:
    """A table row; an empty cell is one space."""
    return "|" + "|".join(f" {c} " if c else " " for c in cells) + "|"


def _display(rows: list[str]) -> list[str]:
    """One ```math block: one row, or an aligned group."""
    if len(rows) == 1:
        return ["", "```math", rows[0].replace(" &= ", " = ", 1), "```"]
    return ["", "```math", "\\begin{aligned}", *[r + " \\\\" for r in rows[:-1]], rows[-1], "\\end{aligned}", "```"]


class _Markdown:
    def __init__(self, doc: Document, precision: int):
        self.symbols, self.p = math_symbols(doc.symbols), precision  # a document laid out elsewhere, too

    def document(self, doc: Document) -> list[str]:
        out = [line for block in doc.front for line in self.front(block)]
        for section in doc.sections:
            out += ["", f"## {section.number}. {section.title}"]
            # a diagram goes last: its ### heading would otherwise claim the paragraphs after it
            for block in sorted(section.blocks, key=lambda b: isinstance(b, Diagram)):
                out += self.block(block)
        return out

    def block(self, block: Block) -> list[str]:
        return pick(BLOCKS, block, WHO)(self, block)

    def inline(self, cell: Cell) -> str:
        """A cell in a table or a sentence."""
        return pick(CELLS, cell, WHO)(self, cell, False)

    def tex(self, cell: Cell) -> str:
        """A cell inside a math display."""
        return pick(CELLS, cell, WHO)(self, cell, True)

    def num(self, v: float, latex: bool = False) -> str:
        return fmt_number(v, self.p, latex)

    def front(self, block: Block) -> list[str]:
        """The title, source and description: the user's own text, escaped, on one line or wrapped."""
        if isinstance(block, Paragraph) and isinstance(block.text, Text):
            return ["", *map(line_start, _wrap(prose(block.text.text.strip())))]
        return self.block(block)

    # Blocks, one method each (BLOCKS below).

    def title(self, block: Title) -> list[str]:
        return [f"# {prose(' '.join(plain(block.text).split()))}"]  # one line, whatever the title holds

    def paragraph(self, block: Paragraph) -> list[str]:
        return ["", *_wrap(self.inline(block.text))]

    def subheading(self, block: Subheading) -> list[str]:
        return ["", f"### {block.text}"]

    def note(self, block: Note) -> list[str]:
        text = self.inline(block.text)
        line = f"{text[:1].upper()}{text[1:]}."
        return ["", *(_wrap(line) if len(line) > PROSE else [line])]

    def table(self, block: Table) -> list[str]:
        """One table; the group labels, if any, in a first column; the caption above it."""
        out = ["", *(self.inline(line) for line in block.caption)] if block.caption else []
        lead = [block.group_column] if block.group_column else []
        out += ["", _row(lead + [c.header for c in block.columns]),
                _row(["---"] * len(lead) + ["---:" if c.numeric else "---" for c in block.columns])]
        for group in block.groups:
            label = [self.inline(group.label) if group.label else ""] if lead else []
            out += [_row(label + [self.inline(c) for c in row]) for row in group.rows]
        return out

    def derivation(self, block: Derivation) -> list[str]:
        out = ["", f"### {block.title}"] if block.title else []
        for row in block.rows:
            out += pick(ROWS, row, WHO)(self, row)
        return out

    def equation(self, eq: Equation) -> list[str]:
        """lhs = symbols = numbers = value; one row per sample in a batch; long sums one term a row."""
        lhs, symbols = self.tex(eq.lhs), self.terms(eq.formula)
        numbers = [self.terms(f) for f in eq.numbers]
        sym = _join(symbols)
        if len(numbers) == 1 and _visible(lhs + sym + _join(numbers[0])) + 12 <= LINE:
            chain = [lhs, sym, _join(numbers[0]), self.num(eq.values[0], True)]
            return _display([" = ".join(c for k, c in enumerate(chain) if k < 2 or c != chain[k - 1])])
        rows = self._broken(f"{lhs} &= ", symbols)
        for s, parts in enumerate(numbers):
            value = self.num(eq.values[s], True)
            head = f"{_sup(lhs, f'({s + 1})')} &= " if len(numbers) > 1 else "&= "
            if _visible(_join(parts)) + 12 <= LINE:
                rows.append(head + (_join(parts) + f" = {value}" if _join(parts) != value else value))
            else:
                rows += self._broken(head, parts) + [f"&= {value}"]
        return _display(rows)

    @staticmethod
    def _broken(head: str, parts: list[str]) -> list[str]:
        """A sum on one row, or one term per row when it is long."""
        if _visible(_join(parts)) <= LINE or len(parts) == 1:
            return [head + _join(parts)]
        return [head + parts[0], *(f"&\\quad {_join(['0', p])[2:]}" for p in parts[1:])]

    def terms(self, f: Formula) -> list[str]:
        return [to_latex(t, f.values, self.p, f.symbols) for t in f.terms]

    def shortcut(self, row: Shortcut) -> list[str]:
        """A sentence naming the shortcut, then its own equation: lhs = short formula = numbers = value."""
        return ["", f"{row.label[:1].upper()}{row.label[1:]} gives the same:",
                *self.equation(Equation(row.lhs, row.formula, row.numbers, row.values))]

    def sample_sum(self, row: SampleSum) -> list[str]:
        return ["", "Summed over the samples:",
                *_display([f"{self.tex(row.lhs)} = {self.tex(row.parts)} = {self.num(row.total, True)}"])]

    def definitions(self, block: Definitions) -> list[str]:
        rows = [f"{self.tex(lhs)} &= {self.tex(rhs)}" for lhs, rhs in block.rows]
        out = ["", f"The {block.title.lower()}:"]
        if block.together:
            return out + (_display(rows) if rows else [])
        return out + [line for row in rows for line in _display([row])]

    def diagram(self, block: Diagram) -> list[str]:
        return ["", f"### The {block.title.lower()}", "", "```mermaid", *mermaid(block.problem, self.p), "```"]

    def batch_total(self, block: BatchTotal) -> list[str]:
        lhs = _sup(self.tex(block.lhs), "\\text{batch}")
        return ["", f"Over the batch ({block.reduction}):",
                *_display([f"{lhs} = {self.tex(block.parts)} = {self.num(block.total, True)}"])]

    def loss_change(self, block: LossChange) -> list[str]:
        lhs = self.tex(block.lhs)
        rows = [f"\\text{{before: }} & {lhs} = {self.num(block.before, True)}",
                f"\\text{{after: }} & {lhs} = {self.num(block.after, True)}"]
        if len(block.per_sample) > 1:
            rows.append(f"\\text{{after, per sample: }} & {', '.join(self.num(v, True) for v in block.per_sample)}")
        verb = "fell" if block.after < block.before else "did not fall"
        return ["", "The loss recomputed with the updated parameters:", *_display(rows), "",
                f"The loss {verb}: {self.num(block.before)} → {self.num(block.after)}."]

    def loss_curve(self, block: LossCurve) -> list[str]:
        name = self.inline(block.lhs).strip("`")
        return ["", "### The loss curve", "", "```mermaid", *xychart(block.losses, name, block.log), "```"]

    # Cells, one method each (CELLS below): in a table or sentence, or inside math.

    def text(self, c: Text, tex: bool) -> str:
        return f"\\text{{{c.text}}}" if tex else c.text

    def name(self, c: Name, tex: bool) -> str:
        return name_latex(c.name, self.symbols) if tex else f"`{c.name}`"

    def grad(self, c: Grad, tex: bool) -> str:
        latex = grad_latex(c.loss, c.node, self.symbols, c.of_mean)
        return latex if tex else f"$`{latex}`$"

    def number(self, c: Num, tex: bool) -> str:
        return self.num(c.value, tex)

    def math(self, c: Math, tex: bool) -> str:
        return c.latex if tex else f"$`{c.latex}`$"

    def formula(self, c: Formula, tex: bool) -> str:
        latex = _join(self.terms(c)) + ("" if c.value is None else f" = {self.num(c.value, True)}")
        return latex if tex else f"$`{latex}`$"

    def sum(self, c: Sum, tex: bool) -> str:
        n = max(c.of, len(c.values))
        shown = [self.num(v, tex) for v in c.values]
        if c.of > len(c.values):
            shown.insert(-1, "\\ldots" if tex else "…")
        if not tex:
            parts = " + ".join(shown)
            return f"({parts})/{n}" if c.mean else parts
        parts = _join(shown)
        return f"\\frac{{1}}{{{n}}}\\left({parts}\\right)" if c.mean else parts

    def in_sample(self, c: InSample, tex: bool) -> str:
        return _sup(self.tex(c.cell), f"({c.sample + 1})") if tex else f"{self.inline(c.cell)} (sample {c.sample + 1})"

    def sample_key(self, c: SampleKey, tex: bool) -> str:
        return "" if tex else "; a superscript $`(s)`$ marks sample $`s`$"

    def join(self, c: Join, tex: bool) -> str:
        return c.sep.join(self.tex(p) if tex else self.inline(p) for p in c.parts)


BLOCKS: dict[type, Callable] = {
    Title: _Markdown.title, Paragraph: _Markdown.paragraph, Subheading: _Markdown.subheading, Note: _Markdown.note,
    Table: _Markdown.table, Derivation: _Markdown.derivation, Definitions: _Markdown.definitions,
    Diagram: _Markdown.diagram, BatchTotal: _Markdown.batch_total, LossChange: _Markdown.loss_change,
    LossCurve: _Markdown.loss_curve,
}
ROWS: dict[type, Callable] = {Equation: _Markdown.equation, Shortcut: _Markdown.shortcut,
                              SampleSum: _Markdown.sample_sum}
CELLS: dict[type, Callable] = {
    Text: _Markdown.text, Name: _Markdown.name, Grad: _Markdown.grad, Num: _Markdown.number, Math: _Markdown.math,
    Formula: _Markdown.formula, Sum: _Markdown.sum, InSample: _Markdown.in_sample, SampleKey: _Markdown.sample_key,
    Join: _Markdown.join,
}
