"""backprop check --update: rewrite the values of a key that drifted, in place, keeping everything else."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import BackpropError, Origin, OutputError, ProblemError
from ..files import write_output
from .check import Target, check_target
from .keyfile import NUMBER, AnswerKey, Comparison, parse_key, read_key, yaml_name


@dataclass(frozen=True)
class KeyUpdate:
    """What became of one key: updated (with each change as name, old, new), unchanged, invalid, or unwritten
    (it drifted but could not be written, and is as it was)."""

    problem: str
    key: str
    status: str
    changes: tuple[tuple[str, str, str], ...] = ()
    error: BackpropError | None = None


def update_keys(targets: Iterable[Target]) -> Iterator[KeyUpdate]:
    """Update each key in turn; a generator, so the caller can report each as it is done."""
    for target in targets:
        yield update_key(target)


def update_key(target: Target) -> KeyUpdate:
    """Recompute one problem and rewrite the values of its key that differ; an invalid file is left as it is."""
    outcome = check_target(target)
    if outcome.status == "invalid":
        return KeyUpdate(target.problem, target.key, "invalid", error=outcome.error)
    if outcome.status == "pass":
        return KeyUpdate(target.problem, target.key, "unchanged")
    try:
        text, changes = rewrite(read_key(target.key), outcome.failures)
    except BackpropError as exc:
        return KeyUpdate(target.problem, target.key, "invalid", error=exc)
    try:
        write_output(target.key, text)
    except OutputError as exc:  # the others are still updated
        return KeyUpdate(target.problem, target.key, "unwritten", tuple(changes), exc)
    return KeyUpdate(target.problem, target.key, "updated", tuple(changes))


def summary(updates: Iterable[KeyUpdate]) -> str:
    """N updated, M unchanged (and K invalid, J not written, when there are any)."""
    counts = {"updated": 0, "unchanged": 0, "invalid": 0, "unwritten": 0}
    for u in updates:
        counts[u.status] += 1
    words = {"unwritten": "not written"}
    return ", ".join(f"{n} {words.get(what, what)}" for what, n in counts.items()
                     if n or what in ("updated", "unchanged"))


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
        name = rf"(?:{re.escape(e.name)}|'{re.escape(e.name)}'|\"{re.escape(e.name)}\"|{re.escape(yaml_name(e.name))})"
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
