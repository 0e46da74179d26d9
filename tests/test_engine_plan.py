"""The compiled plan computes what the recording engine computes: the loss and every ∂L/∂p."""
from __future__ import annotations

import pytest

from backprop_cli.engine import _backward_order, batch_total, forward, local_partials, solve
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.plan import PlanFailed, compile_plan

from problem_files import BATCH, problem_files

TRAINABLE = [p for p in problem_files() if load_problem(p).numeric and load_problem(p).params]


def plan_of(problem):
    order, _ = _backward_order(problem)
    return compile_plan(problem, local_partials(problem), order)


def start(problem, plan):
    return [problem.params[k].value for k in plan.params]


@pytest.mark.parametrize("path", TRAINABLE, ids=[p.name for p in TRAINABLE])
def test_plan_equals_the_engine(path):
    problem = load_problem(path)
    plan = plan_of(problem)
    sol = solve(problem)
    loss, grads = plan.run(start(problem, plan), plan.rows(problem), problem.batch == "mean")
    assert loss == pytest.approx(sol.loss, rel=1e-15, abs=1e-300)
    for name, g in zip(plan.params, grads):
        assert g == pytest.approx(sum(sol.grads[name]), rel=1e-13, abs=1e-16), name


def test_a_subset_of_samples_is_the_loss_of_that_subset():
    problem = load_problem_text(BATCH)
    plan = plan_of(problem)
    values = {p.name: p.value for p in problem.params.values()}
    for picked in ([0], [1], [1, 0]):
        loss, _ = plan.run(start(problem, plan), plan.rows(problem, picked), mean=True)
        per_sample = forward(problem, values)[problem.loss]
        assert loss == pytest.approx(sum(per_sample[s] for s in picked) / len(picked), rel=1e-15)
    full, _ = plan.run(start(problem, plan), plan.rows(problem), mean=True)
    assert full == pytest.approx(batch_total(problem, forward(problem, values)[problem.loss]), rel=1e-15)


def test_updated_parameters_give_the_engine_loss_after_the_update():
    problem = load_problem("problems/mazur.yaml")
    plan = plan_of(problem)
    params = start(problem, plan)
    _, grads = plan.run(params, plan.rows(problem), mean=False)
    lr = problem.learning_rate
    new = [p if n in problem.frozen else p - lr * g for n, p, g in zip(plan.params, params, grads)]
    after, _ = plan.run(new, plan.rows(problem), mean=False)
    assert after == pytest.approx(solve(problem).loss_after, rel=1e-15)


EQ = """
title: t
inputs: {{x: {x}}}
targets: {{y: 0.5}}
params: {{w: {w}}}
equations:
  p: {formula}
outputs: {{p: y}}
loss: {{type: squared_error, factor: 0.5, reduction: sum}}
training: {{learning_rate: 0.1}}
"""


@pytest.mark.parametrize("formula,x,w", [("log(w*x)", 1.0, -1.0), ("w/x", 0.0, 1.0), ("exp(w*x)", 1000.0, 1.0)])
def test_trouble_inside_the_plan_is_reported_for_the_engine_to_explain(formula, x, w):
    problem = load_problem_text(EQ.format(formula=formula, x=1.0, w=0.5))
    plan = plan_of(problem)
    rows = [(x, 0.5)]
    with pytest.raises(PlanFailed):
        plan.run([w], rows, mean=False)
