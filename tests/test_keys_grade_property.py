"""Property: for random networks and a random single-step mutation of a careful student's sheet, the
mutated step is the first wrong step, every later step is carried (or right, where the slip does not
reach it), and the mistake named is the kind injected.

The student is the engine itself, through its hook: every quantity rounded to 6 decimals and carried
on, one of them replaced by the mutation, so that every later number is computed from it. The number
the engine computes before rounding is an independent recomputation of each step from the student's
numbers, which the grader's own must equal.
"""
from __future__ import annotations

import math

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backprop_cli.engine import round_half_away, solve, solve_with
from backprop_cli.keys.answers import parse_answers
from backprop_cli.keys.grade import grade
from backprop_cli.keys.keyfile import quantities
from backprop_cli.load.document import load_problem_text

DECIMALS = 6
UNIT = 10.0 ** -DECIMALS
KINDS = ["sign", "rounding", "transcription", "wrong-learning-rate", "dropped-factor", "wrong-derivative"]


def _numbers(draw, n: int, low: int = -100, high: int = 100) -> list[float]:
    return [x / 100 for x in draw(st.lists(st.integers(low, high).filter(bool), min_size=n, max_size=n))]


@st.composite
def problems(draw) -> str:
    """A random dense network: 1–3 inputs, 1–3 hidden neurons, 1–2 outputs, sigmoid or tanh, biases."""
    n_in, n_hid, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 2))
    acts = [draw(st.sampled_from(["sigmoid", "tanh"])) for _ in range(2)]
    inputs = {f"x{i + 1}": v for i, v in enumerate(_numbers(draw, n_in))}
    targets = {f"y{k + 1}": v for k, v in enumerate(_numbers(draw, n_out, 1, 99))}
    w1 = [_numbers(draw, n_hid) for _ in range(n_in)]
    w2 = [_numbers(draw, n_out) for _ in range(n_hid)]
    b = _numbers(draw, 2)
    factor = draw(st.sampled_from([0.5, 1]))
    reduction = draw(st.sampled_from(["sum", "mean"]))
    rate = draw(st.sampled_from([0.1, 0.5, 1.0]))
    hidden = [f"h{j + 1}" for j in range(n_hid)]
    outputs = [f"o{k + 1}" for k in range(n_out)]
    return f"""
title: random
inputs: {inputs}
targets: {targets}
params: {{b1: {b[0]}, b2: {b[1]}}}
layers:
  - name: hidden
    neurons: [{", ".join(hidden)}]
    activation: {acts[0]}
    weights: {{orientation: inputs_by_neurons, values: {w1}}}
    bias: b1
  - name: output
    neurons: [{", ".join(outputs)}]
    activation: {acts[1]}
    weights: {{orientation: inputs_by_neurons, values: {w2}}}
    bias: b2
outputs: {{{", ".join(f"{o}: y{k + 1}" for k, o in enumerate(outputs))}}}
loss: {{type: squared_error, factor: {factor}, reduction: {reduction}}}
training: {{learning_rate: {rate}}}
"""


def name_of(problem, kind: str, name: str, sample) -> str | None:
    """The answer key's name of a number the engine carries on (one sample), or None for an intermediate."""
    loss = problem.loss
    return {"value": name, "grad": f"d{loss}/d{name}", "update": f"{name}+", "after": f"{loss}+"}.get(kind)


class Student:
    """A careful student (every quantity rounded to 6 decimals and carried on) with one mutation."""

    def __init__(self, problem, target: str, mutate):
        self.problem, self.target, self.mutate = problem, target, mutate
        self.written: dict[str, float] = {}
        self.text: dict[str, str] = {}
        self.recomputed: dict[str, float] = {}  # the engine's value of each step, from the numbers before it

    def __call__(self, kind: str, name: str, sample, value: float) -> float:
        quantity = name_of(self.problem, kind, name, sample)
        if quantity is None:
            return value
        self.recomputed[quantity] = value
        rounded = round_half_away(value, DECIMALS)
        text = f"{rounded:.{DECIMALS}f}"
        if quantity == self.target:
            text = self.mutate(self, value, rounded)
            rounded = float(text)
        self.written[quantity], self.text[quantity] = rounded, text
        return rounded


def swap_digits(text: str, at: int) -> str:
    """Two neighbouring digits after the point swapped (counted from the point)."""
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, frac = digits.partition(".")
    k = at % (len(frac) - 1)
    assume(frac[k] != frac[k + 1])
    return f"{sign}{whole}.{frac[:k]}{frac[k + 1]}{frac[k]}{frac[k + 2:]}"


def mutation(kind: str, problem, names: list[str], draw):
    """The step to mutate (a name) and how, for one mistake kind."""
    loss, nodes = problem.loss, {n.name: n for n in problem.nodes}
    deltas = [f"d{loss}/d{n.name}" for n in problem.nodes if n.role == "z" and f"d{loss}/d{n.name}" in names]
    fmt = f".{DECIMALS}f"
    if kind == "sign":
        return draw(st.sampled_from(names)), lambda s, x, r: f"{-r:{fmt}}"
    if kind == "rounding":
        return draw(st.sampled_from(names)), lambda s, x, r: f"{r + math.copysign(UNIT, x - r) if x != r else r:{fmt}}"
    if kind == "transcription":
        at = draw(st.integers(0, 10))
        return draw(st.sampled_from(names)), lambda s, x, r: swap_digits(f"{r:{fmt}}", at)
    if kind == "wrong-learning-rate":
        target = draw(st.sampled_from([n for n in names if n.endswith("+") and n[:-1] in problem.params]))
        p, rate = target[:-1], problem.learning_rate

        def tenfold(s, x, r) -> str:  # the update with 10·η, from the student's own gradient
            new = problem.params[p].value - 10 * rate * s.written[f"d{loss}/d{p}"]
            return f"{round_half_away(new, DECIMALS):{fmt}}"

        return target, tenfold
    target = draw(st.sampled_from(deltas))
    z = target[len(f"d{loss}/d"):]
    a = next(n for n in nodes.values() if n.role == "a" and z in [getattr(arg, "name", "") for arg in n.formula.args])

    def local(s) -> float:  # the activation's derivative as the mistake writes it, with the student's numbers
        if kind == "dropped-factor":
            return 1.0
        zv = s.written[z]
        return zv * (1 - zv) if a.formula.fn == "sigmoid" else 1 - zv ** 2

    return target, lambda s, x, r: f"{round_half_away(s.written[f'd{loss}/d{a.name}'] * local(s), DECIMALS):{fmt}}"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(text=problems(), kind=st.sampled_from(KINDS), data=st.data())
def test_a_single_mutation_is_the_first_wrong_step_named_and_carried(text: str, kind: str, data) -> None:
    problem = load_problem_text(text, "random.yaml")
    exact = solve(problem)
    truth = quantities(exact)
    names = [n for n in truth if not n.startswith(f"d{problem.loss}/dL_")]  # ∂L/∂(loss term) is 1 or 1/K
    target, mutate = mutation(kind, problem, names, data.draw)
    careful = Student(problem, "", None)
    solve_with(problem, careful)
    student = Student(problem, target, mutate)
    solve_with(problem, student)
    # the slip must show: more than the student's rounding away from what they would have written
    assume(abs(student.written[target] - careful.written[target]) > 100 * UNIT)
    sheet = "answers:\n" + "".join(f"  {n}: {student.text[n]}\n" for n in truth)
    report = grade(exact, parse_answers(sheet, "student.answers.yaml"))
    marked = {m.name: m for m in report.marked}
    assert report.first_wrong == target
    assert marked[target].mistake.kind == kind, marked[target].mistake
    later = list(truth)[list(truth).index(target) + 1:]
    for name in later:
        m = marked[name]
        off = abs(student.written[name] - truth[name]) > UNIT / 2 * (1 + 1e-9)
        # never wrong again: a number off the truth is carried from the slip, or right from numbers that
        # are all right (the careful student's rounding drift); the rest are simply right
        assert m.verdict == "carried" or "rounding drift" in m.note if off else m.verdict == "correct", (name, m)
    for m in report.marked:
        if m.verdict == "carried":  # the grader's recomputation equals the engine's, from the same numbers
            assert math.isclose(m.own, student.recomputed[m.name], rel_tol=1e-12, abs_tol=1e-15), m.name
