"""The mistake catalogue: each model changes one step, or the whole solution, in one way.

A model is a Rule of the student's world (world.py): it changes a node's formula (the derivative then
follows it), a local derivative, the givens a step reads, the learning rate or the loss's seed, or
overrides one step. catalogue.py lists a problem's models of each kind, slips.py those made for one step,
and explain.py tries them on a wrong number; the kinds and their words are KINDS.
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass

from ..engine import local_partials
from ..formula.tree import Expr, free_names
from ..model import Node, Problem
from .world import PLAIN, Plan, Rule, Step, World

KINDS = {
    "sign": "a term or result with its sign flipped",
    "arithmetic": "the inputs are right but the result is not; no model matches",
    "rounding": "truncated, or rounded the wrong way",
    "transcription": "a value copied differently from the working",
    "wrong-value": "a given, weight or earlier value that is not the problem's was substituted",
    "updated-weights-in-backward": "the backward pass used the already-updated weights",
    "wrong-learning-rate": "the update matches a different η",
    "index": "another neuron's or weight's value was used",
    "dropped-factor": "one factor of the chain product left out, e.g. the activation derivative, or ½ and 2",
    "wrong-derivative": "an activation derivative in the wrong form, e.g. tanh′ as 1 − a, or σ′ evaluated at the "
                        "target",
    "output-for-preactivation": "σ′(a) used where σ′(z) belongs",
    "softmax-coupling-dropped": "only the diagonal of the softmax Jacobian kept",
}


@dataclass(frozen=True)
class Mistake:
    """A named mistake: its kind, what happened at this step, and what repeats when it recurs."""

    kind: str
    explanation: str
    family: str  # the same family on several steps is one pattern


class Model(Rule):
    """A rule that is a mistake: a kind, the words for this instance, and its family."""

    carry = True  # False: a variant solution, computed without the student's numbers

    def __init__(self, kind: str, explanation: str, family: str | None = None):
        self.kind, self.explanation, self.family = kind, explanation, family or explanation

    def mistake(self) -> Mistake:
        """What a match with this model is called."""
        return Mistake(self.kind, self.explanation, self.family)

    def touches(self, plan: Plan, step: Step) -> bool:
        """Whether the model changes how this step is computed."""
        return True

    def noting(self, words: str) -> Model:
        """The same model, its explanation followed by words (how the student read earlier numbers)."""
        other = copy.copy(self)
        other.explanation = self.explanation + words
        return other


class Locals(Model):
    """Some local derivatives ∂via/∂node replaced (None: the path left out)."""

    def __init__(self, kind: str, explanation: str, family: str, changed: dict):
        super().__init__(kind, explanation, family)
        self.changed = changed  # (via, node) -> Expr, None (the path left out) or (another via, Expr)

    def touches(self, plan: Plan, step: Step) -> bool:
        return step.kind in ("grad", "pgrad") and any((via, step.node) in self.changed
                                                      for via, _ in plan.paths.get(step.node, ()))

    def paths(self, plan: Plan, step: Step, paths: tuple) -> tuple:
        out = []
        for via, local in paths:
            new = self.changed.get((via, step.node), local)
            if isinstance(new, tuple):  # (another via, local): another node's ∂L/∂via upstream
                out.append(new)
            elif new is not None:
                out.append((via, new))
        return tuple(out)


class Formulas(Model):
    """Some node formulas replaced; their local derivatives follow (unless values_only)."""

    def __init__(self, kind: str, explanation: str, family: str, problem: Problem, formulas: dict,
                 values_only: bool = False):
        super().__init__(kind, explanation, family)
        self.formulas = formulas
        changed = dataclasses.replace(problem, nodes=tuple(
            dataclasses.replace(n, formula=formulas.get(n.name, n.formula)) for n in problem.nodes))
        self.locals = {} if values_only else {k: v for k, v in local_partials(changed).items() if k[0] in formulas}
        self.values_only = values_only

    def formula(self, plan: Plan, node: Node) -> Expr:
        return self.formulas.get(node.name, node.formula)

    def touches(self, plan: Plan, step: Step) -> bool:
        if step.kind in ("value", "after", "after_total"):
            return step.kind != "value" or step.node in self.formulas
        return not self.values_only and step.kind in ("grad", "pgrad") and \
            any(via in self.formulas for via, _ in plan.paths.get(step.node, ()))

    def paths(self, plan: Plan, step: Step, paths: tuple) -> tuple:
        if self.values_only:
            return paths
        return tuple((via, self.locals[(via, step.node)]) for via, local in paths
                     if via not in self.formulas or (via, step.node) in self.locals)


class Leaves(Model):
    """Givens read with other values: swapped, or with a sign flipped (in steps of the given kinds)."""

    def __init__(self, kind: str, explanation: str, family: str, values: dict, kinds: tuple = ()):
        super().__init__(kind, explanation, family)
        self.values, self.kinds = values, kinds

    def touches(self, plan: Plan, step: Step) -> bool:
        return not self.kinds or step.kind in self.kinds

    def leaves(self, world: World, step: Step, row: dict) -> dict:
        if not self.kinds or step.kind in self.kinds:
            row.update({k: v for k, v in self.values.items() if k in row})
        return row


class UpdatedWeights(Model):
    """The backward pass reads each weight after its update, p⁺, in place of p."""

    def __init__(self, explanation: str, params: tuple):
        super().__init__("updated-weights-in-backward", explanation, "the backward pass used the updated weights")
        self.params = params

    def touches(self, plan: Plan, step: Step) -> bool:
        return step.kind == "grad" and any(p in free_names(local) for _, local in plan.paths.get(step.node, ())
                                           for p in self.params)

    def leaves(self, world: World, step: Step, row: dict) -> dict:
        if step.kind == "grad":
            for p in self.params:
                if f"{p}+" in world.plan.steps:
                    row[p] = world._read(f"{p}+", _same)
        return row


class LearningRate(Model):
    """Updates with another η."""

    def __init__(self, rate: float, given: float, where: str = ""):
        super().__init__("wrong-learning-rate", f"the update used η = {rate:g}, not {given:g}{where}",
                         f"η = {rate:g} used instead of {given:g}")
        self.rate = rate

    def touches(self, plan: Plan, step: Step) -> bool:
        return step.kind == "update"

    def learning_rate(self, step: Step) -> float | None:
        return self.rate


class Seed(Model):
    """The batch mean's 1/N left out of every gradient."""

    def touches(self, plan: Plan, step: Step) -> bool:
        return step.kind in ("grad", "pgrad") and any(via == plan.loss for via, _ in plan.paths.get(step.node, ()))

    def seed(self, plan: Plan) -> float:
        return 1.0


class Override(Model):
    """One step computed another way: fn(world, step, read) from the usual computation's parts."""

    def __init__(self, kind: str, explanation: str, family: str, fn):
        super().__init__(kind, explanation, family)
        self.fn = fn

    def touches(self, plan: Plan, step: Step) -> bool:
        return True  # made for the one step it is tried on

    def override(self, world: World, step: Step, read) -> float | None:
        return self.fn(world, step, read)


def _same(x: float) -> float:
    return x


def plain(world: World, step: Step, read) -> float:
    """The step computed as the solution does, from the world's numbers."""
    return world.compute(step, PLAIN, read)
