"""What every input form shares: the neuron spec, and the nodes and parameters a network section builds."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Origin, ProblemError
from ..formula.printing import fmt_const
from ..formula.registry import REGISTRY
from ..formula.tree import Call, Expr, Var, add
from ..limits import MAX_SOFTMAX
from ..model import Layer, Node, Role
from .imperative import BeyondSchema


@dataclass(frozen=True, kw_only=True)
class NeuronSpec:
    """One neuron as any input form states it: z = the sum of its terms and bias, a = activation(z)."""

    z: str
    a: str
    activation: str  # a registry activation
    params: tuple = ()  # the activation's keyword parameters, ((name, value), …) sorted by name
    terms: tuple = ()  # Expr summed into z, before the bias
    bias: str | None = None
    group: tuple = ()  # softmax only: the z names of the neurons it is taken over, in order
    origin: Origin

    def formula(self) -> Call:
        """a as a formula of z: the activation, or this neuron's component of its group's softmax."""
        if self.activation == "softmax":
            index = float(self.group.index(self.z) + 1)
            return Call("softmax", tuple(Var(g) for g in self.group), (("index", index),))
        return Call(self.activation, (Var(self.z),), tuple(sorted((k, float(p)) for k, p in self.params)))

    def describe(self) -> str:
        """The activation as the picture of the network names it: leaky_relu(slope=0.1)."""
        extra = ", ".join(f"{k}={fmt_const(p)}" for k, p in self.params if k != "index")
        return f"{self.activation}({extra})" if extra else self.activation


@dataclass
class Built:
    """What a network section compiles to."""

    nodes: list = field(default_factory=list)
    values: dict = field(default_factory=dict)  # param -> (value, origin): the first value given for it
    uses: dict = field(default_factory=dict)  # param -> [(from, to)]
    layers: list = field(default_factory=list)
    sinks: list = field(default_factory=list)  # neurons whose activation feeds no other neuron
    definitions: list = field(default_factory=list)  # (name, formula) as written, for expressions
    names: set = field(default_factory=set)  # of the nodes
    taken: frozenset = frozenset()  # every word the file writes: an auto-named node (t1, t2 …) takes none of them
    made: int = 0  # auto-named nodes so far
    dense: list = field(default_factory=list)  # model.Dense, for the layers form

    def param(self, name: str, value: float | None, origin: Origin, use: tuple | None) -> None:
        """Record a parameter's value (a second one must agree with the first) and what it weights."""
        if value is not None:
            old = self.values.get(name)
            if old is not None and old[0] != value:
                raise BeyondSchema("distinct", origin, f"parameter '{name}' is given two values, {old[0]:g} "
                                                       f"(line {old[1].line}) and {value:g}", "one value per parameter")
            self.values.setdefault(name, (value, origin))
        if use is not None:
            self.uses.setdefault(name, []).append(use)

    def add_node(self, name: str, formula: Expr, origin: Origin, role: Role = "node",
                 neuron: str | None = None) -> None:
        """Append a node; a name already taken by another node is an error."""
        if name in self.names:
            raise BeyondSchema("distinct", origin, f"name '{name}' is defined twice", "each name defined once")
        self.names.add(name)
        self.nodes.append(Node(name, formula, role, origin, neuron))

    def fresh(self) -> str:
        """The next auto-name, t1, t2 …, that the file does not use."""
        while True:
            self.made += 1
            name = f"t{self.made}"
            if name not in self.taken and name not in self.names:
                return name

    def lift(self, formula: Expr, origin: Origin) -> Expr:
        """formula with every function call or power nested inside another made its own auto-named node.

        Differentiating σ(σ(…σ(x)…)) as one formula writes each inner σ into every factor, cubic in the
        depth; a node each is differentiated once, as the expression form does and a hand solution reads.
        """
        def walk(e: Expr, inside: bool) -> Expr:
            if not isinstance(e, Call):
                return e
            heavy = e.fn not in _LINEAR
            made = Call(e.fn, tuple(walk(a, inside or heavy) for a in e.args), e.params)
            if not (heavy and inside):
                return made
            name = self.fresh()
            self.add_node(name, made, origin)
            return Var(name)

        return walk(formula, False)

    def add_neuron(self, n: NeuronSpec) -> None:
        """Append a neuron's z and a nodes, and record its bias as a parameter use."""
        terms = list(n.terms)
        if n.bias:
            self.param(n.bias, None, n.origin, ("1", n.a))
            terms.append(Var(n.bias))
        self.add_node(n.z, add(*terms) if len(terms) > 1 else terms[0], n.origin, "z", n.a)
        self.add_node(n.a, n.formula(), n.origin, "a", n.a)

    def add_layer(self, label: str, neurons: list[NeuronSpec]) -> None:
        """A layer of the picture: its neurons, and one activation or one per neuron."""
        texts = [n.describe() for n in neurons]
        shown = texts[0] if len(set(texts)) == 1 else ", ".join(texts)
        self.layers.append(Layer(label, tuple(n.a for n in neurons), shown))


_LINEAR = ("add", "sub", "neg", "mul", "div")  # operators whose partials name no sub-formula of their own


def activation_of(spec) -> tuple[str, tuple]:
    """(name, sorted parameters with their defaults) of a checked activation: 'tanh' or {name: elu, alpha: 2}."""
    name = spec["name"] if isinstance(spec, dict) else spec
    params = dict(REGISTRY[name].params)
    if isinstance(spec, dict):
        params.update((k, float(x)) for k, x in spec.items() if k != "name")
    return name, tuple(sorted(params.items()))


def too_many_components(n: int, origin: Origin) -> None:
    """Refuse a softmax group beyond MAX_SOFTMAX before its n² partials are built."""
    if n > MAX_SOFTMAX:
        raise BeyondSchema("limit", origin, f"softmax over {n} components is too large",
                           f"at most {MAX_SOFTMAX} components in one softmax group")


def parse(source, origin: Origin) -> Expr:
    """A formula tree; its errors are marked as checks the schema cannot make."""
    from ..formula.parse import parse_formula  # loaded only when a file has formulas

    try:
        return parse_formula(source, origin)
    except ProblemError as exc:
        raise BeyondSchema.of("formula", exc) from None
