"""The baseline of bench_scale.py: a hand-written numpy forward, backward and update of a layers-form file.

What a user would write without backprop-cli: parse the YAML with PyYAML's C loader (yaml.CSafeLoader,
libyaml), stack the samples, Z = A·W + b and A = f(Z) per layer, the loss, δ back through the layers,
∂L/∂W = Aᵀ·δ, one gradient step, and the result written as JSON. It reads the files `backprop new --seed`
writes: dense layers, sigmoid/tanh/relu/identity or a softmax output, one bias name per layer or per neuron,
squared error (factor, reduction) or a cross-entropy, batch mean or sum. It is a baseline, not a solver:
it trusts its input.
    python bench/numpy_reference.py FILE > out.json
"""
from __future__ import annotations

import json
import sys

import numpy as np
import yaml

ACT = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, a: a * (1 - a)),
    "tanh": (np.tanh, lambda z, a: 1 - a * a),
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(float)),
    "identity": (lambda z: z, lambda z, a: np.ones_like(z)),
}


def main(path: str) -> None:
    """Forward, backward, update; print the loss, its value after the update, and every array as JSON."""
    with open(path, encoding="utf-8") as fh:
        doc = yaml.load(fh, Loader=yaml.CSafeLoader)
    samples = doc.get("samples") or [{"inputs": doc["inputs"], "targets": doc["targets"]}]
    x_names = list(samples[0]["inputs"])
    y_names = [doc["outputs"][o] for o in doc["outputs"]]
    X = np.array([[s["inputs"][k] for k in x_names] for s in samples], float)
    Y = np.array([[s["targets"][k] for k in y_names] for s in samples], float)
    params = doc.get("params", {})
    layers = []
    for layer in doc["layers"]:
        W = np.array(layer["weights"]["values"], float)
        if layer["weights"]["orientation"] == "neurons_by_inputs":
            W = W.T
        bias = layer.get("bias")
        names = bias if isinstance(bias, list) else [bias] * W.shape[1]
        b = np.array([params.get(n, 0.0) if n else 0.0 for n in names], float)
        layers.append((W, b, names, layer["activation"]))
    loss_spec = doc["loss"]
    n, lr = len(samples), doc["training"]["learning_rate"]
    scale = 1 / n if loss_spec.get("batch", "mean") == "mean" else 1.0

    def forward(ws):
        acts, zs = [X], []
        for (W, b, _, act) in ws:
            Z = acts[-1] @ W + b
            if act == "softmax":
                e = np.exp(Z - Z.max(axis=1, keepdims=True))
                A = e / e.sum(axis=1, keepdims=True)
            else:
                A = ACT[act][0](Z)
            zs.append(Z)
            acts.append(A)
        return zs, acts

    def loss_of(P):
        kind = loss_spec["type"]
        if kind == "squared_error":
            per = loss_spec.get("factor", 0.5) * (P - Y) ** 2
            dP = 2 * loss_spec.get("factor", 0.5) * (P - Y)
        elif kind == "binary_cross_entropy":
            per = -(Y * np.log(P) + (1 - Y) * np.log(1 - P))
            dP = (P - Y) / (P * (1 - P))
        else:
            per, dP = -Y * np.log(P), -Y / P
        if loss_spec.get("reduction", "sum") == "mean":
            per, dP = per / P.shape[1], dP / P.shape[1]
        return per.sum(axis=1), dP

    zs, acts = forward(layers)
    per, dA = loss_of(acts[-1])
    dA = dA * scale
    grads = []
    for k in range(len(layers) - 1, -1, -1):
        W, b, names, act = layers[k]
        if act == "softmax":
            A = acts[k + 1]
            delta = A * (dA - (dA * A).sum(axis=1, keepdims=True))
        else:
            delta = dA * ACT[act][1](zs[k], acts[k + 1])
        dW = acts[k].T @ delta
        db: dict = {}
        for j, name in enumerate(names):
            if name:
                db[name] = db.get(name, 0.0) + float(delta[:, j].sum())
        grads.append((dW, db))
        dA = delta @ W.T
    grads.reverse()
    new_layers, new_params = [], dict(params)
    for (W, _b, names, act), (dW, db) in zip(layers, grads):
        for name, g in db.items():
            new_params[name] = params[name] - lr * g
        nb = np.array([new_params.get(n, 0.0) if n else 0.0 for n in names], float)
        new_layers.append((W - lr * dW, nb, names, act))
    after, _ = loss_of(forward(new_layers)[1][-1])
    json.dump({"loss": float(per.sum() * scale), "loss_after": float(after.sum() * scale),
               "layers": [{"Z": z.tolist(), "A": a.tolist(), "dW": g[0].tolist(), "W_new": nl[0].tolist()}
                          for z, a, g, nl in zip(zs, acts[1:], grads, new_layers)]}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
