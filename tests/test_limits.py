"""Hostile, huge and unlucky input: a clear error or a documented limit, never a crash or a hang.

Each test reproduces one report of issue 10: it ended in an internal error (exit 70), never
finished, or took minutes. Every run here goes through the CLI in this process (helpers.invoke),
which also asserts that no traceback is printed.
"""
from __future__ import annotations

import time

import pytest

from backprop_cli.errors import ExitCode

from helpers import invoke


def run(tmp_path, text: str, *args: str, name: str = "q.yaml"):
    """`backprop solve q.yaml ARGS` on a file holding text; the result."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return invoke("solve", str(path), *args)


def equations(*eqs: tuple[str, str], params: str = "{w: 0.5}", lr: float = 0.1, x: float = 2.0) -> str:
    """A network written as equations, the last one the output against y."""
    body = "".join(f'  {name}: "{formula}"\n' for name, formula in eqs)
    return (f"title: t\ninputs: {{x: {x}}}\ntargets: {{y: 1}}\nparams: {params}\nequations:\n{body}"
            f"outputs: {{{eqs[-1][0]}: y}}\nloss: {{type: squared_error, factor: 0.5, reduction: sum}}\n"
            f"training: {{learning_rate: {lr}}}\n")


def one_layer(extra: str = "", loss: str = "{type: squared_error, factor: 0.5, reduction: sum}",
              names: str = "") -> str:
    """One identity neuron o = w·x (+ extra keys in the layer) against target y."""
    return (f"title: t\ninputs: {{x: 2.0}}\ntargets: {{y: 1}}\nlayers:\n  - neurons: [o]\n    activation: identity\n"
            f"    weights: {{orientation: inputs_by_neurons, values: [[0.5]]{names}}}\n{extra}"
            f"outputs: {{o: y}}\nloss: {loss}\ntraining: {{learning_rate: 0.1}}\n")


def error_of(result) -> str:
    """The one error line of a failed run, which must be a clear error (exit 3)."""
    assert result.exit_code == ExitCode.INVALID_INPUT, result.stderr
    assert result.stderr.startswith("Error: ") and "internal error" not in result.stderr
    return result.stderr


# ---------------------------------------------------------------- internal errors that are clear errors

POWER_OF_A_NON_POSITIVE_BASE = [
    ("expression", "title: t\ninputs: {x: 2.0}\nexpression: \"(-2)^x\"\n"),
    ("expression-zero", "title: t\ninputs: {x: 1.0}\nexpression: \"0^x\"\n"),
    ("expression-step", "title: t\ninputs: {x: 2.5}\nexpression: [\"q = (-2)^x + 1\"]\n"),
    ("equations", equations(("h", "(-2)^(w*x)"))),
    ("equations-zero", equations(("h", "0^(w*x)"))),
    ("layers-loss-formula", one_layer(loss='{formula: "(-2)^o"}')),
    ("layers-loss-formula-zero", one_layer(loss='{formula: "0^o"}')),
]


@pytest.mark.parametrize("text", [t for _, t in POWER_OF_A_NON_POSITIVE_BASE],
                         ids=[i for i, _ in POWER_OF_A_NON_POSITIVE_BASE])
def test_a_power_of_a_non_positive_base_with_a_variable_exponent_is_a_clear_error(tmp_path, text):
    message = error_of(run(tmp_path, text))
    assert "non-positive" in message and "q.yaml:" in message


@pytest.mark.parametrize("text", [
    one_layer(extra="    bias: y\n"),
    one_layer(names=", names: [[y]]"),
    "title: t\ninputs: {x: 2.0}\ntargets: {y: 1}\nneurons: {o: {activation: sigmoid}}\nedges: {y: x -> o = 0.5}\n"
    "outputs: {o: y}\nloss: {type: squared_error, factor: 0.5, reduction: sum}\ntraining: {learning_rate: 0.1}\n",
    "title: t\ninputs: [x]\ntargets: [y]\nneurons: {o: {activation: sigmoid, bias: y}}\nedges: {w: x -> o}\n"
    "outputs: {o: y}\nloss: {type: squared_error, factor: 0.5, reduction: sum}\n",
    equations(("o", "y*x"), params="{y: 0.5}"),
], ids=["bias", "layer-weight", "edge", "symbolic-bias", "equation-parameter"])
def test_a_bias_edge_or_parameter_named_like_a_target_is_a_clear_error(tmp_path, text):
    assert "'y' is both a target and a parameter" in error_of(run(tmp_path, text))


def test_twelve_hundred_equations_in_reverse_order_solve(tmp_path):
    eqs = [(f"h{k}", f"w*{'x' if k == 1 else f'h{k - 1}'}") for k in range(1200, 0, -1)]
    text = equations(*eqs, params="{w: 0.999}", x=0.5, lr=1e-4).replace("outputs: {h1: y}", "outputs: {h1200: y}")
    start = time.perf_counter()
    result = run(tmp_path, text, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert time.perf_counter() - start < 10
    assert '"h1200"' in result.stdout


def test_a_long_chain_of_expression_steps_is_built_in_linear_time(tmp_path):
    steps = "".join(f"  - h{k} = 0.5*h{k - 1} + 1\n" for k in range(2, 2001))
    text = f"title: t\ninputs: {{x: 0.5}}\nexpression:\n  - h1 = 0.5*x\n{steps}"
    start = time.perf_counter()
    result = run(tmp_path, text, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert time.perf_counter() - start < 5


# ---------------------------------------------------------------- overflow: values, gradients and updates

def _product(factors: int, *rest: str) -> str:
    """1000000·1000000·…·rest: a constant of 10^(6·factors), written within the magnitude limit."""
    return "*".join(["1000000"] * factors + list(rest))


@pytest.mark.parametrize(("eq", "params", "lr", "expected"), [
    # ∂L/∂w = (h − y)·10³⁰⁶ with h = 10⁶: the gradient overflows though every value is finite
    (_product(51, "w"), "{w: 1e-300}", 0.1, "equations.h: the gradient ∂L/∂w through h is not finite (overflow)"),
    # ∂L/∂w = 10³⁰³ is finite, η·∂L/∂w is not
    (_product(50, "w"), "{w: 1e-297}", 1e6, "params.w: the update w − η·∂L/∂w is not finite (overflow)"),
    (f"sin({_product(52, 'w')})", "{w: 1}", 0.1, "equations.h: the value is not finite (overflow)"),
    (f"({_product(52, 'w')})^0.5", "{w: 1}", 0.1, "equations.h: the value is not finite (overflow)"),
    ("sin(exp(w*x))", "{w: 500}", 0.1, "equations.h: t1: the value is not finite (overflow)"),
], ids=["gradient", "update", "sin-of-an-overflow", "power-of-an-overflow", "nested-overflow"])
def test_an_overflow_names_the_gradient_update_or_node(tmp_path, eq, params, lr, expected):
    text = equations(("h", eq), params=params, lr=lr)
    message = error_of(run(tmp_path, text))
    assert expected in message, message
    assert "(expected inputs, weights and a learning rate of a sensible size)" in message \
        or "(expected inputs and weights of a sensible size)" in message


def test_a_squared_error_of_a_huge_prediction_is_an_overflow_not_a_crash(tmp_path):
    text = equations(("h", _product(34, "w")), params="{w: 1.0}", x=1.0)  # h = 10²⁰⁴, h² overflows
    assert "L_h: the value is not finite (overflow)" in error_of(run(tmp_path, text))


def test_an_update_that_overflows_the_next_forward_pass_says_so(tmp_path):
    eqs = [(f"h{k}", f"w*{'x' if k == 1 else f'h{k - 1}'}") for k in range(1, 301)]
    message = error_of(run(tmp_path, equations(*eqs, params="{w: 0.999}", x=0.5, lr=1.0)))
    assert ": after the update: the value is not finite (overflow) (expected a smaller learning rate" in message


# ---------------------------------------------------------------- differentiating deep formulas

def _nest(depth: int, outer: str, inner: str = "w*x") -> str:
    """outer(outer(…outer(inner)…)), depth times; outer holds {} where the argument goes."""
    formula = inner
    for _ in range(depth):
        formula = outer.format(formula)
    return formula


@pytest.mark.parametrize("formula", [
    _nest(96, "sigmoid({})"),
    _nest(97, "({})^1.01"),
    _nest(97, "w^({})", inner="x"),
    _nest(32, "tanh(exp({}) - 1)", inner="w*x/4"),
], ids=["sigmoids", "powers", "power-tower", "tanh-exp"])
def test_a_hundred_deep_nest_solves_well_under_a_second_with_right_gradients(formula, fd_grads):
    from backprop_cli.engine import solve
    from backprop_cli.load.document import load_problem_text

    start = time.perf_counter()
    sol = solve(load_problem_text(equations(("h", formula), params="{w: 0.9}", x=0.5), "deep.yaml"))
    assert time.perf_counter() - start < 0.5
    assert len(sol.problem.nodes) > 45  # every nested call is a node of its own, differentiated once
    for name, numeric in fd_grads(sol.problem).items():
        assert sum(sol.grads[name]) == pytest.approx(numeric, rel=1e-6, abs=1e-12)


def test_a_deep_nest_in_the_loss_formula_is_split_too(tmp_path):
    text = one_layer(loss=f'{{formula: "{_nest(30, "log(1 + exp({}))", inner="o - y")}"}}')
    start = time.perf_counter()
    result = run(tmp_path, text)
    assert result.exit_code == 0, result.stderr
    assert time.perf_counter() - start < 3
    assert "t59" in result.stdout and "t60" not in result.stdout  # log and exp of each inner level: 59 nodes


def test_auto_named_nodes_take_no_name_the_file_uses(tmp_path):
    text = equations(("t1", "sigmoid(tanh(w*x) + t3)"), params="{w: 0.5, t3: 0.1}")
    result = run(tmp_path, text)
    assert result.exit_code == 0, result.stderr
    assert "t2     tanh(x·w)" in result.stdout or "t2     tanh(w·x)" in result.stdout


def test_a_cycle_through_a_nested_call_names_the_equation(tmp_path):
    text = equations(("h", "sigmoid(w*sigmoid(h + x))"))
    assert error_of(run(tmp_path, text)).endswith("equations.h: cycle: h -> h (expected formulas without cycles)\n")


@pytest.mark.parametrize("factors", [300, 40_000])
def test_a_derivative_too_large_to_write_is_refused_early(tmp_path, factors):
    start = time.perf_counter()
    message = error_of(run(tmp_path, equations(("h", "*".join(["w"] * factors)), params="{w: 1.0}")))
    assert time.perf_counter() - start < 5
    assert message.endswith(":6: equations.h: the derivative ∂h/∂w has more than 2000 parts (expected a formula "
                            "split into several nodes, each short enough to differentiate by hand)\n")


# ---------------------------------------------------------------- a softmax over many classes

def softmax_layer(n: int, hot: int = 2) -> str:
    """Two inputs, one softmax layer of n classes (weights from a fixed pattern), categorical cross-entropy."""
    rows = "\n".join(f"        - [{((7 * k) % 19 - 9) / 10}, {((5 * k) % 13 - 6) / 10}]" for k in range(n))
    targets = ", ".join(f"y{k}: {int(k == hot)}" for k in range(1, n + 1))
    outputs = ", ".join(f"p{k}: y{k}" for k in range(1, n + 1))
    neurons = ", ".join(f"{{z: z{k}, a: p{k}}}" for k in range(1, n + 1))
    return (f"title: softmax over {n}\ninputs: {{x1: 1.0, x2: -2.0}}\ntargets: {{{targets}}}\nlayers:\n"
            f"  - neurons: [{neurons}]\n    activation: softmax\n    weights:\n"
            f"      orientation: neurons_by_inputs\n      values:\n{rows}\noutputs: {{{outputs}}}\n"
            f"loss: {{type: categorical_cross_entropy, reduction: sum}}\ntraining: {{learning_rate: 0.5}}\n")


def test_a_large_softmax_group_gets_the_closed_form_with_the_same_gradients(monkeypatch):
    from backprop_cli import engine, softmax
    from backprop_cli.engine import solve
    from backprop_cli.load.document import load_problem_text

    problem = load_problem_text(softmax_layer(12), "s.yaml")
    closed = solve(problem)
    assert all(s.softmax is not None and not s.terms for s in closed.steps if getattr(s, "kind", "") == "z")
    monkeypatch.setattr(engine, "SOFTMAX_JACOBIAN", 100)  # the full Jacobian, term by term
    monkeypatch.setattr(softmax, "SOFTMAX_JACOBIAN", 100)
    full = solve(load_problem_text(softmax_layer(12), "s.yaml"))
    assert all(s.softmax is None and len(s.terms) == 12 for s in full.steps if getattr(s, "kind", "") == "z")
    for name, grads in full.grads.items():
        assert closed.grads[name] == pytest.approx(grads, rel=1e-12, abs=1e-15), name
    assert closed.new_params == pytest.approx(full.new_params, rel=1e-12)
    from backprop_cli.formula.calculus import evaluate

    row = closed.sample_values(0)  # the group is computed at once, with the registry's very arithmetic
    assert all(evaluate(n.formula, row) == row[n.name] for n in problem.nodes if n.name.startswith("p"))


def test_softmax_over_300_classes_is_solved_in_seconds_in_every_format(tmp_path):
    import json

    import jsonschema

    from problem_files import ROOT

    path = tmp_path / "s.yaml"
    path.write_text(softmax_layer(300), encoding="utf-8")
    start = time.perf_counter()
    text = invoke("solve", str(path), "--width", "120", "--full").stdout  # 600 weights: --full, as scalar steps
    assert time.perf_counter() - start < 20
    assert "  S = p1·∂L/∂p1 + p2·∂L/∂p2 + … + p300·∂L/∂p300 = " in text  # once, before the first δ
    assert text.count("S = p1·") == 1 and "  ∂L/∂z7 = p7·(∂L/∂p7 − S) = " in text
    assert "softmax_1(z1, z2, …, z300)" in text  # the forward pass names the group, not 300 values per row
    markdown = invoke("solve", str(path), "--format", "markdown", "--full").stdout
    assert "\\ldots" in markdown and "p_{7} \\cdot \\left(" in markdown
    document = json.loads(invoke("solve", str(path), "--format", "json", "--full").stdout)
    schema = json.loads((ROOT / "backprop_cli" / "schemas" / "solution.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)
    z7 = next(item for item in document["backward"] if item["node"] == "z7")
    assert (z7["terms"], z7["softmax"]["group_size"], z7["softmax"]["formula"]) == ([], 300, "p7·(∂L/∂p7 − S)")
    p7, y7 = next(item["values"][0] for item in document["forward"] if item["node"] == "p7"), 0.0
    assert z7["values"][0] == pytest.approx(p7 - y7, rel=1e-12)  # δ = p − y, as the shortcut says


@pytest.mark.parametrize(("text", "expected"), [
    (softmax_layer(1001), "layers[0].neurons: softmax over 1001 components is too large"),
    (equations(("s", f"softmax(x, [x, {', '.join(f'a{k}' for k in range(1001))}])")),
     ":6: equations.s: softmax over 1002 components is too large"),
], ids=["layer", "equation"])
def test_a_softmax_group_beyond_the_limit_is_refused_before_it_is_built(tmp_path, text, expected):
    start = time.perf_counter()
    message = error_of(run(tmp_path, text))
    assert time.perf_counter() - start < 5
    assert expected in message and "(expected at most 1000 components in one softmax group)" in message


# ---------------------------------------------------------------- a large batch: the first samples and totals

def batch(n: int) -> str:
    """The tiny network of test_cli_errors over n samples."""
    rows = "".join(f"  - inputs: {{x1: {k / n:.4f}}}\n    targets: {{y: {k % 2}}}\n" for k in range(n))
    return (f"title: a batch of {n}\nsamples:\n{rows}params: {{w: 0.5}}\nequations: {{p: sigmoid(w*x1)}}\n"
            "outputs: {p: y}\nloss: {type: binary_cross_entropy, reduction: sum}\ntraining: {learning_rate: 1.0}\n")


@pytest.mark.parametrize("fmt", ["terminal", "markdown"])
def test_a_batch_beyond_ten_samples_shows_the_first_three_unless_full(tmp_path, fmt):
    path = tmp_path / "b.yaml"
    path.write_text(batch(12), encoding="utf-8")
    tag = (lambda s: f"p [{s}]") if fmt == "terminal" else (lambda s: f"p}}^{{({s})}}")
    short = invoke("solve", str(path), "--format", fmt).stdout
    assert tag(3) in short and tag(4) not in short
    assert "samples 1 to 3 of 12 are shown, and totals over all (--full shows every sample)" in short.lower()
    assert "…" in short or "\\ldots" in short  # the batch loss and each ∂L/∂p summed over all 12
    full = invoke("solve", str(path), "--format", fmt, "--full").stdout
    assert tag(12) in full and "--full" not in full
    ten = path.with_name("ten.yaml")
    ten.write_text(batch(10), encoding="utf-8")
    assert tag(10) in invoke("solve", str(ten), "--format", fmt).stdout  # up to 10, every sample


def test_json_always_has_every_sample(tmp_path):
    import json

    path = tmp_path / "b.yaml"
    path.write_text(batch(12), encoding="utf-8")
    document = json.loads(invoke("solve", str(path), "--format", "json").stdout)
    assert len(document["given"]["inputs"]["x1"]) == 12
    assert all(len(item["values"]) == 12 for item in document["forward"])


def test_ten_thousand_samples_on_mazurs_network_are_summarised_in_seconds(in_root):
    import dataclasses

    from backprop_cli.engine import solve
    from backprop_cli.load.document import load_problem
    from backprop_cli.render import terminal

    mazur = load_problem("problems/mazur.yaml")
    n = 10_000
    inputs = {"i1": tuple((k % 97) / 97 for k in range(n)), "i2": tuple((k % 89) / 89 for k in range(n))}
    targets = {"target_o1": (0.01,) * n, "target_o2": (0.99,) * n}
    problem = dataclasses.replace(mazur, inputs=inputs, targets=targets)
    start = time.process_time()
    sol = solve(problem)
    text = terminal.render(sol, width=100)
    assert time.process_time() - start < 20  # was 366 s
    assert "net_h1 [3]" in text and "net_h1 [4]" not in text
    assert "samples 1 to 3 of 10000 are shown" in text
    assert "+ … +" in text and ")/10000" in text


# ---------------------------------------------------------------- progress

def test_long_work_reports_its_progress_by_stage(tmp_path):
    from backprop_cli import progress
    from backprop_cli.engine import solve
    from backprop_cli.load.document import load_problem
    from backprop_cli.render import terminal

    path = tmp_path / "b.yaml"
    path.write_text(batch(400), encoding="utf-8")
    seen: list = []
    with progress.watched(lambda stage, done, total: seen.append((stage, done, total))):
        terminal.render(solve(load_problem(path)))
    stages = list(dict.fromkeys(stage for stage, _, _ in seen))
    assert stages == [f"reading {path}", "forward pass", "backward pass", "writing the solution"]
    assert all(total is None or 0 <= done <= total for _, done, total in seen)
    progress.report("after", 1, 2)  # no listener: nothing happens


def test_the_progress_bar_shows_only_on_a_terminal_after_a_second(monkeypatch):
    import io
    import sys

    from backprop_cli import cli, progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for tty, wait in [(False, 1.5), (True, 0.2), (True, 1.5)]:
        err = Terminal() if tty else io.StringIO()
        monkeypatch.setattr(sys, "stderr", err)
        with cli.solve._progress_bar():
            progress.report("forward pass", 1, 4)
            time.sleep(wait)
        shown = "forward pass" in err.getvalue()
        assert shown == (tty and wait > 1), (tty, wait)


# ---------------------------------------------------------------- every error of a file in one run

THREE_TYPOS = """\
title: t
inputs: {x1: 0.5}
targets: {y: 1}
layers:
  - neurons: [h1]
    activation: sigmod
    weights: {orientation: inputs_by_neuron, values: [[0.1]]}
outputs: {h1: y}
loss: {type: squared_eror, factor: 0.5, reduction: sum}
trainig: {learning_rate: 0.5}
"""


def test_three_misspelt_names_are_three_lines_of_one_run(tmp_path):
    lines = error_of(run(tmp_path, THREE_TYPOS)).splitlines()
    file = tmp_path / "q.yaml"
    assert lines == [
        f"Error: {file}:10: trainig: unknown key 'trainig' (expected one of: ask, description, edges, equations, "
        "expression, inputs, layers, loss, neurons, output, outputs, params, samples, source, symbols, targets, title, "
        "training, variant, vary). "
        "Did you mean 'training'?",  # and not also 'training: missing required key': one mistake, one line
        f"Error: {file}:6: layers[0].activation: unknown activation 'sigmod' (expected one of: elu, identity, "
        "leaky_relu, relu, sigmoid, silu, softmax, softplus, tanh). Did you mean 'sigmoid'?",
        f"Error: {file}:7: layers[0].weights.orientation: unknown orientation 'inputs_by_neuron' (expected one of: "
        "inputs_by_neurons, neurons_by_inputs). Did you mean 'inputs_by_neurons'?",
        f"Error: {file}:9: loss.type: unknown loss 'squared_eror' (expected one of: binary_cross_entropy, "
        "categorical_cross_entropy, squared_error). Did you mean 'squared_error'?",
    ]


def test_at_most_ten_errors_are_shown_and_the_rest_counted(tmp_path):
    inputs = ", ".join(f"q{k}: '{k}'" for k in range(14))  # fourteen quoted numbers
    text = THREE_TYPOS.replace("inputs: {x1: 0.5}", f"inputs: {{x1: 0.5, {inputs}}}")
    lines = error_of(run(tmp_path, text)).splitlines()
    assert len(lines) == 11 and all(line.startswith("Error: ") for line in lines)
    assert lines[-1] == f"Error: {tmp_path / 'q.yaml'}: 8 more errors not shown (at most 10 are)"


def test_every_misspelt_name_of_an_answer_key_in_one_run(scratch):
    scratch("mazur")
    with open("mazur.key.yaml", "w", encoding="utf-8") as key:
        key.write("values:\n  dE_total/dw55: 0.1\n  out_h3: 0.5\n  E_total: 0.2984\n  w9+: 0.3\n")
    result = invoke("check", "mazur.yaml")
    assert result.exit_code == ExitCode.INVALID_INPUT
    lines = result.stderr.splitlines()
    assert [line.split(": ")[1] for line in lines] == ["mazur.key.yaml:2", "mazur.key.yaml:3", "mazur.key.yaml:5"]
    assert [line.rpartition("Did you mean ")[2] for line in lines] == ["'dE_total/dw5'?", "'out_h2'?", "'w8+'?"]


# ---------------------------------------------------------------- large files

def test_a_file_beyond_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("title: big\ninputs:\n" + "".join(f"  x{k}: 0.5\n" for k in range(200_000)), encoding="utf-8")
    start = time.process_time()
    result = invoke("solve", str(path))
    assert time.process_time() - start < 1
    size = path.stat().st_size
    assert result.stderr == (f"Error: {path}: file of {size} bytes is too large "
                             "(expected at most 2000000 bytes (2 MB))\n")


def test_missing_top_level_keys_of_a_large_file_are_reported_before_it_is_parsed(tmp_path):
    path = tmp_path / "big.yaml"
    body = "".join(f"  x{k}: 0.5\n" for k in range(130_000))  # 1.8 MB: seconds to parse
    path.write_text(f"# a comment\ntitle: big\ninputs:\n{body}targets: {{y: 1}}\ntrainig: {{learning_rate: 1}}\n",
                    encoding="utf-8")
    start = time.process_time()
    lines = error_of(invoke("solve", str(path))).splitlines()
    assert time.process_time() - start < 1  # was 44 s for 3.4 MB
    assert lines[0].startswith(f"Error: {path}:130005: trainig: unknown key 'trainig' (expected one of: ")
    assert lines[1:] == [f"Error: {path}:2: loss: missing required key (expected 'loss' in the top level)"]


@pytest.mark.parametrize("text", ["{title: t}\n", "title: t\n\"loss\": 1\n", "- a\n", "title: t\ntitle: u\n",
                                  "---\ntitle: t\nloss: {}\n", "title: |\n  a\nloss: x\n"])
def test_top_level_keys_are_read_without_parsing_only_when_sure(text):
    from backprop_cli.load.prescan import top_level_keys
    from backprop_cli.load.yamlreader import load_yaml_text

    keys = top_level_keys(text)
    if keys is not None:  # then they are exactly the keys the parser finds, on the same lines
        doc = load_yaml_text(text, "t.yaml")
        assert list(keys) == list(doc) and keys.key_lines == doc.key_lines and keys.line == doc.line
    else:
        assert text.startswith(("{", "-")) or '"loss"' in text or text.count("title:") == 2


# ---------------------------------------------------------------- nothing accepted without a word

NET = """\
title: t
inputs: {x1: 0.5}
targets: {y: 1}
params: {b: 0.1}
layers:
  - neurons: [h1]
    activation: sigmoid
    weights: {orientation: inputs_by_neurons, values: [[0.1]]}
    bias: b
outputs: {h1: y}
loss: {type: squared_error, factor: 0.5, reduction: sum}
training: {learning_rate: 0.5}
"""
ASCENT = "(expected a number ≥ 0, as the learning rate: a negative {} turns gradient descent into ascent)"


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("factor: 0.5", "factor: -0.5", f":11: loss.factor: negative factor -0.5 {ASCENT.format('factor')}"),
    ("loss: {type: squared_error, factor: 0.5, reduction: sum}",
     "loss: {sum: [{type: squared_error, factor: 1, reduction: sum, weight: -2}]}",
     f":11: loss.sum[0].weight: negative weight -2 {ASCENT.format('weight')}"),
    ("learning_rate: 0.5}", "learning_rate: 0.5, frozen: [b, b]}",
     ":12: training.frozen[1]: parameter 'b' is listed twice, first as item 1 (expected each parameter once)"),
    ("training:", "symbols: {h1: 'h_1', h11: 'x', b: '\\\\beta'}\ntraining:",
     ":12: symbols.h11: symbol for 'h11', which is not a name of the problem (expected one of: L, L_h1, b, h1, "
     "w1_1_1, x1, y, z_h1). Did you mean 'h1'?"),
    ("targets: {y: 1}", "targets: {y: 1, y2: 0}",
     ":3: targets.y2: target 'y2' is not used: no output is compared with it (expected an entry '<output>: y2' in "
     "outputs, or no target 'y2')"),
], ids=["negative-factor", "negative-weight", "frozen-twice", "unknown-symbol", "unused-target"])
def test_what_would_be_dropped_or_turned_around_silently_is_an_error(tmp_path, old, new, expected):
    message = error_of(run(tmp_path, NET.replace(old, new)))
    assert message == f"Error: {tmp_path / 'q.yaml'}{expected}\n"


def test_an_edge_value_in_a_problem_without_numbers_is_an_error(tmp_path):
    text = ("title: t\ninputs: [x]\ntargets: [y]\nneurons: {o: {activation: sigmoid}}\nedges:\n  w: x -> o = 0.5\n"
            "  v: [x -> o]\noutputs: {o: y}\nloss: {type: squared_error, factor: 0.5, reduction: sum}\n")
    assert error_of(run(tmp_path, text)).endswith(":6: edges.w: edge value 0.5 in a problem without numbers "
                                                  "(expected names only, 'x1 -> h1', when inputs, targets and params "
                                                  "are lists of names)\n")


def test_categorical_targets_that_do_not_sum_to_one_are_a_warning(tmp_path):
    text = softmax_layer(3).replace("y1: 0, y2: 1, y3: 0", "y1: 0.5, y2: 0.4, y3: 0")
    result = run(tmp_path, text)
    assert result.exit_code == 0
    assert result.stderr == (f"Warning: {tmp_path / 'q.yaml'}:3: targets.y1: the categorical_cross_entropy targets "
                             "of sample 1 sum to 0.9, not 1 (expected a probability for each output, such as a one-hot "
                             "target, so that δ = ŷ − y)\n")
    assert "shortcut" not in result.stdout  # the pair simplifies only for targets summing to 1
    outside = run(tmp_path, softmax_layer(3).replace("y2: 1", "y2: 1.5"))
    assert "categorical_cross_entropy target 1.5 is outside [0, 1]" in error_of(outside)


def test_the_readme_table_states_every_limit(in_root):
    from backprop_cli import limits

    readme = (in_root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Limits", 1)[1].split("\n## ", 1)[0]
    values = {k: v for k, v in vars(limits).items() if k.isupper()}
    assert len(values) == 16
    for name, value in values.items():
        written = "10⁶" if value == 1e6 else f"{value:,}"
        assert f"| {written}" in section or f"{written} " in section, name


def test_a_positive_power_of_zero_is_zero_with_its_derivative(tmp_path):
    result = run(tmp_path, 'title: t\ninputs: {x: 0.0}\nexpression: "x^1.5 + x"\n', "--format", "json")
    assert result.exit_code == 0, result.stderr  # was refused as a power of a non-positive base
    assert '"x": [\n        1.0\n      ]' in result.stdout or '"x": [1.0]' in result.stdout
    assert "non-positive base (value 0)" in error_of(run(tmp_path, 'title: t\ninputs: {x: 0.0}\nexpression: "x^0.5"\n'))


def test_the_key_of_a_large_softmax_checks_against_its_closed_form(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(softmax_layer(12), encoding="utf-8")
    assert invoke("key", "s.yaml").exit_code == 0
    key = (tmp_path / "s.key.yaml").read_text(encoding="utf-8")
    assert "dL/dz7:" in key  # every δ is a quantity of the key, as with the full Jacobian
    result = invoke("check", "s.yaml")
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (0, "1 passed, 0 failed")


def test_several_errors_the_schema_cannot_see_are_marked_as_such(tmp_path):
    from backprop_cli.load.document import load_problem_text
    from backprop_cli.load.imperative import CHECKS, BeyondSchema

    text = NET.replace("targets: {y: 1}", "targets: {y: 1, y2: 0, y3: 1}")
    with pytest.raises(BeyondSchema) as info:  # two unused targets: the schema accepts the file
        load_problem_text(text, "q.yaml")
    assert info.value.check in CHECKS and len(str(info.value).splitlines()) == 2


def test_the_gradient_check_of_a_large_expression_batch_moves_one_sample_at_a_time(tmp_path):
    from backprop_cli.engine import solve
    from backprop_cli.load.document import load_problem_text
    from backprop_cli.solution import GradCheckStep

    rows = "".join(f"  - inputs: {{x: {k / 1000:.3f}, y: 2.0}}\n" for k in range(1000))
    text = f"title: t\nsamples:\n{rows}expression: \"x*y + sin(x)\"\n"
    start = time.process_time()
    result = run(tmp_path, text, "--gradient-check")
    assert time.process_time() - start < 10  # was 36 s: each move ran the forward pass of all 1,000 samples
    assert "∂f/∂x [3]" in result.stdout and "∂f/∂x [4]" not in result.stdout
    assert "all 2000 gradients agree with their central differences" in result.stdout
    big = {(c.name, c.sample): c for c in solve(load_problem_text(text), gradient_check=True).of(GradCheckStep)}
    one = load_problem_text("title: t\ninputs: {x: 0.007, y: 2.0}\nexpression: \"x*y + sin(x)\"\n")
    alone = {c.name: c for c in solve(one, gradient_check=True).of(GradCheckStep)}
    assert (big["x", 7].numeric, big["y", 7].numeric) == (alone["x"].numeric, alone["y"].numeric)
