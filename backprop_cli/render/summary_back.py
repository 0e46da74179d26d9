"""The summary form's backward pass and update, per layer: δ, ∂L/∂W = Aᵀ·δ, ∂L/∂b, ∂L/∂A_in, W ← W − η·∂L/∂W.

As in summary.py: formulas over matrices with their shapes, the first samples and neurons, a few entries
worked out in scalar form (each numbers row reads back to its value), and Frobenius norms.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..formula.calculus import diff
from ..formula.printing import name_latex
from ..formula.registry import REGISTRY
from ..formula.tree import Call, Const, Expr, Var, free_names, mul, sub
from ..solution import LayerBackwardStep, LayerUpdateStep
from .blocks import Block, Column, Definitions, Derivation, Equation, Note, Rows, Subheading, Table
from .cells import Cell, Formula, Grad, Join, Math, Name, Num, Text, grad_latex, grad_text
from .summary import (
    activation_math,
    formula_math,
    input_matrix,
    mat,
    matrix_table,
    norms,
    prime,
    reads_alone,
    sample,
    scalar_entry,
    shape,
)

if TYPE_CHECKING:
    from .layout import Context

UPDATED = 3  # weights of a layer shown in the update table, with the last


def _g(ctx: Context, name: str) -> tuple[str, str]:
    """∂L/∂name as a variable name and its LaTeX."""
    loss = ctx.problem.loss
    return grad_text(loss, name), grad_latex(loss, name, ctx.problem.symbols)


def _dl(ctx: Context, m: Math) -> Math:
    """∂L/∂M of a matrix M."""
    loss = ctx.problem.loss
    top = name_latex(loss, ctx.problem.symbols)
    return Math(f"∂{loss}/∂{m.text}", f"\\frac{{\\partial {top}}}{{\\partial {m.latex}}}")


def _step(m: Math, grad: Math) -> Math:
    """M ← M − η·∂L/∂M."""
    return Math(f"{m.text} ← {m.text} − η·{grad.text}", f"{m.latex} \\leftarrow {m.latex} - \\eta \\cdot {grad.latex}")


def backward(ctx: Context, steps: Sequence[LayerBackwardStep]) -> list[Block]:
    """Each layer back, from the last: δ, ∂L/∂W, ∂L/∂b and ∂L/∂A of the layer below."""
    blocks: list[Block] = []
    for st in steps:
        blocks += _backward_layer(ctx, st)
    return blocks


def _derivative(ctx: Context, st: LayerBackwardStep) -> tuple[Cell, Expr | None]:
    """δ's rule in matrices, and f'(z) of one neuron in its z and a names (None for a softmax)."""
    d, k = st.layer, st.index + 1
    z, a = mat("Z", k), mat("A", k)
    d_a = _dl(ctx, a)
    name, params = d.activations[0]
    if name == "softmax":
        rule = Join((Math(f"{a.text} ⊙ ({d_a.text} − S)", f"{a.latex} \\odot \\left({d_a.latex} - S\\right)"),
                     Text(", S = the row sums of "), Math(f"{a.text} ⊙ {d_a.text}", f"{a.latex} \\odot {d_a.latex}")))
        return rule, None
    local = REGISTRY[name].partial(Call(name, (Var(z.text),), params), Var(a.text), 0)
    shown = formula_math(local, {z.text: z.latex, a.text: a.latex})
    f = prime(activation_math(d, z))
    rule = Join((Math(f"{d_a.text} ⊙ {f.text}", f"{d_a.latex} \\odot {f.latex}"), Text(", where "), f,
                 Text(" = "), shown, Text(" elementwise")))
    neuron = REGISTRY[name].partial(Call(name, (Var(d.zs[0]),), params), Var(d.outs[0]), 0)
    return rule, neuron


def _backward_layer(ctx: Context, st: LayerBackwardStep) -> list[Block]:
    d, k, n = st.layer, st.index + 1, ctx.n
    (n_in, n_out) = d.shape
    a, a_in, w, b = mat("A", k), input_matrix(ctx.problem, st.index), mat("W", k), mat("b", k)
    a_in_t = input_matrix(ctx.problem, st.index, t=True)
    delta = Math(f"δ[{k}]", f"\\delta^{{[{k}]}}")
    rule, local = _derivative(ctx, st)
    rows: list[tuple[Cell, Cell]] = [(delta, rule)]
    rows.append((_dl(ctx, w), Join((Math(f"{a_in_t.text}·{delta.text}", f"{a_in_t.latex} \\cdot {delta.latex}"),
                                    Text("   "),
                                    shape((n_in, n_out), (n_in, n), (n, n_out), ops="=·")))))
    rows.append((_dl(ctx, b), Join((Text("the sum of each column of "), delta, Text("   ("), shape((1, n_out)),
                                    Text(")")))))
    if reads_alone(ctx.problem, st.index):
        rows.append((_dl(ctx, a_in), Join((Math(f"{delta.text}·{mat('W', k, True).text}",
                                                f"{delta.latex} \\cdot {mat('W', k, True).latex}"), Text("   "),
                                           shape((n, n_in), (n, n_out), (n_out, n_in), ops="=·")))))
    blocks: list[Block] = [Subheading(f"Layer {k}: {d.label}, backward"), Definitions("Matrices", tuple(rows),
                                                                                       together=False),
                           matrix_table(ctx, d.outs, ((_dl(ctx, a), st.d_a), (delta, st.delta)))]
    blocks.append(Derivation(("entry", "formula"), tuple(_entries(ctx, st, local)),
                             title=f"Entries of layer {k} worked out" + (", sample 1" if ctx.multi else "")))
    blocks.append(norms((delta, st.delta), (_dl(ctx, w), st.d_w), (_dl(ctx, b), st.d_b)))
    return blocks


def _entries(ctx: Context, st: LayerBackwardStep, local: Expr | None) -> list:
    d, sol = st.layer, ctx.sol
    zn, an = d.zs[0], d.outs[0]
    out = []
    if an in {y for y, _ in ctx.problem.outputs}:  # an output layer: ∂L/∂ŷ from the loss terms
        out.append(_loss_gradient(ctx, an, float(st.d_a[0, 0])))
    ga, ga_tex = _g(ctx, an)
    symbols = {ga: ga_tex}
    values = {ga: float(st.d_a[0, 0]), an: sol.values[an][0], zn: sol.values[zn][0]}
    if local is not None:
        out.append(scalar_entry(ctx, sample(ctx, Grad(ctx.problem.loss, zn)), [mul(Var(ga), local)], values,
                                float(st.delta[0, 0]), symbols))
    else:  # softmax: s·(∂L/∂s − S), S = Σ_k s_k·∂L/∂s_k
        terms = [mul(Var(o), Var(_g(ctx, o)[0])) for o in d.outs]
        row = {o: sol.values[o][0] for o in d.outs}
        row.update({_g(ctx, o)[0]: float(st.d_a[0, j]) for j, o in enumerate(d.outs)})
        s_value = float((st.d_a[0] * _row(ctx, d.outs)).sum())
        tex = {_g(ctx, o)[0]: _g(ctx, o)[1] for o in d.outs}
        out.append(scalar_entry(ctx, Math("S", "S"), terms, row, s_value, tex))
        out.append(scalar_entry(ctx, sample(ctx, Grad(ctx.problem.loss, zn)), [mul(Var(an), sub(Var(ga), Var("S")))],
                                {**values, "S": s_value}, float(st.delta[0, 0]), {**symbols, "S": "S"}))
    out.append(_weight_gradient(ctx, st))
    bias = _bias_gradient(ctx, st)
    if bias is not None:  # a layer without biases has no ∂L/∂b to work out
        out.append(bias)
    if reads_alone(ctx.problem, st.index):
        out.append(_input_gradient(ctx, st))
    return [e for e in out if e is not None]


def _row(ctx: Context, names: Sequence[str]):
    import numpy as np

    return np.array([ctx.sol.values[o][0] for o in names])


def _loss_gradient(ctx: Context, an: str, value: float) -> Equation:
    """∂L/∂ŷ of the first output in sample 1: Σ over the loss terms using it of ∂L/∂term·∂term/∂ŷ."""
    p, sol = ctx.problem, ctx.sol
    terms, values, symbols = [], {an: sol.values[an][0]}, {}
    for node in p.nodes:
        if node.is_loss and an in free_names(node.formula):
            local = diff(node.formula, an)
            if node.name == p.loss:
                seed = 1.0 / ctx.n if p.averages else 1.0
                terms.append(local if seed == 1.0 else mul(Const(seed), local))
            else:
                g, tex = _g(ctx, node.name)
                terms.append(mul(Var(g), local))
                values[g], symbols[g] = sol.grads[node.name][0], tex
            values.update({k: sol.values[k][0] for k in free_names(local) if k in sol.values})
    return scalar_entry(ctx, sample(ctx, Grad(p.loss, an)), terms, values, value, symbols)


def _per_sample(ctx: Context, pairs: Sequence[tuple[str, str]], cols: Sequence[Sequence[float]],
                what: str = "samples") -> tuple[list[Expr], dict, dict]:
    """Σ_s of a product of two named quantities, one term per sample: x1 [s]·∂L/∂z [s]."""
    terms: list[Expr] = []
    values: dict = {}
    symbols: dict = {}
    for s in range(ctx.n):
        names = []
        for (text, tex), col in zip(pairs, cols):
            name = f"{text} [{s + 1}]" if ctx.multi else text
            symbols[name] = f"{{{tex}}}^{{({s + 1})}}" if ctx.multi else tex
            values[name] = float(col[s])
            names.append(Var(name))
        terms.append(mul(*names) if len(names) > 1 else names[0])
    return terms, values, symbols


def _weight_gradient(ctx: Context, st: LayerBackwardStep) -> Equation:
    """∂L/∂w of the layer's first weight: Σ_s a_in^(s)·δ^(s)."""
    d = st.layer
    src, zn, wn = d.inputs[0], d.zs[0], d.weights[0][0]
    pairs = ((src, name_latex(src, ctx.problem.symbols)), _g(ctx, zn))
    terms, values, symbols = _per_sample(ctx, pairs, (_column(ctx, src), st.delta[:, 0]))
    return scalar_entry(ctx, Grad(ctx.problem.loss, wn), terms, values, float(st.d_w[0, 0]), symbols, "samples")


def _column(ctx: Context, name: str) -> tuple:
    return ctx.sol.values[name]


def _bias_gradient(ctx: Context, st: LayerBackwardStep) -> Equation | None:
    """∂L/∂b of the first neuron's bias: Σ over samples (and over the neurons that share it) of δ."""
    d = st.layer
    bias = d.biases[0]
    if bias is None:
        return None
    sharing = [j for j, b in enumerate(d.biases) if b == bias]
    terms, values, symbols = [], {}, {}
    for j in sharing:
        t, v, s = _per_sample(ctx, (_g(ctx, d.zs[j]),), (st.delta[:, j],))
        terms += t
        values.update(v)
        symbols.update(s)
    what = "terms" if len(sharing) > 1 else "samples"
    return scalar_entry(ctx, Grad(ctx.problem.loss, bias), terms, values, float(st.d_b[sharing].sum()), symbols, what)


def _input_gradient(ctx: Context, st: LayerBackwardStep) -> Equation:
    """∂L/∂a of the layer's first input in sample 1: Σ_j w_1j·δ_j."""
    d = st.layer
    src = d.inputs[0]
    terms, values, symbols = [], {}, {}
    for j, zn in enumerate(d.zs):
        g, tex = _g(ctx, zn)
        terms.append(mul(Var(d.weights[0][j]), Var(g)))
        values[d.weights[0][j]], values[g], symbols[g] = ctx.sol.values[d.weights[0][j]][0], float(st.delta[0, j]), tex
    value = float(st.delta[0] @ _weights_row(ctx, d.weights[0]))
    return scalar_entry(ctx, sample(ctx, Grad(ctx.problem.loss, src)), terms, values, value, symbols)


def _weights_row(ctx: Context, names: Sequence[str]):
    import numpy as np

    return np.array([ctx.sol.values[w][0] for w in names])


def _change(m: Math) -> Math:
    """M (new) − M."""
    return Math(f"{m.text} (new) − {m.text}", f"{m.latex}_{{\\text{{new}}}} - {m.latex}")


def update(ctx: Context, steps: Sequence[LayerUpdateStep]) -> list[Block]:
    """Each layer's update: the rule, a few weights and the biases old − η·gradient = new, the norm of the change."""
    p, sol = ctx.problem, ctx.sol
    lr = steps[0].learning_rate
    blocks: list[Block] = []
    rule = sub(Var("old"), mul(Const(lr), Var("gradient")))
    columns = (Column("parameter"), Column("old", numeric=True), Column("gradient", numeric=True),
               Column("old − η·gradient"), Column("new", numeric=True))
    for st in steps:
        d, k = st.layer, st.index + 1
        w, b = mat("W", k), mat("b", k)
        eta = Math(f"η = {lr:g}", f"\\eta = {lr:g}")
        dw, db = _dl(ctx, w), _dl(ctx, b)
        rule_note = Note(Join((_step(w, dw), Text(" and "), _step(b, db), Text(" with "), eta,
                               Text(", a frozen parameter kept; a few entries:"))))
        picked = [name for row in d.weights for name in row][:UPDATED] + [d.weights[-1][-1]]
        picked += [x for x in dict.fromkeys(d.biases) if x is not None][:2]
        rows = tuple((Name(x), Num(p.params[x].value), Num(sol.totals[x]),
                      Text("frozen: not updated") if x in p.frozen else
                      Formula((rule,), {"old": p.params[x].value, "gradient": sol.totals[x]}), Num(sol.new_params[x]))
                     for x in dict.fromkeys(picked))
        change = _change(w)
        blocks += [Subheading(f"Layer {k}: {d.label}, update"), rule_note,
                   Table(columns, (Rows(rows),)), norms((change, st.w_new - st.w), (_change(b), st.b_new - st.b))]
    return blocks

