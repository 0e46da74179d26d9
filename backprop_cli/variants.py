"""backprop variants: one problem, many students, different numbers that still make a good exercise.

The draw, so that the same seed gives the same variants on any machine and any Python version:
variant k (from 1) of seed S takes its numbers from random.Random(f"{S}/{k}") (a str seed is hashed
with SHA-512, a scheme Python keeps stable), and only from its random() method, which Python promises
never to change; each value is int(random() × n) into its n possible values, in the order the vary:
block names them (and, for an input or target of a batch, sample by sample). A draw is solved by the
engine and redrawn from the same stream while it breaks a constraint, up to MAX_DRAWS times; so
variant k never depends on any other variant, and `--only k` draws it alone.

The constraints keep a variant worth solving by hand (each is checked on every sample):
- no sigmoid or tanh argument in the flat region, |z| ≥ FLAT, where the gradients vanish;
- no relu, leaky_relu or elu argument at its kink, |z| < KINK;
- every gradient asked for (the ask: list, or every ∂L/∂p) of size at least MIN_GRADIENT, so the
  answers are not all 0.0000 at 4 decimals;
- every output at least MIN_GAP from its target;
- every value inside its functions' domains, and every file valid (a cross-entropy target in [0, 1]).
"""
from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from pathlib import Path

from .errors import BackpropError, Origin, ProblemError
from .formula.calculus import evaluate
from .formula.tree import Call
from .model import Problem
from .solution import Solution
from .variant_text import Slot

FLAT = 4.0
KINK = 1e-9
MIN_GRADIENT = 1e-4
MIN_GAP = 1e-4
MAX_DRAWS = 1000
SMOOTH = ("sigmoid", "tanh")
KINKED = ("relu", "leaky_relu", "elu")


@dataclass(frozen=True)
class Source:
    """A problem with a vary: block, checked and solved once, with the places its varied values are written."""

    file: str
    text: str
    doc: dict
    problem: Problem
    slots: dict  # name -> [Slot]
    asked: tuple  # quantity names, as answer keys write them
    vary_block: tuple  # (start, end) of the vary: block in text


@dataclass(frozen=True)
class Variant:
    """One drawn variant: its file's text and its solution (solved from that text)."""

    index: int
    seed: int
    draws: int  # how many draws it took to meet the constraints
    text: str
    solution: Solution


def source(path: str) -> Source:
    """Read, check and solve a problem that has a vary: block."""
    from .asked import asked
    from .engine import solve
    from .load.document import problem_from_doc
    from .load.yamlreader import load_yaml_file
    from .variant_text import slots, vary_block

    doc, text = load_yaml_file(path)
    problem = problem_from_doc(doc, path)
    if "vary" not in doc:
        raise ProblemError(Origin(path, 1, ""), "the problem has no vary: block",
                           "vary: naming what each variant draws anew, e.g. vary: {w1: {range: [-1, 1], "
                           "decimals: 2}}")
    return Source(path, text, doc, problem, slots(text, doc, list(doc["vary"])),
                  tuple(asked(doc, solve(problem), path)), vary_block(text))


@dataclass(frozen=True)
class Draw:
    """The values a variant's stream settled on, the problem's solution with them, and how many draws it took."""

    values: tuple  # (Slot, number as written)
    solution: Solution
    draws: int
    rejected: tuple = ()  # why each earlier draw was redrawn, in words


def pick(src: Source, seed: int, index: int) -> Draw:
    """The first draw of variant index's own stream that meets every constraint (solved as a Problem, not a file)."""
    from .engine import solve
    from .load import validate as v

    rng = random.Random(f"{seed}/{index}")
    rejected: list[str] = []
    for attempt in range(1, MAX_DRAWS + 1):
        values = _values(src, rng)
        try:
            sol = solve(_with_values(src.problem, values))
        except BackpropError as exc:
            rejected.append(exc.message if isinstance(exc, ProblemError) else str(exc))
            continue
        reason = violation(sol, src.asked)
        if reason is None:
            return Draw(tuple(values), sol, attempt, tuple(rejected))
        rejected.append(reason)
    raise ProblemError(v.at(src.doc, "vary", Origin(src.file, 1, "")),
                       f"variant {index}: none of {MAX_DRAWS} draws met the constraints; the last: {rejected[-1]}",
                       "ranges that keep every neuron out of the flat and kinked regions and every asked "
                       "gradient away from 0 (see backprop variants --help)")


def draw(src: Source, seed: int, index: int, fields: dict | None = None, file: str | None = None) -> Variant:
    """Variant index of seed, written out: the problem's text with the values of pick(), solved from that text.

    Solving the written file again means the file and its solution can never disagree; a file the loader
    refuses (a drawn cross-entropy target outside [0, 1]) is an error naming it.
    """
    from .engine import solve
    from .load.document import load_problem_text
    from .meta import with_schema_url
    from .variant_text import record, replaced

    chosen = pick(src, seed, index)
    comment = f"Drawn by backprop variants from {Path(src.file).name}: seed {seed}, variant {index}."
    block = (*src.vary_block, record({"seed": seed, "index": index, **(fields or {})}, comment))
    text = with_schema_url(replaced(src.text, list(chosen.values), (block,)))
    try:
        sol = solve(load_problem_text(text, file or src.file))
    except ProblemError as exc:
        raise ProblemError(exc.origin, f"variant {index} drew an invalid problem: {exc.message}", exc.expected,
                           "a vary: range inside what the loader accepts (cross-entropy targets in [0, 1])") from None
    return Variant(index, seed, chosen.draws, text, sol)


def _with_values(problem: Problem, values: list[tuple[Slot, str]]) -> Problem:
    """The problem with the drawn values in place of its own (a sample's, or every sample's)."""
    inputs, targets = dict(problem.inputs), dict(problem.targets)
    params = dict(problem.params)
    for slot, text in values:
        x = float(text)
        if slot.name in params:
            params[slot.name] = dataclasses.replace(params[slot.name], value=x)
        for store in (inputs, targets):
            if slot.name in store:
                store[slot.name] = tuple(x if slot.sample in (None, s) else old
                                         for s, old in enumerate(store[slot.name]))
    return dataclasses.replace(problem, inputs=inputs, targets=targets, params=params)


def _values(src: Source, rng: random.Random) -> list[tuple[Slot, str]]:
    """One number per varied value: a name's slots share it, except a batch's samples, which draw their own."""
    out = []
    for name, spec in src.doc["vary"].items():
        drawn: dict = {}
        for slot in src.slots[name]:
            if slot.sample not in drawn:
                drawn[slot.sample] = _draw_one(spec, rng)
            out.append((slot, drawn[slot.sample]))
    return out


def _draw_one(spec: dict, rng: random.Random) -> str:
    """One value of a vary entry, as the text the file gets."""
    from .load.coursework import grid, grid_size

    if "choices" in spec:
        options = [x for x in spec["choices"] if not (spec.get("nonzero") and float(x) == 0)]
        pick = options[int(rng.random() * len(options))]
        return str(pick) if isinstance(pick, int) else repr(float(pick))
    first, last, decimals = grid(spec)
    k = first + int(rng.random() * grid_size(spec))
    if spec.get("nonzero") and first <= 0 <= k:
        k += 1  # the grid without 0: the values from 0 on move up by one
    return f"{k / 10 ** decimals:.{decimals}f}"


def violation(sol: Solution, asked: tuple | list) -> str | None:
    """The first constraint the solution breaks, in words; None when it meets them all."""
    from .formula.printing import fmt_number
    from .keys.keyfile import quantities

    p = sol.problem
    for s in range(p.n_samples):
        row = sol.sample_values(s)
        where = f" in sample {s + 1}" if p.n_samples > 1 else ""
        for node in p.nodes:
            f = node.formula
            if isinstance(f, Call) and f.fn in SMOOTH + KINKED and len(f.args) == 1:
                z = evaluate(f.args[0], row)
                if f.fn in SMOOTH and abs(z) >= FLAT:
                    return f"{node.name} = {f.fn}({fmt_number(z, 4)}){where} is in the flat region (|z| ≥ {FLAT:g})"
                if f.fn in KINKED and abs(z) < KINK:
                    return f"{node.name} = {f.fn}(0){where}: its derivative is undefined there"
        for pred, target in p.outputs:
            if abs(row[pred] - row[target]) < MIN_GAP:
                return f"the output {pred} equals its target {target} ({fmt_number(row[target], 4)}){where}"
    known = quantities(sol)
    for name in asked:
        if name.startswith(f"d{p.loss}/d") and abs(known[name]) < MIN_GRADIENT:
            return f"{name} = {fmt_number(known[name], 4)} is smaller than {MIN_GRADIENT:g}"
    return None
