"""backprop check: find problems that have keys, compare them with the solver, and report the outcome."""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import BackpropError, Origin, ProblemError
from .names import PROBLEM_SUFFIXES, is_key_file, key_path, problem_path
from .keyfile import NUMBER, AnswerKey, Comparison, compare, parse_key, read_key

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
        found += [Path(folder, f) for f in sorted(files) if Path(f).suffix in PROBLEM_SUFFIXES]
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


def update_target(target: Target) -> tuple[Outcome, str | None, list]:
    """The outcome before the update, the key's rewritten text (None if unchanged) and the changes."""
    outcome = check_target(target)
    if outcome.status != "fail":
        return outcome, None, []
    try:
        text, changes = rewrite(read_key(target.key), outcome.failures)
    except BackpropError as exc:
        return Outcome(target.problem, target.key, "invalid", error=exc), None, []
    return outcome, text, changes


def rewrite(key: AnswerKey, failures: list[Comparison]) -> tuple[str, list[tuple[str, str, str]]]:
    """The key's text with each failing value replaced by the solver's, in place; all else is kept.

    Returns the new text and (name, old, new) per change; the result is re-read to prove that only
    those values changed, so a key that cannot be edited in place is refused, never corrupted.
    """
    lines = key.text.splitlines(keepends=True)
    changes = []
    for c in failures:
        e = c.entry
        new = e.tolerance.format(c.computed)
        i = e.origin.line - 1
        name = rf"(?:{re.escape(e.name)}|'{re.escape(e.name)}'|\"{re.escape(e.name)}\")"
        m = re.search(rf"(?:^|[\s{{,]){name}\s*:" + (r".*?\bvalue\s*:\s*" if e.in_mapping else r"\s*"), lines[i])
        if m is None and e.in_mapping:
            m = re.search(r"(?:^|[\s{,])value\s*:\s*", lines[i])
        n = re.compile(NUMBER).match(lines[i], m.end()) if m else None
        if n is None:
            raise ProblemError(e.origin, "cannot rewrite this value in place",
                               "name: number, or {value: number, …}, with the number on the line of its name")
        changes.append((e.name, n.group(0), new))
        lines[i] = lines[i][:n.start()] + new + lines[i][n.end():]
    text = "".join(lines)
    new_values = {name: float(new) for name, _, new in changes}
    before = [(e.name, e.tolerance, new_values.get(e.name, e.expected)) for e in key.entries]
    after = [(e.name, e.tolerance, e.expected) for e in parse_key(text, key.file).entries]
    if before != after:
        raise ProblemError(Origin(key.file, 0, ""), "cannot rewrite the key in place",
                           "one quantity per line: name: number, or name: {value: number, …}")
    return text, changes
