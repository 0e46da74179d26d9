"""An optimizer's update laid out: its state (v, m, s, m̂, ŝ) as equations, then the update table.

Each formula is a tree (so it prints as text and LaTeX and reads back to its value): in symbols
with generic names (v, g, μ …), and with numbers where the hyper-parameters, η and t are constants
of the problem and the parameter's own quantities are rounded values.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..formula.printing import fmt_const, name_latex, to_latex, to_text
from ..formula.tree import Const, Expr, Var, add, call, div, mul, power, sub, substitute
from ..optimizers import SYMBOLS, OptimizerSpec
from ..solution import UpdateStep
from .blocks import Block, Column, Derivation, Equation, Rows, Table
from .cells import Cell, Formula, Join, Math, Name, Num, Text

if TYPE_CHECKING:
    from .layout import Context

ONE = Const(1.0)
W, G, LR, T = Var("old"), Var("gradient"), Var("η"), Var("t")
# LaTeX for the names the formulas use: the Greek hyper-parameters, η, t and the state.
LATEX = {"μ": "\\mu", "α": "\\alpha", "β1": "\\beta_1", "β2": "\\beta_2", "ε": "\\varepsilon", "η": "\\eta",
         "t": "t", "v": "v", "s": "s", "m": "m", "m̂": "\\hat{m}", "ŝ": "\\hat{s}", "g": "g",
         "old": "\\mathrm{old}", "gradient": "\\mathrm{gradient}"}
# The state the update reads, shown in the update table beside the gradient.
READS = {"sgd": (), "momentum": ("v",), "nesterov": ("v",), "rmsprop": ("s",), "adam": ("m̂", "ŝ")}


def _h(key: str) -> Var:
    return Var(SYMBOLS[key])


def state_formulas(name: str) -> tuple[tuple[str, Expr], ...]:
    """(state, its formula in symbols) in the order computed; g is the gradient, a state its old value."""
    g2 = power(Var("g"), Const(2.0))
    if name in ("momentum", "nesterov"):
        return (("v", add(mul(_h("momentum"), Var("v")), Var("g"))),)
    if name == "rmsprop":
        return (("s", add(mul(_h("alpha"), Var("s")), mul(sub(ONE, _h("alpha")), g2))),)
    if name == "adam":
        return (("m", add(mul(_h("beta1"), Var("m")), mul(sub(ONE, _h("beta1")), Var("g")))),
                ("s", add(mul(_h("beta2"), Var("s")), mul(sub(ONE, _h("beta2")), g2))),
                ("m̂", div(Var("m"), sub(ONE, power(_h("beta1"), T)))),
                ("ŝ", div(Var("s"), sub(ONE, power(_h("beta2"), T)))))
    return ()


def update_formula(name: str) -> Expr:
    """The new value in symbols: old − η·(what the optimizer moves by)."""
    moves: dict[str, Expr] = {"sgd": G, "momentum": Var("v"), "nesterov": add(G, mul(_h("momentum"), Var("v"))),
                "rmsprop": div(G, add(call("sqrt", Var("s")), _h("eps"))),
                "adam": div(Var("m̂"), add(call("sqrt", Var("ŝ")), _h("eps")))}
    return sub(W, mul(LR, moves[name]))


def constants(spec: OptimizerSpec, lr: float, t: int) -> dict:
    """The hyper-parameters, η and t as constants, to write a formula with numbers."""
    out: dict = {Var(SYMBOLS[k]): Const(x) for k, x in spec.hyper}
    return {**out, LR: Const(lr), T: Const(float(t))}


def _state_lhs(state: str, param: str, symbols: dict) -> Math:
    return Math(f"{state}({param})", f"{LATEX[state]}({name_latex(param, symbols)})")


def optimizer_update(ctx: Context, steps: Sequence[UpdateStep]) -> list[Block]:
    """The optimizer's state for each parameter as equations, then old, gradient, state, update and new."""
    training = ctx.problem.training
    assert training is not None
    spec, first = training.optimizer, steps[0]
    fixed, symbols = constants(spec, first.learning_rate, first.t), ctx.problem.symbols
    blocks: list[Block] = []
    formulas = state_formulas(spec.name)
    if formulas:
        rows = []
        for st in steps:
            if st.frozen:
                continue
            known = {**dict(st.before), "g": st.grad}
            for state, formula in formulas:
                value = dict(st.state)[state]
                rows.append(Equation(_state_lhs(state, st.param, symbols), Formula((formula,), symbols=LATEX),
                                     (Formula((substitute(formula, fixed),), known),), (value,)))
                known[state] = value
        if rows:
            blocks.append(Derivation(("state", "formula"), tuple(rows),
                                     title=f"The {spec.name} state of each parameter at step t = {first.t}"))
    rule, shown = update_formula(spec.name), READS[spec.name]
    table: list[tuple[Cell, ...]] = []
    for st in steps:
        now: dict[str, float] = dict(st.state)
        step: Cell = Text("frozen: not updated") if st.frozen else \
            Formula((substitute(rule, fixed),), {"old": st.old, "gradient": st.grad, **now})
        table.append((Name(st.param), Num(st.old), Num(st.grad), *(Num(now[s]) for s in shown), step, Num(st.new)))
    columns = (Column("parameter"), Column("old", numeric=True), Column("gradient", numeric=True),
               *(Column(s, numeric=True) for s in shown), Column(to_text(rule)), Column("new", numeric=True))
    return blocks + [Table(columns, (Rows(tuple(table)),), caption=_caption(spec, first, rule))]


def _caption(spec: OptimizerSpec, first: UpdateStep, rule: Expr) -> tuple:
    hyper = [Math(f"{SYMBOLS[k]} = {fmt_const(x)}", f"{LATEX[SYMBOLS[k]]} = {fmt_const(x, latex=True)}")
             for k, x in spec.hyper]
    parts: list = [Math(f"η = {first.learning_rate:g}", f"\\eta = {first.learning_rate:g}")]
    for h in hyper:
        parts += [Text(", "), h]
    return (Text(f"Each parameter moves by {spec.name}'s rule, with the state above:"),
            Join((Math(f"p ← {to_text(rule)}", f"p \\leftarrow {to_latex(rule, symbols=LATEX)}"), Text(" with "),
                  *parts, Text("."))))
