"""The equations form of a network: one named node per formula, h1: sigmoid(w21*x2 + B)."""
from __future__ import annotations

from ..errors import Origin
from ..formula.registry import REGISTRY
from ..formula.tree import Call, Var
from ..model import CycleError, Layer, Node, node_depths
from . import validate as v
from .builder import Built, NeuronSpec, parse


def build_equations(b: Built, spec, origin: Origin) -> None:
    """equations: {name: formula}; an activation of a compound argument is a neuron with its own z node."""
    for name, source in spec.items():
        eo = v.at(spec, name, origin)
        formula = b.lift(parse(source, eo), eo)
        activation = isinstance(formula, Call) and REGISTRY[formula.fn].kind == "activation"
        if (isinstance(formula, Call) and activation and formula.fn != "softmax"
                and not isinstance(formula.args[0], Var)):  # an activation of a compound argument
            b.add_neuron(NeuronSpec(z=f"z_{name}", a=name, activation=formula.fn, params=formula.params,
                                    terms=(formula.args[0],), origin=eo))
        else:
            b.add_node(name, formula, eo, "a" if activation else "node", name if activation else None)
    # A node an activation is taken of is that neuron's z.
    zs = {n.formula.args[0].name: n.name for n in b.nodes if n.role == "a" and n.formula.fn != "softmax"
          and isinstance(n.formula.args[0], Var)}
    zs.update({arg.name: n.name for n in b.nodes if n.role == "a" and n.formula.fn == "softmax"
               for k, arg in enumerate(n.formula.args) if isinstance(arg, Var)
               and int(n.formula.param("index")) == k + 1})
    b.nodes = [Node(n.name, n.formula, "z", n.origin, zs[n.name]) if n.role == "node" and n.name in zs else n
               for n in b.nodes]
    b.layers = _equation_layers(b.nodes)


def _equation_layers(nodes: list) -> list:
    """Layers for the picture: activations and other nodes grouped by depth (a z adds no depth)."""
    try:
        depth = node_depths(nodes, flat=("z",))
    except CycleError:
        return []  # ordering the nodes reports the cycle, in the names the user wrote
    shown = [n for n in nodes if n.role != "z"]
    layers = []
    for d in sorted({depth[n.name] for n in shown}):
        group = [n for n in shown if depth[n.name] == d]
        acts = [REGISTRY[n.formula.fn].name if n.role == "a" else "formula" for n in group]
        layers.append(Layer(f"layer {d}", tuple(n.name for n in group), ", ".join(dict.fromkeys(acts))))
    return layers
