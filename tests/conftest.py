"""Shared fixture: finite-difference gradients of a problem's batch loss."""
from __future__ import annotations

import pytest

from backprop_cli.engine import batch_total, forward


def fd_param_grads(problem, params: dict | None = None) -> dict:
    """∂(batch loss)/∂p for every parameter by a five-point central difference (error O(h⁴))."""
    base = dict(params) if params is not None else {p.name: p.value for p in problem.params.values()}

    def loss(name: str, delta: float) -> float:
        shifted = dict(base)
        shifted[name] = base[name] + delta
        return batch_total(problem, forward(problem, shifted)[problem.loss])

    out = {}
    for name, value in base.items():
        h = 1e-4 * max(1.0, abs(value))
        out[name] = (8 * (loss(name, h) - loss(name, -h)) - (loss(name, 2 * h) - loss(name, -2 * h))) / (12 * h)
    return out


@pytest.fixture(scope="session")
def fd_grads():
    """The function fd_param_grads(problem, params=None) -> {param: ∂L/∂param}."""
    return fd_param_grads
