"""The small language the problem format is declared in (format.py): mappings and lists.

Checks run in a fixed order: a value's type, then unknown keys, required keys, the rules
(rules.py), and the values of the keys in the order they are declared.
"""
from __future__ import annotations

from typing import NamedTuple

from ..errors import Origin, ProblemError, one_of, suggest
from . import validate as v
from .collect import gather, raise_all
from .spec import Choice, Defined, Number, Spec


class Mapping(NamedTuple):
    """A mapping with a fixed set of keys."""

    keys: dict  # key -> Spec, in the order the values are checked
    required: tuple = ()
    rules: tuple = ()  # rules.Rule, checked in order before the values
    what: str = "a mapping"
    docs: dict | None = None  # key -> description, for editors

    def check(self, value, origin: Origin) -> None:
        """Every independent error: unknown and missing keys, each rule, each value (collect.Several)."""
        m = v.mapping(value, origin, self.what)
        errors = v.key_errors(m, origin, self.keys, self.required)
        meant = {e.suggestion for e in errors}
        for rule in self.rules:
            gather(errors, rule.check, m, origin)
        errors = [e for e in errors if not (e.message == "missing required key" and e.origin is not None
                                            and e.origin.path.rpartition(".")[2] in meant)]
        for k, spec in self.keys.items():
            if k in m:
                gather(errors, spec.check, m[k], v.at(m, k, origin))
        raise_all(errors)

    def schema(self, defs: dict) -> dict:
        props = {}
        for k, spec in self.keys.items():
            props[k] = spec.schema(defs)
            if self.docs and k in self.docs:
                props[k] = {**props[k], "description": self.docs[k]}
        out: dict = {"type": "object", "properties": props, "additionalProperties": False}
        if self.required:
            out["required"] = list(self.required)
        if self.rules:
            out["allOf"] = [rule.schema(defs) for rule in self.rules]
        return out


def _all_fine(spec: Spec, values) -> bool:
    """Whether every value is a float that a Number spec would pass: a 784-wide layer's rows of weights
    are 50,000 numbers, checked here in one pass; anything else is checked one by one, as ever."""
    while type(spec) is Defined:
        spec = spec.spec
    if type(spec) is not Number:
        return False
    low = -v.LIMIT if spec.minimum is None else max(spec.minimum, -v.LIMIT)
    return all(type(x) is float and low <= x <= v.LIMIT for x in values)


class MapOf(NamedTuple):
    """A mapping of any number of keys of one kind to values of one kind."""

    key: Spec | None  # None: any key
    value: Spec
    what: str = "a mapping"
    min_items: int = 0
    too_few: tuple = ()  # (message, expected) for fewer than min_items entries

    def check(self, value, origin: Origin) -> None:
        m = v.mapping(value, origin, self.what)
        if len(m) < self.min_items:
            raise ProblemError(origin, *self.too_few)
        errors: list[ProblemError] = []
        fine = _all_fine(self.value, m.values())  # then only the keys are checked one by one
        for k, x in m.items():
            ko = v.at(m, k, origin)
            if self.key is not None:
                gather(errors, self.key.check, k, ko)
            if not fine:
                gather(errors, self.value.check, x, ko)
        raise_all(errors)

    def schema(self, defs: dict) -> dict:
        out: dict = {"type": "object"}
        if self.key is not None:
            out["propertyNames"] = self.key.schema(defs)
        out["additionalProperties"] = self.value.schema(defs)
        if self.min_items:
            out["minProperties"] = self.min_items
        return out


class ListOf(NamedTuple):
    """A list of items of one kind."""

    item: Spec
    what: str = "a list"
    min_items: int = 0
    too_few: tuple = ()  # (message, expected) for fewer than min_items items
    rules: tuple = ()  # rules.ListRule, checked after the items

    def check(self, value, origin: Origin) -> None:
        items = v.listing(value, origin, self.what)
        if len(items) < self.min_items:
            raise ProblemError(origin, *self.too_few)
        errors: list[ProblemError] = []
        for k, x in ([] if _all_fine(self.item, items) else enumerate(items)):
            gather(errors, self.item.check, x, v.at(items, k, origin))
        if not errors:  # a rule over the items reads them as checked
            for rule in self.rules:
                gather(errors, rule.check, items, origin)
        raise_all(errors)

    def schema(self, defs: dict) -> dict:
        out: dict = {"type": "array", "items": self.item.schema(defs)}
        if self.min_items:
            out["minItems"] = self.min_items
        if self.rules:
            out["allOf"] = [rule.schema(defs) for rule in self.rules]
        return out


class Either(NamedTuple):
    """One of several kinds, told apart by the YAML type of the value (list, mapping, string)."""

    branches: tuple  # ((type, Spec), …): the first whose type the value has checks it
    otherwise: Spec | None = None  # checks any other value; without it, 'got … (expected what)'
    what: str = ""

    def check(self, value, origin: Origin) -> None:
        for kind, spec in self.branches:
            if isinstance(value, kind):
                spec.check(value, origin)
                return
        if self.otherwise is None:
            raise ProblemError(origin, f"got {v.type_name(value)}", self.what)
        self.otherwise.check(value, origin)

    def schema(self, defs: dict) -> dict:
        specs = [spec for _, spec in self.branches] + ([self.otherwise] if self.otherwise is not None else [])
        return {"anyOf": [spec.schema(defs) for spec in specs]}


class Variants(NamedTuple):
    """A mapping that takes one of several forms, chosen by which one of their keys it has."""

    cases: dict  # key -> Mapping that requires that key
    what: str
    many: str  # the message for more than one of the keys
    none: str  # the message for none of them
    expected: str

    def check(self, value, origin: Origin) -> None:
        m = v.mapping(value, origin, self.what)
        present = [k for k in self.cases if k in m]
        if len(present) != 1:
            raise ProblemError(origin, self.many if present else self.none, self.expected)
        self.cases[present[0]].check(m, origin)

    def schema(self, defs: dict) -> dict:
        return {"type": "object", "oneOf": [case.schema(defs) for case in self.cases.values()]}


class SingleEntry(NamedTuple):
    """A mapping of exactly one key to one value, both checked at the mapping's own place."""

    key: Spec
    value: Spec
    message: str  # for any other mapping, formatted with {value}
    expected: str

    def check(self, value, origin: Origin) -> None:
        if not isinstance(value, dict) or len(value) != 1:
            raise ProblemError(origin, self.message.format(value=value), self.expected)
        (k, x), = value.items()
        self.key.check(k, origin)
        self.value.check(x, origin)

    def schema(self, defs: dict) -> dict:
        return {"type": "object", "minProperties": 1, "maxProperties": 1,
                "propertyNames": self.key.schema(defs), "additionalProperties": self.value.schema(defs)}


class Parameters(NamedTuple):
    """{name: leaky_relu, slope: 0.1}: a registry function by name, and its keyword parameters."""

    function: Choice | Defined  # the names allowed
    number: Spec  # each parameter's value

    def check(self, value, origin: Origin) -> None:
        from ..formula.registry import REGISTRY

        m = v.mapping(value, origin)
        v.keys(m, origin, list(m), ["name"])  # the other keys depend on the function named
        self.function.check(m["name"], v.at(m, "name", origin))
        allowed = [p for p, _ in REGISTRY[m["name"]].params if p != "index"]
        for k in m:
            if k != "name" and k not in allowed:
                raise ProblemError(v.at(m, k, origin), f"{m['name']} has no parameter '{k}'",
                                   one_of(allowed) if allowed else "no parameters", suggest(k, allowed))
            if k != "name":
                self.number.check(m[k], v.at(m, k, origin))

    def schema(self, defs: dict) -> dict:
        from ..formula.registry import REGISTRY

        choice = self.function.spec if isinstance(self.function, Defined) else self.function
        assert isinstance(choice, Choice)
        number = self.number.schema(defs)
        cases = [{"properties": {"name": {"const": name},
                                 **{p: number for p, _ in REGISTRY[name].params if p != "index"}},
                  "additionalProperties": False} for name in choice.words()]
        return {"type": "object", "required": ["name"], "properties": {"name": self.function.schema(defs)},
                "oneOf": cases}
