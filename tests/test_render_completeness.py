"""Every step type renders in every format, and an unknown step type is an error in each.

The same for the layout's vocabulary: every block, row and cell type has a writer in each format
that writes the layout, the layout uses each of them, and an unknown one is an error.
"""
from __future__ import annotations

import dataclasses

import pytest

from backprop_cli.engine import solve
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.model import Problem
from backprop_cli.render import RENDERERS, SUFFIXES, markdown, renderer, terminal
from backprop_cli.render import json as json_out
from backprop_cli.render.blocks import BLOCK_TYPES, ROW_TYPES, Derivation, Document, Paragraph, Section
from backprop_cli.render.cells import CELL_TYPES
from backprop_cli.render.layout import SECTION_OF, build
from backprop_cli.solution import (
    LAYER_STEPS,
    STEP_TYPES,
    FinalStep,
    GivenStep,
    HistoryStep,
    NetworkGivenStep,
    ShownStep,
)

from problem_files import BATCH, ROOT

# Two samples, a frozen parameter, an update and a gradient check: a solution that holds every step type.


@dataclasses.dataclass(frozen=True)
class MysteryStep:
    """A step type no renderer knows."""

    node: str = "x"


@dataclasses.dataclass(frozen=True)
class MysteryBlock:
    """A block, row or cell type no format knows."""


@pytest.fixture(scope="module")
def sol():
    return solve(load_problem_text(BATCH, "every_step.yaml"), gradient_check=True)


TRAINING_TYPES = (ShownStep, HistoryStep, FinalStep)  # a trained solution's own; the others are inside its steps
TRAINED = BATCH.replace("training: {learning_rate: 0.1, frozen: [b]}", "training: {learning_rate: 0.1, frozen: [b], "
                        "steps: 3, show: [1, last], optimizer: {name: momentum, momentum: 0.9}}")


@pytest.fixture(scope="module")
def trained():
    return solve(load_problem_text(TRAINED, "trained.yaml"), gradient_check=True)


@pytest.fixture(scope="module")
def summary():
    """The same batch solved as matrices and shown in summary form (render/summary.py)."""
    return solve(load_problem_text(BATCH, "summary.yaml"), form="summary")


def test_the_fixture_holds_every_step_type(sol, trained, summary):
    assert {type(s) for s in sol.steps} | set(TRAINING_TYPES) | set(LAYER_STEPS) == set(STEP_TYPES)
    assert set(LAYER_STEPS) <= {type(s) for s in summary.steps}
    assert {type(s) for s in trained.steps} == {GivenStep, *TRAINING_TYPES}
    assert {type(s) for s in trained.of(ShownStep)[0].solution.steps} == (set(STEP_TYPES) - {GivenStep, *TRAINING_TYPES}
                                                                        - set(LAYER_STEPS))


def test_every_step_type_has_a_section():
    assert set(SECTION_OF) == set(STEP_TYPES)


def test_every_suffix_names_a_format():
    assert set(SUFFIXES.values()) <= set(RENDERERS)
    assert {"markdown", "json"} <= set(SUFFIXES.values())


@pytest.mark.parametrize("fmt", list(RENDERERS))
@pytest.mark.parametrize("kind", STEP_TYPES, ids=lambda k: k.__name__)
def test_every_step_type_renders(fmt, kind, sol, trained, summary):
    """Adding the steps of one type to a solution changes what the format prints."""
    sol = trained if kind in TRAINING_TYPES else summary if kind in LAYER_STEPS else sol
    render = renderer(fmt)
    given = tuple(s for s in sol.steps if isinstance(s, (GivenStep, NetworkGivenStep)))
    base = () if kind in (GivenStep, NetworkGivenStep) else given
    with_kind = base + tuple(s for s in sol.steps if isinstance(s, kind))
    without = render(dataclasses.replace(sol, steps=base), precision=4, width=100, color=False)
    shown = render(dataclasses.replace(sol, steps=with_kind), precision=4, width=100, color=False)
    # more text, or (JSON's one-line mappings can come out shorter) other text
    assert len(shown) > len(without) or (fmt == "json" and shown != without), \
        f"{fmt} prints nothing for {kind.__name__}"


@pytest.mark.parametrize("fmt", list(RENDERERS))
def test_an_unknown_step_type_is_an_error(fmt, sol):
    render = renderer(fmt)
    with pytest.raises(TypeError, match="MysteryStep"):
        render(dataclasses.replace(sol, steps=(*sol.steps, MysteryStep())), precision=4, width=100, color=False)


def test_the_json_renderer_has_a_method_for_every_step_type():
    from backprop_cli.render import json_summary  # the summary form's document: per-layer arrays

    assert set(json_out.STEPS) | set(json_summary.STEPS) == set(STEP_TYPES)


WRITERS = [terminal, markdown]


@pytest.mark.parametrize("module", WRITERS, ids=lambda m: m.__name__)
def test_every_block_row_and_cell_type_has_a_writer(module):
    assert set(module.BLOCKS) == set(BLOCK_TYPES)
    assert set(module.ROWS) == set(ROW_TYPES)
    assert set(module.CELLS) == set(CELL_TYPES)


def _types_in(obj) -> set:
    """The types of every dataclass inside a laid-out document (the problem itself left out)."""
    if isinstance(obj, (tuple, list)):
        return {t for x in obj for t in _types_in(x)}
    if not dataclasses.is_dataclass(obj) or isinstance(obj, Problem):
        return set()
    return {type(obj)} | {t for f in dataclasses.fields(obj) for t in _types_in(getattr(obj, f.name))}


def test_the_layout_uses_every_block_row_and_cell_type(sol, trained, monkeypatch):
    """No writer is dead code: some example lays out each type."""
    monkeypatch.chdir(ROOT)
    expression_batch = load_problem_text("title: t\nsamples:\n  - inputs: {x: 1.0, y: 2.0}\n"
                                         "  - inputs: {x: -0.5, y: 3.0}\nexpression: {f: x*y + sin(x)}\n", "e.yaml")
    docs = [build(sol, symbolic=True), build(trained), build(solve(expression_batch)),
            build(solve(load_problem("problems/seed003_q2_expression.yaml"))),
            build(solve(load_problem("problems/softmax_cross_entropy.yaml")))]  # the δ = ŷ − y shortcut
    used = _types_in(docs)
    assert set(BLOCK_TYPES) | set(ROW_TYPES) | set(CELL_TYPES) <= used


@pytest.mark.parametrize("module", WRITERS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("where", ["block", "row", "cell"])
def test_an_unknown_block_row_or_cell_is_an_error(module, where):
    block = {"block": MysteryBlock(), "row": Derivation(("node", "formula"), (MysteryBlock(),)),
             "cell": Paragraph(MysteryBlock())}[where]
    doc = Document((), (Section(1, "Mystery", (block,)),))
    with pytest.raises(TypeError, match="MysteryBlock"):
        module.write(doc, precision=4, width=100, color=False)
