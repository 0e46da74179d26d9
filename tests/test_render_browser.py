"""Exported markdown renders in headless Chromium: KaTeX clean, mermaid drew every diagram, no labels overlap.

Skips only when chromium or the npm packages (scripts/setup-js.sh) are absent; with
BACKPROP_REQUIRE_JS=1 set, as CI may, their absence fails instead.
"""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_render_mermaid import layered_problem

from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.render.mermaid import mermaid

from problem_files import problem_files

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "browser_check.py"

# The diagram of problems/mazur.yaml before issue 8: weights as labels on the edges, no columns.
OLD_MAZUR = """\
flowchart LR
  n0("i1 = 0.0500")
  n1("i2 = 0.1000")
  n2["out_h1 = σ(net_h1)"]
  n3["out_h2 = σ(net_h2)"]
  n4["out_o1 = σ(net_o1)"]
  n5["out_o2 = σ(net_o2)"]
  n6(["E_total"])
  n7(("1"))
  n8(("1"))
  n0 -->|"w1 = 0.1500"| n2
  n1 -->|"w2 = 0.2000"| n2
  n7 -->|"b1 = 0.3500"| n2
  n7 -->|"b1 = 0.3500"| n3
  n0 -->|"w3 = 0.2500"| n3
  n1 -->|"w4 = 0.3000"| n3
  n2 -->|"w5 = 0.4000"| n4
  n3 -->|"w6 = 0.4500"| n4
  n8 -->|"b2 = 0.6000"| n4
  n8 -->|"b2 = 0.6000"| n5
  n2 -->|"w7 = 0.5000"| n5
  n3 -->|"w8 = 0.5500"| n5
  n4 -.->|"target_o1"| n6
  n5 -.->|"target_o2"| n6
"""


def _script():
    spec = importlib.util.spec_from_file_location("browser_check", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _require(ok: bool, reason: str) -> None:
    if not ok:
        if os.environ.get("BACKPROP_REQUIRE_JS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def _chromium(check) -> str:
    """The chromium binary, once chromium and the npm packages are known to be there."""
    _require(check.find_chromium() is not None, "chromium is not installed (apt-get install chromium)")
    missing = [str(p) for p in (*check.SCRIPTS, check.STYLE) if not p.exists()]
    _require(not missing, f"run scripts/setup-js.sh: missing {', '.join(missing)}")
    return check.find_chromium()


def _labelled_without_columns(sizes: list[int]) -> str:
    """Today's diagram of a generated network drawn the old way: a label on every edge, no subgraphs."""
    lines = mermaid(load_problem_text(layered_problem(sizes), "generated.yaml"), 4)
    lines = [re.sub(r" (-->|-\.->) ", r' \1|"w = 0.0000"| ', line) for line in lines
             if not line.strip().startswith(("subgraph", "end"))]
    return "\n".join(lines) + "\n"


def test_page_marks_every_snippet():
    md = "# T\n\nText $`x_{1}`$ and $`y`$.\n\n```math\nz = 1\n```\n\n```mermaid\nflowchart LR\n  n0(\"a\")\n```\n"
    page, counts = _script().to_html(md)
    assert counts == {"math": 3, "mermaid_nodes": 1}
    assert page.count('class="math') == 3 and '<pre class="mermaid">' in page
    assert "http" not in page.replace("http-equiv", "")  # nothing from the network


@pytest.mark.parametrize("diagram", ["old mazur", "4-8-2 labelled"])
def test_overlapping_labels_are_found(diagram):
    """The check fails on the diagram issue 8 complains about, and on edge labels crowding a 4-8-2."""
    check = _script()
    chromium = _chromium(check)
    text = OLD_MAZUR if diagram == "old mazur" else _labelled_without_columns([4, 8, 2])
    summary, problems = check.check_markdown(f"```mermaid\n{text}```\n", chromium)
    overlaps = [p for p in problems if p.startswith("labels overlap: ")]
    assert overlaps and overlaps == problems, summary
    kind = "(node|edge|subgraph) '.+'"
    assert all(re.fullmatch(f"labels overlap: {kind} (overlaps {kind}|lies under node '.+')", p) for p in overlaps)


def test_every_problem_renders_without_overlapping_labels(tmp_path):
    check = _script()
    _chromium(check)
    files = [str(p) for p in problem_files()]
    for sizes in ([3, 3, 2], [4, 8, 2]):
        path = tmp_path / f"generated_{'_'.join(map(str, sizes))}.yaml"
        path.write_text(layered_problem(sizes), encoding="utf-8")
        files.append(str(path))
    run = subprocess.run([sys.executable, str(SCRIPT), *files], capture_output=True, text=True, timeout=900,
                         cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    for f in files:
        training = load_problem(f).training
        diagrams = 2 if training is not None and not training.single else 1  # and a trained problem's loss curve
        assert re.search(rf"^browser check: {re.escape(f)}: \d+ KaTeX snippets, {diagrams} diagram\(s\) with \d+ "
                         r"nodes and \d+ text labels, 0 overlapping$", run.stdout, re.M), run.stdout
