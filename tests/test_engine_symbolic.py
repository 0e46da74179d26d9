"""Seed 004's derivation: every printed chain-rule formula, read back from its text and evaluated at
random points, equals the engine's numeric gradient there."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from backprop_cli.engine import solve
from backprop_cli.errors import Origin
from backprop_cli.formula.calculus import evaluate_array as evaluate
from backprop_cli.formula.parse import parse_formula
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.render import layout as common
from backprop_cli.solution import GradStep

ROOT = Path(__file__).resolve().parent.parent
SYMBOLIC = ROOT / "problems" / "seed004_symbolic.yaml"
PARAMS = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2", "b3", "b4"]


def _read_back(text: str):
    """Parse a printed formula: ∂L/∂h3 becomes the name d_h3, σ sigmoid, · *, − -, ² ^2."""
    code = re.sub(r"∂L/∂(\w+)", r"d_\1", text)
    code = code.replace("·", "*").replace("−", "-").replace("²", "^2").replace("σ", "sigmoid")
    return parse_formula(code, Origin("<printed>", 0, ""))


def _numeric_instance(rng: np.random.Generator) -> str:
    """The seed 004 network with random numbers in place of its names."""
    text = SYMBOLIC.read_text(encoding="utf-8")
    x = rng.uniform(-2, 2, 2)
    y = rng.uniform(0.05, 0.95, 2)
    p = rng.uniform(-1.5, 1.5, len(PARAMS))
    text = text.replace("inputs: [x1, x2]", f"inputs: {{x1: {float(x[0])!r}, x2: {float(x[1])!r}}}")
    text = text.replace("targets: [y1, y2]", f"targets: {{y1: {float(y[0])!r}, y2: {float(y[1])!r}}}")
    params = ", ".join(f"{n}: {float(v)!r}" for n, v in zip(PARAMS, p))
    text = re.sub(r"^params: \[.*\]$", f"params: {{{params}}}", text, flags=re.M)
    return text + "training: {learning_rate: 0.1}\n"


def test_seed004_is_a_derivation() -> None:
    sol = solve(load_problem(SYMBOLIC))
    assert not sol.problem.numeric
    steps = {s.node: s for s in sol.of(GradStep)}
    assert set(PARAMS) <= set(steps)
    # the softmax coupling: ∂L/∂a3 carries the paths through both outputs
    assert [t.via for t in steps["a3"].terms] == ["h3", "h4"]
    assert common.chain_text(sol, steps["a3"].terms) == "∂L/∂h3·h3·(1 − h3) + ∂L/∂h4·(−h4·h3)"
    assert common.chain_text(sol, steps["a2"].terms) == "∂L/∂h2·(1 − h2²)"  # the seed writes 1 − h1²
    assert common.chain_text(sol, steps["w6"].terms) == "∂L/∂a3·h2"  # the seed writes ∂L/∂a4·h2
    assert "w9" not in steps


@pytest.mark.parametrize("seed", range(12))
def test_printed_formulas_equal_numeric_gradients(seed: int) -> None:
    derivation = solve(load_problem(SYMBOLIC))
    numeric = solve(load_problem_text(_numeric_instance(np.random.default_rng(seed)), "seed004.yaml"))
    env = {k: np.asarray(v) for k, v in numeric.values.items()}
    env.update({f"d_{k}": np.asarray(v) for k, v in numeric.grads.items()})
    checked = 0
    for step in derivation.of(GradStep):
        printed = common.chain_text(derivation, step.terms)
        value = float(np.asarray(evaluate(_read_back(printed), env)).ravel()[0])
        expected = numeric.grads[step.node][0]
        assert value == pytest.approx(expected, rel=1e-9, abs=1e-12), (step.node, printed)
        checked += 1
    assert checked >= len(PARAMS) + 8


def test_numeric_instance_agrees_with_finite_differences(fd_grads) -> None:
    problem = load_problem_text(_numeric_instance(np.random.default_rng(99)), "seed004.yaml")
    sol = solve(problem)
    fd = fd_grads(problem)
    for name in PARAMS:
        assert sum(sol.grads[name]) == pytest.approx(fd[name], rel=1e-6, abs=1e-9)
