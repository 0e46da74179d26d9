"""The worked solution as a standalone LaTeX document, for handouts: every formula as display math.

It writes the layout markdown writes (the same equations, in the same order: the markdown writer's
equation and derivation methods are reused), with LaTeX in place of markdown around them: longtable
tables, \\[ … \\] displays, and the user's prose escaped for TeX. It compiles with pdflatex from a
plain TeX Live (texlive-latex-base): amsmath, amssymb, longtable and geometry, and bbm for the
indicator 1 where it is installed (otherwise amssymb's blackboard bold stands in).
"""
from __future__ import annotations

import re
from collections.abc import Callable

from ..formula.printing import name_latex
from ..solution import Solution
from .blocks import (
    BatchTotal,
    Block,
    Definitions,
    Derivation,
    Diagram,
    Document,
    LossChange,
    LossCurve,
    Note,
    Paragraph,
    Subheading,
    Table,
    Title,
)
from .cells import Cell, Formula, Grad, InSample, Join, Math, Name, Num, SampleKey, Sum, Text, grad_latex
from .chart import picks
from .dispatch import pick
from .escape import check_symbols, math_symbols, plain
from .layout import build
from .markdown import _Markdown

WHO = "LaTeX renderer"
PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage[a4paper,margin=2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{longtable}
\IfFileExists{bbm.sty}{\usepackage{bbm}\renewcommand{\mathbb}{\mathbbm}}{}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6em}
"""
_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#", "%": r"\%",
            "_": r"\_", "^": r"\^{}", "~": r"\~{}", "<": r"\textless{}", ">": r"\textgreater{}"}
# The characters the solution's own words use, and the Greek a description may hold, as TeX writes them.
_UNICODE = {"−": "-", "→": r"\rightarrow", "←": r"\leftarrow", "·": r"\cdot", "×": r"\times", "∂": r"\partial",
            "σ": r"\sigma", "η": r"\eta", "δ": r"\delta", "Σ": r"\Sigma", "½": r"\tfrac{1}{2}", "²": "^{2}",
            "≤": r"\le", "≥": r"\ge", "≈": r"\approx", "…": r"\ldots", "ŷ": r"\hat{y}", "α": r"\alpha",
            "β": r"\beta", "γ": r"\gamma", "λ": r"\lambda", "μ": r"\mu", "ε": r"\varepsilon", "θ": r"\theta",
            "⁻": "^{-}", "¹": "^{1}", "³": "^{3}", "⁰": "^{0}", "⁴": "^{4}", "⁵": "^{5}", "⁶": "^{6}",
            "⁷": "^{7}", "⁸": "^{8}", "⁹": "^{9}", "≠": r"\neq", "∞": r"\infty", "√": r"\surd"}
_LATIN1 = re.compile(r"[^\x00-\xff]")


def tex_text(text: str) -> str:
    """The user's words or the solution's own as TeX text: specials escaped, symbols as math, nothing unknown."""
    out = "".join(_SPECIAL.get(ch, ch) for ch in plain(text).replace("\t", " "))
    return _unicode(out)


def _unicode(text: str) -> str:
    """Each character pdflatex cannot read as math it can; any other beyond Latin-1 as a visible '?'."""
    return _LATIN1.sub(lambda m: rf"\ensuremath{{{_UNICODE[m.group()]}}}" if m.group() in _UNICODE else "?", text)


def render(sol: Solution, *, precision: int = 4, width: int = 100, color: bool = False,
           symbolic: bool = False, full: bool = False) -> str:
    """The whole document, from \\documentclass to \\end{document}; full: every sample of a large batch."""
    check_symbols(sol.problem.symbols, sol.problem.file)  # a bare $ or a backtick would end the math here too
    if any(tex != safe for tex, safe in zip(sol.problem.symbols.values(), math_symbols(sol.problem.symbols).values())):
        import dataclasses

        sol = dataclasses.replace(sol, problem=dataclasses.replace(sol.problem,
                                                                   symbols=math_symbols(sol.problem.symbols)))
    return write(build(sol, full=full), precision=precision)


def write(doc: Document, *, precision: int = 4, width: int = 100, color: bool = False) -> str:
    """A laid-out document as LaTeX."""
    body = _Latex(doc, precision).document(doc)
    return PREAMBLE + "\n\\begin{document}\n" + "\n".join(body).strip("\n") + "\n\\end{document}\n"


class _Latex(_Markdown):
    """The markdown writer's equations, with LaTeX around them."""

    def document(self, doc: Document) -> list[str]:
        out = [line for block in doc.front for line in self.front(block)]
        for section in doc.sections:
            out += ["", f"\\section*{{{section.number}. {tex_text(section.title)}}}"]
            for block in section.blocks:
                out += self.block(block)
        return out

    def block(self, block: Block) -> list[str]:
        return _latex_lines(pick(BLOCKS, block, WHO)(self, block))

    def inline(self, cell: Cell) -> str:
        return pick(CELLS, cell, WHO)(self, cell, False)

    def tex(self, cell: Cell) -> str:
        return pick(CELLS, cell, WHO)(self, cell, True)

    def front(self, block: Block) -> list[str]:
        if isinstance(block, Paragraph) and isinstance(block.text, Text):
            return ["", tex_text(" ".join(block.text.text.split()))]
        return self.block(block)

    def title(self, block: Title) -> list[str]:
        return [f"{{\\LARGE\\bfseries {tex_text(' '.join(block.text.split()))}\\par}}"]

    def paragraph(self, block: Paragraph) -> list[str]:
        return ["", self.inline(block.text)]

    def subheading(self, block: Subheading) -> list[str]:
        return ["", f"\\subsection*{{{tex_text(block.text)}}}"]

    def note(self, block: Note) -> list[str]:
        text = self.inline(block.text)
        head = f"\\textbf{{{tex_text(block.title)}}}: " if block.title else ""
        return ["", f"{head}{text[:1].upper()}{text[1:]}."]

    def table(self, block: Table) -> list[str]:
        lead = [block.group_column] if block.group_column else []
        spec = "l" * len(lead) + "".join("r" if c.numeric else "l" for c in block.columns)
        out = ["", *(self.inline(line) + r"\\" for line in block.caption)] if block.caption else [""]
        out += [f"\\begin{{longtable}}{{{spec}}}", "\\hline",
                " & ".join(tex_text(h) for h in lead + [c.header for c in block.columns]) + r" \\", "\\hline",
                "\\endhead"]
        for group in block.groups:
            if group.title and not lead:
                out.append(f"\\multicolumn{{{len(block.columns)}}}{{l}}{{\\textit{{{tex_text(group.title)}}}}} \\\\")
            label = [self.inline(group.label) if group.label else ""] if lead else []
            out += [" & ".join(label + [self.inline(c) for c in row]) + r" \\" for row in group.rows]
        return out + ["\\hline", "\\end{longtable}"]

    def diagram(self, block: Diagram) -> list[str]:
        from .terminal import picture  # the terminal's picture of the network, in words and arrows

        lines = [tex_text(line).replace("  ", r"\quad ") for line in picture(block.problem)]
        return ["", f"\\subsection*{{The {tex_text(block.title.lower())}}}", "\\begin{flushleft}",
                *(line + r"\\" for line in lines), "\\end{flushleft}"]

    def loss_curve(self, block: LossCurve) -> list[str]:
        """The curve as a table of evenly spread steps: plain LaTeX has no plotting package to rely on."""
        rows = [f"{k} & ${self.num(block.losses[k], True)}$ \\\\" for k in picks(len(block.losses) - 1, 11)]
        return ["", "\\subsection*{The loss curve}", "\\begin{tabular}{rr}",
                f"step & ${self.inline(block.lhs).strip('$')}$ \\\\ \\hline", *rows, "\\end{tabular}"]

    # Cells outside math: words escaped, names and numbers as math.

    def text(self, c: Text, tex: bool) -> str:
        return f"\\text{{{tex_text(c.text)}}}" if tex else tex_text(c.text)

    def name(self, c: Name, tex: bool) -> str:
        latex = name_latex(c.name, self.symbols)
        return latex if tex else f"${latex}$"

    def grad(self, c: Grad, tex: bool) -> str:
        latex = grad_latex(c.loss, c.node, self.symbols, c.of_mean)
        return latex if tex else f"${latex}$"

    def number(self, c: Num, tex: bool) -> str:
        return self.num(c.value, True) if tex else f"${self.num(c.value, True)}$"

    def math(self, c: Math, tex: bool) -> str:
        return c.latex if tex else f"${c.latex}$"

    def formula(self, c: Formula, tex: bool) -> str:
        latex = super().formula(c, True)
        return latex if tex else f"${latex}$"

    def sum(self, c: Sum, tex: bool) -> str:
        return super().sum(c, True) if tex else f"${super().sum(c, True)}$"

    def in_sample(self, c: InSample, tex: bool) -> str:
        return super().in_sample(c, True) if tex else f"{self.inline(c.cell)} (sample {c.sample + 1})"

    def sample_key(self, c: SampleKey, tex: bool) -> str:
        return "" if tex else "; a superscript $(s)$ marks sample $s$"


def _latex_lines(lines: list[str]) -> list[str]:
    """The markdown writer's ```math fences as \\[ \\], and any character pdflatex cannot read written for it."""
    out = []
    for line in lines:
        if line.startswith("### "):  # a derivation's title
            out.append(f"\\subsection*{{{tex_text(line[4:])}}}")
        else:
            out.append("\\[" if line == "```math" else "\\]" if line == "```" else _unicode(line))
    return out


BLOCKS: dict[type, Callable] = {
    Title: _Latex.title, Paragraph: _Latex.paragraph, Subheading: _Latex.subheading, Note: _Latex.note,
    Table: _Latex.table, Derivation: _Markdown.derivation, Definitions: _Markdown.definitions,
    Diagram: _Latex.diagram, BatchTotal: _Markdown.batch_total, LossChange: _Markdown.loss_change,
    LossCurve: _Latex.loss_curve,
}
CELLS: dict[type, Callable] = {
    Text: _Latex.text, Name: _Latex.name, Grad: _Latex.grad, Num: _Latex.number, Math: _Latex.math,
    Formula: _Latex.formula, Sum: _Latex.sum, InSample: _Latex.in_sample, SampleKey: _Latex.sample_key,
    Join: _Markdown.join,
}
