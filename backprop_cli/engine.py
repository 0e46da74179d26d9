"""Forward values, reverse-mode backward that records every chain-rule step, and the update."""
from __future__ import annotations

import numpy as np

from .formula.calculus import diff, evaluate
from .errors import DomainError, ProblemError
from .formula.tree import Call, Expr, Var, free_names, substitute
from .model import Problem
from .solution import (BatchLossStep, ChainTerm, ForwardStep, GivenStep, GradStep, LossAfterStep, LossStep,
                       Solution, UpdateStep)


def leaf_env(problem: Problem, params: dict | None = None) -> dict:
    """Inputs, targets and parameters as float64 arrays, one entry per sample."""
    n = problem.n_samples
    env = {k: np.asarray(v, dtype=np.float64) for k, v in problem.inputs.items()}
    env.update({k: np.asarray(v, dtype=np.float64) for k, v in problem.targets.items()})
    values = params if params is not None else {p.name: p.value for p in problem.params.values()}
    env.update({k: np.full(n, v, dtype=np.float64) for k, v in values.items()})
    return env


def forward(problem: Problem, params: dict | None = None) -> dict:
    """Every node's value, per sample; a value outside a function's domain is a ProblemError."""
    env = leaf_env(problem, params)
    n = problem.n_samples
    for node in problem.nodes:
        env[node.name] = _eval(node.formula, env, n, node.name, problem)
    return env


def _eval(formula: Expr, env: dict, n: int, name: str, problem: Problem, dep: str | None = None) -> np.ndarray:
    """A formula's value per sample; dep names the variable when the formula is ∂name/∂dep."""
    origin = problem.origins.get(name)
    # the key path already ends in the node's name for equations; elsewhere say which node
    label = "" if origin is not None and origin.path.endswith(f".{name}") else f"{name}: "
    if dep is not None:
        label += f"the derivative ∂{name}/∂{dep} is undefined here: "
    try:
        with np.errstate(all="ignore"):
            value = np.broadcast_to(np.asarray(evaluate(formula, env), dtype=np.float64), (n,)).copy()
    except DomainError as exc:
        raise ProblemError(origin, f"{label}{exc}", "values inside each function's domain") from None
    if not np.all(np.isfinite(value)):
        raise ProblemError(origin, f"{label}the value is not finite (overflow)",
                           "inputs and weights of a sensible size")
    return value


def batch_total(problem: Problem, per_sample: np.ndarray) -> float:
    """The batch loss: mean or sum of the per-sample totals."""
    return float(per_sample.mean() if problem.batch == "mean" else per_sample.sum())


def local_partials(problem: Problem) -> dict:
    """(node, dependency) -> ∂node/∂dependency as a formula written with node names."""
    known = {n.formula: Var(n.name) for n in problem.nodes if isinstance(n.formula, Call)}
    out = {}
    for node in problem.nodes:
        for dep in free_names(node.formula):
            if dep in problem.targets:
                continue
            out[(node.name, dep)] = substitute(diff(node.formula, dep, Var(node.name)), known)
    return out


def _floats(values) -> tuple:
    """Plain Python floats: numpy scalars stop at the engine's edge."""
    return tuple(float(x) for x in values)


def _depths(problem: Problem) -> dict:
    depth: dict = {}
    for node in problem.nodes:
        depth[node.name] = 1 + max((depth.get(d, 0) for d in free_names(node.formula)), default=0)
    return depth


def _kind(problem: Problem, name: str) -> str:
    if name in problem.params:
        return "param"
    if name in problem.inputs:
        return "input"
    if name in {p for p, _ in problem.outputs}:
        return "output"
    return problem.node(name).role


def backward(problem: Problem, env: dict | None) -> tuple[list, dict]:
    """GradSteps in the order a hand calculation takes them, and ∂L/∂name per sample.

    Without numbers (env None) the steps carry the chain-rule formulas and empty value tuples.
    """
    n = problem.n_samples
    locals_ = local_partials(problem)
    depth = _depths(problem)
    index = {node.name: k for k, node in enumerate(problem.nodes)}
    order = sorted(problem.nodes, key=lambda nd: (-depth[nd.name], index[nd.name]))
    numeric = env is not None
    grads = {name: np.zeros(n) for name in (env or {}) if name not in problem.targets}
    grads[problem.loss] = np.full(n, 1.0 / n if problem.batch == "mean" else 1.0) if numeric else np.ones(0)
    terms: dict = {}
    for node in order:
        upstream = grads[node.name] if numeric else np.ones(0)
        for dep in free_names(node.formula):
            if (node.name, dep) not in locals_:
                continue
            local = locals_[(node.name, dep)]
            lv = _eval(local, env, n, node.name, problem, dep) if numeric else np.ones(0)
            contribution = lv * upstream
            if numeric:
                grads[dep] = grads[dep] + contribution
            terms.setdefault(dep, []).append(ChainTerm(dep, node.name, local, _floats(lv), _floats(upstream),
                                                       _floats(contribution)))
    steps = []
    leaves = [*problem.inputs, *problem.params]
    for name in [nd.name for nd in order if nd.name != problem.loss] + leaves:
        chain = sorted(terms.get(name, []), key=lambda t: index[t.via])
        if not chain:
            continue
        values = grads[name] if numeric else np.ones(0)
        steps.append(GradStep(name, _kind(problem, name), tuple(chain), _floats(values),
                              float(values.sum()) if numeric else None))
    return steps, grads


def solve(problem: Problem) -> Solution:
    """The complete worked solution of one problem; a symbolic derivation when it has no numbers."""
    env = forward(problem) if problem.numeric else None
    steps: list = [GivenStep(problem)]
    for node in problem.nodes:
        values = _floats(env[node.name]) if env else ()
        if node.role in ("loss_term", "loss"):
            steps.append(LossStep(node.name, node.role, node.formula, values))
        else:
            steps.append(ForwardStep(node.name, node.role, node.neuron, node.formula, values))
    loss = batch_total(problem, env[problem.loss]) if env else None
    if env and problem.n_samples > 1:
        steps.append(BatchLossStep(problem.loss, problem.batch, _floats(env[problem.loss]), loss))
    grad_steps, grads = backward(problem, env)
    steps.extend(grad_steps)
    new_params: dict = {}
    after = None
    if env and problem.learning_rate is not None:
        for p in problem.params.values():
            g = float(grads[p.name].sum())
            frozen = p.name in problem.frozen
            new = p.value if frozen else p.value - problem.learning_rate * g
            new_params[p.name] = new
            steps.append(UpdateStep(p.name, p.value, g, problem.learning_rate, new, frozen))
        after_env = forward(problem, new_params)
        after = batch_total(problem, after_env[problem.loss])
        steps.append(LossAfterStep(problem.loss, loss, after, _floats(after_env[problem.loss])))
    values = {k: _floats(v) for k, v in (env or {}).items()}
    return Solution(problem, tuple(steps), values, {k: _floats(v) for k, v in grads.items()}, loss, after,
                    new_params)
