"""Name the likely mistake behind a wrong number: the first model that reproduces it.

Models are tried kind by kind, in ORDER: rounding first (the smallest slip), then the named
misconceptions, then a sign, another neuron's value, values that are not the problem's, a copying
slip, and arithmetic when nothing matches. A model is tried at the step itself, on the numbers the
student carried (as written, and as cut or rounded to the decimals they work to), and in a world
where it also changed the steps they did not write, so that a slip there shows up here.

A model reproduces a number when it agrees within the student's rounding, or reproduces how far the
number is from the step done right to 4 significant figures (hand work rounds what it multiplies),
and itself differs from the step done right by more than that.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from functools import partial

from ..engine import round_half_away
from ..errors import BackpropError
from ..formula.printing import MINUS, fmt_number
from .answers import Answer
from .catalogue import MODELS
from .mistakes import KINDS, Mistake, Model
from .slips import step_models
from .world import Cycle, Plan, Step, World

ORDER = ["updated-weights-in-backward", "wrong-learning-rate", "softmax-coupling-dropped", "output-for-preactivation",
         "wrong-derivative", "dropped-factor", "sign", "index", "wrong-value"]


@dataclass
class Context:
    """What naming a student's mistakes needs, with the worlds tried so far kept for the next number."""

    plan: Plan
    written: dict[str, float]
    truth: dict[str, float]
    exact: World
    careful: dict[int, World]  # decimals -> the world of a careful student rounding to them
    reads: list[Reading]  # how the student may have read earlier numbers
    models: dict[str, list[Model]] = field(default_factory=dict)
    worlds: dict[int, World] = field(default_factory=dict)

    def world(self, model: Model) -> World:
        """The student's world with the model applied wherever it applies (kept for reuse)."""
        if id(model) not in self.worlds:
            self.worlds[id(model)] = World(self.plan, self.written, model, carry=model.carry)
        return self.worlds[id(model)]

    def cone(self, name: str) -> set[str]:
        """The steps the student did not write that the step's value comes from."""
        seen: set[str] = set()
        todo = list(self.exact.reads.get(name, ()))
        while todo:
            n = todo.pop()
            if n not in seen and n not in self.written:
                seen.add(n)
                todo.extend(self.exact.reads.get(n, ()))
        return seen


@dataclass(frozen=True)
class Reading:
    """How a student may have read their earlier numbers: as written, or rounded or cut to some decimals."""

    words: str
    read: Callable[[float], float]
    cut: bool = False


def readings(decimals: set[int]) -> list[Reading]:
    """Earlier numbers as written, then rounded and cut to each number of decimals the student wrote."""
    out = [Reading("", _same)]
    for n in sorted(decimals, reverse=True):
        out.append(Reading(f" (earlier numbers rounded to {n} decimals)", partial(_rounded, decimals=n)))
        out.append(Reading(f" (earlier numbers cut to {n} decimals)", partial(truncate, decimals=n), cut=True))
    return out


def _same(x: float) -> float:
    return x


def _rounded(x: float, decimals: int) -> float:
    return round_half_away(x, decimals)


def truncate(x: float, decimals: int) -> float:
    """x cut (not rounded) to decimals places."""
    if not math.isfinite(x) or abs(x) >= 1e15:
        return x
    return float(Decimal(f"{x:.15g}").quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN)) + 0.0


def slack(answer: Answer, own: float) -> float:
    """How close a model must come: within the student's rounding, or reproducing how far their number
    is from the step done right to 4 significant figures (hand work rounds what it multiplies)."""
    off = abs(answer.value - own)
    figures = 0.0 if off == 0 else 0.5 * 10.0 ** (math.floor(math.log10(off)) - 3)
    return max(answer.half_unit, figures) * (1 + 1e-9) + 1e-15


@dataclass(frozen=True)
class Match:
    """A mistake that reproduces a number, and the model that did (None for rounding, copying, arithmetic)."""

    mistake: Mistake
    model: Model | None = None


def explain(ctx: Context, step: Step, answer: Answer) -> list[Match]:
    """The likely mistakes behind a wrong number: every model of the first kind that reproduces it
    (the caller prefers one that recurs, see fits); arithmetic when no model does."""
    own = ctx.exact.own(step.name)
    found = _rounding(ctx, step, answer, own)
    if found is not None:
        return [Match(found)]
    for kind in ORDER:
        here = step_models(ctx.plan, step, kind)  # made for this step: tried here only
        everywhere = ctx.models.setdefault(kind, MODELS[kind](ctx.plan))
        matches = [Match(m, model) for model in [*here, *everywhere]
                   for m in _fits(ctx, step, answer, model, here=model in here)]
        if matches:
            return list({m.mistake: m for m in matches}.values())
    return [Match(_transcription(ctx, step, answer, own) or Mistake(
        "arithmetic", f"the numbers going into {step.name} give {fmt_number(own, answer.decimals + 1)}, "
        f"not {written(answer)}", KINDS["arithmetic"]))]


def fits(ctx: Context, step: Step, answer: Answer, family: str) -> Match | None:
    """A match, if a model of the family (found at another step) reproduces this number too."""
    for kind in ORDER:
        here = step_models(ctx.plan, step, kind)
        for model in [*here, *ctx.models.setdefault(kind, MODELS[kind](ctx.plan))]:
            if model.family == family:
                for mistake in _fits(ctx, step, answer, model, here=model in here):
                    return Match(mistake, model)
    return None


def written(answer: Answer) -> str:
    """The student's number as they wrote it, its minus sign as the solution prints one."""
    return answer.text.replace("-", MINUS).lstrip("+")


def _fits(ctx: Context, step: Step, answer: Answer, model: Model, here: bool) -> Iterator[Mistake]:
    """The model's mistake each way it reproduces the number: here, and through the steps not written."""
    own = ctx.exact.own(step.name)
    tol = slack(answer, own)

    def close(value: float | None) -> bool:
        return value is not None and abs(answer.value - value) <= tol and abs(value - own) > tol

    if not model.carry:  # a variant solution: what it gives the step, whatever the student wrote
        if close(_safe(lambda: ctx.world(model).own(step.name))):
            yield model.mistake()
        return
    if model.touches(ctx.plan, step):
        for reading in ctx.reads:
            if close(_safe(partial(ctx.exact.compute, step, model, reading.read))):
                yield (model.noting(reading.words) if reading.words else model).mistake()
    if not here and any(model.touches(ctx.plan, ctx.plan.steps[n]) for n in ctx.cone(step.name)):
        if close(_safe(lambda: ctx.world(model).own(step.name))):
            yield model.mistake()


def _safe(fn: Callable[[], float]) -> float | None:
    """A model's value, or None where it leaves a function's domain or goes in a circle."""
    try:
        value = fn()
    except (BackpropError, Cycle, ZeroDivisionError, OverflowError, KeyError):
        return None
    return value if math.isfinite(value) else None


def _rounding(ctx: Context, step: Step, answer: Answer, own: float) -> Mistake | None:
    """Within one unit of the last place of the step done right: cut instead of rounded, or the wrong way."""
    unit = 2 * answer.half_unit
    for value in (own, ctx.truth[step.name]):
        if abs(answer.value - value) < unit * (1 + 1e-9):
            cut = truncate(value, answer.decimals) == answer.value
            how = "cut" if cut else "rounded the wrong way"
            return Mistake("rounding", f"{fmt_number(value, answer.decimals + 2)} {how} to {answer.decimals} decimals",
                           "truncated instead of rounded" if cut else "rounded the wrong way")
    for reading in ctx.reads:
        got = _safe(partial(ctx.exact.compute, step, None, reading.read))
        if reading.cut and got is not None and abs(answer.value - got) <= slack(answer, own) \
                and abs(got - own) > slack(answer, own):
            return Mistake("rounding", f"computed from {reading.words.strip(' ()')}",
                           "earlier numbers cut instead of rounded")
    return None


def _transcription(ctx: Context, step: Step, answer: Answer, own: float) -> Mistake | None:
    """The step's value with one digit changed, two neighbours swapped, or a digit lost or doubled."""
    digits = answer.text.lstrip("+-")
    careful = ctx.careful.get(answer.decimals)
    for value in (own, careful.own(step.name) if careful else own):
        right = f"{abs(value):.{answer.decimals}f}"
        if (value < 0) == (answer.value < 0) and _one_edit(right, digits):
            return Mistake("transcription", f"{_fmt(value, answer)} copied as {written(answer)}", "copied differently")
    return None


def _one_edit(right: str, written: str) -> bool:
    """Whether written is right with one copying slip (not a last digit off by one: that is rounding)."""
    if len(right) == len(written):
        diff = [k for k in range(len(right)) if right[k] != written[k]]
        if len(diff) == 1:
            k = diff[0]
            digits = right[k].isdigit() and written[k].isdigit()
            return digits and (k != len(right) - 1 or abs(int(right[k]) - int(written[k])) > 1)
        return len(diff) == 2 and diff[1] == diff[0] + 1 and right[diff[0]] == written[diff[1]] \
            and right[diff[1]] == written[diff[0]]
    short, long = sorted((right, written), key=len)
    return len(long) == len(short) + 1 and any(long[:k] + long[k + 1:] == short for k in range(len(long)))


def _fmt(value: float, answer: Answer, extra: int = 0) -> str:
    """A value to the decimals the student wrote (and extra), as the solution prints numbers."""
    text = f"{abs(value):.{answer.decimals + extra}f}"
    return (MINUS if value < 0 and float(text) else "") + text
