"""Forward values, reverse-mode backward that records every chain-rule step, and the update.

Values are plain Python floats (float64), one per sample: a homework-sized problem never imports
numpy. A problem without numbers is derived in symbols by derive(), which evaluates nothing.
"""
from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Literal

from . import softmax
from .errors import DomainError, ProblemError
from .formula.calculus import TooLarge, diff_all, evaluate
from .formula.tree import Call, Expr, Var, free_names, substitute
from .limits import MAX_DERIVATIVE, SOFTMAX_JACOBIAN, SUMMARY_PARAMS
from .model import Node, Problem, node_depths
from .optimizers import Optimizer
from .progress import report
from .solution import (
    BatchLossStep,
    ChainTerm,
    ForwardStep,
    GivenStep,
    GradKind,
    GradStep,
    LossAfterStep,
    LossStep,
    Solution,
    UpdateStep,
)

Values = dict  # name -> tuple of floats, one per sample
Form = Literal["auto", "full", "summary"]  # how a layers-form network is solved and shown (see solve)

# Called on every number the solution carries on, and the number it returns is carried instead:
# hook(kind, name, sample, value). Kinds: value (a node), loss (the batch loss), local (∂via/∂node,
# named "via|node"), term (one path's contribution, named the same), grad (∂L/∂name; a parameter's
# total has sample None), grad_part (a parameter's share in one sample of a batch), update (p⁺),
# after_value (a node after the update) and after (the loss after it, sample None).
# --round N is one such hook; a test or the grader can put a student's number in at any step.
Hook = Callable[[str, str, "int | None", float], float]


def round_half_away(value: float, decimals: int) -> float:
    """value to decimals places, half away from zero, as a hand calculation rounds the number it reads."""
    from decimal import ROUND_HALF_UP, Decimal

    if not math.isfinite(value) or abs(value) >= 1e15:
        return value  # beyond every place a hand calculation keeps
    # The number read to 15 significant figures, all float64 holds for certain: 2.675 (stored as 2.67499…)
    # rounds to 2.68, and 0.25·0.05 + 0.3·0.1 + 0.35 (0.39249999999999996) to 0.393, as by hand.
    exact = Decimal(f"{value:.15g}").quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return float(exact) + 0.0  # + 0.0: never −0.0


def rounding(decimals: int) -> Hook:
    """The hook of --round N: every intermediate rounded to N decimals, half away from zero."""
    return lambda kind, name, sample, value: round_half_away(value, decimals)


class NotFinite(ProblemError):
    """A value overflowed to an infinity or a nan: the error training reports as divergence."""


def _leaf_rows(problem: Problem, params: dict | None) -> list[dict]:
    """Inputs, targets and parameters as one name -> float mapping per sample."""
    values = params if params is not None else {p.name: p.value for p in problem.params.values()}
    rows = []
    for s in range(problem.n_samples):
        row = {k: float(v[s]) for k, v in problem.inputs.items()}
        row.update({k: float(v[s]) for k, v in problem.targets.items()})
        row.update({k: float(v) for k, v in values.items()})
        rows.append(row)
    return rows


def _columns(rows: list[dict]) -> Values:
    return {k: tuple(r[k] for r in rows) for k in rows[0]} if rows else {}


def _forward_rows(problem: Problem, params: dict | None = None, hook: Hook | None = None,
                  kind: str = "value") -> list[dict]:
    rows = _leaf_rows(problem, params)
    groups = softmax.groups(problem)
    member_of = softmax.member_of(groups)
    for k, node in enumerate(problem.nodes):
        report("forward pass", k, len(problem.nodes))
        if node.name in member_of:  # a whole softmax group at once, not n softmaxes over n values each
            zs = member_of[node.name]
            for s, row in enumerate(rows):
                if node.name not in row:
                    fresh = softmax.values(zs, groups[zs], row)
                    row.update(fresh if hook is None else {m: hook(kind, m, s, v) for m, v in fresh.items()})
            continue
        for s, row in enumerate(rows):
            value = _eval(node.formula, row, node.name, problem)
            row[node.name] = value if hook is None else hook(kind, node.name, s, value)
    return rows


def forward(problem: Problem, params: dict | None = None) -> Values:
    """Every node's value, per sample; a value outside a function's domain is a ProblemError."""
    return _columns(_forward_rows(problem, params))


def _eval(formula: Expr, row: dict, name: str, problem: Problem, dep: str | None = None) -> float:
    """A formula's value in one sample; dep names the variable when the formula is ∂name/∂dep."""
    try:
        value = evaluate(formula, row)
    except DomainError as exc:
        raise ProblemError(problem.origins.get(name), f"{_label(problem, name, dep)}{exc}",
                           "values inside each function's domain") from None
    except OverflowError:  # float ** 2 raises where float * float gives inf: training can get there
        value = math.inf
    if not math.isfinite(value):
        raise NotFinite(problem.origins.get(name), f"{_label(problem, name, dep)}the value is not finite "
                        "(overflow)", "inputs and weights of a sensible size")
    return float(value)


def _finite(problem: Problem, values, name: str, what: str) -> None:
    """Refuse an overflowed gradient or update, naming it, as _eval refuses an overflowed value."""
    if not all(math.isfinite(x) for x in values):
        raise ProblemError(problem.origins.get(name), f"{_label(problem, name, None)}{what} is not finite (overflow)",
                           "inputs, weights and a learning rate of a sensible size")


def _label(problem: Problem, name: str, dep: str | None) -> str:
    origin = problem.origins.get(name)
    # the key path already ends in the node's name for equations; elsewhere say which node
    label = "" if origin is not None and origin.path.endswith(f".{name}") else f"{name}: "
    if dep is not None:
        label += f"the derivative ∂{name}/∂{dep} is undefined here: "
    return label


def batch_total(problem: Problem, per_sample) -> float:
    """The batch loss: mean or sum of the per-sample totals."""
    total = sum(per_sample)
    return total / len(per_sample) if problem.averages else total


def local_partials(problem: Problem, only: Collection[Node] | None = None) -> dict:
    """(node, dependency) -> ∂node/∂dependency as a formula written with node names.

    A large softmax group has none: the backward pass takes its paths in closed form (softmax.py).
    only: just these nodes (the matrix path's loss nodes), named with each other's formulas only.
    """
    groups = softmax.groups(problem) if only is None else {}
    member_of = softmax.member_of(groups)
    nodes = problem.nodes if only is None else only
    known = {n.formula: Var(n.name) for n in nodes if isinstance(n.formula, Call) and n.name not in member_of}
    out = {}
    for zs, members in groups.items():
        if len(members) <= SOFTMAX_JACOBIAN:
            out.update(softmax.partials(zs, members))
    for node in nodes:
        if node.name in member_of:
            continue
        deps = [d for d in free_names(node.formula) if d not in problem.targets]
        try:
            found = diff_all(node.formula, deps, Var(node.name), budget=MAX_DERIVATIVE)
        except TooLarge as exc:
            raise ProblemError(problem.origins.get(node.name), f"{_label(problem, node.name, None)}the derivative "
                               f"∂{node.name}/∂{exc.var} has more than {MAX_DERIVATIVE} parts",
                               "a formula split into several nodes, each short enough to differentiate by hand") \
                from None
        out.update(((node.name, dep), substitute(partial, known)) for dep, partial in found.items())
    return out


def evaluate_at(problem: Problem, formula: Expr, row: Mapping[str, float], name: str, dep: str | None = None) -> float:
    """One step from given values: a formula of the node name (or its ∂name/∂dep) in one sample's row."""
    return _eval(formula, dict(row), name, problem, dep)


def loss_seed(problem: Problem) -> float:
    """∂(batch loss)/∂(one sample's loss): 1/N for a batch mean, else 1 (an expression's samples stand alone)."""
    n = problem.n_samples
    return 1.0 / n if problem.averages and not problem.is_expression else 1.0


def consumers(problem: Problem) -> dict[str, tuple[tuple[str, Expr], ...]]:
    """name -> (via, ∂via/∂name) for each path from the loss, in the order backward() adds them up."""
    locals_ = local_partials(problem)
    out: dict[str, list] = {}
    for node in _backward_order(problem)[0]:
        for dep in free_names(node.formula):
            if (node.name, dep) in locals_:
                out.setdefault(dep, []).append((node.name, locals_[(node.name, dep)]))
    return {k: tuple(v) for k, v in out.items()}


def gradient_at(problem: Problem, name: str, row: Mapping[str, float], upstream: Mapping[str, float],
                paths: Sequence[tuple[str, Expr]], hook: Hook | None = None, sample: int | None = None) -> float:
    """One step from given values: ∂L/∂name in one sample, Σ (∂via/∂name)·∂L/∂via over the paths.

    The same arithmetic as backward(): each local evaluated in row, times upstream[via], added in order
    from 0.0; hook (e.g. --round's) sees each local and each product as backward() shows it.
    """
    total = 0.0
    for via, local in paths:
        lv = _eval(local, dict(row), via, problem, name)
        if hook is not None:
            lv = hook("local", f"{via}|{name}", sample, lv)
        term = lv * upstream[via]
        total += term if hook is None else hook("term", f"{via}|{name}", sample, term)
    return total


def update_at(problem: Problem, name: str, old: float, grad: float) -> float:
    """One step from given values: p⁺ = p − η·∂L/∂p, or p itself when frozen."""
    if name in problem.frozen or problem.learning_rate is None:
        return old
    return old - problem.learning_rate * grad


def _kinds(problem: Problem) -> dict[str, GradKind]:
    """What each name is in the backward pass: a parameter, an input, an output, or its node's role."""
    kinds: dict[str, GradKind] = {n.name: n.role for n in problem.nodes}
    kinds.update({p: "output" for p, _ in problem.outputs})
    kinds.update(dict.fromkeys(problem.inputs, "input"))
    kinds.update(dict.fromkeys(problem.params, "param"))
    return kinds


def _backward_order(problem: Problem) -> tuple[list, dict]:
    """Nodes from the loss back to the inputs, as a hand calculation takes them; and file positions."""
    depth = node_depths(problem.nodes)
    index = {node.name: k for k, node in enumerate(problem.nodes)}
    return sorted(problem.nodes, key=lambda nd: (-depth[nd.name], index[nd.name])), index


def _grad_steps(problem: Problem, order: list, index: dict, terms: dict, grads: dict | None,
                closed: dict, totals: dict | None = None) -> list:
    """One GradStep per node, input and parameter that the loss depends on, in backward order."""
    steps = []
    kinds = _kinds(problem)
    for name in [nd.name for nd in order if nd.name != problem.loss] + [*problem.inputs, *problem.params]:
        chain = sorted(terms.get(name, []), key=lambda t: index[t.via])
        if chain or name in closed:
            values = grads[name] if grads is not None else ()
            total = (totals or {}).get(name, sum(values)) if grads is not None else None
            steps.append(GradStep(name, kinds[name], tuple(chain), tuple(values), total, softmax=closed.get(name)))
    return steps


def _hooked(hook: Hook | None, kind: str, name: str, values) -> list:
    return list(values) if hook is None else [hook(kind, name, s, v) for s, v in enumerate(values)]


def backward(problem: Problem, rows: list[dict], hook: Hook | None = None) -> tuple[list, Values]:
    """GradSteps in the order a hand calculation takes them, and ∂L/∂name per sample.

    hook sees every number as it is carried on (see Hook): a node's ∂L/∂node once all its paths are in.
    """
    n = problem.n_samples
    locals_ = local_partials(problem)
    order, index = _backward_order(problem)
    grads = {name: [0.0] * n for name in rows[0] if name not in problem.targets}
    # An expression's samples are separate evaluations of f: each gets its own ∂f/∂x, upstream 1.
    grads[problem.loss] = [loss_seed(problem)] * n
    terms: dict = {}
    large = softmax.large(softmax.groups(problem))
    closed: dict = {}
    for k, node in enumerate(order):
        report("backward pass", k, len(order))
        if node.name != problem.loss:
            grads[node.name] = _hooked(hook, "grad", node.name, grads[node.name])
        upstream = tuple(grads[node.name])
        group = next((zs for zs, members in large.items() if node.name == members[0]), None)
        if group is not None:  # all of the group's ∂L/∂s are complete: the components sit at one depth
            for z, delta in softmax.closed_form(group, large[group], rows, grads).items():
                _finite(problem, delta.contribution, delta.component,
                        f"the gradient ∂{problem.loss}/∂{z} through the softmax")
                grads[z] = [g + c for g, c in zip(grads[z], delta.contribution)]
                closed[z] = delta
        for dep in free_names(node.formula):
            local = locals_.get((node.name, dep))
            if local is None:
                continue
            lv = tuple(_hooked(hook, "local", f"{node.name}|{dep}",
                               (_eval(local, row, node.name, problem, dep) for row in rows)))
            contribution = tuple(_hooked(hook, "term", f"{node.name}|{dep}", (a * b for a, b in zip(lv, upstream))))
            _finite(problem, contribution, node.name, f"the gradient ∂{problem.loss}/∂{dep} through {node.name}")
            grads[dep] = [g + c for g, c in zip(grads[dep], contribution)]
            terms.setdefault(dep, []).append(ChainTerm(dep, node.name, local, lv, upstream, contribution))
    totals = {}
    for name in [*problem.inputs, *problem.params]:
        grads[name] = _hooked(hook, "grad" if name in problem.inputs else "grad_part", name, grads[name])
        if name in problem.params:
            totals[name] = sum(grads[name]) if hook is None else hook("grad", name, None, sum(grads[name]))
            if n == 1:
                grads[name] = [totals[name]]  # one sample: its share is the total
    final = {k: tuple(v) for k, v in grads.items()}
    return _grad_steps(problem, order, index, terms, final, closed, totals), final


def derive(problem: Problem) -> list:
    """The backward pass of a problem without numbers: every chain-rule step in symbols."""
    locals_ = local_partials(problem)
    order, index = _backward_order(problem)
    terms: dict = {}
    for node in order:
        for dep in free_names(node.formula):
            if (node.name, dep) in locals_:
                terms.setdefault(dep, []).append(ChainTerm(dep, node.name, locals_[(node.name, dep)], (), (), ()))
    closed = {z: delta for zs, members in softmax.large(softmax.groups(problem)).items()
              for z, delta in softmax.closed_form(zs, members, [], {}).items()}
    return _grad_steps(problem, order, index, terms, None, closed)


def _forward_steps(problem: Problem, values: Values | None) -> list:
    steps: list = []
    for node in problem.nodes:
        vals = values[node.name] if values else ()
        if node.is_loss:
            steps.append(LossStep(node.name, node.role, node.formula, vals))
        else:
            steps.append(ForwardStep(node.name, node.role, node.neuron, node.formula, vals))
    return steps


def solve(problem: Problem, gradient_check: bool = False, round_to: int | None = None,
          form: Form = "auto") -> Solution:
    """The complete worked solution of one problem; a symbolic derivation when it has no numbers.

    gradient_check adds, after the backward pass, each gradient beside a central difference (gradcheck.py).
    round_to N rounds every intermediate to N decimals, half away from zero, as a hand calculation does
    (backprop solve --round N). A problem trained beyond one plain gradient step is trained by training.train.
    form: "auto" solves a layers-form network past limits.SUMMARY_PARAMS parameters as matrices (matrix.py,
    shown per layer), "summary" any layers-form network, "full" every network as scalar steps.
    """
    return solve_with(problem, None if round_to is None else rounding(round_to), gradient_check, form)


def as_matrices(problem: Problem, form: Form = "auto") -> bool:
    """Whether the problem is solved as matrices and shown in summary form (see solve)."""
    if form == "full" or not problem.dense or (form == "auto" and len(problem.params) <= SUMMARY_PARAMS):
        return False  # without importing matrix.py, and with it numpy: a homework problem never pays for it
    from . import matrix

    return matrix.applies(problem) and (form == "summary" or matrix.large(problem))


def solve_with(problem: Problem, hook: Hook | None, gradient_check: bool = False, form: Form = "auto") -> Solution:
    """solve(), with hook seeing every number carried on and free to replace it (see Hook)."""
    if not problem.numeric:
        steps = [GivenStep(problem), *_forward_steps(problem, None), *derive(problem)]
        return Solution(problem, tuple(steps), {}, {}, None, None, {})
    training = problem.training
    matrices = hook is None and as_matrices(problem, form)
    if matrices and (gradient_check or (training is not None and not training.plain)):
        what = "--gradient-check" if gradient_check else "training beyond one plain gradient step"
        raise ProblemError(problem.origins.get("training") if not gradient_check else None,
                           f"{what} works on networks shown step by step, not on one of {len(problem.params)} "
                           f"parameters solved as matrices", "solve --full (every scalar step, slow at this size)"
                           if gradient_check else f"at most {SUMMARY_PARAMS} parameters, or one plain step")
    if matrices:
        from .matrix import solve as solve_matrices

        return solve_matrices(problem)
    if training is not None and not training.plain:
        if hook is not None:
            raise ProblemError(problem.origins.get("training") or None, "--round works on one step of plain "
                               "gradient descent, not on training", "a problem without steps, epochs or optimizer")
        from .training import train

        return train(problem, gradient_check)
    return _solve_numeric(problem, gradient_check, hook=hook)


def solve_step(problem: Problem, params: dict, samples: Sequence[int] | None, optimizer: Optimizer,
               gradient_check: bool = False, given: bool = False) -> Solution:
    """One training step worked in full: the problem at these parameter values, on these samples (all
    when None), updated by the optimizer (whose state it advances). given adds the Given section."""
    picked = list(samples) if samples is not None else None
    if picked is not None and picked != list(range(problem.n_samples)):
        def some(values: dict) -> dict:
            return {k: tuple(x[s] for s in picked) for k, x in values.items()}

        problem = dataclasses.replace(problem, inputs=some(problem.inputs), targets=some(problem.targets))
    problem = dataclasses.replace(problem, params={k: dataclasses.replace(p, value=float(params[k]))
                                                   for k, p in problem.params.items()})
    return _solve_numeric(problem, gradient_check, optimizer, given)


def _solve_numeric(problem: Problem, gradient_check: bool, optimizer: Optimizer | None = None,
                   given: bool = True, hook: Hook | None = None) -> Solution:
    """Forward, loss, backward and the update: plain gradient descent, or the optimizer's step."""
    rows = _forward_rows(problem, hook=hook)
    values = _columns(rows)
    steps: list = [GivenStep(problem)] if given else []
    steps += _forward_steps(problem, values)
    loss = batch_total(problem, values[problem.loss])
    if problem.n_samples > 1:
        loss = loss if hook is None else hook("loss", problem.loss, None, loss)
        steps.append(BatchLossStep(problem.loss, problem.batch, values[problem.loss], loss))
    grad_steps, grads = backward(problem, rows, hook)
    from .shortcut import with_shortcuts  # the δ = ŷ − y pairs, beside the full chain rule

    steps.extend(with_shortcuts(problem, values, grad_steps))
    if gradient_check:
        from .gradcheck import check_gradients

        steps.extend(check_gradients(problem, grads, values))
    new_params: dict = {}
    after = None
    if problem.learning_rate is not None:
        steps.extend(_updates(problem, grads, grad_steps, optimizer, hook))
        new_params = {st.param: st.new for st in steps if isinstance(st, UpdateStep)}
        try:
            after_values = _columns(_forward_rows(problem, new_params, hook, "after_value"))
        except ProblemError as exc:  # the values were fine before: say that the update took them out of range
            raise ProblemError(exc.origin, f"after the update: {exc.message}",
                               "a smaller learning rate, or inputs and weights of a sensible size") from None
        after = batch_total(problem, after_values[problem.loss])
        after = after if hook is None else hook("after", problem.loss, None, after)
        steps.append(LossAfterStep(problem.loss, loss, after, after_values[problem.loss]))
    return Solution(problem, tuple(steps), values, grads, loss, after, new_params)


def _updates(problem: Problem, grads: Values, grad_steps: list, optimizer: Optimizer | None,
             hook: Hook | None = None) -> list[UpdateStep]:
    """Each parameter's UpdateStep: p − η·∂L/∂p (through the hook), or the optimizer's update with its state."""
    lr = problem.learning_rate
    assert lr is not None
    if optimizer is None:
        totals = {st.node: st.total for st in grad_steps if st.kind == "param"}
        out = []
        for p in problem.params.values():
            g = totals.get(p.name, sum(grads[p.name]))
            new = update_at(problem, p.name, p.value, g)
            new = new if hook is None else hook("update", p.name, None, new)
            _finite(problem, (new,), p.name, f"the update {p.name} − η·∂{problem.loss}/∂{p.name}")
            out.append(UpdateStep(p.name, p.value, g, lr, new, p.name in problem.frozen))
        return out
    updates = optimizer.step({p.name: p.value for p in problem.params.values()},
                             {name: sum(grads[name]) for name in problem.params}, problem.frozen)
    for name, u in updates.items():
        _finite(problem, (u.new,), name, f"the update of {name} by {optimizer.spec.name}")
    return [UpdateStep(name, u.old, u.grad, lr, u.new, name in problem.frozen, u.state, u.before, u.t)
            for name, u in updates.items()]
