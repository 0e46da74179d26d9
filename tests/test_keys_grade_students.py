"""Simulated students on Mazur's example, worked here by hand in plain Python: each makes one classic
mistake consistently (a derivative slip, the updated-weights slip, a dropped ½, η off by 10), and one
rounds every step and makes none. Every carried value is recomputed here from the student's numbers."""
from __future__ import annotations

import math
from decimal import Decimal
from functools import cache

import pytest

from backprop_cli.engine import solve
from backprop_cli.keys.answers import parse_answers
from backprop_cli.keys.grade import grade
from backprop_cli.keys.keyfile import quantities
from backprop_cli.load.document import load_problem

from problem_files import ROOT

X = {"i1": 0.05, "i2": 0.10}
T = {"o1": 0.01, "o2": 0.99}
W = dict(w1=0.15, w2=0.20, w3=0.25, w4=0.30, w5=0.40, w6=0.45, w7=0.50, w8=0.55)
B = dict(b1=0.35, b2=0.60)
L = "dE_total/d"


def sig(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def student(mistake: str | None, decimals: int) -> dict[str, float]:
    """Every quantity of Mazur's example as a student with the mistake works it, rounding each to decimals."""
    def r(x: float) -> float:
        return float(Decimal(f"{x:.15g}").quantize(Decimal(1).scaleb(-decimals), rounding="ROUND_HALF_UP"))

    eta, factor = (0.05 if mistake == "eta" else 0.5), (1.0 if mistake == "half" else 0.5)

    def forward(w: dict) -> dict:
        v: dict[str, float] = {}
        for k, (a, b_) in {1: ("w1", "w2"), 2: ("w3", "w4")}.items():
            v[f"net_h{k}"] = r(w[a] * X["i1"] + w[b_] * X["i2"] + B["b1"])
            v[f"out_h{k}"] = r(sig(v[f"net_h{k}"]))
        for k, (a, b_) in {1: ("w5", "w6"), 2: ("w7", "w8")}.items():
            v[f"net_o{k}"] = r(w[a] * v["out_h1"] + w[b_] * v["out_h2"] + B["b2"])
            v[f"out_o{k}"] = r(sig(v[f"net_o{k}"]))
        for k in (1, 2):
            v[f"E_o{k}"] = r(factor * (v[f"out_o{k}"] - T[f"o{k}"]) ** 2)
        v["E_total"] = r(v["E_o1"] + v["E_o2"])
        return v

    v = forward(W)

    def slope(k: str) -> float:  # σ′ at neuron k, written down first; the slip writes σ′ with net for out
        z = v[f"net_{k}"] if mistake == "derivative" else v[f"out_{k}"]
        return r(z * (1 - z))

    g = {"E_o1": 1.0, "E_o2": 1.0}
    for k in (1, 2):
        g[f"out_o{k}"] = r(2 * factor * (v[f"out_o{k}"] - T[f"o{k}"]))
        g[f"net_o{k}"] = r(slope(f"o{k}") * g[f"out_o{k}"])
    grads = {"w5": r(v["out_h1"] * g["net_o1"]), "w6": r(v["out_h2"] * g["net_o1"]), "w7": r(v["out_h1"] * g["net_o2"]),
             "w8": r(v["out_h2"] * g["net_o2"]), "b2": r(g["net_o1"] + g["net_o2"])}
    back = {k: r(W[k] - eta * grads[k]) for k in ("w5", "w6", "w7", "w8")} if mistake == "updated" else W
    g["out_h1"] = r(r(back["w5"] * g["net_o1"]) + r(back["w7"] * g["net_o2"]))
    g["out_h2"] = r(r(back["w6"] * g["net_o1"]) + r(back["w8"] * g["net_o2"]))
    for k in (1, 2):
        g[f"net_h{k}"] = r(slope(f"h{k}") * g[f"out_h{k}"])
    g["i1"] = r(r(W["w1"] * g["net_h1"]) + r(W["w3"] * g["net_h2"]))
    g["i2"] = r(r(W["w2"] * g["net_h1"]) + r(W["w4"] * g["net_h2"]))
    grads.update({"w1": r(X["i1"] * g["net_h1"]), "w2": r(X["i2"] * g["net_h1"]), "w3": r(X["i1"] * g["net_h2"]),
                  "w4": r(X["i2"] * g["net_h2"]), "b1": r(g["net_h1"] + g["net_h2"])})
    new = {k: r(W[k] - eta * grads[k]) for k in W}
    return {**v, **{L + k: x for k, x in {**g, **grads}.items()}, **{f"{k}+": x for k, x in new.items()},
            "b1+": B["b1"], "b2+": B["b2"], "E_total+": forward(new)["E_total"]}


def recompute(name: str, s: dict[str, float]) -> float:
    """A step done right from the student's own numbers s: Mazur's formulas, written out here."""
    w = {**W, **B}
    if name.endswith("+"):
        if name == "E_total+":
            net = {f"h{k}": s["w" + str(2 * k - 1) + "+"] * X["i1"] + s["w" + str(2 * k) + "+"] * X["i2"] + B["b1"]
                   for k in (1, 2)}
            h = {k: sig(v) for k, v in net.items()}
            o = {k: sig(s[f"w{2 * k + 3}+"] * h["h1"] + s[f"w{2 * k + 4}+"] * h["h2"] + B["b2"]) for k in (1, 2)}
            return 0.5 * (o[1] - T["o1"]) ** 2 + 0.5 * (o[2] - T["o2"]) ** 2
        return w[name[:-1]] - 0.5 * s[L + name[:-1]]
    if name == "E_total":
        return s["E_o1"] + s["E_o2"]
    if name.startswith("E_o"):
        k = name[-1]
        return 0.5 * (s[f"out_o{k}"] - T[f"o{k}"]) ** 2
    if name.startswith("out_"):
        return sig(s["net_" + name[4:]])
    if not name.startswith(L):
        raise AssertionError(f"no recomputation written for {name}")
    of = name[len(L):]
    if of.startswith("out_o"):
        return s[L + "E_o" + of[-1]] * (s[of] - T["o" + of[-1]])
    if of.startswith("net_"):
        out = s["out_" + of[4:]]
        return s[L + "out_" + of[4:]] * out * (1 - out)
    if of.startswith("out_h"):
        k = int(of[-1])
        return s[L + "net_o1"] * w[f"w{k + 4}"] + s[L + "net_o2"] * w[f"w{k + 6}"]
    if of in ("i1", "i2"):
        k = int(of[-1])
        return s[L + "net_h1"] * w[f"w{k}"] + s[L + "net_h2"] * w[f"w{k + 2}"]
    if of in ("b1", "b2"):
        layer = "h" if of == "b1" else "o"
        return s[f"{L}net_{layer}1"] + s[f"{L}net_{layer}2"]
    k = int(of[1:])
    neuron = ("net_h1", "net_h1", "net_h2", "net_h2", "net_o1", "net_o1", "net_o2", "net_o2")[k - 1]
    source = (X["i1"], X["i2"], X["i1"], X["i2"], s["out_h1"], s["out_h2"], s["out_h1"], s["out_h2"])[k - 1]
    return s[L + neuron] * source


@cache
def solution():
    return solve(load_problem(ROOT / "problems" / "mazur.yaml"))


def graded(mistake: str | None, decimals: int):
    numbers = student(mistake, decimals)
    names = list(quantities(solution()))
    assert set(numbers) == set(names)
    text = "answers:\n" + "".join(f"  {n}: {numbers[n]:.{decimals}f}\n" for n in names)
    return grade(solution(), parse_answers(text, f"{mistake}.answers.yaml")), numbers


@pytest.mark.parametrize("decimals", [2, 3, 4, 6])
def test_a_student_who_rounds_every_step_and_makes_no_mistake_is_only_correct(decimals: int) -> None:
    report, _ = graded(None, decimals)
    assert report.counts == {"correct": 44, "carried": 0, "wrong": 0}
    assert report.first_wrong is None and report.patterns == ()


def test_the_rounding_student_is_right_where_the_exact_value_rounds_otherwise() -> None:
    """∂E/∂out_h1 is 0.036350…, 0.0364 to four places; the careful student's own numbers give 0.0363."""
    report, numbers = graded(None, 4)
    marked = {m.name: m for m in report.marked}["dE_total/dout_h1"]
    assert numbers["dE_total/dout_h1"] == 0.0363 and round(marked.expected, 4) == 0.0364
    assert marked.verdict == "correct" and "rounding drift" in marked.note


# mistake, first wrong step, kind, the steps it makes wrong, the steps that carry it (at 6 decimals)
OUTPUT_DELTAS = ["dE_total/dnet_o1", "dE_total/dnet_o2"]
HIDDEN = ["dE_total/dnet_h1", "dE_total/dnet_h2", "dE_total/di1", "dE_total/di2", "dE_total/dw1", "dE_total/dw2",
          "dE_total/db1", "dE_total/dw3", "dE_total/dw4", "w1+", "w2+", "w3+", "w4+"]
OUTPUT = ["dE_total/dw5", "dE_total/dw6", "dE_total/db2", "dE_total/dw7", "dE_total/dw8", "w5+", "w6+", "w7+", "w8+"]
STUDENTS = [
    ("derivative", "dE_total/dnet_o1", "wrong-derivative", [*OUTPUT_DELTAS, "dE_total/dnet_h1", "dE_total/dnet_h2"],
     ["dE_total/dout_h1", "dE_total/dout_h2", *HIDDEN[2:], *OUTPUT, "E_total+"]),
    ("updated", "dE_total/dout_h1", "updated-weights-in-backward", ["dE_total/dout_h1", "dE_total/dout_h2"],
     [*HIDDEN, "E_total+"]),
    ("half", "E_o1", "dropped-factor", ["E_o1", "E_o2", "dE_total/dout_o1", "dE_total/dout_o2", "E_total+"],
     ["E_total", *OUTPUT_DELTAS, "dE_total/dout_h1", "dE_total/dout_h2", *HIDDEN, *OUTPUT]),
    ("eta", "w1+", "wrong-learning-rate", ["w1+", "w2+", "w3+", "w4+", "w5+", "w6+", "w7+", "w8+"], ["E_total+"]),
]


@pytest.mark.parametrize("mistake,first,kind,wrong,carried", STUDENTS, ids=[s[0] for s in STUDENTS])
def test_a_consistent_mistake_is_found_named_once_and_carried(mistake, first, kind, wrong, carried) -> None:
    report, numbers = graded(mistake, 6)
    verdicts = {m.name: m.verdict for m in report.marked}
    assert report.first_wrong == first
    assert sorted(n for n, v in verdicts.items() if v == "wrong") == sorted(wrong)
    assert sorted(n for n, v in verdicts.items() if v == "carried") == sorted(carried)
    assert [(p.kind, sorted(p.steps)) for p in report.patterns] == [(kind, sorted(wrong))]
    for m in report.marked:
        if m.verdict == "carried":  # a recomputation that cannot drift: the student's numbers, formulas written here
            assert m.own == pytest.approx(recompute(m.name, numbers), rel=1e-12, abs=1e-15), m.name


@pytest.mark.parametrize("mistake,first,kind,wrong,carried", STUDENTS, ids=[s[0] for s in STUDENTS])
def test_at_four_decimals_the_first_wrong_step_is_still_found_and_named(mistake, first, kind, wrong, carried) -> None:
    report, numbers = graded(mistake, 4)
    marked = {m.name: m for m in report.marked}
    assert report.first_wrong == first and marked[first].mistake.kind == kind
    for m in report.marked:
        if m.verdict == "carried":
            assert m.own == pytest.approx(recompute(m.name, numbers), rel=1e-12, abs=1e-15), m.name


def test_the_explanations_say_what_happened() -> None:
    words = {
        "derivative": ("dE_total/dnet_o1",
                       "∂out_o1/∂net_o1 written as net_o1·(1 − net_o1) instead of out_o1·(1 − out_o1)"),
        "updated": ("dE_total/dout_h1", "dE_total/dout_h1 used w5+, w7+ in place of w5, w7"),
        "half": ("E_o1", "the factor 0.5 of E_o1 dropped, in the value and the derivative"),
        "eta": ("w1+", "the update used η = 0.05, not 0.5"),
    }
    for mistake, (name, text) in words.items():
        report, _ = graded(mistake, 6)
        assert {m.name: m for m in report.marked}[name].mistake.explanation == text
