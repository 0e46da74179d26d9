"""The layers form of a network: dense layers, each with a weight matrix of stated orientation."""
from __future__ import annotations

from ..errors import Origin, ProblemError
from ..formula.tree import Var, mul
from . import validate as v
from .builder import Built, NeuronSpec, activation_call

ORIENTATIONS = ("inputs_by_neurons", "neurons_by_inputs")


def _neuron_names(spec, origin: Origin) -> tuple[str, str]:
    """(z name, a name) from 'h1' or {z: net_h1, a: out_h1}."""
    if isinstance(spec, dict):
        v.keys(spec, origin, ["z", "a"], ["z", "a"])
        return v.name(spec["z"], v.at(spec, "z", origin)), v.name(spec["a"], v.at(spec, "a", origin))
    a = v.name(spec, origin)
    return f"z_{a}", a


def build_layers(b: Built, spec, origin: Origin, inputs: list) -> Built:
    """layers: a list of dense layers, each with a weight matrix of stated orientation."""
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
        zs = tuple(z for z, _ in names)
        neurons_o = v.at(layer, "neurons", lo)
        specs = []
        for j, (z, a) in enumerate(names):
            terms = []
            for i, src in enumerate(srcs):
                wname, value, wo = weights[i][j]
                b.param(wname, value, wo, (src, a))
                terms.append(mul(Var(wname), Var(src)))
            spec = NeuronSpec(z=z, a=a, activation=acts[j][0], params=acts[j][1], terms=tuple(terms),
                              bias=biases[j], group=zs, origin=v.at(neurons, j, neurons_o))
            b.add_neuron(spec)
            specs.append(spec)
        b.add_layer(v.text(layer.get("name", f"layer {li + 1}"), v.at(layer, "name", lo)), specs)
        prev = [a for _, a in names]
    b.sinks = prev
    return b


def _layer_activations(spec, origin: Origin, n: int) -> list:
    if isinstance(spec, list):
        if len(spec) != n:
            raise ProblemError(origin, f"{v.count(len(spec), 'activation')} for {v.count(n, 'neuron')}",
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
        raise ProblemError(vo, f"matrix is {got} but the layer has {v.count(n_in, 'input')} and {v.count(n_out, 'neuron')}",
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
            raise ProblemError(origin, f"{v.count(len(spec), 'bias', 'biases')} for {v.count(n, 'neuron')}",
                               f"one shared name or {v.count(n, 'name')}")
        return [v.name(s, v.at(spec, k, origin)) for k, s in enumerate(spec)]
    return [v.name(spec, origin)] * n
