"""The course-work keys of a problem file: vary (what `backprop variants` draws anew), ask (what an LMS export
asks for) and variant (what a drawn variant records about itself).

format.py declares them with the specs below; check_coursework() makes the checks that need the built problem
(a varied name must be an input, a target or a parameter with a number). Which quantities `ask` may name is
known only once the problem is solved: asked.asked() checks those, pointing at the same lines.
"""
from __future__ import annotations

import math
from typing import NamedTuple

from ..errors import Origin, ProblemError, one_of, suggest
from ..model import Problem
from . import validate as v
from .compound import ListOf, MapOf, Mapping, Variants
from .imperative import BeyondSchema
from .spec import Defined, Pattern, Spec

MAX_DECIMALS = 6  # a drawn value's decimals: enough for any homework, few enough that a grid stays countable
DEFAULT_DECIMALS = 2
# A quantity as an answer key names it: out_h1, out_h1[2], dE_total/dw5, w5+, E_total+[2] (keys/keyfile.py).
QUANTITY = Pattern(r"^[A-Za-z][A-Za-z0-9_']*(?:/d[A-Za-z][A-Za-z0-9_']*)?\+?(?:\[[1-9][0-9]*\])?$",
                   "invalid quantity name {value!r}",
                   "a quantity as an answer key names it, such as dE_total/dw5, w5+ or out_h1")


class Integer(NamedTuple):
    """A whole number from minimum to maximum (None: no upper bound)."""

    minimum: int
    maximum: int | None = None

    def expected(self) -> str:
        """The range in words."""
        return f"a whole number from {self.minimum}" + (f" to {self.maximum}" if self.maximum is not None else "")

    def check(self, value, origin: Origin) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProblemError(origin, f"got {v.type_name(value)} {value!r}", self.expected())
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            raise ProblemError(origin, f"{value} is out of range", self.expected())

    def schema(self, defs: dict) -> dict:
        return {"type": "integer", "minimum": self.minimum,
                **({"maximum": self.maximum} if self.maximum is not None else {})}


class Flag(NamedTuple):
    """true or false."""

    def check(self, value, origin: Origin) -> None:
        if not isinstance(value, bool):
            raise ProblemError(origin, f"got {v.type_name(value)} {value!r}", "true or false")

    def schema(self, defs: dict) -> dict:
        return {"type": "boolean"}


class Interval(NamedTuple):
    """[low, high]: two numbers, low below high (which only the loader checks)."""

    number: Spec

    def check(self, value, origin: Origin) -> None:
        items = v.listing(value, origin, "[low, high]")
        if len(items) != 2:
            raise ProblemError(origin, f"{v.count(len(items), 'number')} in a range", "[low, high]: two numbers")
        for k, x in enumerate(items):
            self.number.check(x, v.at(items, k, origin))
        if not items[0] < items[1]:
            raise BeyondSchema("vary-range", origin, f"range [{items[0]:g}, {items[1]:g}] is empty",
                               "[low, high] with low below high")

    def schema(self, defs: dict) -> dict:
        return {"type": "array", "items": self.number.schema(defs), "minItems": 2, "maxItems": 2}


def declarations(name: Spec, number: Spec, text: Spec) -> tuple[Spec, Spec, Spec]:
    """(vary, ask, variant) as format.py declares them, built from its shared name, number and text specs."""
    nonzero = Flag()
    drawn = Variants({
        "range": Mapping({"range": Interval(number), "decimals": Integer(0, MAX_DECIMALS), "nonzero": nonzero},
                         required=("range",), docs={
                             "range": "[low, high]: a value is drawn uniformly from the numbers in it with the "
                                      "given decimals.",
                             "decimals": f"Decimals of the drawn value (default {DEFAULT_DECIMALS}).",
                             "nonzero": "Never draw 0."}),
        "choices": Mapping({"choices": ListOf(number, "a list of numbers", min_items=1,
                                              too_few=("no choices", "at least one number")), "nonzero": nonzero},
                           required=("choices",), docs={"choices": "One of these numbers, each as likely.",
                                                        "nonzero": "Never draw 0."}),
    }, what="a mapping with range or choices", many="a value varies one way", none="no range or choices given",
        expected="exactly one of range: [low, high] or choices: [numbers]")
    vary = MapOf(name, Defined("vary_entry", drawn), "a mapping of input, target or parameter names to how each varies",
                 min_items=1, too_few=("nothing varies", "at least one name, e.g. w1: {range: [-1, 1], decimals: 2}"))
    ask = ListOf(QUANTITY, "a list of quantity names as an answer key writes them, e.g. [dL/dw5, w5+]",
                 min_items=1, too_few=("nothing asked", "at least one quantity, e.g. [dL/dw5]"))
    variant = Mapping({"seed": Integer(0), "index": Integer(1), "count": Integer(1), "source": text, "student": text},
                      required=("seed", "index"), what="a mapping with seed and index", docs={
                          "seed": "The --seed the variant was drawn with.",
                          "index": "Its number, from 1: `backprop variants … --only INDEX` draws it again.",
                          "count": "How many variants were drawn.", "source": "The problem file it was drawn from.",
                          "student": "The roster's name for the student it is for."})
    return vary, ask, variant


def check_coursework(doc: dict, top: Origin, problem: Problem) -> None:
    """The checks of vary that need the built problem: each name has a number to vary, each range a number to draw."""
    if "vary" not in doc:
        return
    vo = v.at(doc, "vary", top)
    known = [*problem.inputs, *problem.targets, *problem.params]
    for name, spec in doc["vary"].items():
        no = v.at(doc["vary"], name, vo)
        if name not in known:
            raise BeyondSchema("reference", no, f"'{name}' is not an input, a target or a parameter",
                               one_of(known), suggest(name, known))
        if "range" in spec and not grid_size(spec):
            low, high = spec["range"]
            raise BeyondSchema("vary-range", v.at(spec, "range", no),
                               f"no {'nonzero ' if spec.get('nonzero') else ''}number with "
                               f"{spec.get('decimals', DEFAULT_DECIMALS)} decimals lies in [{low:g}, {high:g}]",
                               "a wider range, or more decimals")
        if "choices" in spec and spec.get("nonzero") and all(float(x) == 0 for x in spec["choices"]):
            raise BeyondSchema("vary-range", v.at(spec, "choices", no), "every choice is 0 but nonzero is true",
                               "at least one choice other than 0")


def grid(spec: dict) -> tuple[int, int, int]:
    """(first, last, decimals) of a range's grid: the integers k with k/10^decimals in [low, high]."""
    decimals = spec.get("decimals", DEFAULT_DECIMALS)
    low, high = (float(x) for x in spec["range"])
    scale = 10 ** decimals
    # the 1e-9 forgives float error in low·10^d, so [0.1, 0.3] at 1 decimal holds 1 and 3 themselves
    return math.ceil(low * scale - 1e-9), math.floor(high * scale + 1e-9), decimals


def grid_size(spec: dict) -> int:
    """How many values a range can draw (0 left out when nonzero)."""
    first, last, _ = grid(spec)
    size = max(0, last - first + 1)
    return size - 1 if spec.get("nonzero") and first <= 0 <= last else size
