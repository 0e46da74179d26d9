"""Evaluate, differentiate and tidy formula trees, using the registry's rules."""
from __future__ import annotations

import math
from collections.abc import Iterable

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


class TooLarge(ValueError):
    """A derivative, with respect to ``var``, would be larger than the budget diff() was given (``size``)."""

    def __init__(self, size: int, var: str):
        super().__init__(f"a derivative with respect to {var} of more than {size} terms")
        self.size, self.var = size, var


def diff(expr: Expr, var: str, out: Expr | None = None, budget: int | None = None) -> Expr:
    """∂expr/∂var as a simplified formula; ``out`` names the value of expr itself.

    Linear in the size of the result: each sub-formula is simplified once (a memo by identity), and
    the parts that do not name var are never walked. With a budget, raises TooLarge as soon as the
    terms written reach it, before a flat product of thousands of factors can fill the memory.
    """
    return _Differ(budget).partial(expr, var, out)


def diff_all(expr: Expr, names: Iterable[str], out: Expr | None = None, budget: int | None = None) -> dict:
    """name -> ∂expr/∂name for each name, as diff() gives them, sharing what they share.

    A sum over 3,000 weighted inputs is walked once, not once per input: each call knows which of its
    arguments name which variable.
    """
    differ = _Differ(budget)
    return {name: differ.partial(expr, name, out) for name in names}


class _Differ:
    def __init__(self, budget: int | None):
        self.var, self.budget, self.spent = "", budget, 0
        self.memo: dict[int, tuple[Expr, Expr]] = {}  # id -> (formula, simplified); holding it keeps the id
        self.where: dict[int, tuple[Expr, dict]] = {}  # id -> (call, name -> positions of the args naming it)
        self.names: dict[int, tuple[Expr, frozenset]] = {}  # id -> (formula, the names in it)
        self.sizes: dict[int, tuple[Expr, int]] = {}  # id -> (formula, how many nodes it prints)

    def partial(self, expr: Expr, var: str, out: Expr | None) -> Expr:
        self.var, self.spent = var, 0
        return self.run(expr, out)

    def run(self, expr: Expr, out: Expr | None) -> Expr:
        if isinstance(expr, Const):
            return ZERO
        if isinstance(expr, Var):
            return ONE if expr.name == self.var else ZERO
        fn = REGISTRY[expr.fn]
        terms = []
        for i in self.index(expr).get(self.var, ()):
            inner = self.run(expr.args[i], None)
            if inner == ZERO:
                continue
            local = fn.partial(expr, out if out is not None else expr, i)
            term = local if inner == ONE else mul(local, inner)
            self.charge(term)
            terms.append(term)
        if not terms:
            return ZERO
        return self.simplify(terms[0] if len(terms) == 1 else Call("add", tuple(terms)))

    def index(self, call: Call) -> dict:
        """name -> the positions of the call's arguments that name it (memoized by identity)."""
        hit = self.where.get(id(call))
        if hit is not None and hit[0] is call:
            return hit[1]
        found: dict[str, list[int]] = {}
        for i, arg in enumerate(call.args):
            for name in self.free(arg):
                found.setdefault(name, []).append(i)
        self.where[id(call)] = (call, found)
        return found

    def free(self, expr: Expr) -> frozenset:
        """The names in expr (memoized: a shared sub-formula is looked at once)."""
        if isinstance(expr, Var):
            return frozenset((expr.name,))
        if not isinstance(expr, Call):
            return frozenset()
        hit = self.names.get(id(expr))
        if hit is not None and hit[0] is expr:
            return hit[1]
        found = frozenset(self.index(expr))
        self.names[id(expr)] = (expr, found)
        return found

    def charge(self, term: Expr) -> None:
        if self.budget is None:
            return
        self.spent += self.size(term)
        if self.spent > self.budget:
            raise TooLarge(self.budget, self.var)

    def size(self, expr: Expr) -> int:
        if not isinstance(expr, Call):
            return 1
        hit = self.sizes.get(id(expr))
        if hit is not None and hit[0] is expr:
            return hit[1]
        n = 1 + sum(self.size(a) for a in expr.args)
        self.sizes[id(expr)] = (expr, n)
        return n

    def simplify(self, expr: Expr) -> Expr:
        if not isinstance(expr, Call):
            return expr
        hit = self.memo.get(id(expr))
        if hit is not None and hit[0] is expr:
            return hit[1]
        result = _simplified(expr, tuple(self.simplify(a) for a in expr.args))
        self.memo[id(expr)] = (expr, result)
        self.memo[id(result)] = (result, result)  # simplified once is simplified
        return result


def simplify(expr: Expr) -> Expr:
    """Fold constants and drop additive zeros and multiplicative ones."""
    if not isinstance(expr, Call):
        return expr
    return _simplified(expr, tuple(simplify(a) for a in expr.args))


def _simplified(expr: Call, args: tuple) -> Expr:
    """expr with its arguments replaced by their simplified forms, args, and then tidied itself."""
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
