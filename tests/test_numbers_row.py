"""Every printed row with numbers evaluates back to the value printed beside it, as a student checks it.

Issue 8, "How to check it": each 'with numbers' cell is read back with formula_reader (nothing
from backprop_cli) and must give the stated value within the rounding of what is printed: each
number shown is its true value to ±½ unit of its last decimal, so the cell's value at the true
numbers lies within the spread of the cell over those intervals (each number moved by ±½ unit,
alone and in pairs), and the stated value is the true value to ±½ unit of its own last decimal.
A number with fewer decimals than the precision is a constant of the problem (2, 0.5, 0.01):
exact. Markdown's LaTeX rows are read the same way through formula_reader.latex_to_text. The
terminal is read where nothing wraps; test_render_wrap shows narrower output says the same.
"""
from __future__ import annotations

import math
import re

import pytest

from backprop_cli.render import markdown
from backprop_cli.render.blocks import BatchTotal, Derivation, LossChange, Table
from backprop_cli.render.layout import build

from formula_reader import latex_to_text, read
from terminal_reader import WIDE, examples, printed, read_block

# A printed number: 0.5933, 4.386×10⁻⁷, or 4.386e-7 from LaTeX; not the digit of a name (w5, softmax_1).
NUMBER = re.compile(r"(?<![\w.])(\d+)(?:\.(\d+))?(?:×10([⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)|e(-?\d+))?")
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
PRECISIONS = (4, 1)  # the default, and one where values round to 0.0


@pytest.fixture(scope="module", params=examples(), ids=lambda s: s[0])
def solution(request):
    return request.param[1]


def half_units(text: str, precision: int) -> list[tuple[re.Match, float]]:
    """Each number of text and how far its true value may lie from it (0 for a constant)."""
    out = []
    for m in NUMBER.finditer(text):
        whole, decimals, sup, exp = m.groups()
        places = len(decimals or "")
        exponent = int(sup.translate(SUPERSCRIPTS)) if sup else int(exp) if exp else None
        if exponent is None:
            rounded = places >= precision
        else:  # fmt_number writes at least three decimals of a mantissa
            rounded = places >= max(precision, 3)
        out.append((m, 0.5 * 10.0 ** (-places) * 10.0 ** (exponent or 0) if rounded else 0.0))
    return out


def spread(text: str, precision: int) -> tuple[float, float]:
    """The value of a printed formula and how far it may move as its numbers move within their rounding.

    Each number moved alone by ±½ unit gives the first-order spread; each pair moved together adds
    what their product terms can (0.0·0.0 may be 0.04·0.04).
    """
    value = read(text)
    moving = [(m, half) for m, half in half_units(text, precision) if half]

    def at(moves: dict) -> float:
        out, end = "", 0
        for k, (m, half) in enumerate(moving):
            if k in moves:
                number = float(m.group().replace("×10", "e").translate(SUPERSCRIPTS)) + moves[k] * half
                out += text[end:m.start()] + repr(number)
                end = m.end()
        return read(out + text[end:])

    def moved(moves: dict) -> float:
        """at(moves), or the unmoved value where a move leaves a function's domain (√ of 0.0 − 0.05): a
        number printed 0.0 under a square root is at least 0, so its true value does not lie there."""
        try:
            return at(moves)
        except ValueError:
            return value

    alone = {(k, s): moved({k: s}) for k in range(len(moving)) for s in (-1, 1)}
    total = sum(max(abs(alone[k, s] - value) for s in (-1, 1)) for k in range(len(moving)))
    for j in range(len(moving)):
        for k in range(j + 1, len(moving)):
            total += max(abs(moved({j: sj, k: sk}) - alone[j, sj] - alone[k, sk] + value)
                         for sj in (-1, 1) for sk in (-1, 1))
    return value, total


def assert_evaluates_to(numbers: str, stated: str, precision: int, where: str) -> None:
    """numbers, read back, gives the stated value within the rounding of everything printed."""
    value, moves = spread(numbers, precision)
    target, half = read(stated), sum(h for _, h in half_units(stated, precision)) or 0.0
    allowed = 1.01 * moves + half + 1e-12 * max(1.0, abs(target))
    assert math.isfinite(value)
    assert abs(value - target) <= allowed, (
        f"{where}: {numbers} evaluates to {value!r}, but the row says {stated} "
        f"(allowed {allowed:.3g} from the printed rounding)")


def checked_rows(sol, precision: int) -> list[tuple[str, str, str]]:
    """(numbers, stated value, where) for every row of the terminal output that shows a calculation."""
    out = []
    for section in build(sol).sections:
        for n, block in enumerate(section.blocks):
            where = f"{section.title}, block {n}"
            if isinstance(block, (Derivation, Table)):
                for part in read_block(block, WIDE, precision):
                    out += _table_rows(part.header, part.rows, where)
            elif isinstance(block, BatchTotal):
                (part,) = read_block(block, WIDE, precision)
                _, parts, total = part.rows[0][0].split(" = ")
                out.append((parts, total, where))
            elif isinstance(block, LossChange):
                (line,) = printed(block, WIDE, precision)
                m = re.fullmatch(r"  \S+: (\S+) → (\S+) \(change (\S+)\)", line)
                out.append((f"{m.group(2)} − {m.group(1)}", m.group(3).replace("+", ""), where))
    return out


def _table_rows(header, rows, where: str) -> list[tuple[str, str, str]]:
    """The calculations of one printed table: a derivation, the update, or the computational graph."""
    out = []
    for row in rows:
        cells = dict(zip(header, row))
        here = f"{where}, {row[0]}"
        if "with numbers" in cells:
            out.append((cells["with numbers"], cells["value"], here))
        elif "new" in cells:  # an update: the rule's column is "old − η·gradient", or an optimizer's "old − η·v" …
            step = next(v for k, v in cells.items() if k.startswith("old − η·"))
            out.append((cells["old"] if step == "frozen: not updated" else step, cells["new"], here))
        elif "downstream" in cells and cells["via"] == "all paths":
            parts, total = cells["downstream"].split(" = ")
            out.append((parts, total, here))
        elif "downstream" in cells:
            local = cells["local ∂via/∂node"].rsplit(" = ", 1)[1]  # downstream = local × upstream
            out.append((f"({local})·({cells['upstream']})", cells["downstream"], here))
    return out


@pytest.mark.parametrize("precision", PRECISIONS)
def test_every_terminal_numbers_row_evaluates_to_its_value(solution, precision: int) -> None:
    rows = checked_rows(solution, precision)
    if solution.problem.numeric:
        assert rows
    for numbers, stated, where in rows:
        assert_evaluates_to(numbers, stated, precision, where)


def latex_chains(text: str) -> list[list[str]]:
    """The '=' chains of every ```math display of a markdown document, each row's head left out.

    A row 'lhs &= …' starts a chain, a row '&= …' continues it, '&\\quad + …' continues its sum.
    """
    chains: list[list[str]] = []
    for body in re.findall(r"```math\n(.*?)\n```", text, flags=re.S):
        rows = [r.strip() for r in re.sub(r"\\(begin|end)\{aligned\}", "", body).split("\\\\") if r.strip()]
        for row in rows:
            if row.startswith("&\\quad"):
                chains[-1][-1] += " " + row[len("&\\quad"):].strip()
                continue
            head, amp, rest = row.partition("&=")
            segments = _split_equals(rest if amp else row)
            if amp and not head.strip():
                chains[-1] += segments
            else:
                chains.append(segments if amp else segments[1:])
    return chains


def _split_equals(tex: str) -> list[str]:
    """tex cut at each ' = ' outside every brace and \\left( … \\right)."""
    parts, depth, start = [], 0, 0
    for m in re.finditer(r"\\left|\\right|[{}]| = ", tex):
        token = m.group()
        depth += 1 if token in ("\\left", "{") else -1 if token in ("\\right", "}") else 0
        if token == " = " and depth == 0:
            parts.append(tex[start:m.start()].strip())
            start = m.end()
    return [*parts, tex[start:].strip()]


def _as_text(tex: str) -> str | None:
    """A LaTeX formula of numbers as text, or None when it holds names or words."""
    try:
        text = latex_to_text(tex)
        read(text)
    except (ValueError, KeyError):
        return None
    return text


@pytest.mark.parametrize("precision", PRECISIONS)
def test_every_markdown_numbers_row_evaluates_to_its_value(solution, precision: int) -> None:
    chains = latex_chains(markdown.render(solution, precision=precision))
    checked = 0
    for chain in chains:
        texts = [_as_text(s) for s in chain]
        for numbers, stated in zip(texts, texts[1:]):
            if numbers is not None and stated is not None and NUMBER.fullmatch(stated.lstrip("-")):
                assert_evaluates_to(numbers, stated, precision, f"markdown: {chain}")
                checked += 1
    # every terminal row whose numbers are more than the value itself is a markdown row checked here
    derivations = [b for s in build(solution).sections for b in s.blocks if isinstance(b, Derivation)]
    shown = sum(1 for b in derivations for part in read_block(b, WIDE, precision) for row in part.rows
                if len(row) == 4 and row[2] != row[3])
    assert checked >= shown


def test_the_check_catches_a_wrong_row() -> None:
    """A slip the size of the rounding is allowed; one bigger is not."""
    assert_evaluates_to("0.0088·0.0500", "0.0004386", 4, "mazur ∂E/∂w1")  # 0.00044 vs 0.0004386
    with pytest.raises(AssertionError, match="evaluates to"):
        assert_evaluates_to("0.0088·0.0500", "0.0005386", 4, "a slip")
    with pytest.raises(AssertionError, match="evaluates to"):
        assert_evaluates_to("0.7414·0.7514·(1 − 0.7514)", "0.1485", 4, "a slip")
    assert spread("2·(0.5000 − 0.5)", 4) == (0.0, pytest.approx(2 * 0.00005))  # 2 and 0.5 are exact constants
    assert spread("0.0·0.0", 1)[1] >= 0.05 * 0.05  # each may be 0.05: their product is no longer 0
    assert spread("4.3860×10⁻⁷·2.0000", 4)[1] == pytest.approx(2 * 0.00005e-7 + 4.386e-7 * 0.00005, rel=1e-6)
    assert spread("1×10⁻⁵·2.0000", 4)[1] == pytest.approx(1e-5 * 0.00005, rel=1e-6)  # a constant
