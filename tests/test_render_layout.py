"""The shared layout, independently of any format: which blocks a section holds and what its rows say.

Row contents are checked against the engine's steps and against arithmetic done here: a printed
chain rule or update, evaluated with the numbers it shows, gives the value printed beside it.
"""
from __future__ import annotations

import math
from itertools import groupby
from pathlib import Path

import pytest

from backprop_cli.engine import solve
from backprop_cli.formula.calculus import evaluate
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.render.blocks import (
    BatchTotal,
    Column,
    Definitions,
    Derivation,
    Diagram,
    Equation,
    LossChange,
    Note,
    Paragraph,
    SampleSum,
    Subheading,
    Table,
    Title,
)
from backprop_cli.render.cells import Formula, Grad, Join, Math, Name, Num, SampleKey, Sum, Text
from backprop_cli.render.layout import build, shown_grads
from backprop_cli.solution import BatchLossStep, GradStep, LossAfterStep, UpdateStep

from problem_files import BATCH

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def batch():
    return solve(load_problem_text(BATCH, "batch.yaml"))


@pytest.fixture(scope="module")
def expression():
    return solve(load_problem(ROOT / "problems" / "seed003_q2_expression.yaml"))


def blocks(doc, title: str, kind: type) -> list:
    """The blocks of one type in the section of that title."""
    (section,) = [s for s in doc.sections if s.title == title]
    return [b for b in section.blocks if isinstance(b, kind)]


def flat(cell) -> list:
    """A cell and, for a Join, every cell inside it."""
    return [cell] if not isinstance(cell, Join) else [c for part in cell.parts for c in flat(part)]


def test_sections_follow_the_steps(batch):
    doc = build(batch)
    assert [(s.number, s.title) for s in doc.sections] == list(enumerate(
        ["Given", "Forward pass", "Loss", "Backward pass", "Update", "Loss after the update"], start=1))
    assert doc.front == (Title("A batch of two samples through one tanh neuron"),)


def test_given_table_of_a_batch(batch):
    (values, params) = blocks(build(batch), "Given", Table)
    assert values.columns == (Column("name"), Column("sample 1", numeric=True), Column("sample 2", numeric=True))
    assert values.group_column == "given"
    assert [(g.title, g.label) for g in values.groups] == [("Inputs", Text("input")), ("Targets", Text("target"))]
    assert values.groups[0].rows == ((Name("x1"), Num(0.5), Num(1.5)), (Name("x2"), Num(-1.0), Num(0.25)))
    assert values.groups[1].rows == ((Name("y"), Num(0.2), Num(-0.4)),)
    assert [c.header for c in params.columns] == ["parameter", "connects", "value"]
    rows = {flat(r[0])[0].name: r for r in params.groups[0].rows}
    assert list(rows) == ["w1", "w2", "b"]
    assert rows["b"] == (Join((Name("b"), Text(" (frozen)"))), Text("bias of yhat"), Num(0.1))
    assert rows["w2"] == (Name("w2"), Text("x2 → yhat"), Num(-0.6))


def test_given_notes_of_a_batch(batch):
    doc = build(batch)
    batch_note, training = blocks(doc, "Given", Note)
    assert batch_note.title is None
    assert flat(batch_note.text) == [Text("over the batch: the mean of "), Math("L", "L"), Text(" over 2 samples"),
                                     SampleKey()]
    assert training.title == "Training"
    assert flat(training.text) == [Text("learning rate "), Math("η = 0.1", "\\eta = 0.1"), Text("; frozen: "),
                                   Name("b")]
    (diagram,) = blocks(doc, "Given", Diagram)
    assert diagram.title == "Network"


def test_the_batch_loss_is_the_mean_of_the_samples(batch):
    (total,) = blocks(build(batch), "Loss", BatchTotal)
    (step,) = batch.of(BatchLossStep)
    assert total.lhs == Name("L") and total.reduction == "mean"
    assert total.parts == Sum(step.per_sample, mean=True) and len(step.per_sample) == 2
    assert total.total == pytest.approx(sum(step.per_sample) / 2, rel=1e-15)


def test_backward_runs_by_kind_and_sums_over_the_samples(batch):
    derivations = blocks(build(batch), "Backward pass", Derivation)
    kinds = [kind for kind, _ in groupby(shown_grads(batch), key=lambda s: s.kind)]
    assert kinds == ["loss_term", "output", "z", "param"]  # the inputs are hidden: the batch has parameters
    assert [d.title for d in derivations] == ["∂L/∂(each loss term)", "∂L/∂ŷ for each output",
                                              "δ = ∂L/∂z for each neuron", "∂L/∂p for each parameter"]
    params = derivations[-1].rows
    steps = {s.node: s for s in batch.of(GradStep)}
    assert [type(r) for r in params] == [Equation, SampleSum] * 3
    for eq, summed in zip(params[::2], params[1::2]):
        step = steps[eq.lhs.node]
        assert eq.lhs == summed.lhs == Grad("L", step.node)
        assert eq.values == step.values and len(eq.numbers) == 2
        assert summed.parts == Sum(step.values) and summed.total == step.total
        assert summed.total == pytest.approx(math.fsum(step.values), rel=1e-15)


def test_every_chain_rule_with_its_numbers_gives_its_value(batch):
    """The printed right-hand side, evaluated with the numbers printed in it, is the printed value."""
    for derivation in blocks(build(batch), "Backward pass", Derivation):
        for eq in (r for r in derivation.rows if isinstance(r, Equation)):
            assert len(eq.numbers) == len(eq.values) == 2
            for numbers, value in zip(eq.numbers, eq.values):
                assert float(evaluate(numbers.expr, numbers.values)) == pytest.approx(value, rel=1e-12, abs=1e-15)
                assert numbers.terms == eq.formula.terms


def test_update_rows(batch):
    (table,) = blocks(build(batch), "Update", Table)
    assert [c.header for c in table.columns] == ["parameter", "old", "gradient", "old − η·gradient", "new"]
    assert [c.numeric for c in table.columns] == [False, True, True, False, True]
    assert Math("η = 0.1", "\\eta = 0.1") in flat(table.caption[1])
    steps = batch.of(UpdateStep)
    assert [r[0] for r in table.groups[0].rows] == [Name(s.param) for s in steps] == [Name("w1"), Name("w2"),
                                                                                        Name("b")]
    for (_, old, grad, work, new), step in zip(table.groups[0].rows, steps):
        assert (old, grad, new) == (Num(step.old), Num(step.grad), Num(step.new))
        if step.frozen:
            assert work == Text("frozen: not updated") and step.new == step.old
        else:
            assert isinstance(work, Formula)
            assert float(evaluate(work.expr, work.values)) == step.old - 0.1 * step.grad == step.new


def test_loss_after_the_update(batch):
    (change,) = blocks(build(batch), "Loss after the update", LossChange)
    (step,) = batch.of(LossAfterStep)
    assert (change.lhs, change.before, change.after, change.per_sample) == \
        (Name("L"), step.before, step.after, step.per_sample)


def test_all_paths_rows_of_an_expression(expression):
    """seed003 q2: x1 reaches f through t1 and t3, so its two paths are summed; x2 has one path."""
    table, gradient = build(expression).sections[-1].blocks
    assert isinstance(table, Table) and isinstance(gradient, Definitions)
    assert [c.header for c in table.columns] == ["node", "via", "local ∂via/∂node", "upstream", "downstream"]
    rows = table.groups[0].rows
    assert [(r[0].name, flat(r[1])[0]) for r in rows] == [
        ("t2", Name("f")), ("t1", Name("t2")), ("t3", Name("f")), ("x1", Name("t1")), ("x1", Name("t3")),
        ("x1", Text("all paths")), ("x2", Name("t1"))]
    for _node, _, local, upstream, downstream in (r for r in rows if isinstance(r[1], Name)):
        assert local.value * upstream.value == pytest.approx(downstream.value, rel=1e-15)
    x1, x2 = 1.0, 2.0
    df_dx1 = (1 - math.tanh(x1 / x2) ** 2) / x2 + math.exp(-x1) / (1 + math.exp(-x1)) ** 2
    *_, (_, _, empty, word, paths) = rows[:6]
    assert (empty, word) == (Text(""), Text("sum"))
    parts, equals, total = paths.parts
    assert parts == Sum((rows[3][4].value, rows[4][4].value)) and equals == Text(" = ")
    assert total.value == pytest.approx(df_dx1, rel=1e-14)
    assert gradient.title == "Gradient" and not gradient.together
    assert [lhs for lhs, _ in gradient.rows] == [Grad("f", "x1"), Grad("f", "x2")]
    assert gradient.rows[0][1].parts[0].value == pytest.approx(df_dx1, rel=1e-14)
    assert gradient.rows[1][1].parts[0].value == pytest.approx(-(1 - math.tanh(x1 / x2) ** 2) * x1 / x2 ** 2)


def test_symbolic_puts_the_derivation_in_symbols_first(batch):
    plain = [type(b) for b in build(batch).sections[3].blocks]
    blocks_ = build(batch, symbolic=True).sections[3].blocks
    assert blocks_[0] == Subheading("The derivation in symbols")
    middle = blocks_.index(Subheading("The same with numbers"))
    assert all(isinstance(d, Derivation) and all(not eq.numbers for eq in d.rows) for d in blocks_[1:middle])
    assert [type(b) for b in blocks_[middle + 1:]] == plain and Subheading not in plain


def test_a_derivation_without_numbers(monkeypatch):
    sol = solve(load_problem(ROOT / "problems" / "seed004_symbolic.yaml"))
    doc = build(sol)
    (values,) = blocks(doc, "Given", Paragraph)
    assert flat(values.text)[:2] == [Text("Symbolic: no numbers are given. Inputs: "), Name("x1")]
    assert [s.title for s in doc.sections] == ["Given", "Forward pass", "Loss", "Backward pass"]
    for section in doc.sections[1:]:
        for block in section.blocks:
            assert isinstance(block, Derivation)
            assert all(isinstance(eq, Equation) and eq.numbers == () == eq.values for eq in block.rows)
