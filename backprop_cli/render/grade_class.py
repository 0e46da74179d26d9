"""A class: one row per student and a column per step (terminal, markdown, JSON, CSV), and Gradescope's
results.json for one student, one test per quantity."""
from __future__ import annotations

from collections.abc import Callable

from ..keys.grade import Report
from .blocks import Column, Document, Note, Paragraph, Rows, Section, Table, Title
from .cells import Join, Name, Text

MARKS = {"correct": "✓", "carried": "→", "wrong": "✗"}
LEGEND = "✓ correct, → carried (right from an earlier wrong number), ✗ wrong, not answered"


def steps(reports: list[Report]) -> list[str]:
    """Every quantity some student answered, in solution order."""
    answered = {m.name for r in reports for m in r.marked}
    return [n for n in reports[0].quantities if n in answered] if reports else []


def build(reports: list[Report], invalid: list[tuple[str, str]], compact: bool) -> Document:
    """The class table. compact (a terminal's width): the steps as one column of marks, one character per step
    in solution order, grouped by five, with the steps numbered above; else one column per step, headed by name."""
    names = steps(reports)
    heads = [f"steps 1–{len(names)}"] if compact else names
    columns = (Column("student"), Column("first wrong"), Column("✓", numeric=True), Column("→", numeric=True),
               Column("✗", numeric=True), *(Column(h) for h in heads))
    rows = []
    for r in reports:
        marks = {m.name: MARKS[m.verdict] for m in r.marked}
        row = [marks.get(n, "·" if compact else "") for n in names]
        c = r.counts
        cells = [_groups(row)] if compact else row
        counts = (Text(str(c["correct"])), Text(str(c["carried"])), Text(str(c["wrong"])))
        rows.append((Text(r.answers.student), Name(r.first_wrong) if r.first_wrong else Text("—"), *counts,
                     *(Text(x) for x in cells)))
    blocks: list = [Note(Text(LEGEND + (" ·" if compact else ": blank")))]
    if compact and names:
        blocks.append(Paragraph(Join(tuple(Join((Text(f"{k + 1} "), Name(n))) for k, n in enumerate(names)), ", ")))
    blocks.append(Table(columns, (Rows(tuple(rows)),)))
    blocks += [Note(Text(error), title="Not graded" if k == 0 else None) for k, (_, error) in enumerate(invalid)]
    title = reports[0].problem.title if reports else "Grades"
    front = (Title(title), Paragraph(Text(f"{len(reports)} students graded" + (
        f" against {reports[0].problem.file}" if reports else ""))))
    return Document(front, (Section(1, "The class", tuple(blocks)),))


def _groups(marks: list[str]) -> str:
    """Marks in groups of five, so a step can be counted to."""
    return " ".join("".join(marks[k:k + 5]) for k in range(0, len(marks), 5))


def text(reports: list[Report], invalid: list[tuple[str, str]], *, width: int = 100, color: bool = False) -> str:
    """The class as the terminal shows it: steps numbered, so that the table fits."""
    from .terminal import write

    return write(build(reports, invalid, compact=True), width=width, color=color)


def markdown(reports: list[Report], invalid: list[tuple[str, str]], *, width: int = 100, color: bool = False) -> str:
    """The class as markdown: one column per step, headed by its name."""
    from .markdown import write

    return write(build(reports, invalid, compact=False))


def json(reports: list[Report], invalid: list[tuple[str, str]], *, width: int = 100, color: bool = False) -> str:
    """The class as one JSON document (grade.schema.json)."""
    from .grade_json import class_document, dump

    return dump(class_document(reports, invalid)) + "\n"


FORMATS: dict[str, Callable[..., str]] = {"text": text, "markdown": markdown, "json": json}


def csv(reports: list[Report]) -> str:
    """One row per student: counts, the first wrong step, and each step's verdict (empty: not answered)."""
    import csv as csvlib
    import io

    names = steps(reports)
    out = io.StringIO()
    writer = csvlib.writer(out, lineterminator="\n")
    writer.writerow(["student", "file", "correct", "carried", "wrong", "first_wrong", *names])
    for r in reports:
        verdicts = {m.name: m.verdict for m in r.marked}
        c = r.counts
        writer.writerow([r.answers.student, r.answers.file, c["correct"], c["carried"], c["wrong"],
                         r.first_wrong or "", *(verdicts.get(n, "") for n in names)])
    return out.getvalue()


def gradescope(report: Report, asked: list[str], carry: bool = True) -> dict:
    """Gradescope's results.json: one test per asked quantity, 1 point each; carried scores unless carry=False.

    The format is Gradescope's autograder specification: top-level score and output, and tests with
    name, number, score, max_score, status (passed or failed) and output.
    """
    marked = {m.name: m for m in report.marked}
    tests = []
    for k, name in enumerate(asked, start=1):
        m = marked.get(name)
        if m is None:
            passed, output = False, "not answered"
        else:
            passed = m.verdict == "correct" or carry and m.verdict == "carried"
            why = f"{m.mistake.kind}: {m.mistake.explanation}" if m.mistake else m.note
            output = f"you wrote {m.answer.text}: {m.verdict}" + (f" ({why})" if why else "")
        tests.append({"name": name, "number": str(k), "score": 1.0 if passed else 0.0, "max_score": 1.0,
                      "status": "passed" if passed else "failed", "output": output})
    c = report.counts
    first = f"; the first wrong step is {report.first_wrong}" if report.first_wrong else ""
    summary = f"{c['correct']} correct, {c['carried']} carried, {c['wrong']} wrong{first}"
    return {"score": sum(t["score"] for t in tests), "output": summary, "tests": tests}
