"""The equations form of a network: one named node per formula, h1: sigmoid(w21*x2 + B)."""
from __future__ import annotations

from ..errors import Origin
from ..formula.parse import parse_formula
from ..formula.registry import REGISTRY
from ..formula.tree import Call, Var
from ..model import CycleError, Layer, Node, node_depths
from . import validate as v
from .builder import Built, NeuronSpec


def build_equations(b: Built, spec, origin: Origin) -> Built:
    """equations: {name: formula}; a top-level activation of a compound argument gets its own z node."""
    v.mapping(spec, origin, "a mapping of name: formula")
    for name, source in spec.items():
        eo = v.at(spec, name, origin)
        v.name(name, eo)
        formula = parse_formula(source, eo)
        fn = REGISTRY[formula.fn] if isinstance(formula, Call) else None
        if fn is not None and fn.kind == "activation" and fn.name != "softmax" \
                and not isinstance(formula.args[0], Var):
            b.add_neuron(NeuronSpec(z=f"z_{name}", a=name, activation=fn.name, params=formula.params,
                                    terms=(formula.args[0],), origin=eo))
            continue
        role = "a" if fn is not None and fn.kind == "activation" else "node"
        b.add_node(name, formula, eo, role, name if role == "a" else None)
    # A node an activation is taken of is that neuron's z.
    zs = {n.formula.args[0].name: n.name for n in b.nodes if n.role == "a" and n.formula.fn != "softmax"
          and isinstance(n.formula.args[0], Var)}
    zs.update({arg.name: n.name for n in b.nodes if n.role == "a" and n.formula.fn == "softmax"
               for k, arg in enumerate(n.formula.args) if isinstance(arg, Var)
               and int(n.formula.param("index")) == k + 1})
    b.nodes = [Node(n.name, n.formula, "z", n.origin, zs[n.name]) if n.role == "node" and n.name in zs else n
               for n in b.nodes]
    b.layers = _equation_layers(b.nodes)
    return b


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
