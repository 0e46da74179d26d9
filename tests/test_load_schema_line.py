"""Every problems/ file names its JSON schema on its first line, for editors, and the loader ignores it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from backprop_cli.engine import solve
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.render import renderer

from problem_files import ROOT, problem_files

SCHEMA = ROOT / "backprop_cli" / "schemas" / "problem.schema.json"
LINE = re.compile(r"# yaml-language-server: \$schema=(\S+)\n")


@pytest.mark.parametrize("path", problem_files(), ids=lambda p: p.stem)
def test_first_line_names_the_schema_by_a_path_that_resolves(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines(keepends=True)[0]
    match = LINE.fullmatch(first)
    assert match, f"{path.name} starts with {first!r}"
    target = (path.parent / match.group(1)).resolve()
    assert target == SCHEMA.resolve() and target.is_file()
    assert not Path(match.group(1)).is_absolute()  # it works from any clone


def test_answer_keys_have_no_schema_line() -> None:
    """A key is not a problem: the problem schema would flag every line of it."""
    keys = sorted((ROOT / "problems").glob("*.key.yaml"))
    assert keys
    for key in keys:
        assert "yaml-language-server" not in key.read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.parametrize("path", problem_files(), ids=lambda p: p.stem)
def test_the_loader_ignores_the_schema_line(path: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    text = path.read_text(encoding="utf-8")
    with_line = load_problem(path.relative_to(ROOT))
    without = load_problem_text(LINE.sub("", text, count=1), str(path.relative_to(ROOT)))
    assert LINE.sub("", text, count=1) != text
    render = renderer("json")
    assert render(solve(with_line)) == render(solve(without))
