"""The loss section: built-in losses with their normalisation spelled out, or a formula."""
from __future__ import annotations

from ..errors import Origin, ProblemError, one_of, suggest
from ..formula.registry import names_of
from ..formula.tree import Call, Const, Var, add, div, mul
from ..model import Node
from . import validate as v

REDUCTIONS = ("sum", "mean")
_COMPONENT_KEYS = ["type", "factor", "reduction", "terms", "weight"]
_LOG_LOSSES = ("binary_cross_entropy", "categorical_cross_entropy")


def build_loss(spec, origin: Origin, doc, top: Origin, built, targets: dict, t_origins: dict):
    """(outputs, loss nodes, total loss name, batch reduction)."""
    spec = v.mapping(spec, origin, "a mapping with type, or sum, or formula")
    forms = [k for k in ("type", "sum", "formula") if k in spec]
    if len(forms) != 1:
        raise ProblemError(origin, "the loss must be given one way" if forms else "no loss given",
                           "exactly one of type, sum or formula")
    allowed = {"type": [*_COMPONENT_KEYS, "name", "batch"], "sum": ["sum", "name", "batch"],
               "formula": ["formula", "name", "batch"]}[forms[0]]
    v.keys(spec, origin, [k for k in allowed if k != "weight"])
    name = v.name(spec.get("name", "L"), v.at(spec, "name", origin))
    batch = v.choice(spec.get("batch", "mean"), v.at(spec, "batch", origin), REDUCTIONS, "batch reduction")
    if forms[0] == "formula":
        outputs = _outputs(doc, top, built, targets, required=False)
        from ..formula.parse import parse_formula

        formula = parse_formula(spec["formula"], v.at(spec, "formula", origin))
        return outputs, [Node(name, formula, "loss", v.at(spec, "formula", origin))], name, batch
    outputs = _outputs(doc, top, built, targets, required=True)
    if forms[0] == "type":
        components = [(spec, origin)]
    else:
        so = v.at(spec, "sum", origin)
        items = v.listing(spec["sum"], so, "a list of losses, each with a weight")
        if not items:
            raise ProblemError(so, "empty sum of losses", "at least one loss")
        components = [(v.mapping(c, v.at(items, k, so)), v.at(items, k, so)) for k, c in enumerate(items)]
    nodes, parts = [], []
    for k, (comp, co) in enumerate(components):
        terms, part = _component(comp, co, k + 1 if len(components) > 1 else 0, outputs, targets, t_origins,
                                 weighted=forms[0] == "sum")
        nodes.extend(terms)
        parts.append(part)
    flat = [a for part in parts for a in (part.args if isinstance(part, Call) and part.fn == "add" else (part,))]
    total = flat[0] if len(flat) == 1 else add(*flat)
    return outputs, [*nodes, Node(name, total, "loss", origin)], name, batch


def _outputs(doc, top: Origin, built, targets: dict, required: bool) -> list:
    """(prediction, target) pairs from outputs: {prediction: target}."""
    node_names = [n.name for n in built.nodes]
    if "outputs" not in doc:
        if required:
            raise ProblemError(top.child("outputs", 1), "missing required key",
                               "outputs: a mapping of each output node to its target name")
        return []
    oo = v.at(doc, "outputs", top)
    mapping = v.mapping(doc["outputs"], oo, "a mapping of output node to target name")
    pairs = []
    for pred, target in mapping.items():
        po = v.at(mapping, pred, oo)
        if pred not in node_names:
            raise ProblemError(po, f"'{pred}' is not a node of the network", "an output neuron's name",
                               suggest(pred, node_names))
        if v.name(target, po) not in targets:
            raise ProblemError(po, f"output '{pred}' has no target: '{target}' is not among the targets",
                               one_of(targets) if targets else "a targets: mapping", suggest(str(target), targets))
        pairs.append((pred, target))
    for sink in built.sinks:
        if sink not in mapping:
            raise ProblemError(oo, f"output '{sink}' has no target", f"an entry '{sink}: <target name>'")
    return pairs


def _component(comp, co: Origin, k: int, outputs: list, targets: dict, t_origins: dict, weighted: bool):
    """Per-output term nodes of one built-in loss, and its reduced formula."""
    allowed = _COMPONENT_KEYS if weighted else [*_COMPONENT_KEYS[:-1], "name", "batch"]
    v.keys(comp, co, allowed, ["type", "reduction"])
    kind = v.choice(comp["type"], v.at(comp, "type", co), names_of("loss"), "loss")
    reduction = v.choice(comp["reduction"], v.at(comp, "reduction", co), REDUCTIONS, "reduction")
    params = {}
    if kind == "squared_error":
        if "factor" not in comp:
            raise ProblemError(co.child("factor", comp.line), "missing required key",
                               "factor: 0.5 or 1, the constant in front of (ŷ − y)²")
        params["factor"] = v.number(comp["factor"], v.at(comp, "factor", co))
    elif "factor" in comp:
        raise ProblemError(v.at(comp, "factor", co), f"{kind} takes no factor", "no factor key")
    if kind in _LOG_LOSSES:
        for (t, s), to in t_origins.items():
            if any(t == target for _, target in outputs) and not 0 <= targets[t][s] <= 1:
                raise ProblemError(to, f"{kind} target {targets[t][s]:g} is outside [0, 1]", "a value in [0, 1]")
    names = [f"L{k}_{p}" if k else f"L_{p}" for p, _ in outputs]
    if "terms" in comp:
        to = v.at(comp, "terms", co)
        given = v.listing(comp["terms"], to, "a list of term names, one per output")
        if len(given) != len(outputs):
            raise ProblemError(to, f"{v.count(len(given), 'term name')} for {v.count(len(outputs), 'output')}",
                               v.count(len(outputs), "name"))
        names = [v.name(n, v.at(given, i, to)) for i, n in enumerate(given)]
    nodes = [Node(n, Call(kind, (Var(p), Var(t)), tuple(sorted(params.items()))), "loss_term", co)
             for n, (p, t) in zip(names, outputs)]
    part = add(*[Var(n) for n in names]) if len(names) > 1 else Var(names[0])
    if reduction == "mean" and len(names) > 1:
        part = div(part, Const(float(len(names))))
    if weighted:
        w = v.number(comp.get("weight", 1.0), v.at(comp, "weight", co))
        if w != 1:
            part = mul(Const(w), part)
    return nodes, part
