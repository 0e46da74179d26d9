"""What the README tells course staff to copy is real: the workflow, the pre-commit hook, shell completion."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from helpers import invoke
from problem_files import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
WORKFLOW = ROOT / "docs" / "backprop-check.yml"


def test_the_readme_shows_the_workflow_file() -> None:
    block = re.search(r"<!-- workflow-file:start -->\n```yaml\n(.*?)```\n<!-- workflow-file:end -->", README, re.S)
    assert block and block.group(1) == WORKFLOW.read_text(encoding="utf-8")


def test_the_workflow_runs_check_with_a_report() -> None:
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    runs = [step.get("run", "") for step in flow["jobs"]["check"]["steps"]]
    assert any(r.startswith("backprop check . --junit-xml ") for r in runs)
    install = next(r for r in runs if r.startswith("pip install"))
    from backprop_cli.meta import repository

    assert f"git+{repository()}" in install


def test_the_pre_commit_hook_runs_check_and_passes_here(in_root) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "backprop-check")
    assert hook["entry"] == "backprop check" and hook["language"] == "python" and hook["pass_filenames"] is False
    assert "backprop-check" in README and "rev: v0.1.0" in README
    result = invoke(*hook["entry"].split()[1:], *hook["args"])
    assert result.exit_code == 0, result.stdout
    assert re.fullmatch(r"\d+ passed, 0 failed", result.stdout.splitlines()[-1])


def _backprop(env: dict) -> str:
    script = Path(sys.executable).with_name("backprop")
    return subprocess.run([str(script)], env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
                          check=True).stdout


def test_shell_completion_as_documented() -> None:
    for shell in ("bash", "zsh", "fish"):
        assert f"_BACKPROP_COMPLETE={shell}_source backprop" in README
        assert "backprop" in _backprop({"_BACKPROP_COMPLETE": f"{shell}_source"})
    commands = _backprop({"_BACKPROP_COMPLETE": "bash_complete", "COMP_WORDS": "backprop va", "COMP_CWORD": "1"})
    assert "plain,variants" in commands.splitlines()
    names = _backprop({"_BACKPROP_COMPLETE": "bash_complete", "COMP_WORDS": "backprop examples ma",
                       "COMP_CWORD": "2"})
    assert names.splitlines() == ["plain,mazur", "plain,mazur_10000"]
