"""Pausing Python's cyclic garbage collector while a large problem is built.

Loading a 784-64-10 file makes half a million small objects (YAML nodes, origins, formula terms,
parameters) and no reference cycles among them, yet each collection walks them all again: a third of
building the problem. Reference counting still frees everything as usual while collection waits.
"""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """The block runs without cyclic collection; as it was after it, on an error too."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
