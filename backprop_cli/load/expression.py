"""Compile an expression problem into a computational graph: every sub-expression is a node."""
from __future__ import annotations

from ..errors import Origin
from ..formula.tree import Call, Expr, Var, free_names, substitute
from ..model import CycleError, Layer, node_depths
from . import validate as v
from .builder import Built, parse
from .format import STEP


def _steps(spec, origin: Origin) -> list[tuple[str, str, Origin]]:
    """(name, formula, origin) from a string, a mapping, or a list of 'name = formula' (checked by format)."""
    if isinstance(spec, str):
        m = STEP.match(spec)
        return [(m.group(1), m.group(2), origin)] if m else [("f", spec, origin)]
    if isinstance(spec, dict):
        return [(k, f, v.at(spec, k, origin)) for k, f in spec.items()]
    out = []
    for k, item in enumerate(spec):
        io = v.at(spec, k, origin)
        if isinstance(item, dict):
            (name, formula), = item.items()
            out.append((name, formula, io))
        else:
            name, formula = STEP.groups(item)
            out.append((name, formula, io))
    return out


def build_expression(b: Built, spec, origin: Origin, inputs: list) -> str:
    """Build the graph of an expression problem into b; the name of its last step."""
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
    last = ""  # the format asks for at least one step
    for name, source, so in steps:
        formula = parse(source, so)
        # only the names this step uses: a mapping of every binding so far would make a long chain quadratic
        formula = substitute(formula, {Var(k): Var(binding[k]) for k in free_names(formula) if k in binding})
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
    return last


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
    by_depth: dict[int, list] = {}
    for n in nodes:
        by_depth.setdefault(depth[n.name], []).append(n)
    layers = []
    for d, group in sorted(by_depth.items()):
        layers.append(Layer(f"step {d}", tuple(n.name for n in group), "; ".join(
            f"{n.name} ← {', '.join(free_names(n.formula)) or 'constants'}" for n in group)))
    return layers
