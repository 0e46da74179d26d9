"""Every bench script still runs: each on a tiny input, exiting 0 and printing its ratio line."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from problem_files import ROOT

# Tiny arguments and the line that carries the result, per script; a new script needs an entry here.
TINY = {
    "bench_check.py": (["--problems", "2", "--sample", "1", "--runs", "1"],
                       r"check is \d+\.\dx faster than 2 separate solves"),
    "bench_scale.py": (["--runs", "1", "--sizes", "4-8-2", "--batches", "1,2", "--ratio", "4-8-2:2"],
                       r"ratio to a hand-written numpy forward \+ backward \+ update of 4-8-2, batch 2: \d+\.\d\d"),
    "bench_solve.py": (["--runs", "1"],
                       r"ratio to the plain imports: \d+\.\d\d; to the imports a rich table needs: \d+\.\d\d"),
    "bench_train.py": (["--runs", "1", "--steps", "20"], r"ratio to a hand-written numpy loop of the same 20 steps: "
                                                        r"\d+\.\d\d"),
}
SCRIPTS = sorted(p.name for p in (ROOT / "bench").glob("*.py"))


def test_every_bench_script_has_a_smoke_test() -> None:
    assert SCRIPTS == sorted(TINY)


@pytest.mark.parametrize("script", SCRIPTS)
def test_bench_runs_on_a_tiny_input(script: str, tmp_path: Path) -> None:
    args, ratio = TINY[script]
    # From another directory, so the script cannot lean on the caller's working directory.
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=tmp_path,
                          capture_output=True, text=True, encoding="utf-8", timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert re.fullmatch(ratio, proc.stdout.splitlines()[-1]), proc.stdout
