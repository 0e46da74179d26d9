"""Read a problem file: parse, validate once, and return a frozen Problem."""
from __future__ import annotations

from pathlib import Path

from ..errors import Origin, ProblemError, one_of, suggest
from ..formula.tree import Call, Var, free_names
from ..model import CycleError, Param, Problem, node_depths
from . import validate as v
from .builder import Built
from .layers import build_layers  # the other forms are imported when a file uses them
from .loss import build_loss

FORMS = ("layers", "edges", "equations")
from .yamlreader import load_yaml_file, load_yaml_text

TOP_KEYS = ["title", "description", "source", "inputs", "targets", "samples", "params", "layers",
            "neurons", "edges", "equations", "expression", "output", "outputs", "loss", "training", "symbols"]


def load_problem(path: str | Path) -> Problem:
    """Load and validate a problem file."""
    doc, _ = load_yaml_file(path)
    return problem_from_doc(doc, str(path))


def load_problem_text(text: str, file: str = "<string>") -> Problem:
    """Load and validate a problem given as YAML text."""
    return problem_from_doc(load_yaml_text(text, file), file)


def problem_from_doc(doc, file: str) -> Problem:
    """Validate a parsed YAML document into a Problem."""
    top = Origin(file, 1, "")
    if doc is None:
        raise ProblemError(Origin(file, 0, ""), "the file is empty", "a YAML mapping with title, inputs, …")
    if not isinstance(doc, dict):
        raise ProblemError(Origin(file, getattr(doc, "line", 1), ""), f"the file holds {v.type_name(doc)}",
                           "a YAML mapping with title, inputs, …")
    expression = "expression" in doc
    v.keys(doc, top, TOP_KEYS, ["title"] if expression else ["title", "loss"])
    inputs, targets, t_origins = _samples(doc, top)
    params = _params(doc, top)
    numeric = all(inputs.values()) and all(targets.values()) and all(x is not None for x, _ in params.values())
    if not numeric and (any(inputs.values()) or any(targets.values())
                        or any(x is not None for x, _ in params.values())):
        raise ProblemError(top, "some names have values and others do not",
                           "numbers for every input, target and parameter, or names only (a symbolic problem)")
    # The values in params: come first, so Built.param checks each later value of a parameter against them.
    built = Built(values={k: (x, o) for k, (x, o) in params.items() if x is not None})
    if expression:
        built, loss_name = _expression(built, doc, top, list(inputs))
        outputs, batch = [], "mean"
    else:
        _network(built, doc, top, list(inputs))
        outputs, loss_nodes, loss_name, batch = build_loss(doc["loss"], v.at(doc, "loss", top), doc, top,
                                                           built, targets, t_origins)
        for n in loss_nodes:
            built.add_node(n.name, n.formula, n.origin, n.role)
    nodes = _order(built, inputs, targets, params, top)
    param_objs = _merge_params(built, params, top, numeric)
    lr, frozen = _training(doc, top, param_objs, required=numeric and not expression)
    symbols = {}
    if "symbols" in doc:
        so = v.at(doc, "symbols", top)
        for k, tex in v.mapping(doc["symbols"], so).items():
            symbols[k] = v.text(tex, v.at(doc["symbols"], k, so))
    origins = {n.name: n.origin for n in nodes}
    origins.update({p.name: p.origin for p in param_objs.values()})
    return Problem(
        file=file, title=v.text(doc["title"], v.at(doc, "title", top)),
        description=v.text(doc.get("description", ""), v.at(doc, "description", top)).strip(),
        source=v.text(doc.get("source", ""), v.at(doc, "source", top)),
        inputs=inputs, targets=targets, params=param_objs, nodes=tuple(nodes), outputs=tuple(outputs),
        loss=loss_name, batch=batch, learning_rate=lr, frozen=frozenset(frozen), layers=tuple(built.layers),
        symbols=symbols, origins=origins, kind="expression" if expression else "network", definitions=tuple(built.definitions))


def _training(doc, top: Origin, params: dict, required: bool) -> tuple[float | None, list]:
    """The learning rate (None when nothing is updated) and the frozen parameters."""
    if "training" not in doc:
        if required:
            raise ProblemError(top.child("training", 1), "missing required key", "'training' in the top level")
        return None, []
    to = v.at(doc, "training", top)
    if not required:
        raise ProblemError(to, "nothing to train", "no training section in an expression or symbolic problem")
    training = v.mapping(doc["training"], to)
    v.keys(training, to, ["learning_rate", "frozen"], ["learning_rate"])
    lr = v.number(training["learning_rate"], v.at(training, "learning_rate", to))
    if lr < 0:
        raise ProblemError(v.at(training, "learning_rate", to), f"negative learning rate {lr:g}",
                           "a number ≥ 0: gradient descent subtracts η times the gradient")
    frozen = []
    if "frozen" in training:
        fo = v.at(training, "frozen", to)
        for k, p in enumerate(v.listing(training["frozen"], fo, "a list of parameter names")):
            po = v.at(training["frozen"], k, fo)
            if v.name(p, po) not in params:
                raise ProblemError(po, f"'{p}' is not a parameter", one_of(params), suggest(p, params))
            frozen.append(p)
    return lr, frozen


def _expression(built: Built, doc, top: Origin, inputs: list) -> tuple[Built, str]:
    for k in ("loss", "outputs", "layers", "neurons", "edges", "equations"):
        if k in doc:
            raise ProblemError(v.at(doc, k, top), f"'{k}' does not belong in an expression problem",
                               "inputs, expression and optionally output")
    from .expression import build_expression

    built, last = build_expression(built, doc["expression"], v.at(doc, "expression", top), inputs)
    if "output" not in doc:
        return built, last
    oo = v.at(doc, "output", top)
    names = [n.name for n in built.nodes]
    out = v.name(doc["output"], oo)
    if out not in names:
        raise ProblemError(oo, f"'{out}' is not a step of the expression", one_of(names), suggest(out, names))
    return built, out


def _values(m, origin: Origin, what: str) -> dict:
    if isinstance(m, list):  # names only: a symbolic problem
        return {v.name(k, v.at(m, i, origin)): None for i, k in enumerate(m)}
    v.mapping(m, origin, f"a mapping of {what} names to numbers, or a list of names")
    return {v.name(k, v.at(m, k, origin)): v.number(x, v.at(m, k, origin)) for k, x in m.items()}


def _samples(doc, top: Origin) -> tuple[dict, dict, dict]:
    """Inputs and targets, name -> tuple per sample; also target origins per (name, sample)."""
    if "samples" in doc:
        for k in ("inputs", "targets"):
            if k in doc:
                raise ProblemError(v.at(doc, k, top), f"'{k}' given beside 'samples'",
                                   "either inputs and targets, or samples")
        so = v.at(doc, "samples", top)
        rows = v.listing(doc["samples"], so, "a list of {inputs, targets}")
        if not rows:
            raise ProblemError(so, "no samples", "at least one sample")
        entries = []
        for k, row in enumerate(rows):
            ro = v.at(rows, k, so)
            v.mapping(row, ro, "a mapping with inputs and targets")
            v.keys(row, ro, ["inputs", "targets"], ["inputs"])
            entries.append((row, ro))
    else:
        entries = [(doc, top)]
    inputs: dict = {}
    targets: dict = {}
    t_origins: dict = {}
    for s, (row, ro) in enumerate(entries):
        for key, store in (("inputs", inputs), ("targets", targets)):
            if key not in row:
                if store:
                    raise ProblemError(ro.child(key, ro.line), f"sample {s + 1} has no {key}",
                                       f"the same {key} in every sample")
                continue
            ko = v.at(row, key, ro)
            values = _values(row.get(key, {}), ko, key[:-1])
            if s > 0 and set(values) != set(store):
                raise ProblemError(ko, f"sample {s + 1} has {key} {', '.join(values)} but sample 1 has "
                                       f"{', '.join(store)}", f"the same {key[:-1]} names in every sample")
            for name, x in values.items():
                store.setdefault(name, [])
                if x is not None:
                    store[name].append(x)
                if key == "targets" and x is not None:
                    t_origins[(name, s)] = v.at(row[key], name, ko)
    for name in inputs:
        if name in targets:
            raise ProblemError(t_origins[(name, 0)], f"'{name}' is both an input and a target", "distinct names")
    return ({k: tuple(x) for k, x in inputs.items()}, {k: tuple(x) for k, x in targets.items()}, t_origins)


def _params(doc, top: Origin) -> dict:
    if "params" not in doc:
        return {}
    po = v.at(doc, "params", top)
    return {k: (x, v.at(doc["params"], k, po)) for k, x in _values(doc["params"], po, "parameter").items()}


def _network(b: Built, doc, top: Origin, inputs: list) -> Built:
    present = [k for k in FORMS if k in doc]
    if "neurons" in doc and "edges" not in doc:
        raise ProblemError(v.at(doc, "neurons", top), "'neurons' without 'edges'", "edges: {w1: x1 -> h1 = 0.5}")
    if len(present) != 1:
        where = v.at(doc, present[1], top) if len(present) > 1 else Origin(top.file, 1, "")
        raise ProblemError(where, "a network must be written one way" if present else "no network",
                           "exactly one of layers, edges (with neurons), or equations")
    form = present[0]
    if form == "layers":
        return build_layers(b, doc["layers"], v.at(doc, "layers", top), inputs)
    if form == "edges":
        if "neurons" not in doc:
            raise ProblemError(v.at(doc, "edges", top), "'edges' without 'neurons'",
                               "neurons: {h1: {activation: sigmoid}}")
        from .edges import build_edges

        return build_edges(b, doc["neurons"], doc["edges"], v.at(doc, "neurons", top), v.at(doc, "edges", top),
                           inputs)
    from .equations import build_equations

    return build_equations(b, doc["equations"], v.at(doc, "equations", top))


def _merge_params(built: Built, params: dict, top: Origin, numeric: bool) -> dict:
    """One Param per name: values from params: or inline, uses from the network."""
    used = set(built.uses) | {n for node in built.nodes for n in free_names(node.formula) if n in params}
    out = {}
    # Parameters in the order the network first uses them: w1, w2, b1, w3 … as a hand solution lists them.
    first_use = [r for node in built.nodes for r in free_names(node.formula)]
    names = [r for r in dict.fromkeys([*first_use, *params, *built.values, *built.uses])
             if r in params or r in built.values or r in built.uses]
    for name in names:
        source = built.values.get(name) or params.get(name)  # params: holds (None, origin) in a symbolic problem
        if source is None and not numeric:
            source = (None, built_origin(built, name) or top)
        if source is None:
            raise ProblemError(built_origin(built, name) or top, f"parameter '{name}' has no value",
                               f"a value in params: ({name}: 0.5) or on its edge")
        if name not in used:
            raise ProblemError(source[1], f"parameter '{name}' is not used anywhere",
                               "every parameter to appear in the network or loss")
        uses = built.uses.get(name) or [u for n in built.nodes if name in free_names(n.formula)
                                        for u in _uses_in(n, name)]
        out[name] = Param(name, source[0], source[1], tuple(uses))
    return out


def _uses_in(node, name: str) -> list:
    """What a parameter weights inside one formula: (x, h1) for w·x in h1's sum, ("1", h1) for a bias."""
    target = node.neuron or node.name
    terms = node.formula.args if isinstance(node.formula, Call) and node.formula.fn == "add" else (node.formula,)
    uses = []
    for term in terms:
        if term == Var(name):
            uses.append(("1", target))
        elif isinstance(term, Call) and term.fn == "mul" and len(term.args) == 2 and Var(name) in term.args:
            other = term.args[1] if term.args[0] == Var(name) else term.args[0]
            uses.append((other.name if isinstance(other, Var) else "", target))
        elif name in free_names(term):
            uses.append(("", target))
    return uses


def built_origin(built: Built, name: str) -> Origin | None:
    """The origin of the first node that uses a name."""
    return next((n.origin for n in built.nodes if name in free_names(n.formula)), None)


def _user_names(cycle: list, nodes: dict) -> list:
    """A cycle as the user wrote it: a z node made for h1 = sigmoid(…) is shown as h1, once."""
    shown: list = []
    for name in cycle:
        n = nodes[name]
        made = n.role == "z" and n.neuron not in (None, name) and n.origin.path.endswith(f".{n.neuron}")
        if not (made and shown and shown[-1] == n.neuron):
            shown.append(n.neuron if made else name)
    return shown


def _order(built: Built, inputs: dict, targets: dict, params: dict, top: Origin) -> list:
    """Nodes in evaluation order; undefined names and cycles are errors."""
    nodes = {n.name: n for n in built.nodes}  # distinct: Built.add_node refuses a name twice
    for n in built.nodes:
        if n.name in inputs or n.name in targets or n.name in params or n.name in built.values \
                or n.name in built.uses:
            raise ProblemError(n.origin, f"name '{n.name}' is defined twice", "each name defined once")
    leaves = set(inputs) | set(targets) | set(params) | set(built.values) | set(built.uses)
    known = leaves | set(nodes)
    for n in built.nodes:
        for ref in free_names(n.formula):
            if ref not in known:
                raise ProblemError(n.origin, f"'{ref}' is not defined",
                                   "an input, target, parameter or node name", suggest(ref, known))
    try:
        return [nodes[name] for name in node_depths(built.nodes)]  # node_depths lists them in evaluation order
    except CycleError as exc:
        raise ProblemError(nodes[exc.cycle[0]].origin, f"cycle: {' -> '.join(_user_names(list(exc.cycle), nodes))}",
                           "formulas without cycles") from None
