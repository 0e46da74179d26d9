"""The training loop compiled: a plan's forward and backward pass and an optimizer's update as one function.

Many steps of training cost what their arithmetic costs: one Python function, generated once from
the formula trees like a plan (plan.py), runs every step in local variables with the update of
optimizers.update_source inlined, and stops at the first step it cannot finish, for the engine to
explain (training.py).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .model import Problem
from .optimizers import CARRIED, OptimizerSpec, update_source
from .plan import PlanFailed, Writer, backward_lines, compiled, forward_lines, row_lines


@dataclass(frozen=True)
class Loop:
    """Many training steps as one compiled function: the plan's passes and the optimizer's update inlined.

    run() takes the parameters P (in params order) and the optimizer's carried state S (one list per
    state variable, Optimizer.vectors() form) after t steps, runs one step per (rows, scale) of work,
    and leaves P and S as they are after the steps it completed. Full-batch loops append to hist the
    loss each step starts from (the loss after the step before); mini-batch loops append the loss over
    the rows in ``every`` after each step. run() returns (steps done, t, status): status 0 when every
    step ran, 1 when step done + 1 failed before its update, 2 when the loss after step done did.
    """

    params: tuple
    columns: tuple
    source: str
    full: bool
    _run: Callable
    _loss: Callable

    def run(self, P: list, S: list, t: int, lr: float, work: list, hist: list, every: list | None = None,
            every_scale: float = 1.0) -> tuple[int, int, int]:
        """Run the steps of work from P, S and t; see the class."""
        return self._run(P, S, t, lr, work, hist, every, every_scale)

    def loss(self, P: list, rows: list, scale: float) -> float:
        """The loss over the rows at parameters P (mean: scale 1/len(rows)); PlanFailed on any trouble."""
        try:
            value = self._loss(P, rows, scale)
        except Exception as exc:  # noqa: BLE001 - any failure: the engine says where and why
            raise PlanFailed(str(exc)) from None
        if not math.isfinite(value):
            raise PlanFailed("the loss is not finite")
        return value


_LOOP = """\
def loop(P, S, t, lr, work, hist, every, every_scale):
    {unpack}
{state}
    done = 0
    phase = 0
    try:
        for rows, scale in work:
            phase = 1
{zero}
            total = 0.0
{passes}
            loss = total * scale
            c = loss + {grads}
            if c - c != 0.0:  # inf or nan: the engine re-runs the step to say why
                break
{record}
            t += 1
{update}
            done += 1
{after}
        else:
            phase = 0
    except Exception:  # a domain error or an overflow in a formula: the engine re-runs the step
        pass
{store}
    return done, t, phase


def loss(P, rows, scale):
    {unpack}
    total = 0.0
{forward}
    return total * scale
"""
# Mini-batches: after each step, the loss over every sample (full batch: the next step computes it).
_AFTER = """\
phase = 2
total = 0.0
{forward}
after = total * every_scale
if after - after != 0.0:
    break
hist.append(after)"""


def _indent(lines: list[str], pad: int) -> str:
    return "\n".join(" " * pad + line if line else line for line in lines)


def compile_loop(problem: Problem, partials: dict, order: list, spec: OptimizerSpec, full: bool) -> Loop:
    """The training loop of a numeric problem: full-batch steps, or mini-batch steps (full False)."""
    w = Writer()
    w.namespace["_sqrt"] = math.sqrt
    params, columns = tuple(problem.params), (*problem.inputs, *problem.targets)
    state = [[w.ident(f"{k}:{p}", "s") for p in params] for k in CARRIED[spec.name]]
    grads = [w.ident(p, "G") for p in params]

    def forward(rows: str) -> list[str]:  # one pass over the rows, adding each row's loss to total
        return [*row_lines(w, problem, columns, rows, ""), *forward_lines(w, problem, "    "),
                f"    total += {w.ident(problem.loss)}"]

    update = [line for k, p in enumerate(params) if p not in problem.frozen
              for line in update_source(spec, w.ident(p), grads[k], tuple(names[k] for names in state))]
    source = _LOOP.format(
        unpack=f"{', '.join(w.ident(p) for p in params)}, = P" if params else "pass",
        state=_indent([f"{', '.join(names)}, = S[{k}]" for k, names in enumerate(state)], 4),
        zero=_indent([f"{g} = 0.0" for g in grads], 12),
        passes=_indent([*forward("rows"), *backward_lines(w, problem, partials, order, "    ")], 12),
        grads=" + ".join(grads) or "0.0",
        record=_indent(["hist.append(loss)"] if full else [], 12),
        update=_indent(update, 12),
        after="" if full else _indent(_AFTER.format(forward=_indent(forward("every"), 0)).splitlines(), 12),
        store=_indent([*([f"P[:] = [{', '.join(w.ident(p) for p in params)}]"] if params else []),
                       *(f"S[{k}][:] = [{', '.join(names)}]" for k, names in enumerate(state))], 4),
        forward=_indent(forward("rows"), 4))
    run = compiled(source, w, problem, "loop")
    return Loop(params, columns, source, full, run, w.namespace["loss"])
