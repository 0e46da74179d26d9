"""The named-edges form of a network: neurons by name, and edges such as w5: h1 -> o1 = 0.40."""
from __future__ import annotations

import re

from . import validate as v
from ..errors import Origin, ProblemError, one_of, suggest
from ..formula.tree import Call, Var, mul
from ..model import Layer
from .builder import Built, activation_call, add_neurons, layer_activation_text


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
    add_neurons(b, [info[a]["z"] for a in names], names, [info[a]["act"] for a in names],
             lambda k: tuple(groups.get(info[names[k]]["group"], ())), [info[a]["terms"] for a in names],
             lambda k: info[names[k]]["origin"])
    b.sinks = [a for a in names if a not in feeds]
    depth = _depths(names, info, inputs)
    for d in sorted(set(depth.values())):
        layer = tuple(a for a in names if depth[a] == d)
        b.layers.append(Layer(f"layer {d}", layer, layer_activation_text([info[a]["act"] for a in layer])))
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
