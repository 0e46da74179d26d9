"""The answer-key quantities of a network solved as matrices (matrix.py): the same names, from its arrays."""
from __future__ import annotations

import re

from ..solution import LossAfterStep, Solution


def quantities(sol: Solution, sampled) -> dict[str, float]:
    """Every named number, by answer-key name, in the order the scalar path's steps give them."""
    from ..engine import _backward_order

    p, loss = sol.problem, sol.problem.loss
    out: dict[str, float] = {}
    for node in p.nodes:
        out.update(sampled(node.name, sol.values[node.name]))
    if p.n_samples > 1 and sol.loss is not None:
        out[loss] = sol.loss
    order = [nd.name for nd in _backward_order(p)[0] if nd.name != loss]
    for name in [*order, *p.inputs]:
        out.update(sampled(f"d{loss}/d{name}", sol.grads[name]))
    out.update((f"d{loss}/d{name}", total) for name, total in sol.totals.items())
    out.update((f"{name}+", new) for name, new in sol.new_params.items())
    after = sol.of(LossAfterStep)
    if after:
        if p.n_samples > 1:
            out.update(sampled(f"{loss}+", after[0].per_sample))
        out[f"{loss}+"] = after[0].after
    return {k: float(v) for k, v in out.items()}


def keyed(sol: Solution, values: dict[str, float]) -> dict[str, float]:
    """The quantities an answer key of a network solved as matrices keeps, in solution order.

    The output layer's values and gradients, the loss terms and the loss, the loss after the update, every
    bias, and each layer's first and last weight (the entries the summary works out): each a check on a
    different part of the arithmetic, in a file a person can read and `backprop check` can load.
    """
    p, loss = sol.problem, sol.problem.loss
    last = p.dense[-1]
    names = {*last.zs, *last.outs, *(n.name for n in p.nodes if n.is_loss)}
    names |= {b for d in p.dense for b in d.biases if b is not None}
    names |= {w for d in p.dense for w in (d.weights[0][0], d.weights[-1][-1])}
    keep = names | {f"d{loss}/d{n}" for n in names} | {f"{n}+" for n in names} | {loss, f"{loss}+"}
    return {k: v for k, v in values.items() if re.sub(r"\[\d+\]$", "", k) in keep}
