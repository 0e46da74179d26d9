"""backprop key: write a full answer key beside each problem, never replacing a differing one unless forced."""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import BackpropError, OutputError, RefusedError
from ..files import output_bytes, regular_bytes, write_output
from .names import is_key_file, key_path


@dataclass(frozen=True)
class KeyResult:
    """What became of one problem's key: written, unchanged, symbolic, or (with its error) invalid, refused or
    unwritten (the key could not be written and is as it was)."""

    problem: str
    key: Path
    status: str
    quantities: int = 0
    error: BackpropError | None = None


def write_keys(files: Iterable[str], force: bool = False) -> Iterator[KeyResult]:
    """Key each problem in turn, skipping key files so `backprop key problems/*.yaml` can be re-run.

    A generator, so the caller can report each file as it is done; a key that cannot be written is reported
    as unwritten and the others are still written.
    """
    for file in files:
        if not is_key_file(file):
            yield write_key(file, force)


def write_key(file: str, force: bool = False) -> KeyResult:
    """Solve one problem and write its key, unless the key is already the same or differs without force."""
    from ..engine import solve
    from ..load.document import load_problem
    from .keyfile import key_text, key_values

    target = key_path(file)
    try:
        sol = solve(load_problem(file))
    except BackpropError as exc:  # the others are still keyed
        return KeyResult(file, target, "invalid", error=exc)
    values = key_values(sol)
    if not values:
        return KeyResult(file, target, "symbolic")
    if target.is_symlink() and not is_key_file(os.path.realpath(target)):  # e.g. a link to the problem itself
        return KeyResult(file, target, "refused", len(values), RefusedError(
            f"{target}: the key is a link to {os.path.realpath(target)}, which is not an answer key "
            "(expected a link to a *.key.yaml file, or a plain file; nothing was written)"))
    text = key_text(sol)
    old = regular_bytes(target)
    if old is not None and old == output_bytes(target, text):
        return KeyResult(file, target, "unchanged", len(values))
    if os.path.lexists(target) and not force:  # it may hold hand edits
        return KeyResult(file, target, "refused", len(values), RefusedError(
            f"{target}: the key exists and differs from the solver's (expected --force to overwrite it, or "
            f"`backprop check --update {file}` to refresh it keeping its quantities and precision)"))
    try:
        write_output(target, text)
    except OutputError as exc:  # the others are still keyed
        return KeyResult(file, target, "unwritten", len(values), exc)
    return KeyResult(file, target, "written", len(values))
