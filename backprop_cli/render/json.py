"""The worked solution as JSON: full float precision, the problem's own names, a fixed key order."""
from __future__ import annotations

from collections.abc import Callable

from ..formula.printing import name_latex, to_latex, to_text
from ..solution import (
    LAYER_STEPS,
    BatchLossStep,
    ChainTerm,
    FinalStep,
    ForwardStep,
    GivenStep,
    GradCheckStep,
    GradStep,
    HistoryStep,
    LossAfterStep,
    LossStep,
    ShownStep,
    SoftmaxDelta,
    Solution,
    UpdateStep,
)
from .cells import grad_latex, grad_text
from .dispatch import pick

SCHEMA_VERSION = 1


def render(sol: Solution, *, precision: int = 4, width: int = 100, color: bool = False,
           symbolic: bool = False, full: bool = False) -> str:
    """The whole solution as one JSON document (precision does not apply: numbers are exact; every sample)."""
    doc = document(sol)
    if doc.get("form") == "summary":
        from .json_summary import dump

        return dump(doc)
    return _dump(doc) + "\n"


def _dump(obj, pad: str = "") -> str:
    """Indented JSON, but a list of plain values on one line; nan and inf raise."""
    import json

    inner = pad + "  "
    if isinstance(obj, dict) and obj:
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(v, inner)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(obj, list) and any(isinstance(x, (dict, list)) for x in obj):
        return "[\n" + ",\n".join(inner + _dump(x, inner) for x in obj) + f"\n{pad}]"
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def document(sol: Solution, shown: ShownStep | None = None) -> dict:
    """The JSON document as plain dicts, lists, strings and floats; of one shown step of training when given."""
    if any(isinstance(s, LAYER_STEPS) for s in sol.steps):  # solved as matrices: per-layer arrays
        from . import json_summary

        return json_summary.document(sol, _head(sol))
    builder = _Builder(sol, shown)
    for step in sol.steps:
        builder.add(step)
    if not builder.checks:
        return builder.doc
    # only a solution with --gradient-check has the key, after the gradients it checks
    at = list(builder.doc).index("gradients") + 1
    items = list(builder.doc.items())
    return dict([*items[:at], ("gradient_check", builder.checks), *items[at:]])


def _training(p) -> dict:
    """How the problem is trained, for a problem trained beyond one plain gradient step."""
    t = p.training
    return {"optimizer": {"name": t.optimizer.name, **{k: float(x) for k, x in t.optimizer.hyper}},
            "steps": t.steps, "epochs": t.epochs, "batch_size": t.batch_size, "shuffle_seed": t.seed,
            "show": list(t.show)}


def _floats(values) -> list[float]:
    return [float(v) for v in values]


def _num(v) -> float | None:
    return None if v is None else float(v)


def _head(sol: Solution) -> dict:
    """The schema version and the problem."""
    p = sol.problem
    problem = {"title": p.title, "source": p.source, "description": p.description, "file": p.file,
               "kind": p.kind, "samples": p.n_samples, "loss": p.loss,
               "batch": p.batch, "learning_rate": _num(p.learning_rate), "frozen": sorted(p.frozen)}
    if p.training is not None and not p.training.plain:  # so that other documents stay as they were
        problem["training"] = _training(p)
    return {"schema_version": SCHEMA_VERSION, "problem": problem, "given": {}}


class _Builder:
    def __init__(self, sol: Solution, shown: ShownStep | None = None):
        p = sol.problem
        self.sol, self.symbols = sol, p.symbols
        self.checks: dict = {}
        nodes = [n.name for n in p.nodes]
        head = _head(sol)
        if shown is not None:
            head = {"step": shown.step, "epoch": shown.epoch, "samples": [s + 1 for s in shown.samples]}
        if shown is None and p.training is not None and not p.training.single:  # the steps are inside
            self.doc = {**head, "steps": [], "history": None, "final": None}
            return
        self.doc = {
            **head,
            "forward": [], "loss": {"node": p.loss, "terms": [], "per_sample": None, "batch": None,
                                    "total": _num(sol.loss)},
            "backward": [],
            "gradients": {group: {k: _floats(sol.grads.get(k, ())) for k in names} for group, names in
                          (("nodes", nodes), ("inputs", list(p.inputs)), ("params", list(p.params)))},
            "update": [], "updated_params": {k: float(v) for k, v in sol.new_params.items()},
            "loss_after": None,
        }

    def add(self, step) -> None:
        """Put one step into the document; an unknown step type is an error, never skipped."""
        pick(STEPS, step, "json renderer")(self, step)

    def formula(self, formula) -> dict:
        return {"formula": to_text(formula), "latex": to_latex(formula, symbols=self.symbols)}

    def given(self, step: GivenStep) -> None:
        p = step.problem
        self.doc["given"] = {
            "inputs": {k: _floats(v) for k, v in p.inputs.items()},
            "targets": {k: _floats(v) for k, v in p.targets.items()},
            "params": {prm.name: {"value": _num(prm.value), "uses": [list(u) for u in prm.uses],
                                  "frozen": prm.name in p.frozen} for prm in p.params.values()},
            "outputs": [{"prediction": y, "target": t} for y, t in p.outputs],
        }

    def forward(self, step: ForwardStep) -> None:
        self.doc["forward"].append({"node": step.node, "role": step.role, "neuron": step.neuron,
                                    **self.formula(step.formula), "values": _floats(step.values)})

    def loss(self, step: LossStep) -> None:
        item = {"node": step.node, **self.formula(step.formula), "values": _floats(step.values)}
        if step.role == "loss":
            self.doc["loss"]["per_sample"] = item
        else:
            self.doc["loss"]["terms"].append(item)

    def batch_loss(self, step: BatchLossStep) -> None:
        self.doc["loss"]["batch"] = {"reduction": step.reduction, "per_sample": _floats(step.per_sample),
                                     "total": float(step.total)}

    def _term(self, term: ChainTerm) -> dict:
        return {"node": term.node, "via": term.via, "local": to_text(term.local),
                "local_latex": to_latex(term.local, symbols=self.symbols), "local_values": _floats(term.local_values),
                "upstream": _floats(term.upstream), "contribution": _floats(term.contribution)}

    def grad(self, step: GradStep) -> None:
        item: dict = {"node": step.node, "kind": step.kind, "terms": [self._term(t) for t in step.terms],
                      "values": _floats(step.values), "total": _num(step.total)}
        if step.shortcut is not None:  # only where the pair simplifies, so other documents stay as they were
            short = step.shortcut
            item["shortcut"] = {"pair": short.pair, **self.formula(short.formula), "factor": float(short.factor),
                                "values": _floats(short.values)}
        if step.softmax is not None:  # only for a group too large for its full Jacobian
            item["softmax"] = self._softmax(step.softmax)
        self.doc["backward"].append(item)

    def _softmax(self, delta: SoftmaxDelta) -> dict:
        c, loss = delta.component, self.sol.problem.loss
        up = grad_latex(loss, c, self.symbols)
        return {"component": c, "group_size": len(delta.group), "formula": f"{c}·({grad_text(loss, c)} − S)",
                "latex": f"{name_latex(c, self.symbols)} \\left({up} - S\\right)",
                "group_sum": _floats(delta.group_sum), "contribution": _floats(delta.contribution)}

    def grad_check(self, step: GradCheckStep) -> None:
        if not self.checks:
            self.checks = {"relative_step": step.relative_step, "threshold": step.threshold, "checks": []}
        self.checks["checks"].append({
            "name": step.name, "kind": step.kind, "sample": None if step.sample is None else step.sample + 1,
            "analytic": float(step.analytic), "numeric": _num(step.numeric), "h": float(step.h),
            "tiny": _num(step.tiny), "relative_error": _num(step.rel_error),
            "status": step.status,
            "kinks": [{"node": k.node, "function": k.fn, **self.formula(k.at)} for k in step.kinks]})

    def update(self, step: UpdateStep) -> None:
        item = {"param": step.param, "old": float(step.old), "gradient": float(step.grad),
                "learning_rate": float(step.learning_rate), "new": float(step.new), "frozen": step.frozen}
        if step.state:  # an optimizer's: its state before and after the step, and its step count
            item.update({"t": step.t, "state_before": {k: float(x) for k, x in step.before},
                         "state": {k: float(x) for k, x in step.state}})
        self.doc["update"].append(item)

    def shown(self, step: ShownStep) -> None:
        self.doc["steps"].append(document(step.solution, step))

    def history(self, step: HistoryStep) -> None:
        self.doc["history"] = {"node": step.node, "losses": _floats(step.losses),
                               "epoch_ends": list(step.epoch_ends), "shown": list(step.shown)}

    def final(self, step: FinalStep) -> None:
        self.doc["final"] = {"params": {k: float(end) for k, _, end, _ in step.params}, "loss": float(step.loss),
                             "per_sample": _floats(step.per_sample),
                             "values": {k: _floats(v) for k, v in step.values.items()}}

    def loss_after(self, step: LossAfterStep) -> None:
        self.doc["loss_after"] = {"node": step.node, "before": float(step.before), "after": float(step.after),
                                  "per_sample": _floats(step.per_sample)}


# One method per step type, as in every format.
STEPS: dict[type, Callable] = {
    GivenStep: _Builder.given, ForwardStep: _Builder.forward, LossStep: _Builder.loss,
    BatchLossStep: _Builder.batch_loss, GradStep: _Builder.grad, GradCheckStep: _Builder.grad_check,
    UpdateStep: _Builder.update, LossAfterStep: _Builder.loss_after,
    ShownStep: _Builder.shown, HistoryStep: _Builder.history, FinalStep: _Builder.final,
}
