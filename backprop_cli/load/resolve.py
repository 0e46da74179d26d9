"""Tie the names of a built network together: evaluation order, undefined names, cycles, parameters."""
from __future__ import annotations

from ..errors import Origin, suggest
from ..formula.tree import Call, Var, free_names
from ..model import CycleError, Node, Param, node_depths
from .builder import Built
from .imperative import BeyondSchema


def evaluation_order(built: Built, inputs: dict, targets: dict, params: dict) -> list:
    """Nodes in evaluation order; a name defined twice, an undefined name and a cycle are errors."""
    leaves = set(inputs) | set(targets) | set(params) | set(built.values) | set(built.uses)
    for n in built.nodes:  # one node against another is Built.add_node's to refuse
        if n.name in leaves:
            raise BeyondSchema("distinct", n.origin, f"name '{n.name}' is defined twice", "each name defined once")
    known = leaves | built.names
    for n in built.nodes:
        for ref in free_names(n.formula):
            if ref not in known:
                raise BeyondSchema("reference", n.origin, f"'{ref}' is not defined",
                                   "an input, target, parameter or node name", suggest(ref, known))
    nodes = {n.name: n for n in built.nodes}
    try:
        return [nodes[name] for name in node_depths(built.nodes)]  # node_depths lists them in evaluation order
    except CycleError as exc:
        raise BeyondSchema("cycle", nodes[exc.cycle[0]].origin, f"cycle: {' -> '.join(_user_names(exc.cycle, nodes))}",
                           "formulas without cycles") from None


def _user_names(cycle: tuple, nodes: dict) -> list:
    """A cycle as the user wrote it: a node made for the equation h1 (its z, an inner call) is shown as h1, once."""
    shown: list = []
    for name in cycle:
        owner = nodes[name].origin.path.rpartition(".")[2]  # equations.h1: the equation that wrote it
        made = owner != name and owner in nodes
        if not (made and shown and shown[-1] == owner):
            shown.append(owner if made else name)
    return shown


def parameters(built: Built, params: dict, top: Origin, numeric: bool) -> dict:
    """One Param per name: its value (from params: or inline) and what it weights in the network."""
    # Parameters in the order the network first uses them: w1, w2, b1, w3 … as a hand solution lists them.
    first_use = [r for node in built.nodes for r in free_names(node.formula)]
    used = set(built.uses) | {n for n in first_use if n in params}
    out = {}
    names = [r for r in dict.fromkeys([*first_use, *params, *built.values, *built.uses])
             if r in params or r in built.values or r in built.uses]
    for name in names:
        source = built.values.get(name) or params.get(name)  # params: holds (None, origin) in a symbolic problem
        if source is None and not numeric:
            source = (None, _first_user(built, name) or top)
        if source is None:
            raise BeyondSchema("complete", _first_user(built, name) or top, f"parameter '{name}' has no value",
                               f"a value in params: ({name}: 0.5) or on its edge")
        if name not in used:
            raise BeyondSchema("complete", source[1], f"parameter '{name}' is not used anywhere",
                               "every parameter to appear in the network or loss")
        uses = built.uses.get(name) or [u for n in built.nodes if name in free_names(n.formula)
                                        for u in _uses_in(n, name)]
        out[name] = Param(name, source[0], source[1], tuple(uses))
    return out


def _uses_in(node: Node, name: str) -> list:
    """What a parameter weights inside one formula: (x, h1) for w·x in h1's sum, ("1", h1) for a bias."""
    target = node.neuron or node.name
    terms = node.formula.args if isinstance(node.formula, Call) and node.formula.fn == "add" else (node.formula,)
    uses = []
    for term in terms:
        if term == Var(name):
            uses.append(("1", target))
        elif isinstance(term, Call) and term.fn == "mul" and len(term.args) == 2 and Var(name) in term.args:
            other = term.args[1] if term.args[0] == Var(name) else term.args[0]
            uses.append((other.name if isinstance(other, Var) else "", target))
        elif name in free_names(term):
            uses.append(("", target))
    return uses


def _first_user(built: Built, name: str) -> Origin | None:
    """The origin of the first node that uses a name."""
    return next((n.origin for n in built.nodes if name in free_names(n.formula)), None)
