"""backprop new: a commented starter problem (dense layers) that solves as it is, for a user to edit.

The numbers are fixed, not random: the same options give the same file. Weights follow a small pattern
in ±[0.05, 0.45] that keeps every neuron off 0 (a ReLU's kink) and off the flat ends of sigmoid and tanh.
"""
from __future__ import annotations

from .errors import BackpropError, ExitCode

LOSSES = ("squared_error", "binary_cross_entropy", "categorical_cross_entropy")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "silu", "identity")
MAX_WIDTH = 8  # neurons in one layer of a starter: a homework network, and a file that still reads well


class StarterError(BackpropError):
    """Options that cannot make a starter problem: a usage error."""

    exit_code = ExitCode.USAGE


def widths(layers: str) -> list[int]:
    """'2-3-2' -> [2, 3, 2]: the inputs, each hidden layer, the outputs."""
    parts = layers.split("-")
    if len(parts) < 2 or not all(p.isdigit() and 1 <= int(p) <= MAX_WIDTH for p in parts):
        raise StarterError(f"--layers {layers!r}: expected sizes from 1 to {MAX_WIDTH} joined by '-', at least "
                           "inputs and outputs, e.g. 2-2-2 (2 inputs, a hidden layer of 2, 2 outputs)")
    return [int(p) for p in parts]


def _weight(layer: int, i: int, j: int) -> float:
    """A weight of the fixed pattern: 0.05 to 0.45 in steps of 0.05, every third one negative."""
    k = 7 * layer + 3 * i + 5 * j
    magnitude = 0.05 * (1 + (k * 7) % 9)
    return round(-magnitude if k % 3 == 2 else magnitude, 2)


def _row(values: list[float]) -> str:
    return "[" + ", ".join(f"{x:g}" for x in values) + "]"


def starter(layers: str = "2-2-2", activation: str = "sigmoid", loss: str = "squared_error") -> str:
    """The text of a starter problem: the given layer sizes, hidden activation and loss."""
    sizes = widths(layers)
    n_in, n_out = sizes[0], sizes[-1]
    if loss == "categorical_cross_entropy" and n_out < 2:
        raise StarterError("--loss categorical_cross_entropy needs at least 2 outputs (a softmax over classes)")
    out_act = {"categorical_cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}.get(loss, activation)
    inputs = {f"x{i + 1}": round(0.1 * (i + 1) * (-1) ** i, 2) for i in range(n_in)}
    if loss == "categorical_cross_entropy":
        targets = {f"y{k + 1}": 1.0 if k == 0 else 0.0 for k in range(n_out)}
    else:
        targets = {f"y{k + 1}": round(0.9 if k % 2 else 0.1, 2) for k in range(n_out)}
    biases = {f"b{layer + 1}": round(0.1 * (layer + 1), 2) for layer in range(len(sizes) - 1)}
    command = f"backprop new --layers {layers} --activation {activation} --loss {loss}"
    lines = [
        "# yaml-language-server: $schema=" + _schema(),
        f"# A starter problem, written by `{command}`.",
        "# Edit the numbers, names and title; then `backprop solve FILE` prints the worked solution and",
        "# `backprop key FILE` writes its answer key. The README's 'The problem format' lists every key.",
        f"title: A {layers} network ({activation}, {loss.replace('_', ' ')})",
        "description: >",
        f"  {n_in} inputs, " + ", ".join(f"a hidden layer of {w}" for w in sizes[1:-1])
        + (", " if len(sizes) > 2 else "") + f"{n_out} {out_act} outputs, one bias per layer.",
        f"inputs: {{{', '.join(f'{k}: {v:g}' for k, v in inputs.items())}}}   # input name: value",
        f"targets: {{{', '.join(f'{k}: {v:g}' for k, v in targets.items())}}}   # one target per output",
        f"params: {{{', '.join(f'{k}: {v:g}' for k, v in biases.items())}}}   # biases: one per layer, "
        "shared by its neurons",
        "layers:",
    ]
    previous = list(inputs)
    for layer, width in enumerate(sizes[1:], start=1):
        last = layer == len(sizes) - 1
        neurons = [f"o{j + 1}" if last else f"h{layer}_{j + 1}" if len(sizes) > 3 else f"h{j + 1}"
                   for j in range(width)]
        matrix = [_row([_weight(layer, i, j) for j in range(width)]) for i in range(len(previous))]
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
