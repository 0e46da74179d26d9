"""Training: many steps of one problem, fast, with the steps asked for worked in full.

The steps in between run as one compiled loop (loop.compile_loop: the forward and backward pass
and the optimizer's update as straight-line Python, no formula walks and no step records). The
steps in ``show`` are solved by the recording engine at the parameters training has reached, on
that step's samples, with the same optimizer state, and printed as a single step is. When the loop
meets trouble in a step (a domain error, an overflow), the engine re-runs that step to say where
and why; a loss that is no longer finite stops training with the step and the loss before it.

Semantics: the loss of a mini-batch is the file's batch reduction (mean or sum) over its samples,
one step per mini-batch; the loss reported after each step is over all samples. In full-batch
training that is the loss the next step starts from, so the loop computes it once.
"""
from __future__ import annotations

import math
import random
from collections.abc import Mapping

from .engine import (
    NotFinite,
    _backward_order,
    _forward_rows,
    backward,
    batch_total,
    forward,
    local_partials,
    solve_step,
)
from .errors import ProblemError
from .loop import compile_loop
from .model import Problem, Training
from .optimizers import Optimizer
from .plan import PlanFailed, sample_rows
from .solution import FinalStep, GivenStep, HistoryStep, ShownStep, Solution


def schedule(n_samples: int, training: Training) -> list[tuple[tuple[int, ...], int | None]]:
    """Each step's samples (from 0, in the order taken) and its epoch (from 1; None for full-batch steps).

    An epoch takes the samples in file order, or shuffled with its seed, batch_size at a time; the
    last mini-batch of an epoch holds what is left when batch_size does not divide the sample count.
    """
    if training.epochs is None:
        return [(tuple(range(n_samples)), None)] * training.steps
    size = training.batch_size or n_samples
    rng = random.Random(training.seed) if training.seed is not None else None
    out: list[tuple[tuple[int, ...], int | None]] = []
    for epoch in range(1, training.epochs + 1):
        order = list(range(n_samples))
        if rng is not None:
            shuffle(order, rng)
        out += [(tuple(order[i:i + size]), epoch) for i in range(0, n_samples, size)]
    return out


def shuffle(items: list, rng: random.Random) -> None:
    """Fisher–Yates in place, from the last position down: swap i with j = ⌊random()·(i + 1)⌋.

    Written out rather than random.shuffle, whose algorithm Python does not promise to keep; the
    sequence of random() for a given seed it does promise, so a seed means one order everywhere.
    """
    for i in range(len(items) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        items[i], items[j] = items[j], items[i]


def train(problem: Problem, gradient_check: bool = False) -> Solution:
    """The trained solution: Given, each shown step worked in full, the loss history and the end result.

    One step in all is solved as a single step is, with the optimizer's update; gradient_check checks
    the gradients of every shown step.
    """
    training = problem.training
    assert training is not None and problem.learning_rate is not None
    if training.single:
        optimizer = Optimizer(training.optimizer, problem.learning_rate)
        start = {k: p.value for k, p in problem.params.items()}
        return solve_step(problem, start, None, optimizer, gradient_check, given=True)
    return _Run(problem, training, gradient_check).solution()


def _at_step(exc: ProblemError, what: str) -> ProblemError:
    """The engine's error, saying at which step of training it happened."""
    return ProblemError(exc.origin, f"{what} of training: {exc.message}", exc.expected, exc.suggestion)


class _Run:
    """One run of training: the compiled loop between the shown steps, the engine for those."""

    def __init__(self, problem: Problem, training: Training, gradient_check: bool):
        assert problem.learning_rate is not None
        self.problem, self.training, self.check, self.lr = problem, training, gradient_check, problem.learning_rate
        self.plan = schedule(problem.n_samples, training)
        self.full = all(len(samples) == problem.n_samples for samples, _ in self.plan)
        order, _ = _backward_order(problem)
        self.loop = compile_loop(problem, local_partials(problem), order, training.optimizer, self.full)
        self.names = self.loop.params
        self.rows = sample_rows(problem, self.loop.columns)
        self.scale = 1.0 / problem.n_samples if problem.averages else 1.0
        self.optimizer = Optimizer(training.optimizer, self.lr)
        self.P = [problem.params[k].value for k in self.names]
        self.S, self.t, self.done = self.optimizer.vectors(self.names), 0, 0
        # Full batch: hist holds the loss after 0 … done − 1 steps (the next step computes the one after
        # done); mini-batches: after 0 … done steps.
        self.hist: list[float] = []
        self.shown: list[ShownStep] = []

    def solution(self) -> Solution:
        p, steps = self.problem, self.training.steps
        if not self.full:
            self.hist.append(self.all_loss(0))
        for s in (*self.training.show, steps + 1):
            self.fast(s - 1)
            if s <= steps:
                samples, epoch = self.plan[s - 1]
                samples = tuple(range(p.n_samples)) if self.full else samples
                sol = self.engine_step(s, self.check)
                self.shown.append(ShownStep(s, steps, epoch, samples, p.n_samples, sol))
        if self.full:
            self.hist.append(self.all_loss(steps))
        final = dict(zip(self.names, self.P))
        values, grads = self.start()
        after = forward(p, final)
        ends = tuple(k for k in range(1, steps + 1) if k == steps or self.plan[k][1] != self.plan[k - 1][1]) \
            if self.training.epochs is not None else ()
        records = (GivenStep(p), *self.shown, HistoryStep(p.loss, tuple(self.hist), ends, self.training.show),
                   FinalStep(tuple((k, p.params[k].value, final[k], k in p.frozen) for k in self.names), after,
                             self.hist[-1], after[p.loss]))
        return Solution(p, records, values, grads, self.hist[0], self.hist[-1], final)

    def start(self) -> tuple[Mapping, Mapping]:
        """Every value and gradient at the given parameters over all samples: the first shown step's if it
        was step 1 on every sample, else computed here."""
        if self.shown and self.shown[0].step == 1 and self.full:
            first = self.shown[0].solution
            return first.values, first.grads
        p = self.problem
        rows = _forward_rows(p)
        values = {k: tuple(r[k] for r in rows) for k in rows[0]}
        try:
            return values, backward(p, rows)[1]
        except ProblemError:  # a gradient no step of training takes (mini-batches never see all samples at once)
            return values, {}

    def fast(self, until: int) -> None:
        """Run steps done + 1 … until in the compiled loop, asking the engine about any step it fails."""
        rows = self.rows
        if self.full:  # the same rows every step: one list, not one a step
            work = [(rows, self.scale)] * (until - self.done)
        else:
            work = [([rows[s] for s in samples], 1.0 / len(samples) if self.problem.averages else 1.0)
                    for samples, _ in self.plan[self.done:until]]
        every = None if self.full else rows
        while self.done < until:
            done, self.t, status = self.loop.run(self.P, self.S, self.t, self.lr, work, self.hist, every, self.scale)
            self.done += done
            work = work[done:]
            if status == 1:  # the step failed before its update: the engine says why, or does it
                self.engine_step(self.done + 1)
                work = work[1:]
            elif status == 2:  # the loss after the step failed
                self.hist.append(self.all_loss(self.done, compiled=False))

    def engine_step(self, step: int, gradient_check: bool = False) -> Solution:
        """Step number ``step`` solved by the recording engine, from the loop's parameters and state."""
        samples, _ = self.plan[step - 1]
        self.optimizer.load(self.names, self.S, self.t)
        params = dict(zip(self.names, self.P))
        try:
            sol = solve_step(self.problem, params, None if self.full else samples, self.optimizer, gradient_check)
        except ProblemError as exc:
            if step > 1 and self.full and isinstance(exc, NotFinite):
                self.all_loss(step - 1, compiled=False)  # raises when the loss itself is not finite
            raise exc if step == 1 else _at_step(exc, f"step {step}") from None
        self.P = [sol.new_params[k] for k in self.names]
        self.S, self.t, self.done = self.optimizer.vectors(self.names), self.optimizer.t, step
        self.hist.append(sol.loss if self.full and sol.loss is not None else self.all_loss(step))
        return sol

    def all_loss(self, after: int, compiled: bool = True) -> float:
        """The loss over all samples after that many steps; divergence when it is not finite."""
        if compiled:
            try:
                return self.loop.loss(self.P, self.rows, self.scale)
            except PlanFailed:
                pass  # the engine says where and why
        try:
            value = batch_total(self.problem, forward(self.problem, dict(zip(self.names, self.P)))[self.problem.loss])
        except NotFinite as exc:
            raise exc if after == 0 else self.diverged(after) from None
        except ProblemError as exc:
            raise exc if after == 0 else _at_step(exc, f"after step {after}") from None
        if not math.isfinite(value):
            raise self.diverged(after)
        return value

    def diverged(self, step: int) -> ProblemError:
        """Training diverged at that step: the loss after it is not finite; the one before it was."""
        before = self.hist[-1]
        return ProblemError(self.training.origin,
                            f"training diverged at step {step}: {self.problem.loss} is not finite after it, and was "
                            f"{before:.6g} before it", "a smaller learning rate")
