"""The problem format, declared once: every section, its keys, their kinds and which go together.

The loader checks each document against PROBLEM before it builds anything, with the exact
messages tests/test_cli_errors.py pins; json_schema() writes the same declaration as the JSON Schema
editors validate with. Regenerate the committed schema after a change here:

    backprop schema -o backprop_cli/schemas/problem.schema.json

What JSON Schema cannot say (names defined elsewhere, shapes that follow another part, formulas)
the loader checks in code and marks: see imperative.CHECKS.
"""
from __future__ import annotations

from ..formula.registry import REGISTRY, names_of
from .compound import Either, ListOf, MapOf, Mapping, Parameters, SingleEntry, Variants
from .conditions import (
    AllOf,
    AnyOf,
    Called,
    Contains,
    Has,
    In,
    Inside,
    Named,
    NonEmpty,
    Not,
)
from .coursework import declarations
from .rules import AllOrNone, OneKey, Refuse, Require, RowsAlike
from .spec import Choice, Defined, Formula, Name, Number, Pattern, String, Text
from .training import TRAINING

ORIENTATIONS = ("inputs_by_neurons", "neurons_by_inputs")
REDUCTIONS = ("sum", "mean")
NETWORK_FORMS = ("layers", "edges", "equations")

NAME = Defined("name", Name())
NUMBER = Defined("number", Number())
TEXT = Text()
FORMULA = Defined("formula", Formula())
ACTIVATION_NAME = Defined("activation_name", Choice(lambda: names_of("activation"), "activation"))
ACTIVATION = Defined("activation", Either(((dict, Parameters(ACTIVATION_NAME, NUMBER)),), otherwise=ACTIVATION_NAME))
EDGE = Pattern(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*->\s*([A-Za-z][A-Za-z0-9_]*)\s*(?:=\s*(\S+))?\s*$",
               "cannot read edge {value!r}", "'from -> to' or 'from -> to = value'")
STEP = Pattern(r"^\s*([A-Za-z][A-Za-z0-9_]*)\s*=(?!=)\s*([\s\S]+)$",
               "cannot read step {value!r}", "'name = formula', e.g. 'q = x + y'")
_NO_STEPS = ("no steps", "at least one 'name = formula'")


def _given(what: str) -> Either:
    return Either(((list, ListOf(NAME)), (dict, MapOf(NAME, NUMBER))),
                  what=f"a mapping of {what} names to numbers, or a list of names")


SAMPLE = Mapping({"inputs": MapOf(NAME, NUMBER, "a mapping of input names to numbers"),
                  "targets": MapOf(NAME, NUMBER, "a mapping of target names to numbers")},
                 required=("inputs",), what="a mapping with inputs and targets")

WEIGHTS = Mapping({
    "orientation": Choice(ORIENTATIONS, "orientation"),
    "values": ListOf(ListOf(NUMBER, "a row: a matrix is a list of rows, each a list of numbers"),
                     "a matrix (a list of rows)", rules=(RowsAlike(),)),
    "names": Either(((list, ListOf(ListOf(NAME, "a row: a matrix is a list of rows, each a list of names"))),),
                    otherwise=TEXT),
}, required=("orientation", "values"), what="a mapping with orientation and values",
    docs={"orientation": "inputs_by_neurons: rows are inputs, columns are neurons; neurons_by_inputs: the transpose.",
          "names": "A matrix of names like values, or a template using {layer}, {i} and {j} "
                   "(default w{layer}_{i}_{j})."})

LAYER = Mapping({
    "name": TEXT,
    "neurons": ListOf(Either(((dict, Mapping({"z": NAME, "a": NAME}, required=("z", "a"))),), otherwise=NAME),
                      "a list of neuron names"),
    "inputs": ListOf(NAME),
    "activation": Either(((list, ListOf(ACTIVATION, rules=(AllOrNone(
        Named("softmax"), "softmax mixed with other activations in one layer", "softmax for the whole layer"),))),),
        otherwise=ACTIVATION),
    "weights": WEIGHTS,
    "bias": Either(((list, ListOf(NAME)),), otherwise=NAME),
}, required=("neurons", "activation", "weights"), docs={
    "neurons": "{z, a} names, or a name n (then z is z_n).",
    "inputs": "Default: the previous layer, or all inputs in order.",
    "activation": "One for the layer, or one per neuron.",
    "bias": "One shared parameter name, or one name per neuron; values come from params."})

NEURON = Mapping({"activation": ACTIVATION, "z": NAME, "bias": NAME, "group": TEXT}, required=("activation",),
                 what="a mapping with activation, and optionally z, bias and group",
                 docs={"group": "Softmax neurons of one group form one softmax (default: all of them)."})

EXPRESSION = Either((
    (str, String()),
    (dict, MapOf(NAME, FORMULA, min_items=1, too_few=_NO_STEPS)),
    (list, ListOf(Either(((dict, SingleEntry(NAME, FORMULA, STEP.message, STEP.expected)),), otherwise=STEP),
                  min_items=1, too_few=_NO_STEPS)),
), what="a formula, a mapping of name: formula, or a list of 'name = formula'")

_NAMED = {"name": NAME, "batch": Choice(REDUCTIONS, "batch reduction")}
_ASCENT = "a number ≥ 0, as the learning rate: a negative {} turns gradient descent into ascent"
_COMPONENT = {"type": Defined("loss_name", Choice(lambda: names_of("loss"), "loss")),
              "factor": Number(0, "negative factor {value:g}", _ASCENT.format("factor")),
              "reduction": Choice(REDUCTIONS, "reduction"),
              "terms": ListOf(NAME, "a list of term names, one per output")}
_FACTOR = (Require("factor", In("type", ("squared_error",)), "factor: 0.5 or 1, the constant in front of (ŷ − y)²"),
           Refuse(In("type", lambda: [n for n in names_of("loss") if "factor" not in dict(REGISTRY[n].params)]),
                  "{type} takes no factor", "no factor key", at="factor"))
_LOSS_DOCS = {"name": "Default L.", "batch": "Over the samples of a batch (default mean).",
              "factor": "squared_error only: factor·(ŷ − y)².", "reduction": "Over the outputs.",
              "terms": "Names of the per-output terms (default L_<output>)."}
LOSS = Variants({
    "type": Mapping({**_NAMED, **_COMPONENT}, required=("type", "reduction"), rules=_FACTOR, docs=_LOSS_DOCS),
    "sum": Mapping({**_NAMED, "sum": ListOf(
        Defined("loss_component", Mapping({**_COMPONENT, "weight": Number(0, "negative weight {value:g}",
                                                                          _ASCENT.format("weight"))},
                                          required=("type", "reduction"),
                                          rules=_FACTOR, docs=_LOSS_DOCS)),
        "a list of losses, each with a weight", min_items=1, too_few=("empty sum of losses", "at least one loss"))},
        required=("sum",), docs={**_LOSS_DOCS, "sum": "A weighted sum of built-in losses."}),
    "formula": Mapping({**_NAMED, "formula": FORMULA}, required=("formula",),
                       docs={**_LOSS_DOCS, "formula": "Any formula over nodes and targets."}),
}, what="a mapping with type, or sum, or formula", many="the loss must be given one way", none="no loss given",
    expected="exactly one of type, sum or formula")

_GIVEN = ("inputs", "targets", "params")
EXPRESSION_PROBLEM = Called("expression_problem", Has("expression"))
SYMBOLIC = Called("symbolic", AnyOf(tuple(NonEmpty(k, list) for k in _GIVEN)))  # names without numbers
_NUMBERS = AnyOf((*(NonEmpty(k, dict) for k in _GIVEN),
                  Contains("samples", AnyOf((NonEmpty("inputs", dict), NonEmpty("targets", dict))))))
_NOTHING_TO_TRAIN = AnyOf((EXPRESSION_PROBLEM, SYMBOLIC))
_SAMPLES_INSTEAD = "either inputs and targets, or samples"

RULES = (
    Refuse(Has("samples"), "'inputs' given beside 'samples'", _SAMPLES_INSTEAD, at="inputs"),
    Refuse(Has("samples"), "'targets' given beside 'samples'", _SAMPLES_INSTEAD, at="targets"),
    Require("loss", Not(EXPRESSION_PROBLEM)),
    Refuse(AllOf((SYMBOLIC, _NUMBERS)), "some names have values and others do not",
           "numbers for every input, target and parameter, or names only (a symbolic problem)"),
    *(Refuse(EXPRESSION_PROBLEM, f"'{k}' does not belong in an expression problem",
             "inputs, expression and optionally output", at=k)
      for k in ("loss", "outputs", "layers", "neurons", "edges", "equations")),
    Refuse(Not(Has("edges")), "'neurons' without 'edges'", "edges: {w1: x1 -> h1 = 0.5}", at="neurons"),
    OneKey(NETWORK_FORMS, "a network must be written one way", "no network",
           "exactly one of layers, edges (with neurons), or equations", when=Not(EXPRESSION_PROBLEM)),
    Refuse(Not(Has("neurons")), "'edges' without 'neurons'", "neurons: {h1: {activation: sigmoid}}", at="edges"),
    Require("outputs", Inside("loss", AnyOf((Has("type"), Has("sum")))),
            "outputs: a mapping of each output node to its target name"),
    Refuse(_NOTHING_TO_TRAIN, "nothing to train", "no training section in an expression or symbolic problem",
           at="training"),
    Require("training", Not(_NOTHING_TO_TRAIN)),
)

VARY, ASK, VARIANT = declarations(NAME, NUMBER, TEXT)  # course work: load/coursework.py
COURSE_RULES = (
    Refuse(SYMBOLIC, "nothing to vary in a symbolic problem", "numbers for the inputs, targets and parameters",
           at="vary"),
)

PROBLEM = Mapping({
    "title": TEXT, "description": TEXT, "source": TEXT,
    "inputs": _given("input"), "targets": _given("target"),
    "samples": ListOf(SAMPLE, "a list of {inputs, targets}", min_items=1,
                      too_few=("no samples", "at least one sample")),
    "params": _given("parameter"),
    "layers": ListOf(LAYER),
    "neurons": MapOf(NAME, NEURON),
    "edges": MapOf(NAME, Either(((list, ListOf(EDGE)),), otherwise=EDGE)),
    "equations": MapOf(NAME, FORMULA, "a mapping of name: formula"),
    "expression": EXPRESSION,
    "output": Either(((int, Number(1, "step {value:g} does not exist", "a step number from 1")),
                      (str, Pattern(r"^[A-Za-z][A-Za-z0-9_]*'*$", "invalid step name {value!r}",
                                    "a step's name, such as c, or c' for the value c had after c = c + 1"))),
                     what="a step's name or number"),
    "outputs": MapOf(NAME, NAME, "a mapping of output node to target name"),
    "loss": LOSS,
    "training": TRAINING,
    "symbols": MapOf(None, TEXT),
    "vary": VARY,
    "ask": ASK,
    "variant": VARIANT,
}, required=("title",), rules=(*RULES, *COURSE_RULES), docs={
    "title": "The problem's title.",
    "description": "Free text shown under the title.",
    "source": "The document the problem comes from.",
    "inputs": "Input name to number (one sample), or a list of names (symbolic).",
    "targets": "Target name to number (one sample), or a list of names (symbolic).",
    "samples": "A batch: a list of {inputs, targets}, the same names in each; replaces inputs and targets.",
    "params": "Parameter name to value, or a list of names (symbolic).",
    "layers": "The network as dense layers.",
    "neurons": "For named edges: each neuron by the name of its activation.",
    "edges": "Parameter name to 'from -> to = value', or a list of them for a tied parameter.",
    "equations": "The network as one formula per node.",
    "expression": "A formula, a mapping of name to formula, or a list of 'name = formula' steps.",
    "output": "The expression step to differentiate (default: the last): a name means its latest value "
              "(c after c = c + 1 is the new c), c' names an earlier one exactly, and a number the k-th step.",
    "outputs": "Output node to target name.",
    "loss": "The loss, with its normalisation spelled out.",
    "training": "learning_rate, and optionally steps or epochs, the optimizer, frozen parameters and the steps "
                "shown; not in a symbolic or expression problem.",
    "symbols": "Name to the LaTeX used for it in exports.",
    "vary": "For backprop variants: input, target or parameter name to how it is drawn, {range: [low, high], "
            "decimals, nonzero} or {choices: [numbers]}.",
    "ask": "For Moodle and Canvas exports: the quantities to ask for, named as in an answer key (default: every "
           "gradient of a parameter and every updated parameter).",
    "variant": "Written by backprop variants: the seed and index a variant was drawn with.",
})


def json_schema() -> dict:
    """PROBLEM as a JSON Schema (draft 2020-12) for editors."""
    from ..meta import schema_url  # the repository's raw URL of the committed file, from pyproject.toml

    defs: dict = {}
    body = PROBLEM.schema(defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_url(),
        "title": "backprop-cli problem file",
        "description": "A small network, or a scalar expression, to be solved step by step by `backprop solve`. "
                       "Generated from backprop_cli/load/format.py (backprop schema); the "
                       "README's 'The problem format' section is the reference. Names defined elsewhere, shapes "
                       "that follow another part and formulas are checked by the loader alone.",
        **body,
        "$defs": defs,
    }


def schema_text() -> str:
    """The committed schema file's text: JSON, each value on one line where it fits in 110 columns."""
    return _dump(json_schema(), 0) + "\n"


def _dump(value, indent: int, prefix: int = 0) -> str:
    """value as JSON starting at column indent + prefix; a container that does not fit spreads over lines."""
    import json  # only the schema generator needs it, not loading a problem
    flat = json.dumps(value, ensure_ascii=False)
    if indent + prefix + len(flat) <= 110 or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, list):
        inner = [pad + _dump(x, indent + 2) for x in value]
    else:
        inner = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {_dump(x, indent + 2, len(k) + 4)}"
                 for k, x in value.items()]
    return ("[" if isinstance(value, list) else "{") + "\n" + ",\n".join(inner) + "\n" + " " * indent \
        + ("]" if isinstance(value, list) else "}")
