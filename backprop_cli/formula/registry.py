"""Every function a formula may use: value, derivative, and how to write both.

One entry per function. The derivative is a formula tree (``partial``), so the formula that is
printed is the formula that is evaluated. ``out`` stands for the function's own output, which lets
σ' be written σ(1 − σ) as a homework does. ``value`` works on plain floats (homework sizes never
import numpy); ``array`` is the same function over numpy arrays, for batches and whole layers.
The entries themselves live in operators.py, functions.py and losses.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import DomainError

# Precedence of printed forms; an argument printed below what its slot needs gets brackets.
ADD, MUL, NEG, POW, ATOM = 10, 20, 15, 40, 100


@dataclass(frozen=True)
class Function:
    """One registry entry."""

    name: str
    kind: str  # operator | activation | function | loss | helper
    arity: int | None  # None: any number of arguments
    value: Callable  # (list of floats, params dict) -> float
    partial: Callable  # (call, out expr, i) -> formula of ∂out/∂arg_i
    text: Callable  # (printed args, params) -> str
    latex: Callable  # (printed args, params) -> str
    params: tuple = ()  # ((name, default), ...) keyword parameters
    prec: int = ATOM
    need: Callable = field(default=lambda target, i: 0)  # least precedence arg i may have unbracketed
    doc: str = ""
    array: Callable | None = None  # (list of arrays, params dict) -> array; the numpy twin of value
    elide: int = 0  # with more arguments than this, only the first two, … and the last are printed (0: never)


REGISTRY: dict[str, Function] = {}


def register(fn: Function) -> Function:
    """Add an entry to the registry."""
    REGISTRY[fn.name] = fn
    return fn


def names_of(*kinds: str) -> list[str]:
    """Names of the entries of the given kinds."""
    return sorted(n for n, f in REGISTRY.items() if f.kind in kinds)


def call_printers(sym: str, tex: str) -> tuple[Callable, Callable]:
    """Printers for a function written sym(a, b) and \\tex(a, b)."""
    def extra(p: dict, sep: str) -> list:
        return [f"{k}{sep}{v:g}" for k, v in p.items() if k != "index"]

    return (lambda a, p: f"{sym}({', '.join([*a, *extra(p, '=')])})",
            lambda a, p: f"{tex}\\left({', '.join([*a, *extra(p, ' = ')])}\\right)")


def domain(ok: bool, message: str, x: float) -> None:
    """Raise DomainError unless ok; x is the offending value."""
    if not ok:
        raise DomainError(f"{message} (value {float(x):.6g})")


def domain_all(ok, message: str, x) -> None:
    """The array form of domain(): the first offending element is reported."""
    import numpy as np

    ok = np.asarray(ok)
    if not np.all(ok):
        domain(False, message, np.broadcast_to(np.asarray(x, float), ok.shape)[~ok].ravel()[0])


from . import functions, losses, operators  # noqa: E402,F401  (the entries register themselves)
