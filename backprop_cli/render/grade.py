"""A graded answers file, laid out once as blocks (the table, the first wrong step worked out, the summary),
and written by each format: terminal and markdown through their own block writers, JSON by grade_json.py.

FORMATS maps --format to one function per format, each report -> str.
"""
from __future__ import annotations

from collections.abc import Callable

from ..formula.printing import MINUS, fmt_number, name_latex
from ..formula.tree import free_names
from ..keys.grade import Marked, Report
from .blocks import Block, Column, Derivation, Document, Equation, Note, Paragraph, Rows, Section, Table, Title
from .cells import Cell, Formula, Grad, InSample, Join, Math, Name, Text, grad_latex

COLUMNS = (Column("name"), Column("your value", numeric=True), Column("expected", numeric=True), Column("verdict"),
           Column("note"))


def fixed(value: float, decimals: int) -> str:
    """A value to the decimals the student wrote, minus as U+2212, never −0."""
    text = f"{abs(value):.{decimals}f}"
    return (MINUS if value < 0 and float(text) else "") + text


def written(m: Marked) -> str:
    """The student's number as written, with the solution's minus sign."""
    return m.answer.text.lstrip("+").replace("-", MINUS)


def note(m: Marked) -> str:
    """The table's note: the mistake named, or how a value was carried or is right."""
    if m.mistake is not None:
        return f"{m.mistake.kind}: {m.mistake.explanation}"
    return m.note


def build(report: Report) -> Document:
    """The report as sections of blocks: answers, the first wrong step worked out, the summary."""
    rows = tuple((Name(m.name), Text(written(m)), Text(fixed(m.expected, m.answer.decimals)), Text(m.verdict),
                  Text(note(m))) for m in report.marked)
    sections = [Section(1, "Your answers", (Table(COLUMNS, (Rows(rows),)),) if rows else
                        (Note(Text("no quantity answered")),))]
    first = next((m for m in report.marked if m.name == report.first_wrong), None)
    if first is not None:
        sections.append(Section(2, f"The first wrong step: {first.name}", worked(report, first)))
    sections.append(Section(len(sections) + 1, "Summary", summary(report)))
    front: tuple[Block, ...] = (Title(report.problem.title),
                                Paragraph(Text(f"Graded: {report.answers.student} ({report.answers.file}) against "
                                               f"{report.problem.file}")))
    return Document(front, tuple(sections), dict(report.problem.symbols))


def worked(report: Report, m: Marked) -> tuple[Block, ...]:
    """The step in symbols, with the student's own numbers, what that gives, and what they wrote."""
    blocks: list[Block] = []
    working = m.working
    if m.own is None:
        return (Note(Text(f"you wrote {written(m)}; {m.mistake.explanation if m.mistake else ''}")),)
    if working is not None and working.formula is not None:
        symbols = dict(report.problem.symbols)
        loss = report.problem.loss
        symbols.update({n: grad_latex(loss, n.split("/∂", 1)[1], report.problem.symbols)
                        for n in free_names(working.formula) if n.startswith(f"∂{loss}/∂")})
        formula = Formula((working.formula,), symbols=symbols)
        numbers = Formula((working.formula,), working.values, symbols)
        blocks.append(Derivation(("quantity", "formula"), (Equation(quantity(report, m.name), formula, (numbers,),
                                                                     (m.own,)),), title="With your own numbers"))
    else:
        blocks.append(Note(Text(f"with your own numbers, {m.name} is {fmt_number(m.own, m.answer.decimals)}")))
    blocks.append(Note(Text(f"you wrote {written(m)}, which is {m.verdict}: the step done with your numbers gives "
                            f"{fmt_number(m.own, max(4, m.answer.decimals))}")))
    if m.mistake is not None:
        blocks.append(Note(Text(f"{m.mistake.kind}: {m.mistake.explanation}"), title="Likely mistake"))
    return tuple(blocks)


def quantity(report: Report, name: str) -> Cell:
    """An answer key's name as the solution writes it: ∂L/∂node for dL/dnode, w5⁺ for w5+, a sample as [2]."""
    loss, symbols = report.problem.loss, report.problem.symbols
    base, _, sample = name.partition("[")
    cell: Cell
    if base.startswith(f"d{loss}/d"):
        cell = Grad(loss, base[len(f"d{loss}/d"):])
    elif base.endswith("+"):
        cell = Math(f"{base[:-1]}⁺", f"{{{name_latex(base[:-1], symbols)}}}^{{+}}")
    else:
        cell = Name(base)
    return InSample(cell, int(sample.rstrip("]")) - 1) if sample else cell


def summary(report: Report) -> tuple[Block, ...]:
    """Counts, the first wrong step, and each mistake once with the steps it affected."""
    c = report.counts
    first = f"; the first wrong step is {report.first_wrong}" if report.first_wrong else "; nothing is wrong"
    blocks: list[Block] = [Note(Text(f"{c['correct']} correct, {c['carried']} carried, {c['wrong']} wrong{first}"))]
    for p in report.patterns:
        steps: Cell = Join(tuple(Name(s) for s in p.steps), ", ")
        blocks.append(Note(Join((Text(f"{p.kind}: {p.explanation} ("), Text(_times(len(p.steps))), steps,
                                 Text(")"))), title="Mistakes" if p is report.patterns[0] else None))
    return tuple(blocks)


def _times(n: int) -> str:
    return "once: " if n == 1 else f"{n} steps: "


def text(report: Report, *, width: int = 100, color: bool = False) -> str:
    """The report as the terminal shows it."""
    from .terminal import write

    return write(build(report), precision=_precision(report), width=width, color=color)


def markdown(report: Report, *, width: int = 100, color: bool = False) -> str:
    """The report as markdown, to post back to a student."""
    from .markdown import write

    return write(build(report), precision=_precision(report))


def json(report: Report, *, width: int = 100, color: bool = False) -> str:
    """The report as a versioned JSON document (backprop_cli/schemas/grade.schema.json)."""
    from .grade_json import dump, report_document

    return dump(report_document(report)) + "\n"


def _precision(report: Report) -> int:
    """Numbers in the worked step to as many decimals as the student wrote there (at least 4)."""
    first = next((m for m in report.marked if m.name == report.first_wrong), None)
    return max(4, first.answer.decimals if first else 0)


FORMATS: dict[str, Callable[..., str]] = {"text": text, "markdown": markdown, "json": json}
SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".json": "json"}
