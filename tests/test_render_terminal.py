"""Golden files pin the terminal rendering of every problems/ file (UPDATE_GOLDEN=1 rewrites them)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from backprop_cli.engine import solve
from backprop_cli.load.document import load_problem
from backprop_cli.render import renderer

from helpers import GOLDEN, check_golden
from problem_files import problem_files

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = problem_files()


def _render(path: Path, **options) -> str:
    sol = solve(load_problem(path.relative_to(ROOT)))
    return renderer("terminal")(sol, **{"precision": 4, "width": 100, "color": False, **options})


@pytest.mark.parametrize("path", PROBLEMS, ids=lambda p: p.stem)
def test_terminal_golden(path: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    check_golden(GOLDEN / f"{path.stem}.txt", _render(path))


@pytest.mark.parametrize("path", PROBLEMS, ids=lambda p: p.stem)
def test_terminal_sections_in_order_and_plain(path: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    text = _render(path)
    headings = re.findall(r"^(\d+)\. (.+)$", text, flags=re.M)
    problem = load_problem(path.relative_to(ROOT))
    expected = ["Given", "Forward pass", "Loss", "Backward pass", "Update", "Loss after the update"]
    if problem.kind == "expression":
        expected = ["Given", "Forward pass", "Backward pass"]
    elif not problem.numeric:
        expected = expected[:4]
    elif problem.training is not None and not problem.training.single:  # each shown step as one step is
        expected = ["Given", *(f"Step {k}: {title[:1].lower()}{title[1:]}" for k in problem.training.show
                               for title in expected[1:]), "Training", "After training"]
    assert [h[1] for h in headings] == expected
    assert [int(h[0]) for h in headings] == list(range(1, len(expected) + 1))
    assert "\x1b[" not in text


@pytest.mark.parametrize("path", PROBLEMS, ids=lambda p: p.stem)
def test_terminal_fits_the_width(path: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    for width in (40, 60, 80, 120):  # 40 is the narrowest --width takes
        text = _render(path, width=width)
        assert max(len(line) for line in text.splitlines()) <= width


def test_color_adds_ansi_only_when_asked(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    assert "\x1b[" in _render(ROOT / "problems" / "mazur.yaml", color=True)


def test_precision_changes_display_not_arithmetic(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    text = _render(ROOT / "problems" / "mazur.yaml", precision=9, width=160)
    assert "0.593269992" in text  # Mazur's out_h1 to his printed digits
    assert "0.298371109" in text  # E_total
    assert "0.291027774" in text  # loss after plain gradient descent
