"""Moodle XML: one cloze (Embedded Answers) question per problem file, in a category of their own.

The question text is the problem's givens, then one line per quantity asked, each a NUMERICAL gap
{1:NUMERICAL:=value:tolerance} (Moodle's cloze syntax: weight 1, the correct answer, its absolute
error margin). With the variants of one problem in one file, a quiz's "random question from the
category" gives each student one of them.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from .html import text
from .questions import Question


def gap(value: float, tolerance: float) -> str:
    """A NUMERICAL gap: the key's value and its tolerance, both as Python writes floats (1e-05 too)."""
    return f"{{1:NUMERICAL:={value!r}:{tolerance!r}}}"


def question_html(q: Question) -> str:
    """The question text: the givens, then each quantity asked with its gap."""
    places = sorted({a.decimals for a in q.answers})
    how = f"{places[0]} decimals" if len(places) == 1 else "the decimals each line asks for"
    lines = [f"<li>{text(a.label)} = {gap(a.value, a.tolerance)}"
             + (f" ({a.decimals} decimals)" if len(places) > 1 else "") + "</li>" for a in q.answers]
    return (f"{q.givens}\n<p>Compute, to {how}:</p>\n<ul>\n" + "\n".join(lines) + "\n</ul>")


def moodle_xml(questions: Sequence[Question], category: str) -> str:
    """The <quiz> document: a category, then one cloze question per problem."""
    quiz = ET.Element("quiz")
    head = ET.SubElement(quiz, "question", type="category")
    ET.SubElement(ET.SubElement(head, "category"), "text").text = f"$course$/top/{category}"
    ET.SubElement(ET.SubElement(head, "info", format="html"), "text").text = "Drawn by backprop-cli."
    for q in questions:
        item = ET.SubElement(quiz, "question", type="cloze")
        ET.SubElement(ET.SubElement(item, "name"), "text").text = q.name
        ET.SubElement(ET.SubElement(item, "questiontext", format="html"), "text").text = question_html(q)
        ET.SubElement(ET.SubElement(item, "generalfeedback", format="html"), "text").text = ""
        ET.SubElement(item, "penalty").text = "0.3333333"
        ET.SubElement(item, "hidden").text = "0"
        ET.SubElement(item, "idnumber").text = q.ident
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"
