"""One name means one thing: clashes, rebindings, default weight names and look-alike characters."""
from __future__ import annotations

import time

import pytest

from backprop_cli.engine import solve
from backprop_cli.errors import ProblemError
from backprop_cli.load.document import load_problem_text

EQ = """\
title: t
inputs: {x: 1.0}
targets: {y: 0.5}
params: {w: 0.5, PARAM}
equations:
  p: sigmoid(w*x + b)
outputs: {p: y}
loss: {type: squared_error, factor: 0.5, reduction: sum}
training: {learning_rate: 0.1}
"""


def refused(text: str) -> str:
    with pytest.raises(ProblemError) as info:
        load_problem_text(text, "q.yaml")
    return str(info.value)


def test_a_parameter_named_like_an_input_is_refused_on_its_line():
    message = refused(EQ.replace("PARAM", "b: 0.1, x: 0.3"))
    assert message == ("q.yaml:4: params.x: 'x' is both an input and a parameter "
                       "(expected distinct names: one name means one thing)")


def test_a_parameter_named_like_a_target_is_refused_not_a_crash():
    message = refused(EQ.replace("PARAM", "b: 0.1, y: 0.3"))
    assert "'y' is both a target and a parameter" in message and message.startswith("q.yaml:4:")


@pytest.mark.parametrize("form", ["edge", "bias", "layer"])
def test_edge_weights_biases_and_layer_weights_named_like_an_input_are_refused(form):
    if form == "layer":
        text = """title: t\ninputs: {x: 1.0, v: 2.0}\ntargets: {y: 0.5}
layers:
  - neurons: [p]
    activation: sigmoid
    weights: {orientation: inputs_by_neurons, names: [[v], [w]], values: [[0.1], [0.2]]}
outputs: {p: y}
loss: {type: squared_error, factor: 0.5, reduction: sum}
training: {learning_rate: 0.1}
"""
    else:
        bias = ", bias: x" if form == "bias" else ""
        weight = "x: x -> p = 0.3" if form == "edge" else "w: x -> p = 0.3"
        text = f"""title: t\ninputs: {{x: 1.0}}\ntargets: {{y: 0.5}}
{'params: {x: 0.1}' if form == 'bias' else ''}
neurons:
  p: {{activation: sigmoid{bias}}}
edges:
  {weight}
outputs: {{p: y}}
loss: {{type: squared_error, factor: 0.5, reduction: sum}}
training: {{learning_rate: 0.1}}
"""
    name = "v" if form == "layer" else "x"
    assert f"'{name}' is both an input and a parameter" in refused(text)


REBOUND = """\
title: t
inputs: {x: 2.0}
expression:
  - c = x*x
  - c = c*3
OUTPUT
"""


@pytest.mark.parametrize("output,node,gradient", [
    ("", "c'", 12.0),  # the last step
    ("output: c", "c'", 12.0),  # a name means its latest value
    ("output: \"c'\"", "c'", 12.0),
    ("output: 1", "c", 4.0),  # the first step, whatever its name
    ("output: 2", "c'", 12.0),
])
def test_output_means_the_latest_binding_and_a_number_names_any_step(output, node, gradient):
    problem = load_problem_text(REBOUND.replace("OUTPUT", output))
    assert problem.loss == node
    assert solve(problem).grads["x"] == (gradient,)


def test_a_step_number_that_does_not_exist_is_refused():
    assert "there is no step 3: the expression has 2 steps" in refused(REBOUND.replace("OUTPUT", "output: 3"))


def _wide_layer(n: int, template: str = "") -> str:
    names = f", names: {template!r}" if template else ""
    values = [[0.001 * (i * n + j) for j in range(n)] for i in range(n)]
    return f"""title: wide
inputs: {{{', '.join(f'x{i}: 0.1' for i in range(1, n + 1))}}}
targets: {{{', '.join(f'y{j}: 0.1' for j in range(1, n + 1))}}}
layers:
  - neurons: [{', '.join(f'h{j}' for j in range(1, n + 1))}]
    activation: sigmoid
    weights: {{orientation: inputs_by_neurons, values: {values}{names}}}
outputs: {{{', '.join(f'h{j}: y{j}' for j in range(1, n + 1))}}}
loss: {{type: squared_error, factor: 0.5, reduction: sum}}
training: {{learning_rate: 0.1}}
"""


def test_default_weight_names_never_collide():
    problem = load_problem_text(_wide_layer(12))
    assert len(problem.params) == 144  # (1, 11) and (11, 1) are w1_1_11 and w1_11_1
    assert {"w1_1_11", "w1_11_1"} <= set(problem.params)
    assert problem.params["w1_1_11"].value != problem.params["w1_11_1"].value


@pytest.mark.parametrize("template", ["w{i:>2000000000}", "w{i!r}", "w{0}", "w{layer.real}", "w{{i}}", "w}"])
def test_a_names_template_takes_only_layer_i_and_j_without_a_format_spec(template):
    start = time.perf_counter()
    assert "cannot be filled in" in refused(_wide_layer(2, template))
    assert time.perf_counter() - start < 2


def test_names_have_a_length_limit():
    assert "name of 68 characters is too long (expected at most 64 characters)" in refused(
        _wide_layer(2, "w" * 66 + "{i}{j}"))


@pytest.mark.parametrize("value", ["١٢", "1_0", "１"])
def test_edge_values_in_other_scripts_or_with_underscores_are_not_numbers(value):
    text = f"""title: t\ninputs: {{x: 1.0}}\ntargets: {{y: 0.5}}
neurons:
  p: {{activation: sigmoid}}
edges:
  w: x -> p = {value}
outputs: {{p: y}}
loss: {{type: squared_error, factor: 0.5, reduction: sum}}
training: {{learning_rate: 0.1}}
"""
    assert f"edge value {value!r} is not a number" in refused(text)


@pytest.mark.parametrize("formula,char", [("ｗ*x + b", "ｗ"), ("w*x + b١", "١"), ("w*x + ｂ", "ｂ")])
def test_look_alike_characters_in_formulas_are_refused(formula, char):
    assert f"character {char!r}" in refused(EQ.replace("PARAM", "b: 0.1").replace("w*x + b", formula))
