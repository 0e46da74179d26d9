"""The backward pass laid out: chain-rule equations run by run, or the cs231n table of an expression."""
from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import TYPE_CHECKING

from ..formula.printing import to_text
from ..formula.tree import Const, Expr, Var, free_names, mul, sub
from ..solution import ChainTerm, GradStep, SoftmaxDelta, Solution
from .blocks import Block, Column, Definitions, Derivation, Equation, Rows, SampleSum, Shortcut, Subheading, Table
from .cells import Cell, Formula, Grad, InSample, Join, Math, Name, Num, Sum, Text, grad_latex, grad_text

if TYPE_CHECKING:
    from .. import solution
    from .layout import Context

KIND_TITLES = {
    "loss_term": "∂{L}/∂(each loss term)",
    "output": "∂{L}/∂ŷ for each output",
    "z": "δ = ∂{L}/∂z for each neuron",
    "a": "∂{L}/∂a for each hidden neuron, summed over its paths",
    "node": "∂{L}/∂(node) for the other nodes",
    "loss": "∂{L}/∂(loss)",
    "param": "∂{L}/∂p for each parameter",
    "input": "∂{L}/∂x for each input",
}

ELLIPSIS = "…"  # the terms of a long sum left out

GRAPH_COLUMNS = (Column("node"), Column("via"), Column("local ∂via/∂node"), Column("upstream", numeric=True),
                 Column("downstream", numeric=True))
GRAPH_CAPTION = (Text("Each path: downstream = local gradient × upstream; a node used on several paths"),
                 Text("gets the sum of its paths."))


def values_in(sol: Solution, exprs: Sequence[Expr], sample: int) -> dict:
    """name -> value in one sample, for the names these formulas use (all names per row would be quadratic)."""
    return {k: sol.values[k][sample] for e in exprs for k in free_names(e) if k in sol.values}


def _shown(sol: Solution, step: GradStep) -> bool:
    """Whether a worked solution shows a grad step: inputs only when there are no parameters."""
    return step.kind != "input" or not sol.problem.params


def shown_grads(sol: Solution) -> list[GradStep]:
    """The grad steps a worked solution shows."""
    return [s for s in sol.of(GradStep) if _shown(sol, s)]


def grads(ctx: Context, steps: Sequence[GradStep]) -> list[Block]:
    """The backward pass: runs of equations by kind, or the cs231n table of an expression with numbers."""
    sol, numeric = ctx.sol, ctx.n > 0
    shown = [s for s in steps if _shown(sol, s)]
    blocks: list[Block] = []
    if ctx.symbolic and numeric:
        blocks += [Subheading("The derivation in symbols"), *_runs(ctx, shown, numbers=False),
                   Subheading("The same with numbers")]
    if sol.problem.is_expression and numeric:
        return blocks + _graph(ctx, shown)
    return blocks + _runs(ctx, shown, numbers=numeric)


def _runs(ctx: Context, steps: Sequence[GradStep], numbers: bool) -> list[Block]:
    """One derivation per run of grad steps of one kind; a batch sums each ∂L/∂p over its samples."""
    sol, loss = ctx.sol, ctx.problem.loss
    labels = _sum_labels(sol, steps)
    out: list[Block] = []
    for kind, run in groupby(steps, key=lambda s: s.kind):
        rows: list[Equation | Shortcut | SampleSum] = []
        for st in run:
            lhs = Grad(loss, st.node)
            samples = range(ctx.shown) if numbers else range(0)
            closed = (st.softmax, labels[st.softmax.group]) if st.softmax is not None else None
            if closed is not None and closed[1] not in [r.lhs.text for r in rows if isinstance(r.lhs, Math)]:
                rows.append(_group_sum(ctx, *closed, samples))
            rows.append(Equation(lhs, chain(sol, st.terms, closed=closed),
                                 tuple(chain(sol, st.terms, s, closed) for s in samples), st.values if numbers else ()))
            if st.shortcut is not None:
                rows.append(_shortcut(ctx, lhs, st.shortcut, samples))
            if numbers and ctx.multi and kind == "param" and st.total is not None:
                rows.append(SampleSum(lhs, ctx.total(st.values), st.total))
        out.append(Derivation(("quantity", "chain rule"), tuple(rows), title=KIND_TITLES[kind].format(L=loss)))
    return out


def _shortcut(ctx: Context, lhs: Cell, short: solution.Shortcut, samples: range) -> Shortcut:
    """δ the short way, = factor·(ŷ − y), with each sample's numbers; its values are the engine's."""
    symbols = ctx.problem.symbols
    return Shortcut(lhs, Formula((short.formula,), symbols=symbols),
                    tuple(Formula((short.formula,), values_in(ctx.sol, (short.formula,), s), symbols) for s in samples),
                    tuple(short.values[s] for s in samples), f"the {short.pair} shortcut")


def _graph(ctx: Context, steps: Sequence[GradStep]) -> list[Block]:
    """cs231n style: one row per path, downstream = local × upstream, and the sum of a node's paths."""
    p = ctx.problem
    rows: list[tuple[Cell, ...]] = []
    for st in steps:
        for s in range(ctx.shown):
            node = InSample(Name(st.node), s) if ctx.multi else Name(st.node)
            for t in st.terms:
                local = Formula((t.local,), symbols=p.symbols, value=t.local_values[s])
                rows.append((node, Name(t.via), local, Num(t.upstream[s]), Num(t.contribution[s])))
            if len(st.terms) > 1:
                paths = Join((Sum(tuple(t.contribution[s] for t in st.terms)), Text(" = "), Num(st.values[s])))
                rows.append((node, Text("all paths"), Text(""), Text("sum"), paths))
    inputs = [st for st in steps if st.kind == "input"]
    more = (Text("…"),) if ctx.shown < ctx.n else ()
    gradient = tuple((Grad(p.loss, st.node), Join((*(Num(v) for v in st.values[:ctx.shown]), *more), ", "))
                     for st in inputs)
    if ctx.multi:  # each sample is its own evaluation; the mean of f over them weighs each by 1/N
        gradient += tuple((Grad(p.loss, st.node, of_mean=ctx.n),
                           Join((*(Num(v / ctx.n) for v in st.values[:ctx.shown]), *more), ", ")) for st in inputs)
    return [Table(GRAPH_COLUMNS, (Rows(tuple(rows)),), caption=GRAPH_CAPTION),
            Definitions("Gradient", gradient, together=False)]


def _is_one(expr: Expr) -> bool:
    """Whether a local partial is the constant 1 (a pass-through)."""
    return isinstance(expr, Const) and expr.value == 1.0


def _up_name(sol: Solution, term: ChainTerm) -> str | None:
    """How the upstream factor is written: ∂L/∂via, 1/N for the batch mean, or None for 1."""
    if term.via != sol.problem.loss:
        return grad_text(sol.problem.loss, term.via)
    return f"1/{sol.problem.n_samples}" if sol.problem.n_samples > 1 and sol.problem.averages else None


def _up_latex(sol: Solution, term: ChainTerm) -> str:
    if term.via != sol.problem.loss:
        return grad_latex(sol.problem.loss, term.via, sol.problem.symbols)
    return f"\\frac{{1}}{{{sol.problem.n_samples}}}"


def _term_expr(sol: Solution, term: ChainTerm) -> Expr:
    """upstream · local as one formula, the upstream written as a name like ∂L/∂via."""
    name = _up_name(sol, term)
    if name is None:
        return term.local
    return Var(name) if _is_one(term.local) else mul(Var(name), term.local)


def chain(sol: Solution, terms: Sequence[ChainTerm], sample: int | None = None,
          closed: tuple[SoftmaxDelta, str] | None = None) -> Formula:
    """Σ upstream · local, one term per path: in symbols, or with the numbers of one sample.

    closed: the paths through a large softmax group as one more term, s·(∂L/∂s − S), with the name of S.
    """
    symbols = dict(sol.problem.symbols)
    symbols.update({_up_name(sol, t): _up_latex(sol, t) for t in terms if _up_name(sol, t)})
    values = None
    if sample is not None:
        values = values_in(sol, [t.local for t in terms], sample)
        values.update({name: t.upstream[sample] for t in terms if (name := _up_name(sol, t))})
    exprs = [_term_expr(sol, t) for t in terms]
    if closed is not None:
        delta, label = closed
        up = grad_text(sol.problem.loss, delta.component)
        symbols.update({up: grad_latex(sol.problem.loss, delta.component, sol.problem.symbols), label: label})
        exprs.append(mul(Var(delta.component), sub(Var(up), Var(label))))
        if values is not None and sample is not None:
            values.update({delta.component: sol.values[delta.component][sample],
                           up: sol.grads[delta.component][sample], label: delta.group_sum[sample]})
    return Formula(tuple(exprs), values, symbols)


def _sum_labels(sol: Solution, steps: Sequence[GradStep]) -> dict[tuple, str]:
    """The name of each large softmax group's S: S, or S1, S2 … for several; primed if the problem has an S."""
    found = list(dict.fromkeys(st.softmax.group for st in steps if st.softmax is not None))
    taken = {*sol.problem.inputs, *sol.problem.targets, *sol.problem.params, *(n.name for n in sol.problem.nodes)}
    labels = {}
    for k, group in enumerate(found):
        label = "S" if len(found) == 1 else f"S{k + 1}"
        while label in taken:
            label += "'"
        labels[group] = label
    return labels


def _group_sum(ctx: Context, delta: SoftmaxDelta, label: str, samples: range) -> Equation:
    """S = Σₖ sₖ·∂L/∂sₖ over a large softmax group: its first two terms, …, its last, and its value."""
    sol, loss = ctx.sol, ctx.problem.loss
    shown = [*delta.group[:2], None, delta.group[-1]]
    exprs = tuple(mul(Var(m), Var(grad_text(loss, m))) if m else Var(ELLIPSIS) for m in shown)
    symbols = {**ctx.problem.symbols, ELLIPSIS: "\\ldots",
               **{grad_text(loss, m): grad_latex(loss, m, ctx.problem.symbols) for m in shown if m}}
    numbers = tuple(Formula(exprs, {k: v for m in shown if m for k, v in ((m, sol.values[m][s]),
                                                                         (grad_text(loss, m), sol.grads[m][s]))},
                            symbols) for s in samples)
    return Equation(Math(label, label), Formula(exprs, None, symbols), numbers,
                    tuple(delta.group_sum[s] for s in samples))


def chain_text(sol: Solution, terms: Sequence[ChainTerm], sample: int | None = None, precision: int = 4) -> str:
    """Σ upstream · local as the terminal prints it."""
    formula = chain(sol, terms, sample)
    return to_text(formula.expr, formula.values, precision)
