"""Training with every optimizer against an independent numpy implementation written in this file.

The reference follows the formulas of the README's table (PyTorch's conventions) and the documented
mini-batch schedule, with its own forward and backward pass in numpy matrices, on Mazur's network
(full batch) and on a batch problem in epochs of mini-batches whose size does not divide the sample
count, shuffled and not. Losses after every step and the final parameters agree to 1e-12.
"""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from backprop_cli.engine import _backward_order, local_partials, solve
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.loop import compile_loop
from backprop_cli.optimizers import Optimizer, OptimizerSpec
from backprop_cli.plan import compile_plan, sample_rows
from backprop_cli.solution import HistoryStep, ShownStep

ROOT = Path(__file__).resolve().parent.parent
HYPER = {
    "sgd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.8},
    "rmsprop": {"alpha": 0.99, "eps": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}
RATES = {"sgd": 0.5, "momentum": 0.1, "nesterov": 0.1, "rmsprop": 0.01, "adam": 0.05}


class Reference:
    """One optimizer over a vector of parameters, from the README's formulas; frozen ones never move."""

    def __init__(self, name: str, lr: float, size: int, frozen: np.ndarray):
        self.name, self.h, self.lr, self.frozen = name, HYPER[name], lr, frozen
        self.v, self.m, self.s, self.t = np.zeros(size), np.zeros(size), np.zeros(size), 0

    def step(self, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        self.t += 1
        h, lr, g = self.h, self.lr, np.where(self.frozen, 0.0, g)
        if self.name == "sgd":
            new = w - lr * g
        elif self.name in ("momentum", "nesterov"):
            self.v = h["momentum"] * self.v + g  # v starts at 0: the first v is the first g
            new = w - lr * (self.v if self.name == "momentum" else g + h["momentum"] * self.v)
        elif self.name == "rmsprop":
            self.s = h["alpha"] * self.s + (1 - h["alpha"]) * g ** 2
            new = w - lr * g / (np.sqrt(self.s) + h["eps"])
        else:
            self.m = h["beta1"] * self.m + (1 - h["beta1"]) * g
            self.s = h["beta2"] * self.s + (1 - h["beta2"]) * g ** 2
            m_hat, s_hat = self.m / (1 - h["beta1"] ** self.t), self.s / (1 - h["beta2"] ** self.t)
            new = w - lr * m_hat / (np.sqrt(s_hat) + h["eps"])
        return np.where(self.frozen, w, new)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def two_layers(w: dict, X: np.ndarray, Y: np.ndarray, hidden, output, mean: bool) -> tuple[float, dict]:
    """A dense two-layer network with squared error ½Σ(ŷ − y)²: the batch loss and ∂loss/∂each weight matrix.

    w holds W1 (inputs × neurons), b1, W2, b2 as arrays; hidden and output are (f, f' from f's output).
    """
    (f1, d1), (f2, d2) = hidden, output
    H = f1(X @ w["W1"] + w["b1"])
    P = f2(H @ w["W2"] + w["b2"])
    scale = 1.0 / len(X) if mean else 1.0
    loss = scale * float(np.sum(0.5 * (P - Y) ** 2))
    dZ2 = scale * (P - Y) * d2(P)
    dZ1 = (dZ2 @ w["W2"].T) * d1(H)
    return loss, {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": H.T @ dZ2, "b2": dZ2.sum(axis=0)}


SIGMOID = (sigmoid, lambda a: a * (1 - a))
TANH = (np.tanh, lambda a: 1 - a ** 2)


def reference_training(w: dict, names: dict, frozen: set, X, Y, batches, name: str, lr: float, hidden,
                       mean: bool = True) -> tuple[list[float], dict]:
    """The loss over all samples after 0 … len(batches) steps, and every parameter after the last one."""
    shapes = {k: a.shape for k, a in w.items()}
    flat_names = [n for k in w for n in np.asarray(names[k]).ravel()]
    mask = np.array([n in frozen for n in flat_names])
    opt = Reference(name, lr, len(flat_names), mask)

    def flat(d: dict) -> np.ndarray:
        return np.concatenate([np.asarray(d[k], float).ravel() for k in w])

    def unflat(v: np.ndarray) -> dict:
        out, at = {}, 0
        for k, shape in shapes.items():
            size = int(np.prod(shape))
            out[k] = v[at:at + size].reshape(shape)
            at += size
        return out

    losses = [two_layers(w, X, Y, hidden, SIGMOID, mean)[0]]
    for batch in batches:
        _, g = two_layers(w, X[batch], Y[batch], hidden, SIGMOID, mean)
        w = unflat(opt.step(flat(w), flat(g)))
        losses.append(two_layers(w, X, Y, hidden, SIGMOID, mean)[0])
    return losses, dict(zip(flat_names, flat(w)))


def mazur_reference(name: str, steps: int) -> tuple[list[float], dict]:
    """Mazur's network from its YAML, trained full-batch by the reference."""
    import yaml

    doc = yaml.safe_load((ROOT / "problems" / "mazur.yaml").read_text(encoding="utf-8"))
    hidden, output = doc["layers"]
    w = {"W1": np.array(hidden["weights"]["values"], float), "b1": np.full(2, doc["params"]["b1"]),
         "W2": np.array(output["weights"]["values"], float), "b2": np.full(2, doc["params"]["b2"])}
    names = {"W1": hidden["weights"]["names"], "b1": ["b1", "b1_"], "W2": output["weights"]["names"],
             "b2": ["b2", "b2_"]}
    X = np.array([[doc["inputs"]["i1"], doc["inputs"]["i2"]]])
    Y = np.array([[doc["targets"]["target_o1"], doc["targets"]["target_o2"]]])
    # one bias per layer, shared by its neurons: frozen here as in the file, so sharing never moves them
    return reference_training(w, names, {"b1", "b1_", "b2", "b2_"}, X, Y, [[0]] * steps, name,
                              RATES[name] if name != "sgd" else 0.5, SIGMOID, mean=False)


def mazur_trained(name: str, steps: int, show: str) -> str:
    text = (ROOT / "problems" / "mazur.yaml").read_text(encoding="utf-8")
    optimizer = "{" + ", ".join([f"name: {name}", *(f"{k}: {x}" for k, x in HYPER[name].items())]) + "}"
    lr = RATES[name] if name != "sgd" else 0.5
    return text.replace("  learning_rate: 0.5\n", f"  learning_rate: {lr}\n  steps: {steps}\n  optimizer: {optimizer}\n"
                        f"  show: {show}\n")


def history_and_final(sol) -> tuple[list[float], dict]:
    return list(sol.of(HistoryStep)[0].losses), sol.new_params


@pytest.mark.parametrize("show", ["[]", "[1, 3, last]"])
@pytest.mark.parametrize("name", sorted(HYPER))
def test_mazur_with_every_optimizer_matches_the_reference(name: str, show: str) -> None:
    losses, final = history_and_final(solve(load_problem_text(mazur_trained(name, 12, show), "m.yaml")))
    want_losses, want = mazur_reference(name, 12)
    np.testing.assert_allclose(losses, want_losses, rtol=1e-12, atol=0)
    for k, value in final.items():
        assert value == pytest.approx(want[k], rel=1e-12, abs=1e-15), k


BATCH = """
title: five samples, a 2-3-1 network, mini-batches
samples:
  - {{inputs: {{x1: 0.5, x2: -1.0}}, targets: {{y: 0.2}}}}
  - {{inputs: {{x1: 1.5, x2: 0.25}}, targets: {{y: 0.9}}}}
  - {{inputs: {{x1: -0.3, x2: 0.8}}, targets: {{y: 0.4}}}}
  - {{inputs: {{x1: 0.1, x2: 0.1}}, targets: {{y: 0.6}}}}
  - {{inputs: {{x1: -1.2, x2: -0.7}}, targets: {{y: 0.1}}}}
params: {{c1: 0.1, c2: -0.2, c3: 0.05, c4: 0.3}}
layers:
  - neurons: [h1, h2, h3]
    activation: tanh
    weights: {{orientation: inputs_by_neurons, values: [[0.3, -0.6, 0.2], [0.5, 0.1, -0.4]]}}
    bias: [c1, c2, c3]
  - neurons: [p]
    activation: sigmoid
    weights: {{orientation: inputs_by_neurons, values: [[0.7], [-0.5], [0.2]]}}
    bias: c4
outputs: {{p: y}}
loss: {{type: squared_error, factor: 0.5, reduction: sum, batch: mean}}
training:
  learning_rate: {lr}
  epochs: {epochs}
  batch_size: {size}
{shuffle}  optimizer: {optimizer}
  frozen: [c3]
  show: {show}
"""
X5 = np.array([[0.5, -1.0], [1.5, 0.25], [-0.3, 0.8], [0.1, 0.1], [-1.2, -0.7]])
Y5 = np.array([[0.2], [0.9], [0.4], [0.6], [0.1]])


def schedule_reference(n: int, epochs: int, size: int, seed: int | None) -> list[list[int]]:
    """The README's schedule: each epoch shuffled by Fisher–Yates from the last position down with
    j = ⌊random()·(i + 1)⌋ from random.Random(seed), or in file order; batch_size at a time."""
    rng = random.Random(seed) if seed is not None else None
    out = []
    for _ in range(epochs):
        order = list(range(n))
        for i in range(n - 1, 0, -1) if rng else ():
            j = int(rng.random() * (i + 1))
            order[i], order[j] = order[j], order[i]
        out += [order[k:k + size] for k in range(0, n, size)]
    return out


@pytest.mark.parametrize("seed", [None, 11])
@pytest.mark.parametrize("name", sorted(HYPER))
def test_mini_batches_with_every_optimizer_match_the_reference(name: str, seed: int | None) -> None:
    """5 samples in mini-batches of 2 (the last of each epoch holds one), 3 epochs, a frozen bias."""
    optimizer = "{" + ", ".join([f"name: {name}", *(f"{k}: {x}" for k, x in HYPER[name].items())]) + "}"
    text = BATCH.format(lr=RATES[name], epochs=3, size=2, optimizer=optimizer, show="[2, last]",
                        shuffle=f"  shuffle: {{seed: {seed}}}\n" if seed is not None else "")
    sol = solve(load_problem_text(text, "batch.yaml"))
    losses, final = history_and_final(sol)
    w = {"W1": np.array([[0.3, -0.6, 0.2], [0.5, 0.1, -0.4]]), "b1": np.array([0.1, -0.2, 0.05]),
         "W2": np.array([[0.7], [-0.5], [0.2]]), "b2": np.array([0.3])}
    names = {"W1": [["w1_1_1", "w1_1_2", "w1_1_3"], ["w1_2_1", "w1_2_2", "w1_2_3"]], "b1": ["c1", "c2", "c3"],
             "W2": [["w2_1_1"], ["w2_2_1"], ["w2_3_1"]], "b2": ["c4"]}
    batches = schedule_reference(5, 3, 2, seed)
    want_losses, want = reference_training(w, names, {"c3"}, X5, Y5, batches, name, RATES[name], TANH)
    assert len(losses) == len(batches) + 1 == 10
    np.testing.assert_allclose(losses, want_losses, rtol=1e-12, atol=0)
    for k, value in final.items():
        assert value == pytest.approx(want[k], rel=1e-12, abs=1e-15), k
    assert [s.samples for s in sol.of(ShownStep)] == [tuple(batches[1]), tuple(batches[-1])]


@pytest.mark.parametrize("name", sorted(HYPER))
def test_the_compiled_loop_updates_as_the_optimizer_does_bit_for_bit(name: str) -> None:
    """loop.compile_loop inlines optimizers.update_source; Optimizer.step is what shown steps use."""
    problem = load_problem(ROOT / "problems" / "batch_two_samples.yaml")
    order, _ = _backward_order(problem)
    partials, spec = local_partials(problem), OptimizerSpec(name, tuple(HYPER[name].items()))
    loop, plan = compile_loop(problem, partials, order, spec, True), compile_plan(problem, partials, order)
    rows = sample_rows(problem, loop.columns)
    start = [problem.params[k].value for k in loop.params]
    optimizer = Optimizer(spec, 0.3)
    P, S, hist = list(start), optimizer.vectors(loop.params), []
    done, t, status = loop.run(P, S, 0, 0.3, [(rows, 0.5)] * 7, hist)
    assert (done, t, status) == (7, 7, 0)
    params = dict(zip(plan.params, start))
    for k in range(7):
        loss, grads = plan.run(list(params.values()), rows, mean=True)
        assert hist[k] == loss
        updates = optimizer.step(params, dict(zip(plan.params, grads)))
        params = {p: u.new for p, u in updates.items()}
    assert P == list(params.values())
    assert S == optimizer.vectors(loop.params)
