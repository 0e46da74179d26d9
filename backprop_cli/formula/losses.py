"""Registry entries for the losses, and the helpers their derivatives are written with."""
from __future__ import annotations

import math

from .operators import unsigned
from .registry import ADD, ATOM, MUL, NEG, Function, domain, register
from .tree import ONE, ZERO, Const, call, div, mul, neg, sub


def _np():
    import numpy

    return numpy


def _check_log(p: float, t: float, upper: bool) -> None:
    """A log is taken of p unless t == 0, and (binary) of 1 − p unless t == 1."""
    if t != 0:
        domain(p != 0, "prediction of exactly 0 where a log would be taken", p)
        domain(p > 0, "prediction below 0 where a log would be taken", p)
    if upper and t != 1:
        domain(p != 1, "prediction of exactly 1 where a log would be taken", p)
        domain(p < 1, "prediction above 1 where a log would be taken", p)


def _bce(a, p):
    pr, t = a
    _check_log(pr, t, True)
    first = 0.0 if t == 0 else t * math.log(pr)
    second = 0.0 if t == 1 else (1 - t) * math.log(1 - pr)
    return -(first + second)


def _bce_grad(a, p):
    pr, t = a
    _check_log(pr, t, True)
    first = 0.0 if t == 0 else -t / pr
    second = 0.0 if t == 1 else (1 - t) / (1 - pr)
    return first + second


def _cce(a, p):
    pr, t = a
    _check_log(pr, t, False)
    return 0.0 if t == 0 else -t * math.log(pr)


def _cce_grad(a, p):
    pr, t = a
    _check_log(pr, t, False)
    return 0.0 if t == 0 else -t / pr


def _elementwise(scalar):
    """The numpy twin of a loss written for floats: the checks and branches are per element."""
    def array(a, p):
        np = _np()
        pr, t = np.broadcast_arrays(np.asarray(a[0], float), np.asarray(a[1], float))
        return np.array([scalar([x, y], p) for x, y in zip(pr.ravel(), t.ravel())], float).reshape(pr.shape)
    return array


register(Function("bce_grad", "helper", 2, _bce_grad, lambda c, o, i: ZERO,
                  lambda a, p: f"({a[0]} − {a[1]})/({a[0]}·(1 − {a[0]}))",
                  lambda a, p: f"\\frac{{{a[0]} - {a[1]}}}{{{a[0]}\\left(1 - {a[0]}\\right)}}", prec=MUL,
                  need=lambda t, i: MUL if i == 0 else NEG + 1,
                  array=_elementwise(_bce_grad)))
register(Function("cce_grad", "helper", 2, _cce_grad, lambda c, o, i: ZERO,
                  lambda a, p: unsigned(f"{a[1]}/{a[0]}", "−", a[1]),
                  lambda a, p: unsigned(f"\\frac{{{a[1]}}}{{{a[0]}}}", "-", a[1]),
                  prec=NEG, need=lambda t, i: 0 if t == "latex" else MUL + 1 if i == 0 else MUL,
                  array=_elementwise(_cce_grad)))


def _log(a: str) -> str:
    """log p, or log(p + q) when the argument is bracketed."""
    return f"log{a}" if a.startswith("(") else f"log {a}"


def _factor_text(p, tex=False):
    c = p["factor"]
    if c == 1:
        return ""
    if c == 0.5:
        return "\\frac{1}{2}" if tex else "½"
    return f"{c:g}" + (" \\cdot " if tex else "·")


register(Function(
    "squared_error", "loss", 2, lambda a, p: p["factor"] * (a[0] - a[1]) * (a[0] - a[1]),  # ** raises on overflow
    lambda c, o, i: mul(Const(2 * c.param("factor") * (1 if i == 0 else -1)), sub(c.args[0], c.args[1])),
    lambda a, p: f"{_factor_text(p)}({a[0]} − {a[1]})²",
    lambda a, p: f"{_factor_text(p, True)}\\left({a[0]} - {a[1]}\\right)^{{2}}",
    params=(("factor", None),), doc="factor·(ŷ − y)²", prec=MUL, need=lambda t, i: ADD if i == 0 else NEG + 1,
    array=lambda a, p: p["factor"] * (_np().asarray(a[0], float) - a[1]) ** 2))
register(Function(
    "binary_cross_entropy", "loss", 2, _bce,
    lambda c, o, i: call("bce_grad", *c.args) if i == 0 else call("log", div(sub(ONE, c.args[0]), c.args[0])),
    lambda a, p: f"−({a[1]}·{_log(a[0])} + (1 − {a[1]})·log(1 − {a[0]}))",
    lambda a, p: f"-\\left({a[1]} \\log {a[0]} + \\left(1 - {a[1]}\\right) \\log\\left(1 - {a[0]}\\right)\\right)",
    doc="−(y log ŷ + (1 − y) log(1 − ŷ))", prec=NEG, need=lambda t, i: ATOM if i == 0 else MUL,
    array=_elementwise(_bce)))
register(Function(
    "categorical_cross_entropy", "loss", 2, _cce,
    lambda c, o, i: call("cce_grad", *c.args) if i == 0 else neg(call("log", c.args[0])),
    lambda a, p: unsigned(f"{a[1]}·{_log(a[0])}", "−", a[1]),
    lambda a, p: unsigned(f"{a[1]} \\log {a[0]}", "-", a[1]),
    doc="−y log ŷ, summed over the outputs", prec=NEG, need=lambda t, i: ATOM if i == 0 else MUL,
    array=_elementwise(_cce)))
