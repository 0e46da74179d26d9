"""User-facing errors: each knows its exit code, and where in the problem file it points."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes, documented in the README."""

    OK = 0
    CHECK_FAILED = 1  # backprop check: a key disagrees with the solver
    USAGE = 2  # bad command-line usage (click's own code)
    INVALID_INPUT = 3  # a problem or key file is invalid, missing, or leaves a function's domain
    CANNOT_WRITE = 4  # an output (-o, a key, --junit-xml, standard output) could not be written; it is as it was
    INTERNAL = 70  # a bug in backprop-cli: re-run with --traceback and report it
    INTERRUPTED = 130  # Ctrl-C (SIGINT), as a shell reports 128 + 2
    TERMINATED = 143  # SIGTERM, as a shell reports 128 + 15


@dataclass(frozen=True)
class Origin:
    """Where a value came from: file, 1-based line (0 if unknown) and key path."""

    file: str
    line: int
    path: str

    def child(self, key: object, line: int | None = None) -> Origin:
        """The origin of a key or index below this one."""
        if isinstance(key, int):
            path = f"{self.path}[{key}]"
        else:
            path = f"{self.path}.{key}" if self.path else str(key)
        return Origin(self.file, self.line if line is None else line, path)


class BackpropError(Exception):
    """Base of every error the CLI reports as one line with its own documented exit code.

    Like click's ClickException.exit_code, each class says how the program ends when it reaches the CLI.
    """

    exit_code: ExitCode = ExitCode.INVALID_INPUT


class ProblemError(BackpropError):
    """A problem or key file is invalid: one line, pointing at the file, line and key."""

    exit_code = ExitCode.INVALID_INPUT

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


class DomainError(BackpropError):
    """A value left a function's domain (log of 0, division by zero); the engine adds the node."""

    exit_code = ExitCode.INVALID_INPUT


class OutputError(BackpropError):
    """An output could not be written; that file is as it was (other outputs of the run may have been written)."""

    exit_code = ExitCode.CANNOT_WRITE


class RefusedError(BackpropError):
    """A file exists that the command will not replace unless told to (a differing key without --force)."""

    exit_code = ExitCode.USAGE


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
