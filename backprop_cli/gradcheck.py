"""Gradient checking: every ∂L/∂p by backprop beside a central difference of the loss, as cs231n teaches.

The difference re-runs the engine's own forward pass (the same float64 arithmetic) with one value
moved by ±h. Numbers chosen here, documented in the README:

- h = RELATIVE_STEP·max(1, |p|). A central difference errs by about h²·f‴/6 (truncation) plus
  ε·|L|/h (rounding); ε^(1/3) ≈ 6·10⁻⁶ balances the two, so 10⁻⁵.
- relative error = |a − n| / max(|a|, |n|, tiny), cs231n's formula. tiny is ROUNDING_MARGIN times the
  difference's own rounding error r = ε·(|L(p+h)| + |L(p−h)|)/(2h), divided by THRESHOLD: a gradient
  of 0, or one smaller than the difference can resolve, is then never flagged for rounding alone.
- a relative error above THRESHOLD is flagged, unless the step crossed a kink: a point where a
  derivative formula holds an indicator or sign whose argument is 0 (relu at z = 0, max at a tie).
  There the difference is not the derivative, and the row says so instead of raising a false alarm.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

from .engine import Values, batch_total, forward
from .errors import ProblemError
from .formula.calculus import evaluate
from .formula.registry import REGISTRY
from .formula.tree import Call, Expr
from .model import Problem
from .progress import report
from .solution import GradCheckStep, Kink

RELATIVE_STEP = 1e-5
THRESHOLD = 1e-5
ROUNDING_MARGIN = 100.0
EPSILON = 2.0 ** -52
JUMPS = ("indicator_pos", "indicator_nonpos", "sign")  # the helpers a derivative jumps with


def step_size(x: float) -> float:
    """The finite-difference step for a value x: RELATIVE_STEP·max(1, |x|)."""
    return RELATIVE_STEP * max(1.0, abs(x))


def relative_error(analytic: float, numeric: float, tiny: float = 0.0) -> float:
    """|a − n| / max(|a|, |n|, tiny); 0 when the two agree exactly (also when both are 0)."""
    if analytic == numeric:
        return 0.0
    return abs(analytic - numeric) / max(abs(analytic), abs(numeric), tiny)


def tiny_for(loss_plus: float, loss_minus: float, h: float) -> float:
    """The floor of the relative error's denominator: ROUNDING_MARGIN·r/THRESHOLD (see the module)."""
    rounding = EPSILON * (abs(loss_plus) + abs(loss_minus)) / (2 * h)
    return ROUNDING_MARGIN * rounding / THRESHOLD


def _calls(expr: Expr) -> Iterator[Call]:
    if isinstance(expr, Call):
        yield expr
        for a in expr.args:
            yield from _calls(a)


def kink_sites(problem: Problem) -> list[Kink]:
    """Every (node, function, argument) whose derivative formula jumps where the argument is 0."""
    sites: dict[Kink, None] = {}
    for node in problem.nodes:
        for call in _calls(node.formula):
            fn = REGISTRY[call.fn]
            for i in range(len(call.args)):
                for jump in _calls(fn.partial(call, call, i)):
                    if jump.fn in JUMPS:
                        sites.setdefault(Kink(node.name, call.fn, jump.args[0]), None)
    return list(sites)


def _crossed(sites: list[Kink], points: list[Values], samples: range) -> tuple[Kink, ...]:
    """The sites whose argument moves over the step and reaches 0 on it (at p − h, p or p + h)."""
    out = []
    for site in sites:
        for s in samples:
            args = [evaluate(site.at, {k: v[s] for k, v in values.items()}) for values in points]
            if min(args) != max(args) and min(args) <= 0 <= max(args):
                out.append(site)
                break
    return tuple(out)


Point = Callable[[float], Values]  # the forward pass with the checked value moved by delta


def _check(problem: Problem, name: str, sample: int | None, analytic: float, x: float, moved: Point,
           base: Values, sites: list[Kink]) -> GradCheckStep:
    """One check of ∂L/∂name against (L(x + h) − L(x − h))/(2h), L the batch loss."""
    h = step_size(x)
    undefined = GradCheckStep(name, "param" if sample is None else "input", sample, analytic, None, h, None, None,
                              "undefined", THRESHOLD, RELATIVE_STEP)
    try:
        plus, minus = moved(h), moved(-h)
    except ProblemError:  # x ± h leaves a function's domain: there is no difference to take
        return undefined
    if problem.is_expression:  # each sample is its own f: the samples the move touches, summed
        picked = range(problem.n_samples) if sample is None else [sample]
        lp, lm = sum(plus[problem.loss][s] for s in picked), sum(minus[problem.loss][s] for s in picked)
    else:
        lp, lm = batch_total(problem, plus[problem.loss]), batch_total(problem, minus[problem.loss])
    numeric = (lp - lm) / (2 * h)
    tiny = tiny_for(lp, lm, h)
    rel = relative_error(analytic, numeric, tiny)
    samples = range(problem.n_samples) if sample is None else range(sample, sample + 1)
    kinks = _crossed(sites, [minus, base, plus], samples)
    status = "kink" if kinks else "flagged" if rel > THRESHOLD else "ok"
    return dataclasses.replace(undefined, numeric=numeric, tiny=tiny, rel_error=rel, status=status, kinks=kinks)


def _param_mover(problem: Problem, start: dict, name: str) -> Point:
    return lambda delta: forward(problem, {**start, name: start[name] + delta})


def _input_mover(problem: Problem, name: str, s: int) -> Point:
    """The forward pass with input name moved in sample s only."""
    def moved(delta: float) -> Values:
        series = tuple(v + delta if k == s else v for k, v in enumerate(problem.inputs[name]))
        return forward(dataclasses.replace(problem, inputs={**problem.inputs, name: series}))
    return moved


def _alone(problem: Problem, s: int) -> Problem:
    """An expression's sample s on its own: its f depends on no other sample (10,000 samples, not 10⁸ steps)."""
    return dataclasses.replace(problem, inputs={k: (v[s],) for k, v in problem.inputs.items()},
                               targets={k: (v[s],) for k, v in problem.targets.items()})


def _input_check(problem: Problem, name: str, s: int, grads: Values, values: Values, sites: list) -> GradCheckStep:
    """The check of ∂f/∂name in sample s: of an expression, by moving it in that sample alone."""
    if not problem.is_expression:
        return _check(problem, name, s, grads[name][s], problem.inputs[name][s], _input_mover(problem, name, s),
                      values, sites)
    alone = _alone(problem, s)
    step = _check(alone, name, 0, grads[name][s], problem.inputs[name][s], _input_mover(alone, name, 0),
                  {k: (v[s],) for k, v in values.items()}, sites)
    return dataclasses.replace(step, sample=s)


def check_gradients(problem: Problem, grads: Values, values: Values) -> list[GradCheckStep]:
    """One check per parameter; for a problem without parameters, one per input and sample."""
    sites = kink_sites(problem)
    out = []
    if problem.params:
        start = {p.name: p.value for p in problem.params.values()}
        for k, (name, x) in enumerate(start.items()):
            report("gradient check", k, len(start))  # two forward passes each: minutes for 2,000 parameters
            out.append(_check(problem, name, None, sum(grads[name]), x, _param_mover(problem, start, name), values,
                              sites))
        return out
    todo = [(name, s) for name, series in problem.inputs.items() for s in range(len(series))]
    for k, (name, s) in enumerate(todo):
        report("gradient check", k, len(todo))
        out.append(_input_check(problem, name, s, grads, values, sites))
    return out
