"""After a solution rounded like hand work (solve --round N): how far each final quantity drifted.

The rounded solution is rendered as any other; this adds one section at its end (JSON: a "rounding"
object) with each final quantity rounded, exact (float64, no rounding) and the drift between them.
"""
from __future__ import annotations

from ..formula.printing import MINUS, fmt_number
from ..solution import Solution
from .blocks import Column, Document, Note, Rows, Section, Table
from .cells import Cell, Name, Num, Text

TITLE = "Drift from the exact values"


def final_names(sol: Solution) -> list[str]:
    """The quantities a worked solution hands in: the loss, ∂L/∂p (∂f/∂x without parameters), p⁺ and the loss after."""
    from ..keys.keyfile import quantities  # the names an answer key uses

    p, names = sol.problem, list(quantities(sol))
    leaves = list(p.params) or list(p.inputs)
    wanted = {p.loss, f"{p.loss}+", *(f"d{p.loss}/d{x}" for x in leaves), *(f"{x}+" for x in p.params)}
    return [n for n in names if n in wanted or n.split("[")[0] in wanted and "/" in n]


def drift_rows(rounded: Solution, exact: Solution) -> list[tuple[str, float, float]]:
    """(name, rounded value, exact value) for each final quantity, in solution order."""
    from ..keys.keyfile import quantities

    r, e = quantities(rounded), quantities(exact)
    return [(name, r[name], e[name]) for name in final_names(exact)]


def with_drift(text: str, rounded: Solution, exact: Solution, fmt: str, decimals: int, options: dict) -> str:
    """The rendered rounded solution, with the drift of each final quantity from the exact one at its end."""
    rows = drift_rows(rounded, exact)
    if fmt == "json":
        return _json(text, rows, decimals)
    doc = document(rows, decimals, _sections(rounded))
    if fmt == "markdown":
        from .markdown import write as markdown

        return text.rstrip("\n") + "\n" + markdown(doc, precision=options.get("precision", decimals))
    from .terminal import write as terminal

    return text + terminal(doc, precision=options.get("precision", decimals), width=options.get("width", 100),
                           color=options.get("color", False))


def _sections(sol: Solution) -> int:
    from .layout import build

    return len(build(sol).sections)


def document(rows: list[tuple[str, float, float]], decimals: int, after: int) -> Document:
    """One numbered section after the solution's own: a note on the rounding, then the table."""
    note = Note(Text(f"rounded: every intermediate to {decimals} decimals, half away from zero; exact: float64"))
    body: list[tuple[Cell, ...]] = [(Name(name), Text(fixed(r, decimals)), Text(fmt_number(e, decimals + 4)),
                                     Num(r - e)) for name, r, e in rows]
    table = Table((Column("quantity"), Column("rounded", numeric=True), Column("exact", numeric=True),
                   Column("drift", numeric=True)), (Rows(tuple(body)),))
    return Document((), (Section(after + 1, TITLE, (note, table)),))


def fixed(value: float, decimals: int) -> str:
    """A rounded value with exactly its decimals (0.0004, not 0.0004000), minus as U+2212."""
    text = f"{abs(value):.{decimals}f}"
    return (MINUS if value < 0 and float(text) != 0 else "") + text


def _json(text: str, rows: list[tuple[str, float, float]], decimals: int) -> str:
    import json

    doc = json.loads(text)
    doc["rounding"] = {"decimals": decimals, "drift": [{"name": n, "rounded": r, "exact": e, "drift": r - e}
                                                       for n, r, e in rows]}
    from .json import _dump

    return _dump(doc) + "\n"
