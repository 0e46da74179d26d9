"""The JSON Schema of the problem format is generated from load/format.py, and accepts every problems/ file."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from backprop_cli.load.format import json_schema, schema_text
from backprop_cli.load.yamlreader import load_yaml_text

from problem_files import problem_files

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "backprop_cli" / "schemas" / "problem.schema.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
PROBLEMS = problem_files()


def test_the_committed_schema_is_the_generated_one() -> None:
    """To update it: backprop schema -o backprop_cli/schemas/problem.schema.json"""
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text()
    assert SCHEMA == json_schema()


def test_schema_is_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", PROBLEMS, ids=lambda p: p.stem)
def test_every_problem_matches_the_schema(path: Path) -> None:
    jsonschema.validate(load_yaml_text(path.read_text(encoding="utf-8"), str(path)), SCHEMA)


def mazur() -> dict:
    return load_yaml_text((ROOT / "problems" / "mazur.yaml").read_text(encoding="utf-8"), "mazur.yaml")


MISTAKES = {
    "misspelt-key": {"titel": "typo"},
    "string-learning-rate": {"training": {"learning_rate": "fast"}},
    "unknown-activation": {"layers": [{"neurons": ["h1"], "activation": "sigmod",
                                       "weights": {"orientation": "inputs_by_neurons", "values": [[1]]}}]},
    "unknown-reduction": {"loss": {"type": "squared_error", "reduction": "average"}},
    "cross-entropy-factor": {"loss": {"type": "binary_cross_entropy", "factor": 0.5, "reduction": "sum"}},
    "ragged-matrix": {"layers": [{"neurons": ["h1", "h2"], "activation": "sigmoid",
                                  "weights": {"orientation": "inputs_by_neurons", "values": [[1, 2], [3]]}}]},
    "softmax-beside-sigmoid": {"layers": [{"neurons": ["h1", "h2"], "activation": ["softmax", "sigmoid"],
                                           "weights": {"orientation": "inputs_by_neurons",
                                                       "values": [[1, 2], [3, 4]]}}]},
    "activation-parameter-of-another": {"layers": [{"neurons": ["h1"], "activation": {"name": "elu", "slope": 1},
                                                    "weights": {"orientation": "inputs_by_neurons", "values": [[1]]}}]},
    "two-network-forms": {"equations": {"h1": "x"}},
    "symbolic-with-training": {"inputs": ["i1", "i2"], "targets": ["target_o1", "target_o2"],
                               "params": ["b1", "b2"]},
}


@pytest.mark.parametrize("change", MISTAKES.values(), ids=MISTAKES)
def test_schema_refuses_mistakes(change: dict) -> None:
    doc = mazur()
    doc.update(change)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_schema_requires_training_of_a_numeric_network_only() -> None:
    doc = mazur()
    del doc["training"]
    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(doc)
    for k in ("inputs", "targets", "params"):
        doc[k] = list(doc[k])
    jsonschema.validate(doc, SCHEMA)


def test_schema_lists_every_registry_activation_and_loss() -> None:
    from backprop_cli.formula.registry import names_of

    assert SCHEMA["$defs"]["activation_name"]["enum"] == names_of("activation")
    assert SCHEMA["$defs"]["loss_name"]["enum"] == names_of("loss")
