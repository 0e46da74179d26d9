"""Cost of `backprop check DIR` over many problems against one `backprop solve` process per problem.

Builds --problems copies of the numeric problems/ files and their keys in a temporary directory, then,
in the same run, times one `backprop check DIR` (median of --runs) and a sample of --sample separate
`backprop solve FILE` processes, extrapolated to all of them, and prints the ratio:
    python bench/bench_check.py [--problems 200] [--sample 20] [--runs 3]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKPROP = [sys.executable, "-m", "backprop_cli"]


def _time(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(BACKPROP + args, stdout=subprocess.DEVNULL, cwd=ROOT, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"backprop {' '.join(args[:1])} exited with {done.returncode}")
    return elapsed


def build(folder: Path, count: int) -> list[Path]:
    """count copies of the numeric problems/ files, cycling through them, with their keys."""
    sys.path.insert(0, str(ROOT))
    from backprop_cli.keys.names import is_key_file
    from backprop_cli.load.document import load_problem

    sources = [p for p in sorted((ROOT / "problems").glob("*.yaml"))
               if not is_key_file(p) and load_problem(p).numeric]
    copies = []
    for k in range(count):
        src = sources[k % len(sources)]
        copies.append(folder / f"p{k:03d}_{src.name}")
        shutil.copyfile(src, copies[-1])
    subprocess.run(BACKPROP + ["key", *map(str, copies)], check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return copies


def main() -> None:
    """Print both times and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", type=int, default=200)
    parser.add_argument("--sample", type=int, default=20, help="solve processes actually timed")
    parser.add_argument("--runs", type=int, default=3, help="check runs (the median is used)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        copies = build(Path(tmp), args.problems)
        _time(["check", tmp]), _time(["solve", str(copies[0])])  # warm the file cache
        check = statistics.median(_time(["check", tmp]) for _ in range(args.runs))
        step = max(1, len(copies) // args.sample)
        sample = [_time(["solve", str(p)]) for p in copies[::step][: args.sample]]
    per_solve = statistics.mean(sample)
    solves = per_solve * len(copies)
    print(f"backprop check DIR ({len(copies)} problems, one process): {check:8.2f} s (median of {args.runs})")
    print(f"backprop solve, one process per problem:        {per_solve * 1000:8.1f} ms each "
          f"(mean of {len(sample)}), {solves:.2f} s for {len(copies)}")
    print(f"check is {solves / check:.1f}x faster than {len(copies)} separate solves")


if __name__ == "__main__":
    main()
