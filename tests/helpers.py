"""What many test files share: one finite-difference stencil."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from backprop_cli.engine import batch_total, forward


def central_difference(f: Callable, x, step: float = 1e-4):
    """f'(x) by the five-point central difference, error O(h⁴), with h = step·max(1, |x|).

    x may be a float or an array (one step per element); f takes a point like x.
    """
    h = step * np.maximum(1.0, np.abs(x))
    if np.ndim(h) == 0:
        h = float(h)  # plain floats stay plain floats
    return (8 * (f(x + h) - f(x - h)) - (f(x + 2 * h) - f(x - 2 * h))) / (12 * h)


def fd_param_grads(problem, params: dict | None = None, step: float = 1e-4) -> dict:
    """∂(batch loss)/∂p for every parameter by central_difference, at params (default: the problem's values)."""
    base = dict(params) if params is not None else {p.name: p.value for p in problem.params.values()}

    def loss_at(name: str) -> Callable[[float], float]:
        return lambda value: batch_total(problem, forward(problem, {**base, name: value})[problem.loss])

    return {name: central_difference(loss_at(name), value, step) for name, value in base.items()}
