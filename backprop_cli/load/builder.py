"""What every input form shares: the nodes and parameters it builds, activations, and neuron nodes."""
from __future__ import annotations

from dataclasses import dataclass, field

from . import validate as v
from ..errors import Origin, ProblemError, one_of, suggest
from ..formula.tree import Call, Expr, Var, add
from ..model import Node
from ..formula.printing import fmt_const
from ..formula.registry import REGISTRY, names_of



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


def add_neurons(b: Built, zs, as_, acts, group_of, z_terms, origin_of) -> None:
    """Append the z and a nodes of a set of neurons."""
    for k, (z, a) in enumerate(zip(zs, as_)):
        fname, params = acts[k]
        group = group_of(k)
        b.nodes.append(Node(z, add(*z_terms[k]) if len(z_terms[k]) > 1 else z_terms[k][0], "z", origin_of(k), a))
        idx = [g.name for g in group].index(z) if fname == "softmax" else 0
        b.nodes.append(Node(a, _apply(fname, params, Var(z), group, idx), "a", origin_of(k), a))


def layer_activation_text(acts: list) -> str:
    """How a layer's activation is shown in the picture: one name, or one per neuron."""
    texts = [_describe(f, p) for f, p in acts]
    return texts[0] if len(set(texts)) == 1 else ", ".join(texts)
