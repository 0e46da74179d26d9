"""Registry entries for activations and the functions formulas may call (exp, log, max …)."""
from __future__ import annotations

import math

from ..limits import SOFTMAX_JACOBIAN
from .registry import Function, call_printers, domain, domain_all, register
from .tree import ONE, Call, Const, Expr, add, call, div, mul, neg, power, sub


def _np():
    import numpy

    return numpy


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:  # as numpy: inf, which the engine reports as an overflow at the node
        return math.inf


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _sigmoid_array(a, p):
    np = _np()
    x = np.asarray(a[0], float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))  # log(1 + e^x) without overflow


def _step(x: Expr, below: Expr | None = None) -> Expr:
    """1[x > 0], plus below·1[x ≤ 0] when the slope below the kink is not 0."""
    above = call("indicator_pos", x)
    return above if below is None else add(above, mul(below, call("indicator_nonpos", x)))


def _act(name, value, array, partial, sym, tex, params=(), doc=""):
    text, latex = call_printers(sym, tex)
    register(Function(name, "activation", 1, value, partial, text, latex, params=params, doc=doc, array=array))


_act("identity", lambda a, p: float(a[0]), lambda a, p: _np().asarray(a[0], float), lambda c, o, i: ONE,
     "id", "\\operatorname{id}", doc="a = z")
_act("sigmoid", lambda a, p: _sigmoid(a[0]), _sigmoid_array, lambda c, o, i: mul(o, sub(ONE, o)),
     "σ", "\\sigma", doc="1/(1+e^-z)")
_act("tanh", lambda a, p: math.tanh(a[0]), lambda a, p: _np().tanh(a[0]),
     lambda c, o, i: sub(ONE, power(o, Const(2.0))), "tanh", "\\tanh")
_act("relu", lambda a, p: a[0] if a[0] > 0 else 0.0, lambda a, p: _np().maximum(a[0], 0.0),
     lambda c, o, i: _step(c.args[0]),
     "relu", "\\operatorname{relu}", doc="max(0, z); derivative 0 at z = 0")
_act("leaky_relu", lambda a, p: a[0] if a[0] > 0 else p["slope"] * a[0],
     lambda a, p: _np().where(a[0] > 0, a[0], p["slope"] * a[0]),
     lambda c, o, i: _step(c.args[0], Const(c.param("slope"))),
     "leaky_relu", "\\operatorname{leaky\\_relu}", params=(("slope", 0.01),))
_act("elu", lambda a, p: a[0] if a[0] > 0 else p["alpha"] * math.expm1(a[0]),
     lambda a, p: _np().where(a[0] > 0, a[0], p["alpha"] * _np().expm1(_np().minimum(a[0], 0.0))),
     lambda c, o, i: _step(c.args[0], add(o, Const(c.param("alpha")))),
     "elu", "\\operatorname{elu}", params=(("alpha", 1.0),))
_act("softplus", lambda a, p: _softplus(a[0]), lambda a, p: _np().logaddexp(0.0, a[0]),
     lambda c, o, i: call("sigmoid", c.args[0]), "softplus", "\\operatorname{softplus}")
_act("silu", lambda a, p: a[0] * _sigmoid(a[0]), lambda a, p: a[0] * _sigmoid_array(a, p),
     lambda c, o, i: mul(call("sigmoid", c.args[0]),
                         add(ONE, mul(c.args[0], sub(ONE, call("sigmoid", c.args[0]))))),
     "silu", "\\operatorname{silu}", doc="z·σ(z)")


def _softmax(a, p):
    top = max(a)
    e = [math.exp(x - top) for x in a]
    return e[int(p["index"]) - 1] / sum(e)


def softmax_all(z, axis: int):
    """Every softmax component at once along axis of a numpy array, shifted by the largest as _softmax is."""
    e = _np().exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _softmax_array(a, p):
    np = _np()
    z = np.stack(np.broadcast_arrays(*[np.asarray(x, float) for x in a]))
    return softmax_all(z, 0)[int(p["index"]) - 1]


def _softmax_partial(c: Call, o: Expr, i: int) -> Expr:
    k = int(dict(c.params)["index"]) - 1
    if i == k:
        return mul(o, sub(ONE, o))
    other = Call("softmax", c.args, (("index", float(i + 1)),))
    return neg(mul(o, other))


register(Function("softmax", "activation", None, _softmax, _softmax_partial,
                  lambda a, p: f"softmax_{int(p['index'])}({', '.join(a)})",
                  lambda a, p: f"\\operatorname{{softmax}}_{{{int(p['index'])}}}\\left({', '.join(a)}\\right)",
                  params=(("index", 1.0),), doc="over the whole layer; Jacobian s_i(δ_ij − s_j)",
                  array=_softmax_array, elide=SOFTMAX_JACOBIAN))

_LOG = "log of a non-positive number"
_SQRT = "square root of a negative number"


def _log(a, p):
    domain(a[0] > 0, _LOG, a[0])
    return math.log(a[0])


def _log_array(a, p):
    domain_all(_np().asarray(a[0]) > 0, _LOG, a[0])
    return _np().log(a[0])


def _sqrt(a, p):
    domain(a[0] >= 0, _SQRT, a[0])
    return math.sqrt(a[0])


def _sqrt_array(a, p):
    domain_all(_np().asarray(a[0]) >= 0, _SQRT, a[0])
    return _np().sqrt(a[0])


def _periodic(fn, x: float) -> float:
    """sin or cos; of an overflowed argument nan (as numpy), which the engine reports, not math's ValueError."""
    return fn(x) if math.isfinite(x) else math.nan


def _func(name, value, array, partial, sym, tex, arity=1, latex=None):
    text, called = call_printers(sym, tex)
    register(Function(name, "function", arity, value, partial, text, latex or called, array=array))


def _max_partial(first: int):
    # At a tie the whole derivative goes to the second argument, so the two partials always add up to 1.
    def partial(c, o, i):
        a, b = c.args if first == 0 else c.args[::-1]
        return call("indicator_pos" if i == 0 else "indicator_nonpos", sub(a, b))
    return partial


_func("exp", lambda a, p: _exp(a[0]), lambda a, p: _np().exp(a[0]), lambda c, o, i: o, "exp", "\\exp")
_func("log", _log, _log_array, lambda c, o, i: div(ONE, c.args[0]), "log", "\\log")
_func("sqrt", _sqrt, _sqrt_array, lambda c, o, i: div(ONE, mul(Const(2.0), o)), "sqrt", "\\sqrt",
      latex=lambda a, p: f"\\sqrt{{{a[0]}}}")  # \sqrt\left(x\right) is not LaTeX: KaTeX refuses it
_func("abs", lambda a, p: abs(a[0]), lambda a, p: _np().abs(a[0]), lambda c, o, i: call("sign", c.args[0]),
      "abs", "\\operatorname{abs}")
_func("sin", lambda a, p: _periodic(math.sin, a[0]), lambda a, p: _np().sin(a[0]),
      lambda c, o, i: call("cos", c.args[0]), "sin", "\\sin")
_func("cos", lambda a, p: _periodic(math.cos, a[0]), lambda a, p: _np().cos(a[0]),
      lambda c, o, i: neg(call("sin", c.args[0])), "cos", "\\cos")
_func("max", lambda a, p: max(a[0], a[1]),
      lambda a, p: _np().maximum(a[0], a[1]), _max_partial(0), "max", "\\max", arity=2)
_func("min", lambda a, p: min(a[0], a[1]),
      lambda a, p: _np().minimum(a[0], a[1]), _max_partial(1), "min", "\\min", arity=2)
