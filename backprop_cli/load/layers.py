"""The layers form of a network: dense layers, each with a weight matrix of stated orientation."""
from __future__ import annotations

import re

from ..errors import Origin, ProblemError
from ..formula.tree import Call, Var
from ..model import Dense
from . import validate as v
from .builder import Built, NeuronSpec, activation_of, too_many_components
from .imperative import BeyondSchema
from .yamlreader import LineList

# layer, input, neuron, separated: (1, 11) and (11, 1) can never give the same name
DEFAULT_NAMES = "w{layer}_{i}_{j}"

def build_layers(b: Built, spec, origin: Origin, inputs: list) -> None:
    """layers: a list of dense layers (checked against format.LAYER), each a NeuronSpec per neuron."""
    prev = list(inputs)
    for li, layer in enumerate(spec):
        lo = v.at(spec, li, origin)
        no = v.at(layer, "neurons", lo)
        names = [(n["z"], n["a"]) if isinstance(n, dict) else (f"z_{n}", n) for n in layer["neurons"]]
        srcs = list(layer["inputs"]) if "inputs" in layer else prev
        acts = _activations(layer["activation"], v.at(layer, "activation", lo), len(names))
        if acts and acts[0][0] == "softmax":  # one activation or all: format.LAYER says softmax is for the whole layer
            too_many_components(len(names), no)
        weights = _weights(layer["weights"], v.at(layer, "weights", lo), li + 1, len(srcs), len(names))
        biases = _biases(layer.get("bias"), v.at(layer, "bias", lo), len(names))
        zs = tuple(z for z, _ in names)
        specs = []
        src_vars = [Var(src) for src in srcs]  # shared by every neuron's sum: a wide layer builds each once
        for j, (z, a) in enumerate(names):
            terms = []
            for i, src in enumerate(srcs):
                wname, value, wo = weights[i][j]
                b.param(wname, value, wo, (src, a))
                terms.append(Call("mul", (Var(wname), src_vars[i])))
            if not terms and not biases[j]:
                raise BeyondSchema("complete", v.at(layer["neurons"], j, no), f"neuron '{a}' has no inputs and no bias",
                                   "at least one input, or a bias")
            spec_j = NeuronSpec(z=z, a=a, activation=acts[j][0], params=acts[j][1], terms=tuple(terms),
                                bias=biases[j], group=zs, origin=v.at(layer["neurons"], j, no))
            b.add_neuron(spec_j)
            specs.append(spec_j)
        label = str(layer.get("name", f"layer {li + 1}"))
        b.add_layer(label, specs)
        b.dense.append(Dense(label, tuple(srcs), zs, tuple(a for _, a in names),
                             tuple(tuple(w[0] for w in row) for row in weights), tuple(biases),
                             tuple((name, tuple(params)) for name, params in acts)))
        prev = [a for _, a in names]
    b.sinks = prev


def _activations(spec, origin: Origin, n: int) -> list:
    """(name, params) for each neuron."""
    if isinstance(spec, list):
        if len(spec) != n:
            raise BeyondSchema("shape", origin, f"{v.count(len(spec), 'activation')} for {v.count(n, 'neuron')}",
                               f"one activation for the layer or {n}, one per neuron")
        return [activation_of(s) for s in spec]
    return [activation_of(spec)] * n


def _weights(spec, origin: Origin, layer_no: int, n_in: int, n_out: int) -> list:
    """weights[i][j] = (name, value, origin) for input i and neuron j."""
    orient = spec["orientation"]
    vo = v.at(spec, "values", origin)
    rows = spec["values"]
    shape = (n_in, n_out) if orient == "inputs_by_neurons" else (n_out, n_in)
    described = "rows are inputs, columns are neurons" if orient == "inputs_by_neurons" \
        else "rows are neurons, columns are inputs"
    if len(rows) != shape[0] or any(len(r) != shape[1] for r in rows):
        got = f"{len(rows)}×{len(rows[0]) if rows else '?'}"
        raise BeyondSchema("shape", vo, f"matrix is {got} but the layer has {v.count(n_in, 'input')} and "
                                        f"{v.count(n_out, 'neuron')}", f"{shape[0]}×{shape[1]}, {described}")
    names = spec.get("names", DEFAULT_NAMES)
    no = v.at(spec, "names", origin)
    if isinstance(names, list) and (len(names) != len(rows) or any(len(n) != len(r) for n, r in zip(names, rows))):
        raise BeyondSchema("shape", no, "the names matrix does not have the shape of the values",
                           f"{shape[0]}×{shape[1]}")
    out: list[list] = [[None] * n_out for _ in range(n_in)]
    fill = None if isinstance(names, list) else _filler(str(names), no, layer_no, n_in, n_out)
    inputs_first = orient == "inputs_by_neurons"
    for r, row in enumerate(rows):
        ro = v.at(rows, r, vo)  # once per row, and each weight's origin made directly: 50,000 in a wide layer
        lines = row.item_lines if isinstance(row, LineList) else [ro.line] * len(row)
        for c, value in enumerate(row):
            i, j = (r, c) if inputs_first else (c, r)
            wname = names[r][c] if fill is None else fill(i + 1, j + 1)
            out[i][j] = (wname, float(value), Origin(ro.file, lines[c], f"{ro.path}[{c}]"))
    return out


def _filler(template: str, origin: Origin, layer: int, n_in: int, n_out: int):
    """The weight-naming function of a names template: only {layer}, {i} and {j}, never str.format's specs.

    Digits put in for {i} and {j} cannot make a name invalid, only longer: when the first weight's name and
    the last's (the most digits) are valid, so is every other, and no name is checked again. Otherwise each
    name is checked, so the first invalid one is reported, as it always was.
    """
    rest = re.sub(r"\{(?:layer|i|j)\}", "", template)
    if "{" in rest or "}" in rest:
        raise BeyondSchema("formula", origin, f"names template {template!r} cannot be filled in",
                           "a template using {layer}, {i} and {j}, such as " + DEFAULT_NAMES) from None
    pattern = template.replace("{layer}", str(layer))  # only {i} and {j} are left: a str.format pattern

    def checked(i: int, j: int) -> str:
        try:
            return v.name(pattern.format(i=i, j=j), origin)
        except ProblemError as exc:
            raise BeyondSchema.of("formula", exc) from None

    try:
        checked(1, 1), checked(n_in, n_out)
    except BeyondSchema:
        return checked
    return lambda i, j: pattern.format(i=i, j=j)


def _biases(spec, origin: Origin, n: int) -> list:
    """The bias name of each neuron, or None."""
    if spec is None:
        return [None] * n
    if isinstance(spec, list):
        if len(spec) != n:
            raise BeyondSchema("shape", origin, f"{v.count(len(spec), 'bias', 'biases')} for {v.count(n, 'neuron')}",
                               f"one shared name or {v.count(n, 'name')}")
        return list(spec)
    return [spec] * n
