"""Answer keys: a solution's named quantities, and reading and comparing key files.

Quantity names (node names are identifiers, so none of these can be mistaken for one):
  out_h1        a node's value (a z, an activation, a loss term, the per-sample loss)
  out_h1[2]     the same in sample 2 of a batch (1-based, as the solution prints samples)
  E_total       with one sample the loss; in a batch, the batch loss (mean or sum of E_total[k])
  dE_total/dw5  the gradient of the loss E_total; parameters have one value, nodes and inputs one per sample
  w5+           a parameter after the update step
  E_total+      the loss after the update (E_total+[k] per sample in a batch)
A problem trained for several steps has instead:
  E_total@k     the loss over all samples after k steps (E_total@0 at the given parameters), for each
                step worked in full and the step before it, and for the last two steps
  w5@N          a parameter after the last step, N
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from ..errors import Origin, ProblemError, suggest
from ..load.collect import raise_all
from ..load.yamlreader import LineDict, load_yaml_file, load_yaml_text
from ..solution import (
    BatchLossStep,
    FinalStep,
    ForwardStep,
    GradStep,
    HistoryStep,
    LossAfterStep,
    LossStep,
    Solution,
    UpdateStep,
)

DEFAULT_REL = 1e-9
DEFAULT_ABS = 1e-12
TOP_KEYS = ["values", "decimals", "tol", "rel"]
ENTRY_KEYS = ["value", "decimals", "tol", "rel"]
NUMBER = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?"


def _sampled(name: str, values: tuple) -> list[tuple[str, float]]:
    if len(values) == 1:
        return [(name, values[0])]
    return [(f"{name}[{s + 1}]", v) for s, v in enumerate(values)]


def quantities(sol: Solution) -> dict[str, float]:
    """Every named number of a solution, in the order the solution computes them."""
    if sol.of(HistoryStep):
        return _trained(sol, sol.of(HistoryStep)[0], sol.of(FinalStep)[0])
    if sol.totals:  # solved as matrices: the same names, from its arrays
        from .matrixkeys import quantities as of_matrices

        return of_matrices(sol, _sampled)
    out: dict[str, float] = {}
    loss = sol.problem.loss
    for step in sol.steps:
        if isinstance(step, (ForwardStep, LossStep)):
            out.update(_sampled(step.node, step.values))
        elif isinstance(step, BatchLossStep):
            out[step.node] = step.total
        elif isinstance(step, GradStep) and step.total is not None:
            if step.kind == "param":
                out[f"d{loss}/d{step.node}"] = step.total
            else:
                out.update(_sampled(f"d{loss}/d{step.node}", step.values))
        elif isinstance(step, UpdateStep):
            out[f"{step.param}+"] = step.new
        elif isinstance(step, LossAfterStep):
            if len(step.per_sample) > 1:
                out.update(_sampled(f"{step.node}+", step.per_sample))
            out[f"{step.node}+"] = step.after
    return {k: float(v) for k, v in out.items()}


def _trained(sol: Solution, history: HistoryStep, final: FinalStep) -> dict[str, float]:
    """A trained problem's numbers: the loss around each step worked in full, and where training ends."""
    loss, last = sol.problem.loss, len(history.losses) - 1
    steps = sorted({k for s in history.shown for k in (s - 1, s)} | {last - 1, last})
    out = {f"{loss}@{k}": float(history.losses[k]) for k in steps}
    out.update({f"{name}@{last}": float(end) for name, _, end, _ in final.params})
    return out


@dataclass(frozen=True)
class Tolerance:
    """How close the solver must come: to N decimals, or within an absolute and/or relative tolerance.

    decimals N: |computed − key| ≤ ½·10⁻ᴺ, in exact decimal arithmetic on the key's value as written, so
    at an exact half-way point either rounding passes. tol/rel: |computed − key| ≤ tol, or ≤ rel·max(|·|).
    """

    decimals: int | None = None
    tol: float = 0.0
    rel: float = 0.0

    def allows(self, expected: float, computed: float) -> bool:
        """Whether the computed value matches the key's value."""
        if self.decimals is not None:
            # Exact decimal arithmetic, so 0.0822 means the decimal the key shows, not its binary neighbour;
            # a half-way value may round either way, and a 1e-12 relative slack absorbs float error there.
            half = Decimal(5) * Decimal(10) ** -(self.decimals + 1)
            slack = min(Decimal("1e-12") * max(Decimal(1), abs(Decimal(computed))), half / 10)
            return abs(Decimal(computed) - Decimal(repr(expected))) <= half + slack
        diff = abs(computed - expected)
        return diff <= self.tol or diff <= self.rel * max(abs(expected), abs(computed))

    def describe(self) -> str:
        """The rule in words, for reports."""
        if self.decimals is not None:
            return f"{self.decimals} decimals"
        parts = ([f"rel {self.rel:g}"] if self.rel else []) + ([f"abs {self.tol:g}"] if self.tol else [])
        return " or ".join(parts) or "exact"

    def format(self, value: float) -> str:
        """A value as this key would write it: rounded to its decimals, else at full precision."""
        if self.decimals is None:
            return repr(float(value))
        text = f"{value:.{self.decimals}f}"
        return text.lstrip("-") if float(text) == 0 else text


DEFAULT_TOLERANCE = Tolerance(None, DEFAULT_ABS, DEFAULT_REL)


@dataclass(frozen=True)
class Entry:
    """One quantity a key states: its value, the rule it is compared by, and where it is written."""

    name: str
    expected: float
    tolerance: Tolerance
    origin: Origin  # file, line of the value, values.<name>
    in_mapping: bool  # written as {value: …, …} rather than name: number


@dataclass(frozen=True)
class AnswerKey:
    """A parsed key file."""

    file: str
    text: str
    entries: tuple


def read_key(path: str | Path) -> AnswerKey:
    """Read and validate a key file; every problem is a ProblemError pointing at its line."""
    doc, text = load_yaml_file(path)
    return _key_from_doc(doc, text, str(path))


def parse_key(text: str, file: str = "<key>") -> AnswerKey:
    """Validate a key given as YAML text."""
    return _key_from_doc(load_yaml_text(text, file), text, file)


def _key_from_doc(doc, text: str, file: str) -> AnswerKey:
    from ..load import validate as v

    top = Origin(file, 1, "")
    if not isinstance(doc, dict):
        raise ProblemError(Origin(file, getattr(doc, "line", 0), ""), f"the key holds {v.type_name(doc)}",
                           "a mapping with values: and optionally decimals, tol or rel")
    v.keys(doc, top, TOP_KEYS, ["values"])
    default = _tolerance(doc, top) or DEFAULT_TOLERANCE
    vo = v.at(doc, "values", top)
    values = v.mapping(doc["values"], vo, "a mapping of quantity names to numbers")
    if not values:
        raise ProblemError(vo, "no quantities", "at least one quantity, e.g. dL/dw5: 0.0822")
    entries = []
    for name, raw in values.items():
        eo = v.at(values, name, vo)
        if isinstance(raw, dict):
            v.keys(raw, eo, ENTRY_KEYS, ["value"])
            value = _number(raw["value"], v.at(raw, "value", eo))
            line = raw.key_lines["value"] if isinstance(raw, LineDict) else eo.line
            entries.append(Entry(name, value, _tolerance(raw, eo) or default, Origin(file, line, eo.path), True))
        else:
            entries.append(Entry(name, _number(raw, eo), default, eo, False))
    return AnswerKey(file, text, tuple(entries))


def _number(x, origin: Origin, what: str = "a finite number, or {value: number, decimals: N}") -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
        raise ProblemError(origin, f"got {x!r}", what)
    return float(x)


def _tolerance(m: dict, origin: Origin) -> Tolerance | None:
    """The precision set in one mapping (top level or one quantity), or None when it sets none."""
    from ..load import validate as v

    if "decimals" in m and ("tol" in m or "rel" in m):
        raise ProblemError(v.at(m, "decimals", origin), "decimals given together with tol or rel",
                           "either decimals: N or a tolerance tol/rel")
    if "decimals" in m:
        d = m["decimals"]
        if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 15:
            raise ProblemError(v.at(m, "decimals", origin), f"got {d!r}", "a whole number from 0 to 15")
        return Tolerance(decimals=d)
    bounds = {k: _number(m[k], v.at(m, k, origin), "a tolerance: a number of 0 or more")
              for k in ("tol", "rel") if k in m}
    for k, x in bounds.items():
        if x < 0:
            raise ProblemError(v.at(m, k, origin), f"negative {k} {x!r}", "a tolerance of 0 or more")
    return Tolerance(None, bounds.get("tol", 0.0), bounds.get("rel", 0.0)) if bounds else None


@dataclass(frozen=True)
class Comparison:
    """One quantity of a key against the solver."""

    entry: Entry
    computed: float

    @property
    def passed(self) -> bool:
        """Whether the solver's value matches the key's."""
        return self.entry.tolerance.allows(self.entry.expected, self.computed)

    @property
    def difference(self) -> float:
        """computed − expected."""
        return self.computed - self.entry.expected


def compare(key: AnswerKey, sol: Solution) -> list[Comparison]:
    """Each entry of the key against the solver; a quantity the problem lacks is a ProblemError."""
    computed = quantities(sol)
    if not computed:
        raise ProblemError(Origin(key.file, 1, ""), f"{sol.problem.file} is symbolic: it has no numbers to check",
                           "a key only for a problem with numbers")
    unknown = [ProblemError(entry.origin, f"{sol.problem.file} has no quantity '{entry.name}'",
                            _examples(computed), _suggest(entry.name, computed, sol.problem.loss))
               for entry in key.entries if entry.name not in computed]
    raise_all(unknown)  # every misspelt name in one run, each on its own line
    return [Comparison(entry, computed[entry.name]) for entry in key.entries]


def _examples(known: dict) -> str:
    names = list(known)  # a value, the last gradient (a parameter's) and an update, where the problem has them
    picks = [next((k for k in names if "/" not in k and "+" not in k), None),
             next((k for k in reversed(names) if "/" in k), None), next((k for k in names if "+" in k), None)]
    return "a quantity of the problem such as " + ", ".join(k for k in picks if k) + " (backprop key writes all)"


def _suggest(name: str, known: dict, loss: str) -> str | None:
    m = re.match(r"^d([A-Za-z]\w*)/d(.+)$", name)
    if m and f"d{loss}/d{m.group(2)}" in known:
        name = f"d{loss}/d{m.group(2)}"  # the gradient of the loss under another name, e.g. dL/dw5
    base = re.sub(r"\[\d+\]$", "", name)
    for guess in (name, f"{base}[1]", base):  # a sample index added or left out
        if guess in known:
            return guess
    return suggest(name, known)


def key_values(sol: Solution) -> dict[str, float]:
    """The quantities a key holds: every one, or for a network solved as matrices the ones matrix.keyed picks
    (100,000 quantities would be a key no one reads, and beyond the 2 MB a key file may have)."""
    values = quantities(sol)
    if sol.totals:
        from .matrixkeys import keyed

        return keyed(sol, values)
    return values


def key_text(sol: Solution) -> str:
    """A full-precision key: a header comment, then one quantity per line in solution order."""
    p, name = sol.problem, Path(sol.problem.file).name
    values = key_values(sol)
    node, leaf = p.nodes[0].name, next(iter(p.params), next(iter(p.inputs), "x"))
    loss = f"the {'output' if p.is_expression else 'loss'} {p.loss}"
    names = [f"# Names: {node} is a node's value; d{p.loss}/d{leaf} is the gradient of {loss} "
             f"with respect to {leaf}."]
    what = "every quantity its solution computes"
    if sol.totals:
        what = "the output layer, the loss, every bias and each layer's first and last weight"
    if sol.of(HistoryStep):
        last = len(sol.of(HistoryStep)[0].losses) - 1
        what = "the loss around each step worked in full, and where training ends"
        names = [f"# Names: {p.loss}@k is the loss over all samples after k steps ({p.loss}@0 at the given "
                 f"parameters);", f"# {leaf}@{last} is {leaf} after the last step."]
    else:
        if sol.new_params:
            names.append(f"# {leaf}+ is {leaf} after the update and {p.loss}+ the loss after it.")
        if p.n_samples > 1:
            names.append(f"# {node}[2] is {node} in sample 2; parameters and the batch loss {p.loss} have no "
                         "index.")
    lines = [
        f"# Answer key for {_comment(name)}: {what}, at full precision.",
        f"# Regenerate: backprop key <dir>/{_comment(name)} (--force to replace this file). After a deliberate "
        "change,",
        f"# backprop check --update <dir>/{_comment(name)} rewrites only the values that changed and keeps hand "
        "edits.",
        *names,
        f"# Values must agree to a relative {DEFAULT_REL:g} unless decimals: N or tol: X says otherwise.",
        "values:",
    ]
    lines += [entry_line(k, v) for k, v in values.items()]
    return "\n".join(lines) + "\n"


def entry_line(name: str, value: float) -> str:
    """One quantity of a key, `  name: value`, the name quoted when YAML would read it as anything else."""
    return f"  {yaml_name(name)}: {value!r}"


# A plain scalar reads back as itself when it starts with a letter, holds only word characters and the
# marks quantity names use, and is none of the words YAML 1.1 readers take for null or a boolean.
_PLAIN = re.compile(r"[^\W\d_][\w'/+\[\]]*")
_WORDS = {"null", "true", "false", "yes", "no", "on", "off", "y", "n"}
# What YAML reads as printable text, less the line breaks YAML 1.1 adds (NEL, LS, PS).
_UNPRINTABLE = re.compile("[^\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def yaml_name(name: str) -> str:
    """name as a YAML mapping key that reads back as that same string: plain where safe, else double-quoted."""
    if _PLAIN.fullmatch(name) and name.lower() not in _WORDS:
        return name
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _UNPRINTABLE.sub(_escape, quoted) + '"'


def _escape(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _comment(text: str) -> str:
    """Text safe inside a YAML comment: no line break ends it, no control character makes the key unreadable."""
    return _UNPRINTABLE.sub(_escape, text)

