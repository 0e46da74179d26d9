"""Optimizers, with PyTorch's conventions, one parameter at a time so every state can be shown.

    sgd       w −= η·g
    momentum  v = μ·v + g (v starts at 0, so the first v is g);  w −= η·v
    nesterov  v as momentum;                                    w −= η·(g + μ·v)
    rmsprop   s = α·s + (1 − α)·g² (s starts at 0);              w −= η·g/(√s + ε)
    adam      m = β1·m + (1 − β1)·g;  s = β2·s + (1 − β2)·g²  (both start at 0)
              m̂ = m/(1 − β1ᵗ);  ŝ = s/(1 − β2ᵗ);                w −= η·m̂/(√ŝ + ε)

The same arithmetic is written twice: Optimizer below, for the steps a solution shows, and
update_source() for the compiled training loop (loop.compile_loop); tests/test_training_optimizers.py
checks that both give the same floats, bit for bit.
"""
from __future__ import annotations

import math
from typing import NamedTuple

# name -> its hyper-parameters, each spelled out in the problem file and echoed in the Given section
HYPER = {
    "sgd": (),
    "momentum": ("momentum",),
    "nesterov": ("momentum",),
    "rmsprop": ("alpha", "eps"),
    "adam": ("beta1", "beta2", "eps"),
}
# the state each optimizer keeps per parameter, in the order the update table shows it
# (m_hat and s_hat are m̂ and ŝ: one code point a character keeps terminal columns aligned)
STATE = {"sgd": (), "momentum": ("v",), "nesterov": ("v",), "rmsprop": ("s",), "adam": ("m", "s", "m_hat", "s_hat")}
# the part of it carried from one step to the next (m_hat and s_hat are recomputed from m and s each step)
CARRIED = {"sgd": (), "momentum": ("v",), "nesterov": ("v",), "rmsprop": ("s",), "adam": ("m", "s")}
SYMBOLS = {"momentum": "μ", "alpha": "α", "beta1": "β1", "beta2": "β2", "eps": "ε"}


class OptimizerSpec(NamedTuple):
    """Which optimizer, with every hyper-parameter given (a NamedTuple: cheaper to define than a dataclass)."""

    name: str = "sgd"
    hyper: tuple = ()  # ((key, value), ...) in HYPER order

    def get(self, key: str) -> float:
        """One hyper-parameter."""
        return dict(self.hyper)[key]


class Update(NamedTuple):
    """One parameter's update in one step: its state after the step (v, m, s, m_hat, s_hat) and new value.

    before holds the carried state before the step (v; s; m and s), which the state's formulas read;
    t is the step count, which Adam's bias correction reads.
    """

    old: float
    grad: float
    state: tuple  # ((name, value), ...) in STATE order; empty for sgd
    new: float
    before: tuple = ()  # ((name, value), ...) in CARRIED order
    t: int = 0


class Optimizer:
    """The running state of one optimizer over named parameters; step() applies one update."""

    def __init__(self, spec: OptimizerSpec, learning_rate: float):
        self.spec, self.lr = spec, learning_rate
        self.t = 0
        self.state: dict[str, dict[str, float]] = {}

    def step(self, params: dict[str, float], grads: dict[str, float], frozen=frozenset(),
             lr: float | None = None) -> dict[str, Update]:
        """Every parameter's update; frozen parameters keep their value and their state.

        lr overrides the learning rate for this step (room for a schedule).
        """
        self.t += 1
        rate = self.lr if lr is None else lr
        out = {}
        for name, w in params.items():
            before = self._carried(name)
            new = w if name in frozen else self._one(name, w, grads[name], rate)
            out[name] = Update(w, grads[name], self._shown(name), new, before, self.t)
        return out

    def _carried(self, name: str) -> tuple:
        state = self.state.get(name, {})
        return tuple((k, state.get(k, 0.0)) for k in CARRIED[self.spec.name])

    def _shown(self, name: str) -> tuple:
        state = self.state.get(name, {})
        return tuple((k, state.get(k, 0.0)) for k in STATE[self.spec.name])

    def vectors(self, names: tuple) -> list[list[float]]:
        """The carried state as one list per state variable, each over the parameters in names."""
        return [[self.state.get(n, {}).get(k, 0.0) for n in names] for k in CARRIED[self.spec.name]]

    def load(self, names: tuple, vectors: list[list[float]], t: int) -> None:
        """Take the state back from vectors() form, after t steps."""
        self.t = t
        for k, values in zip(CARRIED[self.spec.name], vectors):
            for n, x in zip(names, values):
                self.state.setdefault(n, {})[k] = x

    def _one(self, name: str, w: float, g: float, lr: float) -> float:
        kind, st = self.spec.name, self.state.setdefault(name, {})
        if kind == "sgd":
            return w - lr * g
        if kind in ("momentum", "nesterov"):
            mu = self.spec.get("momentum")
            st["v"] = mu * st.get("v", 0.0) + g
            return w - lr * st["v"] if kind == "momentum" else w - lr * (g + mu * st["v"])
        if kind == "rmsprop":
            alpha, eps = self.spec.get("alpha"), self.spec.get("eps")
            st["s"] = alpha * st.get("s", 0.0) + (1 - alpha) * (g * g)
            return w - lr * g / (math.sqrt(st["s"]) + eps)
        b1, b2, eps = self.spec.get("beta1"), self.spec.get("beta2"), self.spec.get("eps")
        st["m"] = b1 * st.get("m", 0.0) + (1 - b1) * g
        st["s"] = b2 * st.get("s", 0.0) + (1 - b2) * (g * g)
        st["m_hat"] = st["m"] / (1 - b1 ** self.t)
        st["s_hat"] = st["s"] / (1 - b2 ** self.t)
        return w - lr * st["m_hat"] / (math.sqrt(st["s_hat"]) + eps)


def update_source(spec: OptimizerSpec, w: str, g: str, state: tuple[str, ...]) -> list[str]:
    """Python statements for one parameter's update, the same arithmetic as Optimizer._one.

    w and g name the parameter's and its gradient's variables; state names its carried state's
    variables (CARRIED order). The statements read lr and t (the step count, already advanced) and
    the hyper-parameters as constants.
    """
    kind, h = spec.name, {k: repr(float(x)) for k, x in spec.hyper}
    if kind == "sgd":
        return [f"{w} = {w} - lr * {g}"]
    if kind in ("momentum", "nesterov"):
        v, mu = state[0], h["momentum"]
        step = f"{v}" if kind == "momentum" else f"({g} + {mu} * {v})"
        return [f"{v} = {mu} * {v} + {g}", f"{w} = {w} - lr * {step}"]
    if kind == "rmsprop":
        s = state[0]
        return [f"{s} = {h['alpha']} * {s} + (1 - {h['alpha']}) * ({g} * {g})",
                f"{w} = {w} - lr * {g} / (_sqrt({s}) + {h['eps']})"]
    m, s = state
    return [f"{m} = {h['beta1']} * {m} + (1 - {h['beta1']}) * {g}",
            f"{s} = {h['beta2']} * {s} + (1 - {h['beta2']}) * ({g} * {g})",
            f"{w} = {w} - lr * ({m} / (1 - {h['beta1']} ** t)) / (_sqrt({s} / (1 - {h['beta2']} ** t)) + {h['eps']})"]
