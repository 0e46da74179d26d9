"""Formula trees: constants, names and calls of registry functions."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class Const:
    """A numeric constant."""

    value: float


@dataclass(frozen=True)
class Var:
    """A reference to a named node: input, target, parameter or computed node."""

    name: str


@dataclass(frozen=True)
class Call:
    """A registry function applied to arguments, with keyword parameters (slope=0.01)."""

    fn: str
    args: tuple
    params: tuple = ()

    def param(self, key: str, default: float | None = None) -> float | None:
        """The value of one keyword parameter."""
        return dict(self.params).get(key, default)


Expr = Union[Const, Var, Call]  # noqa: UP007 - an alias used at run time, on Python 3.10 too


def call(fn: str, *args: Expr, **params: float) -> Call:
    """Build a Call with sorted keyword parameters."""
    return Call(fn, tuple(args), tuple(sorted(params.items())))


def add(*args: Expr) -> Call:
    """Sum of the arguments."""
    return Call("add", tuple(args))


def mul(*args: Expr) -> Call:
    """Product of the arguments."""
    return Call("mul", tuple(args))


def sub(a: Expr, b: Expr) -> Call:
    """a − b."""
    return Call("sub", (a, b))


def div(a: Expr, b: Expr) -> Call:
    """a / b."""
    return Call("div", (a, b))


def neg(a: Expr) -> Call:
    """−a."""
    return Call("neg", (a,))


def power(a: Expr, b: Expr) -> Call:
    """a ** b."""
    return Call("pow", (a, b))


ONE = Const(1.0)
ZERO = Const(0.0)


_WIDE = 64  # a call with more arguments than this (a neuron's sum over a wide layer) keeps its names
_known: dict[int, tuple[Expr, tuple[str, ...]]] = {}  # id -> (the call, its names); the call held keeps the id


def free_names(expr: Expr) -> tuple[str, ...]:
    """Names referenced by a formula, in first-use order, each once.

    A wide call's names are remembered (at most 4,096 of them): the loader and the engine ask again and
    again for the names of each neuron's sum, 784 terms long in an MNIST-sized layer.
    """
    wide = type(expr) is Call and len(expr.args) > _WIDE
    if wide:
        hit = _known.get(id(expr))
        if hit is not None and hit[0] is expr:
            return hit[1]
    found = _walk_names(expr)
    if wide:
        if len(_known) >= 4096:
            _known.pop(next(iter(_known)))
        _known[id(expr)] = (expr, found)
    return found


def _walk_names(expr: Expr) -> tuple[str, ...]:
    if type(expr) is Call and len(expr.args) > _WIDE:  # a wide sum: its terms in order, most of them w·x
        seen: dict[str, None] = {}
        for arg in expr.args:
            if type(arg) is Var:
                seen.setdefault(arg.name, None)
            elif type(arg) is Call and all(type(a) is Var for a in arg.args):
                for a in arg.args:
                    seen.setdefault(a.name, None)
            else:
                for name in _walk(arg):
                    seen.setdefault(name, None)
        return tuple(seen)
    return _walk(expr)


def _walk(expr: Expr) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    stack = [expr]  # no recursion: a formula may be as deep as a derivative makes it
    while stack:
        e = stack.pop()
        if type(e) is Var:
            seen.setdefault(e.name, None)
        elif type(e) is Call:
            stack.extend(reversed(e.args))
    return tuple(seen)


def substitute(expr: Expr, mapping: dict) -> Expr:
    """Replace whole sub-trees found in mapping (tree → tree), innermost last."""
    if expr in mapping:
        return mapping[expr]
    if isinstance(expr, Call):
        return Call(expr.fn, tuple(substitute(a, mapping) for a in expr.args), expr.params)
    return expr
