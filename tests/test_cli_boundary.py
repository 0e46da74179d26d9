"""The CLI boundary: only the cli package prints, exits or imports click; each error class carries its exit code,
which the boundary uses; the README's table lists every code."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from backprop_cli import engine
from backprop_cli.errors import BackpropError, DomainError, ExitCode, Origin, OutputError, ProblemError

from helpers import invoke
from problem_files import ROOT


def _reaches_the_outside(node: ast.AST) -> str | None:
    """What a syntax node does that only the CLI may do, or None."""
    if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "click" for a in node.names):
        return "imports click"
    if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "click" and not node.level:
        return "imports click"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("print", "exit", "quit"):
        return f"calls {node.func.id}()"
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("sys", "os") \
            and node.attr in ("exit", "_exit", "stdout", "stderr"):
        return f"uses {node.value.id}.{node.attr}"
    return None


CLI = ROOT / "backprop_cli" / "cli"
MODULES = sorted(p for p in (ROOT / "backprop_cli").rglob("*.py") if p.name != "__main__.py" and CLI not in p.parents)


def test_the_commands_print_only_through_the_boundary() -> None:
    """In the cli package, only boundary.py writes to the streams; the commands call its _echo."""
    for path in sorted(CLI.glob("*.py")):
        if path.name != "boundary.py":
            tree = ast.parse(path.read_text(encoding="utf-8"))
            assert not [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "echo"
                        and isinstance(n.value, ast.Name) and n.value.id == "click"], path.name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT / "backprop_cli")))
def test_only_the_cli_prints_exits_or_imports_click(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [f"line {getattr(n, 'lineno', 0)}: {what}" for n in ast.walk(tree) if (what := _reaches_the_outside(n))]
    assert found == [], f"{path.relative_to(ROOT)} does what only the cli package may do"


def test_readme_exit_code_table_lists_every_code() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("\n## Exit codes\n", 1)[1].split("\n## ", 1)[0]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, flags=re.MULTILINE)}
    assert documented == {int(code) for code in ExitCode}


@pytest.mark.parametrize("error,code", [
    (ProblemError(Origin("q.yaml", 3, "loss"), "bad"), ExitCode.INVALID_INPUT),
    (DomainError("log of 0"), ExitCode.INVALID_INPUT),
    (OutputError("out.txt: cannot write"), ExitCode.CANNOT_WRITE),
])
def test_every_user_facing_error_carries_its_exit_code(error: BackpropError, code: ExitCode) -> None:
    assert isinstance(error, BackpropError)
    assert error.exit_code == code


def test_the_boundary_exits_with_the_errors_own_code(scratch, monkeypatch) -> None:
    class Refused(BackpropError):
        exit_code = ExitCode.USAGE

    def refuse(problem):
        raise Refused("no, thank you")

    scratch("mazur")
    monkeypatch.setattr(engine, "solve", refuse)
    result = invoke("solve", "mazur.yaml")
    assert (result.exit_code, result.stdout, result.stderr) == (ExitCode.USAGE, "", "Error: no, thank you\n")


def test_an_output_file_that_cannot_be_written_exits_4(scratch) -> None:
    folder = scratch("mazur")
    result = invoke("solve", "mazur.yaml", "-o", "no/such/dir/answer.txt")
    assert result.exit_code == ExitCode.CANNOT_WRITE
    assert result.stderr == "Error: no/such/dir/answer.txt: cannot write: No such file or directory\n"
    assert sorted(p.name for p in folder.iterdir()) == ["mazur.yaml"]
