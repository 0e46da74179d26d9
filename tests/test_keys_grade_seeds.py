"""Grading the seeds' own worked numbers: each first wrong step and its mistake, against the slips the
problem files' comments list (and test_published.py records), and every carried value recomputed here."""
from __future__ import annotations

import math

import pytest

from backprop_cli.engine import solve
from backprop_cli.keys.answers import read_answers
from backprop_cli.keys.grade import grade
from backprop_cli.load.document import load_problem

from problem_files import ROOT

PROBLEMS = ROOT / "problems"


def graded(problem: str, answers: str):
    return grade(solve(load_problem(PROBLEMS / f"{problem}.yaml")),
                 read_answers(PROBLEMS / "answers" / f"{answers}.answers.yaml"))


def by_name(report) -> dict:
    return {m.name: m for m in report.marked}


def comments(problem: str) -> str:
    """The problem file's comments, one line, so a slip's words can be looked up whatever the wrapping."""
    lines = (PROBLEMS / f"{problem}.yaml").read_text(encoding="utf-8").splitlines()
    return " ".join(line.lstrip("# ").strip() for line in lines if line.startswith("#"))


# problem, answers, the first wrong step, its kind, the slip as the problem file's comment states it
# (or test_published.py for seed 003), words the explanation must hold
FIRST_WRONG = [
    ("seed000_two_path", "seed000", "s3", "sign", "s3 is computed with w5 = -0.2, but the seed states w5 = 0.2",
     "w5 used as −0.2 instead of 0.2"),
    ("seed001_leaky_softmax", "seed001", "dL/dz1_1", "softmax-coupling-dropped",
     "The layer-2 gradients drop the softmax cross terms", "softmax Jacobian"),
    ("seed002_sigmoid_222", "seed002", "a1", "wrong-value", "a1 = 0.593 and a2 = 0.597 are Mazur's values",
     "w2 = 0.2 and w3 = 0.25"),
    ("seed003_q1_sparse", "seed003_q1", "h1", "rounding", None, "cut to 4 decimals"),
]


@pytest.mark.parametrize("problem,answers,first,kind,slip,words", FIRST_WRONG, ids=[f[1] for f in FIRST_WRONG])
def test_the_first_wrong_step_and_its_mistake(problem, answers, first, kind, slip, words) -> None:
    report = graded(problem, answers)
    assert slip is None or slip in comments(problem)
    assert report.first_wrong == first
    marked = by_name(report)[first]
    assert (marked.verdict, marked.mistake.kind) == ("wrong", kind)
    assert words in marked.mistake.explanation
    before = [m for m in report.marked if list(by_name(report)).index(m.name) < list(by_name(report)).index(first)]
    assert all(m.verdict == "correct" for m in before)


def test_seed003_h1_is_truncated_as_test_published_records() -> None:
    """σ(0.625) = 0.65135…, which is 0.6514 to four places; the seed writes 0.6513 (test_published.py)."""
    marked = by_name(graded("seed003_q1_sparse", "seed003_q1"))
    assert marked["h1"].expected == pytest.approx(1 / (1 + math.exp(-0.625)), rel=1e-15)
    assert marked["h1"].mistake.explanation == "0.651355 cut to 4 decimals"
    assert marked["dL/dw21_1"].mistake.kind == "rounding"  # 0.005677… written 0.0056, a truncation too
    # the mse and ∂L/∂w31² come from its rounded ŷ: right, with the drift of rounding
    assert marked["L"].verdict == marked["dL/dw31_2"].verdict == "correct"
    assert "rounding drift" in marked["L"].note


def test_seed000_yhat_is_carried_from_the_wrong_s3() -> None:
    marked = by_name(graded("seed000_two_path", "seed000"))
    yhat = marked["yhat"]
    assert yhat.verdict == "carried" and yhat.sources == ("s3",)
    assert yhat.own == pytest.approx(1 / (1 + math.exp(0.0445)), rel=1e-14)  # σ(s3) with the seed's s3 = −0.0445
    s3 = 0.2 / (1 + math.exp(1.07)) + 0.5 / (1 + math.exp(4.26))  # w5·σ(S1) + w6·σ(S2) with the stated w5 = 0.2
    assert yhat.expected == pytest.approx(1 / (1 + math.exp(-s3)), rel=1e-12)


def test_seed001_repeats_one_mistake_and_copies_one_number_differently() -> None:
    report = graded("seed001_leaky_softmax", "seed001")
    marked = by_name(report)
    softmax = next(p for p in report.patterns if p.kind == "softmax-coupling-dropped")
    assert {"dL/dz1_1", "dL/dz2_1", "dL/dw12_2", "dL/dw22_2"} <= set(softmax.steps)
    assert len([p for p in report.patterns if p.kind == "softmax-coupling-dropped"]) == 1  # named once
    # "The updated W^(1) has -0.2001913 for w_11^(1), where its own step gives -0.2001413."
    assert "-0.2001913 for w_11^(1), where its own step gives -0.2001413" in comments("seed001_leaky_softmax")
    assert marked["w11_1+"].mistake.kind == "transcription"
    assert marked["w11_1+"].own == pytest.approx(-0.2 - 0.1 * 0.001413, rel=1e-14)
    # ∂L/∂w11^(1) = ∂L/∂z1^1 · (leaky ReLU slope) · x1, from the seed's own ∂L/∂z1^1 = 0.0470946
    assert marked["dL/dw11_1"].verdict == "carried"
    assert marked["dL/dw11_1"].own == pytest.approx(0.0470946 * 0.01 * 3, rel=1e-14)


def test_seed002_slips_as_its_comments_list_them() -> None:
    report = graded("seed002_sigmoid_222", "seed002")
    marked = by_name(report)
    text = comments("seed002_sigmoid_222")
    assert "The w1 update uses η = 0.05 instead of the stated η = 0.5" in text
    assert marked["w1+"].mistake.kind == "wrong-learning-rate"
    assert "η = 0.05" in marked["w1+"].mistake.explanation
    assert "so J2 = 0.023 (it is 0.0236)" in text and "∂J/∂w5 = 0.0821 (it is 0.0823)" in text
    assert marked["J2"].mistake.kind == marked["dJ/dw5"].mistake.kind == "rounding"
    swapped = next(p for p in report.patterns if p.kind == "wrong-value")
    assert swapped.steps == ("a1", "a2")  # one pattern: the weights of Mazur's wiring
    # a2 = σ(0.05·w3 + 0.1·w4 + b2) with w3 = 0.25, Mazur's: 0.597 to three places
    assert round(1 / (1 + math.exp(-(0.05 * 0.25 + 0.1 * 0.30 + 0.35))), 3) == 0.597


def test_every_carried_value_is_recomputed_from_the_students_numbers() -> None:
    """Independent recomputations of seed 001's carried updates: w − η·g with the seed's own g."""
    marked = by_name(graded("seed001_leaky_softmax", "seed001"))
    grads = {m.name[len("dL/d"):]: m.answer.value for m in marked.values() if m.name.startswith("dL/dw")}
    carried = [m for m in marked.values() if m.verdict == "carried" and m.name.endswith("+")]
    assert len(carried) >= 10
    values = {"w11_1": -0.2, "w12_1": -0.1, "w13_1": 0.2, "w14_1": 0.2, "w21_1": 0.9, "w22_1": 0.3, "w23_1": 0.5,
              "w24_1": -0.5, "w31_1": 0.4, "w32_1": 0.4, "w33_1": -0.7, "w34_1": 0.5, "w11_2": 0.6, "w12_2": -0.1,
              "w13_2": -0.5, "w21_2": -0.2, "w22_2": 0.8, "w23_2": -0.3}
    for m in carried:
        w = m.name[:-1]
        assert m.own == pytest.approx(values[w] - 0.1 * grads[w], rel=1e-14), m.name
