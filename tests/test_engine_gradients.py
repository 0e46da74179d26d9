"""Whole problems: every gradient of every problems/ file against a finite difference of the loss.

For each problem file (globbed at collection, so a new file is checked with no edit here):
parameter gradients against a five-point central difference of the batch loss; ∂L/∂node for
every node and input by perturbing that value and re-evaluating everything downstream; each
recorded chain-rule term against its own formula and a finite difference of the local function;
each GradStep against the sum of its terms; the update rule; and the loss after the update
against an independent forward pass.
"""
from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from backprop_cli.engine import solve
from backprop_cli.formula.calculus import evaluate_array as evaluate
from backprop_cli.load.document import load_problem
from backprop_cli.solution import ForwardStep, GradStep, LossAfterStep, LossStep, ShownStep, UpdateStep

from helpers import central_difference
from problem_files import problem_files

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = problem_files()
RTOL, ATOL = 1e-6, 1e-10

pytestmark = pytest.mark.parametrize("path", PROBLEMS, ids=[p.name for p in PROBLEMS])


@cache
def loaded(path: Path):
    return load_problem(path)


def with_numbers(problem):
    """A symbolic problem with fixed, arbitrary numbers put in (targets in (0.1, 0.9) for log losses)."""
    rng = np.random.default_rng(20240601)
    return replace(
        problem,
        inputs={k: (float(rng.uniform(-1.0, 1.0)),) for k in problem.inputs},
        targets={k: (float(rng.uniform(0.1, 0.9)),) for k in problem.targets},
        params={k: replace(p, value=float(rng.uniform(-0.6, 0.6))) for k, p in problem.params.items()})


@cache
def solved(path: Path):
    """The problem (given numbers if it is symbolic, so that its gradients can be checked) and its solution.

    A trained problem's first shown step stands for it: its solution is a single step's, on that step's
    samples and parameters (tests/test_training*.py check the training around it).
    """
    problem = loaded(path)
    if not problem.numeric:
        problem = with_numbers(problem)
    sol = solve(problem)
    if sol.of(ShownStep):
        sol = sol.of(ShownStep)[0].solution
        problem = sol.problem
    return problem, sol


def plain_descent(problem) -> bool:
    """Whether the update is p − η·∂L/∂p (an optimizer's is checked in tests/test_training_optimizers.py)."""
    return problem.training is None or problem.training.optimizer.name == "sgd"


def leaves(problem, params: dict | None = None) -> dict:
    n = problem.n_samples
    env = {k: np.array(v, dtype=np.float64) for k, v in {**problem.inputs, **problem.targets}.items()}
    values = params if params is not None else {p.name: p.value for p in problem.params.values()}
    env.update({k: np.full(n, float(v)) for k, v in values.items()})
    return env


def evaluate_all(problem, params: dict | None = None, shift: str | None = None, delta=None) -> dict:
    """Every value, with ``delta`` (per sample) added to ``shift`` (a leaf or a node) as it is made.

    Independent of engine.forward: nodes in file order are evaluated with calculus.evaluate_array,
    whose per-function values are checked against plain math in test_formula_registry.
    """
    n = problem.n_samples
    env = leaves(problem, params)
    if shift in env:
        env[shift] = env[shift] + delta
    for node in problem.nodes:
        env[node.name] = np.broadcast_to(np.asarray(evaluate(node.formula, env), dtype=np.float64), (n,)).copy()
        if node.name == shift:
            env[node.name] = env[node.name] + delta
    return env


def reduce(problem, per_sample: np.ndarray) -> float:
    return float(np.mean(per_sample) if problem.batch == "mean" else np.sum(per_sample))


def fd_value(problem, name: str, sample: int) -> float:
    """∂(batch loss)/∂(name in one sample) by a five-point central difference."""
    base = evaluate_all(problem)[name][sample]

    def loss(value: float) -> float:
        delta = np.zeros(problem.n_samples)
        delta[sample] = value - base
        return reduce(problem, evaluate_all(problem, shift=name, delta=delta)[problem.loss])

    return central_difference(loss, base)


def grad_steps(sol) -> dict:
    return {s.node: s for s in sol.of(GradStep)}


def test_problem_files_exist(path):
    assert path.is_file()


def test_forward_values_match_an_independent_evaluation(path):
    problem, sol = solved(path)
    env = evaluate_all(problem)
    for node in problem.nodes:
        np.testing.assert_allclose(sol.values[node.name], env[node.name], rtol=1e-14, atol=0)
    steps = {s.node: s for s in [*sol.of(ForwardStep), *sol.of(LossStep)]}
    assert set(steps) == {n.name for n in problem.nodes}
    for name, step in steps.items():
        np.testing.assert_allclose(step.values, env[name], rtol=1e-14, atol=0)
    assert sol.loss == pytest.approx(reduce(problem, env[problem.loss]), rel=1e-14)


def test_every_parameter_gradient_matches_finite_differences(path, fd_grads):
    problem, sol = solved(path)
    steps = grad_steps(sol)
    numeric = fd_grads(problem)
    assert set(numeric) == set(problem.params)
    for name, want in numeric.items():
        assert name in steps, f"no GradStep for parameter {name}"
        assert steps[name].total == pytest.approx(want, rel=RTOL, abs=ATOL), name
        assert sum(sol.grads[name]) == pytest.approx(want, rel=RTOL, abs=ATOL), name


def test_fd_is_sensitive_enough_to_matter(path):
    """Guard against a vacuous comparison: some gradient is well above the absolute floor."""
    problem, sol = solved(path)
    leaves = [*problem.params, *problem.inputs]
    assert leaves
    assert max(abs(fd_value(problem, name, 0)) for name in leaves) > 1e-4


def test_every_node_and_input_gradient_matches_finite_differences(path):
    problem, sol = solved(path)
    names = [*problem.inputs, *(n.name for n in problem.nodes)]
    for name in names:
        for s in range(problem.n_samples):
            want = fd_value(problem, name, s)
            assert sol.grads[name][s] == pytest.approx(want, rel=RTOL, abs=ATOL), f"∂L/∂{name}[{s}]"


def test_grad_step_values_are_the_sum_of_their_chain_terms(path):
    problem, sol = solved(path)
    for step in sol.of(GradStep):
        assert step.terms, step.node
        total = np.sum([t.contribution for t in step.terms], axis=0)
        np.testing.assert_allclose(step.values, total, rtol=1e-14, atol=1e-300)
        np.testing.assert_allclose(step.values, sol.grads[step.node], rtol=0, atol=0)
        assert step.total == pytest.approx(sum(step.values), rel=1e-14, abs=1e-300)
        assert all(t.node == step.node for t in step.terms)


def test_contribution_is_local_value_times_upstream(path):
    _, sol = solved(path)
    for step in sol.of(GradStep):
        for t in step.terms:
            np.testing.assert_allclose(t.contribution, np.multiply(t.local_values, t.upstream), rtol=1e-15)


def test_upstream_is_the_complete_gradient_of_the_via_node(path):
    """Each term is applied only after ∂L/∂via has all its own terms (a valid topological order)."""
    _, sol = solved(path)
    for step in sol.of(GradStep):
        for t in step.terms:
            np.testing.assert_allclose(t.upstream, sol.grads[t.via], rtol=0, atol=0)


def test_local_partials_match_their_formula_and_a_finite_difference(path):
    problem, sol = solved(path)
    env = {k: np.array(v, dtype=np.float64) for k, v in sol.values.items()}
    formulas = {n.name: n.formula for n in problem.nodes}
    for step in sol.of(GradStep):
        for t in step.terms:
            got = np.broadcast_to(evaluate(t.local, env), (problem.n_samples,))
            np.testing.assert_allclose(t.local_values, got, rtol=1e-14)

            def via_at(value, t=t):
                shifted = dict(env)
                shifted[t.node] = value
                return np.asarray(evaluate(formulas[t.via], shifted), dtype=np.float64)

            numeric = central_difference(via_at, env[t.node], step=1e-5)
            np.testing.assert_allclose(t.local_values, numeric, rtol=1e-7, atol=1e-10,
                                       err_msg=f"∂{t.via}/∂{t.node}")


def test_symbolic_derivation_has_the_chain_terms_checked_here(path):
    """A symbolic problem's derivation is the same chain of local formulas as its numeric instance."""
    problem = loaded(path)
    if problem.numeric:
        pytest.skip("not symbolic")
    symbolic = solve(problem)
    _, numeric = solved(path)
    assert symbolic.loss is None and symbolic.loss_after is None and not symbolic.new_params

    def chain(sol):
        return [(s.node, s.kind, [(t.via, t.local) for t in s.terms]) for s in sol.of(GradStep)]

    assert chain(symbolic) == chain(numeric)
    assert all(s.total is None and s.values == () for s in symbolic.of(GradStep))


def test_updates_follow_gradient_descent(path):
    problem, sol = solved(path)
    if not plain_descent(problem):
        pytest.skip("an optimizer's update, not plain gradient descent")
    if problem.learning_rate is None:
        assert sol.of(UpdateStep) == [] and sol.of(LossAfterStep) == [] and sol.loss_after is None
        return
    steps = grad_steps(sol)
    updates = {u.param: u for u in sol.of(UpdateStep)}
    assert set(updates) == set(problem.params)
    lr = problem.learning_rate
    for name, u in updates.items():
        p = problem.params[name]
        assert u.old == p.value
        assert u.learning_rate == lr
        assert u.grad == pytest.approx(steps[name].total, rel=1e-15, abs=1e-300)
        assert u.frozen == (name in problem.frozen)
        want = p.value if u.frozen else p.value - lr * u.grad
        assert u.new == want
        assert sol.new_params[name] == want


def test_loss_after_update_matches_an_independent_forward_pass(path):
    problem, sol = solved(path)
    lr = problem.learning_rate
    if lr is None:
        pytest.skip("nothing is updated in this problem")
    if not plain_descent(problem):
        pytest.skip("an optimizer's update, not plain gradient descent")
    new = {}
    for name, p in problem.params.items():
        g = float(np.sum(sol.grads[name]))
        new[name] = p.value if name in problem.frozen else p.value - lr * g
    env = evaluate_all(problem, params=new)
    want = reduce(problem, env[problem.loss])
    assert sol.loss_after == pytest.approx(want, rel=1e-12)
    (after,) = sol.of(LossAfterStep)
    assert after.after == pytest.approx(want, rel=1e-12)
    assert after.before == sol.loss
    np.testing.assert_allclose(after.per_sample, env[problem.loss], rtol=1e-12)
