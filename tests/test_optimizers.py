"""Each optimizer against an independent numpy implementation written from the issue's formulas."""
from __future__ import annotations

import numpy as np
import pytest

from backprop_cli.optimizers import Optimizer, OptimizerSpec

SPECS = {
    "sgd": {},
    "momentum": {"momentum": 0.9},
    "nesterov": {"momentum": 0.8},
    "rmsprop": {"alpha": 0.99, "eps": 1e-8},
    "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
}


def reference(name: str, h: dict, lr: float, w0: np.ndarray, grads: list[np.ndarray]) -> list[np.ndarray]:
    """PyTorch's update rules, vectorised: the weights after each step."""
    w, v, m, s, out = w0.copy(), None, np.zeros_like(w0), np.zeros_like(w0), []
    for t, g in enumerate(grads, 1):
        if name == "sgd":
            w = w - lr * g
        elif name in ("momentum", "nesterov"):
            v = g.copy() if v is None else h["momentum"] * v + g
            w = w - lr * (v if name == "momentum" else g + h["momentum"] * v)
        elif name == "rmsprop":
            s = h["alpha"] * s + (1 - h["alpha"]) * g ** 2
            w = w - lr * g / (np.sqrt(s) + h["eps"])
        else:
            m = h["beta1"] * m + (1 - h["beta1"]) * g
            s = h["beta2"] * s + (1 - h["beta2"]) * g ** 2
            mhat, shat = m / (1 - h["beta1"] ** t), s / (1 - h["beta2"] ** t)
            w = w - lr * mhat / (np.sqrt(shat) + h["eps"])
        out.append(w.copy())
    return out


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_optimizer_matches_the_reference(name):
    rng = np.random.default_rng(7)
    names = ["w1", "w2", "b"]
    w0 = rng.normal(size=3)
    grads = [rng.normal(size=3) for _ in range(25)]
    spec = OptimizerSpec(name, tuple(SPECS[name].items()))
    opt = Optimizer(spec, 0.05)
    params = dict(zip(names, w0.tolist()))
    for g, want in zip(grads, reference(name, SPECS[name], 0.05, w0, grads)):
        updates = opt.step(params, dict(zip(names, g.tolist())))
        params = {k: u.new for k, u in updates.items()}
        np.testing.assert_allclose([params[k] for k in names], want, rtol=1e-12, atol=1e-15)


def test_frozen_parameters_keep_value_and_state():
    opt = Optimizer(OptimizerSpec("adam", tuple(SPECS["adam"].items())), 0.1)
    first = opt.step({"w": 1.0, "b": 2.0}, {"w": 0.5, "b": 0.5}, frozen={"b"})
    assert first["b"].new == 2.0 and dict(first["b"].state)["m"] == 0.0
    assert first["w"].new != 1.0 and dict(first["w"].state)["m"] == pytest.approx(0.05)


def test_momentum_starts_at_the_first_gradient():
    opt = Optimizer(OptimizerSpec("momentum", (("momentum", 0.9),)), 1.0)
    u = opt.step({"w": 0.0}, {"w": 2.0})["w"]
    assert dict(u.state)["v"] == 2.0 and u.new == -2.0
