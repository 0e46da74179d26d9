"""The validated problem: frozen data that the engine reads and nothing re-checks."""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from .errors import Origin
from .formula.tree import Expr, free_names
from .optimizers import OptimizerSpec

Role = Literal["z", "a", "node", "loss_term", "loss"]  # what a node is in the network
ProblemKind = Literal["network", "expression"]
BatchMode = Literal["mean", "sum"]  # how the per-sample losses make the batch loss
LOSS_ROLES = ("loss_term", "loss")


@dataclass(frozen=True)
class Node:
    """A named scalar computed by a formula over other names.

    role: z (a neuron's pre-activation), a (its activation), node (any other
    computed value), loss_term, loss (the per-sample total).
    """

    name: str
    formula: Expr
    role: Role
    origin: Origin
    neuron: str | None = None  # for z and a: the name of the neuron's activation node (out_h1)

    @property
    def is_loss(self) -> bool:
        """Whether the node is a loss term or the per-sample total loss."""
        return self.role in LOSS_ROLES


@dataclass(frozen=True)
class Param:
    """A trainable value; ``uses`` lists the (from, to) connections it weights."""

    name: str
    value: float | None  # None in a symbolic problem
    origin: Origin
    uses: tuple = ()


@dataclass(frozen=True)
class Layer:
    """For the picture of the network: a label, its neurons and its activation."""

    label: str
    neurons: tuple
    activation: str


@dataclass(frozen=True)
class Dense:
    """A dense layer as a matrix: Z = A·W + b, A = f(Z), with the names of everything in it.

    Every layers-form layer has one beside its scalar nodes, so that a large network can be evaluated
    as matrices (matrix.py) while a small one shows each scalar step; both read the same names.
    """

    label: str
    inputs: tuple  # names of the layer's inputs, the columns of A_in
    zs: tuple  # the neurons' z names
    outs: tuple  # their activations' names, the columns of A
    weights: tuple  # weights[i][j]: the name of the parameter from input i to neuron j
    biases: tuple  # the bias name of each neuron, or None
    activations: tuple  # (name, ((param, value), …)) for each neuron; softmax: the whole layer

    @property
    def shape(self) -> tuple[int, int]:
        """(inputs, neurons): the shape of W."""
        return len(self.inputs), len(self.zs)


class Training(NamedTuple):
    """How the parameters are trained beyond the learning rate: how many steps, on which samples, how.

    Either ``steps`` full-batch steps, or ``epochs`` passes over the samples in mini-batches of
    ``batch_size`` (all samples when None), in file order or shuffled with ``seed``. ``show`` lists
    the steps (from 1) whose worked solution is printed in full.
    """

    optimizer: OptimizerSpec = OptimizerSpec()
    steps: int = 1  # the total number of steps, however they are given
    epochs: int | None = None  # None: full-batch steps
    batch_size: int | None = None  # None: every sample in each step
    seed: int | None = None  # None: samples in file order
    show: tuple[int, ...] = (1,)
    origin: Origin | None = None  # the learning rate's place in the file, where divergence is reported

    @property
    def single(self) -> bool:
        """Whether training is one step: the solution is that step, with no training summary."""
        return self.steps == 1

    @property
    def plain(self) -> bool:
        """Whether training is one step of plain gradient descent, all the file said before training grew."""
        return self.single and self.epochs is None and self.optimizer.name == "sgd"


@dataclass(frozen=True)
class Problem:
    """Everything the engine needs, validated."""

    file: str
    title: str
    description: str
    source: str
    inputs: dict  # name -> tuple of floats, one per sample
    targets: dict  # name -> tuple of floats, one per sample
    params: dict  # name -> Param, in file order
    nodes: tuple  # Node, in evaluation order
    outputs: tuple  # (prediction, target) pairs
    loss: str  # name of the per-sample total loss node
    batch: BatchMode  # over samples
    learning_rate: float | None  # None: nothing is updated (expressions, symbolic problems)
    frozen: frozenset
    layers: tuple = ()  # Layer, for the picture
    symbols: dict = field(default_factory=dict)  # name -> LaTeX override
    origins: dict = field(default_factory=dict)  # name -> Origin, for errors found later
    kind: ProblemKind = "network"
    definitions: tuple = ()  # expression problems: (name, formula) as the user wrote each step
    training: Training | None = None  # None when nothing is updated
    dense: tuple = ()  # Dense, for a layers-form network: the same network as matrices

    @property
    def is_expression(self) -> bool:
        """Whether the problem is an expression (its output is differentiated, nothing is trained)."""
        return self.kind == "expression"

    @property
    def averages(self) -> bool:
        """Whether the batch loss is the mean of the per-sample losses (else their sum)."""
        return self.batch == "mean"

    @property
    def numeric(self) -> bool:
        """Whether the problem gives numbers; without them the solution is a symbolic derivation."""
        return self.n_samples > 0

    @property
    def n_samples(self) -> int:
        """How many samples the batch has."""
        series = [*self.inputs.values(), *self.targets.values()]
        if series:
            return len(series[0])
        return 0 if any(p.value is None for p in self.params.values()) else 1

    def node(self, name: str) -> Node:
        """The node of that name."""
        return next(n for n in self.nodes if n.name == name)


class CycleError(ValueError):
    """Formulas that use each other in a circle; ``cycle`` is the path, its first name repeated at its end."""

    def __init__(self, cycle: list[str]):
        super().__init__(" -> ".join(cycle))
        self.cycle = tuple(cycle)


def node_depths(nodes: Iterable[Node], flat: Collection[str] = ()) -> dict[str, int]:
    """How deep each node sits: 1 + the depth of the deepest node its formula names.

    Names that are not among the nodes (inputs, targets, parameters) have depth 0, and a node whose
    role is in ``flat`` adds nothing (``flat=("z",)`` gives a neuron's z the depth of its inputs and
    its activation one more, as a picture of layers counts). The result lists the nodes in evaluation
    order: depth first, roots in the order given, each node after every node its formula names.
    Raises CycleError for formulas that name each other in a circle.
    """
    by_name = {n.name: n for n in nodes}
    depth: dict[str, int] = {}
    for root, node in by_name.items():
        if root in depth:
            continue
        # An explicit stack: a chain of thousands of expression steps must not hit the recursion limit.
        path, open_, stack = [root], {root}, [iter(free_names(node.formula))]
        while stack:
            for ref in stack[-1]:
                if ref not in by_name or ref in depth:
                    continue
                if ref in open_:
                    raise CycleError([*path[path.index(ref):], ref])
                path.append(ref)
                open_.add(ref)
                stack.append(iter(free_names(by_name[ref].formula)))
                break
            else:
                stack.pop()
                node = by_name[path.pop()]
                open_.discard(node.name)
                below = max((depth[r] for r in free_names(node.formula) if r in by_name), default=0)
                depth[node.name] = below + (0 if node.role in flat else 1)
    return depth
