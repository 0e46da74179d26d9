"""How `backprop solve` grows with the network, against a hand-written numpy forward, backward and update.

For each network size and batch, a file is written as `backprop new --layers S --batch N --seed 1` writes
it (sigmoid layers, squared error), and two whole processes are timed on it, interleaved, in the same run:
`backprop solve FILE --format json -o OUT` and the numpy script below, which parses the same YAML with
PyYAML's C loader (yaml.CSafeLoader, libyaml: the fastest a hand-written script would get), does
Z = A·W + b, A = σ(Z), the loss, δ back through the layers, ∂L/∂W = Aᵀ·δ, one gradient step and writes
every array as JSON. Each gets its median time and its peak memory (maximum resident set size). The last
line is the issue's figure: the ratio at 784-64-10 with a batch of 32 (at most 3).
    python bench/bench_scale.py [--runs 3] [--sizes 4-8-2,64-64-10,784-64-10] [--batches 1,8,32]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # bytecode cached, as installed

# Runs a command's module in this process and reports its peak memory on stderr as it exits.
PEAK = ("import atexit, resource, runpy, sys; "
        "atexit.register(lambda: sys.stderr.write('PEAK %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)); "
        "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__') if sys.argv[0].endswith('.py') "
        "else runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)")

NUMPY_REFERENCE = '''\
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
'''


def _run(args: list[str]) -> tuple[float, int]:
    """Seconds and peak memory in kB of one whole process."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", PEAK, *args], cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr}")
    peak = next(int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK "))
    return took, peak


def measure(folder: Path, size: str, batch: int, runs: int) -> tuple[float, float, int, int]:
    """(ours, numpy) median seconds and peak kB on one generated network."""
    from backprop_cli.starter import starter

    problem = folder / f"net_{size}_b{batch}.yaml"
    problem.write_text(starter(size, batch=batch, seed=1), encoding="utf-8")
    reference = folder / "numpy_reference.py"
    reference.write_text(NUMPY_REFERENCE, encoding="utf-8")
    ours_cmd = ["backprop_cli", "solve", str(problem), "--format", "json", "-o", str(folder / "out.json")]
    numpy_cmd = [str(reference), str(problem)]
    _run(ours_cmd), _run(numpy_cmd)  # warm the file cache and the bytecode
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(_run(ours_cmd))
        theirs.append(_run(numpy_cmd))
    return (statistics.median(t for t, _ in ours), statistics.median(t for t, _ in theirs),
            max(m for _, m in ours), max(m for _, m in theirs))


def main() -> None:
    """Print the table over sizes and batches, then the ratio at the size the issue names."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="4-8-2,64-64-10,784-64-10")
    parser.add_argument("--batches", default="1,8,32")
    parser.add_argument("--ratio", default="784-64-10:32", help="SIZE:BATCH of the last line's ratio")
    args = parser.parse_args()
    size, batch = args.ratio.split(":")
    cases = [(s, int(b)) for s in args.sizes.split(",") for b in args.batches.split(",")]
    if (size, int(batch)) not in cases:
        cases.append((size, int(batch)))
    print(f"{'network':>12} {'batch':>5} {'params':>8} {'backprop':>10} {'numpy':>9} {'ratio':>6} "
          f"{'backprop peak':>14} {'numpy peak':>11}")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for s, b in cases:
            widths = [int(w) for w in s.split("-")]
            params = sum(x * y for x, y in zip(widths, widths[1:])) + len(widths) - 1
            ours, theirs, ours_mb, theirs_mb = measure(Path(tmp), s, b, args.runs)
            results[(s, b)] = ours / theirs
            print(f"{s:>12} {b:>5} {params:>8} {ours * 1000:>8.0f}ms {theirs * 1000:>7.0f}ms {ours / theirs:>6.2f} "
                  f"{ours_mb / 1024:>12.0f}MB {theirs_mb / 1024:>9.0f}MB")
    print(f"ratio to a hand-written numpy forward + backward + update of {size}, batch {batch}: "
          f"{results[(size, int(batch))]:.2f}")


if __name__ == "__main__":
    main()
