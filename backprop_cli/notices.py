"""Warnings: a problem that is valid but is probably not what its author meant.

The loader warns (notices.warn) and goes on; the cli package listens and writes each warning as one line on
stderr, 'Warning: FILE:LINE: key.path: what (expected …)'. Without a listener (tests, a program
importing the package) a warning is dropped, as the solution does not depend on it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .errors import Origin, ProblemError

_listeners: list[Callable[[str], None]] = []


@contextmanager
def listening(listener: Callable[[str], None]) -> Iterator[None]:
    """Send every warning made inside the block to listener, as its one line (without 'Warning: ')."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def warn(origin: Origin | None, message: str, expected: str | None = None) -> None:
    """Warn about the value at origin, in the same one-line form as an error."""
    if _listeners:
        _listeners[-1](str(ProblemError(origin, message, expected)))
