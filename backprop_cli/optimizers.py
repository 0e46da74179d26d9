"""Optimizers, with PyTorch's conventions, one parameter at a time so every state can be shown.

    sgd       w −= η·g
    momentum  v = μ·v + g (v starts at the first g);  w −= η·v
    nesterov  v as momentum;                          w −= η·(g + μ·v)
    rmsprop   s = α·s + (1 − α)·g² (s starts at 0);    w −= η·g/(√s + ε)
    adam      m = β1·m + (1 − β1)·g;  s = β2·s + (1 − β2)·g²  (both start at 0)
              m̂ = m/(1 − β1ᵗ);  ŝ = s/(1 − β2ᵗ);      w −= η·m̂/(√ŝ + ε)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

# name -> its hyper-parameters, each spelled out in the problem file and echoed in the Given section
HYPER = {
    "sgd": (),
    "momentum": ("momentum",),
    "nesterov": ("momentum",),
    "rmsprop": ("alpha", "eps"),
    "adam": ("beta1", "beta2", "eps"),
}
# the state each optimizer keeps per parameter, in the order the update table shows it
STATE = {"sgd": (), "momentum": ("v",), "nesterov": ("v",), "rmsprop": ("s",), "adam": ("m", "s", "m̂", "ŝ")}
FORMULAS = {
    "sgd": ("w − η·g",),
    "momentum": ("v = μ·v + g", "w − η·v"),
    "nesterov": ("v = μ·v + g", "w − η·(g + μ·v)"),
    "rmsprop": ("s = α·s + (1 − α)·g²", "w − η·g/(√s + ε)"),
    "adam": ("m = β1·m + (1 − β1)·g", "s = β2·s + (1 − β2)·g²", "m̂ = m/(1 − β1ᵗ)", "ŝ = s/(1 − β2ᵗ)",
             "w − η·m̂/(√ŝ + ε)"),
}


@dataclass(frozen=True)
class OptimizerSpec:
    """Which optimizer, with every hyper-parameter given."""

    name: str = "sgd"
    hyper: tuple = ()  # ((key, value), ...) in HYPER order

    def get(self, key: str) -> float:
        """One hyper-parameter."""
        return dict(self.hyper)[key]


@dataclass(frozen=True)
class Update:
    """One parameter's update in one step: its state after the step (v, m, s, m̂, ŝ) and new value."""

    old: float
    grad: float
    state: tuple  # ((name, value), ...) in STATE order; empty for sgd
    new: float


class Optimizer:
    """The running state of one optimizer over named parameters; step() applies one update."""

    def __init__(self, spec: OptimizerSpec, learning_rate: float):
        self.spec, self.lr = spec, learning_rate
        self.t = 0
        self.state: dict[str, dict[str, float]] = {}

    def step(self, params: dict[str, float], grads: dict[str, float], frozen=frozenset()) -> dict[str, Update]:
        """Every parameter's update; frozen parameters keep their value and their state."""
        self.t += 1
        return {name: self._one(name, w, grads[name]) if name not in frozen
                else Update(w, grads[name], self._shown(name), w)
                for name, w in params.items()}

    def _shown(self, name: str) -> tuple:
        state = self.state.get(name, {})
        return tuple((k, state.get(k, 0.0)) for k in STATE[self.spec.name])

    def _one(self, name: str, w: float, g: float) -> Update:
        kind, lr, st = self.spec.name, self.lr, self.state.setdefault(name, {})
        if kind == "sgd":
            new = w - lr * g
        elif kind in ("momentum", "nesterov"):
            mu = self.spec.get("momentum")
            st["v"] = g if "v" not in st else mu * st["v"] + g
            new = w - lr * st["v"] if kind == "momentum" else w - lr * (g + mu * st["v"])
        elif kind == "rmsprop":
            alpha, eps = self.spec.get("alpha"), self.spec.get("eps")
            st["s"] = alpha * st.get("s", 0.0) + (1 - alpha) * g * g
            new = w - lr * g / (math.sqrt(st["s"]) + eps)
        else:
            b1, b2, eps = self.spec.get("beta1"), self.spec.get("beta2"), self.spec.get("eps")
            st["m"] = b1 * st.get("m", 0.0) + (1 - b1) * g
            st["s"] = b2 * st.get("s", 0.0) + (1 - b2) * g * g
            st["m̂"] = st["m"] / (1 - b1 ** self.t)
            st["ŝ"] = st["s"] / (1 - b2 ** self.t)
            new = w - lr * st["m̂"] / (math.sqrt(st["ŝ"]) + eps)
        return Update(w, g, self._shown(name), new)
