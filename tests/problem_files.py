"""The example problems every test iterates over: problems/*.yaml, answer keys excluded."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def problem_files() -> list[Path]:
    """Every problem file in problems/, in name order."""
    return sorted(p for p in (ROOT / "problems").glob("*.yaml") if not p.name.endswith(".key.yaml"))


# A small batch that produces every step type (BatchLossStep, frozen updates …), for the renderers.
BATCH = """
title: A batch of two samples through one tanh neuron
samples:
  - inputs: {x1: 0.5, x2: -1.0}
    targets: {y: 0.2}
  - inputs: {x1: 1.5, x2: 0.25}
    targets: {y: -0.4}
params: {b: 0.1}
layers:
  - name: out
    neurons: [{z: z, a: yhat}]
    activation: tanh
    weights: {orientation: inputs_by_neurons, names: [[w1], [w2]], values: [[0.3], [-0.6]]}
    bias: b
outputs: {yhat: y}
loss: {type: squared_error, factor: 0.5, reduction: mean}
training: {learning_rate: 0.1, frozen: [b]}
"""
