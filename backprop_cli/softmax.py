"""The softmax Jacobian: written term by term for a small group, in closed form for a large one.

∂sₖ/∂z_j = sₖ(δₖⱼ − s_j). A group of n components has n² such terms: a homework's three classes read
well as the full Jacobian, but 1,000 classes would be a million terms, each a softmax over 1,000
values to evaluate. Beyond limits.SOFTMAX_JACOBIAN components the backward pass uses the closed form
Σₖ ∂sₖ/∂z_j·∂L/∂sₖ = s_j·(∂L/∂s_j − S), S = Σₖ sₖ·∂L/∂sₖ: one sum per group and one product per z.
"""
from __future__ import annotations

import math

from .formula.tree import ONE, Call, Var, mul, neg, sub
from .limits import SOFTMAX_JACOBIAN
from .model import Problem
from .solution import SoftmaxDelta

_last: tuple = (None, {})  # (problem, its groups): the engine and the shortcut finder ask for the same problem


def groups(problem: Problem) -> dict[tuple, list[str]]:
    """The softmax groups written one node per component over distinct names: z names -> component names.

    A group over anything else (a repeated name, a sum as an argument, a component with no node) is left
    to the general chain rule, which handles it term by term.
    """
    global _last
    if _last[0] is problem:
        return _last[1]
    found: dict[tuple, dict[int, str]] = {}
    for node in problem.nodes:
        f = node.formula
        if type(f) is Call and f.fn == "softmax" and all(type(a) is Var for a in f.args):
            key = tuple(a.name for a in f.args)
            found.setdefault(key, {})[int(f.param("index") or 0)] = node.name
    out = {zs: [members[k] for k in range(1, len(zs) + 1)] for zs, members in found.items()
           if len(set(zs)) == len(zs) and sorted(members) == list(range(1, len(zs) + 1))}
    _last = (problem, out)
    return out


def values(zs: tuple, members: list[str], row: dict) -> dict[str, float]:
    """Every component's value in one sample, the same arithmetic as the registry's softmax, once for all."""
    a = [row[z] for z in zs]
    top = max(a)
    e = [math.exp(x - top) for x in a]
    total = sum(e)
    return {m: e[k] / total for k, m in enumerate(members)}


def member_of(found: dict[tuple, list[str]]) -> dict[str, tuple]:
    """Component name -> the z names of its group."""
    return {name: zs for zs, members in found.items() for name in members}


def partials(zs: tuple, members: list[str]) -> dict:
    """(component, z) -> ∂component/∂z for a small group: s(1 − s) on the diagonal, −sₖ·s_j off it.

    Exactly the formulas diff() writes (and the engine then names), without differentiating n formulas
    over n arguments each.
    """
    out = {}
    for k, name in enumerate(members):
        s = Var(name)
        for j, z in enumerate(zs):
            out[(name, z)] = mul(s, sub(ONE, s)) if j == k else neg(mul(s, Var(members[j])))
    return out


def large(found: dict[tuple, list[str]]) -> dict[tuple, list[str]]:
    """The groups shown in closed form."""
    return {zs: members for zs, members in found.items() if len(members) > SOFTMAX_JACOBIAN}


def closed_form(zs: tuple, members: list[str], rows: list[dict], grads: dict) -> dict[str, SoftmaxDelta]:
    """z -> its SoftmaxDelta, from each component's value (rows) and ∂L/∂component (grads, complete by now).

    With no rows (a derivation in symbols) the deltas carry no numbers.
    """
    sums = tuple(sum(row[m] * grads[m][s] for m in members) for s, row in enumerate(rows))
    out = {}
    for z, m in zip(zs, members):
        contribution = tuple(row[m] * (grads[m][s] - sums[s]) for s, row in enumerate(rows))
        out[z] = SoftmaxDelta(m, tuple(members), sums, contribution)
    return out
