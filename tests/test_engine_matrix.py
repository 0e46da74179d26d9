"""The matrix path (matrix.py) against the scalar path, and against an independent numpy reference.

Both paths solve the same problem from the same registry: where both apply they must agree to 1e-12
(|matrix − scalar| ≤ 1e-12·max(1, |scalar|)) on every value, every gradient of every sample, every
parameter's total gradient and every updated parameter. A large network, too slow for the scalar path,
is checked against a forward and backward pass written here in numpy from the YAML alone.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backprop_cli import matrix
from backprop_cli.engine import as_matrices, solve
from backprop_cli.errors import ProblemError
from backprop_cli.keys.keyfile import quantities
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.starter import starter

from helpers import invoke
from problem_files import problem_files

TOL = 1e-12


def _one_step(problem):
    """The problem as one plain gradient step: the form both paths solve."""
    training = problem.training
    if training is not None and not training.plain:
        return dataclasses.replace(problem, training=None)
    return problem


def _close(a, b, what: str) -> None:
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape, what
    assert np.all(np.abs(a - b) <= TOL * np.maximum(1.0, np.abs(b))), f"{what}: {a} vs {b}"


def assert_paths_agree(problem) -> None:
    """Values, per-sample gradients, totals, updates and losses: matrix path against scalar path."""
    problem = _one_step(problem)
    scalar, mat = solve(problem, form="full"), solve(problem, form="summary")
    assert mat.totals and not scalar.totals  # each path really ran
    for name in scalar.values:
        _close(mat.values[name], scalar.values[name], f"value of {name}")
    for name in scalar.grads:
        _close(mat.grads[name], scalar.grads[name], f"∂L/∂{name}")
    for name in problem.params:
        _close(mat.totals[name], sum(scalar.grads[name]), f"total ∂L/∂{name}")
        _close(mat.new_params[name], scalar.new_params[name], f"{name}+")
    _close(mat.loss, scalar.loss, "loss")
    _close(mat.loss_after, scalar.loss_after, "loss after")
    a, b = quantities(scalar), quantities(mat)
    assert list(a) == list(b)  # an answer key is the same file whichever path wrote it
    _close([b[k] for k in a], list(a.values()), "answer-key quantities")


MATRIX_FILES = [p for p in problem_files() if matrix.applies(load_problem(p))]


def test_every_network_example_but_the_sparse_one_has_a_matrix_form() -> None:
    """Every layers-form example, and every edges-form one whose neurons form fully connected blocks."""
    forms = {p.stem: next(k for k in ("layers", "edges", "equations", "expression")
                          if k in yaml.safe_load(p.read_text())) for p in problem_files()}
    assert {p.stem for p in MATRIX_FILES} >= {s for s, f in forms.items() if f == "layers"} - {"seed004_symbolic"}
    assert {"batch_two_samples", "seed000_two_path"} <= {p.stem for p in MATRIX_FILES}  # edges, fully connected


@pytest.mark.parametrize("path", MATRIX_FILES, ids=lambda p: p.stem)
def test_matrix_path_agrees_with_scalar_path_on_examples(path) -> None:
    assert_paths_agree(load_problem(path))


ACTIVATIONS = ["sigmoid", "tanh", "relu", "identity", "softplus", "silu",
               {"name": "leaky_relu", "slope": 0.1}, {"name": "elu", "alpha": 0.7}]


@st.composite
def layer_networks(draw) -> str:
    """A random layers-form problem: widths, activations (per layer or per neuron), biases shared, per neuron
    or absent, either orientation, sometimes a tied weight or a frozen parameter, a batch, one of the losses."""
    widths = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    loss = draw(st.sampled_from(["squared_error", "binary_cross_entropy", "categorical_cross_entropy"]))
    if loss == "categorical_cross_entropy" and widths[-1] < 2:
        widths[-1] = 2
    n = draw(st.integers(1, 3))
    num = st.floats(-1.5, 1.5, allow_nan=False).map(lambda x: round(x, 3))
    x_names = [f"x{i + 1}" for i in range(widths[0])]
    params: dict = {}
    layers, previous = [], x_names
    for k, width in enumerate(widths[1:], start=1):
        last = k == len(widths) - 1
        neurons = [f"o{j + 1}" if last else f"h{k}_{j + 1}" for j in range(width)]
        if last and loss == "categorical_cross_entropy":
            act = "softmax"
        elif last and loss == "binary_cross_entropy":
            act = "sigmoid"
        elif draw(st.booleans()):
            act = [draw(st.sampled_from(ACTIVATIONS)) for _ in neurons]
        else:
            act = draw(st.sampled_from(ACTIVATIONS))
        orient = draw(st.sampled_from(["inputs_by_neurons", "neurons_by_inputs"]))
        rows, cols = (len(previous), width) if orient == "inputs_by_neurons" else (width, len(previous))
        values = [[draw(num) for _ in range(cols)] for _ in range(rows)]
        weights: dict = {"orientation": orient, "values": values}
        if draw(st.booleans()) and rows * cols > 1:  # a tied weight: one name in two places, one value
            names = [[f"w{k}_{r}_{c}" for c in range(cols)] for r in range(rows)]
            names[-1][-1] = names[0][0]
            values[-1][-1] = values[0][0]
            weights["names"] = names
        layer: dict = {"name": f"layer {k}", "neurons": neurons, "activation": act, "weights": weights}
        bias = draw(st.sampled_from(["shared", "each", "none"]))
        if bias == "shared":
            layer["bias"] = f"b{k}"
            params[f"b{k}"] = draw(num)
        elif bias == "each":
            layer["bias"] = [f"c{k}_{j + 1}" for j in range(width)]
            params.update({f"c{k}_{j + 1}": draw(num) for j in range(width)})
        layers.append(layer)
        previous = neurons
    y_names = [f"y{j + 1}" for j in range(widths[-1])]

    def target() -> dict:
        if loss == "categorical_cross_entropy":
            hot = draw(st.integers(0, len(y_names) - 1))
            return {y: float(j == hot) for j, y in enumerate(y_names)}
        values = st.sampled_from([0.0, 1.0]) if loss == "binary_cross_entropy" else num
        return {y: draw(values) for y in y_names}

    samples = [{"inputs": {x: draw(num) for x in x_names}, "targets": target()} for _ in range(n)]
    loss_spec: dict = {"type": loss, "reduction": draw(st.sampled_from(["sum", "mean"])),
                       "batch": draw(st.sampled_from(["mean", "sum"]))}
    if loss == "squared_error":
        loss_spec["factor"] = 0.5
    training: dict = {"learning_rate": draw(st.sampled_from([0.1, 0.5, 1.0]))}
    if params and draw(st.booleans()):
        training["frozen"] = [next(iter(params))]
    doc = {"title": "random", "samples": samples, "params": params, "layers": layers,
           "outputs": dict(zip(previous, y_names)), "loss": loss_spec, "training": training}
    if not params:
        del doc["params"]
    return yaml.dump(doc, Dumper=_NoAliases, sort_keys=False)


class _NoAliases(yaml.SafeDumper):
    """Every value written out: the loader refuses anchors and aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layer_networks())
def test_matrix_path_agrees_with_scalar_path_on_random_networks(text: str) -> None:
    try:
        problem = load_problem_text(text, "random.yaml")
    except ProblemError as exc:  # a drawn network the loader refuses: only for a reason a user could fix
        assert "sum to" not in exc.message, exc.message
        raise
    try:
        solve(problem, form="full")
    except ProblemError:  # e.g. a log of an output that rounded to 0 or 1: the matrix path must refuse too
        with pytest.raises(ProblemError):
            solve(problem, form="summary")
        return
    assert_paths_agree(problem)


def test_small_problems_take_the_scalar_path_large_ones_the_matrix_path() -> None:
    small = load_problem("problems/mazur.yaml")
    big = load_problem_text(starter("12-9-3", seed=3), "big.yaml")  # 108 weights and 2 biases
    assert len(big.params) > matrix.SUMMARY_PARAMS >= len(small.params)
    assert not as_matrices(small) and as_matrices(small, "summary") and not as_matrices(big, "full")
    assert as_matrices(big)
    assert solve(big).totals and not solve(small).totals


def _reference(doc: dict):
    """An independent forward and backward pass of a `backprop new` network: sigmoid layers, squared error."""
    samples = doc["samples"]
    x = np.array([list(s["inputs"].values()) for s in samples], float)
    y = np.array([list(s["targets"].values()) for s in samples], float)
    acts, zs, weights = [x], [], []
    for layer in doc["layers"]:
        w = np.array(layer["weights"]["values"], float)
        b = doc["params"][layer["bias"]]
        z = acts[-1] @ w + b
        zs.append(z)
        weights.append(w)
        acts.append(1.0 / (1.0 + np.exp(-z)))
    n = len(samples)
    loss = (0.5 * (acts[-1] - y) ** 2).sum() / n
    d_a = (acts[-1] - y) / n
    d_w, d_b = [], []
    for k in range(len(weights) - 1, -1, -1):
        delta = d_a * acts[k + 1] * (1 - acts[k + 1])
        d_w.insert(0, acts[k].T @ delta)
        d_b.insert(0, delta.sum())
        d_a = delta @ weights[k].T
    return loss, zs, acts[1:], weights, d_w, d_b


def _rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def test_a_784_64_10_network_agrees_with_an_independent_numpy_reference() -> None:
    text = starter("784-64-10", batch=32, seed=7)
    doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    problem = load_problem_text(text, "mnist.yaml")
    assert len(problem.params) == 784 * 64 + 64 * 10 + 2
    sol = solve(problem)
    loss, zs, acts, weights, d_w, d_b = _reference(doc)
    assert _rel(sol.loss, loss) <= 1e-10
    for k, d in enumerate(problem.dense):
        assert _rel(np.column_stack([sol.values[z] for z in d.zs]), zs[k]) <= 1e-10
        assert _rel(np.column_stack([sol.values[a] for a in d.outs]), acts[k]) <= 1e-10
        got = np.array([[sol.totals[w] for w in row] for row in d.weights])
        # relative to the largest entry: a gradient that is 0 up to rounding has no relative digits
        assert np.max(np.abs(got - d_w[k])) <= 1e-10 * np.max(np.abs(d_w[k]))
        assert _rel(sol.totals[d.biases[0]], d_b[k]) <= 1e-10
        lr = problem.learning_rate
        new = np.array([[sol.new_params[w] for w in row] for row in d.weights])
        assert _rel(new, weights[k] - lr * d_w[k]) <= 1e-10


def test_per_sample_parameter_gradients_add_up_to_the_total() -> None:
    problem = load_problem_text(starter("20-8-3", batch=5, seed=2), "mid.yaml")
    sol = solve(problem)
    for name in ("w1_1_1", "w2_8_3", "b1", "b2"):
        assert len(sol.grads[name]) == 5
        assert abs(sum(sol.grads[name]) - sol.totals[name]) <= 1e-12 * max(1.0, abs(sol.totals[name]))


def test_training_and_gradient_check_on_a_matrix_solution_are_refused_clearly() -> None:
    text = starter("12-9-3", seed=3).replace("  learning_rate: 0.5", "  learning_rate: 0.5\n  steps: 5")
    problem = load_problem_text(text, "train.yaml")
    with pytest.raises(ProblemError, match="training beyond one plain gradient step works on networks shown"):
        solve(problem)
    plain = load_problem_text(starter("12-9-3", seed=3), "big.yaml")
    with pytest.raises(ProblemError, match="--gradient-check works on networks shown step by step"):
        solve(plain, gradient_check=True)
    assert solve(plain, gradient_check=True, form="full").totals == {}


def test_full_and_summary_together_are_a_usage_error() -> None:
    result = invoke("solve", "problems/mazur.yaml", "--full", "--summary")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: --full and --summary ask for opposite forms: give one of them"


def test_starter_draws_are_reproducible_and_sized() -> None:
    a, b = starter("30-5-2", batch=4, seed=11), starter("30-5-2", batch=4, seed=11)
    assert a == b and a != starter("30-5-2", batch=4, seed=12)
    problem = load_problem_text(a, "s.yaml")
    assert problem.n_samples == 4 and len(problem.inputs) == 30
    bound = 30 ** -0.5
    assert all(abs(problem.params[w].value) <= bound + 1e-4 for row in problem.dense[0].weights for w in row)


def _peak(layers: str, batch: int) -> tuple[int, int]:
    """(parameters × samples + parameters, peak bytes allocated) of loading and solving one network."""
    import tracemalloc

    text = starter(layers, batch=batch, seed=5)
    tracemalloc.start()
    try:
        problem = load_problem_text(text, "m.yaml")
        sol = solve(problem)
        assert sol.totals
        return len(problem.params) * (batch + 1), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_grows_linearly_in_parameters_and_samples() -> None:
    size, peak = _peak("100-30-10", 4)
    for layers, batch in (("400-30-10", 4), ("100-30-10", 16)):
        bigger, bigger_peak = _peak(layers, batch)
        # linear: the peak grows no faster than the work (parameters × samples); quadratic growth would be 16×
        assert bigger_peak / peak <= 1.3 * bigger / size, (layers, batch, bigger_peak / peak, bigger / size)


def test_the_key_of_a_matrix_form_network_is_small_and_checks(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "big.yaml").write_text(starter("200-30-10", batch=4, seed=9), encoding="utf-8")
    written = invoke("key", "big.yaml")
    assert written.exit_code == 0, written.stderr
    key = yaml.safe_load((tmp_path / "big.key.yaml").read_text(encoding="utf-8"))["values"]
    sol = solve(load_problem(tmp_path / "big.yaml"))
    every = quantities(sol)
    assert written.stdout.strip() == f"wrote big.key.yaml ({len(key)} quantities)"
    expected = {"o1[1]", "z_o10[4]", "L_o3[2]", "L", "L+", "dL/db1", "b2+", "dL/dw1_1_1", "w1_200_30+",
                "dL/dw2_30_10", "dL/do1[3]", "dL/dz_o10[1]"}
    assert expected <= set(key) and len(key) < len(every) / 10
    assert all(key[k] == every[k] for k in key)  # the solver's own numbers, at full precision
    assert invoke("check", "big.yaml").exit_code == 0
    text = (tmp_path / "big.key.yaml").read_text(encoding="utf-8")
    (tmp_path / "big.key.yaml").write_text(text.replace(f"  dL/db1: {key['dL/db1']!r}", "  dL/db1: 0.5"),
                                           encoding="utf-8")
    failed = invoke("check", "big.yaml")
    assert failed.exit_code == 1 and "dL/db1" in failed.stdout
