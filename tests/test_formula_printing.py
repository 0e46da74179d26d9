"""The formula printers, text and LaTeX: a table of exact strings (as sympy's test_latex.py), and the
property that every printed formula reads back to the value of the formula it was printed from."""
from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop_cli.errors import DomainError, Origin
from backprop_cli.formula.calculus import diff, evaluate
from backprop_cli.formula.parse import parse_formula
from backprop_cli.formula.printing import fmt_const, fmt_number, name_latex, to_latex, to_text
from backprop_cli.formula.registry import REGISTRY, names_of
from backprop_cli.formula.tree import Call, Const, Var, call, free_names

from formula_reader import latex_to_text, read

HERE = Origin("t.yaml", 1, "f")


def f(source: str):
    return parse_formula(source, HERE)


# ---------------------------------------------------------------- exact strings

TEXT = [
    ("x/(w*v)", "x/(w·v)"),
    ("x/w/v", "x/w/v"),
    ("x/(w/v)", "x/(w/v)"),
    ("(x*w)/v", "x·w/v"),
    ("x*(w/v)", "x·w/v"),
    ("x/(-w)", "x/(−w)"),
    ("x - (y - z)", "x − (y − z)"),
    ("x - (y + z)", "x − (y + z)"),
    ("x - y*z", "x − y·z"),
    ("-(x + y)", "−(x + y)"),
    ("-x*y", "(−x)·y"),
    ("-(x*y)", "−x·y"),
    ("x*(-y)", "x·(−y)"),
    ("(-x)^2", "(−x)²"),
    ("-x^2", "−x²"),
    ("x^-1", "x⁻¹"),
    ("x^1.5", "x^1.5"),
    ("x^(y+1)", "x^(y + 1)"),
    ("(x^2)^3", "(x²)³"),
    ("x + -1", "x − 1"),
    ("sigmoid(w1*x1 + b)", "σ(w1·x1 + b)"),
    ("leaky_relu(z, slope=0.2)", "leaky_relu(z, slope=0.2)"),
    ("softmax(a2, [a1, a2, a3])", "softmax_2(a1, a2, a3)"),
    ("squared_error(p, y, factor=0.5)", "½(p − y)²"),
    ("squared_error(p, y - z, factor=1)", "(p − (y − z))²"),
    ("categorical_cross_entropy(p, y)", "−y·log p"),
    ("categorical_cross_entropy(p + q, y)", "−y·log(p + q)"),
    ("binary_cross_entropy(p, y)", "−(y·log p + (1 − y)·log(1 − p))"),
]

LATEX = [
    ("x/(w*v)", "\\frac{x}{w \\cdot v}"),
    ("x*(-y)", "x \\cdot \\left(-y\\right)"),
    ("(-x)^2", "{\\left(-x\\right)}^{2}"),
    ("sigmoid(w1*x1 + b)", "\\sigma\\left(w_{1} \\cdot x_{1} + b\\right)"),
    ("squared_error(p, y, factor=0.5)", "\\frac{1}{2}\\left(p - y\\right)^{2}"),
    ("categorical_cross_entropy(p, y)", "-y \\log p"),
]


@pytest.mark.parametrize("source,text", TEXT)
def test_text(source, text):
    assert to_text(f(source)) == text


@pytest.mark.parametrize("source,tex", LATEX)
def test_latex(source, tex):
    assert to_latex(f(source)) == tex


@pytest.mark.parametrize("source,values,text", [
    ("x/(w*v)", {"x": 2, "w": 0.5, "v": 4}, "2.0000/(0.5000·4.0000)"),
    ("squared_error(p, y, factor=0.5)", {"p": -0.3272, "y": -0.4}, "½(−0.3272 − (−0.4000))²"),
    ("p + q", {"p": -0.0281, "q": -0.0088}, "−0.0281 − 0.0088"),
    ("p*q", {"p": -0.0281, "q": -0.0088}, "(−0.0281)·(−0.0088)"),
    ("categorical_cross_entropy(p, y)", {"p": 0.5644, "y": 0.0}, "0.0000·log 0.5644"),
    ("-y", {"y": 0.0}, "0.0000"),
    ("w*x", {"w": 0.000438568, "x": -3e-8}, "0.0004386·(−3.0000×10⁻⁸)"),
])
def test_text_with_numbers(source, values, text):
    assert to_text(f(source), values) == text


@pytest.mark.parametrize("name,partial", [
    ("relu", "1[z > 0]"),
    ("leaky_relu", "1[z > 0] + 0.01·1[z ≤ 0]"),
    ("elu", "1[z > 0] + (a + 1)·1[z ≤ 0]"),
])
def test_kinked_derivatives_read_as_indicators(name, partial):
    assert to_text(diff(call(name, Var("z"), **dict(REGISTRY[name].params)), "z", Var("a"))) == partial


def test_relu_derivative_in_latex_is_an_indicator():
    assert to_latex(diff(call("relu", Var("z")), "z", Var("a"))) == "\\mathbb{1}[z > 0]"


@pytest.mark.parametrize("value,precision,text,tex", [
    (0.0822, 4, "0.0822", "0.0822"),
    (-0.0226, 4, "−0.0226", "-0.0226"),
    (0.000438568, 4, "0.0004386", "0.0004386"),
    (-0.000438568, 4, "−0.0004386", "-0.0004386"),
    (0.000438568, 8, "0.00043857", "0.00043857"),
    (2.7756e-17, 4, "2.7756×10⁻¹⁷", "2.7756 \\times 10^{-17}"),
    (-4.0e-5, 4, "−0.00004000", "-0.00004000"),
    (1.5e9, 4, "1.5000×10⁹", "1.5000 \\times 10^{9}"),
    (0.0, 4, "0.0000", "0.0000"),
    (-0.0, 4, "0.0000", "0.0000"),
    (-0.00004, 2, "−0.00004000", "-0.00004000"),
    (-1e-12, 4, "−1.0000×10⁻¹²", "-1.0000 \\times 10^{-12}"),
    (0.12345, 0, "0", "0"),
])
def test_numbers(value, precision, text, tex):
    assert fmt_number(value, precision) == text
    assert fmt_number(value, precision, latex=True) == tex


def test_a_rounded_value_never_shows_minus_zero():
    assert fmt_number(-0.00001, 4) != "−0.0000" and fmt_number(-4e-5, 4).startswith("−")
    assert fmt_number(-0.00000001, 4).startswith("−1.0000×10")


@pytest.mark.parametrize("value,text,tex", [(-1.0, "−1", "-1"), (0.5, "0.5", "0.5"),
                                            (1e-5, "1×10⁻⁵", "1 \\times 10^{-5}")])
def test_constants(value, text, tex):
    assert fmt_const(value) == text and fmt_const(value, latex=True) == tex


@pytest.mark.parametrize("name,tex", [
    ("w5", "w_{5}"), ("out_h1", "\\mathrm{out}_{h1}"), ("yhat1", "\\hat{y}_{1}"), ("eta", "\\eta"),
    ("w21_1", "w^{[1]}_{21}"),  # a seed's own names: weight 21 of layer 1
    ("w1_2_1", "w^{[1]}_{2,1}"),  # the default names: layer 1, input 2, neuron 1
    ("w1_11_1", "w^{[1]}_{11,1}"), ("w1_1_11", "w^{[1]}_{1,11}"),
    ("E_total", "E_{\\mathrm{total}}"), ("x_1_2", "x_{1,2}"),
])
def test_names(name, tex):
    assert name_latex(name) == tex


def test_layer_and_sample_indices_use_different_brackets():
    # ^{[l]} is a layer, ^{(s)} a sample (markdown batches): w21_1 in sample 1 is never w_{21}^{(1)}
    assert "^{[1]}" in name_latex("w21_1") and "(" not in name_latex("w21_1")


# ---------------------------------------------------------------- print, read back, same value

NAMES = ("a", "b", "w1", "out_h1", "c'")
USER = [n for n in names_of("operator", "activation", "function") if n != "softmax"]
POINT = st.floats(-2.0, 2.0, allow_nan=False).filter(lambda x: abs(x) > 1e-3)


def _calls(children):
    def build(name, args, extra):
        fn = REGISTRY[name]
        n = fn.arity if fn.arity is not None else extra
        params = {k: v for k, v in fn.params}
        if name == "softmax":
            return Call("softmax", tuple(args[:n]), (("index", float(1 + extra % n)),))
        if name == "squared_error":
            params["factor"] = [0.5, 1.0, 2.0][extra % 3]
        return call(name, *args[:n], **params)

    # operators weigh more: brackets are where printers go wrong
    names = [*names_of("operator") * 6, *USER, "softmax", "indicator_pos", "indicator_nonpos", "sign", "squared_error",
             "bce_grad",
             "cce_grad", "binary_cross_entropy", "categorical_cross_entropy"]
    return st.builds(build, st.sampled_from(names), st.lists(children, min_size=3, max_size=3), st.integers(2, 3))


LEAVES = st.one_of(st.sampled_from([Var(n) for n in NAMES]),
                   st.sampled_from([Const(c) for c in (1.0, 2.0, 0.5, -1.0, 3.0, -0.25)]))
FORMULAS = st.recursive(LEAVES, _calls, max_leaves=8)


def _value(expr, env):
    try:
        v = evaluate(expr, env)
    except (DomainError, OverflowError, ZeroDivisionError, ValueError):
        return None
    return v if math.isfinite(v) and abs(v) < 1e6 else None


def _close(got: float, want: float) -> bool:
    return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=400, deadline=None)
@given(expr=FORMULAS, point=st.lists(POINT, min_size=len(NAMES), max_size=len(NAMES)))
def test_every_printed_formula_reads_back_to_its_value(expr, point):
    """Text and LaTeX, in symbols and with numbers substituted, over the registry's whole function set."""
    env = dict(zip(NAMES, point))
    want = _value(expr, env)
    assume(want is not None)
    symbols = {n: f"\\mathrm{{v{k}}}" for k, n in enumerate(NAMES)}
    by_symbol = {f"v{k}": env[n] for k, n in enumerate(NAMES)}
    for label, got in [
        ("text", lambda: read(to_text(expr), env)),
        ("latex", lambda: read(latex_to_text(to_latex(expr, symbols=symbols)), by_symbol)),
        ("text, numbers", lambda: read(to_text(expr, env, precision=15))),
        ("latex, numbers", lambda: read(latex_to_text(to_latex(expr, env, precision=15)))),
    ]:
        try:
            value = got()
        except (ZeroDivisionError, OverflowError):
            continue  # the reader's plain math may meet an edge that the registry handles
        except ValueError as exc:
            if "math domain error" in str(exc):
                continue
            raise
        assert _close(value, want), (label, to_text(expr), value, want)


@settings(max_examples=200, deadline=None)
@given(expr=FORMULAS, point=st.lists(POINT, min_size=len(NAMES), max_size=len(NAMES)))
def test_every_printed_derivative_reads_back_to_its_value(expr, point):
    """The local partials the backward pass prints, written with the node's own output."""
    env = dict(zip(NAMES, point))
    value = _value(expr, env)
    assume(value is not None and isinstance(expr, Call))
    env["out"] = value
    for name in free_names(expr):
        d = diff(expr, name, Var("out"))
        want = _value(d, env)
        if want is None:
            continue
        try:
            got = read(to_text(d), env)
        except (ZeroDivisionError, OverflowError):
            continue
        except ValueError as exc:
            if "math domain error" in str(exc):
                continue
            raise
        assert _close(got, want), (to_text(expr), name, to_text(d), got, want)
