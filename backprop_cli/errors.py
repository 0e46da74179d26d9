"""User-facing errors: each knows where in the problem file it points."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class Origin:
    """Where a value came from: file, 1-based line (0 if unknown) and key path."""

    file: str
    line: int
    path: str

    def child(self, key: object, line: int | None = None) -> "Origin":
        """The origin of a key or index below this one."""
        if isinstance(key, int):
            path = f"{self.path}[{key}]"
        else:
            path = f"{self.path}.{key}" if self.path else str(key)
        return Origin(self.file, self.line if line is None else line, path)


class BackpropError(Exception):
    """Base of every error the CLI reports as one line with a documented exit code."""


class ProblemError(BackpropError):
    """A problem or key file is invalid: one line, pointing at the file, line and key."""

    def __init__(self, origin: Origin | None, message: str, expected: str | None = None,
                 suggestion: str | None = None):
        self.origin = origin
        self.message = message
        self.expected = expected
        self.suggestion = suggestion
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = []
        if self.origin is not None:
            loc = self.origin.file
            if self.origin.line:
                loc += f":{self.origin.line}"
            parts.append(loc + ":")
            if self.origin.path:
                parts.append(f" {self.origin.path}:")
            parts.append(" ")
        parts.append(self.message)
        if self.expected:
            parts.append(f" (expected {self.expected})")
        if self.suggestion:
            parts.append(f". Did you mean '{self.suggestion}'?")
        # One line on stderr, even when a quoted key or a file name holds a line break.
        return "".join(parts).replace("\r", "\\r").replace("\n", "\\n")


class DomainError(Exception):
    """A value left a function's domain (log of 0, division by zero); the engine adds the node."""


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt word, or None."""
    import difflib  # only an error pays for it

    matches = difflib.get_close_matches(str(word), sorted(set(candidates)), n=1, cutoff=0.6)
    return matches[0] if matches else None


def one_of(candidates: Iterable[str], limit: int = 8) -> str:
    """'one of: a, b, c …' for an expected-clause."""
    names = sorted(set(candidates))
    shown = ", ".join(names[:limit])
    return f"one of: {shown}" + (" …" if len(names) > limit else "")
