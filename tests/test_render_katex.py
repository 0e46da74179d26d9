"""Every math snippet exported for every problem parses in real KaTeX (node + the katex npm package).

Skips only when node or the installed katex is absent (run scripts/setup-js.sh); with
BACKPROP_REQUIRE_JS=1 set, as CI may, their absence fails instead.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from backprop_cli.engine import solve
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.render import json as json_out
from backprop_cli.render import markdown

from problem_files import BATCH, problem_files

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / "tests" / "js"
PROBLEMS = [p.stem for p in problem_files()]


def node_or_skip() -> str:
    """The node binary, when node and katex are installed."""
    node = shutil.which("node")
    missing = "node is not installed" if not node else \
        None if (JS / "node_modules" / "katex").is_dir() else "katex is not installed: run scripts/setup-js.sh"
    if missing:
        if os.environ.get("BACKPROP_REQUIRE_JS") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    return node


def markdown_snippets(text: str) -> list[dict]:
    """Display math from ```math blocks and inline math from $`…`$."""
    display = [{"tex": t, "display": True} for t in re.findall(r"^```math\n(.*?)\n```$", text, re.S | re.M)]
    outside = re.sub(r"^```.*?^```$", "", text, flags=re.S | re.M)
    return display + [{"tex": t, "display": False} for t in re.findall(r"\$`(.+?)`\$", outside)]


def json_snippets(obj) -> list[dict]:
    """Every LaTeX string in the JSON export."""
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in
                ([{"tex": v, "display": False}] if k.endswith("latex") else json_snippets(v))]
    if isinstance(obj, list):
        return [s for v in obj for s in json_snippets(v)]
    return []


def solutions(monkeypatch) -> dict:
    monkeypatch.chdir(ROOT)
    sols = {name: solve(load_problem(f"problems/{name}.yaml")) for name in PROBLEMS}
    sols["<batch>"] = solve(load_problem_text(BATCH, "batch.yaml"))
    return sols


def katex(node: str, snippets: list[dict]) -> dict:
    run = subprocess.run([node, str(JS / "katex_check.js")], input=json.dumps(snippets), capture_output=True,
                         text=True, timeout=120, cwd=JS)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_snippets_are_found():
    text = "a $`x_{1}`$ b\n\n```math\ny = 1\n```\n"
    assert markdown_snippets(text) == [{"tex": "y = 1", "display": True}, {"tex": "x_{1}", "display": False}]


def test_katex_rejects_bad_latex():
    node = node_or_skip()
    result = katex(node, [{"tex": "\\frac{1}", "display": True}, {"tex": "x^{2}^{3}", "display": False}])
    assert len(result["failures"]) == 2


def test_every_exported_snippet_parses_in_katex(monkeypatch):
    node = node_or_skip()
    snippets, where = [], []
    for name, sol in solutions(monkeypatch).items():
        for precision in (4, 0):
            found = markdown_snippets(markdown.render(sol, precision=precision))
            snippets += found
            where += [f"{name}.md (precision {precision})"] * len(found)
        found = json_snippets(json.loads(json_out.render(sol)))
        snippets += found
        where += [f"{name}.json"] * len(found)
    result = katex(node, snippets)
    assert result["checked"] == len(snippets) > 100
    failures = [f"{where[f['index']]}: {f['error']}\n    {f['tex']}" for f in result["failures"]]
    assert not failures, "KaTeX cannot parse:\n" + "\n".join(failures)
