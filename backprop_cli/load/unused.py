"""What a file gives that nothing would use: a value, a target or a symbol that would be dropped silently.

Each is a mistake the solution would not show (a target compared with nothing, LaTeX for a name that
is not there, an edge value in a problem without numbers), so each is an error, every one reported.
"""
from __future__ import annotations

from ..errors import Origin, ProblemError, one_of, suggest
from ..formula.tree import free_names
from . import validate as v
from .builder import Built
from .collect import raise_all
from .imperative import BeyondSchema


def check_unused(doc, top: Origin, built: Built, inputs: dict, targets: dict, outputs: list,
                 symbolic: bool) -> None:
    """Every unused target, unknown symbol, and edge value of a problem without numbers, in one Several."""
    errors = _targets(doc, top, built, targets, outputs) + _symbols(doc, top, built, inputs, targets)
    if symbolic and "edges" in doc:
        errors += [BeyondSchema("edge-value", origin, f"edge value {value:g} in a problem without numbers",
                                "names only, 'x1 -> h1', when inputs, targets and params are lists of names")
                   for value, origin in built.values.values()]
    raise_all(errors)


def _targets(doc, top: Origin, built: Built, targets: dict, outputs: list) -> list[ProblemError]:
    """A target that no output is compared with and no formula reads."""
    used = {t for _, t in outputs}
    if any(t not in used for t in targets):  # only then read every formula (50,000 names in a wide network)
        used |= {name for n in built.nodes for name in free_names(n.formula)}
    errors: list[ProblemError] = []
    for k, name in enumerate(targets):
        if name in used:
            continue
        given, go = (doc["samples"][0], v.at(doc["samples"], 0, v.at(doc, "samples", top))) if "samples" in doc \
            else (doc, top)
        to = v.at(given, "targets", go)
        where = v.at(given["targets"], k if isinstance(given["targets"], list) else name, to)
        errors.append(BeyondSchema("complete", where, f"target '{name}' is not used: no output is compared with it",
                                   f"an entry '<output>: {name}' in outputs, or no target '{name}'"))
    return errors


def _symbols(doc, top: Origin, built: Built, inputs: dict, targets: dict) -> list[ProblemError]:
    """LaTeX given for a name the problem does not have."""
    if "symbols" not in doc:
        return []
    names = [*inputs, *targets, *built.values, *built.uses, *(n.name for n in built.nodes)]
    known = set(names) | {r for n in built.nodes for r in free_names(n.formula)}
    so = v.at(doc, "symbols", top)
    return [BeyondSchema("reference", v.at(doc["symbols"], k, so), f"symbol for '{k}', which is not a name of "
                         "the problem", one_of(known), suggest(str(k), known))
            for k in doc["symbols"] if k not in known]
