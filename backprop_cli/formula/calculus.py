"""Evaluate, differentiate and tidy formula trees, using the registry's rules."""
from __future__ import annotations

import math

from .registry import REGISTRY
from .tree import ONE, ZERO, Call, Const, Expr, Var, mul, neg


def evaluate(expr: Expr, env: dict) -> float:
    """The value of a formula over plain floats (name -> float); may raise DomainError."""
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, Var):
        return env[expr.name]
    fn = REGISTRY[expr.fn]
    return fn.value([evaluate(a, env) for a in expr.args], dict(expr.params))


def evaluate_array(expr: Expr, env: dict):
    """The value of a formula over numpy arrays (name -> array, e.g. one element per sample)."""
    import numpy as np

    if isinstance(expr, Const):
        return np.float64(expr.value)
    if isinstance(expr, Var):
        return env[expr.name]
    fn = REGISTRY[expr.fn]
    assert fn.array is not None, f"{fn.name} has no numpy twin"
    with np.errstate(all="ignore"):
        return fn.array([evaluate_array(a, env) for a in expr.args], dict(expr.params))


def diff(expr: Expr, var: str, out: Expr | None = None) -> Expr:
    """∂expr/∂var as a simplified formula; ``out`` names the value of expr itself."""
    return simplify(_diff(expr, var, out))


def _diff(expr: Expr, var: str, out: Expr | None) -> Expr:
    if isinstance(expr, Const):
        return ZERO
    if isinstance(expr, Var):
        return ONE if expr.name == var else ZERO
    fn = REGISTRY[expr.fn]
    terms = []
    for i, arg in enumerate(expr.args):
        inner = simplify(_diff(arg, var, None))
        if inner == ZERO:
            continue
        local = fn.partial(expr, out if out is not None else expr, i)
        terms.append(local if inner == ONE else mul(local, inner))
    if not terms:
        return ZERO
    return terms[0] if len(terms) == 1 else Call("add", tuple(terms))


def simplify(expr: Expr) -> Expr:
    """Fold constants and drop additive zeros and multiplicative ones."""
    if not isinstance(expr, Call):
        return expr
    args = tuple(simplify(a) for a in expr.args)
    rule = _RULES.get(expr.fn)
    if rule is not None:
        return rule(args, expr)
    if args and all(isinstance(a, Const) for a in args):
        value = _fold(Call(expr.fn, args, expr.params))
        if value is not None:
            return Const(value)
    return Call(expr.fn, args, expr.params)


def _fold(expr: Call) -> float | None:
    try:
        v = float(evaluate(expr, {}))
    except Exception:  # a domain error stays unfolded and is reported at evaluation
        return None
    return v if math.isfinite(v) and _short(v) else None


def _short(v: float) -> bool:
    """Whether a constant prints exactly (0.5, 0.25, 3): log(2) stays log 2, never 0.693147."""
    return float(f"{v:g}") == v


def _flatten(fn: str, args: tuple) -> list:
    out: list = []
    for a in args:
        out.extend(a.args if isinstance(a, Call) and a.fn == fn else (a,))
    return out


def _add(args, e):
    terms = [a for a in _flatten("add", args) if a != ZERO]
    const = sum(a.value for a in terms if isinstance(a, Const))
    terms = [a for a in terms if not isinstance(a, Const)] + ([Const(const)] if const else [])
    if not terms:
        return ZERO
    return terms[0] if len(terms) == 1 else Call("add", tuple(terms))


def _mul(args, e):
    factors = _flatten("mul", args)
    sign = 1.0
    plain = []
    for f in factors:
        if isinstance(f, Call) and f.fn == "neg":
            sign, f = -sign, f.args[0]
        plain.append(f)
    const = sign * math.prod(f.value for f in plain if isinstance(f, Const))
    rest = [f for f in plain if not isinstance(f, Const)]
    if const == 0:
        return ZERO
    if not rest:
        return Const(const)
    body = rest[0] if len(rest) == 1 else Call("mul", tuple(rest))
    if const == 1:
        return body
    if const == -1:
        return neg(body)
    return Call("mul", (Const(const), *rest))


def _neg(args, e):
    (a,) = args
    if isinstance(a, Const):
        return Const(-a.value)
    if isinstance(a, Call) and a.fn == "neg":
        return a.args[0]
    return Call("neg", args)


def _sub(args, e):
    a, b = args
    if b == ZERO:
        return a
    if a == ZERO:
        return _neg((b,), e)
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(a.value - b.value)
    return Call("sub", args)


def _div(args, e):
    a, b = args
    if a == ZERO:
        return ZERO
    if b == ONE:
        return a
    if isinstance(a, Const) and isinstance(b, Const) and b.value != 0 and _short(a.value / b.value):
        return Const(a.value / b.value)
    return Call("div", args)


def _pow(args, e):
    a, b = args
    if b == ONE:
        return a
    if b == ZERO:
        return ONE
    if isinstance(a, Const) and isinstance(b, Const):
        folded = _fold(Call("pow", args))
        if folded is not None:
            return Const(folded)
    return Call("pow", args)


_RULES = {"add": _add, "mul": _mul, "neg": _neg, "sub": _sub, "div": _div, "pow": _pow}
