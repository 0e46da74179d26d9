"""An optimizer's update laid out: its rule, then each parameter's state (v; s; m, s, m̂, ŝ) and new value.

One derivation, each row symbols = numbers = value, which the terminal prints as a table or, when
that does not fit, as equations. Each formula is a tree, so it prints as text and LaTeX and reads
back to its value: in symbols with generic names (v, g, μ …; m̂ and ŝ are m_hat and s_hat in text,
one code point a column), and with numbers where the hyper-parameters, η and t are constants of
the problem and the parameter's own quantities are rounded values.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..formula.printing import fmt_const, name_latex, to_latex, to_text
from ..formula.tree import Const, Expr, Var, add, call, div, mul, power, sub, substitute
from ..optimizers import SYMBOLS, OptimizerSpec
from ..solution import UpdateStep
from .blocks import Block, Derivation, Equation, Note
from .cells import Cell, Formula, Join, Math, Name, Text

if TYPE_CHECKING:
    from .layout import Context

ONE = Const(1.0)
LR, T = Var("η"), Var("t")
# LaTeX for the names the formulas use: the Greek hyper-parameters, η, t and the state.
LATEX = {"μ": "\\mu", "α": "\\alpha", "β1": "\\beta_1", "β2": "\\beta_2", "ε": "\\varepsilon", "η": "\\eta",
         "t": "t", "v": "v", "s": "s", "m": "m", "m_hat": "\\hat{m}", "s_hat": "\\hat{s}", "g": "g", "p": "p"}


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
                ("m_hat", div(Var("m"), sub(ONE, power(_h("beta1"), T)))),
                ("s_hat", div(Var("s"), sub(ONE, power(_h("beta2"), T)))))
    return ()


def update_formula(name: str, param: str = "p") -> Expr:
    """The parameter's new value in symbols: p − η·(what the optimizer moves it by)."""
    g = Var("g")
    moves: dict[str, Expr] = {"sgd": g, "momentum": Var("v"), "nesterov": add(g, mul(_h("momentum"), Var("v"))),
                              "rmsprop": div(g, add(call("sqrt", Var("s")), _h("eps"))),
                              "adam": div(Var("m_hat"), add(call("sqrt", Var("s_hat")), _h("eps")))}
    return sub(Var(param), mul(LR, moves[name]))


def constants(spec: OptimizerSpec, lr: float, t: int) -> dict:
    """The hyper-parameters, η and t as constants, to write a formula with numbers."""
    out: dict = {Var(SYMBOLS[k]): Const(x) for k, x in spec.hyper}
    return {**out, LR: Const(lr), T: Const(float(t))}


def optimizer_update(ctx: Context, steps: Sequence[UpdateStep]) -> list[Block]:
    """The optimizer's rule, then for each parameter its state and its new value, each symbols = numbers = value."""
    training = ctx.problem.training
    assert training is not None
    spec, first = training.optimizer, steps[0]
    fixed, symbols = constants(spec, first.learning_rate, first.t), {**ctx.problem.symbols, **LATEX}
    rows = []
    for st in (st for st in steps if not st.frozen):
        known = {**dict(st.before), "g": st.grad}
        for state, formula in state_formulas(spec.name):
            value = dict(st.state)[state]
            tex = f"{LATEX[state]}({name_latex(st.param, symbols)})"
            rows.append(Equation(Math(f"{state}({st.param})", tex), Formula((formula,), symbols=symbols),
                                 (Formula((substitute(formula, fixed),), dict(known)),), (value,)))
            known[state] = value
        rule = update_formula(spec.name, st.param)
        rows.append(Equation(Math(f"{st.param}⁺", f"{{{name_latex(st.param, symbols)}}}^{{+}}"),
                             Formula((rule,), symbols=symbols),
                             (Formula((substitute(rule, fixed),), {**known, st.param: st.old}),), (st.new,)))
    blocks: list[Block] = [_rule(spec, first, steps)]
    if rows:
        blocks.append(Derivation(("quantity", "formula"), tuple(rows), title=f"{spec.name}, step t = {first.t}"))
    return blocks


def _rule(spec: OptimizerSpec, first: UpdateStep, steps: Sequence[UpdateStep]) -> Note:
    """The rule in symbols, the constants it uses, and the parameters it leaves alone."""
    rule = update_formula(spec.name)
    parts: list[Cell] = [Text(f"each parameter p moves by {spec.name}'s rule "),
                         Math(f"p⁺ = {to_text(rule)}", f"p^{{+}} = {to_latex(rule, symbols=LATEX)}"),
                         Text(" with "), Math(f"η = {first.learning_rate:g}", f"\\eta = {first.learning_rate:g}")]
    for k, x in spec.hyper:
        parts += [Text(", "), Math(f"{SYMBOLS[k]} = {fmt_const(x)}",
                                   f"{LATEX[SYMBOLS[k]]} = {fmt_const(x, latex=True)}")]
    frozen = [st.param for st in steps if st.frozen]
    if frozen:
        parts += [Text("; frozen, so not updated: "), Join(tuple(Name(p) for p in frozen), ", ")]
    return Note(Join(tuple(parts)))
