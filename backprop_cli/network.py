"""Compile the three ways of writing a network (layers, named edges, equations) into nodes."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import validate as v
from .errors import Origin, ProblemError, one_of, suggest
from .expr import Call, Expr, Var, add, free_names, mul
from .model import Layer, Node
from .parse import parse_formula
from .printing import fmt_const
from .registry import REGISTRY, names_of

ORIENTATIONS = ("inputs_by_neurons", "neurons_by_inputs")
FORMS = ("layers", "edges", "equations")


@dataclass
class Built:
    """What a network section compiles to."""

    nodes: list = field(default_factory=list)
    values: dict = field(default_factory=dict)  # param -> (value, origin), values given inline
    uses: dict = field(default_factory=dict)  # param -> [(from, to)]
    layers: list = field(default_factory=list)
    sinks: list = field(default_factory=list)  # neurons whose activation feeds no other neuron
    definitions: list = field(default_factory=list)  # (name, formula) as written, for expressions

    def param(self, name: str, value: float | None, origin: Origin, use: tuple | None) -> None:
        """Record a parameter use; a value given twice must agree."""
        if value is not None:
            old = self.values.get(name)
            if old is not None and old[0] != value:
                raise ProblemError(origin, f"parameter '{name}' is given two values, {old[0]:g} "
                                           f"(line {old[1].line}) and {value:g}", "one value per parameter")
            self.values.setdefault(name, (value, origin))
        if use is not None:
            self.uses.setdefault(name, []).append(use)


def activation_call(spec, origin: Origin) -> tuple[str, dict]:
    """An activation given as a name or as {name: leaky_relu, slope: 0.1}."""
    options = names_of("activation")
    if isinstance(spec, dict):
        v.keys(spec, origin, list(spec), ["name"])  # other keys are checked against the named function below
        fname = v.choice(spec["name"], v.at(spec, "name", origin), options, "activation")
        known = dict(REGISTRY[fname].params)
        params = dict(known)
        for k in spec:
            if k == "name":
                continue
            allowed = [p for p in known if p != "index"]
            if k not in allowed:
                raise ProblemError(v.at(spec, k, origin), f"{fname} has no parameter '{k}'",
                                   one_of(allowed) if allowed else "no parameters", suggest(k, allowed))
            params[k] = v.number(spec[k], v.at(spec, k, origin))
        return fname, params
    return v.choice(spec, origin, options, "activation"), dict(REGISTRY[spec].params) \
        if spec in REGISTRY else {}


def _apply(fname: str, params: dict, z: Expr, group: tuple, index: int) -> Call:
    if fname == "softmax":
        return Call("softmax", group, (("index", float(index + 1)),))
    return Call(fname, (z,), tuple(sorted((k, float(p)) for k, p in params.items())))


def _describe(fname: str, params: dict) -> str:
    extra = ", ".join(f"{k}={fmt_const(p)}" for k, p in params.items() if k != "index")
    return f"{fname}({extra})" if extra else fname


def _neuron_names(spec, origin: Origin) -> tuple[str, str]:
    """(z name, a name) from 'h1' or {z: net_h1, a: out_h1}."""
    if isinstance(spec, dict):
        v.keys(spec, origin, ["z", "a"], ["z", "a"])
        return v.name(spec["z"], v.at(spec, "z", origin)), v.name(spec["a"], v.at(spec, "a", origin))
    a = v.name(spec, origin)
    return f"z_{a}", a


def _neurons(b: Built, zs, as_, acts, group_of, z_terms, origin_of) -> None:
    """Append the z and a nodes of a set of neurons."""
    for k, (z, a) in enumerate(zip(zs, as_)):
        fname, params = acts[k]
        group = group_of(k)
        b.nodes.append(Node(z, add(*z_terms[k]) if len(z_terms[k]) > 1 else z_terms[k][0], "z", origin_of(k), a))
        idx = [g.name for g in group].index(z) if fname == "softmax" else 0
        b.nodes.append(Node(a, _apply(fname, params, Var(z), group, idx), "a", origin_of(k), a))


def build_layers(spec, origin: Origin, inputs: list) -> Built:
    """layers: a list of dense layers, each with a weight matrix of stated orientation."""
    b = Built()
    prev = list(inputs)
    for li, layer in enumerate(v.listing(spec, origin)):
        lo = v.at(spec, li, origin)
        v.mapping(layer, lo)
        v.keys(layer, lo, ["name", "neurons", "inputs", "activation", "weights", "bias"],
               ["neurons", "activation", "weights"])
        neurons = v.listing(layer["neurons"], v.at(layer, "neurons", lo), "a list of neuron names")
        names = [_neuron_names(n, v.at(neurons, k, v.at(layer, "neurons", lo))) for k, n in enumerate(neurons)]
        srcs = prev
        if "inputs" in layer:
            io = v.at(layer, "inputs", lo)
            srcs = [v.name(x, v.at(layer["inputs"], k, io)) for k, x in enumerate(v.listing(layer["inputs"], io))]
        acts = _layer_activations(layer["activation"], v.at(layer, "activation", lo), len(names))
        weights = _weights(layer["weights"], v.at(layer, "weights", lo), li + 1, len(srcs), len(names))
        biases = _biases(layer.get("bias"), v.at(layer, "bias", lo), len(names))
        z_terms = []
        for j, (z, a) in enumerate(names):
            terms = []
            for i, src in enumerate(srcs):
                wname, value, wo = weights[i][j]
                b.param(wname, value, wo, (src, a))
                terms.append(mul(Var(wname), Var(src)))
            if biases[j]:
                b.param(biases[j], None, v.at(layer, "bias", lo), ("1", a))
                terms.append(Var(biases[j]))
            z_terms.append(terms)
        group = tuple(Var(z) for z, _ in names)
        _neurons(b, [z for z, _ in names], [a for _, a in names], acts, lambda k: group, z_terms,
                 lambda k: v.at(neurons, k, v.at(layer, "neurons", lo)))
        label = v.text(layer.get("name", f"layer {li + 1}"), v.at(layer, "name", lo))
        b.layers.append(Layer(label, tuple(a for _, a in names), _layer_activation_text(acts)))
        prev = [a for _, a in names]
    b.sinks = prev
    return b


def _layer_activation_text(acts: list) -> str:
    texts = [_describe(f, p) for f, p in acts]
    return texts[0] if len(set(texts)) == 1 else ", ".join(texts)


def _layer_activations(spec, origin: Origin, n: int) -> list:
    if isinstance(spec, list):
        if len(spec) != n:
            raise ProblemError(origin, f"{len(spec)} activations for {n} neurons",
                               f"one activation for the layer or {n}, one per neuron")
        acts = [activation_call(s, v.at(spec, k, origin)) for k, s in enumerate(spec)]
        if any(f == "softmax" for f, _ in acts) and len({f for f, _ in acts}) > 1:
            raise ProblemError(origin, "softmax mixed with other activations in one layer",
                               "softmax for the whole layer")
        return acts
    return [activation_call(spec, origin)] * n


def _weights(spec, origin: Origin, layer_no: int, n_in: int, n_out: int) -> list:
    """weights[i][j] = (name, value, origin) for input i and neuron j."""
    v.mapping(spec, origin, "a mapping with orientation and values")
    v.keys(spec, origin, ["orientation", "values", "names"], ["orientation", "values"])
    orient = v.choice(spec["orientation"], v.at(spec, "orientation", origin), ORIENTATIONS, "orientation")
    vo = v.at(spec, "values", origin)
    rows = v.listing(spec["values"], vo, "a matrix (a list of rows)")
    for r, row in enumerate(rows):
        v.listing(row, v.at(rows, r, vo), "a row: a matrix is a list of rows, each a list of numbers")
    shape = (n_in, n_out) if orient == "inputs_by_neurons" else (n_out, n_in)
    described = "rows are inputs, columns are neurons" if orient == "inputs_by_neurons" \
        else "rows are neurons, columns are inputs"
    got = f"{len(rows)}×{len(rows[0]) if rows and isinstance(rows[0], list) else '?'}"
    if len(rows) != shape[0] or any(not isinstance(r, list) or len(r) != shape[1] for r in rows):
        raise ProblemError(vo, f"matrix is {got} but the layer has {n_in} inputs and {n_out} neurons",
                           f"{shape[0]}×{shape[1]}, {described}")
    names = spec.get("names", "w{layer}_{i}{j}")
    no = v.at(spec, "names", origin)
    out = [[None] * n_out for _ in range(n_in)]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            i, j = (r, c) if orient == "inputs_by_neurons" else (c, r)
            eo = v.at(row, c, v.at(rows, r, vo))
            if isinstance(names, list):
                if len(names) != len(rows) or not isinstance(names[r], list) or len(names[r]) != len(row):
                    raise ProblemError(no, "the names matrix does not have the shape of the values",
                                       f"{shape[0]}×{shape[1]}")
                wname = v.name(names[r][c], v.at(names[r], c, v.at(names, r, no)))
            else:
                template = v.text(names, no)
                try:
                    filled = template.format_map({"layer": layer_no, "i": i + 1, "j": j + 1})
                except (KeyError, IndexError, ValueError, AttributeError):
                    raise ProblemError(no, f"names template {template!r} cannot be filled in",
                                       "a template using {layer}, {i} and {j}, such as w{layer}_{i}{j}") from None
                wname = v.name(filled, no)
            out[i][j] = (wname, v.number(value, eo), eo)
    return out


def _biases(spec, origin: Origin, n: int) -> list:
    if spec is None:
        return [None] * n
    if isinstance(spec, list):
        if len(spec) != n:
            raise ProblemError(origin, f"{len(spec)} biases for {n} neurons", f"one shared name or {n} names")
        return [v.name(s, v.at(spec, k, origin)) for k, s in enumerate(spec)]
    return [v.name(spec, origin)] * n


_EDGE = re.compile(r"^\s*([A-Za-z]\w*)\s*->\s*([A-Za-z]\w*)\s*(?:=\s*(\S+))?\s*$")


def build_edges(neurons_spec, edges_spec, origin_n: Origin, origin_e: Origin, inputs: list) -> Built:
    """neurons: {name: {activation, z, bias, group}} and edges: {w5: 'h1 -> o1 = 0.40'}."""
    b = Built()
    v.mapping(neurons_spec, origin_n)
    v.mapping(edges_spec, origin_e)
    info = {}
    for a, spec in neurons_spec.items():
        no = v.at(neurons_spec, a, origin_n)
        v.name(a, no)
        v.mapping(spec, no, "a mapping with activation, and optionally z, bias and group")
        v.keys(spec, no, ["activation", "z", "bias", "group"], ["activation"])
        z = v.name(spec.get("z", f"z_{a}"), v.at(spec, "z", no))
        bias = v.name(spec["bias"], v.at(spec, "bias", no)) if "bias" in spec else None
        act = activation_call(spec["activation"], v.at(spec, "activation", no))
        info[a] = dict(z=z, bias=bias, act=act, group=str(spec.get("group", "softmax")), origin=no, terms=[])
    feeds = set()
    for w, spec in edges_spec.items():
        eo = v.at(edges_spec, w, origin_e)
        v.name(w, eo)
        items = spec if isinstance(spec, list) else [spec]
        for k, item in enumerate(items):
            io = v.at(spec, k, eo) if isinstance(spec, list) else eo
            m = _EDGE.match(item) if isinstance(item, str) else None
            if not m:
                raise ProblemError(io, f"cannot read edge {item!r}", "'from -> to' or 'from -> to = value'")
            src, dst, value = m.groups()
            if dst not in info:
                raise ProblemError(io, f"edge into '{dst}', which is not a neuron",
                                   one_of(info), suggest(dst, info))
            if src not in info and src not in inputs:
                raise ProblemError(io, f"edge from '{src}', which is neither an input nor a neuron",
                                   "an input or neuron name", suggest(src, [*info, *inputs]))
            number = None
            if value is not None:
                try:
                    number = float(value)
                except ValueError:
                    raise ProblemError(io, f"edge value {value!r} is not a number", "a number") from None
                number = v.number(number, io)
            b.param(w, number, io, (src, dst))
            info[dst]["terms"].append(mul(Var(w), Var(src)))
            feeds.add(src)
    names = list(info)
    for a in names:
        d = info[a]
        if not d["terms"]:
            raise ProblemError(d["origin"], f"neuron '{a}' has no incoming edge", "at least one edge into it")
        if d["bias"]:
            b.param(d["bias"], None, d["origin"], ("1", a))
            d["terms"].append(Var(d["bias"]))
    groups = {}
    for a in names:
        if info[a]["act"][0] == "softmax":
            groups.setdefault(info[a]["group"], []).append(Var(info[a]["z"]))
    _neurons(b, [info[a]["z"] for a in names], names, [info[a]["act"] for a in names],
             lambda k: tuple(groups.get(info[names[k]]["group"], ())), [info[a]["terms"] for a in names],
             lambda k: info[names[k]]["origin"])
    b.sinks = [a for a in names if a not in feeds]
    depth = _depths(names, info, inputs)
    for d in sorted(set(depth.values())):
        layer = tuple(a for a in names if depth[a] == d)
        b.layers.append(Layer(f"layer {d}", layer, _layer_activation_text([info[a]["act"] for a in layer])))
    return b


def _depths(names: list, info: dict, inputs: list) -> dict:
    """The layer of each neuron: one more than its deepest source (inputs are layer 0)."""
    depth: dict = {}

    def of(a, seen=()):
        if a in inputs or a not in info:
            return 0
        if a in seen:
            raise ProblemError(info[a]["origin"], f"cycle through neuron '{a}'", "edges that only go forward")
        if a not in depth:
            srcs = [t.args[1].name for t in info[a]["terms"] if isinstance(t, Call)]
            depth[a] = 1 + max((of(s, (*seen, a)) for s in srcs), default=0)
        return depth[a]

    for a in names:
        of(a)
    return depth


def build_equations(spec, origin: Origin) -> Built:
    """equations: {name: formula}; a top-level activation of a compound argument gets its own z node."""
    b = Built()
    v.mapping(spec, origin, "a mapping of name: formula")
    for name, source in spec.items():
        eo = v.at(spec, name, origin)
        v.name(name, eo)
        formula = parse_formula(source, eo)
        fn = REGISTRY[formula.fn] if isinstance(formula, Call) else None
        if fn is not None and fn.kind == "activation" and fn.name != "softmax" \
                and not isinstance(formula.args[0], Var):
            z = f"z_{name}"
            b.nodes.append(Node(z, formula.args[0], "z", eo, name))
            formula = Call(formula.fn, (Var(z),), formula.params)
        role = "a" if fn is not None and fn.kind == "activation" else "node"
        b.nodes.append(Node(name, formula, role, eo, name if role == "a" else None))
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
    defined = {n.name: n for n in nodes}
    depth: dict = {}

    def of(name: str, seen: tuple = ()) -> int:
        if name not in defined or name in seen:
            return 0
        if name not in depth:
            node = defined[name]
            below = max((of(r, (*seen, name)) for r in free_names(node.formula)), default=0)
            depth[name] = below + (0 if node.role == "z" else 1)
        return depth[name]

    shown = [n for n in nodes if n.role != "z"]
    for n in shown:
        of(n.name)
    layers = []
    for d in sorted({depth[n.name] for n in shown}):
        group = [n for n in shown if depth[n.name] == d]
        acts = [REGISTRY[n.formula.fn].name if n.role == "a" else "formula" for n in group]
        layers.append(Layer(f"layer {d}", tuple(n.name for n in group), ", ".join(dict.fromkeys(acts))))
    return layers
