"""Terminal formulas break only before an operator outside every bracket, at any width.

The printed output is read back here as a reader sees it: each table is cut into columns at the
gaps that are blank on every line, each row's cell lines are joined, each folded equation's lines
are joined, and the result is compared with the same block printed at a width where nothing wraps.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from backprop_cli.engine import solve
from backprop_cli.load.document import load_problem
from backprop_cli.render import terminal
from backprop_cli.render.blocks import BatchTotal, Definitions, Derivation, Table
from backprop_cli.render.layout import build
from backprop_cli.render.wrap import cut, equation, fit, min_width, pieces, wrap

from problem_files import ROOT
from terminal_reader import WIDE, examples, printed, read_block, rejoin

OPERATORS = ("= ", "+ ", "− ", "·")  # what a continuation line may start with
FORMULAS = (Derivation, Definitions, BatchTotal, Table)
FORMULA = re.compile(r"[·(\[]| [+−=] ")  # a table cell that holds a formula, not words


@pytest.fixture(scope="module", params=examples(), ids=lambda s: s[0])
def solution(request):
    return request.param[1]


def depth(text: str) -> int:
    """How many brackets are open at the end of text."""
    return sum(ch in "([" for ch in text) - sum(ch in ")]" for ch in text)


def assert_breaks_allowed(lines: list[str], where: str) -> None:
    """Each break comes before an operator, after a complete bracket, and not after an operator."""
    for k in range(1, len(lines)):
        before, after = rejoin(lines[:k]), lines[k].strip()
        assert after.startswith(OPERATORS), f"{where}: a line starts with an operand: {lines}"
        assert depth(before) == 0, f"{where}: a break inside a bracket: {lines}"
        assert not before.endswith(("+", "−", "·", "=", "log")), f"{where}: an operator left behind: {lines}"


def units(block, width: int, where: str) -> list[tuple[str, ...]]:
    """What a block says, row by row: table cells, or whole equations where the rows were folded.

    Every break in a formula is checked on the way; words ("frozen: not updated") wrap at spaces.
    """
    assert all(len(line) <= width for line in printed(block, width)), f"{where}: a line wider than {width}"
    out = []
    for part in read_block(block, width):
        for row in part.lines:
            for cell in row:
                if len(cell) > 1 and (part.header is None or FORMULA.search(rejoin(cell))):
                    assert_breaks_allowed(cell, where)
        out += part.rows
    return out


def as_equations(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Table rows as the equations a fold prints: first cell = second = …, empty cells left out."""
    return [(" = ".join(c for c in row if c),) for row in rows]


@pytest.mark.parametrize("width", [60, 80, 100])
def test_printed_formulas_break_only_outside_brackets(solution, width: int) -> None:
    doc = build(solution)
    blocks = [b for s in doc.sections for b in s.blocks if isinstance(b, FORMULAS)]
    assert any(isinstance(b, Derivation) for b in blocks)
    for n, block in enumerate(blocks):
        where = f"{type(block).__name__} {n} at {width}"
        narrow, wide = units(block, width, where), units(block, WIDE, where)
        assert narrow, where
        if len(narrow[0]) == 1 and len(wide[0]) > 1:  # folded at this width
            wide = as_equations(wide)
        assert narrow == wide, where


def test_the_issue_examples_keep_their_brackets() -> None:
    """Issue 8: `(1 −⏎0.1246)` and `[1 if 1.5000 > 0 else⏎0]`, now 1[z > 0]."""
    for text in ["0.7414·0.7514·(1 − 0.1246) + (−0.2171)·0.7729·(1 − 0.7729)",
                 "(−0.1060)·(1[1.5000 > 0] + 0.01·1[1.5000 ≤ 0])"]:
        for width in range(min_width(text), len(text) + 1):
            lines = wrap(text, width)
            assert all(len(line) <= width for line in lines)
            assert rejoin(lines) == text
            assert_breaks_allowed(lines, text)


def all_formula_texts() -> list[str]:
    """Every formula cell the terminal prints for the problems, from their widest rendering."""
    texts = set()
    for _, sol in examples():
        doc = build(sol)
        for block in (b for s in doc.sections for b in s.blocks if isinstance(b, Derivation)):
            for row in units(block, WIDE, "wide"):
                texts.update(c for c in row[1:] if c)
    return sorted(texts)


def test_wrap_at_every_width_joins_back_and_keeps_brackets() -> None:
    texts = all_formula_texts()
    assert len(texts) > 100
    for text in texts:
        least = min_width(text)
        for width in range(least, len(text) + 2):
            lines = wrap(text, width)
            assert rejoin(lines) == text
            assert all(len(line) <= width for line in lines), (text, width)
            assert_breaks_allowed(lines, text)


def test_wrap_prefers_the_outermost_operator() -> None:
    text = "a·b·c + d·e·f"
    assert wrap(text, 12) == ["a·b·c", "+ d·e·f"]  # not a·b·c + d / ·e·f
    assert wrap("x = a·b + c", 9) == ["x", "= a·b + c"]
    assert wrap("a·b·c + d·e·f", 5) == ["a·b·c", "+ d·e", "·f"]  # a product breaks only when a term must


def test_narrower_than_a_bracket_breaks_inside_it_as_a_last_resort() -> None:
    text = "σ(0.3775 + 0.1234)"
    assert min_width(text) == len(text)
    lines = wrap(text, 12)
    assert rejoin(lines) == text
    assert lines == ["σ(0.3775", "+ 0.1234)"]
    assert all(len(line) <= 3 for line in wrap("abcdefgh", 3))
    assert "".join(wrap("abcdefgh", 3)) == "abcdefgh"


def test_pieces_and_cut() -> None:
    assert cut("a + (b − c) − d", (" + ", " − ")) == ["a ", "+ (b − c) ", "− d"]
    assert cut("a·log b·(c·d)", ("·",)) == ["a", "·log b", "·(c·d)"]
    assert cut("(a + b)", (" + ",), depth=1) == ["(a ", "+ b)"]
    assert cut("−x1/x2²", (" − ",)) == ["−x1/x2²"]  # a minus sign with its operand is no operator
    assert pieces("t3·(1 − t3) = 0.1966") == ["t3", "·(1 − t3) ", "= 0.1966"]
    whole = "−(0.0000·log 0.1177 + (1 − 0.0000)·log(1 − 0.1177))"  # one bracket: no break outside it
    assert min_width(whole) == len(whole)
    tail = "·(0.1177 − 0.0000)/(0.1177·(1 − 0.1177))"
    assert min_width("0.5000" + tail) == len(tail)


def test_equation_aligns_each_equals_sign() -> None:
    lines = equation("  h1", ["w1·x1 + w2·x2 + b1", "0.1500·0.0500 + 0.2000·0.1000 + 0.3500", "0.3775"], 40)
    assert lines == ["  h1 = w1·x1 + w2·x2 + b1",
                     "     = 0.1500·0.0500 + 0.2000·0.1000",
                     "       + 0.3500",
                     "     = 0.3775"]  # the value joins no line that ends a broken part
    assert equation("  E", ["a + b", "1 + 2", "3"], 40) == ["  E = a + b = 1 + 2 = 3"]


def test_equation_moves_left_rather_than_break_a_bracket() -> None:
    part = "−(0.0000·log 0.1177 + (1 − 0.0000)·log(1 − 0.1177))"
    lines = equation("  L_z1_2", ["−(y1·log z1_2 + (1 − y1)·log(1 − z1_2))", part, "0.1253"], 60)
    assert lines == ["  L_z1_2 = −(y1·log z1_2 + (1 − y1)·log(1 − z1_2))",
                     f"    = {part}",
                     "    = 0.1253"]


def test_fit_narrows_the_widest_column_first_never_below_its_least() -> None:
    assert fit([5, 10, 20, 7], [5, 30, 40, 7], 80) == [5, 30, 38, 7]
    assert fit([5, 10, 20, 7], [5, 30, 40, 7], 60) == [5, 24, 24, 7]
    assert fit([5, 10, 30, 7], [5, 30, 40, 7], 60) == [5, 18, 30, 7]
    assert fit([5, 10, 30, 7], [5, 30, 40, 7], 51) is None
    assert fit([5, 10, 30, 7], [5, 10, 30, 7], 52) == [5, 10, 30, 7]


def test_readme_width_keeps_mazur_a_table(monkeypatch) -> None:
    """At the README's width every mazur block is a table; at 60 some rows fold into equations."""
    monkeypatch.chdir(ROOT)
    sol = solve(load_problem(Path("problems/mazur.yaml")))
    at_100 = terminal.render(sol, width=100)
    assert at_100.count("chain rule") == 6
    at_60 = terminal.render(sol, width=60)
    assert at_60.count("chain rule") == 1  # only ∂E_total/∂(each loss term) still fits as a table
    assert ("  ∂E_total/∂out_h1 = ∂E_total/∂net_o1·w5\n"
            "                     + ∂E_total/∂net_o2·w7\n"
            "                   = 0.1385·0.4000 + (−0.0381)·0.5000\n"
            "                   = 0.0364\n") in at_60
