"""The Given section of a solution as plain HTML, for a question's text: the same tables, picture, loss and
learning rate the solution opens with (render/layout.py decides them), with each given number written as
the file gives it (0.05, not 0.0500) so that a student computes from the exact values."""
from __future__ import annotations

import html
from collections.abc import Callable

from ..formula.printing import to_text
from ..render.blocks import Definitions, Diagram, Note, Paragraph, Table, Title
from ..render.cells import Formula, Grad, InSample, Join, Math, Name, Num, SampleKey, Sum, Text, grad_text
from ..render.dispatch import pick
from ..render.escape import plain
from ..solution import Solution

WHO = "question writer"


def given_number(v: float) -> str:
    """A given as the file wrote it: the shortest decimal that reads back as the same float, minus as U+2212."""
    text = repr(float(v))
    text = text[:-2] if text.endswith(".0") else text
    return text.replace("-", "−", 1) if text.startswith("-") else text


def text(s: str) -> str:
    """Text for HTML that a cloze parser cannot mistake for a gap: braces as character references."""
    return html.escape(plain(s), quote=False).replace("{", "&#123;").replace("}", "&#125;")


def givens(sol: Solution) -> str:
    """The problem's front matter and Given section as HTML."""
    from ..render.layout import build

    doc = build(sol)
    blocks = [*doc.front, *(doc.sections[0].blocks if doc.sections else ())]
    return "\n".join(pick(BLOCKS, block, WHO)(block) for block in blocks)


def cell(c) -> str:
    """A cell as HTML text."""
    return pick(CELLS, c, WHO)(c)


_RIGHT = '<td style="text-align:right">'


def _table(block: Table) -> str:
    head = "".join(f"<th>{text(c.header)}</th>" for c in block.columns)
    rows = []
    for group in block.groups:
        if group.title:
            rows.append(f'<tr><th colspan="{len(block.columns)}" style="text-align:left">{text(group.title)}</th></tr>')
        rows += ["<tr>" + "".join((_RIGHT if col.numeric else "<td>") + f"{cell(c)}</td>"
                                  for col, c in zip(block.columns, row)) + "</tr>" for row in group.rows]
    return f"<table border=\"1\" cellpadding=\"4\"><tr>{head}</tr>{''.join(rows)}</table>"


def _diagram(block: Diagram) -> str:
    from ..render.terminal import picture

    return f"<p>{text(block.title)}:</p><pre>{text(chr(10).join(picture(block.problem)))}</pre>"


def _definitions(block: Definitions) -> str:
    rows = "<br>".join(f"{cell(lhs)} = {cell(rhs)}" for lhs, rhs in block.rows)
    return f"<p>{text(block.title)}:<br>{rows}</p>"


def _note(block: Note) -> str:
    body = cell(block.text)
    return f"<p>{text(block.title) + ': ' if block.title else ''}{body[:1].upper()}{body[1:]}.</p>"


BLOCKS: dict[type, Callable] = {
    Title: lambda b: f"<p><strong>{text(' '.join(b.text.split()))}</strong></p>",
    Paragraph: lambda b: f"<p>{cell(b.text)}</p>",
    Table: _table, Diagram: _diagram, Definitions: _definitions, Note: _note,
}
CELLS: dict[type, Callable] = {
    Text: lambda c: text(c.text), Name: lambda c: text(c.name), Num: lambda c: given_number(c.value),
    Math: lambda c: text(c.text), Grad: lambda c: text(grad_text(c.loss, c.node, c.of_mean)),
    Formula: lambda c: text(to_text(c.expr, c.values)), Sum: lambda c: " + ".join(given_number(v) for v in c.values),
    InSample: lambda c: f"{cell(c.cell)} [{c.sample + 1}]", SampleKey: lambda c: "",
    Join: lambda c: text(c.sep).join(cell(p) for p in c.parts),
}
