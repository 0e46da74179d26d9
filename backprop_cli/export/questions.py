"""What an exported question holds: the problem's givens, laid out like the solution's Given section, and the
quantities asked for, each with the value its answer key states and a tolerance from the key's decimals.

The tolerance of a quantity whose key line gives decimals: N (or the whole key does) is ½·10⁻ᴺ, so any
answer that rounds to the key's value passes, and tol: X gives X. A key that states no precision (as
`backprop key` writes them, to a relative 1e-9), or a problem without a key, uses the export's
--decimals (default 4, as the solution prints). The key must agree with the solver: an export never
publishes a value `backprop check` would fail.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ProblemError
from ..solution import Solution


@dataclass(frozen=True)
class Answer:
    """One quantity asked for."""

    name: str  # as an answer key names it: dE_total/dw5
    label: str  # as the solution writes it: ∂E_total/∂w5
    value: float
    tolerance: float  # absolute: answers within value ± tolerance are right
    decimals: int  # the decimals the student is asked for


@dataclass(frozen=True)
class Question:
    """One problem file as a question: its name, its givens as HTML, and its answers."""

    file: str
    title: str
    name: str  # the title, with the variant and student when the file records them
    givens: str  # HTML
    answers: tuple
    ident: str  # stable across runs: made from the file's name and record


def question(path: str, decimals: int = 4) -> Question | None:
    """Load, solve and check one problem (and its key, when it has one) into a Question; None when symbolic."""
    from ..asked import asked
    from ..engine import solve
    from ..keys.names import key_path
    from ..load.document import problem_from_doc
    from ..load.yamlreader import load_yaml_file
    from .html import givens

    doc, _ = load_yaml_file(path)
    sol = solve(problem_from_doc(doc, path))
    if not sol.problem.numeric:
        return None
    names = asked(doc, sol, path)
    key = key_path(path)
    answers = _answers(sol, names, str(key) if key.exists() else None, decimals)
    record = doc.get("variant") or {}
    tail = [f"variant {record['index']}"] if "index" in record else []
    tail += [str(record["student"])] if "student" in record else []
    title = " ".join(str(doc["title"]).split())
    name = f"{title} ({', '.join(tail)})" if tail else title
    import hashlib  # a stable identifier: the same file gives the same one on every run

    ident = "bp" + hashlib.sha256(f"{Path(path).name}|{title}|{tail}".encode()).hexdigest()[:20]
    return Question(path, title, name, givens(sol), tuple(answers), ident)


def _answers(sol: Solution, names: list[str], key_file: str | None, decimals: int) -> list[Answer]:
    from ..keys.keyfile import DEFAULT_TOLERANCE, compare, quantities, read_key

    computed = quantities(sol)
    stated: dict = {}
    if key_file is not None:
        comparisons = compare(read_key(key_file), sol)
        wrong = [c for c in comparisons if not c.passed]
        if wrong:
            c = wrong[0]
            raise ProblemError(c.entry.origin, f"the key says {c.entry.name} = {c.entry.expected!r} but the solver "
                                               f"computes {c.computed!r}",
                               f"a key that passes backprop check {key_file}")
        stated = {c.entry.name: c.entry for c in comparisons}
    out = []
    for name in names:
        entry = stated.get(name)
        if entry is None or entry.tolerance == DEFAULT_TOLERANCE:
            out.append(Answer(name, label(name), computed[name] if entry is None else entry.expected,
                              0.5 * 10.0 ** -decimals, decimals))
        elif entry.tolerance.decimals is not None:
            n = entry.tolerance.decimals
            out.append(Answer(name, label(name), entry.expected, 0.5 * 10.0 ** -n, n))
        else:
            tol = max(entry.tolerance.tol, entry.tolerance.rel * abs(entry.expected))
            out.append(Answer(name, label(name), entry.expected, tol, decimals))
    return out


def label(name: str) -> str:
    """A key's quantity name as the solution writes it: dE/dw5 is ∂E/∂w5, w5+ is w5 after the update."""
    m = re.fullmatch(r"(.*?)(?:\[(\d+)\])?", name)
    assert m is not None
    base, sample = m.group(1), m.group(2)
    grad = re.fullmatch(r"d([A-Za-z][\w']*)/d(.+)", base)
    trained = re.fullmatch(r"(.+)@(\d+)", base)
    text = f"∂{grad.group(1)}/∂{grad.group(2)}" if grad else \
        f"{base[:-1]} after the update" if base.endswith("+") else \
        f"{trained.group(1)} after {trained.group(2)} steps" if trained else base
    return f"{text} in sample {sample}" if sample else text
