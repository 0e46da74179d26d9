"""The JSON Schema of the problem format accepts every problems/ file and refuses what the loader refuses."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from problem_files import problem_files

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "backprop_cli" / "schemas" / "problem.schema.json").read_text(encoding="utf-8"))
PROBLEMS = problem_files()


def test_schema_is_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", PROBLEMS, ids=lambda p: p.stem)
def test_every_problem_matches_the_schema(path: Path) -> None:
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), SCHEMA)


@pytest.mark.parametrize("change", [
    {"titel": "typo"},
    {"training": {"learning_rate": "fast"}},
    {"layers": [{"neurons": ["h1"], "activation": "sigmod",
                 "weights": {"orientation": "inputs_by_neurons", "values": [[1]]}}]},
    {"loss": {"type": "squared_error", "reduction": "average"}},
])
def test_schema_refuses_mistakes(change: dict) -> None:
    doc = yaml.safe_load((ROOT / "problems" / "mazur.yaml").read_text(encoding="utf-8"))
    doc.update(change)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, SCHEMA)


def test_schema_lists_every_registry_activation_and_loss() -> None:
    from backprop_cli.formula.registry import names_of

    assert sorted(SCHEMA["$defs"]["activation_name"]["enum"]) == names_of("activation")
    assert sorted(SCHEMA["$defs"]["component"]["properties"]["type"]["enum"]) == names_of("loss")
