"""Several independent errors of one file, reported in one run: each on its own line, at most MAX_ERRORS."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from ..errors import Origin, ProblemError
from ..limits import MAX_ERRORS
from .imperative import BeyondSchema


class Several(ProblemError):
    """Independent errors of one file, in the order found; it reads as the first, plus a line for each other.

    the cli package writes 'Error: ' before the message, so each further line starts with 'Error: ' too: every
    error keeps the one-line format. Beyond MAX_ERRORS one last line says how many were left out.
    """

    def __init__(self, errors: list[ProblemError]):
        self.errors = errors  # before ProblemError.__init__, which reads str(self)
        first = errors[0]
        ProblemError.__init__(self, first.origin, first.message, first.expected, first.suggestion)

    def __str__(self) -> str:
        lines = [ProblemError.__str__(e) for e in self.errors[:MAX_ERRORS]]
        more = len(self.errors) - MAX_ERRORS
        if more > 0:
            file = self.errors[0].origin.file if self.errors[0].origin else "<input>"
            lines.append(str(ProblemError(Origin(file, 0, ""), f"{more} more error{'s' if more > 1 else ''} "
                                          f"not shown (at most {MAX_ERRORS} are)")))
        return "\nError: ".join(lines)


class SeveralBeyond(Several, BeyondSchema):
    """Several errors, every one from a check the problem schema cannot make (imperative.CHECKS)."""

    def __init__(self, errors: list[ProblemError]):
        Several.__init__(self, errors)
        self.check = getattr(errors[0], "check", "")


def flat(errors: Iterable[ProblemError]) -> list[ProblemError]:
    """The errors, a Several replaced by the errors it holds."""
    return [e for error in errors for e in (error.errors if isinstance(error, Several) else [error])]


def raise_all(errors: list[ProblemError]) -> None:
    """Raise the one error, or all of them as a Several; nothing when there are none."""
    errors = flat(errors)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise SeveralBeyond(errors) if all(isinstance(e, BeyondSchema) for e in errors) else Several(errors)


def gather(errors: list[ProblemError], check: Callable[..., object], *args) -> None:
    """Run one independent check, check(*args), adding what it raises to errors instead of stopping."""
    try:
        check(*args)
    except ProblemError as exc:
        errors.append(exc)
