"""The training section of the problem format: its declaration (format.py uses TRAINING) and its reading.

    training:
      learning_rate: 0.5
      steps: 10000                # full-batch steps; or epochs, with batch_size and shuffle
      optimizer: {name: momentum, momentum: 0.9}
      frozen: [b1, b2]
      show: [1, 2, last]

Every optimizer's hyper-parameters are spelled out under PyTorch's names, never defaulted.
"""
from __future__ import annotations

import math
from typing import NamedTuple

from ..errors import Origin, ProblemError, one_of, suggest
from ..model import Training
from ..optimizers import HYPER, OptimizerSpec
from . import validate as v
from .compound import ListOf, Mapping
from .conditions import Has, Not
from .imperative import BeyondSchema
from .rules import Refuse, Unique
from .spec import Name, Number

MAX_STEPS = 1_000_000  # a million steps of a homework network take seconds; more is a typo
MAX_SEED = 2 ** 32 - 1
# Each hyper-parameter's range, and what PyTorch defaults it to (named in an error, never assumed).
RANGES = {"momentum": "fraction", "alpha": "fraction", "beta1": "fraction", "beta2": "fraction", "eps": "positive"}
TORCH_DEFAULTS = {"momentum": "0.9", "alpha": "0.99", "beta1": "0.9", "beta2": "0.999", "eps": "1e-8"}


def _example(name: str) -> str:
    return "{" + ", ".join([f"name: {name}", *(f"{k}: {TORCH_DEFAULTS[k]}" for k in HYPER[name])]) + "}"


class Integer(NamedTuple):
    """A whole number from minimum to maximum; 3.0 counts as 3, as JSON Schema's integer does."""

    minimum: int
    maximum: int
    expected: str

    def read(self, value) -> int:
        """The number, once check() has passed it."""
        return int(value)

    def check(self, value, origin: Origin) -> None:
        if isinstance(value, float) and math.isnan(value):
            raise BeyondSchema("nan", origin, "got nan", self.expected)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            quoted = ", without quotes" if isinstance(value, str) and v.plain_number(value.strip()) else ""
            raise ProblemError(origin, f"got {_described(value)}", self.expected + quoted)
        if isinstance(value, float) and not value.is_integer() or not self.minimum <= value <= self.maximum:
            raise ProblemError(origin, f"got {value:g}" if isinstance(value, float) else f"got {value}",
                               self.expected)

    def schema(self, defs: dict) -> dict:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}


def _described(value) -> str:
    if isinstance(value, str):
        return f"a string {value!r}"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    return v.type_name(value)


class Hyper(NamedTuple):
    """One optimizer hyper-parameter: a fraction in [0, 1) (momentum, α, β) or a positive number (ε)."""

    key: str

    def check(self, value, origin: Origin) -> None:
        Number().check(value, origin)
        x = float(value)
        if RANGES[self.key] == "fraction" and not 0 <= x < 1:
            raise ProblemError(origin, f"{self.key} {x:g} is outside [0, 1)", f"0 ≤ {self.key} < 1")
        if RANGES[self.key] == "positive" and x <= 0:
            raise ProblemError(origin, f"{self.key} {x:g} is not positive", "a number > 0, such as 1e-8")

    def schema(self, defs: dict) -> dict:
        if RANGES[self.key] == "fraction":
            return {"type": "number", "minimum": 0, "exclusiveMaximum": 1}
        return {"type": "number", "exclusiveMinimum": 0, "maximum": v.LIMIT}


class Optimizer(NamedTuple):
    """sgd, or {name: …, hyper-parameter: value …} with every hyper-parameter of that optimizer."""

    def check(self, value, origin: Origin) -> None:
        if isinstance(value, str):
            v.choice(value, origin, HYPER, "optimizer")
            if HYPER[value]:
                raise ProblemError(origin, f"{value} needs its hyper-parameters spelled out", _example(value))
            return
        m = v.mapping(value, origin, "an optimizer: sgd, or a mapping such as {name: momentum, momentum: 0.9}")
        v.keys(m, origin, list(m), ["name"])  # the other keys depend on the optimizer named
        name = v.choice(m["name"], v.at(m, "name", origin), HYPER, "optimizer")
        allowed = HYPER[name]
        for k in m:
            if k != "name" and k not in allowed:
                raise ProblemError(v.at(m, k, origin), f"{name} has no parameter '{k}'",
                                   one_of(allowed) if allowed else "no hyper-parameters", suggest(k, allowed))
        for k in allowed:
            if k not in m:
                raise v.missing(m, origin, k, f"{k} for {name}, spelled out: PyTorch's default is {TORCH_DEFAULTS[k]}")
            Hyper(k).check(m[k], v.at(m, k, origin))

    def schema(self, defs: dict) -> dict:
        cases = [{"properties": {"name": {"const": name}, **{k: Hyper(k).schema(defs) for k in keys}},
                  "required": ["name", *keys], "additionalProperties": False} for name, keys in HYPER.items()]
        mapping = {"type": "object", "required": ["name"], "properties": {"name": {"enum": list(HYPER)}},
                   "oneOf": cases}
        return {"anyOf": [{"enum": [n for n, keys in HYPER.items() if not keys]}, mapping]}


class ShowItem(NamedTuple):
    """A step number, or last."""

    def check(self, value, origin: Origin) -> None:
        if isinstance(value, str):
            if value != "last":
                raise ProblemError(origin, f"got {value!r}", _SHOW, suggest(value, ["last"]))
            return
        Integer(1, MAX_STEPS, _SHOW).check(value, origin)

    def schema(self, defs: dict) -> dict:
        return {"anyOf": [{"type": "integer", "minimum": 1, "maximum": MAX_STEPS}, {"const": "last"}]}


_SHOW = "a step number from 1, or last"
STEPS = Integer(1, MAX_STEPS, f"a whole number of steps from 1 to {MAX_STEPS}")
EPOCHS = Integer(1, MAX_STEPS, f"a whole number of epochs from 1 to {MAX_STEPS}")
BATCH_SIZE = Integer(1, MAX_STEPS, "a whole number of samples from 1")
SEED = Integer(0, MAX_SEED, f"a whole number from 0 to {MAX_SEED}")
_WITH_EPOCHS = Not(Has("epochs"))

TRAINING = Mapping({
    "learning_rate": Number(0, "negative learning rate {value:g}",
                            "a number ≥ 0: gradient descent subtracts η times the gradient"),
    "steps": STEPS,
    "epochs": EPOCHS,
    "batch_size": BATCH_SIZE,
    "shuffle": Mapping({"seed": SEED}, required=("seed",), what="a mapping with a seed, e.g. {seed: 7}"),
    "optimizer": Optimizer(),
    "frozen": ListOf(Name(), "a list of parameter names", rules=(Unique("parameter"),)),
    "show": ListOf(ShowItem(), "a list of step numbers, or last"),
}, required=("learning_rate",), rules=(
    Refuse(Has("steps"), "'epochs' given beside 'steps'",
           "either steps (full-batch steps) or epochs (passes over the samples)", at="epochs"),
    Refuse(_WITH_EPOCHS, "'batch_size' without 'epochs'",
           "epochs: N beside batch_size, or steps: N for full-batch steps", at="batch_size"),
    Refuse(_WITH_EPOCHS, "'shuffle' without 'epochs'",
           "epochs: N beside shuffle, which orders the samples of each epoch", at="shuffle"),
), docs={
    "learning_rate": "η, the same in every step.",
    "steps": "Full-batch gradient steps (default 1).",
    "epochs": "Passes over the samples, each in mini-batches of batch_size.",
    "batch_size": "Samples per step when training in epochs, taken in file order (default: all of them).",
    "shuffle": "{seed: N}: shuffle the samples at the start of each epoch, reproducibly.",
    "optimizer": "sgd (default), or {name: momentum|nesterov, momentum}, {name: rmsprop, alpha, eps}, "
                 "{name: adam, beta1, beta2, eps}, as PyTorch defines them.",
    "frozen": "Parameters kept as they are.",
    "show": "The steps whose worked solution is shown in full, by number or last (default [1]).",
})


def read_training(training, where: Origin, params: dict, n_samples: int) -> tuple[float, list, Training]:
    """The learning rate, the frozen parameters and the Training of a checked training section."""
    fo = v.at(training, "frozen", where)
    for k, p in enumerate(training.get("frozen", [])):
        if p not in params:
            raise BeyondSchema("reference", v.at(training["frozen"], k, fo), f"'{p}' is not a parameter",
                               one_of(params), suggest(p, params))
    optimizer = training.get("optimizer", "sgd")
    spec = OptimizerSpec(optimizer) if isinstance(optimizer, str) else \
        OptimizerSpec(optimizer["name"], tuple((k, float(optimizer[k])) for k in HYPER[optimizer["name"]]))
    epochs = EPOCHS.read(training["epochs"]) if "epochs" in training else None
    batch = BATCH_SIZE.read(training["batch_size"]) if "batch_size" in training else None
    if batch is not None and batch > n_samples:
        raise BeyondSchema("shape", v.at(training, "batch_size", where),
                           f"batch_size {batch} is more than the {v.count(n_samples, 'sample')}",
                           f"a batch size from 1 to {n_samples}")
    if epochs is None:
        steps = STEPS.read(training.get("steps", 1))
    else:
        steps = epochs * -(-n_samples // (batch or n_samples))
        if steps > MAX_STEPS:
            raise BeyondSchema("shape", v.at(training, "epochs", where),
                               f"{epochs} epochs of {-(-n_samples // (batch or n_samples))} mini-batches are "
                               f"{steps} steps", f"at most {MAX_STEPS} steps")
    seed = SEED.read(training["shuffle"]["seed"]) if "shuffle" in training else None
    show = _show(training, where, steps)
    result = Training(spec, steps, epochs, batch, seed, show, v.at(training, "learning_rate", where))
    return float(training["learning_rate"]), list(training.get("frozen", [])), result


def _show(training, where: Origin, steps: int) -> tuple[int, ...]:
    if "show" not in training:
        return (1,)
    so, picked = v.at(training, "show", where), set()
    for k, item in enumerate(training["show"]):
        step = steps if item == "last" else int(item)
        if step > steps:
            raise BeyondSchema("shape", v.at(training["show"], k, so),
                               f"there is no step {step}: training takes {v.count(steps, 'step')}",
                               f"a step number from 1 to {steps}, or last")
        picked.add(step)
    return tuple(sorted(picked))
