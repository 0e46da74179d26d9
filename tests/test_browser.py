"""The exported markdown of problems/mazur.yaml renders in headless Chromium: KaTeX clean, mermaid drew an SVG.

Skips only when chromium or the npm packages (scripts/setup-js.sh) are absent; with
BACKPROP_REQUIRE_JS=1 set, as CI may, their absence fails instead.
"""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "browser_check.py"


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


def test_page_marks_every_snippet():
    md = "# T\n\nText $`x_{1}`$ and $`y`$.\n\n```math\nz = 1\n```\n\n```mermaid\nflowchart LR\n  n0(\"a\")\n```\n"
    page, counts = _script().to_html(md)
    assert counts == {"math": 3, "mermaid_nodes": 1}
    assert page.count('class="math') == 3 and '<pre class="mermaid">' in page
    assert "http" not in page.replace("http-equiv", "")  # nothing from the network


def test_mazur_renders_in_chromium():
    check = _script()
    _require(check.find_chromium() is not None, "chromium is not installed (apt-get install chromium)")
    missing = [str(p) for p in (*check.SCRIPTS, check.STYLE) if not p.exists()]
    _require(not missing, f"run scripts/setup-js.sh: missing {', '.join(missing)}")
    run = subprocess.run([sys.executable, str(SCRIPT), str(ROOT / "problems" / "mazur.yaml")],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 diagram(s)" in run.stdout
