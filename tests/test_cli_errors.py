"""Bad input gets a clear answer: one exact line on stderr, pointing at the file, line and key.

Each case is a small problem file with one mistake and the exact line `backprop solve FILE` must
print for it: `Error: FILE:LINE: key.path: what is wrong (expected …). Did you mean …?`, exit code 3,
nothing on stdout and no traceback. FILE is the path as given on the command line.
"""
from __future__ import annotations

import os
import time

import pytest

from backprop_cli import engine
from backprop_cli.errors import ExitCode

from helpers import invoke

FILE = "homework/q1.yaml"  # relative, with a folder: the message must repeat it as given


def solve(tmp_path, monkeypatch, content, *args: str, file: str = FILE):
    """Run `backprop solve FILE` in tmp_path with FILE holding content (str, bytes, or None for no file)."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / file
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    return invoke("solve", file, *args)


def assert_one_line(result, expected: str, code: int = ExitCode.INVALID_INPUT) -> None:
    """Exactly the expected line on stderr, nothing on stdout, the documented exit code, no traceback."""
    assert "Traceback" not in result.output + result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr == expected + "\n"
    assert result.exit_code == code


def edit(base: str, *pairs: str) -> str:
    """base with each (old, new) replaced; each old must occur exactly once."""
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert base.count(old) == 1, old
        base = base.replace(old, new)
    return base


def drop(base: str, *fragments: str) -> str:
    """base without the lines holding each fragment; each fragment must be on exactly one line."""
    lines = base.splitlines(keepends=True)
    for fragment in fragments:
        hits = [line for line in lines if fragment in line]
        assert len(hits) == 1, fragment
        lines.remove(hits[0])
    return "".join(lines)


# Four small problems that solve; each case below breaks one thing in one of them.
NET = """\
title: tiny network               # 1
inputs: {x1: 0.5}                 # 2
targets: {y: 1}                   # 3
params: {b: 0.1}                  # 4
layers:                           # 5
  - neurons: [h1]                 # 6
    activation: sigmoid           # 7
    weights:                      # 8
      orientation: inputs_by_neurons
      values: [[0.1]]             # 10
    bias: b                       # 11
outputs: {h1: y}                  # 12
loss:                             # 13
  type: squared_error             # 14
  factor: 0.5                     # 15
  reduction: sum                  # 16
training:                         # 17
  learning_rate: 0.5              # 18
"""

EQ = """\
title: equations                  # 1
inputs: {x1: 0.5}                 # 2
targets: {y: 1}                   # 3
params: {w1: 0.1, w2: 0.2, b: 0.0}
equations:                        # 5
  h1: sigmoid(w1*x1 + b)          # 6
  o1: sigmoid(w2*h1)              # 7
outputs: {o1: y}                  # 8
loss: {type: squared_error, factor: 0.5, reduction: sum}
training: {learning_rate: 0.5}    # 10
"""

EDGES = """\
title: named edges                # 1
inputs: {x1: 0.5, x2: 0.2}        # 2
targets: {y: 1}                   # 3
neurons:                          # 4
  h1: {activation: tanh}          # 5
  o1: {activation: sigmoid}       # 6
edges:                            # 7
  w1: x1 -> h1 = 0.1              # 8
  w2: x2 -> h1 = 0.2              # 9
  w3: h1 -> o1 = 0.3              # 10
outputs: {o1: y}                  # 11
loss: {type: squared_error, factor: 0.5, reduction: sum}
training: {learning_rate: 0.5}    # 13
"""

BATCH = """\
title: a batch of two             # 1
samples:                          # 2
  - inputs: {x1: 1.0}             # 3
    targets: {y: 1}               # 4
  - inputs: {x1: 0.0}             # 5
    targets: {y: 0}               # 6
params: {w: 0.5}                  # 7
equations: {p: sigmoid(w*x1)}     # 8
outputs: {p: y}                   # 9
loss: {type: binary_cross_entropy, reduction: sum}
training: {learning_rate: 1.0}    # 11
"""

BASES = {"NET": NET, "EQ": EQ, "EDGES": EDGES, "BATCH": BATCH}
LOSS_LINES = ("type: squared_error", "factor: 0.5", "reduction: sum")  # NET's loss body, lines 14-16


def bce(x1: str, target: str) -> str:
    """NET with binary cross-entropy, weight 1 and the given input and target."""
    return edit(drop(NET, "factor: 0.5"), "x1: 0.5", f"x1: {x1}", "values: [[0.1]]", "values: [[1.0]]",
                "targets: {y: 1}", f"targets: {{y: {target}}}", "type: squared_error", "type: binary_cross_entropy")


def laughs(levels: int) -> str:
    """The billion laughs: each level a list of nine aliases of the one before (9**levels strings)."""
    names = [f"l{k}" for k in range(levels + 1)]
    text = f'{names[0]}: &{names[0]} ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for prev, name in zip(names, names[1:]):
        text += f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n"
    return text


TOP_KEYS = ("ask, description, edges, equations, expression, inputs, layers, loss, neurons, output, outputs, params, "
            "samples, source, symbols, targets, title, training, variant, vary")
ACTIVATIONS = "elu, identity, leaky_relu, relu, sigmoid, silu, softmax, softplus, tanh"
FUNCTIONS = ("abs, binary_cross_entropy, categorical_cross_entropy, cos, elu, exp, identity, leaky_relu, log, max, "
             "min, relu, sigmoid, silu, sin, softmax, softplus, sqrt, squared_error, tanh")
A_NAME = "a name of letters, digits and _ that starts with a letter"
DOMAIN = "expected values inside each function's domain"
FORMULA = "expected a formula such as sigmoid(w1*x1 + b)"
ANY_FORMULA = "expected numbers, names, + - * / ^, and registry functions"
PLAIN_YAML = "expected plain YAML: mappings, lists, numbers and strings"
ALIASES = "expected every value written out; anchors and aliases are refused so that no file can expand without bound"
DEFINED = "expected an input, target, parameter or node name"


def case(id_: str, text: str, expected: str, *marks):
    return pytest.param(text, expected, id=id_, marks=marks)


CASES = [
    # --- YAML itself -------------------------------------------------------------------------------------
    case("yaml-unclosed-brace", "title: t\ninputs: {x1: 0.5\ntargets: {y: 1}\n",
         "Error: {file}:3: YAML syntax error: expected ',' or '}', but got ':', in the {…} mapping that starts "
         "on line 2 (expected a closing '}', with ',' between entries)"),
    case("yaml-bad-indentation", "title: t\n  inputs: 1\n",
         "Error: {file}:2: YAML syntax error: mapping values are not allowed here (expected one 'key: value' per "
         "line, keys of a mapping indented alike; quote a value that contains ': ')"),
    case("yaml-tab", edit(NET, "  - neurons: [h1]", "\t- neurons: [h1]"),
         "Error: {file}:6: YAML syntax error: found character '\\t' that cannot start any token "
         "(expected spaces for indentation, not tabs)"),
    case("yaml-control-character", "title: t\ninputs: {x1: 0.5}\x00\n",
         "Error: {file}:2: YAML syntax error: control character U+0000 is not allowed (expected printable text)"),
    case("duplicate-key-top", edit(NET, "title: tiny network", "title: tiny network\ntitle: again"),
         "Error: {file}:2: title: duplicate key 'title', first given on line 1 (expected each key once)"),
    case("duplicate-key-nested", edit(NET, "  factor: 0.5", "  factor: 0.5\n  factor: 1"),
         "Error: {file}:16: loss.factor: duplicate key 'factor', first given on line 15 (expected each key once)"),
    case("duplicate-edge-name", edit(EDGES, "w3: h1 -> o1", "w1: h1 -> o1"),
         "Error: {file}:10: edges.w1: duplicate key 'w1', first given on line 8 (expected each key once)"),
    case("python-object-tag", '!!python/object/apply:os.system ["touch PWNED"]\n',
         f"Error: {{file}}:1: YAML tag '!!python/object/apply:os.system' is not allowed ({PLAIN_YAML})"),
    case("python-object-tag-nested", edit(NET, "x1: 0.5", 'x1: !!python/object/apply:os.system ["touch PWNED"]'),
         f"Error: {{file}}:2: inputs.x1: YAML tag '!!python/object/apply:os.system' is not allowed ({PLAIN_YAML})"),
    case("python-name-tag", "title: !!python/name:os.system\n",
         f"Error: {{file}}:1: title: YAML tag '!!python/name:os.system' is not allowed ({PLAIN_YAML})"),
    case("custom-tag", edit(NET, "x1: 0.5", "x1: !weird 0.5"),
         f"Error: {{file}}:2: inputs.x1: YAML tag '!weird' is not allowed ({PLAIN_YAML})"),
    case("binary-tag", edit(NET, "title: tiny network", "title: !!binary aGVsbG8="),
         f"Error: {{file}}:1: title: YAML tag '!!binary' is not allowed ({PLAIN_YAML})"),
    case("alias", edit(NET, "title: tiny network", "title: &t tiny network\ndescription: *t"),
         f"Error: {{file}}:2: YAML alias '*t' is not supported ({ALIASES})"),
    case("billion-laughs", laughs(9), f"Error: {{file}}:2: YAML alias '*l0' is not supported ({ALIASES})"),
    case("nested-too-deep", "title: " + "[" * 10_000 + "]" * 10_000 + "\n",
         "Error: {file}:1: lists and mappings nested more than 64 deep (expected a problem file)"),
    case("key-is-a-list", "[a, b]: 1\n", "Error: {file}:1: a key that is a list (expected a plain name such as w1)"),
    case("key-with-a-line-break", edit(NET, "title: tiny network", 'title: tiny network\n"a\\nb": 1'),
         f"Error: {{file}}:2: a\\nb: unknown key 'a\\nb' (expected one of: {TOP_KEYS})"),
    # --- the document as a whole ---------------------------------------------------------------------------
    case("empty-file", "", "Error: {file}: the file is empty (expected a YAML mapping with title, inputs, …)"),
    case("only-comments", "# a problem will go here\n",
         "Error: {file}: the file is empty (expected a YAML mapping with title, inputs, …)"),
    case("document-is-a-list", "- title: t\n- inputs: {}\n",
         "Error: {file}:1: the file holds a list (expected a YAML mapping with title, inputs, …)"),
    case("document-is-a-scalar", "just a sentence\n",
         "Error: {file}:1: the file holds a string (expected a YAML mapping with title, inputs, …)"),
    # --- unknown keys, with a suggestion --------------------------------------------------------------------
    case("unknown-key-top", edit(NET, "training:", "trainig:"),
         f"Error: {{file}}:17: trainig: unknown key 'trainig' (expected one of: {TOP_KEYS}). "
         "Did you mean 'training'?"),
    case("unknown-key-no-close-name", edit(NET, "params: {b: 0.1}", "params: {b: 0.1}\nzzz: 1"),
         f"Error: {{file}}:5: zzz: unknown key 'zzz' (expected one of: {TOP_KEYS})"),
    case("unknown-key-in-layer", edit(NET, "    activation: sigmoid", "    activaton: sigmoid"),
         "Error: {file}:7: layers[0].activaton: unknown key 'activaton' (expected one of: activation, bias, "
         "inputs, name, neurons, weights). Did you mean 'activation'?"),
    case("unknown-key-in-weights", edit(NET, "orientation: inputs", "orientaton: inputs"),
         "Error: {file}:9: layers[0].weights.orientaton: unknown key 'orientaton' (expected one of: names, "
         "orientation, values). Did you mean 'orientation'?"),
    case("unknown-key-in-loss", edit(NET, "factor: 0.5", "factr: 0.5"),
         "Error: {file}:15: loss.factr: unknown key 'factr' (expected one of: batch, factor, name, reduction, "
         "terms, type). Did you mean 'factor'?"),
    case("unknown-key-in-training", edit(NET, "learning_rate: 0.5", "learnig_rate: 0.5"),
         "Error: {file}:18: training.learnig_rate: unknown key 'learnig_rate' (expected one of: batch_size, "
         "epochs, frozen, learning_rate, optimizer, show, shuffle, steps). Did you mean 'learning_rate'?"),
    case("unknown-key-in-neuron", edit(EDGES, "h1: {activation: tanh}", "h1: {activation: tanh, bais: c}"),
         "Error: {file}:5: neurons.h1.bais: unknown key 'bais' (expected one of: activation, bias, group, z). "
         "Did you mean 'bias'?"),
    case("unknown-key-in-sample", edit(BATCH, "    targets: {y: 0}", "    target: {y: 0}"),
         "Error: {file}:6: samples[1].target: unknown key 'target' (expected one of: inputs, targets). "
         "Did you mean 'targets'?"),
    case("unknown-key-in-activation", edit(NET, "activation: sigmoid", "activation: {name: leaky_relu, slop: 0.1}"),
         "Error: {file}:7: layers[0].activation.slop: leaky_relu has no parameter 'slop' (expected one of: "
         "slope). Did you mean 'slope'?"),
    # --- wrong types --------------------------------------------------------------------------------------
    case("negative-learning-rate", edit(NET, "learning_rate: 0.5", "learning_rate: -0.5"),
         "Error: {file}:18: training.learning_rate: negative learning rate -0.5 (expected a number ≥ 0: gradient "
         "descent subtracts η times the gradient)"),
    case("string-for-number", edit(NET, "learning_rate: 0.5", "learning_rate: fast"),
         "Error: {file}:18: training.learning_rate: got a string 'fast' (expected a number)"),
    case("quoted-number", edit(NET, "x1: 0.5", 'x1: "0.5"'),
         "Error: {file}:2: inputs.x1: got a string '0.5' (expected a number without quotes)"),
    case("boolean-for-number", edit(NET, "learning_rate: 0.5", "learning_rate: true"),
         "Error: {file}:18: training.learning_rate: got the boolean true (expected a number)"),
    case("list-for-number", edit(NET, "learning_rate: 0.5", "learning_rate: [0.5]"),
         "Error: {file}:18: training.learning_rate: got a list (expected a number)"),
    case("nothing-for-number", edit(EQ, "b: 0.0}", "b: }"),
         "Error: {file}:4: params.b: got nothing (expected a number)"),
    case("list-for-mapping", edit(drop(NET, "learning_rate: 0.5"), "training:", "training: [0.5]"),
         "Error: {file}:17: training: got a list (expected a mapping)"),
    case("list-for-weights-mapping", edit(drop(NET, "orientation:", "values:"), "weights:", "weights: [[0.1]]"),
         "Error: {file}:8: layers[0].weights: got a list (expected a mapping with orientation and values)"),
    case("number-for-inputs-mapping", edit(NET, "inputs: {x1: 0.5}", "inputs: 0.5"),
         "Error: {file}:2: inputs: got a number (expected a mapping of input names to numbers, or a list of "
         "names)"),
    case("mapping-for-layers-list", edit(NET, "  - neurons: [h1]", "  hidden:\n    neurons: [h1]"),
         "Error: {file}:5: layers: got a mapping (expected a list)"),
    case("string-for-neurons-list", edit(NET, "neurons: [h1]", "neurons: h1"),
         "Error: {file}:6: layers[0].neurons: got a string (expected a list of neuron names)"),
    case("string-for-matrix", edit(NET, "values: [[0.1]]", "values: abc"),
         "Error: {file}:10: layers[0].weights.values: got a string (expected a matrix (a list of rows))"),
    case("string-in-matrix", edit(NET, "values: [[0.1]]", "values: [[abc]]"),
         "Error: {file}:10: layers[0].weights.values[0][0]: got a string 'abc' (expected a number)"),
    case("string-in-matrix-block-style", edit(NET, "values: [[0.1]]", "values:\n        -\n          - abc"),
         "Error: {file}:12: layers[0].weights.values[0][0]: got a string 'abc' (expected a number)"),
    case("list-for-title", edit(NET, "title: tiny network", "title: [a, b]"),
         "Error: {file}:1: title: got a list (expected a string)"),
    case("string-for-loss-mapping", edit(drop(NET, *LOSS_LINES), "loss:", "loss: squared_error"),
         "Error: {file}:13: loss: got a string (expected a mapping with type, or sum, or formula)"),
    case("list-for-target-name", edit(NET, "outputs: {h1: y}", "outputs: {h1: [y]}"),
         f"Error: {{file}}:12: outputs.h1: invalid name ['y'] (expected {A_NAME})"),
    case("list-for-frozen-name", edit(NET, "  learning_rate: 0.5", "  frozen: [[b]]\n  learning_rate: 0.5"),
         f"Error: {{file}}:18: training.frozen[0]: invalid name ['b'] (expected {A_NAME})"),
    case("invalid-name", edit(NET, "x1: 0.5", "1x: 0.5"),
         f"Error: {{file}}:2: inputs.1x: invalid name '1x' (expected {A_NAME})"),
    case("sexagesimal-is-not-a-number", edit(NET, "x1: 0.5", "x1: 1:30"),
         "Error: {file}:2: inputs.x1: got a string '1:30' (expected a number)"),
    case("date-is-not-a-number", edit(NET, "x1: 0.5", "x1: 2020-01-01"),
         "Error: {file}:2: inputs.x1: got a string '2020-01-01' (expected a number)"),
    # --- names from a fixed set, with a suggestion ----------------------------------------------------------
    case("unknown-activation", edit(NET, "activation: sigmoid", "activation: sigmod"),
         f"Error: {{file}}:7: layers[0].activation: unknown activation 'sigmod' (expected one of: {ACTIVATIONS}). "
         "Did you mean 'sigmoid'?"),
    case("unknown-activation-of-neuron", edit(EDGES, "activation: tanh", "activation: tahn"),
         f"Error: {{file}}:5: neurons.h1.activation: unknown activation 'tahn' (expected one of: {ACTIVATIONS}). "
         "Did you mean 'tanh'?"),
    case("unknown-loss", edit(NET, "type: squared_error", "type: squared_eror"),
         "Error: {file}:14: loss.type: unknown loss 'squared_eror' (expected one of: binary_cross_entropy, "
         "categorical_cross_entropy, squared_error). Did you mean 'squared_error'?"),
    case("unknown-reduction", edit(NET, "reduction: sum", "reduction: summ"),
         "Error: {file}:16: loss.reduction: unknown reduction 'summ' (expected one of: mean, sum). "
         "Did you mean 'sum'?"),
    case("unknown-orientation", edit(NET, "inputs_by_neurons", "input_by_neurons"),
         "Error: {file}:9: layers[0].weights.orientation: unknown orientation 'input_by_neurons' (expected one "
         "of: inputs_by_neurons, neurons_by_inputs). Did you mean 'inputs_by_neurons'?"),
    case("activation-without-that-parameter",
         edit(NET, "activation: sigmoid", "activation: {name: sigmoid, slope: 0.1}"),
         "Error: {file}:7: layers[0].activation.slope: sigmoid has no parameter 'slope' (expected no parameters)"),
    # --- shapes -------------------------------------------------------------------------------------------
    case("matrix-too-wide", edit(NET, "values: [[0.1]]", "values: [[0.1, 0.2]]"),
         "Error: {file}:10: layers[0].weights.values: matrix is 1×2 but the layer has 1 input and 1 neuron "
         "(expected 1×1, rows are inputs, columns are neurons)"),
    case("matrix-too-tall", edit(NET, "values: [[0.1]]", "values:\n        - [0.1]\n        - [0.2]"),
         "Error: {file}:10: layers[0].weights.values: matrix is 2×1 but the layer has 1 input and 1 neuron "
         "(expected 1×1, rows are inputs, columns are neurons)"),
    case("matrix-not-a-list-of-rows", edit(NET, "values: [[0.1]]", "values: [0.1]"),
         "Error: {file}:10: layers[0].weights.values[0]: got a number (expected a row: a matrix is a list of "
         "rows, each a list of numbers)"),
    case("biases-for-neurons", edit(NET, "bias: b", "bias: [b, c]"),
         "Error: {file}:11: layers[0].bias: 2 biases for 1 neuron (expected one shared name or 1 name)"),
    case("names-template-unknown-field",
         edit(NET, "      values: [[0.1]]", "      names: w{foo}\n      values: [[0.1]]"),
         "Error: {file}:10: layers[0].weights.names: names template 'w{foo}' cannot be filled in (expected a "
         "template using {layer}, {i} and {j}, such as w{layer}_{i}_{j})"),
    # --- names that are not defined -----------------------------------------------------------------------
    case("formula-names-undefined", edit(EQ, "w2*h1", "w2*hh1"),
         f"Error: {{file}}:7: equations.o1: 'hh1' is not defined ({DEFINED}). Did you mean 'h1'?"),
    case("formula-names-undefined-no-close-name", edit(EQ, "w2*h1", "w2*h1 + q"),
         f"Error: {{file}}:7: equations.o1: 'q' is not defined ({DEFINED})"),
    case("edge-from-undefined", edit(EDGES, "x1 -> h1 = 0.1", "x11 -> h1 = 0.1"),
         "Error: {file}:8: edges.w1: edge from 'x11', which is neither an input nor a neuron (expected an input "
         "or neuron name). Did you mean 'x1'?"),
    case("edge-into-undefined", edit(EDGES, "x2 -> h1 = 0.2", "x2 -> hh1 = 0.2"),
         "Error: {file}:9: edges.w2: edge into 'hh1', which is not a neuron (expected one of: h1, o1). "
         "Did you mean 'h1'?"),
    case("edge-unreadable", edit(EDGES, "x1 -> h1 = 0.1", "x1 => h1"),
         "Error: {file}:8: edges.w1: cannot read edge 'x1 => h1' (expected 'from -> to' or 'from -> to = value')"),
    case("output-not-a-node", edit(NET, "outputs: {h1: y}", "outputs: {h1: y, h2: y}"),
         "Error: {file}:12: outputs.h2: 'h2' is not a node of the network (expected an output neuron's name)"),
    case("output-target-undefined", edit(NET, "outputs: {h1: y}", "outputs: {h1: yy}"),
         "Error: {file}:12: outputs.h1: output 'h1' has no target: 'yy' is not among the targets (expected one "
         "of: y). Did you mean 'y'?"),
    case("loss-formula-names-undefined", edit(drop(NET, *LOSS_LINES), "loss:", "loss:\n  formula: (h1 - yy)^2"),
         f"Error: {{file}}:14: loss.formula: 'yy' is not defined ({DEFINED}). Did you mean 'y'?"),
    # --- cycles -------------------------------------------------------------------------------------------
    case("cycle", edit(EQ, "h1: sigmoid(w1*x1 + b)", "h1: w1*x1 + b + o1", "o1: sigmoid(w2*h1)", "o1: w2*h1"),
         "Error: {file}:6: equations.h1: cycle: h1 -> o1 -> h1 (expected formulas without cycles)"),
    case("cycle-of-one", edit(EQ, "h1: sigmoid(w1*x1 + b)", "h1: w1*x1 + b + h1"),
         "Error: {file}:6: equations.h1: cycle: h1 -> h1 (expected formulas without cycles)"),
    case("cycle-through-activations", edit(EQ, "sigmoid(w1*x1 + b)", "sigmoid(w1*o1 + b)"),
         "Error: {file}:6: equations.h1: cycle: h1 -> o1 -> h1 (expected formulas without cycles)"),
    case("cycle-of-edges", edit(EDGES, "w2: x2 -> h1", "w2: o1 -> h1"),
         "Error: {file}:5: neurons.h1: cycle through neuron 'h1' (expected edges that only go forward)"),
    case("softmax-in-two-layers-without-group", edit(EDGES, "activation: tanh", "activation: softmax",
                                                     "activation: sigmoid", "activation: softmax"),
         "Error: {file}:5: neurons.h1: softmax neurons 'h1' and 'o1' form one softmax group, but 'h1' feeds 'o1' "
         "(expected a group for the softmax neurons of each layer, e.g. group: hidden and group: output; without "
         "group, all softmax neurons form one)"),
    # --- outputs and targets ------------------------------------------------------------------------------
    case("output-without-target", edit(NET, "outputs: {h1: y}", "outputs: {}"),
         "Error: {file}:12: outputs: output 'h1' has no target (expected an entry 'h1: <target name>')"),
    case("no-outputs", drop(NET, "outputs: {h1: y}"),
         "Error: {file}:1: outputs: missing required key (expected outputs: a mapping of each output node to its "
         "target name)"),
    case("cross-entropy-target-above-one", bce("0.5", "2"),
         "Error: {file}:3: targets.y: binary_cross_entropy target 2 is outside [0, 1] (expected a value in [0, 1])"),
    case("cross-entropy-target-below-zero", bce("0.5", "-0.5"),
         "Error: {file}:3: targets.y: binary_cross_entropy target -0.5 is outside [0, 1] (expected a value in "
         "[0, 1])"),
    case("cross-entropy-prediction-exactly-0", bce("-1000", "1"),
         f"Error: {{file}}:13: loss: L_h1: prediction of exactly 0 where a log would be taken (value 0) ({DOMAIN})"),
    case("cross-entropy-prediction-exactly-1", bce("1000", "0"),
         f"Error: {{file}}:13: loss: L_h1: prediction of exactly 1 where a log would be taken (value 1) ({DOMAIN})"),
    # --- numbers out of range -----------------------------------------------------------------------------
    case("nan", edit(NET, "x1: 0.5", "x1: .nan"),
         "Error: {file}:2: inputs.x1: non-finite number nan (expected a finite number)"),
    case("inf", edit(NET, "x1: 0.5", "x1: .inf"),
         "Error: {file}:2: inputs.x1: non-finite number inf (expected a finite number)"),
    case("minus-inf", edit(NET, "learning_rate: 0.5", "learning_rate: -.inf"),
         "Error: {file}:18: training.learning_rate: non-finite number -inf (expected a finite number)"),
    case("absurdly-large", edit(NET, "values: [[0.1]]", "values: [[1e300]]"),
         "Error: {file}:10: layers[0].weights.values[0][0]: number 1e+300 is too large (expected a magnitude at "
         "most 1e+06)"),
    case("too-large-for-a-float", edit(NET, "x1: 0.5", "x1: 1e400"),
         "Error: {file}:2: inputs.x1: number 1e400 is too large to represent (expected a number of sensible size)"),
    case("integer-too-long", edit(NET, "x1: 0.5", "x1: " + "9" * 5000),
         "Error: {file}:2: inputs.x1: number with 5000 digits is too long (expected a number of sensible size)"),
    case("edge-value-nan", edit(EDGES, "x1 -> h1 = 0.1", "x1 -> h1 = nan"),
         "Error: {file}:8: edges.w1: non-finite number nan (expected a finite number)"),
    case("edge-value-absurdly-large", edit(EDGES, "x1 -> h1 = 0.1", "x1 -> h1 = 1e300"),
         "Error: {file}:8: edges.w1: number 1e+300 is too large (expected a magnitude at most 1e+06)"),
    # --- missing required keys ----------------------------------------------------------------------------
    case("missing-title", drop(NET, "title:"),
         "Error: {file}:1: title: missing required key (expected 'title' in the top level)"),
    case("missing-loss", drop(NET, "loss:", *LOSS_LINES),
         "Error: {file}:1: loss: missing required key (expected 'loss' in the top level)"),
    case("missing-training", drop(NET, "training:", "learning_rate:"),
         "Error: {file}:1: training: missing required key (expected 'training' in the top level)"),
    case("missing-learning-rate", edit(NET, "learning_rate: 0.5", "frozen: [b]"),
         "Error: {file}:18: training.learning_rate: missing required key (expected 'learning_rate' in training)"),
    case("missing-layer-weights", drop(NET, "weights:", "orientation:", "values:"),
         "Error: {file}:6: layers[0].weights: missing required key (expected 'weights' in layers[0])"),
    case("missing-weight-values", drop(NET, "values:"),
         "Error: {file}:9: layers[0].weights.values: missing required key (expected 'values' in "
         "layers[0].weights)"),
    case("missing-reduction", drop(NET, "reduction: sum"),
         "Error: {file}:14: loss.reduction: missing required key (expected 'reduction' in loss)"),
    case("missing-factor", drop(NET, "factor: 0.5"),
         "Error: {file}:14: loss.factor: missing required key (expected factor: 0.5 or 1, the constant in front "
         "of (ŷ − y)²)"),
    # --- formulas -----------------------------------------------------------------------------------------
    case("formula-syntax-error", edit(EQ, "sigmoid(w1*x1 + b)", "sigmoid(w1*x1 + )"),
         f"Error: {{file}}:6: equations.h1: formula syntax error at column 17: invalid syntax: "
         f"'sigmoid(w1*x1 + )' ({FORMULA})"),
    case("formula-double-caret", edit(EQ, "sigmoid(w2*h1)", "sigmoid(w2^^h1)"),
         f"Error: {{file}}:7: equations.o1: formula syntax error at column 12: invalid syntax: 'sigmoid(w2^^h1)' "
         f"({FORMULA})"),
    case("formula-missing-operator", edit(EQ, "sigmoid(w1*x1 + b)", "sigmoid(w1 x1 + b)"),
         f"Error: {{file}}:6: equations.h1: formula syntax error at column 9: invalid syntax: "
         f"'sigmoid(w1 x1 + b)' ({FORMULA})"),
    case("formula-unknown-function", edit(EQ, "sigmoid(w1*x1 + b)", "sigmod(w1*x1 + b)"),
         f"Error: {{file}}:6: equations.h1: unknown function 'sigmod' at column 1 of 'sigmod(w1*x1 + b)' "
         f"(expected one of: {FUNCTIONS}). Did you mean 'sigmoid'?"),
    case("formula-is-not-python", edit(EQ, "sigmoid(w1*x1 + b)", "__import__('os').system('touch PWNED')"),
         "Error: {file}:6: equations.h1: unknown function '__import__('os').system' at column 1 of "
         f"\"__import__('os').system('touch PWNED')\" (expected one of: {FUNCTIONS})"),
    case("formula-attribute", edit(EQ, "sigmoid(w1*x1 + b)", "x1.real"),
         f"Error: {{file}}:6: equations.h1: 'x1.real' is not allowed in a formula at column 1 of 'x1.real' "
         f"({ANY_FORMULA})"),
    case("formula-comparison", edit(EQ, "sigmoid(w2*h1)", "w2 < h1"),
         f"Error: {{file}}:7: equations.o1: 'w2 < h1' is not allowed in a formula at column 1 of 'w2 < h1' "
         f"({ANY_FORMULA})"),
    case("formula-double-star-argument", edit(EQ, "sigmoid(w1*x1 + b)", "sigmoid(**x1)"),
         f"Error: {{file}}:6: equations.h1: '**x1' is not allowed in a formula at column 9 of 'sigmoid(**x1)' "
         f"({ANY_FORMULA})"),
    case("formula-nested-too-deep", edit(EQ, "sigmoid(w1*x1 + b)", "-" * 5000 + "x1"),
         "Error: {file}:6: equations.h1: formula nested more than 100 deep "
         "(expected at most 100 levels of brackets, functions and powers)"),
    case("formula-arity", edit(EQ, "sigmoid(w2*h1)", "sigmoid(w2, h1)"),
         "Error: {file}:7: equations.o1: sigmoid() takes 1 argument(s), got 2 at column 1 of 'sigmoid(w2, h1)' "
         "(expected 1 argument(s))"),
    case("formula-unknown-keyword", edit(EQ, "sigmoid(w1*x1 + b)", "leaky_relu(w1*x1 + b, slop=0.1)"),
         "Error: {file}:6: equations.h1: leaky_relu() has no parameter 'slop' at column 1 of "
         "'leaky_relu(w1*x1 + b, slop=0.1)' (expected one of: slope)"),
    case("formula-not-a-string", edit(EQ, "sigmoid(w1*x1 + b)", "[w1, x1]"),
         f"Error: {{file}}:6: equations.h1: got a non-formula value ({FORMULA})"),
    # --- parameters ---------------------------------------------------------------------------------------
    case("parameter-without-value", edit(NET, "params: {b: 0.1}", "params: {}"),
         "Error: {file}:6: layers[0].neurons[0]: parameter 'b' has no value (expected a value in params: "
         "(b: 0.5) or on its edge)"),
    case("parameter-with-two-values", edit(NET, "params: {b: 0.1}", "params: {b: 0.1, w1_1_1: 0.3}"),
         "Error: {file}:10: layers[0].weights.values[0][0]: parameter 'w1_1_1' is given two values, 0.3 (line 4) "
         "and 0.1 (expected one value per parameter)"),
    case("parameter-with-two-values-on-edges",
         edit(EDGES, "w3: h1 -> o1 = 0.3", "w3: [h1 -> o1 = 0.3, x1 -> o1 = 0.4]"),
         "Error: {file}:10: edges.w3[1]: parameter 'w3' is given two values, 0.3 (line 10) and 0.4 (expected one "
         "value per parameter)"),
    case("parameter-unused", edit(EQ, "b: 0.0}", "b: 0.0, c: 1.0}"),
         "Error: {file}:4: params.c: parameter 'c' is not used anywhere (expected every parameter to appear in "
         "the network or loss)"),
    case("parameter-also-an-equation", edit(EQ, "  o1: sigmoid(w2*h1)", "  w1: x1 * 2\n  o1: sigmoid(w2*h1)"),
         "Error: {file}:7: equations.w1: name 'w1' is defined twice (expected each name defined once)"),
    # --- the network's form -------------------------------------------------------------------------------
    case("two-network-forms", edit(EQ, "outputs: {o1: y}", "layers: []\noutputs: {o1: y}"),
         "Error: {file}:5: equations: a network must be written one way (expected exactly one of layers, edges "
         "(with neurons), or equations)"),
    case("no-network-form", drop(EQ, "equations:", "h1: sigmoid", "o1: sigmoid"),
         "Error: {file}:1: no network (expected exactly one of layers, edges (with neurons), or equations)"),
    case("edges-without-neurons", drop(EDGES, "neurons:", "h1: {activation", "o1: {activation"),
         "Error: {file}:4: edges: 'edges' without 'neurons' (expected neurons: {h1: {activation: sigmoid}})"),
    # --- samples ------------------------------------------------------------------------------------------
    case("samples-with-different-inputs", edit(BATCH, "  - inputs: {x1: 0.0}", "  - inputs: {x2: 0.0}"),
         "Error: {file}:5: samples[1].inputs: sample 2 has inputs x2 but sample 1 has x1 (expected the same "
         "input names in every sample)"),
    case("sample-without-targets", drop(BATCH, "targets: {y: 0}"),
         "Error: {file}:5: samples[1].targets: sample 2 has no targets (expected the same targets in every "
         "sample)"),
    case("first-sample-without-targets", drop(BATCH, "targets: {y: 1}"),
         "Error: {file}:5: samples[1].targets: sample 2 has targets y but sample 1 has none (expected the same target "
         "names in every sample)"),
    case("samples-beside-inputs", edit(BATCH, "samples:", "inputs: {x1: 1}\nsamples:"),
         "Error: {file}:2: inputs: 'inputs' given beside 'samples' (expected either inputs and targets, or "
         "samples)"),
    case("no-samples", edit(drop(BATCH, "- inputs: {x1: 1.0}", "targets: {y: 1}", "- inputs: {x1: 0.0}",
                                 "targets: {y: 0}"), "samples:", "samples: []"),
         "Error: {file}:2: samples: no samples (expected at least one sample)"),
    case("input-and-target-of-one-name", edit(NET, "targets: {y: 1}", "targets: {y: 1, x1: 0}"),
         "Error: {file}:3: targets.x1: 'x1' is both an input and a target (expected distinct names)"),
    # --- training -----------------------------------------------------------------------------------------
    case("frozen-names-a-non-parameter", edit(NET, "  learning_rate: 0.5", "  frozen: [b, x1]\n  learning_rate: 0.5"),
         "Error: {file}:18: training.frozen[1]: 'x1' is not a parameter (expected one of: b, w1_1_1)"),
    case("frozen-names-a-non-parameter-in-a-block-list",
         edit(NET, "  learning_rate: 0.5", "  learning_rate: 0.5\n  frozen:\n    - b\n    - x1"),
         "Error: {file}:21: training.frozen[1]: 'x1' is not a parameter (expected one of: b, w1_1_1)"),
    case("frozen-misspelt", edit(NET, "  learning_rate: 0.5", "  frozen: [bb]\n  learning_rate: 0.5"),
         "Error: {file}:18: training.frozen[0]: 'bb' is not a parameter (expected one of: b, w1_1_1). "
         "Did you mean 'b'?"),
    # --- values that leave a function's domain ------------------------------------------------------------
    case("log-of-negative", edit(EQ, "  o1: sigmoid(w2*h1)", "  q: log(x1 - 1)\n  o1: sigmoid(w2*h1 + q)"),
         f"Error: {{file}}:7: equations.q: log of a non-positive number (value -0.5) ({DOMAIN})"),
    case("division-by-zero", edit(EQ, "  o1: sigmoid(w2*h1)", "  q: h1 / b\n  o1: sigmoid(w2*h1 + q)"),
         f"Error: {{file}}:7: equations.q: division by zero (value 0) ({DOMAIN})"),
    case("sqrt-of-negative", edit(EQ, "  o1: sigmoid(w2*h1)", "  q: sqrt(b - 1)\n  o1: sigmoid(w2*h1 + q)"),
         f"Error: {{file}}:7: equations.q: square root of a negative number (value -1) ({DOMAIN})"),
    case("overflow", edit(EQ, "  o1: sigmoid(w2*h1)", "  q: exp(exp(exp(x1*10)))\n  o1: sigmoid(w2*h1 + q)"),
         "Error: {file}:7: equations.q: the value is not finite (overflow) (expected inputs and weights of a "
         "sensible size)"),
    case("log-in-loss-formula", edit(drop(NET, *LOSS_LINES), "loss:", "loss:\n  formula: log(h1 - 1)"),
         f"Error: {{file}}:14: loss.formula: L: log of a non-positive number (value -0.46257) ({DOMAIN})"),
]


@pytest.mark.parametrize("name", BASES)
def test_each_base_problem_solves(tmp_path, monkeypatch, name: str) -> None:
    """So that every error below comes from the one edit its case makes."""
    result = solve(tmp_path, monkeypatch, BASES[name])
    assert (result.exit_code, result.stderr) == (0, "")


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_bad_input_gets_one_exact_line(tmp_path, monkeypatch, text: str, expected: str) -> None:
    result = solve(tmp_path, monkeypatch, text)
    assert not (tmp_path / "PWNED").exists()  # nothing in a problem file is ever executed
    assert_one_line(result, expected.replace("{file}", FILE))


@pytest.mark.parametrize(("content", "expected"), [
    pytest.param(None, "Error: {file}: no such file (expected an existing YAML problem file)", id="no-such-file"),
    pytest.param("dir", "Error: {file}: is a directory (expected a YAML problem file)", id="directory"),
    pytest.param(b"title: \xff\xfe\n", "Error: {file}: cannot read file: 'utf-8' codec can't decode byte 0xff in "
                 "position 7: invalid start byte (expected a UTF-8 text file)", id="not-utf-8"),
])
def test_unreadable_file(tmp_path, monkeypatch, content, expected: str) -> None:
    if content == "dir":
        (tmp_path / FILE).mkdir(parents=True)
        content = None
    assert_one_line(solve(tmp_path, monkeypatch, content), expected.replace("{file}", FILE))


def test_file_is_named_as_given(tmp_path, monkeypatch) -> None:
    (tmp_path / "a").mkdir()
    result = solve(tmp_path, monkeypatch, drop(NET, "title:"), file="a/../a/./q.yaml")
    assert_one_line(result, "Error: a/../a/./q.yaml:1: title: missing required key (expected 'title' in the top "
                            "level)")


def test_yaml_tags_are_never_executed(tmp_path, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a problem file ran a command")

    monkeypatch.setattr(os, "system", refuse)
    for text in ('!!python/object/apply:os.system ["touch PWNED"]\n',
                 'title: !!python/object/new:os.system ["touch PWNED"]\n',
                 'title: !!python/object/apply:subprocess.call [["touch", "PWNED"]]\n'):
        result = solve(tmp_path, monkeypatch, text)
        assert result.exit_code == ExitCode.INVALID_INPUT
        assert "is not allowed" in result.stderr
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("levels", [9, 30])
def test_alias_bomb_is_refused_quickly(tmp_path, monkeypatch, levels: int) -> None:
    start = time.perf_counter()
    result = solve(tmp_path, monkeypatch, laughs(levels))
    assert time.perf_counter() - start < 2
    assert_one_line(result, f"Error: {FILE}:2: YAML alias '*l0' is not supported ({ALIASES})")


def test_traceback_only_on_request(tmp_path, monkeypatch) -> None:
    text = edit(NET, "activation: sigmoid", "activation: sigmod")
    result = solve(tmp_path, monkeypatch, text, "--traceback")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stdout == ""
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "ProblemError" in result.stderr
    assert result.stderr.splitlines()[-1].startswith(f"Error: {FILE}:7: layers[0].activation: unknown activation")


def _crash(problem):
    raise RuntimeError("engine exploded")


def test_internal_error_is_one_line_with_a_hint(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(engine, "solve", _crash)
    result = solve(tmp_path, monkeypatch, NET)
    assert_one_line(result, "Error: internal error: RuntimeError: engine exploded (re-run with --traceback and "
                            "report it)", ExitCode.INTERNAL)


def test_internal_error_with_traceback(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(engine, "solve", _crash)
    result = solve(tmp_path, monkeypatch, NET, "--traceback")
    assert result.exit_code == ExitCode.INTERNAL
    assert result.stdout == ""
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "RuntimeError: engine exploded" in result.stderr
    assert result.stderr.splitlines()[-1] == ("Error: internal error: RuntimeError: engine exploded (re-run with "
                                              "--traceback and report it)")


def test_internal_error_stays_one_line(tmp_path, monkeypatch) -> None:
    def crash(problem):
        raise RuntimeError("first line\nsecond line")

    monkeypatch.setattr(engine, "solve", crash)
    result = solve(tmp_path, monkeypatch, NET)
    assert_one_line(result, "Error: internal error: RuntimeError: first line second line (re-run with --traceback "
                            "and report it)", ExitCode.INTERNAL)


def test_usage_error_exits_2(tmp_path, monkeypatch) -> None:
    result = solve(tmp_path, monkeypatch, NET, "--precision", "many")
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("Error: Invalid value for '--precision'")
