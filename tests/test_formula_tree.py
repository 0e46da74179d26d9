"""free_names: a wide sum (a neuron of a wide layer) takes a short way and remembers; the answer is the walk's."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_cli.formula import tree
from backprop_cli.formula.tree import Call, Const, Var

NAMES = st.sampled_from(["w1", "w2", "x1", "x2", "b", "h1"]).map(Var)
TERMS = st.one_of(NAMES, st.builds(lambda a, b: Call("mul", (a, b)), NAMES, NAMES),
                  st.builds(lambda a: Call("sigmoid", (Call("add", (a, Const(1.0))),)), NAMES),
                  st.just(Const(2.0)))


@settings(max_examples=200, deadline=None)
@given(st.lists(TERMS, min_size=60, max_size=90))
def test_the_names_of_a_wide_sum_are_the_walks(terms) -> None:
    formula = Call("add", tuple(terms))
    expected = tree._walk(formula)
    assert tree.free_names(formula) == expected
    assert tree.free_names(formula) == expected  # remembered, when wide: the same answer again
