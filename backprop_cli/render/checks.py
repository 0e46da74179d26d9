"""The gradient check laid out: each gradient beside its central difference, relative error and verdict."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..formula.printing import fmt_const, name_latex, to_latex, to_text
from ..formula.tree import Call, Const
from ..solution import GradCheckStep, Kink
from .blocks import Block, Column, Note, Rows, Subheading, Table
from .cells import Cell, Grad, InSample, Join, Math, Num, Text

if TYPE_CHECKING:
    from .layout import Context

COLUMNS = (Column("quantity"), Column("backprop", numeric=True), Column("central difference", numeric=True),
           Column("h", numeric=True), Column("relative error", numeric=True), Column("check"))
NOT_THE_DERIVATIVE = "; the finite difference is not the derivative"


def _power(x: float) -> Math:
    """A constant such as 1e-05, as 1×10⁻⁵ and 1 \\times 10^{-5}."""
    return Math(fmt_const(x), fmt_const(x, latex=True))


def checks(ctx: Context, steps: Sequence[GradCheckStep]) -> list[Block]:
    """A heading, how the check works, one row per gradient, and how many agree."""
    first, loss, multi = steps[0], ctx.problem.loss, ctx.multi
    p, tex = "p" if first.kind == "param" else "x", name_latex(loss, ctx.problem.symbols)
    difference = Join((Text("central difference "),
                       Math(f"n = ({loss}({p} + h) − {loss}({p} − h))/(2h)",
                            f"n = \\frac{{{tex}({p} + h) - {tex}({p} - h)}}{{2h}}"),
                       Text((" of f in the sample moved" if ctx.problem.is_expression else " of the batch loss")
                            if multi else ""), Text(", "),
                       Math(f"h = {fmt_const(first.relative_step)}·max(1, |{p}|)",
                            f"h = {fmt_const(first.relative_step, latex=True)} \\cdot \\max(1, |{p}|)")))
    error = Join((Text("relative error "), Math("|a − n| / max(|a|, |n|, tiny)",
                                                "\\frac{|a - n|}{\\max(|a|, |n|, \\mathrm{tiny})}"),
                  Text(" with a from backprop; flagged above "), _power(first.threshold)))
    # a large batch shows the samples it shows elsewhere; the summary counts every check
    rows = tuple(_row(ctx, st) for st in steps if st.sample is None or st.sample < ctx.shown)
    return [Subheading("Gradient check"), Note(difference), Note(error), Table(COLUMNS, (Rows(rows),)),
            Note(_summary(steps))]


def _row(ctx: Context, st: GradCheckStep) -> tuple[Cell, ...]:
    lhs: Cell = Grad(ctx.problem.loss, st.name)
    if st.sample is not None and ctx.multi:
        lhs = InSample(lhs, st.sample)
    if st.numeric is None or st.rel_error is None:
        return (lhs, Num(st.analytic), Text("undefined"), Num(st.h), Text(""),
                Text("undefined: the loss has no value at p ± h"))
    return (lhs, Num(st.analytic), Num(st.numeric), Num(st.h), Num(st.rel_error), _verdict(ctx, st))


def _verdict(ctx: Context, st: GradCheckStep) -> Cell:
    if st.status == "kink":
        kinks = [part for k, kink in enumerate(st.kinks) for part in ((Text(", "),) if k else ()) + _kink(ctx, kink)]
        return Join((Text("kink: "), *kinks, Text(NOT_THE_DERIVATIVE)))
    if st.status == "flagged":
        return Join((Text("FLAGGED: above "), _power(st.threshold)))
    return Text("ok")


def _kink(ctx: Context, kink: Kink) -> tuple[Cell, ...]:
    """relu at z = 0, or max at a = b (a tie) for max(a, b)."""
    symbols, at = ctx.problem.symbols, kink.at
    sides = (at.args[0], at.args[1]) if isinstance(at, Call) and at.fn == "sub" else (at, Const(0.0))
    text = " = ".join(to_text(side) for side in sides)
    latex = " = ".join(to_latex(side, symbols=symbols) for side in sides)
    return Text(f"{kink.fn} at "), Math(text, latex), Text(" (a tie)" if sides[1] != Const(0.0) else "")


def _summary(steps: Sequence[GradCheckStep]) -> Cell:
    """How many agree, and how many are flagged, at a kink or undefined."""
    n = len(steps)
    counts = {status: sum(st.status == status for st in steps) for status in ("ok", "flagged", "kink", "undefined")}
    if counts["ok"] == n:
        return Text(f"all {n} gradients agree with their central differences" if n > 1 else
                    "the gradient agrees with its central difference")
    parts = [f"{counts['ok']} of {n} agree"]
    parts += [f"{counts['flagged']} flagged"] if counts["flagged"] else []
    parts += [f"{counts['kink']} at a kink, where the check says nothing"] if counts["kink"] else []
    parts += [f"{counts['undefined']} undefined"] if counts["undefined"] else []
    return Text("; ".join(parts))
