"""Who gets which variant: a roster CSV names the students, in order, and each one's file is named after them.

The roster has one student per row. The student's name is read from the column headed student, name,
username, login, id or email (the first of those the header has); a file without such a header is read
from its first column, every row a student. A name becomes part of a file name with every run of
characters other than letters, digits, '.', '_' and '-' written as '_'.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from .errors import Origin, ProblemError

HEADERS = ("student", "name", "username", "login", "id", "email")


def read_roster(path: str) -> list[str]:
    """The students' names, in roster order; an empty name, or two that make the same file name, is an error."""
    from .files import utf8

    text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    rows = [(n, row) for n, row in enumerate(csv.reader(text.splitlines()), start=1) if any(c.strip() for c in row)]
    if not rows:
        raise ProblemError(Origin(path, 0, ""), "the roster is empty", "one student per row, e.g. a column 'student'")
    header = [c.strip().lower() for c in rows[0][1]]
    column = next((header.index(h) for h in HEADERS if h in header), None)
    body = rows[1:] if column is not None else rows
    names: list[str] = []
    seen: dict[str, int] = {}
    for line, row in body:
        name = utf8(row[column or 0].strip()) if len(row) > (column or 0) else ""
        if not name:
            raise ProblemError(Origin(path, line, ""), "a row without a student's name",
                               f"a name in column {(column or 0) + 1} of every row")
        same = slug(name).lower()  # alice and Alice are one file on macOS and Windows
        if same in seen:
            raise ProblemError(Origin(path, line, ""), f"{name!r} makes the same file name as line {seen[same]}",
                               "names that differ in their letters or digits, not only in their case")
        seen[same] = line
        names.append(name)
    if not names:
        raise ProblemError(Origin(path, 1, ""), "the roster has a header and no students", "one student per row")
    return names


def slug(name: str) -> str:
    """A student's name as part of a file name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "_"


def file_names(stem: str, count: int, students: list[str] | None) -> list[str]:
    """The file name of each variant: q1-007.yaml, or q1-alice.yaml with a roster."""
    if students:
        return [f"{stem}-{slug(s)}.yaml" for s in students]
    width = len(str(count))
    return [f"{stem}-{k:0{width}d}.yaml" for k in range(1, count + 1)]
