"""The markdown export: golden files, batches, precision, and -o inference (the diagram: test_render_mermaid.py)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from backprop_cli.cli import main
from backprop_cli.engine import solve
from backprop_cli.formula.printing import fmt_number
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.render import json as json_out
from backprop_cli.render import markdown
from backprop_cli.render.layout import shown_grads
from backprop_cli.solution import ForwardStep, LossStep

from helpers import GOLDEN, check_golden
from problem_files import BATCH, problem_files

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = [p.stem for p in problem_files()]


def solved(name: str, monkeypatch):
    """The solution of problems/<name>.yaml, loaded by its relative path as the CLI would."""
    monkeypatch.chdir(ROOT)
    return solve(load_problem(f"problems/{name}.yaml"))


def math_blocks(text: str) -> list[str]:
    return re.findall(r"^```math\n(.*?)\n```$", text, re.S | re.M)


@pytest.mark.parametrize("name", PROBLEMS)
def test_golden(name, monkeypatch):
    check_golden(GOLDEN / f"{name}.md", markdown.render(solved(name, monkeypatch)))


@pytest.mark.parametrize("name", PROBLEMS)
def test_same_numbers_as_the_engine(name, monkeypatch):
    sol = solved(name, monkeypatch)
    text = markdown.render(sol)
    for step in [*sol.of(ForwardStep), *sol.of(LossStep), *shown_grads(sol)]:
        for v in step.values:
            assert fmt_number(v, 4, latex=True) in text, (step.node, v)
    for v in sol.new_params.values():
        assert f"| {fmt_number(v, 4)} |" in text


@pytest.mark.parametrize("name", PROBLEMS)
def test_shape(name, monkeypatch):
    """Sections in order, fenced math only, short plain-text lines outside math."""
    text = markdown.render(solved(name, monkeypatch))
    headings = re.findall(r"^## (\d+)\. (.*)$", text, re.M)
    assert [int(n) for n, _ in headings] == list(range(1, len(headings) + 1))
    titles = [t for _, t in headings]
    training = load_problem(ROOT / "problems" / f"{name}.yaml").training
    step = f"Step {training.show[0]}: " if training is not None and not training.single else ""  # trained
    forward, backward = (f"{step}forward pass", f"{step}backward pass") if step else ("Forward pass", "Backward pass")
    assert titles[:2] == ["Given", forward] and backward in titles
    assert text.index("```mermaid") < text.index(f"## 2. {forward}")
    assert all(block.strip() for block in math_blocks(text))
    outside = re.sub(r"```.*?```", "", text, flags=re.S)
    assert "$$" not in outside and not re.search(r"(?<!`)\$(?!`)", outside.replace("$`", "").replace("`$", ""))
    prose = [line for line in outside.splitlines() if not line.startswith("|")]
    assert max(map(len, prose)) <= 110


def test_precision_applies_to_displayed_numbers(monkeypatch):
    sol = solved("mazur", monkeypatch)
    text = markdown.render(sol, precision=2)
    assert "= 0.15 \\cdot 0.05 + 0.20 \\cdot 0.10 + 0.35 = 0.38" in text
    assert "0.3775" not in text and "0.1500" not in text


def test_batch_shows_every_sample():
    sol = solve(load_problem_text(BATCH, "batch.yaml"))
    text = markdown.render(sol)
    assert "| given | name | sample 1 | sample 2 |" in text
    assert "z^{(1)} &= 0.3000 \\cdot 0.5000" in text and "z^{(2)} &= 0.3000 \\cdot 1.5000" in text
    assert "L^{\\text{batch}} = \\frac{1}{2}\\left(0.1206 + 0.3042\\right) = 0.2124" in text
    assert text.count("Summed over the samples:") == 3
    assert "| `b` | 0.1000 | 0.4620 | frozen: not updated | 0.1000 |" in text


@pytest.mark.parametrize("suffix, fmt", [(".md", "markdown"), (".markdown", "markdown"), (".json", "json")])
def test_output_suffix_chooses_the_format(suffix, fmt, tmp_path):
    problem = str(ROOT / "problems" / "mazur.yaml")
    out = tmp_path / f"solution{suffix}"
    result = CliRunner().invoke(main, ["solve", problem, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    text = out.read_text(encoding="utf-8")
    sol = solve(load_problem(problem))
    expected = markdown.render(sol) if fmt == "markdown" else json_out.render(sol)
    assert text == expected
    if fmt == "json":
        assert json.loads(text)["schema_version"] == 1


def test_format_flag_wins_over_the_suffix(tmp_path):
    out = tmp_path / "solution.json"
    result = CliRunner().invoke(main, ["solve", str(ROOT / "problems" / "mazur.yaml"), "--format", "markdown",
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# A step by step backpropagation example")


def test_format_markdown_to_stdout():
    result = CliRunner().invoke(main, ["solve", str(ROOT / "problems" / "mazur.yaml"), "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# ") and "```math" in result.output
