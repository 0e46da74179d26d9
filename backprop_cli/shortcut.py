"""The shortcut students learn: where the full chain rule for δ = ∂L/∂z adds up to factor·(ŷ − y).

Two pairs simplify exactly. Softmax with categorical cross-entropy: δ_k = c·(ŷ_k·Σⱼ yⱼ − y_k), which is
c·(ŷ_k − y_k) only when the group's targets sum to 1. Sigmoid with binary cross-entropy: δ = c·(ŷ − y)
for any target in [0, 1]. c is the loss's constant weight of the term (1 for a sum, 1/K for a mean
over K outputs, times a weight) times 1/N for a batch mean. The pattern is read from the nodes'
formulas, never from file names, and must be exact: each prediction feeds its one loss term only,
each z feeds its activation(s) only, and each term enters the loss once with a constant weight.
Softmax with binary cross-entropy (seed 001) or any extra path through ŷ or z gets no shortcut.
"""
from __future__ import annotations

import dataclasses
import math

from .engine import Values, local_partials
from .formula.calculus import evaluate
from .formula.tree import Call, Const, Expr, Var, div, free_names, mul, sub
from .model import Node, Problem
from .solution import GradStep, Shortcut

SOFTMAX_CCE = "softmax + cross-entropy"
SIGMOID_BCE = "sigmoid + binary cross-entropy"
SUM_TOLERANCE = 1e-12  # how close to 1 the softmax targets of every sample must sum


def _users(problem: Problem) -> dict[str, list[str]]:
    """name -> the nodes whose formulas use it, in file order."""
    users: dict[str, list[str]] = {}
    for node in problem.nodes:
        for name in free_names(node.formula):
            users.setdefault(name, []).append(node.name)
    return users


def _scaled(diff: Expr, factor: float) -> Expr:
    """factor·(ŷ − y), written exactly: ŷ − y, (ŷ − y)/K, 0.3·(ŷ − y) or 2·(ŷ − y)/3."""
    if factor == 1:
        return diff
    k = round(1 / factor)
    if k and 1 / k == factor:  # a mean over outputs or samples: 1/K
        return div(diff, Const(float(k)))
    if float(f"{factor:.4g}") == factor:  # a weight as the file writes it
        return mul(Const(factor), diff)
    from fractions import Fraction  # only for a factor such as 2/3: most files never pay for it

    exact = Fraction(factor).limit_denominator(10_000)
    if exact.numerator / exact.denominator == factor:  # a weight over a mean: 2/3
        return div(mul(Const(float(exact.numerator)), diff), Const(float(exact.denominator)))
    return mul(Const(factor), diff)


class _Finder:
    """Looks for the two patterns in one problem."""

    def __init__(self, problem: Problem):
        self.p = problem
        self.users = _users(problem)
        self.nodes = {n.name: n for n in problem.nodes}
        self.partials = local_partials(problem)
        self.batch = 1 / problem.n_samples if problem.averages and problem.n_samples else 1.0

    def term_of(self, prediction: str, loss_type: str) -> tuple[str, str] | None:
        """(term, target) when prediction feeds exactly one loss term of that type, as ŷ against a target."""
        if len(self.users.get(prediction, [])) != 1:
            return None
        term = self.nodes[self.users[prediction][0]]
        f = term.formula
        if term.role != "loss_term" or not isinstance(f, Call) or f.fn != loss_type \
                or f.args[0] != Var(prediction) or not isinstance(f.args[1], Var) \
                or f.args[1].name not in self.p.targets:
            return None
        return term.name, f.args[1].name

    def weight(self, term: str) -> float | None:
        """The constant ∂L/∂term, when the term enters the loss node directly and only there."""
        if self.users.get(term) != [self.p.loss]:
            return None
        partial = self.partials.get((self.p.loss, term))
        if partial is None or free_names(partial):
            return None
        return float(evaluate(partial, {}))

    def sigmoid_bce(self, node: Node) -> tuple[str, Expr, float] | None:
        """(z, formula, factor) for a = σ(z) feeding binary cross-entropy alone."""
        f = node.formula
        if not (isinstance(f, Call) and f.fn == "sigmoid" and isinstance(f.args[0], Var)):
            return None
        z = f.args[0].name
        found = self.term_of(node.name, "binary_cross_entropy")
        if found is None or self.users.get(z) != [node.name]:
            return None
        weight = self.weight(found[0])
        if weight is None:
            return None
        factor = weight * self.batch
        return z, _scaled(sub(Var(node.name), Var(found[1])), factor), factor

    def softmax_cce(self, group: list[tuple[str, Call]]) -> dict[str, tuple[Expr, float]]:
        """z -> (formula, factor) for one softmax group feeding categorical cross-entropy, targets summing to 1."""
        args = group[0][1].args
        if not all(isinstance(a, Var) for a in args) or len(set(args)) != len(args) \
                or sorted(_index(call) for _, call in group) != list(range(1, len(args) + 1)):
            return {}
        members = [name for name, _ in group]
        if any(sorted(self.users.get(a.name, [])) != sorted(members) for a in args if isinstance(a, Var)):
            return {}  # a z used anywhere else has a second path
        found = [self.term_of(name, "categorical_cross_entropy") for name in members]
        pairs = [f for f in found if f is not None]
        weights = [self.weight(term) for term, _ in pairs]
        known = {w for w in weights if w is not None}
        targets = [t for _, t in pairs]
        if len(pairs) != len(group) or len(known) != 1 or None in weights or len(set(targets)) != len(targets):
            return {}
        if not all(math.isclose(math.fsum(self.p.targets[t][s] for t in targets), 1.0, rel_tol=0,
                                abs_tol=SUM_TOLERANCE) for s in range(self.p.n_samples)):
            return {}
        factor = known.pop() * self.batch
        out = {}
        for (name, call), (_, target) in zip(group, pairs):
            z = args[_index(call) - 1]
            if isinstance(z, Var):
                out[z.name] = (_scaled(sub(Var(name), Var(target)), factor), factor)
        return out


def _index(softmax: Call) -> int:
    """Which component of its softmax a node is, from 1."""
    return int(softmax.param("index", 0.0) or 0)


def find_shortcuts(problem: Problem) -> dict[str, tuple[str, Expr, float]]:
    """z -> (pair, formula, factor) for every neuron whose δ simplifies exactly to factor·(ŷ − y)."""
    finder = _Finder(problem)
    found: dict[str, tuple[str, Expr, float]] = {}
    groups: dict[tuple, list[tuple[str, Call]]] = {}
    for node in problem.nodes:
        if isinstance(node.formula, Call) and node.formula.fn == "softmax":
            groups.setdefault(node.formula.args, []).append((node.name, node.formula))
        elif (hit := finder.sigmoid_bce(node)) is not None:
            found[hit[0]] = (SIGMOID_BCE, hit[1], hit[2])
    for group in groups.values():
        for z, (formula, factor) in finder.softmax_cce(group).items():
            found[z] = (SOFTMAX_CCE, formula, factor)
    return found


def with_shortcuts(problem: Problem, values: Values, steps: list) -> list:
    """The grad steps, each δ that simplifies carrying its Shortcut with the value in every sample."""
    found = find_shortcuts(problem)
    if not found:
        return steps
    out = []
    for step in steps:
        if isinstance(step, GradStep) and step.node in found:
            pair, formula, factor = found[step.node]
            per_sample = tuple(float(evaluate(formula, {k: v[s] for k, v in values.items()}))
                               for s in range(problem.n_samples))
            step = dataclasses.replace(step, shortcut=Shortcut(pair, formula, factor, per_sample))
        out.append(step)
    return out
