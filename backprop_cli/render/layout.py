"""The layout every format shares: the solution as numbered sections of blocks, decided once.

Which rows a table has, in which order, which steps are shown and which sums are written out
is decided here; a format (terminal.py, markdown.py) decides only how each block and cell is
written. Adding a step type means one builder here (STEPS) and nothing in the formats unless it
needs a new block type.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby

from ..formula.printing import name_latex
from ..formula.tree import Const, Var, mul, sub
from ..limits import MAX_SHOWN_SAMPLES, SHOWN_SAMPLES
from ..model import Param, Problem
from ..progress import report
from ..solution import (
    BatchLossStep,
    FinalStep,
    ForwardStep,
    GivenStep,
    GradCheckStep,
    GradStep,
    HistoryStep,
    LayerBackwardStep,
    LayerForwardStep,
    LayerUpdateStep,
    LossAfterStep,
    LossStep,
    NetworkGivenStep,
    ShownStep,
    Solution,
    UpdateStep,
)
from . import training
from .backward import chain_text, grads, shown_grads, values_in
from .blocks import (
    BatchTotal,
    Block,
    Column,
    Definitions,
    Derivation,
    Diagram,
    Document,
    Equation,
    LossChange,
    Note,
    Paragraph,
    Rows,
    Section,
    Table,
    Title,
)
from .cells import Formula, Join, Math, Name, Num, SampleKey, Sum, Text, names
from .checks import checks
from .dispatch import pick
from .optimizer import optimizer_update
from .training import all_samples, heading

SHOWN = "Step"  # the section of a shown step of training: it lays out as the sections of one step

__all__ = ["SECTION_OF", "STEPS", "Context", "build", "chain_text", "connects", "shown_grads"]


@dataclass(frozen=True)
class Context:
    """What every builder reads: the solution and how much of it is asked for."""

    sol: Solution
    symbolic: bool = False  # also the backward pass in symbols before the numbers
    full: bool = False  # every sample of a large batch, not only the first SHOWN_SAMPLES

    @property
    def problem(self) -> Problem:
        """The problem solved."""
        return self.sol.problem

    @property
    def n(self) -> int:
        """How many samples carry numbers (0 in a derivation in symbols)."""
        return self.sol.problem.n_samples

    @property
    def multi(self) -> bool:
        """Whether the problem is a batch of several samples."""
        return self.n > 1

    @property
    def shown(self) -> int:
        """How many samples get rows of their own: all of them, or the first few of a large batch."""
        return self.n if self.full or self.n <= MAX_SHOWN_SAMPLES else SHOWN_SAMPLES


    def total(self, values: tuple, mean: bool = False) -> Sum:
        """The sum of one value per sample: every term, or the first few, … and the last of a large batch."""
        if self.shown == self.n:
            return Sum(values, mean)
        return Sum((*values[:self.shown], values[-1]), mean, of=len(values))


def build(sol: Solution, symbolic: bool = False, full: bool = False) -> Document:
    """The solution laid out: front matter, then one numbered section per run of steps.

    A batch of more than MAX_SHOWN_SAMPLES shows its first SHOWN_SAMPLES samples, unless full.
    """
    ctx = Context(sol, symbolic, full)
    report("writing the solution")
    sections: list[Section] = []
    _lay_out(ctx, sol.steps, sections)
    given = sol.of(GivenStep)
    front = _front(given[0].problem) if given else ()
    return Document(front, tuple(sections), dict(sol.problem.symbols))


def _lay_out(ctx: Context, steps: Sequence, sections: list[Section], shown: ShownStep | None = None) -> None:
    """One section per run of steps of one section; each shown step of training gets its own run of them,
    laid out as a single step is, its titles saying which step, its first section saying on what."""
    lead: list[Block] = [heading(shown)] if shown is not None else []
    for title, run in groupby(steps, key=lambda step: pick(SECTION_OF, step, "layout")):
        if title == SHOWN:
            history = ctx.sol.of(HistoryStep)
            for item in run:
                _lay_out(Context(item.solution, ctx.symbolic, ctx.full), item.solution.steps, sections, item)
                if history and len(item.samples) < item.n_samples:  # a mini-batch: the loss over all samples
                    last = sections[-1]
                    sections[-1] = Section(last.number, last.title,
                                           (*last.blocks, all_samples(ctx.problem, item, history[0])))
            continue
        blocks, lead = lead, []
        for kind, group in groupby(run, key=type):
            blocks += STEPS[kind][1](ctx, list(group))
        if shown is not None:
            title = f"Step {shown.step}: {title[:1].lower()}{title[1:]}"
        sections.append(Section(len(sections) + 1, title, tuple(blocks)))


def _front(p: Problem) -> tuple[Block, ...]:
    paragraphs = [Paragraph(Text(t)) for t in (f"Source: {p.source}" if p.source else "", p.description) if t]
    return (Title(p.title), *paragraphs)


def connects(param: Param) -> str:
    """What a parameter weights: 'out_h1 → out_o1', 'bias of out_o1', or 'in h1'."""
    parts = []
    for src, dst in param.uses:
        if src == "1":
            parts.append(f"bias of {dst}")
        elif src:
            parts.append(f"{src} → {dst}")
        else:
            parts.append(f"in {dst}")
    return ", ".join(parts)


def _given(ctx: Context, steps: Sequence[GivenStep]) -> list[Block]:
    p = steps[0].problem
    blocks: list[Block] = [*_values(ctx)]
    if p.params:
        blocks.append(_params(ctx))
    blocks.append(Diagram("Computational graph" if p.is_expression else "Network", p))
    if p.is_expression:
        blocks.append(Definitions("Function", tuple((Name(name), Formula((f,), symbols=p.symbols))
                                                    for name, f in p.definitions)))
    else:
        blocks.append(loss_definitions(p))
    blocks += batch_note(ctx)
    if ctx.shown < ctx.n:
        blocks.append(Note(Text(f"samples 1 to {ctx.shown} of {ctx.n} are shown, and totals over all "
                                "(--full shows every sample)")))
    if p.learning_rate is not None:
        blocks += training.given(p)
    return blocks


def loss_definitions(p: Problem) -> Definitions:
    """The loss terms and the loss, each name = its formula."""
    return Definitions("Loss", tuple((Name(n.name), Formula((n.formula,), symbols=p.symbols))
                                     for n in p.nodes if n.is_loss))


def batch_note(ctx: Context) -> list[Block]:
    """For a batch, how the per-sample losses make the batch loss; nothing for one sample."""
    if not ctx.multi:
        return []
    p = ctx.problem
    loss = Math(p.loss, name_latex(p.loss, p.symbols))
    return [Note(Join((Text(f"over the batch: the {p.batch} of "), loss, Text(f" over {ctx.n} samples"),
                       SampleKey())))]


def _values(ctx: Context) -> list[Block]:
    """The inputs and targets: a table of numbers, or their names in a derivation in symbols."""
    p = ctx.problem
    if not ctx.n:
        parts = [Text("Symbolic: no numbers are given. Inputs: "), names(p.inputs) if p.inputs else Text("none"),
                 Text(".")]
        if p.targets:
            parts += [Text(" Targets: "), names(p.targets), Text(".")]
        return [Paragraph(Join(tuple(parts)))]
    headers = [f"sample {s + 1}" for s in range(ctx.shown)] if ctx.multi else ["value"]
    groups = tuple(Rows(tuple((Name(name), *(Num(x) for x in vals[:ctx.shown])) for name, vals in values.items()),
                        title=title, label=Text(label))
                   for title, label, values in (("Inputs", "input", p.inputs), ("Targets", "target", p.targets))
                   if values)
    columns = (Column("name"), *(Column(h, numeric=True) for h in headers))
    return [Table(columns, groups, group_column="given")] if groups else []


def _params(ctx: Context) -> Table:
    p = ctx.problem
    columns = (Column("parameter"), Column("connects"), *((Column("value", numeric=True),) if ctx.n else ()))
    rows = tuple((Join((Name(prm.name), Text(" (frozen)"))) if prm.name in p.frozen else Name(prm.name),
                  Text(connects(prm)), *((Num(prm.value),) if ctx.n and prm.value is not None else ()))
                 for prm in p.params.values())
    return Table(columns, (Rows(rows, title="Parameters"),))


def _formulas(head: str) -> Callable[[Context, Sequence[ForwardStep | LossStep]], list[Block]]:
    """A builder for the forward or loss section: each node's formula, with each sample's numbers."""
    def build_rows(ctx: Context, steps: Sequence[ForwardStep | LossStep]) -> list[Block]:
        symbols = ctx.problem.symbols
        rows = tuple(Equation(Name(st.node), Formula((st.formula,), symbols=symbols),
                              tuple(Formula((st.formula,), values_in(ctx.sol, (st.formula,), s), symbols)
                                    for s in range(ctx.shown)),
                              st.values) for st in steps)
        return [Derivation((head, "formula"), rows)]
    return build_rows


def _batch(ctx: Context, steps: Sequence[BatchLossStep]) -> list[Block]:
    return [BatchTotal(Name(b.node), b.reduction, ctx.total(b.per_sample, mean=b.reduction == "mean"), b.total)
            for b in steps]


def _updates(ctx: Context, steps: Sequence[UpdateStep]) -> list[Block]:
    """old − η·gradient = new for every parameter, or the old value when it is frozen; an optimizer's rule."""
    if steps[0].state:
        return optimizer_update(ctx, steps)
    loss, lr = ctx.problem.loss, steps[0].learning_rate
    rule = Math(f"p ← p − η·∂{loss}/∂p",
                f"p \\leftarrow p - \\eta \\cdot \\partial {name_latex(loss, ctx.problem.symbols)} / \\partial p")
    caption = (Text("Each parameter moves against its gradient:"),
               Join((rule, Text(" with "), Math(f"η = {lr:g}", f"\\eta = {lr:g}"), Text("."))))
    step = sub(Var("old"), mul(Const(lr), Var("gradient")))
    rows = tuple((Name(st.param), Num(st.old), Num(st.grad),
                  Text("frozen: not updated") if st.frozen else Formula((step,), {"old": st.old, "gradient": st.grad}),
                  Num(st.new)) for st in steps)
    columns = (Column("parameter"), Column("old", numeric=True), Column("gradient", numeric=True),
               Column("old − η·gradient"), Column("new", numeric=True))
    return [Table(columns, (Rows(rows),), caption=caption)]


def _after(ctx: Context, steps: Sequence[LossAfterStep]) -> list[Block]:
    # per sample only where every sample is shown: a list of 10,000 losses is no summary
    return [LossChange(Name(st.node), st.before, st.after, st.per_sample if ctx.shown == ctx.n else ())
            for st in steps]


def _summary(module: str, name: str) -> Callable[[Context, list], list[Block]]:
    """A builder of the summary form, imported when a solution has one: a homework solve never pays for it."""
    def build(ctx: Context, steps: list) -> list[Block]:
        from importlib import import_module

        return getattr(import_module(f"{__package__}.{module}"), name)(ctx, steps)
    return build


# Every step type: the section it belongs to and the builder of its blocks.
STEPS: dict[type, tuple[str, Callable[[Context, list], list[Block]]]] = {
    GivenStep: ("Given", _given),
    ForwardStep: ("Forward pass", _formulas("node")),
    LossStep: ("Loss", _formulas("term")),
    BatchLossStep: ("Loss", _batch),
    GradStep: ("Backward pass", grads),
    GradCheckStep: ("Backward pass", checks),
    UpdateStep: ("Update", _updates),
    LossAfterStep: ("Loss after the update", _after),
    ShownStep: (SHOWN, lambda ctx, steps: []),  # _lay_out gives each shown step sections of its own
    HistoryStep: ("Training", training.history),
    FinalStep: ("After training", training.final),
    NetworkGivenStep: ("Given", _summary("summary", "given")),  # the summary form of a large layers-form network
    LayerForwardStep: ("Forward pass", _summary("summary", "forward")),
    LayerBackwardStep: ("Backward pass", _summary("summary_back", "backward")),
    LayerUpdateStep: ("Update", _summary("summary_back", "update")),
}
SECTION_OF = {kind: section for kind, (section, _) in STEPS.items()}
