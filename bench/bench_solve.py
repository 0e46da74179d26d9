"""Start-up cost of `backprop solve` relative to starting Python and importing its four dependencies.

Both are measured in the same run, interleaved, and the ratio of medians is printed:
    python bench/bench_solve.py [--runs 15] [--problem problems/mazur.yaml]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = [sys.executable, "-c", "import click, yaml, rich, numpy"]
# rich defers almost everything until a Console is made; this is what drawing a table costs to import.
BASELINE_RICH = [sys.executable, "-c", "import click, yaml, numpy, rich.console, rich.table"]


# An installed package has its bytecode compiled; let the children cache theirs as an install would.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=ENV)
    return time.perf_counter() - start


def main() -> None:
    """Print the median times and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--problem", default="problems/mazur.yaml")
    args = parser.parse_args()
    solve = [sys.executable, "-m", "backprop_cli", "solve", args.problem]
    _time(BASELINE), _time(BASELINE_RICH), _time(solve)  # warm the file cache
    base, base_rich, ours = [], [], []
    for _ in range(args.runs):
        base.append(_time(BASELINE))
        base_rich.append(_time(BASELINE_RICH))
        ours.append(_time(solve))
    b, br, o = statistics.median(base), statistics.median(base_rich), statistics.median(ours)
    print(f"python + import click, yaml, rich, numpy:                  {b * 1000:7.1f} ms (median of {args.runs})")
    print(f"python + import click, yaml, numpy, rich.console, rich.table: {br * 1000:7.1f} ms")
    print(f"backprop solve {args.problem}:                {o * 1000:7.1f} ms")
    print(f"ratio to the plain imports: {o / b:.2f}; to the imports a rich table needs: {o / br:.2f}")


if __name__ == "__main__":
    main()
