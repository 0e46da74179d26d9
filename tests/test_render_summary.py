"""The summary form of a large layers-form network (render/summary.py, summary_back.py, json_summary.py).

Every number a summary table shows is the Solution's array entry; every worked entry's numbers row reads
back to its value (as tests/test_numbers_row.py reads the scalar form); the JSON holds the arrays exactly
and follows the schema; a 784-64-10 batch of 32 stays a few hundred lines; a mid-sized network is pinned
by golden files.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from test_engine_matrix import layer_networks
from test_numbers_row import _as_text, assert_evaluates_to, checked_rows, latex_chains

from backprop_cli import matrix
from backprop_cli.engine import solve
from backprop_cli.errors import ProblemError
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.render import json as json_out
from backprop_cli.render import markdown, terminal
from backprop_cli.render.blocks import Derivation, Table
from backprop_cli.render.cells import Num, Text
from backprop_cli.render.layout import build
from backprop_cli.solution import LayerBackwardStep, LayerForwardStep
from backprop_cli.starter import starter

from helpers import check_golden

ROOT = Path(__file__).resolve().parent.parent
MID = ROOT / "tests" / "summary_16_12_4.yaml"
SCHEMA = json.loads((ROOT / "backprop_cli" / "schemas" / "solution.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def mid():
    return solve(load_problem(MID), form="summary")


def test_golden_terminal_and_markdown(mid):
    check_golden(ROOT / "tests" / "golden" / "summary_16_12_4.txt", terminal.render(mid, width=100))
    check_golden(ROOT / "tests" / "golden" / "summary_16_12_4.md", markdown.render(mid))


def test_every_matrix_entry_shown_is_the_solutions(mid):
    """Each Num of a matrix table sits at (sample, neuron) of the array its group names."""
    arrays = {}
    for st in mid.of(LayerForwardStep):
        arrays[f"Z[{st.index + 1}]"], arrays[f"A[{st.index + 1}]"] = st.z, st.a
    for st in mid.of(LayerBackwardStep):
        arrays[f"δ[{st.index + 1}]"], arrays[f"∂L/∂A[{st.index + 1}]"] = st.delta, st.d_a
    seen = 0
    for section in build(mid).sections:
        for block in section.blocks:
            if isinstance(block, Table) and block.group_column == "matrix":
                heads = [c.header for c in block.columns[1:]]
                for group in block.groups:
                    x = arrays[group.title]
                    names = list(mid.problem.dense[0].outs if x.shape[1] == 12 else mid.problem.dense[1].outs)
                    for row in group.rows:
                        s = int(row[0].text) - 1
                        for head, cell in zip(heads, row[1:]):
                            if isinstance(cell, Num):
                                assert cell.value == x[s, names.index(head)]
                                seen += 1
                            else:
                                assert cell == Text("…")
    assert seen == 3 * (5 + 5 + 4 + 4 + 4 + 4 + 5 + 5)  # Z, A of each layer, ∂L/∂A and δ of each; 3 samples


@pytest.mark.parametrize("precision", (4, 1))
def test_every_numbers_row_reads_back(mid, precision):
    rows = checked_rows(mid, precision)
    worked = [r for r in rows if r[2].startswith(("Forward pass", "Backward pass", "Update"))]
    assert len(worked) == 4 + 5 + 3 + 2 * 5  # z and a per layer; per layer back δ, ∂L/∂w, ∂L/∂b (, ∂L/∂a); updates
    for numbers, stated, where in rows:
        assert_evaluates_to(numbers, stated, precision, where)


def test_markdown_numbers_rows_read_back(mid):
    checked = 0
    for chain in latex_chains(markdown.render(mid)):
        texts = [_as_text(s) for s in chain]
        for numbers, stated in zip(texts, texts[1:]):
            if numbers is not None and stated is not None:
                assert_evaluates_to(numbers, stated, 4, f"markdown: {chain}")
                checked += 1
    derivations = [b for s in build(mid).sections for b in s.blocks if isinstance(b, Derivation)]
    assert checked >= sum(len(b.rows) for b in derivations if "Entr" in (b.title or ""))


def test_json_arrays_are_the_solutions_exactly_and_follow_the_schema(mid):
    doc = json.loads(json_out.render(mid))
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    for st in mid.of(LayerForwardStep):
        layer = doc["layers"][st.index]
        assert layer["shape"] == list(st.layer.shape)
        for key, x in (("W", st.w), ("b", st.b), ("Z", st.z), ("A", st.a)):
            assert np.array_equal(np.array(layer[key]), x)
    for st in mid.of(LayerBackwardStep):
        layer = doc["layers"][st.index]
        for key, x in (("dA", st.d_a), ("delta", st.delta), ("dW", st.d_w), ("db", st.d_b)):
            assert np.array_equal(np.array(layer[key]), x)
    grads: dict = {}  # each name's ∂L/∂p and p⁺ read back from the arrays, wherever it sits
    for layer in doc["layers"]:
        for i, row in enumerate(layer["weights"]):
            for j, name in enumerate(row):
                grads.setdefault(name, []).append((layer["dW"][i][j], layer["W_new"][i][j]))
        for j, name in enumerate(layer["biases"]):
            grads.setdefault(name, []).append((layer["db"][j], layer["b_new"][j]))
    assert set(grads) == set(doc["parameters"]) == set(mid.problem.params)
    for name, found in grads.items():
        k, i, j = doc["parameters"][name]
        layer = doc["layers"][k]
        assert (layer["weights"][i][j] if i is not None else layer["biases"][j]) == name
        assert sum(g for g, _ in found) == pytest.approx(mid.totals[name], rel=1e-12, abs=1e-15)  # a shared bias
        assert all(new == mid.new_params[name] for _, new in found)  # sums its neurons' shares
    assert doc["loss"]["total"] == mid.loss and doc["loss_after"]["after"] == mid.loss_after


@pytest.fixture(scope="module")
def mnist():
    text = starter("784-64-10", "sigmoid", "squared_error", batch=32, seed=1)
    return solve(load_problem_text(text, "mnist.yaml"))


def test_784_64_10_reads_in_a_terminal_and_its_json_has_every_array(mnist):
    lines = terminal.render(mnist, width=100).splitlines()
    assert 100 < len(lines) < 300  # not 180,000 lines: bench/bench_scale.py measures the time
    doc = json.loads(json_out.render(mnist))
    assert np.array_equal(np.array(doc["layers"][0]["dW"]), mnist.of(LayerBackwardStep)[-1].d_w)


def test_markdown_renders_in_katex(mid):
    from test_render_katex import katex, markdown_snippets, node_or_skip

    node = node_or_skip()
    snippets = markdown_snippets(markdown.render(mid))
    assert len(snippets) > 50
    assert katex(node, snippets)["failures"] == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layer_networks())
def test_any_layer_network_renders_in_summary_form_and_reads_back(text):
    """Softmax layers, layers without biases, per-neuron and parameterised activations, batches of 1 to 3."""
    try:
        sol = solve(load_problem_text(text, "random.yaml"), form="summary")
    except ProblemError:
        return  # refused by both paths alike: test_engine_matrix checks that
    for numbers, stated, where in checked_rows(sol, 4):
        assert_evaluates_to(numbers, stated, 4, where)
    assert markdown.render(sol) and terminal.render(sol, width=100)
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(json_out.render(sol)))


EXAMPLES = [p for p in sorted((ROOT / "problems").glob("*.yaml"))
            if not p.name.endswith(".key.yaml") and matrix.applies(load_problem(p))]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_with_a_matrix_form_reads_back_in_summary_form(path):
    problem = load_problem(path)
    if problem.training is not None and not problem.training.plain:
        problem = dataclasses.replace(problem, training=None)  # training is solved step by step only
    sol = solve(problem, form="summary")
    rows = checked_rows(sol, 4)
    assert rows
    for numbers, stated, where in rows:
        assert_evaluates_to(numbers, stated, 4, where)
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(json_out.render(sol)))


def test_a_block_that_reads_other_columns_says_which_and_shares_no_input_gradient():
    text = terminal.render(solve(load_problem(ROOT / "problems" / "seed000_two_path.yaml"), form="summary"))
    assert "  A_in[2] = the columns x3, x4, one row per sample" in text
    assert "Z[2] = A_in[2]·W[2] + b[2]" in text and "Z[2] = A[1]" not in text
    assert "∂L/∂A_in[1]" not in text  # x1, x2 are inputs: no ∂L/∂A_in row for them
    assert "2 parameters" not in text and "6 parameters, solve --summary" in text
