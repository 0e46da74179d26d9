"""--format latex: a standalone .tex with every equation markdown shows; compiled by pdflatex where it is installed.

BACKPROP_REQUIRE_TEX=1 (set by .ci/run, which installs texlive-latex-base and poppler-utils) makes a missing
pdflatex or pdftotext a failure instead of a skip.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from backprop_cli.engine import solve
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.render import latex, markdown
from backprop_cli.render.latex import tex_text

from helpers import GOLDEN, check_golden, invoke
from problem_files import BATCH, problem_files

PROBLEMS = problem_files()


def _render(path: Path) -> str:
    return latex.render(solve(load_problem(path)), precision=4)


@pytest.mark.parametrize("path", PROBLEMS, ids=lambda p: p.stem)
def test_golden(path: Path) -> None:
    check_golden(GOLDEN / f"{path.stem}.tex", _render(path))


@pytest.mark.parametrize("path", PROBLEMS, ids=lambda p: p.stem)
def test_every_equation_of_the_markdown_is_in_the_latex(path: Path) -> None:
    sol = solve(load_problem(path))
    md = re.findall(r"```math\n(.*?)\n```", markdown.render(sol), flags=re.S)
    tex = re.findall(r"\\\[\n(.*?)\n\\\]", latex.render(sol), flags=re.S)
    assert md and tex == md


def test_the_users_text_is_escaped() -> None:
    assert tex_text("50% of $x_1 & {y}# ~^\\") == r"50\% of \$x\_1 \& \{y\}\# \~{}\^{}\textbackslash{}"
    assert tex_text("σ(z) → ŷ − y ≤ ½") == (r"\ensuremath{\sigma}(z) \ensuremath{\rightarrow} \ensuremath{\hat{y}} "
                                           r"\ensuremath{-} y \ensuremath{\le} ½")  # Latin-1: inputenc reads it
    assert tex_text("中\x1b") == "?"


def test_solve_writes_tex_by_suffix(tmp_path: Path) -> None:
    out = tmp_path / "m.tex"
    assert invoke("solve", str(PROBLEMS[0]), "-o", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("\\documentclass")
    assert invoke("solve", *map(str, PROBLEMS[:2]), "--format", "latex", "-o", str(tmp_path / "all")).exit_code == 0
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == sorted(f"{p.stem}.tex" for p in PROBLEMS[:2])


def _tools() -> bool:
    have = shutil.which("pdflatex") and shutil.which("pdftotext")
    if not have and os.environ.get("BACKPROP_REQUIRE_TEX"):
        pytest.fail("BACKPROP_REQUIRE_TEX is set but pdflatex or pdftotext is missing")
    return bool(have)


HOSTILE = BATCH.replace("title: A batch of two samples through one tanh neuron",
                        "title: '50% of $x & {y} #1 ~ σ → ŷ \\\\end{document}'")


SUMMARY = Path(__file__).resolve().parent / "summary_16_12_4.yaml"  # 242 parameters: the summary form


@pytest.mark.parametrize("name", [*(p.stem for p in PROBLEMS), "hostile", "summary"])
def test_it_compiles_and_the_pdf_shows_the_numbers(name: str, tmp_path: Path) -> None:
    if not _tools():
        pytest.skip("pdflatex and pdftotext are not installed (Debian: texlive-latex-base poppler-utils)")
    problem = load_problem_text(HOSTILE, "hostile.yaml") if name == "hostile" else load_problem(SUMMARY) \
        if name == "summary" else load_problem(next(p for p in PROBLEMS if p.stem == name))
    sol = solve(problem)
    (tmp_path / "s.tex").write_text(latex.render(sol), encoding="utf-8")
    for _ in range(2):  # longtable settles its column widths on the second run
        run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "s.tex"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120, check=False)
        assert run.returncode == 0, run.stdout[-2000:]
    pdf = subprocess.run(["pdftotext", "-layout", "s.pdf", "-"], cwd=tmp_path, capture_output=True, text=True,
                         check=True).stdout
    assert re.search("forward pass", pdf, re.I) and re.search("backward pass", pdf, re.I)  # Step 1: forward pass
    shown = markdown.render(sol)
    for value in re.findall(r"= (-?\d+\.\d{4})\n```", shown)[:40]:  # each equation's result, as printed
        assert value.lstrip("-") in pdf, value
    if name == "hostile":
        assert "50% of $x & {y} #1" in pdf
