"""--gradient-check: each gradient beside a central difference of the loss, checked independently.

The differences are compared with a forward pass of Mazur's network written out here in plain Python,
with helpers.fd_param_grads (a five-point stencil), and with derivatives worked out by hand. A wrong
registry derivative must be flagged; a relu at exactly 0 must be called a kink, not flagged.
"""
from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path

import jsonschema
import pytest
from test_render_katex import json_snippets, katex, markdown_snippets, node_or_skip

from backprop_cli.engine import solve
from backprop_cli.formula.registry import REGISTRY
from backprop_cli.formula.tree import ONE, Var, add, mul
from backprop_cli.gradcheck import EPSILON, RELATIVE_STEP, ROUNDING_MARGIN, THRESHOLD, relative_error, tiny_for
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.render import json as json_out
from backprop_cli.render import markdown, terminal
from backprop_cli.render.blocks import Subheading, Table
from backprop_cli.render.cells import Grad, InSample, Num
from backprop_cli.render.layout import build
from backprop_cli.solution import GradCheckStep, GradStep, Kink

from helpers import fd_param_grads, invoke
from problem_files import BATCH, problem_files

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "backprop_cli" / "schemas" / "solution.schema.json").read_text(encoding="utf-8"))

ONE_NEURON = """
title: one neuron
inputs: {{x: 1.0}}
targets: {{t: 0.3}}
params: {{w: 0.5, b: {b}, v: 2.0}}
equations:
  h: {h}
  yhat: v*h + 0.1
outputs: {{yhat: t}}
loss: {{type: squared_error, factor: 0.5, reduction: sum}}
training: {{learning_rate: 0.1}}
"""
EXPRESSION_BATCH = ("title: t\nsamples:\n  - inputs: {x: 1.0, y: 2.0}\n  - inputs: {x: -0.5, y: 3.0}\n"
                    "expression: {f: x*y + sin(x)}\n")


def checked(text: str, name: str = "p.yaml"):
    return solve(load_problem_text(text, name), gradient_check=True)


def checks(sol) -> dict:
    return {(c.name, c.sample): c for c in sol.of(GradCheckStep)}


def mazur_loss(p: dict) -> float:
    """Mazur's 2-2-2 network and E_total, written out by hand."""
    def sig(x: float) -> float:
        return 1 / (1 + math.exp(-x))
    i1, i2 = 0.05, 0.10
    h1, h2 = sig(p["w1"] * i1 + p["w2"] * i2 + p["b1"]), sig(p["w3"] * i1 + p["w4"] * i2 + p["b1"])
    o1, o2 = sig(p["w5"] * h1 + p["w6"] * h2 + p["b2"]), sig(p["w7"] * h1 + p["w8"] * h2 + p["b2"])
    return 0.5 * (o1 - 0.01) ** 2 + 0.5 * (o2 - 0.99) ** 2


def test_mazur_differences_match_a_forward_pass_written_here(in_root):
    sol = solve(load_problem("problems/mazur.yaml"), gradient_check=True)
    start = {p.name: p.value for p in sol.problem.params.values()}
    assert mazur_loss(start) == pytest.approx(sol.loss, rel=1e-14)
    five_point = fd_param_grads(sol.problem)
    totals = {s.node: s.total for s in sol.of(GradStep)}
    found = sol.of(GradCheckStep)
    assert [c.name for c in found] == list(start)
    for c in found:
        x = start[c.name]
        assert c.h == RELATIVE_STEP * max(1.0, abs(x)) and c.kind == "param" and c.sample is None
        reference = (mazur_loss({**start, c.name: x + c.h}) - mazur_loss({**start, c.name: x - c.h})) / (2 * c.h)
        assert c.numeric == pytest.approx(reference, abs=1e-10)
        assert c.numeric == pytest.approx(five_point[c.name], rel=1e-6)
        assert c.analytic == totals[c.name]
        assert c.rel_error == relative_error(c.analytic, c.numeric, c.tiny) < THRESHOLD
        assert (c.status, c.kinks) == ("ok", ())


def test_a_batch_is_checked_over_the_batch_loss():
    sol = checked(BATCH)
    five_point = fd_param_grads(sol.problem)
    totals = {s.node: s.total for s in sol.of(GradStep)}
    for c in sol.of(GradCheckStep):
        assert c.numeric == pytest.approx(five_point[c.name], rel=1e-7)
        assert c.analytic == totals[c.name] and c.status == "ok"


def test_an_expression_is_checked_per_input_and_sample():
    """f = x·y + sin x in two samples, each its own f: ∂f/∂x in sample s is y + cos x, moving x in s only."""
    sol = checked(EXPRESSION_BATCH)
    found = checks(sol)
    assert list(found) == [("x", 0), ("x", 1), ("y", 0), ("y", 1)]
    xs, ys = (1.0, -0.5), (2.0, 3.0)
    for s in range(2):
        assert found[("x", s)].numeric == pytest.approx(ys[s] + math.cos(xs[s]), rel=1e-8)
        assert found[("y", s)].numeric == pytest.approx(xs[s], rel=1e-8)
        assert found[("x", s)].kind == "input" and found[("x", s)].status == "ok"


def test_relative_error_formula():
    assert relative_error(1.0, 1.1) == pytest.approx(0.1 / 1.1, rel=1e-15)
    assert relative_error(-2.0, 2.0) == 2.0
    assert relative_error(3.0, 3.0) == relative_error(0.0, 0.0, 0.0) == 0.0
    assert relative_error(0.0, 1e-12, 1e-6) == pytest.approx(1e-6, rel=1e-12)  # tiny floors the denominator
    assert relative_error(1e-3, 2e-3, 1e-6) == 0.5 == relative_error(2e-3, 1e-3, 1e-6)
    h, lp, lm = 1e-5, 0.25, 0.75
    assert tiny_for(lp, lm, h) == pytest.approx(ROUNDING_MARGIN * EPSILON * 1.0 / (2 * h) / THRESHOLD, rel=1e-15)


def test_rounding_alone_is_never_flagged():
    """A difference within ROUNDING_MARGIN rounding errors of a zero gradient stays below the threshold."""
    tiny = tiny_for(1.0, 1.0, 1e-5)
    noise = ROUNDING_MARGIN * EPSILON * 2.0 / 2e-5
    assert relative_error(0.0, noise * 0.99, tiny) <= THRESHOLD


def test_a_wrong_derivative_is_flagged(in_root, monkeypatch):
    """σ' written σ(1 + σ) instead of σ(1 − σ): every gradient of Mazur's network goes through it."""
    wrong = dataclasses.replace(REGISTRY["sigmoid"], partial=lambda c, o, i: mul(o, add(ONE, o)))
    monkeypatch.setitem(REGISTRY, "sigmoid", wrong)
    sol = solve(load_problem("problems/mazur.yaml"), gradient_check=True)
    assert {c.status for c in sol.of(GradCheckStep)} == {"flagged"}
    assert all(c.rel_error > 0.1 for c in sol.of(GradCheckStep))
    text = terminal.render(sol, width=200)
    assert len(re.findall(r"  FLAGGED: above 1×10⁻⁵\n", text)) == 10
    assert "  0 of 10 agree; 10 flagged\n" in text


def test_a_relu_at_exactly_zero_is_a_kink_not_a_flag():
    sol = checked(ONE_NEURON.format(b=-0.5, h="relu(w*x + b)"))
    assert sol.values["z_h"] == (0.0,)
    found = checks(sol)
    for name in ("w", "b"):
        c = found[(name, None)]
        assert c.rel_error > THRESHOLD  # without the kink this would be a false alarm
        assert c.status == "kink" and c.kinks == (Kink("h", "relu", Var("z_h")),)
    assert found[("v", None)].status == "ok"  # v does not move z_h
    text = terminal.render(sol, width=200)
    assert text.count("  kink: relu at z_h = 0; the finite difference is not the derivative\n") == 2
    assert "FLAGGED" not in text and "  1 of 3 agree; 2 at a kink, where the check says nothing\n" in text


def test_away_from_the_kink_relu_is_checked():
    sol = checked(ONE_NEURON.format(b=-0.2, h="relu(w*x + b)"))
    assert {c.status for c in sol.of(GradCheckStep)} == {"ok"}


@pytest.mark.parametrize("h, fn, text", [
    ("leaky_relu(w*x + b, slope=0.1)", "leaky_relu", "z_h = 0"),
    ("elu(w*x + b)", "elu", "z_h = 0"),
    ("abs(w*x + b)", "abs", "w·x + b = 0"),
    ("max(w*x, -b)", "max", "w·x = −b (a tie)"),
    ("min(w*x, -b)", "min", "−b = w·x (a tie)"),
])
def test_every_function_with_a_jump_in_its_derivative_is_a_kink(h, fn, text):
    sol = checked(ONE_NEURON.format(b=-0.5, h=h))
    found = checks(sol)
    assert found[("w", None)].status == "kink" and found[("w", None)].kinks[0].fn == fn
    assert f"kink: {fn} at {text}; the finite difference" in terminal.render(sol, width=200)


def test_a_loss_undefined_at_p_plus_or_minus_h_is_said_so():
    sol = checked(ONE_NEURON.format(b=-0.4999999, h="sqrt(w + b)"))
    c = checks(sol)[("w", None)]
    assert (c.status, c.numeric, c.rel_error) == ("undefined", None, None)
    assert "undefined: the loss has no value at p ± h" in terminal.render(sol, width=200)
    doc = json.loads(json_out.render(sol))
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert doc["gradient_check"]["checks"][0]["status"] == "undefined"


def test_layout_rows_are_the_checks(in_root):
    sol = solve(load_problem("problems/mazur.yaml"), gradient_check=True)
    blocks = build(sol).sections[3].blocks
    start = blocks.index(Subheading("Gradient check"))
    table = blocks[start + 3]
    assert isinstance(table, Table)
    assert [c.header for c in table.columns] == ["quantity", "backprop", "central difference", "h",
                                                 "relative error", "check"]
    for row, c in zip(table.groups[0].rows, sol.of(GradCheckStep), strict=True):
        assert row[:5] == (Grad("E_total", c.name), Num(c.analytic), Num(c.numeric), Num(c.h), Num(c.rel_error))
    expression = build(checked(EXPRESSION_BATCH)).sections[-1].blocks[-2]
    assert expression.groups[0].rows[1][0] == InSample(Grad("f", "x"), 1)


@pytest.mark.parametrize("path", problem_files(), ids=lambda p: p.stem)
def test_every_problem_passes_with_no_flag(path: Path, in_root):
    result = invoke("solve", str(path.relative_to(ROOT)), "--gradient-check", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    problem = load_problem(path.relative_to(ROOT))
    if not problem.numeric:
        assert "gradient_check" not in doc  # a derivation in symbols has no numbers to check
        return
    for single in singles(doc):  # a trained problem checks each step it works in full
        found = single["gradient_check"]["checks"]
        expected = len(problem.params) or len(problem.inputs) * problem.n_samples
        assert len(found) == expected and {c["status"] for c in found} == {"ok"}
        assert max(c["relative_error"] for c in found) < THRESHOLD / 100
    text = invoke("solve", str(path.relative_to(ROOT)), "--gradient-check", "--width", "200").stdout
    assert "Gradient check" in text and "FLAGGED" not in text and "kink" not in text


@pytest.mark.parametrize("path", problem_files(), ids=lambda p: p.stem)
def test_json_with_the_flag_only_adds_its_key(path: Path, in_root):
    """Without --gradient-check the document is as before; with it, one key after the gradients."""
    plain = json.loads(invoke("solve", str(path.relative_to(ROOT)), "--format", "json").stdout)
    checked_doc = json.loads(invoke("solve", str(path.relative_to(ROOT)), "--format", "json",
                                    "--gradient-check").stdout)
    assert "gradient_check" not in plain
    for plain_step, checked_step in zip(singles(plain), singles(checked_doc), strict=True):
        assert "gradient_check" not in plain_step
        keys = list(plain_step)
        if "gradient_check" in checked_step:
            keys.insert(keys.index("gradients") + 1, "gradient_check")
        assert list(checked_step) == keys
        assert {k: v for k, v in checked_step.items() if k != "gradient_check"} == plain_step
    assert {k: v for k, v in checked_doc.items() if k not in ("gradient_check", "steps")} == \
        {k: v for k, v in plain.items() if k != "steps"}


def singles(doc: dict) -> list[dict]:
    """The document of each single step: the whole one, or each step a trained problem works in full."""
    return doc["steps"] if "steps" in doc else [doc]


def test_markdown_and_json_of_the_check_parse_in_katex(in_root):
    node = node_or_skip()
    sols = [solve(load_problem("problems/mazur.yaml"), gradient_check=True), checked(EXPRESSION_BATCH),
            checked(ONE_NEURON.format(b=-0.5, h="max(w*x, -b)"))]
    snippets = []
    for sol in sols:
        text = markdown.render(sol)
        assert "### Gradient check" in text
        snippets += markdown_snippets(text.split("### Gradient check", 1)[1])
        snippets += json_snippets(json.loads(json_out.render(sol))["gradient_check"])
    result = katex(node, snippets)
    assert result["checked"] == len(snippets) > 30 and not result["failures"]
