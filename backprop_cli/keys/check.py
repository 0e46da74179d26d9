"""backprop check: find problems that have keys, compare them with the solver, and report the outcome."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import BackpropError, Origin, ProblemError
from .keyfile import AnswerKey, Comparison, compare, read_key
from .names import PROBLEM_SUFFIXES, is_answers_file, is_key_file, key_path, problem_path

SKIP_DIRS = {"node_modules", "__pycache__"}


@dataclass(frozen=True)
class Target:
    """A problem and its key; error set when the pair is incomplete (a key without a problem, or vice versa)."""

    problem: str
    key: str
    error: ProblemError | None = None


@dataclass(frozen=True)
class Outcome:
    """The result for one problem: pass, fail or invalid."""

    problem: str
    key: str
    status: str
    comparisons: tuple = ()
    error: BackpropError | None = None
    seconds: float = 0.0

    @property
    def failures(self) -> list[Comparison]:
        """The quantities that disagree with the solver."""
        return [c for c in self.comparisons if not c.passed]


def find_targets(paths: list[str]) -> list[Target]:
    """Problems with a sibling key: named files, and *.yaml searched recursively in named directories."""
    targets: list[Target] = []
    seen: set = set()

    def add(problem: Path, key: Path, error: ProblemError | None = None) -> None:
        if problem.resolve() not in seen:
            seen.add(problem.resolve())
            targets.append(Target(str(problem), str(key), error))

    for raw in paths:
        path = Path(raw)
        for f in (_walk(path) if path.is_dir() else [path]):
            if is_key_file(f):
                if problem_path(f).exists():
                    add(problem_path(f), f)
                else:
                    add(problem_path(f), f, ProblemError(Origin(str(f), 0, ""), "an answer key without a problem",
                                                         f"the problem {problem_path(f)} beside it"))
            elif key_path(f).exists():
                add(f, key_path(f))
            elif not path.is_dir():
                add(f, key_path(f), ProblemError(Origin(str(f), 0, ""), "the problem has no answer key",
                                                 f"{key_path(f)}; write one with backprop key {f}"))
    return targets


def _walk(root: Path) -> list[Path]:
    """YAML files under root in a stable order, skipping hidden and dependency directories."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        found += [Path(folder, f) for f in sorted(files)
                  if Path(f).suffix in PROBLEM_SUFFIXES and not is_answers_file(f)]  # answers are grade's
    return found


def _solve_and_compare(target: Target) -> tuple[AnswerKey, list[Comparison]]:
    from ..engine import solve
    from ..load.document import load_problem

    if target.error is not None:
        raise target.error
    sol = solve(load_problem(target.problem))
    key = read_key(target.key)
    return key, compare(key, sol)


def check_target(target: Target) -> Outcome:
    """Recompute one problem and compare it with its key; an invalid file becomes an invalid outcome."""
    start = time.perf_counter()
    try:
        _, comparisons = _solve_and_compare(target)
    except BackpropError as exc:
        return Outcome(target.problem, target.key, "invalid", error=exc, seconds=time.perf_counter() - start)
    status = "fail" if any(not c.passed for c in comparisons) else "pass"
    return Outcome(target.problem, target.key, status, tuple(comparisons), seconds=time.perf_counter() - start)
