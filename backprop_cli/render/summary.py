"""A large layers-form network in summary form: each layer as matrices, with a few entries worked in scalars.

The layout of the matrix path's steps (matrix.py): the Given section as a table of layers, then per
layer Z = A·W + b and A = f(Z) with shapes, Z and A for the first samples and neurons, one entry of
each worked as the scalar form writes it, and Frobenius norms (√ of the sum of squares of every entry).
The backward pass and the update are in summary_back.py. Every block is one the formats already write.
A sum too long to print keeps its first and last terms; the terms between stand as one number, their
sum, so that every numbers row still reads back to its value.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..formula.calculus import evaluate
from ..formula.printing import to_latex, to_text
from ..formula.tree import Call, Expr, Var
from ..limits import SHOWN_SAMPLES, SUMMARY_PARAMS
from ..model import Dense, Problem
from ..solution import LayerForwardStep, NetworkGivenStep
from . import training
from .backward import values_in
from .blocks import Block, Column, Definitions, Derivation, Equation, Note, Rows, Subheading, Table
from .cells import Cell, Formula, InSample, Join, Math, Name, Num, Text

if TYPE_CHECKING:
    from .layout import Context

NEURONS = 4  # neurons (columns) of a matrix shown before "…" and the last
HEAD = 2  # terms of a long sum shown before the terms it sums as one number, and the last
LONG = 6  # a sum of more terms than this is shortened


_TEX_OPS = {"·": "\\cdot"}


def mat(name: str, layer: int | str, t: bool = False) -> Math:
    """A layer's matrix, Z[1] or A[0]ᵀ, in text and LaTeX."""
    tex = f"{name}^{{[{layer}]}}"
    return Math(f"{name}[{layer}]" + ("ᵀ" if t else ""), f"{{{tex}}}^{{\\top}}" if t else tex)


def input_matrix(p: Problem, index: int, t: bool = False) -> Math:
    """What a layer reads: A[k − 1] when it reads the whole layer before it (A[0] = X), else A_in[k].

    An edges network's blocks, or a layer with its own inputs:, read other columns than the layer above.
    """
    d = p.dense[index]
    above = tuple(p.inputs) if index == 0 else p.dense[index - 1].outs
    if d.inputs == above:
        return mat("A", index, t)
    tex = f"A_{{\\text{{in}}}}^{{[{index + 1}]}}"
    return Math(f"A_in[{index + 1}]" + ("ᵀ" if t else ""), f"{{{tex}}}^{{\\top}}" if t else tex)


def reads_alone(p: Problem, index: int) -> bool:
    """Whether a layer's inputs are computed values that no other layer reads: then ∂L/∂A_in = δ·Wᵀ whole."""
    d = p.dense[index]
    others = {n for j, e in enumerate(p.dense) if j != index for n in e.inputs}
    return not (set(d.inputs) & (set(p.inputs) | others))


def shape(*dims: tuple[int, int], ops: Sequence[str] = ()) -> Math:
    """Shapes as numpy writes them, joined by operators: shapes (32, 64) = (32, 784)·(784, 64) + (1, 64).

    Tuples, not 32×64: a line of products like 32×64 = 32×784·784×64 would read as false arithmetic.
    """
    text = f"({dims[0][0]}, {dims[0][1]})"
    tex = f"({dims[0][0]}, {dims[0][1]})"
    for op, (r, c) in zip(ops, dims[1:]):
        text += f"{op}({r}, {c})" if op == "·" else f" {op} ({r}, {c})"
        tex += f" {_TEX_OPS.get(op, op)} ({r}, {c})"
    if ops:
        text, tex = f"shapes {text}", f"\\text{{shapes }}{tex}"
    return Math(text, tex)


def formula_math(expr: Expr, symbols: dict) -> Math:
    """A formula over matrix names, as text and LaTeX (symbols: name -> LaTeX)."""
    return Math(to_text(expr), to_latex(expr, symbols=symbols))


def norm(label: Math, x) -> Cell:
    """‖X‖ = its Frobenius norm."""
    import numpy as np

    value = float(np.linalg.norm(x))
    return Join((Math(f"‖{label.text}‖", f"\\lVert {label.latex} \\rVert"), Text(" = "), Num(value)))


def norms(*items: tuple[Math, object]) -> Note:
    """One line of Frobenius norms (√ of the sum of the squares of every entry)."""
    parts: list[Cell] = [Text("Frobenius norms: ")]
    for k, (label, x) in enumerate(items):
        parts += [Text(", ") if k else Text(""), norm(label, x)]
    return Note(Join(tuple(parts)))


def picked(n: int, keep: int = NEURONS) -> list[int | None]:
    """Indices shown of n: all, or the first keep, None for the ones left out, and the last."""
    return list(range(n)) if n <= keep + 1 else [*range(keep), None, n - 1]


def matrix_table(ctx: Context, columns: Sequence[str], groups: Sequence[tuple[Math, Any]]) -> Table:
    """Matrices of samples × neurons: the first samples' rows, the first neurons' columns, … and the last."""
    cols = picked(len(columns))
    header = (Column("sample"), *(Column(columns[j] if j is not None else "…", numeric=True) for j in cols))
    rows = []
    for label, x in groups:
        rows.append(Rows(tuple((Text(str(s + 1)), *(Num(float(x[s, j])) if j is not None else Text("…")
                                                     for j in cols)) for s in range(min(ctx.n, SHOWN_SAMPLES))),
                         title=label.text, label=label))
    return Table(header, tuple(rows), group_column="matrix")


def long_sum(terms: Sequence[Expr], values: dict, what: str = "terms",
             tail: int = 1) -> tuple[tuple[Expr, ...], dict, dict]:
    """(terms, values, symbols) of a sum: all its terms, or the first HEAD, the ones between as one number
    (their sum, named '…(k more terms)'), and the last tail; values gains that number."""
    if len(terms) <= LONG:
        return tuple(terms), values, {}
    middle = terms[HEAD:-tail]
    label = f"…({len(middle)} more {what})"
    value = sum(evaluate(t, values) for t in middle) if values is not None else None
    out = dict(values) if values is not None else None
    if out is not None:
        out[label] = value
    tex = f"\\underbrace{{\\ldots}}_{{{len(middle)}\\text{{ more {what}}}}}"
    return (*terms[:HEAD], Var(label), *terms[-tail:]), out, {label: tex}


def scalar_entry(ctx: Context, lhs: Cell, terms: Sequence[Expr], values: dict, value: float,
                 symbols: dict | None = None, what: str = "terms", tail: int = 1) -> Equation:
    """lhs = a sum in symbols = the same with one sample's numbers = value, long sums shortened."""
    shown, numbers, extra = long_sum(terms, values, what, tail)
    symbols = {**ctx.problem.symbols, **(symbols or {}), **extra}
    return Equation(lhs, Formula(shown, symbols=symbols), (Formula(shown, numbers, symbols),), (value,))


def sample(ctx: Context, cell: Cell) -> Cell:
    """The cell as sample 1 of a batch."""
    return InSample(cell, 0) if ctx.multi else cell


def activation_math(d: Dense, z: Math) -> Math:
    """f(Z) with the registry's symbol for the layer's activation; a softmax is over each row."""
    name, params = d.activations[0]
    if name == "softmax":
        return Math(f"softmax of each row of {z.text}",
                    f"\\operatorname{{softmax}}_{{\\text{{row}}}}\\left({z.latex}\\right)")
    return formula_math(Call(name, (Var(z.text),), params), {z.text: z.latex})


def prime(m: Math) -> Math:
    """f′(Z) from f(Z): the registry's symbol of the function, primed."""
    text, tex = m.text, m.latex
    return Math(text.replace("(", "′(", 1), tex.replace("\\left(", "'\\left(", 1) if "\\left(" in tex else tex + "'")


def biases(d: Dense) -> str:
    """The layer's biases in words: one shared, one per neuron, or none."""
    named = [b for b in d.biases if b is not None]
    unique = list(dict.fromkeys(named))
    if not named:
        return "none"
    if len(unique) == 1:
        return f"{unique[0]} (shared)" if len(named) > 1 else unique[0]
    return f"{unique[0]} … {unique[-1]}" + ("" if len(named) == len(d.biases) else f" ({len(named)} neurons)")


def count(d: Dense) -> int:
    """How many parameters the layer holds."""
    return len({w for row in d.weights for w in row} | {b for b in d.biases if b is not None})


def span(items: Sequence[str]) -> str:
    """first … last of a list of names, or the names themselves when there are few."""
    return ", ".join(items) if len(items) <= 3 else f"{items[0]} … {items[-1]}"


def given(ctx: Context, steps: Sequence[NetworkGivenStep]) -> list[Block]:
    """The network as a table of layers, the samples' shape, the loss, training, and why this form."""
    p: Problem = steps[0].problem
    rows = tuple((Text(f"{k + 1}: {d.label}"), Text(f"{d.shape[0]} → {d.shape[1]}"),
                  Text(", ".join(dict.fromkeys(a for a, _ in d.activations))), shape(d.shape), Text(biases(d)),
                  Text(str(count(d)))) for k, d in enumerate(p.dense))
    cols = (Column("layer"), Column("inputs → neurons"), Column("activation"), Column("W"), Column("biases"),
            Column("parameters", numeric=True))
    first = min(ctx.n, SHOWN_SAMPLES)
    size = f"more than {SUMMARY_PARAMS}" if len(p.params) > SUMMARY_PARAMS else "solve --summary"
    why = [Note(Text(f"{len(p.params)} parameters, {size}: each layer as matrices, samples 1 to "
                     f"{first}, the first neurons"), title="Summary form"),
           Note(Text("every scalar step: backprop solve --full; every array: the JSON output"))]
    blocks: list[Block] = [*why, Table(cols, (Rows(rows, title="Layers"),))]
    data = f"{ctx.n} sample{'s' if ctx.multi else ''} × {len(p.inputs)} inputs ({span(list(p.inputs))})"
    if p.targets:
        data += f", targets {ctx.n} × {len(p.targets)} ({span(list(p.targets))})"
    blocks.append(Note(Join((Text("A[0] = X: "), Text(data))), title="Samples"))
    from .layout import batch_note, loss_definitions  # layout imports this module for its STEPS

    blocks += [loss_definitions(p), *batch_note(ctx)]
    if p.learning_rate is not None:
        blocks += training.given(p)
    return blocks


def forward(ctx: Context, steps: Sequence[LayerForwardStep]) -> list[Block]:
    """Each layer forward: Z = A·W + b and A = f(Z) with shapes, the first entries, one worked, norms."""
    blocks: list[Block] = []
    for st in steps:
        blocks += _forward_layer(ctx, st)
    return blocks


def _forward_layer(ctx: Context, st: LayerForwardStep) -> list[Block]:
    d, k, n = st.layer, st.index + 1, ctx.n
    (n_in, n_out), act = d.shape, d.activations[0][0]
    z, a, a_in, w, b = mat("Z", k), mat("A", k), input_matrix(ctx.problem, st.index), mat("W", k), mat("b", k)
    product = Math(f"{a_in.text}·{w.text} + {b.text}", f"{a_in.latex} \\cdot {w.latex} + {b.latex}")
    rows: tuple[tuple[Cell, Cell], ...] = (
        (z, Join((product, Text("   "), shape((n, n_out), (n, n_in), (n_in, n_out), (1, n_out), ops="=·+")))),
        (a, Join((activation_math(d, z), Text("   elementwise, shape "), shape((n, n_out))))))
    if not a_in.text.startswith("A["):  # not the layer above: say which columns it reads
        rows = ((a_in, Text(f"the columns {span(list(d.inputs))}, one row per sample")), *rows)
    blocks: list[Block] = [Subheading(f"Layer {k}: {d.label} ({n_in} → {n_out}, {act})"),
                           Definitions("Matrices", rows, together=False),
                           matrix_table(ctx, d.outs, ((z, st.z), (a, st.a)))]
    zn, an = d.zs[0], d.outs[0]
    node = ctx.problem.node(zn).formula
    terms = list(node.args) if isinstance(node, Call) and node.fn == "add" else [node]
    values = values_in(ctx.sol, terms, 0)
    bias = 2 if d.biases[0] is not None else 1  # the last weight's term, then the bias
    entries = [scalar_entry(ctx, sample(ctx, Name(zn)), terms, values, float(st.z[0, 0]), tail=bias)]
    f = ctx.problem.node(an).formula
    entries.append(Equation(sample(ctx, Name(an)), Formula((f,), symbols=ctx.problem.symbols),
                            (Formula((f,), values_in(ctx.sol, (f,), 0), ctx.problem.symbols),), (float(st.a[0, 0]),)))
    title = f"Entry (1, 1) of {z.text} and {a.text}" + (": sample 1, the first neuron" if ctx.multi else "")
    blocks.append(Derivation(("entry", "formula"), tuple(entries), title=title))
    blocks.append(norms((z, st.z), (a, st.a)))
    return blocks
