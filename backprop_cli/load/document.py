"""Read a problem file: check it against the format, build its network, and return a frozen Problem."""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import Origin, ProblemError, one_of, suggest
from ..formula.tree import free_names
from ..limits import MAX_NODES
from ..memory import collection_paused
from ..model import BatchMode, Problem, Training
from . import givens
from . import validate as v
from .builder import Built
from .format import PROBLEM, SYMBOLIC
from .imperative import BeyondSchema
from .layers import build_layers  # the other forms are imported when a file uses them
from .loss import build_loss
from .prescan import PARSE_FIRST, check_top_keys
from .resolve import evaluation_order, parameters
from .unused import check_unused
from .yamlreader import load_yaml_text, read_text

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def load_problem(path: str | Path) -> Problem:
    """Load and validate a problem file."""
    return load_problem_text(read_text(path), str(path))


def load_problem_text(text: str, file: str = "<string>") -> Problem:
    """Load and validate a problem given as YAML text."""
    if len(text) > PARSE_FIRST:
        check_top_keys(text, file)
    doc = load_yaml_text(text, file)
    with collection_paused():  # a wide layer's parameters, origins and terms: no cycles to collect
        return problem_from_doc(doc, file)


def problem_from_doc(doc, file: str) -> Problem:
    """Validate a parsed YAML document into a Problem."""
    top = Origin(file, 1, "")
    if doc is None:
        raise ProblemError(Origin(file, 0, ""), "the file is empty", "a YAML mapping with title, inputs, …")
    if not isinstance(doc, dict):
        raise ProblemError(Origin(file, getattr(doc, "line", 1), ""), f"the file holds {v.type_name(doc)}",
                           "a YAML mapping with title, inputs, …")
    PROBLEM.check(doc, top)  # every key, type and word; what follows checks how the parts fit together
    expression = "expression" in doc
    inputs, targets, t_origins = givens.samples(doc, top)
    params = givens.params(doc, top)
    # The values in params: come first, so Built.param checks each later value of a parameter against them.
    built = Built(values={k: (x, o) for k, (x, o) in params.items() if x is not None}, taken=_words(doc))
    if expression:
        loss_name = _expression(built, doc, top, list(inputs))
        outputs: list = []
        batch: BatchMode = "mean"
    else:
        _network(built, doc, top, list(inputs))
        outputs, loss_nodes, loss_name, batch = build_loss(doc["loss"], v.at(doc, "loss", top), doc, top, built,
                                                           targets, t_origins)
        for n in loss_nodes:
            built.add_node(n.name, n.formula, n.origin, n.role)
    if len(built.nodes) > MAX_NODES:
        form = next(k for k in ("expression", "layers", "neurons", "equations") if k in doc)
        raise BeyondSchema("limit", v.at(doc, form, top), f"{len(built.nodes)} computed values are too many",
                           f"at most {MAX_NODES}: each neuron's z and a, each equation, step and loss term")
    _one_meaning(built, params, inputs, targets, top)
    check_unused(doc, top, built, inputs, targets, outputs, SYMBOLIC.holds(doc))
    nodes = evaluation_order(built, inputs, targets, params)
    param_objs = parameters(built, params, top, numeric=not SYMBOLIC.holds(doc))
    series = [*inputs.values(), *targets.values()]
    lr, frozen, training = _training(doc, top, param_objs, len(series[0]) if series else 1)
    origins = {n.name: n.origin for n in nodes}
    origins.update({p.name: p.origin for p in param_objs.values()})
    problem = Problem(
        file=file, title=str(doc["title"]), description=str(doc.get("description", "")).strip(),
        source=str(doc.get("source", "")), inputs=inputs, targets=targets, params=param_objs, nodes=tuple(nodes),
        outputs=tuple(outputs), loss=loss_name, batch=batch, learning_rate=lr, frozen=frozenset(frozen),
        layers=tuple(built.layers), symbols={k: str(x) for k, x in doc.get("symbols", {}).items()}, origins=origins,
        kind="expression" if expression else "network", definitions=tuple(built.definitions), training=training,
        dense=tuple(built.dense))
    if "vary" in doc:
        from .coursework import check_coursework  # only a file with a vary: block pays for it

        check_coursework(doc, top, problem)
    return problem


def _words(doc) -> frozenset:
    """Every word (name-like run of characters) in the document's keys and strings."""
    found: set = set()
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(x for x in item if type(x) is not float)  # a matrix row: no words in it
        elif isinstance(item, str):
            found.update(_WORD.findall(item))
    return frozenset(found)


def _one_meaning(built: Built, params: dict, inputs: dict, targets: dict, top: Origin) -> None:
    """A parameter may not share its name with an input or a target: one name means one thing."""
    for name in dict.fromkeys([*params, *built.values, *built.uses]):
        role = "an input" if name in inputs else "a target" if name in targets else None
        if role is not None:
            where = (params.get(name) or built.values.get(name) or (None, _use_origin(built, name) or top))[1]
            raise BeyondSchema("distinct", where, f"'{name}' is both {role} and a parameter",
                               "distinct names: one name means one thing")


def _use_origin(built: Built, name: str) -> Origin | None:
    return next((n.origin for n in built.nodes if name in free_names(n.formula)), None)


def _training(doc, top: Origin, params: dict, n_samples: int) -> tuple[float | None, list, Training | None]:
    """The learning rate (None when nothing is updated), the frozen parameters and how training goes."""
    if "training" not in doc:
        return None, [], None
    from .training import read_training

    return read_training(doc["training"], v.at(doc, "training", top), params, n_samples)


def _expression(built: Built, doc, top: Origin, inputs: list) -> str:
    """Build the expression's graph; the name of the node to differentiate."""
    from .expression import build_expression

    last = build_expression(built, doc["expression"], v.at(doc, "expression", top), inputs)
    if "output" not in doc:
        return last
    names = [n.name for n in built.nodes]
    steps = [name for name, _ in built.definitions]  # the node each 'name = formula' line made, in order
    out, oo = doc["output"], v.at(doc, "output", top)
    if isinstance(out, int):  # the k-th step, whatever its name
        if not 1 <= out <= len(steps):
            raise BeyondSchema("reference", oo, f"there is no step {out}: the expression has "
                                                f"{v.count(len(steps), 'step')}",
                               f"a step number from 1 to {len(steps)}")
        return steps[out - 1]
    latest = [s for s in steps if s.rstrip("'") == out and "'" not in out]
    if latest:  # c after c = x*x; c = c*3 is the latest c (shown as c'); write c' or a step number for another
        return latest[-1]
    if out not in names:
        raise BeyondSchema("reference", oo, f"'{out}' is not a step of the expression",
                           one_of(names), suggest(out, names))
    return out


def _network(b: Built, doc, top: Origin, inputs: list) -> None:
    """Build the network in the one form the file uses."""
    if "layers" in doc:
        build_layers(b, doc["layers"], v.at(doc, "layers", top), inputs)
    elif "edges" in doc:
        from .edges import build_edges

        build_edges(b, doc["neurons"], doc["edges"], v.at(doc, "neurons", top), v.at(doc, "edges", top), inputs)
    else:
        from .equations import build_equations

        build_equations(b, doc["equations"], v.at(doc, "equations", top))
