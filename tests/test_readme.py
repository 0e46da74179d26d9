"""The README's example file and output are the real ones (UPDATE_GOLDEN=1 refreshes the output)."""
from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from backprop_cli.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


def _block(text: str, name: str) -> tuple[str, str, str]:
    m = re.search(rf"(<!-- {name}:start -->\n```\w*\n)(.*?)(```\n<!-- {name}:end -->)", text, flags=re.S)
    assert m, f"README has no {name} block"
    return m.group(1), m.group(2), m.group(3)


def test_readme_example_file_is_the_problem_file() -> None:
    _, body, _ = _block(README.read_text(encoding="utf-8"), "example-file")
    assert body == (ROOT / "problems" / "mazur.yaml").read_text(encoding="utf-8")


def test_readme_example_output_is_real(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["solve", "problems/mazur.yaml", "--width", "100"])
    assert result.exit_code == 0
    text = README.read_text(encoding="utf-8")
    head, body, tail = _block(text, "example-output")
    expected = "\n".join(line.rstrip() for line in result.output.splitlines()) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        README.write_text(text.replace(head + body + tail, head + expected + tail), encoding="utf-8")
        body = expected
    assert body == expected


def test_quick_start_commands() -> None:
    """Exactly two quick-start commands: one solves an example, one runs the tests."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", section, flags=re.S)
    assert len(commands) == 2
    assert "backprop solve problems/" in commands[0]
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci, ".ci/run must run the README's test command"
    path = shlex.split(commands[0])[-1]
    assert (ROOT / path).exists()
