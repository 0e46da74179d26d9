"""Numerics: extreme inputs, exact 0/1 predictions under a log, float64, batches, tied and frozen parameters."""
from __future__ import annotations

import math

import numpy as np
import pytest

from backprop_cli.engine import batch_total, forward, solve
from backprop_cli.errors import DomainError, ProblemError
from backprop_cli.formula.calculus import diff, evaluate, evaluate_array
from backprop_cli.formula.tree import Call, Var, call
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.solution import GradStep, UpdateStep

from problem_files import problem_files

PROBLEMS = problem_files()
EXTREMES = [-1000.0, -745.0, -40.0, 40.0, 745.0, 1000.0]


def value_and_partials(expr: Call, args: list, wrt: list | None = None) -> tuple[np.ndarray, list]:
    """The value and every ∂/∂a_i as the engine evaluates them (out bound to the value)."""
    env = {f"a{i}": float(x) for i, x in enumerate(args)}
    out = evaluate(expr, env)
    env["out"] = out
    wrt = list(range(len(args))) if wrt is None else wrt
    partials = [evaluate(diff(expr, f"a{i}", Var("out")), env) for i in wrt]
    # The numpy twins (batches, whole layers) must agree, with no silent inf/nan on the way.
    arrays = {k: np.array([v]) for k, v in env.items()}
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        twin = [evaluate_array(f, arrays) for f in (expr, *(diff(expr, f"a{i}", Var("out")) for i in wrt))]
    for got, want in zip(twin, [out, *partials]):
        assert float(np.ravel(got)[0]) == pytest.approx(want, rel=1e-13, abs=1e-300)
    return np.array([out]), [np.array([d]) for d in partials]


def assert_finite(*arrays) -> None:
    for a in arrays:
        assert np.all(np.isfinite(a)), a


# ---------------------------------------------------------------- registry at extreme inputs

@pytest.mark.parametrize("z", EXTREMES)
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus", "silu"])
def test_saturating_activations_stay_finite(name, z):
    out, (d,) = value_and_partials(call(name, Var("a0")), [z])
    assert_finite(out, d)
    if name in ("sigmoid", "tanh"):
        lo = 0.0 if name == "sigmoid" else -1.0
        assert lo <= out[0] <= 1.0
        assert 0.0 <= d[0] <= 1.0
    if name == "softplus":
        assert out[0] == pytest.approx(max(z, 0.0), abs=1e-12)  # log(1 + e^z) → max(z, 0)


def test_sigmoid_tails_are_exact_not_cancelled():
    out, (d,) = value_and_partials(call("sigmoid", Var("a0")), [-700.0])
    assert out[0] == pytest.approx(math.exp(-700.0), rel=1e-12)  # not 0 from 1 − 1
    assert d[0] == pytest.approx(math.exp(-700.0), rel=1e-12)


@pytest.mark.parametrize("logits", [(1000.0, -1000.0), (1000.0, 999.0), (-1000.0, -1000.0),
                                    (1000.0, 0.0, -1000.0), (745.0, 745.0, 745.0, -745.0)])
def test_softmax_stays_finite_and_normalised(logits):
    k = len(logits)
    args = [Var(f"a{i}") for i in range(k)]
    outs = []
    for index in range(1, k + 1):
        out, partials = value_and_partials(Call("softmax", tuple(args), (("index", float(index)),)), list(logits))
        assert_finite(out, *partials)
        assert sum(p[0] for p in partials) == pytest.approx(0.0, abs=1e-12)  # shift invariance
        outs.append(out[0])
    assert sum(outs) == pytest.approx(1.0, rel=1e-15)
    z = np.array(logits)
    ref = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    np.testing.assert_allclose(outs, ref, rtol=1e-15)


@pytest.mark.parametrize("name", ["binary_cross_entropy", "categorical_cross_entropy"])
@pytest.mark.parametrize("p,t", [(1e-300, 1.0), (1e-300, 0.5), (1 - 1e-16, 1.0), (0.0, 0.0), (1.0, 1.0),
                                 (1e-300, 0.0)])
def test_log_losses_stay_finite_where_no_log_of_zero_is_taken(name, p, t):
    if name == "binary_cross_entropy" and p == 1.0 and t < 1:
        pytest.skip("a log of 0 is taken")
    expr = call(name, Var("a0"), Var("a1"))
    out, (d,) = value_and_partials(expr, [p, t], wrt=[0])
    assert_finite(out, d)
    assert out[0] >= 0.0
    if (p, t) == (1e-300, 1.0):
        assert out[0] == pytest.approx(300 * math.log(10), rel=1e-12)
        assert d[0] == pytest.approx(-1e300, rel=1e-12)
    if p == t:
        assert out[0] == 0.0


@pytest.mark.parametrize("name,p,t", [("binary_cross_entropy", 0.0, 1.0), ("binary_cross_entropy", 0.0, 0.3),
                                      ("binary_cross_entropy", 1.0, 0.0), ("binary_cross_entropy", 1.0, 0.7),
                                      ("categorical_cross_entropy", 0.0, 1.0),
                                      ("categorical_cross_entropy", 0.0, 0.2)])
def test_log_losses_refuse_a_log_of_zero(name, p, t):
    with pytest.raises(DomainError, match=f"exactly {int(p)}"):
        evaluate(call(name, Var("a0"), Var("a1")), {"a0": p, "a1": t})
    with pytest.raises(DomainError, match=f"exactly {int(p)}"):
        evaluate_array(call(name, Var("a0"), Var("a1")), {"a0": np.array([p]), "a1": np.array([t])})


# ---------------------------------------------------------------- problems: exact 0/1 predictions

def equation_problem(formula: str, target: float, loss: str = "type: binary_cross_entropy", w: float = 1.0,
                     x: float = 1.0, lr: float = 0.1) -> str:
    return f"""
title: one prediction
inputs: {{x: {x}}}
targets: {{y: {target}}}
params: {{w: {w}}}
equations:
  p: "{formula}"
outputs: {{p: y}}
loss: {{{loss}, reduction: sum}}
training: {{learning_rate: {lr}}}
"""


@pytest.mark.parametrize("formula,w,target,which", [
    ("sigmoid(w*x)", 50.0, 0.0, "1"),       # σ(50) is exactly 1.0 in float64
    ("sigmoid(w*x)", 1000.0, 0.4, "1"),
    ("sigmoid(w*x)", -1000.0, 1.0, "0"),    # σ(−1000) is exactly 0.0
    ("w*x", 1.0, 0.0, "1"),
    ("w*x", 0.0, 1.0, "0"),
])
def test_bce_prediction_of_exactly_0_or_1_under_a_log_is_a_problem_error(formula, w, target, which):
    problem = load_problem_text(equation_problem(formula, target, w=w), "exact.yaml")
    with pytest.raises(ProblemError) as info:
        solve(problem)
    message = str(info.value)
    assert message.startswith("exact.yaml:")
    assert f"exactly {which}" in message
    assert "nan" not in message.lower() and "inf" not in message.lower()


def test_cce_prediction_of_exactly_0_is_a_problem_error():
    problem = load_problem_text(equation_problem("w*x", 1.0, loss="type: categorical_cross_entropy", w=0.0))
    with pytest.raises(ProblemError, match="exactly 0"):
        solve(problem)


def test_prediction_of_exactly_0_or_1_is_fine_where_no_log_is_taken():
    for formula, w, target in [("sigmoid(w*x)", 50.0, 1.0), ("w*x", 0.0, 0.0), ("w*x", 1.0, 1.0)]:
        sol = solve(load_problem_text(equation_problem(formula, target, w=w)))
        assert sol.loss == 0.0
        assert all(math.isfinite(g) for gs in sol.grads.values() for g in gs)
        assert math.isfinite(sol.loss_after)


def test_an_update_that_lands_on_exactly_0_under_a_log_is_a_problem_error():
    # p = w = 0.5, y = 0.25: ∂L/∂w = (p − y)/(p(1 − p)) = 1, and η = 0.5 puts p⁺ at exactly 0
    problem = load_problem_text(equation_problem("w*x", 0.25, w=0.5, lr=0.5))
    with pytest.raises(ProblemError, match="exactly 0"):
        solve(problem)


def test_overflow_is_a_problem_error_not_inf():
    problem = load_problem_text(equation_problem("exp(w*x)", 1.0, loss="type: squared_error, factor: 0.5", w=1000.0))
    with pytest.raises(ProblemError, match="not finite"):
        solve(problem)


# ---------------------------------------------------------------- float64

@pytest.mark.parametrize("path", PROBLEMS, ids=[p.name for p in PROBLEMS])
def test_every_forward_value_is_float64(path):
    problem = load_problem(path)
    if not problem.numeric:
        pytest.skip("symbolic problem: no values")
    env = forward(problem)
    for name, value in env.items():
        assert isinstance(value, tuple) and all(type(x) is float for x in value), name  # float is float64
        assert len(value) == problem.n_samples, name
    sol = solve(problem)
    for table in (sol.values, sol.grads):
        for name, values in table.items():
            assert all(type(x) is float for x in values), name  # plain floats past the engine


def test_integer_inputs_and_weights_become_float64():
    problem = load_problem_text(equation_problem("w*x", 1, loss="type: squared_error, factor: 1", w=3, x=2))
    env = forward(problem)
    assert all(type(x) is float for v in env.values() for x in v)
    # 1/3 would be 0 in integer arithmetic
    sol = solve(load_problem_text(equation_problem("w/x", 1, loss="type: squared_error, factor: 1", w=1, x=3)))
    assert sol.values["p"][0] == pytest.approx(1 / 3, rel=1e-15)


# ---------------------------------------------------------------- batches

BATCH = """
title: a batch of three
samples:
  - inputs: {{x1: 0.5, x2: -1.0}}
    targets: {{y: 0.2}}
  - inputs: {{x1: 1.5, x2: 0.3}}
    targets: {{y: 0.9}}
  - inputs: {{x1: -0.7, x2: 0.8}}
    targets: {{y: 0.4}}
params: {{b1: 0.1, b2: -0.2, c: 0.05}}
layers:
  - neurons: [h1, h2]
    activation: tanh
    weights: {{orientation: inputs_by_neurons, values: [[0.3, -0.5], [0.8, 0.2]]}}
    bias: [b1, b2]
  - neurons: [p]
    activation: sigmoid
    weights: {{orientation: inputs_by_neurons, values: [[0.7], [-1.1]]}}
    bias: c
outputs: {{p: y}}
loss: {{type: squared_error, factor: 0.5, reduction: sum, batch: {batch}}}
training: {{learning_rate: 0.3}}
"""


def batch_numpy(reduce):
    X = np.array([[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8]])
    y = np.array([0.2, 0.9, 0.4])
    W1, b1 = np.array([[0.3, -0.5], [0.8, 0.2]]), np.array([0.1, -0.2])
    W2, c = np.array([0.7, -1.1]), 0.05
    H = np.tanh(X @ W1 + b1)
    p = 1 / (1 + np.exp(-(H @ W2 + c)))
    per = 0.5 * (p - y) ** 2
    scale = 1 / len(y) if reduce == "mean" else 1.0
    d_out = (p - y) * p * (1 - p) * scale
    d_hidden = np.outer(d_out, W2) * (1 - H ** 2)
    grads = {"w2_1_1": d_out @ H[:, 0], "w2_2_1": d_out @ H[:, 1], "c": d_out.sum(),
             "b1": d_hidden[:, 0].sum(), "b2": d_hidden[:, 1].sum()}
    for i in range(2):
        for j in range(2):
            grads[f"w1_{i + 1}_{j + 1}"] = d_hidden[:, j] @ X[:, i]
    return per, (per.mean() if reduce == "mean" else per.sum()), grads


@pytest.mark.parametrize("reduce", ["mean", "sum"])
def test_batch_loss_and_gradients(reduce, fd_grads):
    problem = load_problem_text(BATCH.format(batch=reduce))
    assert problem.n_samples == 3 and problem.batch == reduce
    sol = solve(problem)
    per, total, want = batch_numpy(reduce)
    np.testing.assert_allclose(sol.values["L"], per, rtol=1e-14)
    assert sol.loss == pytest.approx(total, rel=1e-14)
    steps = {s.node: s for s in sol.of(GradStep)}
    numeric = fd_grads(problem)
    assert set(want) == set(problem.params) == set(numeric)
    for name in problem.params:
        assert steps[name].total == pytest.approx(want[name], rel=1e-12, abs=1e-15), name
        assert steps[name].total == pytest.approx(numeric[name], rel=1e-6, abs=1e-10), name
        assert len(steps[name].values) == 3
        assert steps[name].total == pytest.approx(sum(steps[name].values), rel=1e-14)


def test_batch_sum_is_n_times_batch_mean():
    mean = solve(load_problem_text(BATCH.format(batch="mean")))
    total = solve(load_problem_text(BATCH.format(batch="sum")))
    assert total.loss == pytest.approx(3 * mean.loss, rel=1e-14)
    for name in mean.problem.params:
        assert sum(total.grads[name]) == pytest.approx(3 * sum(mean.grads[name]), rel=1e-12)


# ---------------------------------------------------------------- tied parameters

TIED_EDGES = """
title: one weight on two edges
inputs: {x1: 0.6, x2: -0.4}
targets: {y: 0.3}
neurons:
  h1: {activation: sigmoid}
  h2: {activation: tanh}
  p: {activation: identity}
edges:
  w: [x1 -> h1 = 0.5, x2 -> h2]
  u1: h1 -> p = 0.8
  u2: h2 -> p = -0.6
outputs: {p: y}
loss: {type: squared_error, factor: 1, reduction: sum}
training: {learning_rate: 0.1}
"""


def test_tied_parameter_gets_the_sum_over_its_uses(fd_grads):
    problem = load_problem_text(TIED_EDGES)
    sol = solve(problem)
    (step,) = [s for s in sol.of(GradStep) if s.node == "w"]
    assert sorted(t.via for t in step.terms) == ["z_h1", "z_h2"]
    assert step.total == pytest.approx(sum(t.contribution[0] for t in step.terms), rel=1e-15)
    # independent: p = 0.8·σ(w·x1) − 0.6·tanh(w·x2), L = (p − y)²
    w, x1, x2, y = 0.5, 0.6, -0.4, 0.3
    s, t = 1 / (1 + math.exp(-w * x1)), math.tanh(w * x2)
    p = 0.8 * s - 0.6 * t
    via_h1 = 2 * (p - y) * 0.8 * s * (1 - s) * x1
    via_h2 = 2 * (p - y) * -0.6 * (1 - t ** 2) * x2
    terms = {t_.via: t_.contribution[0] for t_ in step.terms}
    assert terms["z_h1"] == pytest.approx(via_h1, rel=1e-12)
    assert terms["z_h2"] == pytest.approx(via_h2, rel=1e-12)
    assert step.total == pytest.approx(fd_grads(problem)["w"], rel=1e-6, abs=1e-10)
    assert sol.new_params["w"] == pytest.approx(w - 0.1 * (via_h1 + via_h2), rel=1e-14)


def test_tied_parameter_in_one_formula(fd_grads):
    text = TIED_EDGES.replace("w: [x1 -> h1 = 0.5, x2 -> h2]", "w: [x1 -> h1 = 0.5, x2 -> h1]\n  w2: x2 -> h2 = 0.3")
    problem = load_problem_text(text)
    sol = solve(problem)
    (step,) = [s for s in sol.of(GradStep) if s.node == "w"]
    assert [t.via for t in step.terms] == ["z_h1"]
    (term,) = step.terms
    assert term.local_values[0] == pytest.approx(0.6 + -0.4, rel=1e-14)  # ∂(w·x1 + w·x2)/∂w
    assert step.total == pytest.approx(fd_grads(problem)["w"], rel=1e-6, abs=1e-10)


def test_tied_weight_names_in_a_layer(fd_grads):
    text = """
title: a shared weight matrix entry
inputs: {x1: 0.2, x2: 0.9}
targets: {y1: 0.1, y2: 0.7}
layers:
  - neurons: [o1, o2]
    activation: sigmoid
    weights:
      orientation: inputs_by_neurons
      names: [[a, s], [s, b]]
      values: [[0.4, -0.3], [-0.3, 0.6]]
outputs: {o1: y1, o2: y2}
loss: {type: squared_error, factor: 0.5, reduction: sum}
training: {learning_rate: 0.5}
"""
    problem = load_problem_text(text)
    sol = solve(problem)
    (step,) = [s for s in sol.of(GradStep) if s.node == "s"]
    assert len(step.terms) == 2
    numeric = fd_grads(problem)
    for name in problem.params:
        assert sum(sol.grads[name]) == pytest.approx(numeric[name], rel=1e-6, abs=1e-10), name


# ---------------------------------------------------------------- frozen parameters

def test_frozen_parameters_are_unchanged_and_the_rest_are_updated():
    text = BATCH.format(batch="mean").replace("training: {learning_rate: 0.3}",
                                              "training: {learning_rate: 0.3, frozen: [c, w1_1_1]}")
    problem = load_problem_text(text)
    assert problem.frozen == {"c", "w1_1_1"}
    sol = solve(problem)
    _, _, want = batch_numpy("mean")
    updates = {u.param: u for u in sol.of(UpdateStep)}
    for name, p in problem.params.items():
        u = updates[name]
        assert u.grad == pytest.approx(want[name], rel=1e-12, abs=1e-15)  # still reported
        if name in problem.frozen:
            assert u.frozen and u.new == p.value and sol.new_params[name] == p.value
        else:
            assert not u.frozen and u.new == p.value - 0.3 * u.grad
    env = forward(problem, sol.new_params)
    assert sol.loss_after == pytest.approx(batch_total(problem, env["L"]), rel=1e-15)
    unfrozen = solve(load_problem_text(BATCH.format(batch="mean")))
    assert sol.loss_after != pytest.approx(unfrozen.loss_after, rel=1e-9)
