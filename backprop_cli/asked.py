"""Which quantities a question asks for: the problem's ask: list, or by default every gradient of a parameter and
every updated parameter (an expression: every gradient with respect to an input; a trained problem: every parameter
and the loss where training ends). Names are answer-key names."""
from __future__ import annotations

import re

from .errors import Origin, ProblemError, one_of
from .solution import Solution


def default_asked(sol: Solution) -> list[str]:
    """∂L/∂p for every parameter, then p+ for every parameter that is updated; for an expression ∂f/∂x."""
    from .keys.keyfile import quantities

    known = quantities(sol)
    p = sol.problem
    if p.is_expression or not p.params:
        pattern = re.compile(rf"d{re.escape(p.loss)}/d(?:{'|'.join(map(re.escape, p.inputs))})(?:\[\d+\])?")
        return [k for k in known if pattern.fullmatch(k)]
    trained = [k for k in known if "@" in k]
    if trained:  # a trained problem: where training ends, each parameter and then the loss
        last = max(int(k.rsplit("@", 1)[1]) for k in trained)
        return [f"{name}@{last}" for name in p.params if name not in p.frozen and f"{name}@{last}" in known] \
            + [k for k in (f"{p.loss}@{last}",) if k in known]
    grads = [f"d{p.loss}/d{name}" for name in p.params if f"d{p.loss}/d{name}" in known]
    return grads + [f"{name}+" for name in p.params if name not in p.frozen and f"{name}+" in known]


def asked(doc: dict, sol: Solution, file: str) -> list[str]:
    """The quantities asked for; a name the solution lacks is an error at its line of ask:, with a suggestion."""
    if "ask" not in doc:
        return default_asked(sol)
    from .keys.keyfile import _suggest, quantities
    from .load import validate as v

    known = quantities(sol)
    ao = v.at(doc, "ask", Origin(file, 1, ""))
    for k, name in enumerate(doc["ask"]):
        if name not in known:
            raise ProblemError(v.at(doc["ask"], k, ao), f"the problem has no quantity '{name}'",
                               one_of(default_asked(sol) or known, 6), _suggest(name, known, sol.problem.loss))
    return list(dict.fromkeys(doc["ask"]))
