"""Every function a formula may use: value, derivative, and how to write both.

One entry per function. The derivative is a formula tree (``partial``), so the
formula that is printed is the formula that is evaluated. ``out`` stands for the
function's own output, which lets σ' be written σ(1 − σ) as a homework does.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..errors import DomainError
from .tree import ONE, ZERO, Call, Const, Expr, add, call, div, mul, neg, power, sub

# Precedence of printed forms; an argument printed below what its slot needs gets brackets.
ADD, MUL, NEG, POW, ATOM = 10, 20, 15, 40, 100


@dataclass(frozen=True)
class Function:
    """One registry entry."""

    name: str
    kind: str  # operator | activation | function | loss | helper
    arity: int | None  # None: any number of arguments
    value: Callable  # (list of arrays, params dict) -> array
    partial: Callable  # (call, out expr, i) -> formula of ∂out/∂arg_i
    text: Callable  # (printed args, params) -> str
    latex: Callable  # (printed args, params) -> str
    params: tuple = ()  # ((name, default), ...) keyword parameters
    prec: int = ATOM
    need: Callable = field(default=lambda target, i: 0)  # least precedence arg i may have unbracketed
    doc: str = ""


REGISTRY: dict[str, Function] = {}


def register(fn: Function) -> Function:
    """Add an entry to the registry."""
    REGISTRY[fn.name] = fn
    return fn


def names_of(*kinds: str) -> list[str]:
    """Names of the entries of the given kinds."""
    return sorted(n for n, f in REGISTRY.items() if f.kind in kinds)


def _fn(name: str, sym: str, tex: str) -> tuple[Callable, Callable]:
    """Printers for a function written sym(a, b) and \\tex(a, b)."""
    def extra(p: dict, sep: str) -> list:
        return [f"{k}{sep}{v:g}" for k, v in p.items() if k != "index"]

    return (lambda a, p: f"{sym}({', '.join([*a, *extra(p, '=')])})",
            lambda a, p: f"{tex}\\left({', '.join([*a, *extra(p, ' = ')])}\\right)")


def _check(ok: np.ndarray, message: str, x: np.ndarray) -> None:
    if not np.all(ok):
        bad = np.asarray(x)[~np.asarray(ok)].ravel()[0]
        raise DomainError(f"{message} (value {float(bad):.6g})")


def _div(a, p):
    _check(a[1] != 0, "division by zero", a[1])
    return a[0] / a[1]


def _pow(a, p):
    base, ex = np.asarray(a[0], float), np.asarray(a[1], float)
    integral = np.all(ex == np.round(ex))
    _check((base > 0) | integral & ((base != 0) | (ex > 0)), "power of a non-positive base", base)
    return np.power(base, ex)


def _join_add(a: list[str]) -> str:
    out = a[0]
    for s in a[1:]:
        out += f" − {s[1:]}" if s[:1] in ("−", "-") else f" + {s}"
    return out


def _mul_latex(a: list[str]) -> str:
    return " \\cdot ".join(a)


register(Function("add", "operator", None, lambda a, p: sum(a[1:], a[0]), lambda c, o, i: ONE,
                  lambda a, p: _join_add(a), lambda a, p: _join_add(a).replace("−", "-"),
                  prec=ADD, need=lambda t, i: ADD if i == 0 else NEG))
register(Function("sub", "operator", 2, lambda a, p: a[0] - a[1],
                  lambda c, o, i: ONE if i == 0 else Const(-1.0),
                  lambda a, p: f"{a[0]} − {a[1]}", lambda a, p: f"{a[0]} - {a[1]}",
                  prec=ADD, need=lambda t, i: ADD if i == 0 else NEG + 1))
register(Function("mul", "operator", None, lambda a, p: np.prod(np.broadcast_arrays(*a), axis=0),
                  lambda c, o, i: mul(*(x for j, x in enumerate(c.args) if j != i)) if len(c.args) > 2
                  else c.args[1 - i],
                  lambda a, p: "·".join(a), lambda a, p: _mul_latex(a),
                  prec=MUL, need=lambda t, i: MUL))
register(Function("div", "operator", 2, _div,
                  lambda c, o, i: div(ONE, c.args[1]) if i == 0
                  else neg(div(c.args[0], power(c.args[1], Const(2.0)))),
                  lambda a, p: f"{a[0]}/{a[1]}", lambda a, p: f"\\frac{{{a[0]}}}{{{a[1]}}}",
                  prec=MUL, need=lambda t, i: 0 if t == "latex" else (MUL if i == 0 else NEG + 1)))
register(Function("neg", "operator", 1, lambda a, p: -a[0], lambda c, o, i: Const(-1.0),
                  lambda a, p: f"−{a[0]}", lambda a, p: f"-{a[0]}", prec=NEG,
                  need=lambda t, i: MUL))
register(Function("pow", "operator", 2, _pow,
                  lambda c, o, i: mul(c.args[1], power(c.args[0], Const(c.args[1].value - 1)))
                  if i == 0 and isinstance(c.args[1], Const)
                  else mul(c.args[1], power(c.args[0], sub(c.args[1], ONE))) if i == 0
                  else mul(o, call("log", c.args[0])),
                  lambda a, p: f"{a[0]}{_superscript(a[1])}", lambda a, p: f"{{{a[0]}}}^{{{a[1]}}}",
                  prec=POW, need=lambda t, i: POW + 1 if i == 0 else (0 if t == "latex" else ATOM)))

_SUP = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")


def _superscript(s: str) -> str:
    return s.translate(_SUP) if s.isdigit() else f"^{s}"


def _sigmoid(a, p):
    x = np.asarray(a[0], float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _where_pos(x: Expr, a: Expr, b: Expr) -> Call:
    return call("where_pos", x, a, b)


def _act(name, value, partial, sym, tex, params=(), doc=""):
    t, l = _fn(name, sym, tex)
    register(Function(name, "activation", 1, value, partial, t, l, params=params, doc=doc))


_act("identity", lambda a, p: np.asarray(a[0], float), lambda c, o, i: ONE, "id", "\\operatorname{id}",
     doc="a = z")
_act("sigmoid", _sigmoid, lambda c, o, i: mul(o, sub(ONE, o)), "σ", "\\sigma", doc="1/(1+e^-z)")
_act("tanh", lambda a, p: np.tanh(a[0]), lambda c, o, i: sub(ONE, power(o, Const(2.0))), "tanh", "\\tanh")
_act("relu", lambda a, p: np.maximum(a[0], 0.0), lambda c, o, i: _where_pos(c.args[0], ONE, ZERO),
     "relu", "\\operatorname{relu}", doc="max(0, z); derivative 0 at z = 0")
_act("leaky_relu", lambda a, p: np.where(a[0] > 0, a[0], p["slope"] * a[0]),
     lambda c, o, i: _where_pos(c.args[0], ONE, Const(c.param("slope"))),
     "leaky_relu", "\\operatorname{leaky\\_relu}", params=(("slope", 0.01),))
_act("elu", lambda a, p: np.where(a[0] > 0, a[0], p["alpha"] * np.expm1(np.minimum(a[0], 0.0))),
     lambda c, o, i: _where_pos(c.args[0], ONE, add(o, Const(c.param("alpha")))),
     "elu", "\\operatorname{elu}", params=(("alpha", 1.0),))
_act("softplus", lambda a, p: np.logaddexp(0.0, a[0]), lambda c, o, i: call("sigmoid", c.args[0]),
     "softplus", "\\operatorname{softplus}")
_act("silu", lambda a, p: a[0] * _sigmoid(a, p),
     lambda c, o, i: mul(call("sigmoid", c.args[0]),
                         add(ONE, mul(c.args[0], sub(ONE, call("sigmoid", c.args[0]))))),
     "silu", "\\operatorname{silu}", doc="z·σ(z)")


def _softmax(a, p):
    z = np.stack(np.broadcast_arrays(*[np.asarray(x, float) for x in a]))
    e = np.exp(z - z.max(axis=0))
    return (e / e.sum(axis=0))[int(p["index"]) - 1]


def _softmax_partial(c: Call, o: Expr, i: int) -> Expr:
    k = int(c.param("index")) - 1
    if i == k:
        return mul(o, sub(ONE, o))
    other = Call("softmax", c.args, (("index", float(i + 1)),))
    return neg(mul(o, other))


register(Function("softmax", "activation", None, _softmax, _softmax_partial,
                  lambda a, p: f"softmax_{int(p['index'])}({', '.join(a)})",
                  lambda a, p: f"\\operatorname{{softmax}}_{{{int(p['index'])}}}\\left({', '.join(a)}\\right)",
                  params=(("index", 1.0),), doc="over the whole layer; Jacobian s_i(δ_ij − s_j)"))


def _log(a, p):
    _check(np.asarray(a[0]) > 0, "log of a non-positive number", a[0])
    return np.log(a[0])


def _sqrt(a, p):
    _check(np.asarray(a[0]) >= 0, "square root of a negative number", a[0])
    return np.sqrt(a[0])


def _func(name, value, partial, sym, tex, arity=1):
    t, l = _fn(name, sym, tex)
    register(Function(name, "function", arity, value, partial, t, l))


_func("exp", lambda a, p: np.exp(a[0]), lambda c, o, i: o, "exp", "\\exp")
_func("log", _log, lambda c, o, i: div(ONE, c.args[0]), "log", "\\log")
_func("sqrt", _sqrt, lambda c, o, i: div(ONE, mul(Const(2.0), o)), "sqrt", "\\sqrt")
_func("abs", lambda a, p: np.abs(a[0]), lambda c, o, i: call("sign", c.args[0]), "abs", "\\operatorname{abs}")
_func("sin", lambda a, p: np.sin(a[0]), lambda c, o, i: call("cos", c.args[0]), "sin", "\\sin")
_func("cos", lambda a, p: np.cos(a[0]), lambda c, o, i: neg(call("sin", c.args[0])), "cos", "\\cos")
# At a tie the whole derivative goes to the second argument, so the two partials always add up to 1.
_func("max", lambda a, p: np.maximum(a[0], a[1]),
      lambda c, o, i: _where_pos(sub(c.args[0], c.args[1]), ONE, ZERO) if i == 0
      else sub(ONE, _where_pos(sub(c.args[0], c.args[1]), ONE, ZERO)), "max", "\\max", arity=2)
_func("min", lambda a, p: np.minimum(a[0], a[1]),
      lambda c, o, i: _where_pos(sub(c.args[1], c.args[0]), ONE, ZERO) if i == 0
      else sub(ONE, _where_pos(sub(c.args[1], c.args[0]), ONE, ZERO)), "min", "\\min", arity=2)

# Helpers appear only inside derivatives.
register(Function("where_pos", "helper", 3, lambda a, p: np.where(np.asarray(a[0]) > 0, a[1], a[2]) + 0.0,
                  lambda c, o, i: ZERO,
                  lambda a, p: f"[{a[1]} if {a[0]} > 0 else {a[2]}]",
                  lambda a, p: f"\\left[{a[1]} \\text{{ if }} {a[0]} > 0 \\text{{ else }} {a[2]}\\right]"))
register(Function("sign", "helper", 1, lambda a, p: np.sign(a[0]), lambda c, o, i: ZERO,
                  *_fn("sign", "sign", "\\operatorname{sign}")))


def _loss_check(p, t, ok_log_p, ok_log_1mp):
    p = np.asarray(p, float)
    _check(ok_log_p | (p != 0), "prediction of exactly 0 where a log would be taken", p)
    _check(ok_log_p, "prediction below 0 where a log would be taken", p)
    _check(ok_log_1mp | (p != 1), "prediction of exactly 1 where a log would be taken", p)
    _check(ok_log_1mp, "prediction above 1 where a log would be taken", p)


def _bce(a, p):
    pr, t = np.broadcast_arrays(np.asarray(a[0], float), np.asarray(a[1], float))
    _loss_check(pr, t, (t == 0) | (pr > 0), (t == 1) | (pr < 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(t == 0, 0.0, t * np.log(np.where(pr > 0, pr, 1.0)))
        second = np.where(t == 1, 0.0, (1 - t) * np.log(np.where(pr < 1, 1 - pr, 1.0)))
    return -(first + second)


def _bce_grad(a, p):
    pr, t = np.broadcast_arrays(np.asarray(a[0], float), np.asarray(a[1], float))
    _loss_check(pr, t, (t == 0) | (pr > 0), (t == 1) | (pr < 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(t == 0, 0.0, -t / pr)
        second = np.where(t == 1, 0.0, (1 - t) / (1 - pr))
    return first + second


def _cce(a, p):
    pr, t = np.broadcast_arrays(np.asarray(a[0], float), np.asarray(a[1], float))
    _loss_check(pr, t, (t == 0) | (pr > 0), np.ones_like(pr, bool))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t == 0, 0.0, -t * np.log(np.where(pr > 0, pr, 1.0)))


def _cce_grad(a, p):
    pr, t = np.broadcast_arrays(np.asarray(a[0], float), np.asarray(a[1], float))
    _loss_check(pr, t, (t == 0) | (pr > 0), np.ones_like(pr, bool))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t == 0, 0.0, -t / pr)


register(Function("bce_grad", "helper", 2, _bce_grad, lambda c, o, i: ZERO,
                  lambda a, p: f"({a[0]} − {a[1]})/({a[0]}·(1 − {a[0]}))",
                  lambda a, p: f"\\frac{{{a[0]} - {a[1]}}}{{{a[0]}\\left(1 - {a[0]}\\right)}}", prec=MUL))
register(Function("cce_grad", "helper", 2, _cce_grad, lambda c, o, i: ZERO,
                  lambda a, p: f"−{a[1]}/{a[0]}", lambda a, p: f"-\\frac{{{a[1]}}}{{{a[0]}}}",
                  prec=NEG, need=lambda t, i: 0 if t == "latex" else MUL + 1))


def _factor_text(p, tex=False):
    c = p["factor"]
    if c == 1:
        return ""
    if c == 0.5:
        return "\\frac{1}{2}" if tex else "½"
    return f"{c:g}" + (" \\cdot " if tex else "·")


register(Function(
    "squared_error", "loss", 2, lambda a, p: p["factor"] * (np.asarray(a[0], float) - a[1]) ** 2,
    lambda c, o, i: mul(Const(2 * c.param("factor") * (1 if i == 0 else -1)), sub(c.args[0], c.args[1])),
    lambda a, p: f"{_factor_text(p)}({a[0]} − {a[1]})²",
    lambda a, p: f"{_factor_text(p, True)}\\left({a[0]} - {a[1]}\\right)^{{2}}",
    params=(("factor", 0.5),), doc="factor·(ŷ − y)²"))
register(Function(
    "binary_cross_entropy", "loss", 2, _bce,
    lambda c, o, i: call("bce_grad", *c.args) if i == 0 else call("log", div(sub(ONE, c.args[0]), c.args[0])),
    lambda a, p: f"−({a[1]}·log {a[0]} + (1 − {a[1]})·log(1 − {a[0]}))",
    lambda a, p: f"-\\left({a[1]} \\log {a[0]} + \\left(1 - {a[1]}\\right) \\log\\left(1 - {a[0]}\\right)\\right)",
    doc="−(y log ŷ + (1 − y) log(1 − ŷ))"))
register(Function(
    "categorical_cross_entropy", "loss", 2, _cce,
    lambda c, o, i: call("cce_grad", *c.args) if i == 0 else neg(call("log", c.args[0])),
    lambda a, p: f"−{a[1]}·log {a[0]}", lambda a, p: f"-{a[1]} \\log {a[0]}",
    doc="−y log ŷ, summed over the outputs"))
