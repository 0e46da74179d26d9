"""Conditions on a mapping (or a list item): what a rule (rules.py) asks of a document.

A condition's holds() and its schema() agree on every value the rest of the schema accepts; on
other values both the loader and the schema refuse the document anyway.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, Protocol


class Condition(Protocol):
    """Something a mapping (or a list item) may satisfy; conditions are NamedTuples, as specs are."""

    def holds(self, value) -> bool:
        """Whether value satisfies it."""

    def schema(self, defs: dict) -> dict:
        """The JSON Schema that values satisfying it match."""


class Has(NamedTuple):
    """The mapping has the key."""

    key: str

    def holds(self, value) -> bool:
        return isinstance(value, dict) and self.key in value

    def schema(self, defs: dict) -> dict:
        return {"required": [self.key]}


class NonEmpty(NamedTuple):
    """The mapping's key holds a non-empty list (kind list) or mapping (kind dict)."""

    key: str
    kind: type

    def holds(self, value) -> bool:
        return isinstance(value, dict) and isinstance(value.get(self.key), self.kind) and len(value[self.key]) > 0

    def schema(self, defs: dict) -> dict:
        inner = {"type": "array", "minItems": 1} if self.kind is list else {"type": "object", "minProperties": 1}
        return {"required": [self.key], "properties": {self.key: inner}}


class In(NamedTuple):
    """The mapping's key holds one of these words (a callable reads them from the registry)."""

    key: str
    words: tuple | Callable[[], list]

    def values(self) -> list:
        """The words."""
        return list(self.words() if callable(self.words) else self.words)

    def holds(self, value) -> bool:
        return isinstance(value, dict) and isinstance(value.get(self.key), str) and value[self.key] in self.values()

    def schema(self, defs: dict) -> dict:
        return {"required": [self.key], "properties": {self.key: {"enum": self.values()}}}


class Inside(NamedTuple):
    """The mapping's key holds a mapping that satisfies the condition."""

    key: str
    condition: Condition

    def holds(self, value) -> bool:
        inner = value.get(self.key) if isinstance(value, dict) else None
        return isinstance(inner, dict) and self.condition.holds(inner)

    def schema(self, defs: dict) -> dict:
        return {"required": [self.key],
                "properties": {self.key: {"type": "object", "allOf": [self.condition.schema(defs)]}}}


class Contains(NamedTuple):
    """The mapping's key holds a list with an item that satisfies the condition."""

    key: str
    condition: Condition

    def holds(self, value) -> bool:
        items = value.get(self.key) if isinstance(value, dict) else None
        return isinstance(items, list) and any(self.condition.holds(x) for x in items)

    def schema(self, defs: dict) -> dict:
        return {"required": [self.key],
                "properties": {self.key: {"type": "array", "contains": self.condition.schema(defs)}}}


class Named(NamedTuple):
    """A function given by name, as 'softmax' or as {name: softmax, …}."""

    name: str

    def holds(self, value) -> bool:
        return value == self.name or (isinstance(value, dict) and value.get("name") == self.name)

    def schema(self, defs: dict) -> dict:
        return {"anyOf": [{"const": self.name},
                          {"type": "object", "required": ["name"], "properties": {"name": {"const": self.name}}}]}


class AnyOf(NamedTuple):
    """At least one of the conditions holds."""

    conditions: tuple

    def holds(self, value) -> bool:
        return any(c.holds(value) for c in self.conditions)

    def schema(self, defs: dict) -> dict:
        return {"anyOf": [c.schema(defs) for c in self.conditions]}


class AllOf(NamedTuple):
    """Every one of the conditions holds."""

    conditions: tuple

    def holds(self, value) -> bool:
        return all(c.holds(value) for c in self.conditions)

    def schema(self, defs: dict) -> dict:
        return {"allOf": [c.schema(defs) for c in self.conditions]}


class Not(NamedTuple):
    """The condition does not hold."""

    condition: Condition

    def holds(self, value) -> bool:
        return not self.condition.holds(value)

    def schema(self, defs: dict) -> dict:
        return {"not": self.condition.schema(defs)}


class Called(NamedTuple):
    """A condition shared under a name: one entry of the schema's $defs."""

    name: str
    condition: Condition

    def holds(self, value) -> bool:
        return self.condition.holds(value)

    def schema(self, defs: dict) -> dict:
        if self.name not in defs:
            defs[self.name] = self.condition.schema(defs)
        return {"$ref": f"#/$defs/{self.name}"}
