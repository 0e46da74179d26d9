"""A student's world: every quantity of a solution recomputed, step by step, from the numbers they wrote.

Each step is computed with the engine's own step functions (evaluate_at, gradient_at, update_at) from the
numbers carried on before it: the student's own where they wrote one, else that step recomputed in this
world. With nothing written it is the solution itself, float for float; with the rounding hook it is
solve --round N. A Rule (mistakes.py) changes how steps are computed, to see where a mistake leads.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..engine import Hook, batch_total, consumers, evaluate_at, gradient_at, loss_seed, update_at
from ..formula.tree import Expr, free_names
from ..solution import BatchLossStep, ForwardStep, GradStep, LossAfterStep, LossStep, Solution, UpdateStep

Read = Callable[[float], float]  # what a step makes of a number it reads (the student's own rounding)


def _same(x: float) -> float:
    return x


@dataclass(frozen=True)
class Step:
    """One quantity: its name in an answer key, what kind of step computes it, of which node, in which sample."""

    name: str
    kind: str  # value | loss | grad | pgrad | update | after | after_total
    node: str  # the node, input or parameter; the loss for loss, after and after_total
    sample: int | None


class Plan:
    """The steps of one solution in solution order, and what computing them needs."""

    def __init__(self, sol: Solution):
        p = self.problem = sol.problem
        self.n, self.loss = p.n_samples, p.loss
        self.nodes = {node.name: node for node in p.nodes}
        self.paths = consumers(p)
        self.params = {k: float(v.value) for k, v in p.params.items()}
        given = {**p.inputs, **p.targets}
        self.leaves = [{**{k: float(v[s]) for k, v in given.items()}, **self.params} for s in range(self.n)]
        self.steps: dict[str, Step] = {}
        for st in sol.steps:
            self._add(st)

    def _add(self, st) -> None:
        def add(name: str, kind: str, node: str, sample: int | None) -> None:
            self.steps[name] = Step(name, kind, node, sample)

        if isinstance(st, (ForwardStep, LossStep)):
            for s in range(self.n):
                add(self.sampled(st.node, s), "value", st.node, s)
        elif isinstance(st, BatchLossStep):
            add(st.node, "loss", st.node, None)
        elif isinstance(st, GradStep) and st.total is not None:
            if st.kind == "param":
                add(f"d{self.loss}/d{st.node}", "pgrad", st.node, None)
            else:
                for s in range(self.n):
                    add(self.sampled(f"d{self.loss}/d{st.node}", s), "grad", st.node, s)
        elif isinstance(st, UpdateStep):
            add(f"{st.param}+", "update", st.param, None)
        elif isinstance(st, LossAfterStep):
            if self.n > 1:
                for s in range(self.n):
                    add(self.sampled(f"{st.node}+", s), "after", st.node, s)
            add(f"{st.node}+", "after_total", st.node, None)

    def sampled(self, name: str, s: int) -> str:
        """A per-sample quantity's name: out_h1, or out_h1[2] in sample 2 of a batch."""
        return name if self.n == 1 else f"{name}[{s + 1}]"

    def grad_name(self, node: str, s: int) -> str | None:
        """The quantity ∂L/∂node in sample s, or None when the loss does not depend on node."""
        name = self.sampled(f"d{self.loss}/d{node}", s)
        return name if name in self.steps else None


class Cycle(Exception):
    """A rule made a step depend on itself (updated weights through a tied weight): it has no value."""


class World:
    """The numbers a student carries on: theirs where written, else each step recomputed from them.

    rule changes how steps are computed (None: as the solution does); hook rounds every number as
    solve --round does (None: exact); carry=False ignores what the student wrote (a variant solution).
    """

    def __init__(self, plan: Plan, written: Mapping[str, float], rule=None, hook: Hook | None = None,
                 carry: bool = True):
        self.plan, self.written, self.hook = plan, written if carry else {}, hook
        self.rule = rule if rule is not None else PLAIN
        self.reads: dict[str, set[str]] = {}  # step -> the quantities its own computation read
        self._own: dict[str, float] = {}
        self._busy: set[str] = set()
        self._stack: list[set[str]] = []
        self._after: list[dict] | None = None

    def value(self, name: str) -> float:
        """The number carried on at a step: the student's, or the step recomputed."""
        return self.written[name] if name in self.written else self.own(name)

    def own(self, name: str) -> float:
        """The step recomputed from the numbers carried on before it."""
        if name not in self._own:
            if name in self._busy:
                raise Cycle(name)
            self._busy.add(name)
            frame: set[str] = set()
            self._stack.append(frame)
            try:
                self._own[name] = self.compute(self.plan.steps[name])
            finally:
                self._stack.pop()
                self._busy.discard(name)
            self.reads[name] = frame
        return self._own[name]

    def _read(self, name: str, read: Read) -> float:
        if self._stack:
            self._stack[-1].add(name)
        return read(self.value(name))

    def _hook(self, kind: str, name: str, sample: int | None, value: float) -> float:
        return value if self.hook is None else self.hook(kind, name, sample, value)

    def compute(self, step: Step, rule=None, read: Read = _same) -> float:
        """One step from this world's numbers; rule and read change how this one step is taken."""
        rule = rule if rule is not None else self.rule
        override = rule.override(self, step, read)
        if override is not None:
            return override
        return _KINDS[step.kind](self, step, rule, read)

    def row(self, step: Step, s: int, names, rule, read: Read) -> dict[str, float]:
        """Sample s's givens (as the rule has them) and the nodes among names, as carried on."""
        row = rule.leaves(self, step, dict(self.plan.leaves[s]))
        for name in names:
            if name in self.plan.nodes:
                row[name] = self._read(self.plan.sampled(name, s), read)
        return row

    def upstream(self, via: str, s: int, rule, read: Read) -> float:
        """∂L/∂via in sample s, as carried on: the loss's own is the seed (1/N for a batch mean)."""
        if via == self.plan.loss:
            return rule.seed(self.plan)
        name = self.plan.grad_name(via, s)
        return 0.0 if name is None else self._read(name, read)

    def paths(self, step: Step, rule) -> tuple:
        """(via, ∂via/∂node) for each path into the step's node, as the rule has them."""
        return tuple(rule.paths(self.plan, step, self.plan.paths.get(step.node, ())))

    def gradient(self, step: Step, s: int, rule, read: Read) -> float:
        """Σ local·upstream for the step's node in sample s."""
        paths = self.paths(step, rule)
        names = {n for _, local in paths for n in free_names(local)}
        row = self.row(step, s, names, rule, read)
        upstream = {via: self.upstream(via, s, rule, read) for via, _ in paths}
        return gradient_at(self.plan.problem, step.node, row, upstream, paths, self.hook, s)

    def after_rows(self, rule, read: Read) -> list[dict]:
        """The forward pass again with the parameters after the update, as carried on."""
        if rule is self.rule and read is _same and self._after is not None:
            return self._after
        p, plan = self.plan.problem, self.plan
        new = {k: self._read(f"{k}+", read) if f"{k}+" in plan.steps else v for k, v in plan.params.items()}
        rows = []
        for s in range(plan.n):
            row = {**plan.leaves[s], **new}
            for node in p.nodes:
                value = evaluate_at(p, rule.formula(plan, node), row, node.name)
                row[node.name] = self._hook("after_value", node.name, s, value)
            rows.append(row)
        if rule is self.rule and read is _same:
            self._after = rows
        return rows

    def formula(self, step: Step) -> tuple[Expr, dict] | None:
        """The step in symbols and the numbers this world puts in, for showing how it is computed."""
        from .working import step_formula

        return step_formula(self, step)


def _value(w: World, step: Step, rule, read: Read) -> float:
    formula = rule.formula(w.plan, w.plan.nodes[step.node])
    row = w.row(step, step.sample or 0, free_names(formula), rule, read)
    return w._hook("value", step.node, step.sample, evaluate_at(w.plan.problem, formula, row, step.node))


def _loss(w: World, step: Step, rule, read: Read) -> float:
    per_sample = [w._read(w.plan.sampled(step.node, s), read) for s in range(w.plan.n)]
    return w._hook("loss", step.node, None, batch_total(w.plan.problem, per_sample))


def _grad(w: World, step: Step, rule, read: Read) -> float:
    return w._hook("grad", step.node, step.sample, w.gradient(step, step.sample or 0, rule, read))


def _pgrad(w: World, step: Step, rule, read: Read) -> float:
    shares = [w._hook("grad_part", step.node, s, w.gradient(step, s, rule, read)) for s in range(w.plan.n)]
    return w._hook("grad", step.node, None, sum(shares))


def _update(w: World, step: Step, rule, read: Read) -> float:
    name, p = f"d{w.plan.loss}/d{step.node}", w.plan.problem
    grad = w._read(name, read) if name in w.plan.steps else 0.0
    old, rate = rule.leaves(w, step, dict(w.plan.params))[step.node], rule.learning_rate(step)
    new = update_at(p, step.node, old, grad) if rate is None or step.node in p.frozen else old - rate * grad
    return w._hook("update", step.node, None, new)


def _after(w: World, step: Step, rule, read: Read) -> float:
    return w.after_rows(rule, read)[step.sample or 0][step.node]


def _after_total(w: World, step: Step, rule, read: Read) -> float:
    plan = w.plan
    if plan.n == 1:
        per_sample = [w.after_rows(rule, read)[0][step.node]]
    else:
        per_sample = [w._read(plan.sampled(f"{step.node}+", s), read) for s in range(plan.n)]
    return w._hook("after", step.node, None, batch_total(plan.problem, per_sample))


_KINDS = {"value": _value, "loss": _loss, "grad": _grad, "pgrad": _pgrad, "update": _update, "after": _after,
          "after_total": _after_total}


class Rule:
    """How steps are computed; the plain rule computes them as the solution does. Mistakes subclass it."""

    kind = ""  # a mistake kind (mistakes.KINDS)

    def override(self, world: World, step: Step, read: Read) -> float | None:
        """The step's value computed another way, or None for the usual computation."""
        return None

    def formula(self, plan: Plan, node) -> Expr:
        """The formula a node is computed with."""
        return node.formula

    def paths(self, plan: Plan, step: Step, paths: tuple) -> tuple:
        """The (via, local) paths into the step's node."""
        return paths

    def leaves(self, world: World, step: Step, row: dict) -> dict:
        """A sample's givens as the step uses them."""
        return row

    def seed(self, plan: Plan) -> float:
        """∂(batch loss)/∂(one sample's loss)."""
        return loss_seed(plan.problem)

    def learning_rate(self, step: Step) -> float | None:
        """The η an update uses (None: the problem's)."""
        return None


PLAIN = Rule()
