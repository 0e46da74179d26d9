"""Small checks used while reading a problem file; each failure names its line and key."""
from __future__ import annotations

import math
import re
from collections.abc import Iterable

from ..errors import Origin, ProblemError, one_of, suggest
from ..limits import MAGNITUDE, MAX_NAME
from .yamlreader import LineDict, LineList

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_NUMBER_RE = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$", re.ASCII)
LIMIT = MAGNITUDE  # beyond this a homework number is a typo, and exp() would overflow


def at(container, key, origin: Origin) -> Origin:
    """The origin of container[key], with the key's own line."""
    if isinstance(container, LineDict):
        return origin.child(key, container.key_lines.get(key, container.line))
    if isinstance(container, LineList) and isinstance(key, int) and key < len(container.item_lines):
        return origin.child(key, container.item_lines[key])
    return origin.child(key)


def type_name(v) -> str:
    """How a YAML value is called in an error."""
    if v is None:
        return "nothing"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            LineDict: "a mapping", LineList: "a list"}.get(type(v), type(v).__name__)


def mapping(v, origin: Origin, what: str = "a mapping") -> dict:
    """v, which must be a mapping."""
    if not isinstance(v, dict):
        raise ProblemError(origin, f"got {type_name(v)}", what)
    return v


def listing(v, origin: Origin, what: str = "a list") -> list:
    """v, which must be a list."""
    if not isinstance(v, list):
        raise ProblemError(origin, f"got {type_name(v)}", what)
    return v


def keys(m: dict, origin: Origin, allowed: Iterable[str], required: Iterable[str] = ()) -> None:
    """Refuse unknown keys (with a suggestion) and report missing required ones."""
    errors = key_errors(m, origin, allowed, required)
    if errors:
        raise errors[0]


def key_errors(m: dict, origin: Origin, allowed: Iterable[str], required: Iterable[str] = ()) -> list[ProblemError]:
    """Every unknown key (with a suggestion), then every missing required key that no unknown key stands for."""
    allowed = list(allowed)
    errors = [ProblemError(at(m, k, origin), f"unknown key '{k}'", one_of(allowed, 20), suggest(k, allowed))
              for k in m if k not in allowed]
    meant = {e.suggestion for e in errors}  # trainig: is the training that is missing, one mistake
    return errors + [missing(m, origin, k) for k in required if k not in m and k not in meant]


def missing(m: dict, origin: Origin, key: str, expected: str | None = None) -> ProblemError:
    """The error for a required key that m lacks."""
    return ProblemError(origin.child(key, m.line if isinstance(m, LineDict) else origin.line),
                        "missing required key", expected or f"'{key}' in {origin.path or 'the top level'}")


def number(v, origin: Origin) -> float:
    """A finite float of sensible size."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        if isinstance(v, str):
            raise ProblemError(origin, f"got a string {v!r}",
                               "a number without quotes" if _numeric(v) else "a number")
        if isinstance(v, bool):
            raise ProblemError(origin, f"got the boolean {str(v).lower()}", "a number")
        raise ProblemError(origin, f"got {type_name(v)}", "a number")
    if isinstance(v, int) and abs(v) > 1e300:  # float() of an int this long overflows
        raise ProblemError(origin, f"number with {len(str(abs(v)))} digits is too large",
                           f"a magnitude at most {LIMIT:g}")
    v = float(v)
    if not math.isfinite(v):
        raise ProblemError(origin, f"non-finite number {v}", "a finite number")
    if abs(v) > LIMIT:
        raise ProblemError(origin, f"number {v:g} is too large", f"a magnitude at most {LIMIT:g}")
    return v


def plain_number(s: str) -> bool:
    """Whether a string is a number written in ASCII digits, as YAML and formulas write numbers."""
    return bool(_NUMBER_RE.fullmatch(s))


def _numeric(s: str) -> bool:
    """Whether a string would be read as a number if written without quotes."""
    return bool(_NUMBER_RE.match(s.strip()))


def name(v, origin: Origin) -> str:
    """A name usable in formulas."""
    if not isinstance(v, str) or not NAME_RE.fullmatch(v):  # fullmatch: "w1\n" is not w1
        raise ProblemError(origin, f"invalid name {v!r}",
                           "a name of letters, digits and _ that starts with a letter")
    if len(v) > MAX_NAME:
        raise ProblemError(origin, f"name of {len(v)} characters is too long", f"at most {MAX_NAME} characters")
    return v


def text(v, origin: Origin) -> str:
    """A free-text string."""
    if not isinstance(v, (str, int, float)) or isinstance(v, bool):
        raise ProblemError(origin, f"got {type_name(v)}", "a string")
    return str(v)


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 input', '3 inputs', '2 biases'."""
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"


def choice(v, origin: Origin, options: Iterable[str], what: str) -> str:
    """One of a fixed set of words."""
    options = list(options)
    if not isinstance(v, str) or v not in options:
        raise ProblemError(origin, f"unknown {what} {v!r}", one_of(options, 20), suggest(str(v), options))
    return v
