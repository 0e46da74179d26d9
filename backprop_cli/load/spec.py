"""The small language the problem format is declared in (format.py): single values.

Each spec checks one YAML value with the loader's exact messages, and writes itself as JSON
Schema. compound.py holds mappings and lists, rules.py which keys go together.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import NamedTuple, Protocol

from ..errors import Origin, ProblemError
from ..limits import MAX_NAME
from . import validate as v
from .imperative import BeyondSchema


class Spec(Protocol):
    """A kind of value in a problem file.

    Specs are NamedTuples, not dataclasses: a frozen dataclass costs about a millisecond to
    create, and the declaration's thirty classes are made on every start of the program.
    """

    def check(self, value, origin: Origin) -> None:
        """Raise a ProblemError if value is not of this kind."""

    def schema(self, defs: dict) -> dict:
        """This kind as JSON Schema; shared parts go into defs."""


class Defined(NamedTuple):
    """A spec shared under a name: one entry of the schema's $defs."""

    name: str
    spec: Spec

    def check(self, value, origin: Origin) -> None:
        self.spec.check(value, origin)

    def schema(self, defs: dict) -> dict:
        if self.name not in defs:
            defs[self.name] = self.spec.schema(defs)
        return {"$ref": f"#/$defs/{self.name}"}


class Text(NamedTuple):
    """Free text; a number is read as text too (title: 2024)."""

    def check(self, value, origin: Origin) -> None:
        v.text(value, origin)

    def schema(self, defs: dict) -> dict:
        return {"type": ["string", "number"]}


class String(NamedTuple):
    """A string and nothing else."""

    def check(self, value, origin: Origin) -> None:
        if not isinstance(value, str):
            raise ProblemError(origin, f"got {v.type_name(value)}", "a string")

    def schema(self, defs: dict) -> dict:
        return {"type": "string"}


class Name(NamedTuple):
    """A name usable in formulas: letters, digits and _, starting with a letter."""

    def check(self, value, origin: Origin) -> None:
        v.name(value, origin)

    def schema(self, defs: dict) -> dict:
        return {"type": "string", "pattern": v.NAME_RE.pattern, "maxLength": MAX_NAME}


class Number(NamedTuple):
    """A finite number of at most LIMIT in size, and at least minimum when one is given."""

    minimum: float | None = None
    below: str = ""  # the message for a value under minimum, formatted with {value}
    below_expected: str = ""

    def check(self, value, origin: Origin) -> None:
        try:
            x = v.number(value, origin)
        except ProblemError as exc:
            if isinstance(value, float) and math.isnan(value):
                raise BeyondSchema.of("nan", exc) from None
            raise
        if self.minimum is not None and x < self.minimum:
            raise ProblemError(origin, self.below.format(value=x), self.below_expected)

    def schema(self, defs: dict) -> dict:
        low = -v.LIMIT if self.minimum is None else self.minimum
        return {"type": "number", "minimum": low, "maximum": v.LIMIT}


class Choice(NamedTuple):
    """One of a set of words; a callable reads the set (from the registry) when it is needed."""

    options: tuple | Callable[[], list]
    what: str  # 'unknown {what} …'

    def words(self) -> list:
        """The words allowed."""
        return list(self.options() if callable(self.options) else self.options)

    def check(self, value, origin: Origin) -> None:
        v.choice(value, origin, self.words(), self.what)

    def schema(self, defs: dict) -> dict:
        return {"enum": self.words()}


class Pattern(NamedTuple):
    """A string a regular expression reads; the same expression JSON Schema and the loader use."""

    regex: str  # kept to the part of the syntax Python and ECMA 262 (JSON Schema) read alike
    message: str  # formatted with {value}
    expected: str

    def match(self, text: str) -> re.Match | None:
        """The match of a string, or None."""
        return re.match(self.regex, text)

    def groups(self, text: str) -> tuple:
        """The groups of a string this spec has checked."""
        m = self.match(text)
        if m is None:
            raise ValueError(f"{text!r} was not checked against {self.regex!r}")
        return m.groups()

    def check(self, value, origin: Origin) -> None:
        if not isinstance(value, str) or not self.match(value):
            raise ProblemError(origin, self.message.format(value=value), self.expected)

    def schema(self, defs: dict) -> dict:
        return {"type": "string", "pattern": self.regex}


class Formula(NamedTuple):
    """A formula: its text (or a bare number); the formula parser reads the text."""

    def check(self, value, origin: Origin) -> None:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ProblemError(origin, "got a non-formula value", "a formula such as sigmoid(w1*x1 + b)")

    def schema(self, defs: dict) -> dict:
        return {"type": ["string", "number"]}
