"""backprop sheet: a blank answers file, every quantity in solution order with its formula in symbols."""
from __future__ import annotations

from pathlib import Path

from ..formula.printing import to_text
from ..solution import Solution
from .keyfile import quantities
from .world import Plan, World


def sheet_text(sol: Solution) -> str:
    """The answers file a student fills in: each quantity's name, nothing after it, and a comment saying what it is."""
    p, name = sol.problem, Path(sol.problem.file).name
    plan = Plan(sol)
    world = World(plan, {})
    names = list(quantities(sol))
    lines = [
        f"# Answers for {name}: {p.title}",
        "# Write each number you worked out after its name, with the decimals you wrote (0.0100 has four);",
        "# leave the others empty. Grade it with: backprop grade <dir>/" + f"{name} <this file>",
        "student:",
        "answers:",
    ]
    width = max(len(n) for n in names) + 1
    lines += [f"  {f'{n}:':<{width}}  # {_what(world, n)}" for n in names]
    return "\n".join(lines) + "\n"


def _what(world: World, name: str) -> str:
    """What a quantity is: its formula in symbols, e.g. ∂E/∂net_o1 = ∂E/∂out_o1·out_o1·(1 − out_o1)."""
    plan, step = world.plan, world.plan.steps[name]
    loss = plan.loss
    sample = f" (sample {step.sample + 1})" if plan.n > 1 and step.sample is not None else ""
    frozen = " (frozen)" if step.node in plan.problem.frozen else ""
    lhs = {"value": step.node, "loss": f"{loss} over the batch", "update": f"{step.node} after the update{frozen}",
           "after": f"{loss} after the update", "after_total": f"{loss} after the update"}.get(
        step.kind, f"∂{loss}/∂{step.node}")
    shown = world.formula(step)
    if shown is None:
        return f"{lhs}{sample}: the loss again, with every parameter updated"
    return f"{lhs}{sample} = {to_text(shown[0])}"
