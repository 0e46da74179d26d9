"""Which keys go together: the rules a Mapping or a list checks, each with its message and its schema."""
from __future__ import annotations

from typing import NamedTuple, Protocol

from ..errors import Origin, ProblemError
from . import validate as v
from .conditions import Condition
from .imperative import BeyondSchema


class Rule(Protocol):
    """A check on a whole mapping (or list) that one key or item alone cannot make; a NamedTuple."""

    def check(self, value, origin: Origin) -> None:
        """Raise a ProblemError if the rule is broken."""

    def schema(self, defs: dict) -> dict:
        """The rule as JSON Schema."""


class Require(NamedTuple):
    """The key is required when the condition holds."""

    key: str
    when: Condition
    expected: str | None = None  # instead of "'key' in path"

    def check(self, value, origin: Origin) -> None:
        if self.key not in value and self.when.holds(value):
            raise v.missing(value, origin, self.key, self.expected)

    def schema(self, defs: dict) -> dict:
        return {"if": self.when.schema(defs), "then": {"required": [self.key]}}


class Refuse(NamedTuple):
    """The mapping must not satisfy the condition (while it has key `at`, where the error points)."""

    when: Condition
    message: str  # formatted with the mapping's keys: '{type} takes no factor'
    expected: str
    at: str | None = None

    def check(self, value, origin: Origin) -> None:
        if (self.at is None or self.at in value) and self.when.holds(value):
            where = v.at(value, self.at, origin) if self.at else origin
            raise ProblemError(where, self.message.format_map(value), self.expected)

    def schema(self, defs: dict) -> dict:
        when = self.when.schema(defs)
        return {"not": {"allOf": [{"required": [self.at]}, when]} if self.at else when}


class OneKey(NamedTuple):
    """Exactly one of the keys, when the condition holds; the error points at the second one given."""

    keys: tuple
    many: str
    none: str
    expected: str
    when: Condition

    def check(self, value, origin: Origin) -> None:
        present = [k for k in self.keys if k in value]
        if len(present) != 1 and self.when.holds(value):
            where = v.at(value, present[1], origin) if present else origin
            raise ProblemError(where, self.many if present else self.none, self.expected)

    def schema(self, defs: dict) -> dict:
        return {"if": self.when.schema(defs), "then": {"oneOf": [{"required": [k]} for k in self.keys]}}


class AllOrNone(NamedTuple):
    """If one item of a list satisfies the condition, every item does."""

    condition: Condition
    message: str
    expected: str

    def check(self, value, origin: Origin) -> None:
        hits = [self.condition.holds(x) for x in value]
        if any(hits) and not all(hits):
            raise ProblemError(origin, self.message, self.expected)

    def schema(self, defs: dict) -> dict:
        condition = self.condition.schema(defs)
        return {"if": {"contains": condition}, "then": {"items": condition}}


class RowsAlike(NamedTuple):
    """Every row of a matrix (a list of lists) as long as the first."""

    widths: int = 32  # JSON Schema says it by listing each width up to this; wider rows the loader alone checks

    def check(self, value, origin: Origin) -> None:
        for r, row in enumerate(value):
            if len(row) != len(value[0]):
                error = ProblemError(v.at(value, r, origin), f"row {r + 1} has {v.count(len(row), 'number')} but "
                                     f"row 1 has {len(value[0])}", "rows of one length, one number per column")
                if all(len(x) > self.widths for x in value):
                    raise BeyondSchema.of("shape", error)
                raise error

    def schema(self, defs: dict) -> dict:
        alike = [{"items": {"minItems": n, "maxItems": n}} for n in range(self.widths + 1)]
        return {"anyOf": [*alike, {"items": {"minItems": self.widths + 1}}]}


class Unique(NamedTuple):
    """No item of a list given twice."""

    noun: str  # what an item is: 'parameter'

    def check(self, value, origin: Origin) -> None:
        first: dict = {}
        for k, x in enumerate(value):
            if x in first:
                raise ProblemError(v.at(value, k, origin), f"{self.noun} '{x}' is listed twice, first as item "
                                   f"{first[x] + 1}", f"each {self.noun} once")
            first[x] = k

    def schema(self, defs: dict) -> dict:
        return {"uniqueItems": True}
