"""The worked solution as a GitHub markdown document: tables, ```math equations and a mermaid diagram."""
from __future__ import annotations

import re
import textwrap

from ..model import Problem
from ..formula.printing import fmt_number, name_latex, to_latex
from ..solution import BatchLossStep, ForwardStep, GivenStep, GradStep, LossAfterStep, LossStep, Solution, UpdateStep
from . import layout as common
from .mermaid import mermaid

LINE = 60  # visible characters of one equation row before it is split


def render(sol: Solution, *, precision: int = 4, width: int = 100, color: bool = False,
           symbolic: bool = False) -> str:
    """The whole document, every step in reading order."""
    printer = _Markdown(sol, precision)
    return "\n".join(line for step in sol.steps for line in printer.step(step)).strip("\n") + "\n"


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
    return textwrap.wrap(text, 80, break_long_words=False, break_on_hyphens=False)


def _sup(tex: str, sup: str) -> str:
    """tex^{sup}, braced when tex ends in a superscript or is a fraction."""
    base = f"{{{tex}}}" if "^" in tex or "'" in tex or tex.startswith("\\frac") else tex
    return f"{base}^{{{sup}}}"


class _Markdown:
    def __init__(self, sol: Solution, precision: int):
        self.sol, self.p, self.problem = sol, precision, sol.problem
        self.loss, self.symbols = sol.problem.loss, sol.problem.symbols
        self.n = sol.problem.n_samples if sol.problem.numeric else 0
        self.multi = self.n > 1
        self.section: str | None = None
        self.number = 0
        shown = common.shown_grads(sol)
        self.shown = {id(s) for s in shown}
        self.run_starts = {id(group[0]) for _, group in common.runs(shown)}
        self.graph_steps = shown

    def step(self, step) -> list[str]:
        """The lines of one step; an unknown step type is an error, never skipped."""
        method = getattr(self, f"_render_{type(step).__name__}", None)
        if method is None:
            raise TypeError(f"the markdown renderer has no rendering for {type(step).__name__}")
        return method(step)

    def num(self, v: float) -> str:
        return fmt_number(v, self.p)

    def tnum(self, v: float) -> str:
        return fmt_number(v, self.p, latex=True)

    def tex(self, name: str) -> str:
        return name_latex(name, self.symbols)

    def open(self, step) -> list[str]:
        """A numbered section heading, when the section changes."""
        title = common.SECTION_OF[type(step)]
        if self.section == title:
            return []
        self.section, self.number = title, self.number + 1
        return ["", f"## {self.number}. {title}"]

    @staticmethod
    def math(rows: list[str]) -> list[str]:
        """One ```math block: one row, or an aligned group."""
        if len(rows) == 1:
            return ["", "```math", rows[0].replace(" &= ", " = ", 1), "```"]
        return ["", "```math", "\\begin{aligned}", *[r + " \\\\" for r in rows[:-1]], rows[-1], "\\end{aligned}",
                "```"]

    def equation(self, lhs: str, symbols: list[str], numbers: list[list[str]], values) -> list[str]:
        """lhs = symbols = numbers = value; one row per sample in a batch; long sums one term a row."""
        sym = _join(symbols)
        if self.n == 1 and _visible(lhs + sym + _join(numbers[0])) + 12 <= LINE:
            chain = [lhs, sym, _join(numbers[0]), self.tnum(values[0])]
            return self.math([" = ".join(c for k, c in enumerate(chain) if k < 2 or c != chain[k - 1])])
        rows = self._broken(f"{lhs} &= ", symbols)
        for s, parts in enumerate(numbers):
            value, head = self.tnum(values[s]), (f"{_sup(lhs, f'({s + 1})')} &= " if self.multi else "&= ")
            if _visible(_join(parts)) + 12 <= LINE:
                rows.append(head + (_join(parts) + f" = {value}" if _join(parts) != value else value))
            else:
                rows += self._broken(head, parts) + [f"&= {value}"]
        return self.math(rows)

    @staticmethod
    def _broken(head: str, parts: list[str]) -> list[str]:
        """A sum on one row, or one term per row when it is long."""
        if _visible(_join(parts)) <= LINE or len(parts) == 1:
            return [head + _join(parts)]
        return [head + parts[0], *(f"&\\quad {_join(['0', p])[2:]}" for p in parts[1:])]

    def formula(self, step) -> list[str]:
        numbers = [[to_latex(step.formula, self.sol.sample_values(s), self.p, self.symbols)] for s in range(self.n)]
        sym = to_latex(step.formula, symbols=self.symbols)
        return self.open(step) + self.equation(self.tex(step.node), [sym], numbers, step.values)

    # One method per step type, named after it.

    def _render_GivenStep(self, step: GivenStep) -> list[str]:
        p = step.problem
        out = [f"# {p.title}"]
        for paragraph in (_wrap(f"Source: {p.source}") if p.source else [], _wrap(p.description)):
            out += ["", *paragraph] if paragraph else []
        out += self.open(step) + [""] + self._given_table(p)
        if p.params:
            value = " value |" if self.n else ""
            out += ["", f"| parameter | connects |{value}", "| --- | --- |" + (" ---: |" if self.n else "")]
            for prm in p.params.values():
                frozen = " (frozen)" if prm.name in p.frozen else ""
                cells = [f"`{prm.name}`{frozen}", common.connects(prm)] + ([self.num(prm.value)] if self.n else [])
                out.append(f"| {' | '.join(cells)} |")
        if p.kind == "expression":
            out += ["", "The function:"] + self.math([f"{self.tex(name)} &= {to_latex(f, symbols=self.symbols)}"
                                                      for name, f in p.definitions])
        else:
            out += ["", "The loss:"] + self.math([f"{self.tex(n.name)} &= {to_latex(n.formula, symbols=self.symbols)}"
                                                  for n in p.nodes if n.role in ("loss_term", "loss")])
        if self.multi:
            out += ["", f"Over the batch: the {p.batch} of $`{self.tex(p.loss)}`$ over {self.n} samples; "
                        "a superscript $`(s)`$ marks sample $`s`$."]
        if p.learning_rate is not None:
            frozen = f"; frozen: {', '.join(f'`{f}`' for f in sorted(p.frozen))}" if p.frozen else ""
            out += ["", f"Learning rate $`\\eta = {p.learning_rate:g}`${frozen}."]
        title = "The network" if p.kind == "network" else "The computational graph"
        return out + ["", f"### {title}", "", "```mermaid", *mermaid(p, self.p), "```"]

    def _given_table(self, p: Problem) -> list[str]:
        rows = [(kind, name, vals) for kind, values in (("input", p.inputs), ("target", p.targets))
                for name, vals in values.items()]
        if not self.n:
            return [f"Symbolic: no numbers are given. Inputs: {', '.join(f'`{x}`' for x in p.inputs) or 'none'}."
                    + (f" Targets: {', '.join(f'`{t}`' for t in p.targets)}." if p.targets else "")]
        cols = [f"sample {s + 1}" for s in range(self.n)] if self.multi else ["value"]
        out = [f"| given | name | {' | '.join(cols)} |", "| --- | --- |" + " ---: |" * len(cols)]
        return out + [f"| {kind} | `{name}` | {' | '.join(self.num(x) for x in vals)} |" for kind, name, vals in rows]

    def _render_ForwardStep(self, step: ForwardStep) -> list[str]:
        return self.formula(step)

    def _render_LossStep(self, step: LossStep) -> list[str]:
        return self.formula(step)

    def _render_BatchLossStep(self, step: BatchLossStep) -> list[str]:
        parts = _join([self.tnum(x) for x in step.per_sample])
        how = f"\\frac{{1}}{{{len(step.per_sample)}}}\\left({parts}\\right)" if step.reduction == "mean" else parts
        lhs = _sup(self.tex(step.node), "\\text{batch}")
        return self.open(step) + ["", f"Over the batch ({step.reduction}):"] + \
            self.math([f"{lhs} = {how} = {self.tnum(step.total)}"])

    def _render_GradStep(self, step: GradStep) -> list[str]:
        out = self.open(step)
        if id(step) not in self.shown:
            return out
        if self.problem.kind == "expression" and self.n:
            return out + self._graph_rows(step)
        if id(step) in self.run_starts:
            out += ["", f"### {common.kind_title(self.sol, step.kind)}"]
        lhs = common.grad_latex(self.loss, step.node, self.symbols)
        symbols = [common.term_symbols_latex(self.sol, t) for t in step.terms]
        numbers = [[common.term_numbers_latex(self.sol, t, s, self.p) for t in step.terms] for s in range(self.n)]
        out += self.equation(lhs, symbols, numbers, step.values)
        if self.multi and step.kind == "param":
            out += ["", "Summed over the samples:"]
            out += self.math([f"{lhs} = {_join([self.tnum(v) for v in step.values])} = {self.tnum(step.total)}"])
        return out

    def _graph_rows(self, step: GradStep) -> list[str]:
        """cs231n style: local gradient × upstream = downstream, one row per path, a sum per node."""
        out = []
        if step is self.graph_steps[0]:
            out = ["", "Each path: downstream = local gradient × upstream; a node used on several paths",
                   "gets the sum of its paths.", "",
                   "| node | via | local ∂via/∂node | upstream | downstream |", "| --- | --- | --- | ---: | ---: |"]
        for s in range(self.n):
            tag = f" (sample {s + 1})" if self.multi else ""
            for t in step.terms:
                local = f"$`{to_latex(t.local, symbols=self.symbols)} = {self.tnum(t.local_values[s])}`$"
                out.append(f"| `{step.node}`{tag} | `{t.via}` | {local} | {self.num(t.upstream[s])} "
                           f"| {self.num(t.contribution[s])} |")
            if len(step.terms) > 1:
                parts = " + ".join(self.num(t.contribution[s]) for t in step.terms)
                out.append(f"| `{step.node}`{tag} | all paths | | sum | {parts} = {self.num(step.values[s])} |")
        if step is self.graph_steps[-1]:
            out += ["", "The gradient:"]
            for g in self.graph_steps:
                if g.kind == "input":
                    values = ", ".join(self.tnum(v) for v in g.values)
                    out += self.math([f"{common.grad_latex(self.loss, g.node, self.symbols)} = {values}"])
        return out

    def _render_UpdateStep(self, step: UpdateStep) -> list[str]:
        out = self.open(step)
        if out:
            rule = f"p \\leftarrow p - \\eta \\cdot \\partial {self.tex(self.loss)} / \\partial p"
            out += ["", "Each parameter moves against its gradient:",
                    f"$`{rule}`$ with $`\\eta = {step.learning_rate:g}`$.", "",
                    "| parameter | old | gradient | old − η·gradient | new |", "| --- | ---: | ---: | --- | ---: |"]
        if step.frozen:
            work = "frozen: not updated"
        else:
            grad = f"\\left({self.tnum(step.grad)}\\right)" if step.grad < 0 else self.tnum(step.grad)
            work = f"$`{self.tnum(step.old)} - {step.learning_rate:g} \\cdot {grad}`$"
        cells = [f"`{step.param}`", self.num(step.old), self.num(step.grad), work, self.num(step.new)]
        return out + [f"| {' | '.join(cells)} |"]

    def _render_LossAfterStep(self, step: LossAfterStep) -> list[str]:
        lhs = self.tex(step.node)
        rows = [f"\\text{{before: }} & {lhs} = {self.tnum(step.before)}",
                f"\\text{{after: }} & {lhs} = {self.tnum(step.after)}"]
        if self.multi:
            rows.append(f"\\text{{after, per sample: }} & {', '.join(self.tnum(v) for v in step.per_sample)}")
        verb = "fell" if step.after < step.before else "did not fall"
        return self.open(step) + ["", "The loss recomputed with the updated parameters:"] + self.math(rows) + \
            ["", f"The loss {verb}: {self.num(step.before)} → {self.num(step.after)}."]
