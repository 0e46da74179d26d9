"""The notebook API: bp.solve(path | text | dict), values by key name, markdown in Jupyter; import stays cheap."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import backprop_cli as bp
from backprop_cli.errors import ProblemError
from backprop_cli.keys.keyfile import read_key

from helpers import invoke
from problem_files import ROOT

MAZUR = ROOT / "problems" / "mazur.yaml"


def test_importing_the_package_loads_no_dependency() -> None:
    code = ("import sys, backprop_cli; print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'click', 'yaml', 'rich', 'numpy', 'backprop_cli.api'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_path_a_text_and_a_dict_give_the_same_solution() -> None:
    text = MAZUR.read_text(encoding="utf-8")
    solutions = [bp.solve(MAZUR), bp.solve(str(MAZUR)), bp.solve(text), bp.solve(yaml.safe_load(text))]
    key = {e.name: e.expected for e in read_key(ROOT / "problems" / "mazur.key.yaml").entries}
    for sol in solutions:
        assert sol.values() == pytest.approx(key, rel=1e-12)
        assert sol.value("dE_total/dw5") == key["dE_total/dw5"]
    assert isinstance(solutions[0], bp.Solution)
    assert repr(solutions[0]).startswith("<backprop_cli.Solution of 'A step by step backpropagation example")


def test_renderings_are_the_clis(in_root) -> None:
    from helpers import invoke

    sol = bp.solve("problems/mazur.yaml")
    assert sol.to_markdown() == invoke("solve", "problems/mazur.yaml", "--format", "markdown").stdout
    assert sol.to_json() == invoke("solve", "problems/mazur.yaml", "--format", "json").stdout
    assert sol.to_latex().startswith("\\documentclass")
    notebook = sol._repr_markdown_()
    assert "```math" not in notebook and "$$\n" in notebook and "$`" not in notebook
    assert notebook.count("$$") == 2 * sol.to_markdown().count("```math")


def test_errors_are_the_clis() -> None:
    with pytest.raises(KeyError, match="did you mean 'dE_total/dw5'"):
        bp.solve(MAZUR).value("dE/dw5")
    with pytest.raises(ProblemError, match="no such file"):
        bp.solve("problems/nothing.yaml")
    with pytest.raises(ProblemError, match="unknown key 'titel'"):
        bp.solve({"titel": "x"})


def test_a_notebook_runs_headless(tmp_path: Path) -> None:
    """A real kernel (ipykernel) runs the README's notebook cells; the outputs are the solution's."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(f"import backprop_cli as bp\nsol = bp.solve({str(MAZUR)!r})\nsol"),
        nbformat.v4.new_code_cell('sol.value("dE_total/dw5")'),
        nbformat.v4.new_code_cell('bp.solve("title: t\\ninputs: {x: 2.0}\\nexpression: [f = x*x]\\n").values()'),
    ]
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = nb.cells[0].outputs[0]["data"]
    assert "## 2. Forward pass" in shown["text/markdown"] and "$$" in shown["text/markdown"]
    assert shown["text/plain"].startswith("<backprop_cli.Solution of")
    assert float(nb.cells[1].outputs[0]["data"]["text/plain"]) == bp.solve(MAZUR).value("dE_total/dw5")
    assert "'df/dx': 4.0" in nb.cells[2].outputs[0]["data"]["text/plain"]


def test_grade_marks_a_dict_a_file_and_a_text_as_the_cli_does(in_root, tmp_path: Path) -> None:
    answers = {"out_h1": 0.5933, "net_o1": 1.2, "out_o1": 0.7685}
    text = "answers:\n  out_h1: 0.5933\n  net_o1: 1.2\n  out_o1: 0.7685\n"
    (tmp_path / "s1.answers.yaml").write_text(text, encoding="utf-8")
    marks = [bp.grade("problems/mazur.yaml", a) for a in (answers, text, tmp_path / "s1.answers.yaml")]
    assert all(g.verdicts() == {"out_h1": "correct", "net_o1": "wrong", "out_o1": "carried"} for g in marks)
    assert {g.first_wrong for g in marks} == {"net_o1"}
    cli = invoke("grade", "problems/mazur.yaml", str(tmp_path / "s1.answers.yaml"), "--format", "json")
    report = json.loads(cli.stdout)
    assert report["first_wrong"] == "net_o1"
    assert [q["verdict"] for q in report["quantities"]] == list(marks[2].verdicts().values())
    assert "net_o1" in marks[0]._repr_markdown_()
