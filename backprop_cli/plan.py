"""A compiled plan: the problem's forward and backward pass as straight-line Python, built once.

Training runs thousands of steps; each step through the recording engine would pay for formula
walks and step records. The plan is generated from our own formula trees (never from the user's
text): one local variable per node, the registry's own float functions, the local partials the
engine prints. It computes the batch loss and ∂L/∂p of every parameter; nothing is recorded. When
anything goes wrong inside it (a domain error, an overflow), the caller re-runs that step through
the engine, which names the node and says what happened.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .formula import functions
from .formula.registry import REGISTRY
from .formula.tree import Call, Const, Expr, Var, free_names
from .model import Problem

# Operators become Python operators; these float functions are called directly (the registry's own).
_UNARY = {"sigmoid": functions._sigmoid, "tanh": math.tanh, "exp": functions._exp}
_INFIX = {"add": " + ", "sub": " - ", "mul": " * ", "div": " / "}


class PlanFailed(Exception):
    """The plan met a value it cannot handle; the engine re-runs the step to say where and why."""


@dataclass(frozen=True)
class Plan:
    """run(params, rows) -> (batch loss, [∂L/∂p for p in params]) over the given sample rows."""

    params: tuple  # parameter names, in the order run() takes and returns them
    columns: tuple  # input and target names, in the order of each row
    source: str  # the generated code, for reading and debugging
    _run: Callable

    def rows(self, problem: Problem, samples: list[int] | None = None) -> list[tuple]:
        """The sample rows run() takes: each sample's inputs and targets as a tuple of floats."""
        return sample_rows(problem, self.columns, samples)

    def run(self, params: list[float], rows: list[tuple], mean: bool) -> tuple[float, list[float]]:
        """The loss over the rows (their mean or sum) and its gradient; PlanFailed on any trouble."""
        scale = 1.0 / len(rows) if mean else 1.0
        try:
            loss, grads = self._run(params, rows, scale)
        except Exception as exc:  # noqa: BLE001 - any failure: the engine re-runs the step and explains it
            raise PlanFailed(str(exc)) from None
        if not math.isfinite(loss + sum(grads)):  # an inf or a nan anywhere makes the sum one
            raise PlanFailed("a value is not finite")
        return loss, grads


def sample_rows(problem: Problem, columns: tuple, samples: list[int] | None = None) -> list[tuple]:
    """Each sample's inputs and targets as a tuple of floats, in the order of columns."""
    data = {**problem.inputs, **problem.targets}
    picked = range(problem.n_samples) if samples is None else samples
    return [tuple(float(data[c][s]) for c in columns) for s in picked]


class Writer:
    """Python source for formulas, one identifier per name and one constant per registry call."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.namespace: dict = {"_REGISTRY": REGISTRY}

    def ident(self, name: str, prefix: str = "v") -> str:
        key = f"{prefix}:{name}"
        if key not in self.ids:
            self.ids[key] = f"{prefix}{len(self.ids)}"
        return self.ids[key]

    def expr(self, e: Expr) -> str:
        if isinstance(e, Const):
            return repr(float(e.value))
        if isinstance(e, Var):
            return self.ident(e.name)
        assert isinstance(e, Call)
        args = [self.expr(a) for a in e.args]
        if e.fn in _INFIX:
            return "(" + _INFIX[e.fn].join(args) + ")"
        if e.fn == "neg":
            return f"(-{args[0]})"
        if e.fn == "indicator_pos":
            return f"(1.0 if {args[0]} > 0 else 0.0)"
        if e.fn == "indicator_nonpos":
            return f"(0.0 if {args[0]} > 0 else 1.0)"
        if e.fn == "squared_error":
            return f"({e.param('factor')!r} * ({args[0]} - {args[1]}) ** 2)"
        if e.fn in _UNARY:
            fn = f"_{e.fn}"
            self.namespace[fn] = _UNARY[e.fn]
            return f"{fn}({args[0]})"
        key = f"_f{len(self.namespace)}"
        self.namespace[key] = REGISTRY[e.fn].value
        self.namespace[key + "p"] = dict(e.params)
        return f"{key}([{', '.join(args)}], {key}p)"


def forward_lines(w: Writer, problem: Problem, pad: str) -> list[str]:
    """One row's forward pass: a local per node, in evaluation order; the row's loss in the loss node's."""
    return [f"{pad}{w.ident(node.name)} = {w.expr(node.formula)}" for node in problem.nodes]


def backward_lines(w: Writer, problem: Problem, partials: dict, order: list, pad: str) -> list[str]:
    """One row's backward pass: ∂L/∂node from the loss back, adding into G (∂L/∂p over the rows)."""
    needs = {n.name for n in problem.nodes}
    body = [f"{pad}{w.ident(n, 'g')} = 0.0" for n in needs if n != problem.loss]
    body.append(f"{pad}{w.ident(problem.loss, 'g')} = scale")
    for node in order:
        g = w.ident(node.name, "g")
        for dep in free_names(node.formula):
            local = partials.get((node.name, dep))
            if local is None:
                continue
            target = w.ident(dep, "G") if dep in problem.params else w.ident(dep, "g") if dep in needs else None
            if target is not None:
                factor = "" if local == Const(1.0) else f"{w.expr(local)} * "
                body.append(f"{pad}{target} += {factor}{g}")
    return body


def row_lines(w: Writer, problem: Problem, columns: tuple, rows: str, pad: str) -> list[str]:
    """The loop over the sample rows, unpacking each into its inputs' and targets' locals."""
    head = [f"{pad}for r in {rows}:"]
    if columns:
        head.append(f"{pad}    {', '.join(w.ident(c) for c in columns)}, = r")
    return head


def compiled(source: str, w: Writer, problem: Problem, name: str) -> Callable:
    exec(compile(source, f"<plan of {problem.file}>", "exec"), w.namespace)  # noqa: S102 - our own code
    return w.namespace[name]


def compile_plan(problem: Problem, partials: dict, order: list) -> Plan:
    """The plan of a numeric problem, from its local partials and backward order (engine's own)."""
    w = Writer()
    params = tuple(problem.params)
    columns = (*problem.inputs, *problem.targets)
    body = [f"    {', '.join(w.ident(p) for p in params)}, = P" if params else "    pass"]
    body += [f"    {w.ident(p, 'G')} = 0.0" for p in params]
    body += ["    total = 0.0", *row_lines(w, problem, columns, "rows", "    ")]
    body += forward_lines(w, problem, "        ")
    body.append(f"        total += {w.ident(problem.loss)}")
    body += backward_lines(w, problem, partials, order, "        ")
    grads = ", ".join(w.ident(p, "G") for p in params)
    body.append(f"    return total * scale, [{grads}]")
    source = "def run(P, rows, scale):\n" + "\n".join(body) + "\n"
    return Plan(params, columns, source, compiled(source, w, problem, "run"))
