"""Cost of training Mazur's network with `backprop solve --format json` against a hand-written numpy loop.

Both are whole processes reading the same YAML file (problems/mazur_10000.yaml, with its steps set to
--steps), run interleaved in the same run; the ratio of their medians is printed (≤ 1.0 means backprop
is no slower than numpy). The numpy loop below is what one would write by hand for this 2-2-2 network:
it records the loss before every step and prints the history and the weights as JSON, as backprop does.
Both results are compared, so the bench also fails if they disagree.
    python bench/bench_train.py [--runs 7] [--steps 10000]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBLEM = ROOT / "problems" / "mazur_10000.yaml"
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # bytecode cached, as installed

NUMPY_LOOP = '''\
import json, sys
import numpy as np
import yaml

doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
x = np.array([doc["inputs"]["i1"], doc["inputs"]["i2"]])
t = np.array([doc["targets"]["target_o1"], doc["targets"]["target_o2"]])
W1, W2 = (np.array(layer["weights"]["values"]).T for layer in doc["layers"])  # neurons x inputs
b1, b2 = doc["params"]["b1"], doc["params"]["b2"]  # frozen, as in the file
lr, steps = doc["training"]["learning_rate"], doc["training"]["steps"]
losses = []
for k in range(steps + 1):
    h = 1 / (1 + np.exp(-(W1 @ x + b1)))
    o = 1 / (1 + np.exp(-(W2 @ h + b2)))
    losses.append(float(0.5 * np.sum((o - t) ** 2)))
    if k == steps:
        break
    do = (o - t) * o * (1 - o)
    dh = (W2.T @ do) * h * (1 - h)
    W2 -= lr * np.outer(do, h)
    W1 -= lr * np.outer(dh, x)
print(json.dumps({"losses": losses, "W1": W1.tolist(), "W2": W2.tolist()}))
'''


def _run(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[1:3])} exited with {done.returncode}: {done.stderr.strip()}")
    return elapsed, done.stdout


def main() -> None:
    """Print both medians, their ratio, and fail if the two trainings disagree."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--steps", type=int, default=10000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        problem, loop = Path(tmp) / "mazur.yaml", Path(tmp) / "numpy_loop.py"
        problem.write_text(PROBLEM.read_text(encoding="utf-8").replace("steps: 10000", f"steps: {args.steps}"),
                           encoding="utf-8")
        loop.write_text(NUMPY_LOOP, encoding="utf-8")
        ours = [sys.executable, "-m", "backprop_cli", "solve", str(problem), "--format", "json"]
        theirs = [sys.executable, str(loop), str(problem)]
        (_, mine), (_, numpy) = _run(ours), _run(theirs)  # warm the file caches, and compare the results
        a, b = json.loads(mine)["history"]["losses"], json.loads(numpy)["losses"]
        if len(a) != len(b) or any(abs(x - y) > 1e-9 * max(abs(y), 1e-300) for x, y in zip(a, b)):
            raise SystemExit("backprop and the numpy loop disagree")
        times: dict[str, list[float]] = {"backprop": [], "numpy": []}
        for _ in range(args.runs):
            times["backprop"].append(_run(ours)[0])
            times["numpy"].append(_run(theirs)[0])
    o, n = statistics.median(times["backprop"]), statistics.median(times["numpy"])
    print(f"backprop solve --format json, {args.steps} steps: {o * 1000:7.1f} ms (median of {args.runs})")
    print(f"hand-written numpy loop, {args.steps} steps:       {n * 1000:7.1f} ms")
    print(f"ratio to a hand-written numpy loop of the same {args.steps} steps: {o / n:.2f}")


if __name__ == "__main__":
    main()
