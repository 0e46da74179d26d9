"""A graded answers file as JSON: versioned, with the fields backprop_cli/schemas/grade.schema.json declares."""
from __future__ import annotations

from ..formula.printing import to_text
from ..keys.grade import Marked, Report

SCHEMA_VERSION = 1


def dump(doc: dict) -> str:
    """Indented JSON as the solution's (a list of plain values on one line); nan and inf raise."""
    from .json import _dump

    return _dump(doc)


def problem(report: Report) -> dict:
    """The problem graded against."""
    p = report.problem
    return {"file": p.file, "title": p.title, "loss": p.loss}


def report_document(report: Report) -> dict:
    """One student's report, with the problem."""
    return {"schema_version": SCHEMA_VERSION, "problem": problem(report), **student(report)}


def student(report: Report) -> dict:
    """What is this student's: the answers file, the first wrong step, the counts, every quantity, the mistakes."""
    return {
        "answers": {"file": report.answers.file, "student": report.answers.student},
        "first_wrong": report.first_wrong,
        "counts": report.counts,
        "quantities": [quantity(m, max(4, m.answer.decimals)) for m in report.marked],
        "mistakes": [{"kind": p.kind, "explanation": p.explanation, "steps": list(p.steps)} for p in report.patterns],
    }


def quantity(m: Marked, precision: int = 4) -> dict:
    """One answered quantity, marked; the numbers of its working written to precision decimals."""
    working = None
    if m.working is not None:
        w = m.working
        working = {"formula": None if w.formula is None else to_text(w.formula),
                   "numbers": None if w.formula is None else to_text(w.formula, w.values, precision),
                   "gives": float(w.own)}
    return {
        "name": m.name, "line": m.answer.line, "given": m.answer.value, "written": m.answer.text,
        "decimals": m.answer.decimals, "expected": float(m.expected),
        "own": None if m.own is None else float(m.own), "verdict": m.verdict,
        "note": m.note, "carried_from": list(m.sources),
        "mistake": None if m.mistake is None else {"kind": m.mistake.kind, "explanation": m.mistake.explanation},
        "working": working,
    }


def class_document(reports: list[Report], invalid: list[tuple[str, str]]) -> dict:
    """A class: the problem once, each student's report, and the answers files that could not be read."""
    return {"schema_version": SCHEMA_VERSION, "problem": problem(reports[0]) if reports else None,
            "students": [student(r) for r in reports],
            "invalid": [{"file": f, "error": e} for f, e in invalid]}
