"""backprop key: write a full answer key beside each problem, never replacing a differing one unless forced."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import BackpropError, RefusedError
from ..files import write_atomic
from .names import is_key_file, key_path


@dataclass(frozen=True)
class KeyResult:
    """What became of one problem's key: written, unchanged, symbolic, invalid or refused (with its error)."""

    problem: str
    key: Path
    status: str
    quantities: int = 0
    error: BackpropError | None = None


def write_keys(files: Iterable[str], force: bool = False) -> Iterator[KeyResult]:
    """Key each problem in turn, skipping key files so `backprop key problems/*.yaml` can be re-run.

    A generator, so the caller can report each file as it is done; an OutputError stops it there.
    """
    for file in files:
        if not is_key_file(file):
            yield write_key(file, force)


def write_key(file: str, force: bool = False) -> KeyResult:
    """Solve one problem and write its key, unless the key is already the same or differs without force."""
    from ..engine import solve
    from ..load.document import load_problem
    from .keyfile import key_text, quantities

    target = key_path(file)
    try:
        sol = solve(load_problem(file))
    except BackpropError as exc:  # the others are still keyed
        return KeyResult(file, target, "invalid", error=exc)
    values = quantities(sol)
    if not values:
        return KeyResult(file, target, "symbolic")
    text = key_text(sol)
    if target.exists() and target.read_bytes() == text.encode("utf-8"):
        return KeyResult(file, target, "unchanged", len(values))
    if target.exists() and not force:  # it may hold hand edits
        return KeyResult(file, target, "refused", len(values), RefusedError(
            f"{target}: the key exists and differs from the solver's (expected --force to overwrite it, or "
            f"`backprop check --update {file}` to refresh it keeping its quantities and precision)"))
    write_atomic(target, text)
    return KeyResult(file, target, "written", len(values))
