"""The engine's second way to evaluate: a layers-form network as matrices, Z = A·W + b and A = f(Z).

The same problem, the same names and the same registry entries as the scalar path: each activation's
value is its registry entry's numpy twin, its derivative the registry's own partial formula evaluated
elementwise (σ' = a(1 − a) with a bound to A), the loss and its gradient the loss nodes' formulas over
columns. Backward, δ = ∂L/∂A ⊙ f'(Z) (a softmax layer: δ = A ⊙ (∂L/∂A − Σ A ⊙ ∂L/∂A), its closed form),
∂L/∂W = A_inᵀ·δ, ∂L/∂A_in = δ·Wᵀ. Tests hold the two paths to 1e-12 on every problem they both solve.

A network with more than limits.SUMMARY_PARAMS parameters is solved this way and shown in summary
form (render/summary.py); `solve --full` takes the scalar path and shows every step, `--summary` this
one at any size.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping

import numpy as np

from .errors import DomainError, ProblemError
from .formula.calculus import evaluate_array
from .formula.functions import softmax_all
from .formula.registry import REGISTRY
from .formula.tree import Call, Var, free_names
from .limits import SUMMARY_PARAMS
from .model import Dense, Problem
from .progress import report
from .solution import (
    BatchLossStep,
    LayerBackwardStep,
    LayerForwardStep,
    LayerUpdateStep,
    LossAfterStep,
    LossStep,
    NetworkGivenStep,
    Solution,
)


def applies(problem: Problem) -> bool:
    """Whether the problem is a layers-form network with numbers: every node a layer's z or a, or the loss."""
    if not problem.dense or not problem.numeric:
        return False
    inside = {name for d in problem.dense for name in (*d.zs, *d.outs)}
    return all(n.is_loss or n.name in inside for n in problem.nodes)


def large(problem: Problem) -> bool:
    """Whether the network is past the size shown step by step: more than SUMMARY_PARAMS parameters."""
    return len(problem.params) > SUMMARY_PARAMS


@dataclasses.dataclass(frozen=True)
class _Layout:
    """Where each layer's W and b come from in the vector of parameter values (the last slot holds 0)."""

    names: tuple  # the parameters, in file order
    w_index: tuple  # per layer: an int array (inputs × neurons) into the vector
    b_index: tuple  # per layer: an int array (neurons,); a neuron without a bias points at the 0 slot


def _layout(problem: Problem) -> _Layout:
    names = tuple(problem.params)
    at = {name: k for k, name in enumerate(names)}
    zero = len(names)
    w_index = tuple(np.array([[at[w] for w in row] for row in d.weights], dtype=np.intp).reshape(d.shape)
                    for d in problem.dense)
    b_index = tuple(np.array([at[b] if b is not None else zero for b in d.biases], dtype=np.intp)
                    for d in problem.dense)
    return _Layout(names, w_index, b_index)


@dataclasses.dataclass(frozen=True)
class _Pass:
    """One forward pass: each layer's A_in, W, b, Z, A, and every named column (inputs, targets, nodes)."""

    a_in: list
    w: list
    b: list
    z: list
    a: list
    cols: dict  # name -> array of one value per sample


def _column(cols: dict, names: tuple, previous: tuple | None, prev_a) -> np.ndarray:
    if previous is not None and names == previous:
        return prev_a  # the usual case: a layer reads the whole layer before it, in order
    return np.column_stack([cols[n] for n in names])


def _activate(d: Dense, z: np.ndarray) -> np.ndarray:
    """A = f(Z), column by column of equal activation, with the registry's numpy twins."""
    if d.activations[0][0] == "softmax":  # one softmax over the whole layer: the registry's, for every row
        return softmax_all(z, 1)
    out = np.empty_like(z)
    for (name, params), cols in _by_activation(d).items():
        twin = REGISTRY[name].array
        assert twin is not None, f"{name} has no numpy twin"
        with np.errstate(all="ignore"):
            out[:, cols] = twin([z[:, cols]], dict(params))
    return out


def _by_activation(d: Dense) -> dict:
    groups: dict = {}
    for j, act in enumerate(d.activations):
        groups.setdefault(act, []).append(j)
    return groups


def _forward(problem: Problem, layout: _Layout, values: np.ndarray) -> _Pass:
    cols = {k: np.asarray(v, dtype=float) for k, v in problem.inputs.items()}
    cols.update({k: np.asarray(v, dtype=float) for k, v in problem.targets.items()})
    vec = np.append(values, 0.0)
    run = _Pass([], [], [], [], [], cols)
    previous, prev_a = None, None
    for k, d in enumerate(problem.dense):
        report("forward pass", k, len(problem.dense))
        a_in = _column(cols, d.inputs, previous, prev_a)
        w, b = vec[layout.w_index[k]], vec[layout.b_index[k]]
        z = a_in @ w + b
        a = _activate(d, z)
        _finite(problem, a, d.outs, "the value")
        for j, (zn, an) in enumerate(zip(d.zs, d.outs)):
            cols[zn], cols[an] = z[:, j], a[:, j]
        for part, x in zip((run.a_in, run.w, run.b, run.z, run.a), (a_in, w, b, z, a)):
            part.append(x)
        previous, prev_a = d.outs, a
    for node in problem.nodes:
        if node.is_loss:
            try:
                value = evaluate_array(node.formula, cols)
            except DomainError as exc:
                from .engine import _label

                raise ProblemError(problem.origins.get(node.name), f"{_label(problem, node.name, None)}{exc}",
                                   "values inside each function's domain") from None
            cols[node.name] = np.broadcast_to(value, (problem.n_samples,)).astype(float)
            _finite(problem, cols[node.name], (node.name,), "the value")
    return run


def _finite(problem: Problem, x: np.ndarray, names: tuple, what: str) -> None:
    """Refuse an overflow, or a value outside a function's domain, naming the first node it reached."""
    bad = ~np.isfinite(x)
    if bad.any():
        name = names[int(np.argwhere(bad)[0][-1])] if x.ndim == 2 else names[0]
        origin = problem.origins.get(name)
        raise ProblemError(origin, f"{name}: {what} is not finite (overflow, or outside a function's domain)",
                           "inputs and weights of a sensible size")


def _loss_partials(problem: Problem) -> list:
    """(node, dep, ∂node/∂dep) for the loss nodes, from the loss back: the scalar engine's own partials."""
    from .engine import local_partials

    losses = [n for n in problem.nodes if n.is_loss]
    found = local_partials(problem, losses)
    return [(n.name, dep, found[(n.name, dep)]) for n in reversed(losses)
            for dep in free_names(n.formula) if (n.name, dep) in found]


def _derivative(d: Dense, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """f'(Z) elementwise: the registry's partial of each activation, with z bound to Z and its output to A."""
    out = np.empty_like(z)
    for (name, params), cols in _by_activation(d).items():
        call = Call(name, (Var("z"),), params)
        formula = REGISTRY[name].partial(call, Var("a"), 0)
        out[:, cols] = np.broadcast_to(evaluate_array(formula, {"z": z[:, cols], "a": a[:, cols]}), z[:, cols].shape)
    return out


@dataclasses.dataclass(frozen=True)
class _Back:
    delta: list  # per layer
    d_a: list  # ∂L/∂A per layer
    d_w: list
    d_b: list  # per layer: ∂L/∂b_j, each neuron's own bias share
    grads: dict  # node or input name -> array per sample
    totals: np.ndarray  # per parameter, in file order


def _backward(problem: Problem, layout: _Layout, run: _Pass) -> _Back:
    n = problem.n_samples
    seed = 1.0 / n if problem.averages else 1.0
    g: dict = {problem.loss: np.full(n, seed)}
    for node, dep, local in _loss_partials(problem):
        contribution = np.broadcast_to(evaluate_array(local, run.cols), (n,)) * g[node]
        g[dep] = g[dep] + contribution if dep in g else contribution
    back = _Back([None] * len(problem.dense), [None] * len(problem.dense), [None] * len(problem.dense),
                 [None] * len(problem.dense), g, np.zeros(len(layout.names) + 1))
    for k in range(len(problem.dense) - 1, -1, -1):
        report("backward pass", len(problem.dense) - 1 - k, len(problem.dense))
        d = problem.dense[k]
        d_a = np.column_stack([g.get(a, np.zeros(n)) for a in d.outs])
        a = run.a[k]
        if d.activations[0][0] == "softmax":
            delta = a * (d_a - (d_a * a).sum(axis=1, keepdims=True))
        else:
            delta = d_a * _derivative(d, run.z[k], a)
        d_w = run.a_in[k].T @ delta
        d_b = delta.sum(axis=0)
        d_in = delta @ run.w[k].T
        _finite(problem, d_w, d.outs, f"the gradient ∂{problem.loss}/∂W")
        np.add.at(back.totals, layout.w_index[k].ravel(), d_w.ravel())
        np.add.at(back.totals, layout.b_index[k], d_b)
        for j, (zn, an) in enumerate(zip(d.zs, d.outs)):
            g[zn], g[an] = delta[:, j], d_a[:, j]
        for i, src in enumerate(d.inputs):
            g[src] = g[src] + d_in[:, i] if src in g else d_in[:, i]
        back.delta[k], back.d_a[k], back.d_w[k], back.d_b[k] = delta, d_a, d_w, d_b
    return back


class _Columns(Mapping):
    """name -> tuple of one float per sample, made from an array only when asked for."""

    def __init__(self, cols: dict, extra: Mapping | None = None):
        self._cols, self._extra = cols, extra or {}

    def __getitem__(self, name: str) -> tuple:
        if name in self._cols:
            return tuple(float(x) for x in self._cols[name])
        return self._extra[name]

    def __iter__(self) -> Iterator[str]:
        yield from self._cols
        yield from (k for k in self._extra if k not in self._cols)

    def __len__(self) -> int:
        return len(self._cols) + sum(1 for k in self._extra if k not in self._cols)


class _ParamGrads(Mapping):
    """parameter -> ∂L/∂p per sample (its share in each), computed from A_in and δ only when asked for."""

    def __init__(self, problem: Problem, layout: _Layout, run: _Pass, back: _Back):
        self._problem, self._layout, self._run, self._back = problem, layout, run, back
        self._uses: dict | None = None
        self._at: dict | None = None  # parameter -> its place in the vector

    def _where(self) -> dict:
        if self._uses is None:
            uses: dict = {}
            for k, (wi, bi) in enumerate(zip(self._layout.w_index, self._layout.b_index)):
                for (i, j), p in np.ndenumerate(wi):
                    uses.setdefault(int(p), []).append((k, i, j))
                for j, p in enumerate(bi):
                    uses.setdefault(int(p), []).append((k, -1, j))
            self._uses = uses
        return self._uses

    def __getitem__(self, name: str) -> tuple:
        if self._at is None:
            self._at = {p: k for k, p in enumerate(self._layout.names)}
        at = self._at[name]
        if self._problem.n_samples == 1:
            return (float(self._back.totals[at]),)
        share = np.zeros(self._problem.n_samples)
        for k, i, j in self._where().get(at, ()):
            delta = self._back.delta[k][:, j]
            share = share + (delta if i < 0 else self._run.a_in[k][:, i] * delta)
        return tuple(float(x) for x in share)

    def __iter__(self) -> Iterator[str]:
        return iter(self._layout.names)

    def __len__(self) -> int:
        return len(self._layout.names)


def solve(problem: Problem) -> Solution:
    """The solution as matrices: the network given, each layer forward, the loss, each layer back, the update."""
    layout = _layout(problem)
    values = np.array([p.value for p in problem.params.values()], dtype=float)
    run = _forward(problem, layout, values)
    back = _backward(problem, layout, run)
    per_sample = run.cols[problem.loss]
    loss = float(per_sample.mean() if problem.averages else per_sample.sum())
    steps: list = [NetworkGivenStep(problem)]
    steps += [LayerForwardStep(k, d, run.a_in[k], run.w[k], run.b[k], run.z[k], run.a[k])
              for k, d in enumerate(problem.dense)]
    steps += [LossStep(n.name, n.role, n.formula, tuple(float(x) for x in run.cols[n.name]))
              for n in problem.nodes if n.is_loss]
    if problem.n_samples > 1:
        steps.append(BatchLossStep(problem.loss, problem.batch, tuple(float(x) for x in per_sample), loss))
    steps += [LayerBackwardStep(k, d, back.d_a[k], back.delta[k], back.d_w[k], back.d_b[k])
              for k, d in reversed(list(enumerate(problem.dense)))]
    grads: Mapping = _Columns(back.grads, _ParamGrads(problem, layout, run, back))
    new_params: dict = {}
    after = None
    if problem.learning_rate is not None:
        frozen = np.array([name in problem.frozen for name in layout.names] + [True])
        new = np.where(frozen, np.append(values, 0.0), np.append(values, 0.0) - problem.learning_rate * back.totals)
        _finite(problem, new, layout.names, "the update")
        new_params = dict(zip(layout.names, new[:-1].tolist()))
        later = _forward(problem, layout, new[:-1])
        steps += [LayerUpdateStep(k, d, run.w[k], back.d_w[k], later.w[k], run.b[k], back.d_b[k], later.b[k],
                                  problem.learning_rate) for k, d in enumerate(problem.dense)]
        after_per = later.cols[problem.loss]
        after = float(after_per.mean() if problem.averages else after_per.sum())
        steps.append(LossAfterStep(problem.loss, loss, after, tuple(float(x) for x in after_per)))
    totals = dict(zip(layout.names, back.totals[:-1].tolist()))
    n = problem.n_samples  # a property that counts: once, not once per parameter
    given = {name: (float(x),) * n for name, x in zip(layout.names, values.tolist())}
    return Solution(problem, tuple(steps), _Columns(run.cols, given), grads, loss, after, new_params, totals)


