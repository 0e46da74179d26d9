"""The checks the problem schema cannot express, and the error that marks them.

JSON Schema checks each value in isolation; these relate one part of a file to another, read a
small language inside a string, or test a value JSON does not have. The loader makes them in
code and raises BeyondSchema, so a test can tell them from the checks the schema shares.
"""
from __future__ import annotations

from ..errors import Origin, ProblemError

CHECKS = {
    "reference": "a name used in one place is defined in another: formula names, edge ends, outputs and "
                 "their targets, frozen parameters, the expression's output",
    "distinct": "each name is defined once, and no input is also a target",
    "complete": "every parameter has a value and is used, every neuron has an input or a bias, every output "
                "neuron has a target, every sample has the same names",
    "shape": "sizes that follow another part: a weight matrix and its layer, names and values, one activation, "
             "bias or loss term per neuron or output",
    "cycle": "formulas and edges that use each other in a circle",
    "formula": "the formula language, and weight names filled into a template",
    "edge-value": "the number written inside an edge string",
    "target-range": "cross-entropy targets in [0, 1]: which targets a loss reads is a cross-reference",
    "nan": "NaN, which JSON does not have",
    "vary-range": "a vary range with low below high and a number to draw in it",
    "limit": "the documented limits (limits.py) on what one problem may hold: samples, computed values, softmax size",
}


class BeyondSchema(ProblemError):
    """A ProblemError from one of CHECKS: the schema may accept what this refuses."""

    def __init__(self, check: str, origin: Origin | None, message: str, expected: str | None = None,
                 suggestion: str | None = None):
        if check not in CHECKS:
            raise ValueError(f"undeclared check {check!r}")
        super().__init__(origin, message, expected, suggestion)
        self.check = check

    @classmethod
    def of(cls, check: str, exc: ProblemError) -> BeyondSchema:
        """The same error, marked as coming from one of CHECKS."""
        return cls(check, exc.origin, exc.message, exc.expected, exc.suggestion)
