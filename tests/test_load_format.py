"""Messages of the checks load/format.py added or changed, pinned like tests/test_cli_errors.py's.

Each was an internal error (a traceback), a confusing message, or a file the loader took
while the schema refused it; each case is one mistake in one of test_cli_errors' small problems.
"""
from __future__ import annotations

import pytest
from test_cli_errors import (
    BATCH,
    EQ,
    FILE,
    LOSS_LINES,
    NET,
    assert_one_line,
    drop,
    edit,
    solve,
)

NAME_ROW = "a row: a matrix is a list of rows, each a list of names"

CASES = [
    pytest.param(edit(NET, "values: [[0.1]]", "values: [[0.1], [0.2, 0.3]]"),
                 "Error: {file}:10: layers[0].weights.values[1]: row 2 has 2 numbers but row 1 has 1 (expected rows "
                 "of one length, one number per column)", id="ragged-matrix"),
    pytest.param(edit(NET, "type: squared_error", "type: binary_cross_entropy"),
                 "Error: {file}:15: loss.factor: binary_cross_entropy takes no factor (expected no factor key)",
                 id="cross-entropy-factor"),
    pytest.param(edit(drop(NET, *LOSS_LINES), "loss:", "loss:\n  sum:\n    - {type: categorical_cross_entropy, "
                                                         "factor: 1, reduction: sum}"),
                 "Error: {file}:15: loss.sum[0].factor: categorical_cross_entropy takes no factor (expected no factor "
                 "key)", id="cross-entropy-factor-in-a-sum"),
    pytest.param(edit(NET, "x1: 0.5", "x1: " + "9" * 350),
                 "Error: {file}:2: inputs.x1: number with 350 digits is too large (expected a magnitude at most 1e+06)",
                 id="integer-beyond-a-float"),
    pytest.param("title: t\ninputs: {x: 1}\nexpression: {}\n",
                 "Error: {file}:3: expression: no steps (expected at least one 'name = formula')",
                 id="expression-empty-mapping"),
    pytest.param(edit(EQ, "outputs: {o1: y}", "outputs: {}"),
                 "Error: {file}:8: outputs: no outputs (expected outputs: a mapping of each output node to its target "
                 "name)", id="equations-without-outputs"),
    pytest.param(edit(drop(NET, "bias: b", "params:"), "  - neurons: [h1]", "  - neurons: [h1]\n    inputs: []",
                      "values: [[0.1]]", "values: []"),
                 "Error: {file}:5: layers[0].neurons[0]: neuron 'h1' has no inputs and no bias (expected at least one "
                 "input, or a bias)", id="neuron-without-inputs-or-bias"),
    pytest.param(edit(BATCH, "  - inputs: {x1: 1.0}", "  - inputs: [x1]"),
                 "Error: {file}:3: samples[0].inputs: got a list (expected a mapping of input names to numbers)",
                 id="sample-of-names"),
    pytest.param(edit(NET, "values: [[0.1]]", "values: [[0.1]]\n      names: [w1]"),
                 f"Error: {{file}}:11: layers[0].weights.names[0]: got a string (expected {NAME_ROW})",
                 id="names-not-a-matrix"),
    pytest.param("# a comment first\n" + drop(NET, "training:", "learning_rate:"),
                 "Error: {file}:2: training: missing required key (expected 'training' in the top level)",
                 id="missing-key-points-at-the-first-key"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_new_checks_get_one_exact_line(tmp_path, monkeypatch, text: str, expected: str) -> None:
    assert_one_line(solve(tmp_path, monkeypatch, text), expected.replace("{file}", FILE))
