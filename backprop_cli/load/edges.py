"""The named-edges form of a network: neurons by name, and edges such as w5: h1 -> o1 = 0.40."""
from __future__ import annotations

import dataclasses
import re

from ..errors import Origin, ProblemError, one_of, suggest
from ..formula.tree import Var, mul
from ..model import CycleError, node_depths
from . import validate as v
from .builder import Built, NeuronSpec, activation_of, too_many_components
from .dense import dense_blocks
from .format import EDGE
from .imperative import BeyondSchema


def build_edges(b: Built, neurons_spec, edges_spec, origin_n: Origin, origin_e: Origin, inputs: list) -> None:
    """neurons: {name: {activation, z, bias, group}} and edges: {w5: 'h1 -> o1 = 0.40'}, checked by format."""
    neurons: dict[str, NeuronSpec] = {}
    group_of: dict[str, str] = {}  # neuron -> the name of its softmax group
    for a, spec in neurons_spec.items():
        act, params = activation_of(spec["activation"])
        neurons[a] = NeuronSpec(z=spec.get("z", f"z_{a}"), a=a, activation=act, params=params, bias=spec.get("bias"),
                                origin=v.at(neurons_spec, a, origin_n))
        group_of[a] = str(spec.get("group", "softmax"))
    terms: dict[str, list] = {a: [] for a in neurons}
    feeds = set()
    for w, spec in edges_spec.items():
        eo = v.at(edges_spec, w, origin_e)
        for k, item in enumerate(spec if isinstance(spec, list) else [spec]):
            io = v.at(spec, k, eo) if isinstance(spec, list) else eo
            src, dst, number = _edge(item, io, neurons, inputs)
            b.param(w, number, io, (src, dst))
            terms[dst].append(mul(Var(w), Var(src)))
            feeds.add(src)
    for a, n in neurons.items():
        if not terms[a]:
            raise BeyondSchema("complete", n.origin, f"neuron '{a}' has no incoming edge", "at least one edge into it")
    groups: dict[str, list] = {}
    for a, n in neurons.items():
        if n.activation == "softmax":
            groups.setdefault(group_of[a], []).append(n.z)
    for members in groups.values():
        too_many_components(len(members), next(n.origin for n in neurons.values() if n.z == members[0]))
    for a, n in neurons.items():
        neurons[a] = dataclasses.replace(n, terms=tuple(terms[a]), group=tuple(groups.get(group_of[a], ())))
        b.add_neuron(neurons[a])
    b.sinks = [a for a in neurons if a not in feeds]
    try:
        depth = node_depths(b.nodes, flat=("z",))
    except CycleError as exc:
        n = next(n for n in b.nodes if n.name == exc.cycle[0])
        coupled = _softmax_coupling(exc.cycle, neurons)
        if coupled is not None:
            first, second = coupled
            raise BeyondSchema("cycle", neurons[first].origin, f"softmax neurons '{first}' and '{second}' form one "
                               f"softmax group, but '{first}' feeds '{second}'",
                               "a group for the softmax neurons of each layer, e.g. group: hidden and group: output; "
                               "without group, all softmax neurons form one") from None
        raise BeyondSchema("cycle", n.origin, f"cycle through neuron '{n.neuron}'", "edges that only go forward") \
            from None
    for d in sorted({depth[a] for a in neurons}):
        b.add_layer(f"layer {d}", [n for a, n in neurons.items() if depth[a] == d])
    b.dense = dense_blocks(list(neurons.values()), depth) or []  # the matrix path, where it is fully connected


def _softmax_coupling(cycle: tuple, neurons: dict) -> tuple[str, str] | None:
    """(a, b) when the cycle closes through a's softmax reading b's z, b computed from a: one group, two layers."""
    z_of = {n.z: a for a, n in neurons.items()}
    for name, ref in zip(cycle, cycle[1:]):
        if name in neurons and neurons[name].activation == "softmax" and ref in z_of and z_of[ref] != name:
            return name, z_of[ref]
    return None


def _edge(item: str, io: Origin, neurons: dict, inputs: list) -> tuple[str, str, float | None]:
    """(from, to, value or None) of one edge string."""
    src, dst, value = EDGE.groups(item)
    if dst not in neurons:
        raise BeyondSchema("reference", io, f"edge into '{dst}', which is not a neuron", one_of(neurons),
                           suggest(dst, neurons))
    if src not in neurons and src not in inputs:
        raise BeyondSchema("reference", io, f"edge from '{src}', which is neither an input nor a neuron",
                           "an input or neuron name", suggest(src, [*neurons, *inputs]))
    if value is None:
        return src, dst, None
    if not v.plain_number(value) and not re.fullmatch(r"[-+]?(?:inf|infinity|nan)", value, re.I):
        # float() reads ١٢ as 12 and 1_0 as 10: only ASCII decimals are numbers
        raise BeyondSchema("edge-value", io, f"edge value {value!r} is not a number", "a number")
    try:
        return src, dst, v.number(float(value), io)
    except ValueError:
        raise BeyondSchema("edge-value", io, f"edge value {value!r} is not a number", "a number") from None
    except ProblemError as exc:
        raise BeyondSchema.of("edge-value", exc) from None
