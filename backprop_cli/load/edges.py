"""The named-edges form of a network: neurons by name, and edges such as w5: h1 -> o1 = 0.40."""
from __future__ import annotations

import dataclasses
import re

from ..errors import Origin, ProblemError, one_of, suggest
from ..formula.tree import Var, mul
from ..model import CycleError, node_depths
from . import validate as v
from .builder import Built, NeuronSpec, activation_call

_EDGE = re.compile(r"^\s*([A-Za-z]\w*)\s*->\s*([A-Za-z]\w*)\s*(?:=\s*(\S+))?\s*$")


def build_edges(b: Built, neurons_spec, edges_spec, origin_n: Origin, origin_e: Origin, inputs: list) -> Built:
    """neurons: {name: {activation, z, bias, group}} and edges: {w5: 'h1 -> o1 = 0.40'}."""
    v.mapping(neurons_spec, origin_n)
    v.mapping(edges_spec, origin_e)
    neurons: dict[str, NeuronSpec] = {}
    group_of: dict[str, str] = {}  # neuron -> the name of its softmax group
    for a, spec in neurons_spec.items():
        no = v.at(neurons_spec, a, origin_n)
        v.name(a, no)
        v.mapping(spec, no, "a mapping with activation, and optionally z, bias and group")
        v.keys(spec, no, ["activation", "z", "bias", "group"], ["activation"])
        z = v.name(spec.get("z", f"z_{a}"), v.at(spec, "z", no))
        bias = v.name(spec["bias"], v.at(spec, "bias", no)) if "bias" in spec else None
        act, params = activation_call(spec["activation"], v.at(spec, "activation", no))
        neurons[a] = NeuronSpec(z=z, a=a, activation=act, params=params, bias=bias, origin=no)
        group_of[a] = str(spec.get("group", "softmax"))
    terms: dict[str, list] = {a: [] for a in neurons}
    feeds = set()
    for w, spec in edges_spec.items():
        eo = v.at(edges_spec, w, origin_e)
        v.name(w, eo)
        items = spec if isinstance(spec, list) else [spec]
        for k, item in enumerate(items):
            src, dst, number = _edge(item, v.at(spec, k, eo) if isinstance(spec, list) else eo, neurons, inputs)
            b.param(w, number, v.at(spec, k, eo) if isinstance(spec, list) else eo, (src, dst))
            terms[dst].append(mul(Var(w), Var(src)))
            feeds.add(src)
    for a, n in neurons.items():
        if not terms[a]:
            raise ProblemError(n.origin, f"neuron '{a}' has no incoming edge", "at least one edge into it")
    groups: dict[str, list] = {}
    for a, n in neurons.items():
        if n.activation == "softmax":
            groups.setdefault(group_of[a], []).append(n.z)
    for a, n in neurons.items():
        neurons[a] = dataclasses.replace(n, terms=tuple(terms[a]), group=tuple(groups.get(group_of[a], ())))
        b.add_neuron(neurons[a])
    b.sinks = [a for a in neurons if a not in feeds]
    try:
        node_depth = node_depths(b.nodes, flat=("z",))
    except CycleError as exc:
        n = next(n for n in b.nodes if n.name == exc.cycle[0])
        raise ProblemError(n.origin, f"cycle through neuron '{n.neuron}'", "edges that only go forward") from None
    depth = {a: node_depth[a] for a in neurons}
    for d in sorted(set(depth.values())):
        b.add_layer(f"layer {d}", [n for a, n in neurons.items() if depth[a] == d])
    return b


def _edge(item, io: Origin, neurons: dict, inputs: list) -> tuple[str, str, float | None]:
    """(from, to, value or None) of one edge string."""
    m = _EDGE.match(item) if isinstance(item, str) else None
    if not m:
        raise ProblemError(io, f"cannot read edge {item!r}", "'from -> to' or 'from -> to = value'")
    src, dst, value = m.groups()
    if dst not in neurons:
        raise ProblemError(io, f"edge into '{dst}', which is not a neuron", one_of(neurons), suggest(dst, neurons))
    if src not in neurons and src not in inputs:
        raise ProblemError(io, f"edge from '{src}', which is neither an input nor a neuron",
                           "an input or neuron name", suggest(src, [*neurons, *inputs]))
    if value is None:
        return src, dst, None
    try:
        number = float(value)
    except ValueError:
        raise ProblemError(io, f"edge value {value!r} is not a number", "a number") from None
    return src, dst, v.number(number, io)
