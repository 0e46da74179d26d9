"""The summary form as JSON: per-layer arrays at full precision as nested lists, not one record per scalar.

Each layer has its names and its matrices (W, b, Z, A, ∂L/∂A, δ, ∂L/∂W, ∂L/∂b, W_new, b_new), rows of
samples × neurons or inputs × neurons; "parameters" maps each parameter's name to [layer, row, column]
of the W it sits in ([layer, null, neuron] for a bias, its first neuron): its ∂L/∂p and new value are
there in dW and W_new, or db and b_new (a bias shared by several neurons has a share in each of their db
entries; its gradient is their sum). Big arrays go through .tolist(), one json.dumps per row and one
per mapping by name, so a 784-64-10 batch of 32 is written in under a second.
"""
from __future__ import annotations

import json
from collections.abc import Callable

from ..formula.printing import to_latex, to_text
from ..solution import (
    BatchLossStep,
    LayerBackwardStep,
    LayerForwardStep,
    LayerUpdateStep,
    LossAfterStep,
    LossStep,
    NetworkGivenStep,
    Solution,
)
from .dispatch import pick


def document(sol: Solution, head: dict) -> dict:
    """The summary document: head (schema_version, problem) and then every layer's arrays."""
    builder = _Summary(sol, head)
    for step in sol.steps:
        pick(STEPS, step, "json renderer (summary form)")(builder, step)
    return builder.doc


def dump(doc: dict) -> str:
    """Indented JSON, one line per matrix row and per mapping by parameter: fast at any size; nan and inf raise."""
    return _write(doc, "") + "\n"


ONE_LINE = ("params", "parameters")  # mappings of name -> small record: one line for them all


def _write(obj, pad: str) -> str:
    inner = pad + "  "
    if isinstance(obj, dict) and obj and any(isinstance(v, (dict, list)) for v in obj.values()):
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: "
                 + (_lines(v, inner) if k in ONE_LINE and isinstance(v, dict) else _write(v, inner))
                 for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(obj, list) and obj and isinstance(obj[0], (dict, list)):
        return "[\n" + ",\n".join(inner + _write(x, inner) for x in obj) + f"\n{pad}]"
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def _lines(obj: dict, pad: str) -> str:
    """A large mapping of small records on one line: a single call of the C encoder, not one per name."""
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def _list(x) -> list:
    return x.tolist()


class _Summary:
    def __init__(self, sol: Solution, head: dict):
        self.sol = sol
        p = sol.problem
        self.doc = {**head, "given": {}, "form": "summary", "layers": [],
                    "loss": {"node": p.loss, "terms": [], "per_sample": None, "batch": None, "total": sol.loss},
                    "parameters": {}, "loss_after": None}
        # no maps of ∂L/∂p and p⁺ by name: each layer's dW, db, W_new and b_new hold them, and "parameters"
        # says where each name sits; repeating 50,000 numbers cost a third of the JSON's time

    def layer(self, index: int) -> dict:
        layers = self.doc["layers"]
        layers += [{} for _ in range(index + 1 - len(layers))]  # a solution of some steps only (tests)
        return layers[index]

    def given(self, step: NetworkGivenStep) -> None:
        p = step.problem
        self.doc["given"] = {
            "inputs": {k: [float(x) for x in v] for k, v in p.inputs.items()},
            "targets": {k: [float(x) for x in v] for k, v in p.targets.items()},
            # no "uses": the layers' names matrices and "parameters" say what each weights, once
            "params": {prm.name: {"value": prm.value, "frozen": prm.name in p.frozen} for prm in p.params.values()},
            "outputs": [{"prediction": y, "target": t} for y, t in p.outputs],
        }
        where: dict = {}
        for k, d in enumerate(p.dense):
            for i, row in enumerate(d.weights):
                for j, name in enumerate(row):
                    where.setdefault(name, [k, i, j])
            for j, name in enumerate(d.biases):
                if name is not None:
                    where.setdefault(name, [k, None, j])
        self.doc["parameters"] = where

    def forward(self, step: LayerForwardStep) -> None:
        d = step.layer
        activation = [a for a, _ in dict.fromkeys(d.activations)]
        self.layer(step.index).update({
            "name": d.label, "inputs": list(d.inputs), "zs": list(d.zs), "neurons": list(d.outs),
            "activation": activation[0] if len(activation) == 1 else activation,
            "shape": list(d.shape), "weights": [list(r) for r in d.weights], "biases": list(d.biases),
            "W": _list(step.w), "b": _list(step.b), "Z": _list(step.z), "A": _list(step.a)})

    def loss(self, step: LossStep) -> None:
        item = {"node": step.node, "formula": to_text(step.formula),
                "latex": to_latex(step.formula, symbols=self.sol.problem.symbols),
                "values": [float(x) for x in step.values]}
        if step.role == "loss":
            self.doc["loss"]["per_sample"] = item
        else:
            self.doc["loss"]["terms"].append(item)

    def batch_loss(self, step: BatchLossStep) -> None:
        self.doc["loss"]["batch"] = {"reduction": step.reduction, "per_sample": [float(x) for x in step.per_sample],
                                     "total": float(step.total)}

    def backward(self, step: LayerBackwardStep) -> None:
        self.layer(step.index).update({"dA": _list(step.d_a), "delta": _list(step.delta), "dW": _list(step.d_w),
                                       "db": _list(step.d_b)})

    def update(self, step: LayerUpdateStep) -> None:
        self.layer(step.index).update({"W_new": _list(step.w_new), "b_new": _list(step.b_new)})

    def loss_after(self, step: LossAfterStep) -> None:
        self.doc["loss_after"] = {"node": step.node, "before": float(step.before), "after": float(step.after),
                                  "per_sample": [float(x) for x in step.per_sample]}


# The step types of a solution solved as matrices; any other is an error, never skipped.
STEPS: dict[type, Callable] = {
    NetworkGivenStep: _Summary.given, LayerForwardStep: _Summary.forward, LossStep: _Summary.loss,
    BatchLossStep: _Summary.batch_loss, LayerBackwardStep: _Summary.backward, LayerUpdateStep: _Summary.update,
    LossAfterStep: _Summary.loss_after,
}
