"""backprop check: find problems that have keys, compare them with the solver, and report the outcome."""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import BackpropError, Origin, ProblemError
from .keys import (NUMBER, PROBLEM_SUFFIXES, AnswerKey, Comparison, Tolerance, compare, is_key_file, key_path,
                   parse_key, problem_path, read_key)

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
    from .engine import solve
    from .problem import load_problem

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


def _counts(outcomes: list[Outcome]) -> dict:
    return {s: sum(o.status == s for o in outcomes) for s in ("pass", "fail", "invalid")}


def summary(outcomes: list[Outcome]) -> str:
    """N passed, M failed (and K invalid when there are any)."""
    count = _counts(outcomes)
    text = f"{count['pass']} passed, {count['fail']} failed"
    return text + (f", {count['invalid']} invalid" if count["invalid"] else "")


def failure_table(outcome: Outcome) -> str:
    """The failing quantities as an aligned plain-text table."""
    rows = [("quantity", "line", "expected", "computed", "difference", "allowed")]
    rows += [(c.entry.name, str(c.entry.origin.line), c.entry.tolerance.format(c.entry.expected), repr(c.computed),
              f"{c.difference:+.3g}", _allowed(c)) for c in outcome.failures]
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    lines = ["  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    lines += [f"  hint: {c.entry.name}: {_hint(c)}" for c in outcome.failures if _hint(c)]
    return "\n".join(lines)


def _allowed(c: Comparison) -> str:
    tol = c.entry.tolerance
    return tol.describe() + (f" (rounds to {tol.format(c.computed)})" if tol.decimals is not None else "")


def _quantities(n: int) -> str:
    return f"{n} quantity" if n == 1 else f"{n} quantities"


def _hint(c: Comparison) -> str | None:
    """A likely fix when a rounded value is compared at full precision."""
    written = repr(c.entry.expected)
    if c.entry.tolerance.decimals is not None or "e" in written or "." not in written:
        return None
    places = len(written.split(".")[1])
    if places <= 8 and Tolerance(decimals=places).allows(c.entry.expected, c.computed):
        return f"the key's value is the solver's rounded to {places} decimals: add decimals: {places}"
    return None


def text_report(outcomes: list[Outcome]) -> str:
    """One line per problem, a table under each failure, and the closing count."""
    out = []
    for o in outcomes:
        if o.status == "pass":
            out.append(f"PASS {o.problem} ({_quantities(len(o.comparisons))})")
        elif o.status == "fail":
            out.append(f"FAIL {o.problem} ({len(o.failures)} of {len(o.comparisons)} quantities differ)")
            out.append(failure_table(o))
        else:
            out.append(f"INVALID {o.problem}: {o.error}")
    return "\n".join(out + [summary(outcomes)])


def _failure_dict(c: Comparison) -> dict:
    return {"quantity": c.entry.name, "line": c.entry.origin.line, "expected": c.entry.expected,
            "computed": c.computed, "difference": c.difference, "allowed": c.entry.tolerance.describe()}


def json_report(outcomes: list[Outcome]) -> str:
    """The outcome as one JSON document for machines."""
    import json

    counts = _counts(outcomes)
    problems = []
    for o in outcomes:
        origin = getattr(o.error, "origin", None)
        problems.append({
            "problem": o.problem, "key": o.key, "status": o.status, "quantities": len(o.comparisons),
            "failures": [_failure_dict(c) for c in o.failures],
            "error": None if o.error is None else str(o.error),
            "error_at": None if origin is None else {"file": origin.file, "line": origin.line, "path": origin.path},
        })
    doc = {"passed": counts["pass"], "failed": counts["fail"], "invalid": counts["invalid"], "problems": problems}
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)


def junit_report(outcomes: list[Outcome]) -> str:
    """JUnit XML: one testcase per problem; a failure lists the quantities that differ."""
    import xml.etree.ElementTree as ET

    counts = _counts(outcomes)
    attrs = {"name": "backprop check", "tests": str(len(outcomes)), "failures": str(counts["fail"]),
             "errors": str(counts["invalid"]), "time": f"{sum(o.seconds for o in outcomes):.3f}"}
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(root, "testsuite", attrs)
    for o in outcomes:
        case = ET.SubElement(suite, "testcase", {"classname": "backprop check", "name": o.problem,
                                                 "file": o.key, "time": f"{o.seconds:.3f}"})
        if o.status == "fail":
            names = ", ".join(c.entry.name for c in o.failures)
            failure = ET.SubElement(case, "failure", {"type": "mismatch", "message":
                                                      f"{_quantities(len(o.failures))} differ: {names}"})
            failure.text = failure_table(o)
        elif o.status == "invalid":
            ET.SubElement(case, "error", {"type": "invalid", "message": str(o.error)}).text = str(o.error)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def annotations(outcomes: list[Outcome]) -> list[str]:
    """GitHub Actions ::error commands, each pointing at the key line of a failing quantity."""
    out = []
    for o in outcomes:
        for c in o.failures:
            msg = (f"{c.entry.name}: the key says {c.entry.tolerance.format(c.entry.expected)}, the solver computes "
                   f"{c.computed!r} (difference {c.difference:+.3g}, allowed {_allowed(c)})")
            out.append(f"::error file={_escape(o.key, True)},line={c.entry.origin.line},"
                       f"title={_escape('backprop check', True)}::{_escape(msg)}")
        if o.status == "invalid":
            origin = getattr(o.error, "origin", None)
            where = f"file={_escape(origin.file if origin else o.problem, True)}"
            if origin is not None and origin.line:
                where += f",line={origin.line}"
            out.append(f"::error {where},title={_escape('backprop check', True)}::{_escape(str(o.error))}")
    return out
