"""Every step type renders in every format, and an unknown step type is an error in each."""
from __future__ import annotations

import dataclasses

import pytest

from backprop_cli.engine import solve
from backprop_cli.load.document import load_problem_text
from backprop_cli.render import RENDERERS, SUFFIXES, renderer
from backprop_cli.render.layout import SECTION_OF
from backprop_cli.solution import STEP_TYPES, GivenStep
from problem_files import BATCH

# Two samples, a frozen parameter and an update: a solution that holds every step type.


@dataclasses.dataclass(frozen=True)
class MysteryStep:
    """A step type no renderer knows."""

    node: str = "x"


@pytest.fixture(scope="module")
def sol():
    return solve(load_problem_text(BATCH, "every_step.yaml"))


def test_the_fixture_holds_every_step_type(sol):
    assert {type(s) for s in sol.steps} == set(STEP_TYPES)


def test_every_step_type_has_a_section():
    assert set(SECTION_OF) == set(STEP_TYPES)


def test_every_suffix_names_a_format():
    assert set(SUFFIXES.values()) <= set(RENDERERS)
    assert {"markdown", "json"} <= set(SUFFIXES.values())


@pytest.mark.parametrize("fmt", list(RENDERERS))
@pytest.mark.parametrize("kind", STEP_TYPES, ids=lambda k: k.__name__)
def test_every_step_type_renders(fmt, kind, sol):
    """Adding the steps of one type to a solution changes what the format prints."""
    render = renderer(fmt)
    given = tuple(s for s in sol.steps if isinstance(s, GivenStep))
    base = () if kind is GivenStep else given
    with_kind = base + tuple(s for s in sol.steps if isinstance(s, kind))
    without = render(dataclasses.replace(sol, steps=base), precision=4, width=100, color=False)
    shown = render(dataclasses.replace(sol, steps=with_kind), precision=4, width=100, color=False)
    assert len(shown) > len(without), f"{fmt} prints nothing for {kind.__name__}"


@pytest.mark.parametrize("fmt", list(RENDERERS))
def test_an_unknown_step_type_is_an_error(fmt, sol):
    render = renderer(fmt)
    with pytest.raises(TypeError, match="MysteryStep"):
        render(dataclasses.replace(sol, steps=(*sol.steps, MysteryStep())), precision=4, width=100, color=False)
