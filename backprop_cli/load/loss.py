"""The loss section (checked by format.LOSS): built-in losses with their normalisation spelled out, or a formula."""
from __future__ import annotations

import math

from ..errors import Origin, one_of, suggest
from ..formula.tree import Call, Const, Var, add, div, mul
from ..model import BatchMode, Node
from ..notices import warn
from . import validate as v
from .builder import parse
from .imperative import BeyondSchema

_LOG_LOSSES = ("binary_cross_entropy", "categorical_cross_entropy")


def build_loss(spec, origin: Origin, doc, top: Origin, built, targets: dict,
               t_origins: dict) -> tuple[list, list, str, BatchMode]:
    """(outputs, loss nodes, total loss name, batch reduction)."""
    name = spec.get("name", "L")
    batch: BatchMode = spec.get("batch", "mean")  # the format allows only mean and sum
    outputs = _outputs(doc, top, built, targets)
    if "formula" in spec:
        fo = v.at(spec, "formula", origin)
        return outputs, [Node(name, built.lift(parse(spec["formula"], fo), fo), "loss", fo)], name, batch
    if not outputs:  # layers and edges name their missing outputs; equations have no last layer to name
        raise BeyondSchema("complete", v.at(doc, "outputs", top), "no outputs",
                           "outputs: a mapping of each output node to its target name")
    if "type" in spec:
        components = [(spec, origin)]
    else:
        so = v.at(spec, "sum", origin)
        components = [(c, v.at(spec["sum"], k, so)) for k, c in enumerate(spec["sum"])]
    nodes, parts = [], []
    for k, (comp, co) in enumerate(components):
        terms, part = _component(comp, co, k + 1 if len(components) > 1 else 0, outputs, targets, t_origins)
        nodes.extend(terms)
        parts.append(part)
    flat = [a for part in parts for a in (part.args if isinstance(part, Call) and part.fn == "add" else (part,))]
    total = flat[0] if len(flat) == 1 else add(*flat)
    return outputs, [*nodes, Node(name, total, "loss", origin)], name, batch


def _outputs(doc, top: Origin, built, targets: dict) -> list:
    """(prediction, target) pairs from outputs: {prediction: target}."""
    if "outputs" not in doc:
        return []
    node_names = [n.name for n in built.nodes]
    oo = v.at(doc, "outputs", top)
    mapping = doc["outputs"]
    pairs = []
    for pred, target in mapping.items():
        po = v.at(mapping, pred, oo)
        if pred not in node_names:
            raise BeyondSchema("reference", po, f"'{pred}' is not a node of the network", "an output neuron's name",
                               suggest(pred, node_names))
        if target not in targets:
            raise BeyondSchema("reference", po, f"output '{pred}' has no target: '{target}' is not among the targets",
                               one_of(targets) if targets else "a targets: mapping", suggest(str(target), targets))
        pairs.append((pred, target))
    for sink in built.sinks:
        if sink not in mapping:
            raise BeyondSchema("complete", oo, f"output '{sink}' has no target", f"an entry '{sink}: <target name>'")
    return pairs


def _distribution(names: list, targets: dict, t_origins: dict) -> None:
    """Warn when a sample's categorical targets do not sum to 1: valid, but seldom meant, and δ ≠ ŷ − y then."""
    for s in range(len(targets[names[0]]) if names and targets.get(names[0]) else 0):
        total = math.fsum(targets[t][s] for t in names)
        if abs(total - 1) > 1e-9:
            warn(t_origins.get((names[0], s)), f"the categorical_cross_entropy targets of sample {s + 1} sum to "
                 f"{total:g}, not 1", "a probability for each output, such as a one-hot target, so that δ = ŷ − y")
            return  # once: a batch of 10,000 soft targets needs one warning


def _component(comp, co: Origin, k: int, outputs: list, targets: dict, t_origins: dict):
    """Per-output term nodes of one built-in loss, and its reduced formula."""
    kind = comp["type"]
    params = {"factor": float(comp["factor"])} if kind == "squared_error" else {}
    if kind in _LOG_LOSSES:
        for (t, s), to in t_origins.items():
            if any(t == target for _, target in outputs) and not 0 <= targets[t][s] <= 1:
                raise BeyondSchema("target-range", to, f"{kind} target {targets[t][s]:g} is outside [0, 1]",
                                   "a value in [0, 1]")
    if kind == "categorical_cross_entropy":
        _distribution([t for _, t in outputs], targets, t_origins)
    names = [f"L{k}_{p}" if k else f"L_{p}" for p, _ in outputs]
    if "terms" in comp:
        if len(comp["terms"]) != len(outputs):
            raise BeyondSchema("shape", v.at(comp, "terms", co),
                               f"{v.count(len(comp['terms']), 'term name')} for {v.count(len(outputs), 'output')}",
                               v.count(len(outputs), "name"))
        names = list(comp["terms"])
    nodes = [Node(n, Call(kind, (Var(p), Var(t)), tuple(sorted(params.items()))), "loss_term", co)
             for n, (p, t) in zip(names, outputs)]
    part = add(*[Var(n) for n in names]) if len(names) > 1 else Var(names[0])
    if comp["reduction"] == "mean" and len(names) > 1:
        part = div(part, Const(float(len(names))))
    w = float(comp.get("weight", 1.0))
    if w != 1:
        part = mul(Const(w), part)
    return nodes, part
