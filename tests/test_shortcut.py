"""The δ = ŷ − y shortcut: found exactly where the full chain rule simplifies, with the exact factor.

Every shortcut's value is checked against the δ the engine computed through the full Jacobian sum, in
every sample, and against ŷ − y worked out here from the forward values. The pattern comes from the
formulas: softmax + binary cross-entropy (seed 001), targets that do not sum to 1, or a second path
through ŷ get no shortcut, and there δ is shown to differ from ŷ − y.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from backprop_cli.engine import solve
from backprop_cli.formula.calculus import evaluate
from backprop_cli.formula.printing import to_text
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.render import json as json_out
from backprop_cli.render import markdown, terminal
from backprop_cli.render.blocks import Derivation, Equation, Shortcut
from backprop_cli.render.layout import build
from backprop_cli.shortcut import SIGMOID_BCE, SOFTMAX_CCE
from backprop_cli.solution import GradStep

from problem_files import problem_files

ROOT = Path(__file__).resolve().parent.parent

SOFTMAX = """
title: softmax head
{given}
params: {{c1: 0.0, c2: 0.1, c3: -0.1}}
layers:
  - name: output
    neurons: [{{z: z1, a: p1}}, {{z: z2, a: p2}}, {{z: z3, a: p3}}]
    activation: softmax
    weights: {{orientation: neurons_by_inputs, names: "w{{j}}{{i}}", values: [[0.2, -0.3], [0.4, 0.1], [-0.5, 0.2]]}}
    bias: [c1, c2, c3]
outputs: {outputs}
loss: {loss}
training: {{learning_rate: 0.5}}
"""
ONE_SAMPLE = "inputs: {x1: 1.0, x2: -2.0}\ntargets: {y1: 0, y2: 1, y3: 0}"
TWO_SAMPLES = """samples:
  - inputs: {x1: 1.0, x2: -2.0}
    targets: {y1: 0, y2: 1, y3: 0}
  - inputs: {x1: -0.5, x2: 0.3}
    targets: {y1: 0.25, y2: 0.25, y3: 0.5}"""
OUTPUTS = "{p1: y1, p2: y2, p3: y3}"

SIGMOID = """
title: sigmoid output
inputs: {{x: 0.7}}
targets: {{y: {y}}}
params: {{w: 0.4, b: -0.2}}
equations:
  z: w*x + b
  p: sigmoid(z)
  {extra}
outputs: {{p: y}}
loss: {loss}
training: {{learning_rate: 0.1}}
"""


def softmax(given: str = ONE_SAMPLE, loss: str = "{type: categorical_cross_entropy, reduction: sum}",
            outputs: str = OUTPUTS):
    return solve(load_problem_text(SOFTMAX.format(given=given, loss=loss, outputs=outputs), "softmax.yaml"))


def sigmoid(y: float = 1.0, loss: str = "{type: binary_cross_entropy, reduction: sum}", extra: str = ""):
    return solve(load_problem_text(SIGMOID.format(y=y, loss=loss, extra=extra), "sigmoid.yaml"))


def shortcuts(sol) -> dict:
    return {s.node: s.shortcut for s in sol.of(GradStep) if s.shortcut is not None}


def assert_shortcut_is_delta(sol, pairs: dict, factor: float) -> None:
    """Each z's shortcut equals the engine's δ in every sample, and factor·(ŷ − y) worked out here."""
    found = shortcuts(sol)
    assert set(found) == set(pairs)
    steps = {s.node: s for s in sol.of(GradStep)}
    for z, (yhat, y) in pairs.items():
        short = found[z]
        assert short.factor == pytest.approx(factor, rel=1e-15)
        assert len(short.values) == len(steps[z].values) == sol.problem.n_samples
        for s, (value, delta) in enumerate(zip(short.values, steps[z].values)):
            assert value == pytest.approx(delta, rel=1e-12, abs=1e-15)
            assert value == pytest.approx(factor * (sol.values[yhat][s] - sol.values[y][s]), rel=1e-12, abs=1e-15)


def test_softmax_cross_entropy_problem(in_root):
    sol = solve(load_problem("problems/softmax_cross_entropy.yaml"))
    assert_shortcut_is_delta(sol, {"z1": ("p1", "y1"), "z2": ("p2", "y2"), "z3": ("p3", "y3")}, 1.0)
    assert {s.pair for s in shortcuts(sol).values()} == {SOFTMAX_CCE}
    assert [to_text(s.formula) for s in shortcuts(sol).values()] == ["p1 − y1", "p2 − y2", "p3 − y3"]


@pytest.mark.parametrize("path", problem_files(), ids=lambda p: p.stem)
def test_only_the_pairs_that_simplify(path: Path, monkeypatch):
    """softmax_cross_entropy (softmax + CCE) and the batch (sigmoid + BCE); seed 001's softmax + BCE is not one."""
    monkeypatch.chdir(ROOT)
    sol = solve(load_problem(path.relative_to(ROOT)))
    expected = {"softmax_cross_entropy": {"z1", "z2", "z3"}, "batch_two_samples": {"z_p"}}.get(path.stem, set())
    assert set(shortcuts(sol)) == expected


def test_softmax_with_binary_cross_entropy_gets_no_shortcut():
    """Seed 001's pair: δ is not ŷ − y in general (here three classes; seed 001's two happen to agree)."""
    sol = softmax(loss="{type: binary_cross_entropy, reduction: mean}")
    assert shortcuts(sol) == {}
    steps = {s.node: s for s in sol.of(GradStep)}
    gaps = [abs(steps[z].values[0] - (sol.values[p][0] - sol.values[y][0]) / 3)
            for z, p, y in (("z1", "p1", "y1"), ("z2", "p2", "y2"), ("z3", "p3", "y3"))]
    assert max(gaps) > 1e-2


def test_batch_sigmoid_binary_cross_entropy_divides_by_the_batch(in_root):
    sol = solve(load_problem("problems/batch_two_samples.yaml"))
    assert_shortcut_is_delta(sol, {"z_p": ("p", "y")}, 0.5)
    (short,) = shortcuts(sol).values()
    assert short.pair == SIGMOID_BCE and to_text(short.formula) == "(p − y)/2"


@pytest.mark.parametrize("loss, factor, text", [
    ("{type: categorical_cross_entropy, reduction: mean}", 1 / 3, "(p1 − y1)/3"),
    ("{sum: [{type: categorical_cross_entropy, reduction: sum, weight: 0.5}]}", 0.5, "(p1 − y1)/2"),
    ("{sum: [{type: categorical_cross_entropy, reduction: mean, weight: 2}]}", 2 / 3, "2·(p1 − y1)/3"),
    ("{sum: [{type: categorical_cross_entropy, reduction: sum, weight: 0.3}]}", 0.3, "0.3·(p1 − y1)"),
])
def test_softmax_factors_are_exact(loss, factor, text):
    sol = softmax(loss=loss)
    assert_shortcut_is_delta(sol, {"z1": ("p1", "y1"), "z2": ("p2", "y2"), "z3": ("p3", "y3")}, factor)
    assert to_text(shortcuts(sol)["z1"].formula) == text


def test_softmax_batch_mean_and_sum():
    pairs = {"z1": ("p1", "y1"), "z2": ("p2", "y2"), "z3": ("p3", "y3")}
    assert_shortcut_is_delta(softmax(TWO_SAMPLES), pairs, 0.5)
    assert_shortcut_is_delta(softmax(TWO_SAMPLES, "{type: categorical_cross_entropy, reduction: mean, batch: sum}"),
                             pairs, 1 / 3)
    assert to_text(shortcuts(softmax(TWO_SAMPLES, "{type: categorical_cross_entropy, reduction: mean}"))["z2"]
                   .formula) == "(p2 − y2)/6"


def test_softmax_targets_that_do_not_sum_to_one_get_no_shortcut():
    sol = softmax("inputs: {x1: 1.0, x2: -2.0}\ntargets: {y1: 0.2, y2: 0.2, y3: 0.2}")
    assert shortcuts(sol) == {}
    steps = {s.node: s for s in sol.of(GradStep)}
    assert abs(steps["z2"].values[0] - (sol.values["p2"][0] - 0.2)) > 1e-2  # δ = ŷ·Σy − y, not ŷ − y


def test_a_target_used_twice_gets_no_shortcut():
    sol = softmax("inputs: {x1: 1.0, x2: -2.0}\ntargets: {y1: 0.5, y2: 0.5}", outputs="{p1: y1, p2: y2, p3: y1}")
    assert shortcuts(sol) == {}


def test_a_second_loss_on_the_same_outputs_gets_no_shortcut():
    """Seed 004's squared error + cross-entropy: ŷ feeds two terms, so δ is not ŷ − y."""
    sol = softmax(loss="{sum: [{type: categorical_cross_entropy, reduction: sum, weight: 1}, "
                       "{type: squared_error, factor: 1, reduction: sum, weight: 1}]}")
    assert shortcuts(sol) == {}


@pytest.mark.parametrize("y", [1.0, 0.0, 0.3])
def test_sigmoid_binary_cross_entropy_for_any_target(y):
    assert_shortcut_is_delta(sigmoid(y), {"z": ("p", "y")}, 1.0)


def test_sigmoid_with_another_path_or_another_loss_gets_no_shortcut():
    assert shortcuts(sigmoid(extra="q: 2*z")) == {}  # z feeds q too: δ has a second path
    assert shortcuts(sigmoid(loss="{type: squared_error, factor: 0.5, reduction: sum}")) == {}
    assert shortcuts(sigmoid(loss="{formula: '-(y*log(p) + (1 - y)*log(1 - p))'}")) == {}  # no BCE term node


def test_layout_puts_the_shortcut_under_its_equation(in_root):
    sol = solve(load_problem("problems/softmax_cross_entropy.yaml"))
    (deltas,) = [b for s in build(sol).sections for b in s.blocks
                 if isinstance(b, Derivation) and any(isinstance(r, Shortcut) for r in b.rows)]
    assert [type(r) for r in deltas.rows] == [Equation, Shortcut] * 3
    for eq, short in zip(deltas.rows[::2], deltas.rows[1::2]):
        assert short.lhs == eq.lhs and short.values == tuple(shortcuts(sol)[eq.lhs.node].values)
        assert short.label == "the softmax + cross-entropy shortcut"
        for numbers, value, delta in zip(short.numbers, short.values, eq.values, strict=True):
            assert evaluate(numbers.expr, numbers.values) == value == pytest.approx(delta, rel=1e-12)


def test_every_format_shows_the_shortcut(in_root):
    sol = solve(load_problem("problems/softmax_cross_entropy.yaml"))
    text = terminal.render(sol, width=200)
    assert "δ = ∂L/∂z for each neuron; the softmax + cross-entropy shortcut: the chain rule simplifies to it" in text
    assert re.search(r"\nshortcut +p1 − y1 +0\.5644 − 0\.0000 +0\.5644\n", text)
    md = markdown.render(sol)
    assert "The softmax + cross-entropy shortcut gives the same:\n\n```math\n" \
           "\\frac{\\partial L}{\\partial z_{1}} = p_{1} - y_{1} = 0.5644 - 0.0000 = 0.5644\n```" in md
    doc = json.loads(json_out.render(sol))
    items = {item["node"]: item for item in doc["backward"]}
    assert items["z2"]["shortcut"] == {"pair": SOFTMAX_CCE, "formula": "p2 − y2", "latex": "p_{2} - y_{2}",
                                       "factor": 1.0, "values": list(shortcuts(sol)["z2"].values)}
    assert all("shortcut" not in item for name, item in items.items() if name not in {"z1", "z2", "z3"})
