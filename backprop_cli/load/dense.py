"""The fully connected blocks of a named-edges network, as model.Dense records for the matrix path.

Neurons at one depth that read the same sources, each through one weighted edge per source, are one
dense block: Z = A_src·W + b. A network whose every neuron falls into such a block can be solved as
matrices like a layers-form one; a network with any other neuron (two edges from one source into one
neuron, a softmax group split between blocks) keeps to the scalar path.
"""
from __future__ import annotations

from collections import Counter

from ..formula.tree import Call, Var
from ..model import Dense
from .builder import NeuronSpec


def _sources(n: NeuronSpec) -> dict | None:
    """source -> weight name of a neuron whose every term is weight·source, each source once; else None."""
    found: dict = {}
    for term in n.terms:
        if not (type(term) is Call and term.fn == "mul" and len(term.args) == 2
                and all(type(a) is Var for a in term.args)):
            return None
        weight, src = term.args[0].name, term.args[1].name
        if src in found:
            return None
        found[src] = weight
    return found


def dense_blocks(neurons: list[NeuronSpec], depth: dict) -> list[Dense] | None:
    """Every neuron in a dense block, blocks in depth order; None when some neuron fits no block."""
    blocks: dict[tuple, list] = {}
    for n in neurons:
        sources = _sources(n)
        if sources is None:
            return None
        blocks.setdefault((depth[n.a], frozenset(sources)), []).append((n, sources))
    out = []
    per_depth, seen = Counter(d for d, _ in blocks), Counter[int]()
    for (d, _), members in sorted(blocks.items(), key=lambda item: item[0][0]):
        seen[d] += 1
        label = f"layer {d}" if per_depth[d] == 1 else f"layer {d}, block {seen[d]}"
        order = tuple(members[0][1])  # the first neuron's order of its sources: the columns of A_in
        specs = [n for n, _ in members]
        zs = tuple(n.z for n in specs)
        softmax = [n.activation == "softmax" for n in specs]
        if any(softmax) and not (all(softmax) and all(n.group == zs for n in specs)):
            return None  # a softmax over anything but exactly this block is left to the scalar path
        weights = tuple(tuple(src_w[src] for _, src_w in members) for src in order)
        out.append(Dense(label, order, zs, tuple(n.a for n in specs), weights,
                         tuple(n.bias for n in specs), tuple((n.activation, tuple(n.params)) for n in specs)))
    return out
