"""model.node_depths: the one depth of a node, for the engine's backward order and every picture of layers."""
from __future__ import annotations

import pytest

from backprop_cli.errors import Origin
from backprop_cli.formula.tree import Var, add, free_names, mul
from backprop_cli.load.document import load_problem
from backprop_cli.model import CycleError, Node, node_depths

from problem_files import problem_files

HERE = Origin("t.yaml", 1, "")


def node(name: str, formula, role: str = "node") -> Node:
    return Node(name, formula, role, HERE)


def test_depth_counts_the_nodes_below_and_leaves_count_zero() -> None:
    nodes = [node("q", add(Var("x"), Var("y"))), node("f", mul(Var("q"), Var("z"))), node("g", Var("x"))]
    assert node_depths(nodes) == {"q": 1, "f": 2, "g": 1}


def test_flat_roles_add_nothing() -> None:
    nodes = [node("z_h", mul(Var("w"), Var("x")), "z"), node("h", Var("z_h"), "a"),
             node("z_o", mul(Var("v"), Var("h")), "z"), node("o", Var("z_o"), "a")]
    assert node_depths(nodes, flat=("z",)) == {"z_h": 0, "h": 1, "z_o": 1, "o": 2}
    assert node_depths(nodes) == {"z_h": 1, "h": 2, "z_o": 3, "o": 4}


def test_the_result_is_in_evaluation_order_whatever_the_given_order() -> None:
    nodes = [node("f", mul(Var("q"), Var("r"))), node("r", Var("q")), node("q", Var("x"))]
    assert list(node_depths(nodes)) == ["q", "r", "f"]
    assert node_depths(nodes) == {"q": 1, "r": 2, "f": 3}


@pytest.mark.parametrize(("names", "cycle"), [
    ({"a": "b", "b": "a"}, ("a", "b", "a")),
    ({"a": "a"}, ("a", "a")),
    ({"a": "x", "b": "c", "c": "d", "d": "b"}, ("b", "c", "d", "b")),
])
def test_a_cycle_is_reported_as_its_path(names: dict, cycle: tuple) -> None:
    with pytest.raises(CycleError) as info:
        node_depths([node(k, Var(ref)) for k, ref in names.items()])
    assert info.value.cycle == cycle


def test_a_long_chain_needs_no_deep_recursion() -> None:
    nodes = [node("n0", Var("x"))] + [node(f"n{k}", Var(f"n{k - 1}")) for k in range(1, 5000)]
    assert node_depths(reversed(nodes))["n4999"] == 5000


@pytest.mark.parametrize("path", problem_files(), ids=lambda p: p.stem)
def test_a_loaded_problem_is_in_the_order_node_depths_gives(path) -> None:
    """So node_depths equals the engine's depth, counted over the nodes before each node."""
    problem = load_problem(path)
    depths = node_depths(problem.nodes)
    assert list(depths) == [n.name for n in problem.nodes]
    before: dict = {}
    for n in problem.nodes:
        before[n.name] = 1 + max((before.get(r, 0) for r in free_names(n.formula)), default=0)
    assert depths == before
