"""One way to choose a method by the type of what is written: a mapping from type to method."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")


def pick(methods: Mapping[type, T], item: object, who: str) -> T:
    """The entry for the item's type; an unknown type is a TypeError, never skipped."""
    try:
        return methods[type(item)]
    except KeyError:
        raise TypeError(f"the {who} has no rendering for {type(item).__name__}") from None

