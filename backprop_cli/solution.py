"""The worked solution as plain frozen step records; renderers read these and compute nothing."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .formula.tree import Expr
from .model import Dense, Problem, Role

GradKind = Literal["output", "z", "a", "node", "loss_term", "loss", "param", "input"]
CheckKind = Literal["param", "input"]


@dataclass(frozen=True)
class GivenStep:
    """Section 1: what the problem states."""

    problem: Problem


@dataclass(frozen=True)
class ForwardStep:
    """A node's formula and its value, one per sample."""

    node: str
    role: Role
    neuron: str | None
    formula: Expr
    values: tuple


@dataclass(frozen=True)
class LossStep:
    """A loss term or the per-sample total loss."""

    node: str
    role: Role
    formula: Expr
    values: tuple


@dataclass(frozen=True)
class BatchLossStep:
    """The loss over the batch: the mean or sum of the per-sample totals."""

    node: str
    reduction: str
    per_sample: tuple
    total: float


@dataclass(frozen=True)
class ChainTerm:
    """One chain-rule application: ∂L/∂node gets local · upstream through ``via``."""

    node: str
    via: str
    local: Expr  # ∂via/∂node as a formula
    local_values: tuple
    upstream: tuple  # ∂L/∂via per sample
    contribution: tuple  # local · upstream per sample


@dataclass(frozen=True)
class Shortcut:
    """δ of an output neuron the short way: the full chain rule adds up to factor·(ŷ − y).

    Found only where it holds exactly (shortcut.py): softmax with categorical cross-entropy whose
    targets sum to 1, or sigmoid with binary cross-entropy, each term entering the loss once.
    """

    pair: str  # "softmax + cross-entropy" or "sigmoid + binary cross-entropy"
    formula: Expr  # factor·(ŷ − y) in the problem's names, e.g. p1 − y1 or (p1 − y1)/3
    factor: float  # the loss's weight of the term times the batch's 1/N: 1 for a plain sum
    values: tuple  # per sample; empty in a symbolic derivation


@dataclass(frozen=True)
class SoftmaxDelta:
    """The paths through a softmax over a large group, in closed form instead of one term per component.

    Σₖ ∂sₖ/∂z_j·∂L/∂sₖ = s_j·(∂L/∂s_j − S) with S = Σₖ sₖ·∂L/∂sₖ, the same for the whole group: n terms
    per δ would be n² for the group (limits.SOFTMAX_JACOBIAN says from which size).
    """

    component: str  # s_j, the softmax output of this z
    group: tuple  # every component s_1 … s_n, in order
    group_sum: tuple  # S per sample; empty in a symbolic derivation
    contribution: tuple  # s_j·(∂L/∂s_j − S) per sample; empty in a symbolic derivation


@dataclass(frozen=True)
class GradStep:
    """∂L/∂node as the sum of its chain-rule terms.

    kind: output (a prediction), z (δ of a neuron), a (a hidden activation),
    node, loss_term, param or input.
    """

    node: str
    kind: GradKind
    terms: tuple
    values: tuple  # per sample; empty in a symbolic derivation
    total: float | None  # summed over samples: the gradient of the batch loss; None when symbolic
    shortcut: Shortcut | None = None  # the same δ written as ŷ − y, where the pair simplifies
    softmax: SoftmaxDelta | None = None  # the paths through a large softmax group, added to terms


@dataclass(frozen=True)
class UpdateStep:
    """p⁺ = p − η·∂L/∂p, or p unchanged when frozen; with an optimizer, its state (optimizers.py)."""

    param: str
    old: float
    grad: float
    learning_rate: float
    new: float
    frozen: bool
    state: tuple = ()  # ((v, value), …) after the step, in optimizers.STATE order; empty for sgd
    before: tuple = ()  # the carried state before the step, in optimizers.CARRIED order
    t: int = 0  # the step count the optimizer has reached (Adam's bias correction reads it)


@dataclass(frozen=True)
class LossAfterStep:
    """The loss recomputed with the updated parameters."""

    node: str
    before: float
    after: float
    per_sample: tuple


@dataclass(frozen=True)
class Kink:
    """A point the finite-difference step crossed where fn's derivative jumps: where ``at`` is 0."""

    node: str  # the node whose formula calls fn
    fn: str  # relu, leaky_relu, elu, abs, max, min …: a function whose derivative has an indicator or sign
    at: Expr  # the indicator's argument; a − b for a tie of max(a, b)


@dataclass(frozen=True)
class GradCheckStep:
    """∂L/∂name by backprop beside the central difference of the batch loss, (L(p+h) − L(p−h))/(2h).

    status: ok, flagged (relative error above threshold), kink (the step crossed a kink, so the
    difference is not the derivative) or undefined (the loss has no value at p ± h).
    """

    name: str
    kind: CheckKind  # param, or input for a problem without parameters
    sample: int | None  # the sample whose input was moved (from 0); None for a parameter (all samples)
    analytic: float
    numeric: float | None  # None when undefined
    h: float
    tiny: float | None  # the floor of the relative error's denominator (gradcheck.py); None when undefined
    rel_error: float | None  # |a − n| / max(|a|, |n|, tiny); None when undefined
    status: str
    threshold: float  # relative errors above it are flagged
    relative_step: float  # h = relative_step·max(1, |p|)
    kinks: tuple = ()  # Kink, the ones the step crossed


@dataclass(frozen=True)
class ShownStep:
    """One step of training worked in full by the recording engine, at the parameters training had reached.

    Its solution is over the step's samples only (renumbered from 1 in it); its update is the optimizer's.
    """

    step: int  # from 1
    steps: int  # how many steps training takes
    epoch: int | None  # from 1; None for full-batch steps
    samples: tuple  # the samples of its mini-batch, from 0, in the order they were taken
    n_samples: int  # how many samples the problem has
    solution: Solution


@dataclass(frozen=True)
class HistoryStep:
    """The loss over all samples at the given parameters and after every step of training."""

    node: str
    losses: tuple  # losses[k]: after k steps; losses[0] at the given parameters
    epoch_ends: tuple  # the step that ends each epoch; empty for full-batch steps
    shown: tuple  # the steps worked in full


@dataclass(frozen=True)
class FinalStep:
    """Where training ends: each parameter's given and final value, every node's value, and the loss."""

    params: tuple  # (name, given value, final value, frozen), in file order
    values: dict  # name -> tuple per sample, at the final parameters
    loss: float  # the batch loss over all samples
    per_sample: tuple


@dataclass(frozen=True)
class NetworkGivenStep:
    """The given network in summary form: its layers as matrices, the samples, the loss (matrix.py)."""

    problem: Problem


@dataclass(frozen=True, eq=False)
class LayerForwardStep:
    """One layer forward as matrices (samples × inputs, inputs × neurons …): Z = A_in·W + b, A = f(Z)."""

    index: int  # from 0
    layer: Dense
    a_in: Any
    w: Any
    b: Any  # one value per neuron (0 where a neuron has no bias)
    z: Any
    a: Any


@dataclass(frozen=True, eq=False)
class LayerBackwardStep:
    """One layer back: ∂L/∂A, δ = ∂L/∂Z, ∂L/∂W = A_inᵀ·δ and ∂L/∂b_j = Σ_s δ_sj, as matrices."""

    index: int
    layer: Dense
    d_a: Any
    delta: Any
    d_w: Any
    d_b: Any


@dataclass(frozen=True, eq=False)
class LayerUpdateStep:
    """One layer's update: W ← W − η·∂L/∂W and each bias (a frozen parameter keeps its value)."""

    index: int
    layer: Dense
    w: Any
    d_w: Any
    w_new: Any
    b: Any
    d_b: Any
    b_new: Any
    learning_rate: float


LAYER_STEPS = (NetworkGivenStep, LayerForwardStep, LayerBackwardStep, LayerUpdateStep)
STEP_TYPES = (GivenStep, ForwardStep, LossStep, BatchLossStep, GradStep, GradCheckStep, UpdateStep, LossAfterStep,
              ShownStep, HistoryStep, FinalStep, *LAYER_STEPS)


@dataclass(frozen=True)
class Solution:
    """Every step of the worked solution, in reading order, plus every value by name."""

    problem: Problem
    steps: tuple
    values: Mapping  # name -> tuple per sample, for substituting numbers into formulas
    grads: Mapping  # name -> tuple per sample of ∂L/∂name
    loss: float | None  # None in a symbolic derivation
    loss_after: float | None  # None when nothing is updated
    new_params: dict  # name -> float; empty when nothing is updated
    totals: dict = field(default_factory=dict)  # the matrix path's ∂L/∂p over the batch, per parameter

    def of(self, kind: type) -> list:
        """The steps of one type, in order."""
        return [s for s in self.steps if isinstance(s, kind)]

    def sample_values(self, s: int) -> dict:
        """name -> value in sample s."""
        return {k: v[s] for k, v in self.values.items()}
