"""backprop new: a commented starter problem (dense layers) that solves as it is, for a user to edit.

The numbers are fixed: the same options give the same file. Without --seed, weights follow a small pattern
in ±[0.05, 0.45] that keeps every neuron off 0 (a ReLU's kink) and off the flat ends of sigmoid and tanh.
With --seed, every number is drawn from random.Random(seed) as a network of any size is initialised:
weights uniform in ±1/√fan-in, inputs in [0, 1) like pixel intensities; and --batch N writes N samples.
That is how a teacher gets "the same steps on an MNIST-sized layer" (784-64-10, batch 32).
"""
from __future__ import annotations

from .errors import BackpropError, ExitCode

LOSSES = ("squared_error", "binary_cross_entropy", "categorical_cross_entropy")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "silu", "identity")
MAX_WIDTH = 8  # neurons in one layer of a patterned starter: a homework network, and a file that still reads well
MAX_DRAWN_WIDTH = 4096  # with --seed: an MNIST-sized layer and well beyond
MAX_BATCH = 1024


class StarterError(BackpropError):
    """Options that cannot make a starter problem: a usage error."""

    exit_code = ExitCode.USAGE


def widths(layers: str, drawn: bool = False) -> list[int]:
    """'2-3-2' -> [2, 3, 2]: the inputs, each hidden layer, the outputs."""
    parts = layers.split("-")
    top = MAX_DRAWN_WIDTH if drawn else MAX_WIDTH
    if len(parts) < 2 or not all(p.isdigit() and 1 <= int(p) <= top for p in parts):
        fits = len(parts) >= 2 and all(p.isdigit() and 1 <= int(p) <= MAX_DRAWN_WIDTH for p in parts)
        wider = f"; wider layers, up to {MAX_DRAWN_WIDTH}, with --seed" if fits and not drawn else ""
        raise StarterError(f"--layers {layers!r}: expected sizes from 1 to {top} joined by '-', at least "
                           f"inputs and outputs, e.g. 2-2-2 (2 inputs, a hidden layer of 2, 2 outputs){wider}")
    return [int(p) for p in parts]


def _weight(layer: int, i: int, j: int) -> float:
    """A weight of the fixed pattern: 0.05 to 0.45 in steps of 0.05, every third one negative."""
    k = 7 * layer + 3 * i + 5 * j
    magnitude = 0.05 * (1 + (k * 7) % 9)
    return round(-magnitude if k % 3 == 2 else magnitude, 2)


def _row(values: list[float]) -> str:
    return "[" + ", ".join(f"{x:g}" for x in values) + "]"


def _flow(values: dict) -> str:
    return "{" + ", ".join(f"{k}: {v:g}" for k, v in values.items()) + "}"


class _Numbers:
    """Where a starter's numbers come from: the fixed pattern, or random.Random(seed)."""

    def __init__(self, seed: int | None):
        import random

        self.rng = None if seed is None else random.Random(seed)

    def weight(self, layer: int, i: int, j: int, fan_in: int) -> float:
        if self.rng is None:
            return _weight(layer, i, j)
        bound = fan_in ** -0.5
        return round(self.rng.uniform(-bound, bound), 4) + 0.0

    def inputs(self, n_in: int) -> dict:
        if self.rng is None:
            return {f"x{i + 1}": round(0.1 * (i + 1) * (-1) ** i, 2) for i in range(n_in)}
        return {f"x{i + 1}": round(self.rng.random(), 3) for i in range(n_in)}

    def targets(self, n_out: int, loss: str) -> dict:
        if loss == "categorical_cross_entropy":
            hot = 0 if self.rng is None else self.rng.randrange(n_out)
            return {f"y{k + 1}": 1.0 if k == hot else 0.0 for k in range(n_out)}
        if self.rng is None:
            return {f"y{k + 1}": round(0.9 if k % 2 else 0.1, 2) for k in range(n_out)}
        if loss == "binary_cross_entropy":
            return {f"y{k + 1}": float(self.rng.randrange(2)) for k in range(n_out)}
        return {f"y{k + 1}": round(self.rng.random(), 2) for k in range(n_out)}


def starter(layers: str = "2-2-2", activation: str = "sigmoid", loss: str = "squared_error",
            batch: int = 1, seed: int | None = None) -> str:
    """The text of a starter problem: the given layer sizes, hidden activation and loss.

    seed draws every number at random (and allows layers up to MAX_DRAWN_WIDTH); batch > 1 writes samples.
    """
    sizes = widths(layers, drawn=seed is not None)
    if not 1 <= batch <= MAX_BATCH:
        raise StarterError(f"--batch {batch}: expected from 1 to {MAX_BATCH} samples")
    n_in, n_out = sizes[0], sizes[-1]
    if loss == "categorical_cross_entropy" and n_out < 2:
        raise StarterError("--loss categorical_cross_entropy needs at least 2 outputs (a softmax over classes)")
    out_act = {"categorical_cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}.get(loss, activation)
    numbers = _Numbers(seed)
    samples = [(numbers.inputs(n_in), numbers.targets(n_out, loss)) for _ in range(batch)]
    biases = {f"b{layer + 1}": round(0.1 * (layer + 1), 2) for layer in range(len(sizes) - 1)}
    command = f"backprop new --layers {layers} --activation {activation} --loss {loss}" \
        + (f" --batch {batch}" if batch > 1 else "") + (f" --seed {seed}" if seed is not None else "")
    lines = [
        "# yaml-language-server: $schema=" + _schema(),
        f"# A starter problem, written by `{command}`.",
        "# Edit the numbers, names and title; then `backprop solve FILE` prints the worked solution and",
        "# `backprop key FILE` writes its answer key. The README's 'The problem format' lists every key.",
        f"title: A {layers} network ({activation}, {loss.replace('_', ' ')})",
        "description: >",
        f"  {n_in} inputs, " + ", ".join(f"a hidden layer of {w}" for w in sizes[1:-1])
        + (", " if len(sizes) > 2 else "") + f"{n_out} {out_act} outputs, one bias per layer"
        + (f", a batch of {batch} samples." if batch > 1 else "."),
    ]
    if batch == 1:
        lines += [f"inputs: {_flow(samples[0][0])}   # input name: value",
                  f"targets: {_flow(samples[0][1])}   # one target per output"]
    else:
        lines.append("samples:   # each sample: a value for every input, a target for every output")
        for x, y in samples:
            lines += [f"  - inputs: {_flow(x)}", f"    targets: {_flow(y)}"]
    lines += [
        f"params: {_flow(biases)}   # biases: one per layer, shared by its neurons",
        "layers:",
    ]
    previous = [f"x{i + 1}" for i in range(n_in)]
    for layer, width in enumerate(sizes[1:], start=1):
        last = layer == len(sizes) - 1
        neurons = [f"o{j + 1}" if last else f"h{layer}_{j + 1}" if len(sizes) > 3 else f"h{j + 1}"
                   for j in range(width)]
        matrix = [_row([numbers.weight(layer, i, j, len(previous)) for j in range(width)])
                  for i in range(len(previous))]
        lines += [
            f"  - name: {'output' if last else 'hidden' if len(sizes) == 3 else f'hidden {layer}'}",
            f"    neurons: [{', '.join(neurons)}]" + ("   # neuron n computes z_n, then n = activation(z_n)"
                                                     if layer == 1 else ""),
            f"    activation: {out_act if last else activation}",
            "    weights:",
            "      orientation: inputs_by_neurons" + ("   # one row per input, one column per neuron"
                                                     if layer == 1 else ""),
            f"      values: [{', '.join(matrix)}]" + (f"   # named w{layer}_<input>_<neuron>: w1_2_1 is input 2 to "
                                                       "neuron 1" if layer == 1 else ""),
            f"    bias: b{layer}",
        ]
        previous = neurons
    loss_line = "{type: squared_error, factor: 0.5, reduction: sum}" if loss == "squared_error" \
        else f"{{type: {loss}, reduction: sum}}"
    lines += [
        f"outputs: {{{', '.join(f'{o}: y{k + 1}' for k, o in enumerate(previous))}}}   # each output and its target",
        f"loss: {loss_line}",
        "training:",
        "  learning_rate: 0.5",
        "# Optional, for course work (see the README):",
        "# ask: [dL/dw1_1_1, w1_1_1+]        # what a Moodle or Canvas export asks for (default: every",
        "#                                    # gradient of a parameter and every updated weight)",
        "# vary:                              # what `backprop variants` draws anew for each student",
        "#   w1_1_1: {range: [-0.5, 0.5], decimals: 2, nonzero: true}",
        "#   x1: {choices: [0.05, 0.1, 0.2]}",
    ]
    return "\n".join(lines) + "\n"


def _schema() -> str:
    from .meta import schema_url

    return schema_url()
