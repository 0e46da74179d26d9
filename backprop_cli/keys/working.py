"""How a step is computed, for showing it: the formula in symbols, and the numbers a world puts in."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..formula.tree import Const, Expr, Var, add, div, free_names, mul, sub, substitute

if TYPE_CHECKING:
    from .world import Step, World


def step_formula(world: World, step: Step) -> tuple[Expr, dict] | None:
    """(formula, name -> number) of a step as the world computes it; None for the loss after the update."""
    plan = world.plan
    if step.kind == "value":
        node = plan.nodes[step.node]
        row = world.row(step, step.sample or 0, free_names(node.formula), world.rule, _same)
        return node.formula, row
    if step.kind == "loss":
        names = [plan.sampled(step.node, s) for s in range(plan.n)]
        total = add(*(Var(n) for n in names))
        expr = div(total, Const(float(plan.n))) if plan.problem.averages else total
        return expr, {n: world.value(n) for n in names}
    if step.kind == "update" and step.node in plan.problem.frozen:
        return Var(step.node), {step.node: plan.params[step.node]}
    if step.kind == "update":
        grad = f"∂{plan.loss}/∂{step.node}"
        rate = plan.problem.learning_rate or 0.0
        name = f"d{plan.loss}/d{step.node}"
        values = {step.node: plan.params[step.node], grad: world.value(name) if name in plan.steps else 0.0}
        return sub(Var(step.node), mul(Const(rate), Var(grad))), values
    if step.kind == "grad":
        return _chain(world, step, step.sample or 0, None)
    if step.kind == "pgrad":
        if plan.n == 1:
            return _chain(world, step, 0, None)
        parts = [_chain(world, step, s, s) for s in range(plan.n)]
        return add(*(e for e, _ in parts)), {k: v for _, values in parts for k, v in values.items()}
    return None


def _same(x: float) -> float:
    return x


def _chain(world: World, step: Step, s: int, tag: int | None) -> tuple[Expr, dict]:
    """Σ ∂L/∂via·local in sample s; tag names every symbol by its sample (out_h1[2]) in a batch sum."""
    plan = world.plan
    paths = world.paths(step, world.rule)
    names = {n for _, local in paths for n in free_names(local)}
    values = world.row(step, s, names, world.rule, _same)
    terms = []
    for via, local in paths:
        up = world.upstream(via, s, world.rule, _same)
        if via == plan.loss:  # the seed: 1, or 1/N for a batch mean
            seed = f"1/{plan.n}"
            values[seed] = up
            term = local if up == 1 else Var(seed) if local == Const(1.0) else mul(Var(seed), local)
        else:
            name = f"∂{plan.loss}/∂{via}"
            values[name] = up
            term = Var(name) if local == Const(1.0) else mul(Var(name), local)
        terms.append(term)
    expr = terms[0] if len(terms) == 1 else add(*terms)
    if tag is None:
        return expr, values
    rename = {Var(n): Var(f"{n}[{tag + 1}]") for n in free_names(expr)}
    return substitute(expr, rename), {f"{n}[{tag + 1}]": v for n, v in values.items()}
