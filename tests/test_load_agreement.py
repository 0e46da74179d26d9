"""The loader and the generated JSON Schema agree on every problem document the tests hold.

Each document is read by the line-aware YAML reader (text it refuses is not a document) and
then judged twice: by load/document.problem_from_doc and by jsonschema against
backprop_cli/schemas/problem.schema.json. They must agree on accept or refuse, except where the
loader's error is a BeyondSchema, one of the checks imperative.CHECKS declares the schema cannot
make (names defined elsewhere, shapes that follow another part, formulas).
"""
from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import test_cli_errors as errors
import test_engine_numerics
import test_engine_symbolic
import test_load_expression

from backprop_cli.errors import ProblemError
from backprop_cli.load import imperative
from backprop_cli.load.document import problem_from_doc
from backprop_cli.load.imperative import BeyondSchema
from backprop_cli.load.yamlreader import LineDict, LineList, load_yaml_text

from problem_files import BATCH, problem_files

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "backprop_cli" / "schemas" / "problem.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
NET, EQ, EDGES, edit, drop = errors.NET, errors.EQ, errors.EDGES, errors.edit, errors.drop
SYMBOLIC_NET = edit(drop(NET, "training:", "learning_rate:"), "inputs: {x1: 0.5}", "inputs: [x1]",
                    "targets: {y: 1}", "targets: [y]", "params: {b: 0.1}", "params: [b]")

# Documents written for this test: each rule of load/format.py, kept and broken.
OWN = {
    "cross-entropy-factor": edit(NET, "type: squared_error", "type: binary_cross_entropy"),
    "categorical-factor": edit(NET, "type: squared_error", "type: categorical_cross_entropy"),
    "ragged-matrix": edit(NET, "values: [[0.1]]", "values: [[0.1], [0.2, 0.3]]"),
    "ragged-names": edit(NET, "values: [[0.1]]", "values: [[0.1]]\n      names: [[a], [b, c]]"),
    "names-matrix": edit(NET, "values: [[0.1]]", "values: [[0.1]]\n      names: [[w]]"),
    "names-template": edit(NET, "values: [[0.1]]", "values: [[0.1]]\n      names: v{i}{j}"),
    "unknown-output": edit(NET, "outputs: {h1: y}", "outputs: {h1: y, h9: y}"),
    "symbolic": SYMBOLIC_NET,
    "symbolic-with-training": SYMBOLIC_NET + "training: {learning_rate: 0.5}\n",
    "symbolic-and-numbers": edit(SYMBOLIC_NET, "params: [b]", "params: {b: 0.1}"),
    "empty-lists-are-numeric": edit(drop(NET, "training:", "learning_rate:"), "params: {b: 0.1}", "params: []"),
    "expression-with-training": "title: t\ninputs: {x: 1}\nexpression: x*2\ntraining: {learning_rate: 1}\n",
    "expression-with-loss": "title: t\ninputs: {x: 1}\nexpression: x*2\nloss: {formula: x}\n",
    "expression-empty-mapping": "title: t\ninputs: {x: 1}\nexpression: {}\n",
    "expression-two-key-step": "title: t\ninputs: {x: 1}\nexpression: [{a: x, b: x}]\n",
    "expression-number": "title: t\ninputs: {x: 1}\nexpression: 5\n",
    "expression-output": "title: t\ninputs: {x: 1}\nexpression: [q = x*2, f = q + 1]\noutput: q\n",
    "samples-of-names": errors.edit(errors.BATCH, "  - inputs: {x1: 1.0}", "  - inputs: [x1]"),
    "sum-of-losses": edit(drop(NET, *errors.LOSS_LINES), "loss:",
                          "loss:\n  sum:\n    - {type: squared_error, factor: 1, reduction: sum, weight: 2}"),
    "empty-sum": edit(drop(NET, *errors.LOSS_LINES), "loss:", "loss:\n  sum: []"),
    "weight-outside-a-sum": edit(NET, "reduction: sum", "reduction: sum\n  weight: 2"),
    "two-loss-forms": edit(NET, "reduction: sum", "reduction: sum\n  formula: h1"),
    "formula-loss-without-outputs": edit(drop(NET, "outputs:", *errors.LOSS_LINES), "loss:",
                                         "loss:\n  formula: (h1 - y)^2"),
    "softmax-beside-tanh": edit(NET, "activation: sigmoid", "activation: [softmax, tanh]"),
    "activation-per-neuron": edit(NET, "activation: sigmoid", "activation: [{name: leaky_relu, slope: 0.2}]"),
    "activation-per-neuron-count": edit(NET, "activation: sigmoid", "activation: [tanh, tanh]"),
    "elu-with-slope": edit(NET, "activation: sigmoid", "activation: {name: elu, slope: 0.2}"),
    "activation-without-name": edit(NET, "activation: sigmoid", "activation: {slope: 0.2}"),
    "tied-edges": test_engine_numerics.TIED_EDGES,
    "edge-value-not-a-number": edit(EDGES, "x1 -> h1 = 0.1", "x1 -> h1 = abc"),
    "edge-value-nan": edit(EDGES, "x1 -> h1 = 0.1", "x1 -> h1 = nan"),
    "edge-of-a-number": edit(EDGES, "w1: x1 -> h1 = 0.1", "w1: 5"),
    "softmax-group": edit(EDGES, "o1: {activation: sigmoid}", "o1: {activation: softmax, group: 1}"),
    "neurons-without-edges": drop(EDGES, "edges:", "w1:", "w2:", "w3:"),
    "number-title": edit(NET, "title: tiny network", "title: 2024"),
    "symbols": NET + "symbols: {x1: 'x_1', b: 2}\n",
    "output-in-a-network": NET + "output: h1\n",
    "nan-learning-rate": edit(NET, "learning_rate: 0.5", "learning_rate: .nan"),
    "huge-integer": edit(NET, "x1: 0.5", "x1: " + "9" * 350),
    "equations-with-empty-outputs": edit(EQ, "outputs: {o1: y}", "outputs: {}"),
    "neuron-without-inputs-or-bias": edit(drop(NET, "bias: b", "params:"), "  - neurons: [h1]",
                                          "  - neurons: [h1]\n    inputs: []", "values: [[0.1]]", "values: []"),
}


def documents() -> dict:
    """Every problem text the tests hold, by a readable id."""
    docs = {f"problems/{p.name}": p.read_text(encoding="utf-8") for p in problem_files()}
    docs.update({f"errors-base-{k}": text for k, text in errors.BASES.items()})
    docs.update({f"errors-{case.id}": case.values[0] for case in errors.CASES})
    docs["problem_files-BATCH"] = BATCH
    docs.update({f"numerics-batch-{b}": test_engine_numerics.BATCH.format(batch=b) for b in ("mean", "sum")})
    docs["numerics-bce"] = test_engine_numerics.equation_problem("sigmoid(w*x)", 0.3)
    docs["numerics-squared"] = test_engine_numerics.equation_problem("w/x", 1, loss="type: squared_error, factor: 1")
    docs["symbolic-numeric-instance"] = test_engine_symbolic._numeric_instance(np.random.default_rng(0))
    env = {"x": test_load_expression.X, "y": test_load_expression.Y}
    for formula, *_ in [*test_load_expression.OPERATIONS, *test_load_expression.REFUSED, *test_load_expression.SYNTAX]:
        docs[f"expression-{formula}"] = test_load_expression.doc(env, {"f": formula})
    for inputs, expression, message in test_load_expression.DOMAIN:
        docs[f"expression-domain-{message}"] = test_load_expression.doc(inputs, expression)
    docs.update({f"own-{k}": text for k, text in OWN.items()})
    return docs


DOCUMENTS = documents()


def loader_verdict(doc) -> str:
    """accept, refuse, or beyond (refused by a check the schema cannot make)."""
    try:
        problem_from_doc(doc, "doc.yaml")
    except BeyondSchema as exc:
        assert exc.check in imperative.CHECKS
        return "beyond"
    except ProblemError:
        return "refuse"
    return "accept"


@pytest.mark.parametrize("text", DOCUMENTS.values(), ids=DOCUMENTS)
def test_loader_and_schema_agree(text: str) -> None:
    try:
        doc = load_yaml_text(text, "doc.yaml")
    except ProblemError:
        pytest.skip("not a YAML document: the reader refuses it before either judges it")
    verdict = loader_verdict(doc)
    if verdict == "beyond":
        return
    errors_found = [e.message for e in VALIDATOR.iter_errors(doc)]
    assert (verdict == "accept") == (not errors_found), (verdict, errors_found)


def test_the_documents_cover_every_verdict() -> None:
    """So the agreement above is tested on accepted, refused and beyond-the-schema documents alike."""
    verdicts: dict = {}
    for text in DOCUMENTS.values():
        try:
            doc = load_yaml_text(text, "doc.yaml")
        except ProblemError:
            continue
        verdicts.setdefault(loader_verdict(doc), []).append(text)
    assert {k: len(v) > 10 for k, v in verdicts.items()} == {"accept": True, "refuse": True, "beyond": True}


def test_the_four_known_disagreements_are_refused_by_both() -> None:
    """Issue 9: a missing training, a cross-entropy factor and a ragged matrix now fail the schema too."""
    for text in (errors.drop(NET, "training:", "learning_rate:"), OWN["cross-entropy-factor"], OWN["ragged-matrix"]):
        doc = load_yaml_text(text, "doc.yaml")
        assert loader_verdict(doc) == "refuse"
        assert not VALIDATOR.is_valid(doc)
    assert loader_verdict(load_yaml_text(OWN["unknown-output"], "doc.yaml")) == "beyond"  # a cross-reference


def test_every_declared_check_is_made_by_the_loader() -> None:
    """No entry of imperative.CHECKS is left without code that raises it."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "backprop_cli" / "load").glob("*.py")
                       if p.name != "imperative.py")
    assert [k for k in imperative.CHECKS if f'"{k}"' not in source] == []


# Values and keys a mutation may put anywhere: the words, shapes and mistakes the format cares about.
ODD_VALUES = [None, True, 0, 1.5, -2, "x", "sigmoid", "softmax", "sum", "squared_error", "binary_cross_entropy", [],
              ["a"], {}, {"name": "elu"}, [[1.0]], [[1.0, 2.0], [3.0]], "h1 -> o1", "q = x + 1", float("nan"), 1e7]
KEYS = ["title", "inputs", "targets", "samples", "params", "layers", "neurons", "edges", "equations", "expression",
        "output", "outputs", "loss", "training", "type", "factor", "reduction", "sum", "formula", "weight",
        "terms", "learning_rate", "frozen", "z", "bias", "activation", "weights", "values", "names", "slope"]


def _places(x, path=()):
    """Every path into a document, the document itself first."""
    yield path
    items = x.items() if isinstance(x, dict) else enumerate(x) if isinstance(x, list) else ()
    for k, y in items:
        yield from _places(y, (*path, k))


def _at(x, path):
    for k in path:
        x = x[k]
    return x


def _mutated(doc, donors: list, rng: random.Random):
    """doc with one value deleted, replaced (by an odd value or a part of another document) or added."""
    doc = copy.deepcopy(doc)
    path = rng.choice(list(_places(doc))[1:])
    parent, key, op = _at(doc, path[:-1]), path[-1], rng.random()
    if op < 0.3 and isinstance(parent, dict):
        del parent[key]
    elif op < 0.45 and isinstance(parent, dict):
        parent[rng.choice(KEYS)] = copy.deepcopy(rng.choice(ODD_VALUES))
    elif op < 0.75:
        donor = rng.choice(donors)
        parent[key] = copy.deepcopy(_at(donor, rng.choice(list(_places(donor)))))
    else:
        parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
    return _with_lines(doc)


def _with_lines(x):
    """Plain dicts and lists made LineDicts and LineLists again, as the loader reads them."""
    if isinstance(x, dict):
        out = LineDict((k, _with_lines(y)) for k, y in x.items())
        out.line, out.key_lines = getattr(x, "line", 1), dict(getattr(x, "key_lines", {}))
        return out
    if isinstance(x, list):
        items = LineList(_with_lines(y) for y in x)
        items.line, items.item_lines = getattr(x, "line", 1), list(getattr(x, "item_lines", []))[:len(items)]
        return items
    return x


def test_mutated_documents_agree() -> None:
    """Random small mistakes in the accepted documents: the loader and the schema still agree on each."""
    valid = []
    for text in DOCUMENTS.values():
        try:
            doc = load_yaml_text(text, "doc.yaml")
        except ProblemError:
            continue
        if loader_verdict(doc) == "accept":
            valid.append(doc)
    rng = random.Random(9)
    disagreements, verdicts = [], set()
    for _ in range(600):
        doc = rng.choice(valid)
        for _ in range(rng.randint(1, 3)):
            doc = _mutated(doc, valid, rng)
        verdict = loader_verdict(doc)
        verdicts.add(verdict)
        if verdict != "beyond" and (verdict == "accept") != VALIDATOR.is_valid(doc):
            disagreements.append((verdict, doc))
    assert verdicts == {"accept", "refuse", "beyond"}
    assert disagreements == []
