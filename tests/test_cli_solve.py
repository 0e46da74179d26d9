"""`backprop solve` at the command line: plain output, precision, colour, -o, --help, python -m."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from backprop_cli.errors import ExitCode

from helpers import invoke
from problem_files import ROOT

MAZUR = "problems/mazur.yaml"
ANSI = re.compile(r"\x1b\[")


def row(text: str, name: str) -> str:
    """The forward-pass row of a node: the line that starts with its name and a formula."""
    return next(line for line in text.splitlines() if line.startswith(f"{name} ") and "σ(" in line)


@pytest.fixture
def problem(scratch) -> Path:
    """A copy of mazur.yaml in a scratch directory, which is the working directory."""
    return scratch("mazur") / "mazur.yaml"


def test_solve_prints_plain_text(in_root) -> None:
    result = invoke("solve", MAZUR)
    assert result.exit_code == ExitCode.OK
    assert result.stderr == ""
    assert result.stdout.startswith("A step by step backpropagation example (2-2-2 network)\n")
    assert not ANSI.search(result.stdout)  # not a terminal: no escape codes
    assert row(result.stdout, "out_h1").split()[-1] == "0.5933"


def test_precision_6(in_root) -> None:
    result = invoke("solve", MAZUR, "--precision", "6")
    assert result.exit_code == ExitCode.OK
    assert row(result.stdout, "out_h1").split()[-1] == "0.593270"
    assert "σ(0.377500)" in row(result.stdout, "out_h1")


def test_precision_out_of_range_is_a_usage_error(in_root) -> None:
    result = invoke("solve", MAZUR, "--precision", "16")
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    assert "Invalid value for '--precision'" in result.stderr


def test_no_color_even_when_forced_by_the_test_runner(in_root) -> None:
    # CliRunner's stdout is not a terminal, so colour stays off whatever NO_COLOR says.
    for env in ({"NO_COLOR": "1"}, {"NO_COLOR": None}):
        result = invoke("solve", MAZUR, env=env, color=True)
        assert result.exit_code == ExitCode.OK
        assert not ANSI.search(result.stdout)


def _run_on_a_terminal(env_changes: dict) -> str:
    """stdout of `python -m backprop_cli solve mazur.yaml` on a pseudo-terminal."""
    pty = pytest.importorskip("pty")
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    env.update(env_changes)
    controller, terminal = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "backprop_cli", "solve", MAZUR], cwd=ROOT, env=env,
                                stdout=terminal, stderr=subprocess.PIPE)
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed: the program has exited
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=60) == ExitCode.OK, proc.stderr.read()
        proc.stderr.close()
    finally:
        os.close(controller)
    return b"".join(chunks).decode("utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_colour_on_a_terminal_unless_no_color() -> None:
    assert ANSI.search(_run_on_a_terminal({}))
    assert not ANSI.search(_run_on_a_terminal({"NO_COLOR": "1"}))
    assert not ANSI.search(_run_on_a_terminal({"NO_COLOR": ""}))  # no-color.org: present means off
    assert not ANSI.search(_run_on_a_terminal({"TERM": "dumb"}))


def test_python_dash_m(in_root) -> None:
    proc = subprocess.run([sys.executable, "-m", "backprop_cli", "solve", MAZUR, "--width", "100"], cwd=ROOT,
                          check=False,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout == invoke("solve", MAZUR, "--width", "100").stdout


def test_python_dash_m_reports_errors_like_the_script(tmp_path) -> None:
    proc = subprocess.run([sys.executable, "-m", "backprop_cli", "solve", "missing.yaml"], cwd=tmp_path,
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert proc.returncode == ExitCode.INVALID_INPUT
    assert proc.stdout == ""
    assert proc.stderr == "Error: missing.yaml: no such file (expected an existing YAML problem file)\n"


@pytest.mark.parametrize("target", ["mazur.yaml", "./mazur.yaml", "sub/../mazur.yaml", "{abs}", "link.yaml"])
@pytest.mark.parametrize("fmt", [None, "markdown", "json"])
def test_output_never_overwrites_the_problem(problem: Path, target: str, fmt: str | None) -> None:
    (problem.parent / "sub").mkdir()
    try:
        (problem.parent / "link.yaml").symlink_to(problem)
    except OSError:
        if target == "link.yaml":
            pytest.skip("no symbolic links here")
    before = problem.read_bytes()
    target = target.replace("{abs}", str(problem))
    result = invoke("solve", "mazur.yaml", "-o", target, *(["--format", fmt] if fmt else []))
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == "Error: refusing to overwrite the input file mazur.yaml with -o"
    assert "Traceback" not in result.stderr
    assert problem.read_bytes() == before
    assert sorted(p.name for p in problem.parent.iterdir()) == ["link.yaml", "mazur.yaml", "sub"]


def test_output_file_holds_what_stdout_would(problem: Path) -> None:
    result = invoke("solve", "mazur.yaml", "-o", "answer.txt", "--width", "100")
    assert (result.exit_code, result.stdout, result.stderr) == (ExitCode.OK, "", "")
    printed = invoke("solve", "mazur.yaml", "--width", "100").stdout
    assert (problem.parent / "answer.txt").read_text(encoding="utf-8") == printed
    assert not ANSI.search(printed)


def test_output_format_follows_the_suffix(problem: Path) -> None:
    assert invoke("solve", "mazur.yaml", "-o", "answer.json").exit_code == ExitCode.OK
    assert (problem.parent / "answer.json").read_text(encoding="utf-8").lstrip().startswith("{")


def test_invalid_problem_writes_no_output(problem: Path) -> None:
    problem.write_text("title: [\n", encoding="utf-8")
    result = invoke("solve", "mazur.yaml", "-o", "answer.txt")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert not (problem.parent / "answer.txt").exists()


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["solve", "--help"], ["solve", "-h"]])
def test_help(args: list) -> None:
    result = invoke(*args)
    assert result.exit_code == ExitCode.OK
    assert result.stdout.startswith("Usage: ")
    assert result.stderr == ""


def test_solve_help_lists_its_options() -> None:
    text = invoke("solve", "--help").stdout
    for option in ("--format", "--precision", "-o, --output", "--width", "--symbolic", "--traceback"):
        assert option in text


def test_unknown_option_is_a_usage_error(in_root) -> None:
    result = invoke("solve", MAZUR, "--colour")
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    last = result.stderr.splitlines()[-1]  # click words it differently between versions
    assert last.startswith("Error: No such option") and "--colour" in last


def test_missing_argument_is_a_usage_error() -> None:
    result = invoke("solve")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.splitlines()[-1].startswith("Error: Missing argument 'FILE...'")


def test_solving_an_answer_key_solves_its_problem(in_root) -> None:
    """`backprop solve problems/*.yaml` meets the keys too: each solves its own problem, with a note."""
    via_key = invoke("solve", "problems/mazur.key.yaml")
    direct = invoke("solve", "problems/mazur.yaml")
    assert via_key.exit_code == 0
    assert via_key.stdout == direct.stdout
    assert via_key.stderr == ("note: problems/mazur.key.yaml is an answer key; solving its problem "
                              "problems/mazur.yaml\n")


# Several files: `backprop solve problems/*.yaml`.

TWO = ("mazur", "seed000_two_path")


def single(name: str, *args: str) -> str:
    """What `backprop solve NAME.yaml ARGS` prints on its own."""
    result = invoke("solve", f"{name}.yaml", *args)
    assert result.exit_code == ExitCode.OK, result.stderr
    return result.stdout


def test_several_files_follow_one_another_each_under_its_name(scratch) -> None:
    scratch(*TWO)
    result = invoke("solve", "mazur.yaml", "seed000_two_path.yaml", "--width", "80")
    assert (result.exit_code, result.stderr) == (ExitCode.OK, "")
    assert result.stdout == ("==> mazur.yaml <==\n" + single("mazur", "--width", "80") +
                             "\n==> seed000_two_path.yaml <==\n" + single("seed000_two_path", "--width", "80"))


def test_several_markdown_documents_are_separated_by_a_rule(scratch) -> None:
    scratch(*TWO)
    result = invoke("solve", "mazur.yaml", "seed000_two_path.yaml", "--format", "markdown")
    assert result.exit_code == ExitCode.OK
    first, second = (single(name, "--format", "markdown") for name in TWO)
    assert result.stdout == ("<!-- mazur.yaml -->\n" + first +
                             "\n---\n\n<!-- seed000_two_path.yaml -->\n" + second)


def test_several_json_solutions_form_one_object_keyed_by_file(scratch) -> None:
    scratch(*TWO)
    result = invoke("solve", "seed000_two_path.yaml", "mazur.yaml", "--format", "json")
    assert result.exit_code == ExitCode.OK
    document = json.loads(result.stdout)
    assert list(document) == ["seed000_two_path.yaml", "mazur.yaml"]
    for name in TWO:
        assert document[f"{name}.yaml"] == json.loads(single(name, "--format", "json"))


@pytest.mark.parametrize(("fmt", "ext"), [(None, "txt"), ("markdown", "md"), ("json", "json")])
def test_output_directory_gets_one_file_per_problem(scratch, fmt: str | None, ext: str) -> None:
    folder = scratch(*TWO)
    options = ["--format", fmt] if fmt else []
    result = invoke("solve", "mazur.yaml", "seed000_two_path.yaml", "-o", "out/solutions", *options)
    assert (result.exit_code, result.stdout, result.stderr) == (ExitCode.OK, "", "")
    written = folder / "out" / "solutions"
    assert sorted(p.name for p in written.iterdir()) == [f"{name}.{ext}" for name in TWO]
    for name in TWO:
        assert (written / f"{name}.{ext}").read_text(encoding="utf-8") == single(name, *options)


def test_an_existing_directory_takes_even_one_output(scratch) -> None:
    folder = scratch("mazur")
    (folder / "out").mkdir()
    result = invoke("solve", "mazur.yaml", "-o", "out", "--format", "markdown")
    assert (result.exit_code, result.stdout, result.stderr) == (ExitCode.OK, "", "")
    assert (folder / "out" / "mazur.md").read_text(encoding="utf-8") == single("mazur", "--format", "markdown")


@pytest.mark.parametrize("target", ["answer.txt", "answer.md", "existing"])
def test_output_file_with_several_problems_is_a_usage_error(scratch, target: str) -> None:
    folder = scratch(*TWO)
    (folder / "existing").write_text("keep\n", encoding="utf-8")
    result = invoke("solve", "mazur.yaml", "seed000_two_path.yaml", "-o", target)
    assert (result.exit_code, result.stdout) == (ExitCode.USAGE, "")
    assert result.stderr.splitlines()[-1] == (
        f"Error: -o {target} names a file, but several problems are solved "
        "(expected a directory for one output per problem, e.g. -o solutions/)")
    assert sorted(p.name for p in folder.iterdir()) == ["existing", "mazur.yaml", "seed000_two_path.yaml"]
    assert (folder / "existing").read_text(encoding="utf-8") == "keep\n"


def test_two_problems_with_one_name_cannot_share_a_directory(scratch) -> None:
    folder = scratch("mazur")
    (folder / "other").mkdir()
    (folder / "other" / "mazur.yaml").write_bytes((folder / "mazur.yaml").read_bytes())
    result = invoke("solve", "mazur.yaml", "other/mazur.yaml", "-o", "out")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.splitlines()[-1] == (
        f"Error: mazur.yaml and other/mazur.yaml would both be written to {Path('out') / 'mazur.txt'} "
        "(expected problem files with different names)")
    assert not (folder / "out").exists()


def test_an_invalid_file_does_not_stop_the_others(scratch) -> None:
    folder = scratch(*TWO)
    (folder / "bad.yaml").write_text("title: [\n", encoding="utf-8")
    result = invoke("solve", "mazur.yaml", "bad.yaml", "seed000_two_path.yaml")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr == ("Error: bad.yaml:2: YAML syntax error: expected the node content, but found the end "
                             "of the file (expected valid YAML)\n")
    assert result.stdout == ("==> mazur.yaml <==\n" + single("mazur") +
                             "\n==> seed000_two_path.yaml <==\n" + single("seed000_two_path"))


def test_the_run_exits_with_the_highest_code_met(scratch) -> None:
    folder = scratch(*TWO)
    (folder / "bad.yaml").write_text("title: [\n", encoding="utf-8")
    (folder / "out" / "mazur.txt").mkdir(parents=True)  # mazur's output cannot be written
    result = invoke("solve", "bad.yaml", "mazur.yaml", "seed000_two_path.yaml", "-o", "out")
    assert result.exit_code == ExitCode.CANNOT_WRITE
    *errors, last = result.stderr.splitlines()
    assert [line.split(":")[0:2] for line in errors] == [["Error", " bad.yaml"], ["Error", " out/mazur.txt"]]
    assert last == "wrote 1 of 3 solutions (not written: out/bad.txt, out/mazur.txt)"
    assert (folder / "out" / "seed000_two_path.txt").read_text(encoding="utf-8") == single("seed000_two_path")


def test_a_key_is_skipped_when_its_problem_is_listed(scratch) -> None:
    folder = scratch(*TWO)
    shutil.copyfile(ROOT / "problems" / "mazur.key.yaml", folder / "mazur.key.yaml")
    shutil.copyfile(ROOT / "problems" / "seed000_two_path.key.yaml", folder / "seed000_two_path.key.yaml")
    alone = invoke("solve", "mazur.key.yaml", "mazur.yaml")  # one problem: printed as on its own
    assert (alone.exit_code, alone.stdout, alone.stderr) == (ExitCode.OK, single("mazur"), "")
    both = invoke("solve", "mazur.key.yaml", "mazur.yaml", "seed000_two_path.key.yaml")
    assert both.stderr == ("note: seed000_two_path.key.yaml is an answer key; solving its problem "
                           "seed000_two_path.yaml\n")
    assert both.stdout == ("==> mazur.yaml <==\n" + single("mazur") +
                           "\n==> seed000_two_path.yaml <==\n" + single("seed000_two_path"))


def test_a_problem_named_twice_is_solved_once(scratch) -> None:
    scratch("mazur")
    result = invoke("solve", "mazur.yaml", "./mazur.yaml", "sub/../mazur.yaml")
    assert (result.exit_code, result.stdout) == (ExitCode.OK, single("mazur"))


def test_an_output_directory_never_replaces_an_input(scratch) -> None:
    folder = scratch(*TWO)
    (folder / "mazur.txt").write_text("title: a problem file that happens to end in .txt\n", encoding="utf-8")
    before = (folder / "mazur.txt").read_bytes()
    result = invoke("solve", "mazur.txt", "seed000_two_path.yaml", "-o", ".")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.splitlines()[-1] == "Error: refusing to overwrite the input file mazur.txt with -o"
    assert (folder / "mazur.txt").read_bytes() == before
    assert not (folder / "seed000_two_path.txt").exists()
