"""The worked solution as rich terminal tables (plain text when there is no colour)."""
from __future__ import annotations

import io
from itertools import groupby

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..formula.printing import fmt_number, to_text
from ..solution import (BatchLossStep, ForwardStep, GivenStep, GradStep, LossAfterStep, LossStep, Solution,
                        UpdateStep)
from . import layout as common


def render(sol: Solution, *, precision: int = 4, width: int = 100, color: bool = False,
           symbolic: bool = False) -> str:
    """Every section of the solution, as the terminal shows it; symbolic adds the derivation in symbols."""
    out = io.StringIO()
    console = Console(file=out, width=width, color_system="standard" if color else None,
                      force_terminal=color, highlight=False, markup=False, emoji=False, legacy_windows=False)
    _Printer(sol, console, precision, symbolic).run()
    return out.getvalue()


class _Printer:
    def __init__(self, sol: Solution, console: Console, precision: int, symbolic: bool = False):
        self.sol, self.console, self.p, self.symbolic = sol, console, precision, symbolic
        self.samples = range(sol.problem.n_samples)
        self.multi = sol.problem.n_samples > 1
        self.numeric = sol.problem.numeric
        self.number = 0

    def num(self, v: float) -> str:
        return fmt_number(v, self.p)

    def heading(self, title: str) -> None:
        self.number += 1
        self.console.print()
        self.console.print(Text(f"{self.number}. {title}", style="bold underline"))

    def table(self, *columns: str, title: str | None = None) -> Table:
        t = Table(*columns, box=box.SIMPLE_HEAD, title=title, title_justify="left", title_style="bold",
                  show_edge=False, pad_edge=False)
        for col in t.columns:  # numbers right-aligned, the per-sample columns too, as markdown aligns them
            if col.header in ("value", "new", "old", "gradient", "upstream", "downstream") or \
                    str(col.header).startswith("sample "):
                col.justify = "right"
        return t

    def run(self) -> None:
        handlers = {GivenStep: self.given, ForwardStep: self.forward, LossStep: self.losses,
                    BatchLossStep: self.batch, GradStep: self.grads, UpdateStep: self.updates,
                    LossAfterStep: self.after}
        section = None
        for kind, group in groupby(self.sol.steps, key=type):
            if kind not in handlers:
                raise TypeError(f"the terminal renderer has no rendering for {kind.__name__}")
            title = common.SECTION_OF[kind]
            if title != section and kind is not GivenStep:
                self.heading(title)
            section = title
            handlers[kind](list(group))

    def given(self, steps: list[GivenStep]) -> None:
        p = steps[0].problem
        self.console.print(Text(p.title, style="bold"))
        if p.source:
            self.console.print(f"Source: {p.source}")
        if p.description:
            self.console.print(p.description)
        self.heading("Given")
        sample_cols = [f"sample {s + 1}" for s in self.samples] if self.multi else ["value"]
        if not self.numeric:  # in markdown's words
            self.console.print(f"Symbolic: no numbers are given. Inputs: {', '.join(p.inputs) or 'none'}."
                               + (f" Targets: {', '.join(p.targets)}." if p.targets else ""))
        for title, values in (("Inputs", p.inputs), ("Targets", p.targets)):
            if values and self.numeric:
                t = self.table("name", *sample_cols, title=title)
                for name, vals in values.items():
                    t.add_row(name, *[self.num(x) for x in vals])
                self.console.print(t)
        if p.params:
            t = self.table("parameter", "connects", *(["value"] if self.numeric else []), title="Parameters")
            for prm in p.params.values():
                frozen = " (frozen)" if prm.name in p.frozen else ""
                t.add_row(prm.name + frozen, common.connects(prm), *([self.num(prm.value)] if self.numeric else []))
            self.console.print(t)
        self.console.print(Text("Network" if p.kind == "network" else "Computational graph", style="bold"))
        for line in common.picture(self.sol):
            self.console.print("  " + line)
        if p.kind == "expression":
            self.console.print(Text("Function", style="bold"))
            for name, formula in p.definitions:
                self.console.print(f"  {name} = {to_text(formula)}")
        else:
            self.console.print(Text("Loss", style="bold"))
            for node in p.nodes:
                if node.role in ("loss_term", "loss"):
                    self.console.print(f"  {node.name} = {to_text(node.formula)}")
        if self.multi:
            self.console.print(f"  over the batch: the {p.batch} of {p.loss} over {p.n_samples} samples")
        if p.learning_rate is not None:
            self.console.print(Text("Training", style="bold"))
            self.console.print(f"  learning rate η = {p.learning_rate:g}"
                               + (f"; frozen: {', '.join(sorted(p.frozen))}" if p.frozen else ""))

    def formula_table(self, first: str, steps: list) -> None:
        if not self.numeric:
            t = self.table(first, "formula")
            for st in steps:
                t.add_row(st.node, to_text(st.formula))
            self.console.print(t)
            return
        t = self.table(first, "formula", "with numbers", "value")
        for st in steps:
            for s in self.samples:
                label = f"{st.node} [{s + 1}]" if self.multi else st.node
                sub = to_text(st.formula, self.sol.sample_values(s), self.p)
                t.add_row(label, to_text(st.formula), sub, self.num(st.values[s]))
        self.console.print(t)

    def forward(self, steps: list[ForwardStep]) -> None:
        self.formula_table("node", steps)

    def losses(self, steps: list[LossStep]) -> None:
        self.formula_table("term", steps)

    def batch(self, steps: list[BatchLossStep]) -> None:
        for b in steps:
            parts = " + ".join(self.num(x) for x in b.per_sample)
            how = f"({parts})/{len(b.per_sample)}" if b.reduction == "mean" else parts
            self.console.print(f"  {b.node} over the batch ({b.reduction}) = {how} = {self.num(b.total)}")

    def grads(self, steps: list[GradStep]) -> None:
        shown = set(map(id, common.shown_grads(self.sol)))
        steps = [s for s in steps if id(s) in shown]
        if self.symbolic and self.numeric:
            self.console.print(Text("The derivation in symbols", style="bold italic"))
            for kind, group in common.runs(steps):
                self.grad_table(kind, group, numbers=False)
            self.console.print(Text("The same with numbers", style="bold italic"))
        if self.sol.problem.kind == "expression" and self.numeric:
            self.graph_table(steps)
            return
        for kind, group in common.runs(steps):
            self.grad_table(kind, group, numbers=self.numeric)

    def grad_table(self, kind: str, steps: list[GradStep], numbers: bool) -> None:
        loss = self.sol.problem.loss
        self.console.print(Text(common.kind_title(self.sol, kind), style="bold"))
        if not numbers:
            t = self.table("quantity", "chain rule")
            for st in steps:
                t.add_row(common.grad_text(loss, st.node), common.chain_text(self.sol, st.terms))
            self.console.print(t)
            return
        t = self.table("quantity", "chain rule", "with numbers", "value")
        for st in steps:
            symbols = common.chain_text(self.sol, st.terms)
            for s in self.samples:
                label = common.grad_text(loss, st.node) + (f" [{s + 1}]" if self.multi else "")
                numbers = common.chain_text(self.sol, st.terms, s, self.p)
                t.add_row(label, symbols, numbers, self.num(st.values[s]))
            if self.multi and kind == "param":
                per = " + ".join(self.num(x) for x in st.values)
                t.add_row(f"{common.grad_text(loss, st.node)}", "sum over samples", per, self.num(st.total))
        self.console.print(t)

    def graph_table(self, steps: list[GradStep]) -> None:
        """cs231n style: node, local gradient, upstream, downstream = local × upstream; sums per node."""
        loss = self.sol.problem.loss
        t = self.table("node", "via", "local ∂via/∂node", "upstream", "downstream")
        for st in steps:
            for s in self.samples:
                tag = f" [{s + 1}]" if self.multi else ""
                for term in st.terms:
                    local = f"{to_text(term.local)} = {self.num(term.local_values[s])}"
                    t.add_row(st.node + tag, term.via, local, self.num(term.upstream[s]),
                              self.num(term.contribution[s]))
                if len(st.terms) > 1:
                    parts = " + ".join(self.num(term.contribution[s]) for term in st.terms)
                    t.add_row(st.node + tag, "all paths", "", "sum", f"{parts} = {self.num(st.values[s])}")
        self.console.print(t)
        self.console.print(Text("Gradient", style="bold"))
        for st in steps:
            if st.kind == "input":
                values = ", ".join(self.num(x) for x in st.values)
                self.console.print(f"  {common.grad_text(loss, st.node)} = {values}")

    def updates(self, steps: list[UpdateStep]) -> None:
        t = self.table("parameter", "old", "gradient", "old − η·gradient", "new")
        for st in steps:
            if st.frozen:
                t.add_row(st.param, self.num(st.old), self.num(st.grad),
                          "frozen: not updated", self.num(st.new))
            else:
                work = f"{self.num(st.old)} − {st.learning_rate:g}·{self._paren(st.grad)}"
                t.add_row(st.param, self.num(st.old), self.num(st.grad), work, self.num(st.new))
        self.console.print(t)

    def _paren(self, v: float) -> str:
        return f"({self.num(v)})" if v < 0 else self.num(v)

    def after(self, steps: list[LossAfterStep]) -> None:
        step = steps[0]
        change = step.after - step.before
        self.console.print(f"  {step.node}: {self.num(step.before)} → {self.num(step.after)} "
                           f"(change {'+' if change >= 0 else '−'}{self.num(abs(change))})")
