"""Read the terminal's printed output back as a reader does: tables cell by cell, equations whole.

A table is cut into columns at the gaps that are blank on every line (rich leaves three spaces
between columns); a row's continuation lines, which leave the first column blank, are joined
back to their cell. Folded rows and definitions ('  lhs = …', continuation lines indented
further) are joined back to one equation. A line broken before '·' joins without a space.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from backprop_cli.engine import solve
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.render import terminal
from backprop_cli.render.blocks import Document

from problem_files import BATCH, problem_files

WIDE = 1000  # a width at which nothing wraps or folds


def examples() -> list:
    """(name, solution) of every problems/ file and of BATCH."""
    sols = [(p.stem, solve(load_problem(p))) for p in problem_files()]
    return [*sols, ("BATCH", solve(load_problem_text(BATCH, "batch.yaml")))]


@dataclass
class Printed:
    """One table (header cells, rows) or a run of equations (no header, one cell a row).

    lines holds each cell's printed lines, before they are joined.
    """

    header: tuple[str, ...] | None
    lines: list[list[list[str]]]

    @property
    def rows(self) -> list[tuple[str, ...]]:
        """Each row's cells, their lines joined back."""
        return [tuple(rejoin(cell) if cell else "" for cell in row) for row in self.lines]


def rejoin(lines: list[str]) -> str:
    """Lines broken before an operator, joined back: '+ b' follows with a space, '·b' without."""
    out = lines[0].strip()
    for line in lines[1:]:
        line = line.strip()
        out += line if line.startswith("·") else " " + line
    return out


def printed(block, width: int, precision: int = 4) -> list[str]:
    """One layout block as the terminal prints it at width."""
    return terminal.write(Document((block,), ()), width=width, precision=precision).splitlines()


def read_block(block, width: int, precision: int = 4) -> list[Printed]:
    """The tables a block prints at width, or its equations where there is no table."""
    lines = printed(block, width, precision)
    rules = [i for i, line in enumerate(lines) if line.strip() and set(line.strip()) == {"─"}]
    if not rules:
        return [_equations(lines)]
    out = []
    for k, r in enumerate(rules):
        end = rules[k + 1] - 1 if k + 1 < len(rules) else len(lines)
        body = lines[r - 1:end]
        if k + 1 < len(rules) and block.groups[k + 1].title:  # the next group's title line
            body = body[:-1]
        out.append(_table(body))
    return out


def _columns(lines: list[str]) -> list[tuple[int, int]]:
    """The column spans of a table: what lies between runs of three or more positions blank on every line."""
    width = max(len(line) for line in lines)
    mask = "".join(" " if all(i >= len(line) or line[i] == " " for line in lines) else "x" for i in range(width))
    return [m.span() for m in re.finditer(r"x(?:x| {1,2}(?=x))*", mask)]


def _table(lines: list[str]) -> Printed:
    """A printed table: its header line, the rule under it, then its rows."""
    spans = _columns([lines[0], *lines[2:]])  # the rule spans every column and the gaps
    header = tuple(lines[0][a:b].strip() for a, b in spans)
    rows: list[list[list[str]]] = []
    for line in lines[2:]:
        cells = [line[a:b].strip() if a < len(line) else "" for a, b in spans]
        if cells[0] or not rows:
            rows.append([[c] if c else [] for c in cells])
        else:
            for kept, c in zip(rows[-1], cells):
                kept += [c] if c else []
    return Printed(header, rows)


def _equations(lines: list[str]) -> Printed:
    """Folded rows, definitions and sums over a batch: '  lhs = …' and lines indented further."""
    groups: list[list[str]] = []
    for line in lines:
        if re.match(r"  \S", line):
            groups.append([line])
        elif line.startswith("   ") and groups:
            groups[-1].append(line)
    return Printed(None, [[g] for g in groups])
