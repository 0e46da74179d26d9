"""Forward values, reverse-mode backward that records every chain-rule step, and the update.

Values are plain Python floats (float64), one per sample: a homework-sized problem never imports
numpy. A problem without numbers is derived in symbols by derive(), which evaluates nothing.
"""
from __future__ import annotations

import math

from . import softmax
from .errors import DomainError, ProblemError
from .formula.calculus import TooLarge, diff_all, evaluate
from .formula.tree import Call, Expr, Var, free_names, substitute
from .limits import MAX_DERIVATIVE, SOFTMAX_JACOBIAN
from .model import Problem, node_depths
from .progress import report
from .solution import (
    BatchLossStep,
    ChainTerm,
    ForwardStep,
    GivenStep,
    GradKind,
    GradStep,
    LossAfterStep,
    LossStep,
    Solution,
    UpdateStep,
)

Values = dict  # name -> tuple of floats, one per sample


def _leaf_rows(problem: Problem, params: dict | None) -> list[dict]:
    """Inputs, targets and parameters as one name -> float mapping per sample."""
    values = params if params is not None else {p.name: p.value for p in problem.params.values()}
    rows = []
    for s in range(problem.n_samples):
        row = {k: float(v[s]) for k, v in problem.inputs.items()}
        row.update({k: float(v[s]) for k, v in problem.targets.items()})
        row.update({k: float(v) for k, v in values.items()})
        rows.append(row)
    return rows


def _columns(rows: list[dict]) -> Values:
    return {k: tuple(r[k] for r in rows) for k in rows[0]} if rows else {}


def _forward_rows(problem: Problem, params: dict | None = None) -> list[dict]:
    rows = _leaf_rows(problem, params)
    groups = softmax.groups(problem)
    member_of = softmax.member_of(groups)
    for k, node in enumerate(problem.nodes):
        report("forward pass", k, len(problem.nodes))
        if node.name in member_of:  # a whole softmax group at once, not n softmaxes over n values each
            zs = member_of[node.name]
            for row in rows:
                if node.name not in row:
                    row.update(softmax.values(zs, groups[zs], row))
            continue
        for row in rows:
            row[node.name] = _eval(node.formula, row, node.name, problem)
    return rows


def forward(problem: Problem, params: dict | None = None) -> Values:
    """Every node's value, per sample; a value outside a function's domain is a ProblemError."""
    return _columns(_forward_rows(problem, params))


def _eval(formula: Expr, row: dict, name: str, problem: Problem, dep: str | None = None) -> float:
    """A formula's value in one sample; dep names the variable when the formula is ∂name/∂dep."""
    try:
        value = evaluate(formula, row)
    except DomainError as exc:
        raise ProblemError(problem.origins.get(name), f"{_label(problem, name, dep)}{exc}",
                           "values inside each function's domain") from None
    if not math.isfinite(value):
        raise ProblemError(problem.origins.get(name), f"{_label(problem, name, dep)}the value is not finite "
                           "(overflow)", "inputs and weights of a sensible size")
    return float(value)


def _finite(problem: Problem, values, name: str, what: str) -> None:
    """Refuse an overflowed gradient or update, naming it, as _eval refuses an overflowed value."""
    if not all(math.isfinite(x) for x in values):
        raise ProblemError(problem.origins.get(name), f"{_label(problem, name, None)}{what} is not finite (overflow)",
                           "inputs, weights and a learning rate of a sensible size")


def _label(problem: Problem, name: str, dep: str | None) -> str:
    origin = problem.origins.get(name)
    # the key path already ends in the node's name for equations; elsewhere say which node
    label = "" if origin is not None and origin.path.endswith(f".{name}") else f"{name}: "
    if dep is not None:
        label += f"the derivative ∂{name}/∂{dep} is undefined here: "
    return label


def batch_total(problem: Problem, per_sample) -> float:
    """The batch loss: mean or sum of the per-sample totals."""
    total = sum(per_sample)
    return total / len(per_sample) if problem.averages else total


def local_partials(problem: Problem) -> dict:
    """(node, dependency) -> ∂node/∂dependency as a formula written with node names.

    A large softmax group has none: the backward pass takes its paths in closed form (softmax.py).
    """
    groups = softmax.groups(problem)
    member_of = softmax.member_of(groups)
    known = {n.formula: Var(n.name) for n in problem.nodes if isinstance(n.formula, Call) and n.name not in member_of}
    out = {}
    for zs, members in groups.items():
        if len(members) <= SOFTMAX_JACOBIAN:
            out.update(softmax.partials(zs, members))
    for node in problem.nodes:
        if node.name in member_of:
            continue
        deps = [d for d in free_names(node.formula) if d not in problem.targets]
        try:
            found = diff_all(node.formula, deps, Var(node.name), budget=MAX_DERIVATIVE)
        except TooLarge as exc:
            raise ProblemError(problem.origins.get(node.name), f"{_label(problem, node.name, None)}the derivative "
                               f"∂{node.name}/∂{exc.var} has more than {MAX_DERIVATIVE} parts",
                               "a formula split into several nodes, each short enough to differentiate by hand") \
                from None
        out.update(((node.name, dep), substitute(partial, known)) for dep, partial in found.items())
    return out


def _kinds(problem: Problem) -> dict[str, GradKind]:
    """What each name is in the backward pass: a parameter, an input, an output, or its node's role."""
    kinds: dict[str, GradKind] = {n.name: n.role for n in problem.nodes}
    kinds.update({p: "output" for p, _ in problem.outputs})
    kinds.update(dict.fromkeys(problem.inputs, "input"))
    kinds.update(dict.fromkeys(problem.params, "param"))
    return kinds


def _backward_order(problem: Problem) -> tuple[list, dict]:
    """Nodes from the loss back to the inputs, as a hand calculation takes them; and file positions."""
    depth = node_depths(problem.nodes)
    index = {node.name: k for k, node in enumerate(problem.nodes)}
    return sorted(problem.nodes, key=lambda nd: (-depth[nd.name], index[nd.name])), index


def _grad_steps(problem: Problem, order: list, index: dict, terms: dict, grads: dict | None,
                closed: dict) -> list:
    """One GradStep per node, input and parameter that the loss depends on, in backward order."""
    steps = []
    kinds = _kinds(problem)
    for name in [nd.name for nd in order if nd.name != problem.loss] + [*problem.inputs, *problem.params]:
        chain = sorted(terms.get(name, []), key=lambda t: index[t.via])
        if chain or name in closed:
            values = grads[name] if grads is not None else ()
            steps.append(GradStep(name, kinds[name], tuple(chain), tuple(values),
                                  sum(values) if grads is not None else None, softmax=closed.get(name)))
    return steps


def backward(problem: Problem, rows: list[dict]) -> tuple[list, Values]:
    """GradSteps in the order a hand calculation takes them, and ∂L/∂name per sample."""
    n = problem.n_samples
    locals_ = local_partials(problem)
    order, index = _backward_order(problem)
    grads = {name: [0.0] * n for name in rows[0] if name not in problem.targets}
    # An expression's samples are separate evaluations of f: each gets its own ∂f/∂x, upstream 1.
    grads[problem.loss] = [1.0 / n if problem.averages and not problem.is_expression else 1.0] * n
    terms: dict = {}
    large = softmax.large(softmax.groups(problem))
    closed: dict = {}
    for k, node in enumerate(order):
        report("backward pass", k, len(order))
        upstream = tuple(grads[node.name])
        group = next((zs for zs, members in large.items() if node.name == members[0]), None)
        if group is not None:  # all of the group's ∂L/∂s are complete: the components sit at one depth
            for z, delta in softmax.closed_form(group, large[group], rows, grads).items():
                _finite(problem, delta.contribution, delta.component,
                        f"the gradient ∂{problem.loss}/∂{z} through the softmax")
                grads[z] = [g + c for g, c in zip(grads[z], delta.contribution)]
                closed[z] = delta
        for dep in free_names(node.formula):
            local = locals_.get((node.name, dep))
            if local is None:
                continue
            lv = tuple(_eval(local, row, node.name, problem, dep) for row in rows)
            contribution = tuple(a * b for a, b in zip(lv, upstream))
            _finite(problem, contribution, node.name, f"the gradient ∂{problem.loss}/∂{dep} through {node.name}")
            grads[dep] = [g + c for g, c in zip(grads[dep], contribution)]
            terms.setdefault(dep, []).append(ChainTerm(dep, node.name, local, lv, upstream, contribution))
    final = {k: tuple(v) for k, v in grads.items()}
    return _grad_steps(problem, order, index, terms, final, closed), final


def derive(problem: Problem) -> list:
    """The backward pass of a problem without numbers: every chain-rule step in symbols."""
    locals_ = local_partials(problem)
    order, index = _backward_order(problem)
    terms: dict = {}
    for node in order:
        for dep in free_names(node.formula):
            if (node.name, dep) in locals_:
                terms.setdefault(dep, []).append(ChainTerm(dep, node.name, locals_[(node.name, dep)], (), (), ()))
    closed = {z: delta for zs, members in softmax.large(softmax.groups(problem)).items()
              for z, delta in softmax.closed_form(zs, members, [], {}).items()}
    return _grad_steps(problem, order, index, terms, None, closed)


def _forward_steps(problem: Problem, values: Values | None) -> list:
    steps: list = []
    for node in problem.nodes:
        vals = values[node.name] if values else ()
        if node.is_loss:
            steps.append(LossStep(node.name, node.role, node.formula, vals))
        else:
            steps.append(ForwardStep(node.name, node.role, node.neuron, node.formula, vals))
    return steps


def solve(problem: Problem, gradient_check: bool = False) -> Solution:
    """The complete worked solution of one problem; a symbolic derivation when it has no numbers.

    gradient_check adds, after the backward pass, each gradient beside a central difference (gradcheck.py).
    """
    if not problem.numeric:
        steps = [GivenStep(problem), *_forward_steps(problem, None), *derive(problem)]
        return Solution(problem, tuple(steps), {}, {}, None, None, {})
    rows = _forward_rows(problem)
    values = _columns(rows)
    steps = [GivenStep(problem), *_forward_steps(problem, values)]
    loss = batch_total(problem, values[problem.loss])
    if problem.n_samples > 1:
        steps.append(BatchLossStep(problem.loss, problem.batch, values[problem.loss], loss))
    grad_steps, grads = backward(problem, rows)
    from .shortcut import with_shortcuts  # the δ = ŷ − y pairs, beside the full chain rule

    steps.extend(with_shortcuts(problem, values, grad_steps))
    if gradient_check:
        from .gradcheck import check_gradients

        steps.extend(check_gradients(problem, grads, values))
    new_params: dict = {}
    after = None
    if problem.learning_rate is not None:
        for p in problem.params.values():
            g = sum(grads[p.name])
            frozen = p.name in problem.frozen
            new = p.value if frozen else p.value - problem.learning_rate * g
            _finite(problem, (new,), p.name, f"the update {p.name} − η·∂{problem.loss}/∂{p.name}")
            new_params[p.name] = new
            steps.append(UpdateStep(p.name, p.value, g, problem.learning_rate, new, frozen))
        try:
            after_values = forward(problem, new_params)
        except ProblemError as exc:  # the values were fine before: say that the update took them out of range
            raise ProblemError(exc.origin, f"after the update: {exc.message}",
                               "a smaller learning rate, or inputs and weights of a sensible size") from None
        after = batch_total(problem, after_values[problem.loss])
        steps.append(LossAfterStep(problem.loss, loss, after, after_values[problem.loss]))
    return Solution(problem, tuple(steps), values, grads, loss, after, new_params)
