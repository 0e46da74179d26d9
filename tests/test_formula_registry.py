"""Property tests: every registry derivative against a central difference of its value.

Each user-visible entry (operator, activation, function, loss) has a case below: a hypothesis
strategy for valid arguments and parameters, and a predicate that keeps samples away from kinks.
The derivative is built exactly as the engine builds it, ``diff(call, arg, Var(out))`` with
``out`` bound to the call's own value, and evaluated with ``calculus.evaluate``. Values are
checked separately against plain ``math`` re-implementations, so a wrong value cannot hide
behind a derivative that is consistent with it. Helpers are reached through their users.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop_cli.formula.calculus import diff, evaluate
from backprop_cli.formula.printing import to_latex, to_text
from backprop_cli.formula.registry import REGISTRY, names_of
from backprop_cli.formula.tree import Call, Const, Var, call

import helpers

USER_KINDS = ("operator", "activation", "function", "loss")
KNOWN_KINDS = (*USER_KINDS, "helper")
KINK_MARGIN = 1e-3  # FD steps reach 2e-6·max(1, |x|), so no stencil crosses a kink
SETTINGS = settings(max_examples=150, deadline=None)


def floats(lo: float, hi: float) -> st.SearchStrategy:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def tuples(*parts: st.SearchStrategy) -> st.SearchStrategy:
    return st.tuples(*parts)


def n_of(elem: st.SearchStrategy, lo: int, hi: int) -> st.SearchStrategy:
    return st.lists(elem, min_size=lo, max_size=hi).map(tuple)


NONZERO = floats(-5, 5).filter(lambda b: abs(b) >= 0.1)
PROB = floats(0.01, 0.99)
TARGET = floats(0.0, 1.0)


@dataclass(frozen=True)
class Case:
    """How to sample one entry: arguments, keyword parameters, and where it is smooth."""

    args: st.SearchStrategy  # tuple of floats
    params: st.SearchStrategy = st.just({})  # dict of keyword parameters
    smooth: Callable = field(default=lambda a, p: True)  # False near a kink
    reference: Callable | None = None  # plain-math value, (args, params) -> float


def _away_from_zero(a, p):
    return abs(a[0]) > KINK_MARGIN


def _no_tie(a, p):
    return abs(a[0] - a[1]) > KINK_MARGIN


def _sig(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _softmax_ref(a, p):
    k = int(p["index"]) - 1
    m = max(a)
    e = [math.exp(x - m) for x in a]
    return e[k] / sum(e)


def _bce_ref(a, p):
    pr, t = a
    return -(t * math.log(pr) + (1 - t) * math.log(1 - pr))


def _softmax_args_params():
    @st.composite
    def draw(d):
        k = d(st.integers(2, 4))
        args = d(n_of(floats(-10, 10), k, k))
        index = d(st.integers(1, k))
        return args, {"index": float(index)}
    return draw()


CASES: dict[str, Case] = {
    # operators
    "add": Case(n_of(floats(-10, 10), 2, 4), reference=lambda a, p: math.fsum(a)),
    "sub": Case(n_of(floats(-10, 10), 2, 2), reference=lambda a, p: a[0] - a[1]),
    "mul": Case(n_of(floats(-5, 5), 2, 4), reference=lambda a, p: math.prod(a)),
    "div": Case(tuples(floats(-5, 5), NONZERO), reference=lambda a, p: a[0] / a[1]),
    "neg": Case(n_of(floats(-10, 10), 1, 1), reference=lambda a, p: -a[0]),
    # base > 0 so that a variable exponent is valid; constant exponents are tested separately
    "pow": Case(tuples(floats(0.1, 5), floats(-3, 3)), reference=lambda a, p: a[0] ** a[1]),
    # activations
    "identity": Case(n_of(floats(-10, 10), 1, 1), reference=lambda a, p: a[0]),
    "sigmoid": Case(n_of(floats(-20, 20), 1, 1), reference=lambda a, p: _sig(a[0])),
    "tanh": Case(n_of(floats(-5, 5), 1, 1), reference=lambda a, p: math.tanh(a[0])),
    "relu": Case(n_of(floats(-5, 5), 1, 1), smooth=_away_from_zero, reference=lambda a, p: max(a[0], 0.0)),
    "leaky_relu": Case(n_of(floats(-5, 5), 1, 1), st.fixed_dictionaries({"slope": floats(0.001, 0.5)}),
                       smooth=_away_from_zero,
                       reference=lambda a, p: a[0] if a[0] > 0 else p["slope"] * a[0]),
    "elu": Case(n_of(floats(-5, 5), 1, 1), st.fixed_dictionaries({"alpha": floats(0.1, 3.0)}),
                smooth=_away_from_zero,
                reference=lambda a, p: a[0] if a[0] > 0 else p["alpha"] * (math.exp(a[0]) - 1)),
    "softplus": Case(n_of(floats(-20, 20), 1, 1), reference=lambda a, p: math.log1p(math.exp(a[0]))),
    "silu": Case(n_of(floats(-10, 10), 1, 1), reference=lambda a, p: a[0] * _sig(a[0])),
    "softmax": Case(st.nothing(), reference=_softmax_ref),  # sampled by _softmax_args_params
    # functions
    "exp": Case(n_of(floats(-5, 5), 1, 1), reference=lambda a, p: math.exp(a[0])),
    "log": Case(n_of(floats(0.01, 100), 1, 1), reference=lambda a, p: math.log(a[0])),
    "sqrt": Case(n_of(floats(0.01, 100), 1, 1), reference=lambda a, p: math.sqrt(a[0])),
    "abs": Case(n_of(floats(-5, 5), 1, 1), smooth=_away_from_zero, reference=lambda a, p: abs(a[0])),
    "sin": Case(n_of(floats(-10, 10), 1, 1), reference=lambda a, p: math.sin(a[0])),
    "cos": Case(n_of(floats(-10, 10), 1, 1), reference=lambda a, p: math.cos(a[0])),
    "max": Case(n_of(floats(-5, 5), 2, 2), smooth=_no_tie, reference=lambda a, p: max(a)),
    "min": Case(n_of(floats(-5, 5), 2, 2), smooth=_no_tie, reference=lambda a, p: min(a)),
    # losses: predictions in (0.01, 0.99) where a log is taken, targets in [0, 1]
    "squared_error": Case(n_of(floats(-5, 5), 2, 2), st.fixed_dictionaries({"factor": floats(0.1, 3.0)}),
                          reference=lambda a, p: p["factor"] * (a[0] - a[1]) ** 2),
    "binary_cross_entropy": Case(tuples(PROB, TARGET), reference=_bce_ref),
    "categorical_cross_entropy": Case(tuples(PROB, TARGET), reference=lambda a, p: -a[1] * math.log(a[0])),
}


def sample(name: str) -> st.SearchStrategy:
    """(args, params) for an entry; softmax draws its width and component too."""
    if name == "softmax":
        return _softmax_args_params()
    case = CASES[name]
    return st.tuples(case.args, case.params)


def make_call(name: str, n: int, params: dict) -> Call:
    return call(name, *(Var(f"a{i}") for i in range(n)), **{k: float(v) for k, v in params.items()})


def env_for(args) -> dict:
    return {f"a{i}": float(x) for i, x in enumerate(args)}


def value_at(expr: Call, args) -> float:
    return evaluate(expr, env_for(args))


def analytic_partial(expr: Call, args, i: int) -> float:
    """∂expr/∂a_i as the engine forms it: out is the call's own value, bound to a name."""
    env = env_for(args)
    env["out"] = evaluate(expr, env)
    d = diff(expr, f"a{i}", Var("out"))
    return evaluate(d, env)


def central_difference(expr: Call, args, i: int) -> float:
    """∂expr/∂a_i by the shared stencil, with small steps that keep clear of kinks and domain edges."""
    def at(x: float) -> float:
        moved = list(args)
        moved[i] = x
        return value_at(expr, moved)

    return helpers.central_difference(at, float(args[i]), step=1e-6)


def assert_partials_match(name: str, args, params: dict) -> None:
    expr = make_call(name, len(args), params)
    scale = max(1.0, abs(value_at(expr, args)))
    for i in range(len(args)):
        got = analytic_partial(expr, args, i)
        want = central_difference(expr, args, i)
        assert math.isfinite(got), f"{name}: ∂/∂a{i} is not finite at {args}"
        assert math.isclose(got, want, rel_tol=1e-5, abs_tol=1e-7 * scale), \
            f"{name}{tuple(args)} {params}: ∂/∂a{i} formula gives {got!r}, central difference {want!r}"


# ---------------------------------------------------------------- derivatives vs finite differences

@pytest.mark.parametrize("name", sorted(CASES))
@SETTINGS
@given(data=st.data())
def test_partial_matches_central_difference(name, data):
    args, params = data.draw(sample(name))
    assume(CASES[name].smooth(args, params))
    assert_partials_match(name, args, params)


@pytest.mark.parametrize("name", sorted(CASES))
@SETTINGS
@given(data=st.data())
def test_numpy_twin_equals_the_float_value(name, data):
    """Every entry's array form (batches, whole layers) gives the float form's value, element by element."""
    from backprop_cli.formula.calculus import evaluate_array

    rows = [data.draw(sample(name)) for _ in range(3)]
    params = rows[0][1]
    width = len(rows[0][0])  # mul and softmax draw their own number of arguments
    rows = [(a, params) for a, p in rows if len(a) == width and p == params]
    expr = make_call(name, len(rows[0][0]), params)
    arrays = {f"a{i}": np.array([float(a[i]) for a, _ in rows]) for i in range(len(rows[0][0]))}
    got = np.broadcast_to(evaluate_array(expr, arrays), (len(rows),))
    for k, (args, _) in enumerate(rows):
        assert got[k] == pytest.approx(value_at(expr, args), rel=1e-13, abs=1e-300), (name, args, params)


@pytest.mark.parametrize("k,index", [(k, j) for k in (2, 3, 4) for j in range(1, k + 1)])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_softmax_every_component_and_argument(k, index, data):
    """∂softmax_index/∂z_i for every i, at every width from 2 to 4."""
    args = data.draw(n_of(floats(-10, 10), k, k))
    assert_partials_match("softmax", args, {"index": float(index)})


def test_softmax_jacobian_is_s_i_times_delta_minus_s_j():
    z = [0.3, -1.2, 2.0, 0.7]
    s = np.exp(z) / np.exp(z).sum()
    for index in range(1, 5):
        expr = make_call("softmax", 4, {"index": index})
        for j in range(4):
            want = s[index - 1] * ((index - 1 == j) - s[j])
            assert analytic_partial(expr, z, j) == pytest.approx(want, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("exponent", [2.0, 3.0, -1.0, -2.0, 0.5, 1.5, 1.0, 0.0])
@SETTINGS
@given(base=floats(-5, 5))
def test_pow_with_constant_exponent(exponent, base):
    """x^c with a literal exponent: negative bases are allowed for integral exponents."""
    integral = exponent == round(exponent)
    assume(abs(base) > 0.1 and (integral or base > 0.1))
    expr = Call("pow", (Var("a0"), Const(exponent)))
    got = analytic_partial(expr, [base], 0)
    want = exponent * base ** (exponent - 1)
    assert got == pytest.approx(want, rel=1e-12, abs=1e-12)
    assert got == pytest.approx(central_difference(expr, [base], 0), rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "squared_error"])
@pytest.mark.parametrize("value", [0.01, 0.5, 1.0, 2.5])
def test_parameters_change_the_derivative(name, value):
    """The keyword parameter is used by the derivative, not its default."""
    key = {"leaky_relu": "slope", "elu": "alpha", "squared_error": "factor"}[name]
    args = [-0.7] if name != "squared_error" else [0.9, 0.2]
    expr = make_call(name, len(args), {key: value})
    want = {"leaky_relu": value, "elu": value * math.exp(-0.7), "squared_error": 2 * value * 0.7}[name]
    assert analytic_partial(expr, args, 0) == pytest.approx(want, rel=1e-12)


# ---------------------------------------------------------------- kink conventions

def _partial_at(name: str, args, params=None, i: int = 0) -> float:
    return analytic_partial(make_call(name, len(args), params or {}), args, i)


def test_relu_derivative_at_zero_is_zero():
    assert _partial_at("relu", [0.0]) == 0.0
    assert _partial_at("relu", [-0.0]) == 0.0
    assert _partial_at("relu", [1e-300]) == 1.0
    assert _partial_at("relu", [-1e-300]) == 0.0


def test_leaky_relu_derivative_at_zero_is_the_slope():
    assert _partial_at("leaky_relu", [0.0], {"slope": 0.1}) == pytest.approx(0.1)
    assert _partial_at("leaky_relu", [1e-300], {"slope": 0.1}) == 1.0


def test_elu_derivative_at_zero_is_alpha():
    # the left derivative α·e^0; for α ≤ 1 it lies between the one-sided derivatives
    assert _partial_at("elu", [0.0], {"alpha": 0.5}) == pytest.approx(0.5)
    assert _partial_at("elu", [1e-300], {"alpha": 0.5}) == 1.0


def test_abs_derivative_at_zero_is_zero():
    assert _partial_at("abs", [0.0]) == 0.0
    assert _partial_at("abs", [-2.0]) == -1.0


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_with_a_constant_follow_the_relu_convention(name):
    """max(x, 0) = relu(x) and min(x, 0) = −relu(−x): derivative 0 at x = 0, as relu'(0) = 0."""
    expr = Call(name, (Var("a0"), Const(0.0)))
    assert analytic_partial(expr, [0.0], 0) == 0.0
    assert analytic_partial(expr, [1e-300], 0) == (1.0 if name == "max" else 0.0)
    assert analytic_partial(expr, [-1e-300], 0) == (0.0 if name == "max" else 1.0)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_at_a_tie_split_the_derivative_to_a_sum_of_one(name):
    """max(t, t) = t, so ∂/∂a + ∂/∂b must be 1 at a tie (every subgradient (λ, 1 − λ) sums to 1):
    a parameter feeding both arguments must get gradient 1, not 0. The tie goes to the second argument."""
    expr = make_call(name, 2, {})
    total = analytic_partial(expr, [0.4, 0.4], 0) + analytic_partial(expr, [0.4, 0.4], 1)
    assert total == 1.0


# ---------------------------------------------------------------- values vs plain math

@pytest.mark.parametrize("name", sorted(CASES))
@SETTINGS
@given(data=st.data())
def test_value_matches_plain_math(name, data):
    args, params = data.draw(sample(name))
    expr = make_call(name, len(args), params)
    got = value_at(expr, args)
    want = CASES[name].reference(list(args), params)
    assert got == pytest.approx(want, rel=1e-12, abs=1e-12)


# ---------------------------------------------------------------- coverage and printers

def _fns_in(expr) -> set:
    if isinstance(expr, Call):
        return {expr.fn}.union(*(_fns_in(a) for a in expr.args))
    return set()


def _example(name: str):
    """A fixed valid point away from kinks, for walking derivative formulas."""
    fixed = {"softmax": ((0.1, 0.5, -0.2), {"index": 2.0}),
             "pow": ((1.5, 2.5), {}), "div": ((1.0, 2.0), {}),
             "log": ((2.0,), {}), "sqrt": ((2.0,), {}),
             "binary_cross_entropy": ((0.3, 0.6), {}), "categorical_cross_entropy": ((0.3, 0.6), {}),
             "leaky_relu": ((-0.5,), {"slope": 0.1}), "elu": ((-0.5,), {"alpha": 1.0}),
             "squared_error": ((0.3, 0.6), {"factor": 0.5})}
    if name in fixed:
        return fixed[name]
    fn = REGISTRY[name]
    return tuple(0.3 + 0.2 * i for i in range(fn.arity or 3)), {}


def test_every_registry_entry_is_covered():
    """A new entry must get a case here (and a reference value), or this test fails."""
    kinds = {f.kind for f in REGISTRY.values()}
    assert kinds <= set(KNOWN_KINDS), f"unknown kind(s) {kinds - set(KNOWN_KINDS)}: add tests for them"
    user = set(names_of(*USER_KINDS))
    assert user - set(CASES) == set(), f"registry entries without a derivative test: {user - set(CASES)}"
    assert set(CASES) - user == set(), f"cases for entries no longer registered: {set(CASES) - user}"
    assert all(c.reference is not None for c in CASES.values())


def test_every_helper_is_reached_through_a_user():
    """Helpers appear only inside derivatives; each must occur in some tested derivative."""
    reached = set()
    for name in CASES:
        args, params = _example(name)
        expr = make_call(name, len(args), params)
        for i in range(len(args)):
            reached |= _fns_in(diff(expr, f"a{i}", Var("out")))
    helpers = set(names_of("helper"))
    assert helpers - reached == set(), f"helpers no tested derivative uses: {helpers - reached}"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_printers_give_non_empty_strings(name):
    fn = REGISTRY[name]
    n = fn.arity or 3
    printed = [f"arg{chr(ord('p') + i)}" for i in range(n)]
    params = {k: 0.5 if v is None else v for k, v in fn.params}  # a required parameter (factor) given
    for render in (fn.text, fn.latex):
        s = render(printed, params)
        assert isinstance(s, str) and s.strip()
        for a in printed:
            assert a in s, f"{name}: argument {a} missing from {s!r}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_formula_printers_handle_each_entry_and_its_derivatives(name):
    args, params = _example(name)
    expr = make_call(name, len(args), params)
    formulas = [expr] + [diff(expr, f"a{i}", Var("out")) for i in range(len(args))]
    values = {f"a{i}": x for i, x in enumerate(args)} | {"out": 0.5}
    for f in formulas:
        for s in (to_text(f), to_latex(f), to_text(f, values), to_latex(f, values)):
            assert isinstance(s, str) and s.strip()
