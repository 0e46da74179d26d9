"""Training laid out: what the Given section says of it, each shown step's heading, the loss history and
curve, and where training ends. Each shown step's own sections are laid out as a single step is."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..formula.printing import fmt_const
from ..model import Problem
from ..optimizers import SYMBOLS
from ..solution import FinalStep, HistoryStep, ShownStep
from .blocks import Block, Column, LossCurve, Note, Rows, Table
from .cells import Cell, Join, Math, Name, Num, Text, names
from .optimizer import LATEX

if TYPE_CHECKING:
    from .layout import Context

FIRST, BETWEEN = 5, 10  # the loss table: the first steps, then about this many sampled ones, then the last


def words(items: Sequence[object]) -> str:
    """'3', '3 and 1', '3, 1 and 2'."""
    text = [str(x) for x in items]
    return text[0] if len(text) == 1 else ", ".join(text[:-1]) + " and " + text[-1]


def given(p: Problem) -> list[Note]:
    """The Training notes of the Given section: the learning rate, and what else the file says of training."""
    lr, t = p.learning_rate, p.training
    first: list[Cell] = [Text("learning rate "), Math(f"η = {lr:g}", f"\\eta = {lr:g}")]
    if p.frozen:
        first += [Text("; frozen: "), names(sorted(p.frozen))]
    notes = [Note(Join(tuple(first)), title="Training")]
    if t is not None and t.optimizer.name != "sgd":
        parts: list[Cell] = [Text(f"optimizer {t.optimizer.name} with ")]
        for k, (key, x) in enumerate(t.optimizer.hyper):
            symbol = SYMBOLS[key]
            parts += [Text(", " if k else ""), Math(f"{symbol} = {fmt_const(x)}",
                                                   f"{LATEX[symbol]} = {fmt_const(x, latex=True)}")]
        notes.append(Note(Join(tuple(parts))))
    if t is not None and (not t.single or t.epochs is not None):
        notes.append(Note(Text(_how_long(p))))
    if t is not None and not t.single:
        shown = f"steps {words(t.show)}" if len(t.show) > 1 else f"step {t.show[0]}" if t.show else "no step"
        notes.append(Note(Text(f"worked in full: {shown}")))
    return notes


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _how_long(p: Problem) -> str:
    """How many steps, on which samples: '10000 full-batch steps', '3 epochs of mini-batches of 2 …'."""
    t = p.training
    assert t is not None
    if t.epochs is None:
        return _count(t.steps, "full-batch step")
    epochs, size = _count(t.epochs, "epoch"), t.batch_size or p.n_samples
    if size == p.n_samples:
        return f"{epochs}, each one full-batch step: {_count(t.steps, 'step')}"
    order = f"shuffled with seed {t.seed}" if t.seed is not None else "in file order"
    return f"{epochs} of mini-batches of {size} of the {p.n_samples} samples, {order}: {_count(t.steps, 'step')}"


def heading(shown: ShownStep) -> Note:
    """Which step this is, on which samples, from which parameters."""
    text = f"Step {shown.step} of {shown.steps}"
    if shown.epoch is not None:
        text += f", in epoch {shown.epoch}"
    samples = [s + 1 for s in shown.samples]
    if len(samples) < shown.n_samples:
        noun = "samples" if len(samples) > 1 else "sample"
        text += f": the mini-batch of {noun} {words(samples)}"
        if samples != list(range(1, len(samples) + 1)):
            text += f", numbered {words(list(range(1, len(samples) + 1)))} in this step"
    elif shown.n_samples > 1:
        text += f", on all {shown.n_samples} samples"
    start = "the given parameters" if shown.step == 1 else f"the parameters after step {shown.step - 1}"
    return Note(Text(f"{text}, from {start}"))


def all_samples(p: Problem, shown: ShownStep, history: HistoryStep) -> Note:
    """After a mini-batch step: the loss over all samples before and after it, as the loss table reports it."""
    before, after = history.losses[shown.step - 1], history.losses[shown.step]
    return Note(Join((Name(p.loss), Text(f" over all {p.n_samples} samples: "), Num(before),
                      Text(" before this step, "), Num(after), Text(" after it"))))


def sampled(steps: int) -> list[int]:
    """The steps the loss table shows: 0 and the first FIRST, round steps about BETWEEN apart, the last two."""
    if steps <= FIRST + BETWEEN:
        return list(range(steps + 1))
    stride = next(m * 10 ** e for e in range(len(str(steps))) for m in (1, 2, 5) if m * 10 ** e * BETWEEN >= steps)
    return sorted({*range(FIRST + 1), *range(stride, steps, stride), steps - 1, steps})


def history(ctx: Context, steps: Sequence[HistoryStep]) -> list[Block]:
    """The loss at the given parameters and after the steps (or epochs) the table samples, and the curve."""
    h, p = steps[0], ctx.problem
    over = f"over all {p.n_samples} samples " if p.n_samples > 1 else ""
    rows: tuple[tuple[Cell, ...], ...]
    columns: tuple[Column, ...]
    if h.epoch_ends:
        ends = [0, *h.epoch_ends]
        rows = tuple((Text(str(e)), Text(str(ends[e])), Num(h.losses[ends[e]])) for e in sampled(len(h.epoch_ends)))
        columns = (Column("epoch", numeric=True), Column("step", numeric=True), Column(p.loss, numeric=True))
        unit = "epoch"
    else:
        rows = tuple((Text(str(k)), Num(h.losses[k])) for k in sampled(len(h.losses) - 1))
        columns = (Column("step", numeric=True), Column(p.loss, numeric=True))
        unit = "step"
    note = Note(Text(f"{p.loss} {over}at the given parameters ({unit} 0) and after each {unit}"))
    log = min(h.losses) > 0 and max(h.losses) >= 100 * min(h.losses)
    return [note, Table(columns, (Rows(rows, title=f"Loss per {unit}"),)), LossCurve(Name(p.loss), h.losses, log)]


def final(ctx: Context, steps: Sequence[FinalStep]) -> list[Block]:
    """Each parameter's given and trained value, the outputs after training beside their targets, the loss."""
    f, p = steps[0], ctx.problem
    params: tuple[tuple[Cell, ...], ...] = tuple(
        (Join((Name(k), Text(" (frozen)"))) if frozen else Name(k), Num(start), Num(end))
        for k, start, end, frozen in f.params)
    blocks: list[Block] = [Table((Column("parameter"), Column("given", numeric=True),
                                  Column("trained", numeric=True)), (Rows(params, title="Parameters"),))]
    headers = [f"sample {s + 1}" for s in range(p.n_samples)] if p.n_samples > 1 else ["value"]
    groups = tuple(Rows(tuple((Name(k), *(Num(x) for x in values[k])) for k in keys), title=title, label=Text(label))
                   for title, label, keys, values in (("Outputs", "output", [y for y, _ in p.outputs], f.values),
                                                      ("Targets", "target", [t for _, t in p.outputs], p.targets))
                   if keys)
    if groups:
        columns = (Column("name"), *(Column(x, numeric=True) for x in headers))
        blocks.append(Table(columns, groups, group_column="after training"))
    steps_done = len(ctx.sol.of(HistoryStep)[0].losses) - 1 if ctx.sol.of(HistoryStep) else 0
    blocks.append(Note(Join((Name(p.loss), Text(f" after {steps_done} steps: "), Num(f.loss),
                             Text(" (at the given parameters: "), Num(ctx.sol.loss or 0.0), Text(")")))))
    return blocks
