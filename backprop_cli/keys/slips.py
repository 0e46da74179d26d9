"""Models made for one step: its own words for a named mistake, a sign flipped, another name's value used."""
from __future__ import annotations

from collections.abc import Callable

from ..formula.printing import fmt_const, to_text
from ..formula.tree import Call, Expr, Var, free_names, neg, substitute
from .catalogue import CROSS
from .mistakes import Formulas, Leaves, Locals, Model, Override, UpdatedWeights, plain
from .world import Plan, Step, World


def negated(expr: Expr) -> Expr:
    """−expr, without a double minus."""
    return expr.args[0] if isinstance(expr, Call) and expr.fn == "neg" else neg(expr)


def step_models(plan: Plan, step: Step, kind: str) -> list[Model]:
    """Models made for one step: its own words for a named mistake, a sign, another name's value."""
    made = _STEP.get(kind)
    return [] if made is None else made(plan, step)


def _updated_here(plan: Plan, step: Step) -> list[Model]:
    used = sorted({p for _, local in plan.paths.get(step.node, ()) for p in free_names(local) if p in plan.params})
    if step.kind != "grad" or not used or not plan.problem.learning_rate:
        return []
    return [UpdatedWeights(f"{step.name} used {', '.join(p + '+' for p in used)} in place of {', '.join(used)}",
                           tuple(used))]


def _softmax_here(plan: Plan, step: Step) -> list[Model]:
    cross = {(via, step.node): None for via, local in plan.paths.get(step.node, ())
             if via in plan.nodes and isinstance(f := plan.nodes[via].formula, Call) and f.fn == "softmax"
             and f.args[int(f.param("index") or 1) - 1] != Var(step.node)}
    if step.kind not in ("grad", "pgrad") or not cross:
        return []
    vias = ", ".join(v for v, _ in cross)
    return [Locals("softmax-coupling-dropped", f"the path through {vias} left out: only the diagonal of the softmax "
                   "Jacobian kept", CROSS, cross)]


def _sign(plan: Plan, step: Step) -> list[Model]:
    out: list[Model] = []
    kind = "sign"
    if step.kind == "value":
        node = plan.nodes[step.node]
        for x in free_names(node.formula):
            if x in plan.leaves[0] and x not in plan.problem.targets:
                out.append(_flip(plan, x))
        if isinstance(node.formula, Call) and node.formula.fn == "add" and len(node.formula.args) > 1:
            for k, term in enumerate(node.formula.args):
                flipped = Call("add", tuple(negated(t) if j == k else t for j, t in enumerate(node.formula.args)))
                out.append(Formulas(kind, f"the term {to_text(term)} with its sign flipped", "a term's sign flipped",
                                    plan.problem, {step.node: flipped}, values_only=True))
    if step.kind in ("grad", "pgrad") and len(plan.paths.get(step.node, ())) > 1:
        for via, local in plan.paths[step.node]:
            out.append(Locals(kind, f"the path through {via} with its sign flipped", "a path's sign flipped",
                              {(via, step.node): negated(local)}))
    if step.kind == "update" and step.node not in plan.problem.frozen:
        out.append(Override(kind, "η·gradient added instead of subtracted", "the update's sign flipped",
                            lambda w, st, r: 2 * plan.params[st.node] - plain(w, st, r)))
    out.append(Override(kind, "the result with its sign flipped", "a result's sign flipped",
                        lambda w, st, r: -plain(w, st, r)))
    return out


def _flip(plan: Plan, x: str) -> Model:
    family = f"{x} with its sign flipped"
    if plan.n > 1:  # an input differs by sample: flip it in each
        return Override("sign", f"{x} used with its sign flipped", family,
                        lambda w, st, r: w.compute(st, _Negate(x), r))
    value = plan.leaves[0][x]
    return Leaves("sign", f"{x} used as {fmt_const(-value)} instead of {fmt_const(value)}", family, {x: -value})


class _Negate(Leaves):
    def __init__(self, name: str):
        super().__init__("sign", "", "", {})
        self.name = name

    def leaves(self, world: World, step: Step, row: dict) -> dict:
        row[self.name] = -row[self.name]
        return row


def _index(plan: Plan, step: Step) -> list[Model]:
    p, out = plan.problem, list[Model]()
    role = {n.name: n.role for n in p.nodes}

    def same(x: str) -> list[str]:
        for group in (p.params, p.inputs, p.targets):
            if x in group:
                return [y for y in group if y != x]
        return [y for y in role if y != x and role[y] == role.get(x)] if x in role else []

    if step.kind == "value":
        f = plan.nodes[step.node].formula
        for x in free_names(f):
            for y in same(x):
                out.append(Formulas("index", f"{y} used in place of {x}", f"{y} in place of {x}", p,
                                    {step.node: substitute(f, {Var(x): Var(y)})}, values_only=True))
    elif step.kind in ("grad", "pgrad"):
        for via, local in plan.paths.get(step.node, ()):
            for x in free_names(local):
                for y in same(x):
                    out.append(Locals("index", f"{y} used in place of {x} on the path through {via}",
                                      f"{y} in place of {x}", {(via, step.node): substitute(local, {Var(x): Var(y)})}))
            for other in (y for y in same(via) if y in plan.paths or y == p.loss):
                out.append(Locals("index", f"∂{p.loss}/∂{other} used in place of ∂{p.loss}/∂{via}",
                                  f"∂{p.loss}/∂{other} in place of ∂{p.loss}/∂{via}",
                                  {(via, step.node): (other, local)}))
    elif step.kind == "update":
        for other in same(step.node):
            g = f"d{p.loss}/d{other}"
            out.append(Override("index", f"the gradient of {other} used to update {step.node}",
                                "another parameter's gradient used",
                                lambda w, st, r, g=g: plan.params[st.node] - (p.learning_rate or 0)
                                * (r(w.value(g)) if g in plan.steps else 0.0)))
            out.append(Override("index", f"{other}'s old value used for {step.node}", "another parameter's value used",
                                lambda w, st, r, o=other: plain(w, st, r) - plan.params[st.node] + plan.params[o]))
    return out


_STEP: dict[str, Callable[[Plan, Step], list[Model]]] = {
    "updated-weights-in-backward": _updated_here, "softmax-coupling-dropped": _softmax_here, "sign": _sign,
    "index": _index,
}
