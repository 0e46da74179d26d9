"""Compile an expression problem into a computational graph: every sub-expression is a node."""
from __future__ import annotations

import re

from ..errors import Origin, ProblemError
from ..formula.parse import parse_formula
from ..formula.tree import Call, Expr, Var, free_names, substitute
from ..model import CycleError, Layer, node_depths
from . import validate as v
from .builder import Built

_STEP = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*=(?!=)\s*(.+)$", re.DOTALL)


def _steps(spec, origin: Origin) -> list[tuple[str, str, Origin]]:
    """(name, formula, origin) from a string, a mapping, or a list of 'name = formula'."""
    if isinstance(spec, str):
        m = _STEP.match(spec)
        return [(m.group(1), m.group(2), origin)] if m else [("f", spec, origin)]
    if isinstance(spec, dict):
        return [(v.name(k, v.at(spec, k, origin)), f, v.at(spec, k, origin)) for k, f in spec.items()]
    items = v.listing(spec, origin, "a formula, a mapping of name: formula, or a list of 'name = formula'")
    out = []
    for k, item in enumerate(items):
        io = v.at(items, k, origin)
        if isinstance(item, dict) and len(item) == 1:
            (name, formula), = item.items()
            out.append((v.name(name, io), formula, io))
            continue
        m = _STEP.match(item) if isinstance(item, str) else None
        if not m:
            raise ProblemError(io, f"cannot read step {item!r}", "'name = formula', e.g. 'q = x + y'")
        out.append((m.group(1), m.group(2), io))
    if not out:
        raise ProblemError(origin, "no steps", "at least one 'name = formula'")
    return out


def build_expression(b: Built, spec, origin: Origin, inputs: list) -> tuple[Built, str]:
    """The graph of an expression problem, and the name of its output node."""
    taken = set(inputs)
    binding: dict = {}  # user name -> node currently holding it (c = c + 1 rebinds c to c')
    given = set(inputs)  # every name an input or node already has: a rebinding needs a new one (c, c', c'')
    counter = [0]

    def fresh() -> str:
        while True:
            counter[0] += 1
            name = f"t{counter[0]}"
            if name not in taken:
                taken.add(name)
                return name

    steps = _steps(spec, origin)
    user_names = {name for name, _, _ in steps}
    taken |= user_names
    last = None
    for name, source, so in steps:
        formula = parse_formula(source, so)
        formula = substitute(formula, {Var(k): Var(n) for k, n in binding.items()})
        top = _split(formula, so, b, fresh)
        node_name = name
        while node_name in given:
            node_name += "'"
        given.add(node_name)
        b.add_node(node_name, top, so)
        b.definitions.append((node_name, formula))
        binding[name] = node_name
        last = node_name
    b.layers = _graph_layers(b.nodes)
    return b, last


def _split(expr: Expr, origin: Origin, b: Built, fresh) -> Expr:
    """Make every call below the top its own auto-named node; return the top formula."""
    if not isinstance(expr, Call):
        return expr
    args = []
    for arg in expr.args:
        if isinstance(arg, Call):
            inner = _split(arg, origin, b, fresh)
            name = fresh()
            b.add_node(name, inner, origin)
            args.append(Var(name))
        else:
            args.append(arg)
    return Call(expr.fn, tuple(args), expr.params)


def _graph_layers(nodes: list) -> list:
    """The computational graph for the picture: each node with what it is computed from."""
    try:
        depth = node_depths(nodes)
    except CycleError:
        return []  # ordering the nodes reports the cycle
    layers = []
    for d in sorted(set(depth.values())):
        group = [n for n in nodes if depth[n.name] == d]
        layers.append(Layer(f"step {d}", tuple(n.name for n in group), "; ".join(
            f"{n.name} ← {', '.join(free_names(n.formula)) or 'constants'}" for n in group)))
    return layers
