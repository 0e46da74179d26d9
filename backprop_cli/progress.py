"""How far long work has got: the loader, the engine and the layout report, the cli package shows a bar.

Nothing here prints. Without a listener (tests, pipes, a program importing the package) a report
costs one truth test, so the work reports freely; the cli package listens only when stderr is a terminal.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[str, int, "int | None"], None]  # (stage, done, total or None when unknown)
_listeners: list[Listener] = []


@contextmanager
def watched(listener: Listener) -> Iterator[None]:
    """Send every report made inside the block to listener."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def report(stage: str, done: int = 0, total: int | None = None) -> None:
    """Say that stage has done `done` of `total` units of work (total None: how much is not known)."""
    if _listeners:
        _listeners[-1](stage, done, total)
