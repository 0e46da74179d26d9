"""Which models of each mistake kind a problem has: one per place the mistake can happen, and one for
the same mistake made everywhere (a student who has it wrong does it every time)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

from ..formula.printing import fmt_const, to_text
from ..formula.registry import REGISTRY
from ..formula.tree import ONE, Call, Const, Expr, Var, add, free_names, mul, power, sub, substitute
from ..model import Node, Problem
from .mistakes import Formulas, LearningRate, Leaves, Locals, Model, Seed, UpdatedWeights
from .world import Plan

# What the catalogue needs to know about a problem's structure.

@dataclass(frozen=True)
class Neuron:
    """An activation a = fn(z) of one pre-activation z; target is the output's target, if it is one."""

    a: str
    z: str
    fn: str
    call: Call
    target: str | None


def neurons(problem: Problem) -> list[Neuron]:
    """Every node that is a one-argument activation of a named pre-activation."""
    targets = dict(problem.outputs)
    out = []
    for n in problem.nodes:
        f = n.formula
        if isinstance(f, Call) and len(f.args) == 1 and isinstance(f.args[0], Var) \
                and REGISTRY[f.fn].kind == "activation" and f.fn != "identity":
            out.append(Neuron(n.name, f.args[0].name, f.fn, f, targets.get(n.name)))
    return out


def derivative(neuron: Neuron, at: Expr, out: Expr) -> Expr:
    """The activation's derivative with its argument read as at and its output as out."""
    call = Call(neuron.fn, (at,), neuron.call.params)
    return REGISTRY[neuron.fn].partial(call, out, 0)


def generic(expr: Expr, neuron: Neuron) -> str:
    """A derivative written with a, z and y for the neuron's names, to name a pattern."""
    names = {Var(neuron.a): Var("a"), Var(neuron.z): Var("z")}
    if neuron.target:
        names[Var(neuron.target)] = Var("y")
    return to_text(substitute(expr, names))


def softmax_nodes(problem: Problem) -> list[Node]:
    """The components of every softmax."""
    return [n for n in problem.nodes if isinstance(n.formula, Call) and n.formula.fn == "softmax"]


def squared_terms(problem: Problem) -> list[Node]:
    """Loss terms factor·(ŷ − y)²."""
    return [n for n in problem.nodes if isinstance(n.formula, Call) and n.formula.fn == "squared_error"]


def with_factor(call: Call, factor: float) -> Call:
    """A squared error with another factor."""
    return Call(call.fn, call.args, tuple((k, factor if k == "factor" else v) for k, v in call.params))


def const_of(expr: Expr) -> float | None:
    """The value of a constant formula, else None."""
    return expr.value if isinstance(expr, Const) else None


CROSS = "the softmax Jacobian's cross terms ∂sⱼ/∂zₖ (j ≠ k) dropped"


def _sym(fn: str) -> str:
    return to_text(Call(fn, (Var("x"),))).split("(")[0] if fn != "softmax" else fn


def _local(plan: Plan, via: str, node: str):
    return next((local for v, local in plan.paths.get(node, ()) if v == via), None)


def _everywhere(kind: str, family: str, parts: list[tuple[str, str, dict]]) -> list[Model]:
    """One model per place, then (for more than one place) all of them at once."""
    models: list[Model] = [Locals(kind, words, family, changed) for words, _, changed in parts]
    if len(parts) > 1:
        models.append(Locals(kind, f"{family}, at every neuron", family,
                             {k: v for _, _, changed in parts for k, v in changed.items()}))
    return models


def _preactivation(plan: Plan) -> list[Model]:
    out: list[Model] = []
    for fn in dict.fromkeys(n.fn for n in neurons(plan.problem)):
        parts = []
        for nr in (n for n in neurons(plan.problem) if n.fn == fn):
            at_a = derivative(nr, Var(nr.a), Call(nr.fn, (Var(nr.a),), nr.call.params))
            if at_a != _local(plan, nr.a, nr.z):
                parts.append((f"∂{nr.a}/∂{nr.z} taken as {_sym(fn)}′({nr.a}) = {to_text(at_a)}, "
                              f"the derivative at the output instead of at {nr.z}", nr.a, {(nr.a, nr.z): at_a}))
        out += _everywhere("output-for-preactivation", f"{_sym(fn)}′ evaluated at the output a instead of at z", parts)
    return out


def _forms(nr: Neuron) -> list[tuple[str, Expr]]:
    """Wrong forms of an activation's derivative: with z for a, at the target, and the classic slips."""
    a, z = Var(nr.a), Var(nr.z)
    forms: list[tuple[str, Expr]] = [("z", derivative(nr, z, z))]
    if nr.target:
        forms.append(("target", derivative(nr, Var(nr.target), Var(nr.target))))
    extra: dict[str, list[Expr]] = {"sigmoid": [a, sub(ONE, a)], "tanh": [sub(ONE, a), add(ONE, power(a, Const(2.0)))]}
    return forms + [(to_text(substitute(f, {a: Var("a")})), f) for f in extra.get(nr.fn, [])]


def _wrong_derivative(plan: Plan) -> list[Model]:
    out: list[Model] = []
    groups: dict[tuple[str, str], list] = {}
    for nr in neurons(plan.problem):
        right = _local(plan, nr.a, nr.z)
        for key, form in _forms(nr):
            if right is not None and form != right:
                family = f"{_sym(nr.fn)}′ written as {generic(form, nr)}"
                groups.setdefault((nr.fn, key), []).append(
                    (f"∂{nr.a}/∂{nr.z} written as {to_text(form)} instead of {to_text(right)}", family,
                     {(nr.a, nr.z): form}))
    for parts in groups.values():
        out += _everywhere("wrong-derivative", parts[0][1], parts)
    return out


def _dropped(plan: Plan) -> list[Model]:
    kind, p = "dropped-factor", plan.problem
    out = _everywhere(kind, "the activation derivative left out of the chain",
                      [(f"∂{nr.a}/∂{nr.z} ({_sym(nr.fn)}′) left out of the chain", nr.a, {(nr.a, nr.z): Const(1.0)})
                       for nr in neurons(p)])
    terms = [(t.name, t.formula) for t in squared_terms(p) if isinstance(t.formula, Call)]
    for group in [[t] for t in terms] + ([terms] if len(terms) > 1 else []):
        names = ", ".join(name for name, _ in group)
        f = group[0][1].param("factor") or 1.0
        half = {name: with_factor(call, 1.0) for name, call in group}
        two = {(name, _arg(call)): mul(Const(f), sub(*call.args)) if f != 1 else sub(*call.args)
               for name, call in group}
        if f != 1:
            out += [Formulas(kind, f"the factor {f:g} of {names} dropped, in the value and the derivative",
                             f"the factor {f:g} of the squared error dropped", p, half),
                    Formulas(kind, f"the factor {f:g} dropped from {names}", f"the factor {f:g} dropped from the loss",
                             p, half, values_only=True),
                    Locals(kind, f"the factor {f:g} dropped from the derivative of {names}",
                           f"the factor {f:g} dropped from the loss's derivative",
                           {(name, _arg(call)): mul(Const(2.0), sub(*call.args)) for name, call in group})]
        out.append(Locals(kind, f"the 2 of the square dropped from the derivative of {names}",
                          "the 2 of the square's derivative dropped", two))
    loss = plan.nodes[p.loss].formula
    if isinstance(loss, Call) and loss.fn == "div" and const_of(loss.args[1]):
        k = const_of(loss.args[1])
        out.append(Formulas(kind, f"the 1/{k:g} of the mean over the outputs dropped",
                            f"the 1/{k:g} of the mean dropped", p, {p.loss: loss.args[0]}))
        out.append(Locals(kind, f"the 1/{k:g} of the mean dropped from the derivative",
                          f"the 1/{k:g} of the mean dropped from the derivative",
                          {(p.loss, d): Const(1.0) for d in free_names(loss)}))
    if plan.n > 1 and p.averages and not p.is_expression:
        out.append(Seed(kind, f"the 1/{plan.n} of the batch mean left out of the gradients"))
    return out


def _arg(call: Call, k: int = 0) -> str:
    """The name of a call's argument k (a prediction, a softmax input)."""
    arg = call.args[k]
    return arg.name if isinstance(arg, Var) else ""


def _softmax(plan: Plan) -> list[Model]:
    cross = {(s.name, _arg(call, j)): None for s in softmax_nodes(plan.problem) if isinstance(call := s.formula, Call)
             for j in range(len(call.args)) if j + 1 != int(call.param("index") or 0)}
    if not cross:
        return []
    return [Locals("softmax-coupling-dropped", "only the diagonal of the softmax Jacobian kept: the paths through "
                   "the other components left out", CROSS, cross)]


def _learning_rate(plan: Plan) -> list[Model]:
    rate = plan.problem.learning_rate
    if rate is None:
        return []
    rates = dict.fromkeys(float(f"{r:.12g}") for r in (rate / 10, rate * 10, rate / 100, rate * 100, rate / 2,
                                                        rate * 2, 1.0))
    return [LearningRate(r, rate) for r in rates if r != rate]


def _updated_weights(plan: Plan) -> list[Model]:
    if not plan.problem.learning_rate:
        return []
    return [UpdatedWeights("the backward pass read each weight after its update (w⁺) in place of w",
                           tuple(plan.params))]


class Variant(Leaves):
    """A solution of the problem with other givens: what a step is when values not the problem's were used."""

    carry = False


def _wrong_value(plan: Plan) -> list[Model]:
    inputs = {k: plan.leaves[0][k] for k in plan.problem.inputs} if plan.n == 1 else {}
    givens = {**plan.params, **inputs}
    out: list[Model] = []
    for (a, va), (b, vb) in combinations(givens.items(), 2):
        if va != vb and (a in plan.params) == (b in plan.params):
            out.append(Variant("wrong-value", f"as computed with {a} = {fmt_const(vb)} and {b} = {fmt_const(va)}, "
                               "the two swapped: values that are not this problem's", f"{a} and {b} swapped",
                               {a: vb, b: va}))
    for a, va in givens.items():
        if va:
            out.append(Variant("wrong-value", f"as computed with {a} = {fmt_const(-va)}: a value that is not this "
                               "problem's", f"{a} = {fmt_const(-va)} used upstream", {a: -va}))
    return out


MODELS: dict[str, Callable[[Plan], list[Model]]] = {
    "updated-weights-in-backward": _updated_weights, "wrong-learning-rate": _learning_rate,
    "softmax-coupling-dropped": _softmax, "output-for-preactivation": _preactivation,
    "wrong-derivative": _wrong_derivative, "dropped-factor": _dropped, "sign": lambda plan: [],
    "index": lambda plan: [], "wrong-value": _wrong_value,
}
