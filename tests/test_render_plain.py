"""The plain writer (render/plain.py) against rich: byte-identical text, so colour changes nothing but colour.

Output without colour no longer goes through rich; these tests hold what it writes to what rich writes
for the same document: every example and the summary fixture at several widths, random texts wrapped
each way, and random tables.
"""
from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from backprop_cli.engine import solve
from backprop_cli.load.document import load_problem
from backprop_cli.render import terminal, terminal_out
from backprop_cli.render.layout import build
from backprop_cli.render.plain import wrapped
from backprop_cli.render.wrap import Breakable

from problem_files import ROOT, problem_files

DOCUMENTS = [*problem_files(), ROOT / "tests" / "summary_16_12_4.yaml"]


def by_rich(doc, width: int) -> str:
    out = terminal_out.RichOut(width, False)
    terminal._Terminal(out, 4).document(doc)
    return out.value()


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
@pytest.mark.parametrize("width", [40, 57, 100, 143])
def test_every_solution_is_written_as_rich_writes_it(path, width) -> None:
    doc = build(solve(load_problem(path)), symbolic=True, full=True)
    assert terminal.write(doc, width=width) == by_rich(doc, width)


# Words, spaces (runs of them too), the solution's own symbols, wide characters and a combining mark.
TEXT = st.lists(st.sampled_from([*"abcxyz019 ", "  ", "∂L/∂w", "σ(z)", "−", "·", "→", "é", "漢", "e\u0301",
                                  "averyveryverylongwordindeed"]), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXT, st.integers(1, 30), st.sampled_from(["default", "left", "right"]), st.booleans())
def test_text_wraps_as_rich_wraps_it(text: str, width: int, justify: str, cell: bool) -> None:
    """Printed text folds a long word (rich's default overflow); a table cell cuts it with … (a column's)."""
    from rich.console import Console

    from backprop_cli.render.plain import simple

    if not simple(text):  # left to rich by the writer
        return
    from rich.text import Text

    console = Console(width=width, color_system=None, highlight=False, markup=False, emoji=False)
    overflow = "ellipsis" if cell else "fold"
    expected = [line.plain for line in Text(text).wrap(console, width, justify=justify, overflow=overflow)]
    assert wrapped(text, width, justify, cell) == expected


CELL = st.lists(st.sampled_from([*"ab1 ", "  ", "−", "·", "∂L/∂w", "σ(z)", "(x + y)", "漢", "averylongword"]),
                max_size=10).map("".join)


@settings(max_examples=300, deadline=None)
@example((["a", "aaa", " aaaaaa∂L/∂w∂L/∂wσ(z)"], [False] * 3, [], False, None), 30)  # found by CI
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(CELL.filter(bool), min_size=n, max_size=n), st.lists(st.booleans(), min_size=n, max_size=n),
    st.lists(st.lists(CELL, min_size=0, max_size=n), min_size=0, max_size=4), st.booleans(),
    st.one_of(st.none(), CELL))), st.integers(30, 90))
def test_tables_are_laid_out_as_rich_lays_them_out(spec, width: int) -> None:
    headers, numeric, rows, formulas, title = spec
    plain, rich = terminal_out.PlainOut(width), terminal_out.RichOut(width, False)
    for out in (plain, rich):
        tab = terminal_out.Tab(list(headers), list(numeric), title, formulas)
        for row in rows:
            tab.add_row(*row)
        terminal._Terminal(out, 4).show(tab)
    assert plain.value() == rich.value()


def test_breakable_cells_stay_formulas() -> None:
    tab = terminal_out.Tab(["node", "formula"], [False, False], None, formulas=True)
    tab.add_row("z", "a + b")
    assert isinstance(tab.rows[0][1], Breakable)


def test_a_homework_solve_without_colour_imports_neither_rich_nor_numpy() -> None:
    code = ("import sys; from backprop_cli.cli import main\n"
            "try:\n    main(['solve', 'problems/mazur.yaml'], standalone_mode=False)\n"
            "finally:\n    print(sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'numpy')),\n"
            "          file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Mazur" in proc.stdout
    assert proc.stderr.strip().splitlines()[-1] == "[]"  # not even rich.cells; plain floats, no numpy
