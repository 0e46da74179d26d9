"""Answers files: a student's own numbers, by the quantity names of the answer key, as they wrote them.

    student: Ada          # optional; the file's name otherwise
    answers:
      S1: -1.07
      h1: 0.2554
      dL/dw1:             # nothing: not answered

The decimals written are part of the answer: 0.0100 has four. They are read from the scalar's own
text (the YAML node), never from the parsed float, and the tolerance of a value is half a unit in
its last written place.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from ..errors import Origin, ProblemError
from ..load.yamlreader import LineDict, load_yaml_file, load_yaml_text

TOP_KEYS = ["answers", "student"]
NUMBER = re.compile(r"^[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?$")
WHAT = "a number as you wrote it, e.g. 0.2554, or nothing to leave it unanswered"
SUFFIX = ".answers"  # q1.answers.yaml: the student is q1 unless the file says student:


@dataclass(frozen=True)
class Answer:
    """One number a student wrote: its quantity, its value, the text it was written as, and where."""

    name: str
    value: float
    text: str
    line: int

    @property
    def decimals(self) -> int:
        """How many decimal places the text has: 0.0100 has 4, 1.5e-3 has 4, 3 has 0."""
        exponent = Decimal(self.text).as_tuple().exponent
        return max(0, -exponent) if isinstance(exponent, int) else 0

    @property
    def half_unit(self) -> float:
        """Half a unit in the last written place: the student's own rounding."""
        return 0.5 * 10.0 ** -self.decimals


@dataclass(frozen=True)
class Answers:
    """A parsed answers file: who wrote it and what, in the order written."""

    file: str
    student: str
    answers: tuple[Answer, ...]

    def by_name(self) -> dict[str, Answer]:
        """Each answered quantity by name."""
        return {a.name: a for a in self.answers}


def read_answers(path: str | Path) -> Answers:
    """Read and validate an answers file; every problem is a ProblemError pointing at its line."""
    if not Path(path).exists():
        raise ProblemError(Origin(str(path), 0, ""), "no such file",
                           "an existing answers file (backprop sheet PROBLEM writes a blank one)")
    doc, text = load_yaml_file(path)
    return _answers(doc, text, str(path))


def parse_answers(text: str, file: str = "<answers>") -> Answers:
    """Validate an answers file given as YAML text."""
    return _answers(load_yaml_text(text, file), text, file)


def _answers(doc, text: str, file: str) -> Answers:
    from ..load import validate as v

    top = Origin(file, 1, "")
    if not isinstance(doc, dict):
        raise ProblemError(Origin(file, getattr(doc, "line", 0), ""), f"the answers file holds {v.type_name(doc)}",
                           "a mapping with answers: and optionally student:")
    v.keys(doc, top, TOP_KEYS, ["answers"])
    student = doc.get("student")
    if student is not None and not isinstance(student, str):
        raise ProblemError(v.at(doc, "student", top), f"got {student!r}", "the student's name, as text")
    ao = v.at(doc, "answers", top)
    given = doc["answers"] if doc["answers"] is not None else LineDict()
    v.mapping(given, ao, "a mapping of quantity names to numbers")
    raw = _scalars(text)
    answers = []
    for name, value in given.items():
        origin = v.at(given, name, ao)
        if value is None:
            continue
        written = raw.get(str(name), "")
        if isinstance(value, bool) or not isinstance(value, (int, float, str)) or not NUMBER.match(written) \
                or not math.isfinite(float(written)):
            raise ProblemError(origin, f"got {written or value!r}", WHAT)
        answers.append(Answer(str(name), float(written), written, origin.line))
    return Answers(file, student or _stem(file), tuple(answers))


def _scalars(text: str) -> dict[str, str]:
    """The text of each scalar under answers:, exactly as written (0.0100 keeps its zeros)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)  # nodes only; the file was already read safely
    for key, value in root.value if isinstance(root, yaml.MappingNode) else ():
        if key.value == "answers" and isinstance(value, yaml.MappingNode):
            return {k.value: v.value.strip() for k, v in value.value if isinstance(v, yaml.ScalarNode)}
    return {}


def _stem(file: str) -> str:
    stem = Path(file).stem
    return stem[: -len(SUFFIX)] if stem.endswith(SUFFIX) and len(stem) > len(SUFFIX) else stem


def check_names(answers: Answers, known: dict[str, float], problem: str, loss: str) -> None:
    """A name that is not a quantity of the problem is a ProblemError on its line, with a suggestion."""
    from .keyfile import _examples, _suggest

    if not known:
        raise ProblemError(Origin(answers.file, 1, ""), f"{problem} is symbolic: it has no numbers to grade",
                           "answers only for a problem with numbers")
    for a in answers.answers:
        if a.name not in known:
            raise ProblemError(Origin(answers.file, a.line, f"answers.{a.name}"),
                               f"{problem} has no quantity '{a.name}'", _examples(known), _suggest(a.name, known, loss))
