"""Every output goes through one writer: what it does to what is already at the path, and how a failing
output (a full disk, a closed pipe, a signal) ends the run."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from backprop_cli.errors import ExitCode
from backprop_cli.files import output_bytes, utf8, write_output

from helpers import invoke
from problem_files import ROOT

MAZUR = (ROOT / "problems" / "mazur.yaml").read_text(encoding="utf-8")
TITLE = "title: A step by step backpropagation example (2-2-2 network)"


def value(name: str) -> str:
    """A quantity of mazur.yaml as a full key writes it."""
    from backprop_cli.engine import solve
    from backprop_cli.keys.keyfile import quantities
    from backprop_cli.load.document import load_problem_text

    return repr(quantities(solve(load_problem_text(MAZUR)))[name])


@pytest.fixture
def folder(scratch) -> Path:
    """mazur.yaml in a scratch working directory."""
    return scratch("mazur")


def solution(*args: str) -> str:
    result = invoke("solve", "mazur.yaml", *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.tmp"))


def run(*args: str, stdin=None, stdout=subprocess.PIPE, cwd: Path, env: dict | None = None):
    """backprop ARGS in its own process: for what a test runner's streams cannot show (fds, signals)."""
    return subprocess.run([sys.executable, "-m", "backprop_cli", *args], cwd=cwd, stdin=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, env={**os.environ, **(env or {})}, timeout=120)


# What is already at the path.


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_output_or_key_gets_the_umasks_mode(folder: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        assert invoke("solve", "mazur.yaml", "-o", "out.txt").exit_code == 0
        assert invoke("key", "mazur.yaml").exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((folder / "out.txt").stat().st_mode) == mode
    assert stat.S_IMODE((folder / "mazur.key.yaml").stat().st_mode) == mode


def test_an_existing_file_keeps_its_mode_through_o_key_and_update(folder: Path) -> None:
    out, key = folder / "out.md", folder / "mazur.key.yaml"
    out.write_text("old\n", encoding="utf-8")
    key.write_text("values:\n  w5+: 0.3\n", encoding="utf-8")
    out.chmod(0o640)
    key.chmod(0o604)
    assert invoke("solve", "mazur.yaml", "-o", "out.md").exit_code == 0
    assert invoke("check", "--update", "mazur.yaml").exit_code == 0
    assert key.read_text(encoding="utf-8") == f"values:\n  w5+: {value('w5+')}\n"
    assert (stat.S_IMODE(out.stat().st_mode), stat.S_IMODE(key.stat().st_mode)) == (0o640, 0o604)
    assert invoke("key", "mazur.yaml", "--force").exit_code == 0
    assert stat.S_IMODE(key.stat().st_mode) == 0o604


def test_a_symbolic_link_is_followed_and_kept(folder: Path) -> None:
    (folder / "real").mkdir()
    (folder / "real" / "out.txt").write_text("old\n", encoding="utf-8")
    (folder / "link.txt").symlink_to("real/out.txt")
    assert invoke("solve", "mazur.yaml", "-o", "link.txt").exit_code == 0
    assert (folder / "link.txt").is_symlink()
    assert (folder / "real" / "out.txt").read_text(encoding="utf-8") == solution()
    assert leftovers(folder) == []


def test_a_read_only_file_is_not_replaced(folder: Path) -> None:
    out = folder / "out.txt"
    out.write_text("keep me\n", encoding="utf-8")
    out.chmod(0o444)  # no write bit for anyone: read-only even for root
    result = invoke("solve", "mazur.yaml", "-o", "out.txt")
    assert (result.exit_code, result.stderr) == (ExitCode.CANNOT_WRITE, "Error: out.txt: cannot write: the file "
                                                 "is read-only (expected a file you may write; it was not changed)\n")
    assert out.read_text(encoding="utf-8") == "keep me\n" and stat.S_IMODE(out.stat().st_mode) == 0o444


def test_a_device_is_written_and_never_replaced(folder: Path) -> None:
    before = os.stat("/dev/null")
    assert invoke("solve", "mazur.yaml", "-o", "/dev/null").exit_code == 0
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_fifo_is_written_through(folder: Path) -> None:
    fifo = folder / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = invoke("solve", "mazur.yaml", "-o", "pipe")
    reader.join(30)
    assert result.exit_code == 0 and got == [solution().encode("utf-8")]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_dev_stdout_writes_to_the_shells_file_and_appends(folder: Path) -> None:
    log = folder / "log.txt"
    log.write_text("before\n", encoding="utf-8")
    with open(log, "ab") as handle:  # as `>> log.txt`
        result = run("solve", "mazur.yaml", "-o", "/dev/stdout", stdout=handle, cwd=folder)
    assert result.returncode == 0, result.stderr
    assert log.read_text(encoding="utf-8") == "before\n" + solution()


def test_crlf_line_endings_are_kept_by_update_and_key(folder: Path) -> None:
    key = folder / "mazur.key.yaml"
    key.write_bytes(b"# hand-written\r\nvalues:\r\n  w5+: 0.3  # drifted\r\n  w6+: 0.40870184\r\n")
    result = invoke("check", "--update", "mazur.yaml")
    assert result.exit_code == 0, result.output
    assert key.read_bytes() == (f"# hand-written\r\nvalues:\r\n  w5+: {value('w5+')}  # drifted\r\n"
                                f"  w6+: {value('w6+')}\r\n").encode()
    assert invoke("key", "mazur.yaml", "--force").exit_code == 0
    assert b"\r\n" in key.read_bytes() and b"\n" not in key.read_bytes().replace(b"\r\n", b"")
    again = invoke("key", "mazur.yaml")  # the same key with CRLF is the same key
    assert (again.exit_code, again.stdout) == (0, "unchanged mazur.key.yaml\n")


# What an output may not replace.


@pytest.mark.parametrize("name,exists", [("mazur.key.yaml", True), ("mazur.key.yaml", False),
                                         ("other.key.yml", True), ("link.txt", True)])
def test_solve_o_never_writes_an_answer_key(folder: Path, name: str, exists: bool) -> None:
    key = folder / "mazur.key.yaml"
    if exists:
        key.write_text("values:\n  w5+: 0.3589\n", encoding="utf-8")
        (folder / "other.key.yml").write_text("values:\n  w5+: 0.3589\n", encoding="utf-8")
        (folder / "link.txt").symlink_to("mazur.key.yaml")
    result = invoke("solve", "mazur.yaml", "-o", name)
    shown = "link.txt" if name == "link.txt" else name
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (
        ExitCode.USAGE, f"Error: refusing to overwrite the answer key {shown} with -o")
    assert key.exists() == exists and (not exists or key.read_text(encoding="utf-8") == "values:\n  w5+: 0.3589\n")


def test_junit_xml_names_its_own_option_when_it_refuses(folder: Path) -> None:
    assert invoke("key", "mazur.yaml").exit_code == 0
    result = invoke("check", "mazur.yaml", "--junit-xml", "mazur.yaml")
    assert (result.exit_code, result.stdout, result.stderr.splitlines()[-1]) == (
        ExitCode.USAGE, "", "Error: refusing to overwrite the input file mazur.yaml with --junit-xml")


def test_a_key_linked_to_a_problem_is_refused_and_the_next_problem_is_still_keyed(folder: Path) -> None:
    (folder / "b.yaml").write_text(MAZUR, encoding="utf-8")
    (folder / "other.yaml").write_text(MAZUR, encoding="utf-8")
    (folder / "b.key.yaml").symlink_to("other.yaml")
    result = invoke("key", "b.yaml", "mazur.yaml", "--force")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr == (f"Error: b.key.yaml: the key is a link to {folder.resolve() / 'other.yaml'}, which is "
                             "not an answer key (expected a link to a *.key.yaml file, or a plain file; nothing was "
                             "written)\n")
    assert result.stdout == "wrote mazur.key.yaml (44 quantities)\n"
    assert (folder / "other.yaml").read_text(encoding="utf-8") == MAZUR


# Partial runs: exit 4, and the messages say what was and was not written.


def test_a_partial_update_names_what_was_written_and_what_was_not(folder: Path) -> None:
    (folder / "b.yaml").write_text(MAZUR, encoding="utf-8")
    drifted = "values:\n  w5+: 0.3\n"
    for name in ("mazur", "b"):
        (folder / f"{name}.key.yaml").write_text(drifted, encoding="utf-8")
    (folder / "b.key.yaml").chmod(0o444)
    result = invoke("check", "--update", ".")
    assert result.exit_code == ExitCode.CANNOT_WRITE
    message = ("b.key.yaml: cannot write: the file is read-only (expected a file you may write; it was not changed)")
    assert result.stdout.splitlines() == [f"NOT WRITTEN b.key.yaml: {message}", "updated mazur.key.yaml",
                                          f"  w5+: 0.3 -> {value('w5+')}", "1 updated, 0 unchanged, 1 not written"]
    assert result.stderr == f"Error: {message}\n"
    assert (folder / "b.key.yaml").read_text(encoding="utf-8") == drifted
    assert leftovers(folder) == []


def test_a_failed_write_leaves_no_temporary_file(folder: Path, monkeypatch) -> None:
    from backprop_cli import files

    def full(fd, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "_write_all", full)
    (folder / "out.txt").write_text("old\n", encoding="utf-8")
    result = invoke("solve", "mazur.yaml", "-o", "out.txt")
    assert (result.exit_code, result.stderr) == (ExitCode.CANNOT_WRITE,
                                                 "Error: out.txt: cannot write: No space left on device\n")
    assert (folder / "out.txt").read_text(encoding="utf-8") == "old\n" and leftovers(folder) == []


SLOW_WRITER = """
import sys, time
import backprop_cli.files as files

def slow(fd, data):
    sys.stderr.write("writing\\n")
    sys.stderr.flush()
    time.sleep(60)

files._write_all = slow
sys.argv[0] = "backprop"
from backprop_cli.cli import main
main()
"""


@pytest.mark.parametrize("signum,code,word", [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")])
def test_a_signal_while_writing_leaves_the_file_and_no_temporary(folder: Path, signum: int, code: int,
                                                                  word: str) -> None:
    (folder / "out.txt").write_text("old\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, "solve", "mazur.yaml", "-o", "out.txt"], cwd=folder,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None and proc.stderr.readline() == "writing\n"
    assert len(leftovers(folder)) == 1  # the temporary file exists while the write is under way
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=30)
    assert (proc.returncode, out, err) == (code, "", f"Error: {word}\n")
    assert (folder / "out.txt").read_text(encoding="utf-8") == "old\n" and leftovers(folder) == []


# Standard output that fails.


def test_a_full_disk_on_standard_output_exits_4(folder: Path) -> None:
    with open("/dev/full", "wb") as full:
        result = run("solve", "mazur.yaml", stdout=full, cwd=folder)
    assert (result.returncode, result.stderr) == (
        ExitCode.CANNOT_WRITE, b"Error: standard output: cannot write: No space left on device\n")


def test_a_closed_standard_output_exits_4(folder: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "backprop_cli", "solve", "mazur.yaml"], cwd=folder,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60,
                          preexec_fn=lambda: os.close(1))
    assert (proc.returncode, proc.stderr) == (ExitCode.CANNOT_WRITE,
                                              b"Error: standard output: cannot write: it is closed\n")


def test_a_reader_that_goes_away_ends_the_run_quietly(folder: Path) -> None:
    for n in range(2, 40):  # enough output to outlast the pipe's buffer
        (folder / f"q{n}.yaml").write_text(MAZUR, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "backprop_cli", "solve", *sorted(os.listdir(folder))],
                            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()  # `| head -1`
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert (proc.returncode, err) == (ExitCode.CANNOT_WRITE, b"")


@pytest.mark.parametrize("columns", ["abc", "", "0", "-3", "12", "1e9", "²", "99999999999"])
def test_columns_that_are_not_a_width_are_ignored_or_clamped(folder: Path, monkeypatch, columns: str) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setenv("LINES", columns)  # rich would read both
    width = 40 if columns == "12" else 100  # too narrow: the narrowest --width; too wide or no number: ignored
    assert solution() == solution("--width", str(width))


def test_a_junit_folder_that_cannot_be_created_exits_4(folder: Path) -> None:
    assert invoke("key", "mazur.yaml").exit_code == 0
    result = invoke("check", "mazur.yaml", "--junit-xml", "mazur.yaml/report.xml")
    assert (result.exit_code, result.stderr) == (
        ExitCode.CANNOT_WRITE, "Error: mazur.yaml: cannot create the directory: File exists\n")


# Encoding.


def test_lone_surrogates_become_the_replacement_character() -> None:
    assert utf8("a\ud800b\udcff") == "a\ufffdb\ufffd"
    assert utf8("\ud83d\ude00") == "\U0001f600"  # a pair written as two characters is its one character
    assert output_bytes("no/such/file", "t\ud800\n") == "t\ufffd\n".encode()


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "json"])
def test_a_lone_surrogate_in_a_title_is_written(folder: Path, fmt: str) -> None:
    (folder / "s.yaml").write_text(MAZUR.replace(TITLE, 'title: "\\ud800 A step"'), encoding="utf-8")
    shown = invoke("solve", "s.yaml", "--format", fmt)
    written = invoke("solve", "s.yaml", "--format", fmt, "-o", "s.out")
    assert (shown.exit_code, written.exit_code) == (0, 0)
    assert "\ufffd" in shown.stdout
    assert (folder / "s.out").read_text(encoding="utf-8") == shown.stdout


def test_a_file_name_that_is_not_utf8(folder: Path) -> None:
    name = os.fsdecode(b"q\xff.yaml")
    (folder / name).write_text(MAZUR, encoding="utf-8")
    keyed = invoke("key", name)
    assert (keyed.exit_code, keyed.stdout) == (0, "wrote q\ufffd.key.yaml (44 quantities)\n")
    key = folder / os.fsdecode(b"q\xff.key.yaml")
    assert key.read_text(encoding="utf-8").startswith("# Answer key for q\\udcff.yaml:")  # an escape: YAML reads it
    assert invoke("check", name).exit_code == 0
    out = os.fsdecode(b"out\xfe.txt")
    assert invoke("solve", name, "-o", out).exit_code == 0
    assert (folder / out).read_text(encoding="utf-8") == solution()


# backprop solve - reads the problem from standard input.


def test_solve_dash_reads_standard_input(folder: Path) -> None:
    result = invoke("solve", "-", input=MAZUR)
    assert (result.exit_code, result.stdout) == (0, solution())
    broken = invoke("solve", "-", input="title: [\n")
    assert broken.exit_code == ExitCode.INVALID_INPUT and broken.stderr.startswith("Error: <stdin>:")
    both = invoke("solve", "-", "mazur.yaml", input=MAZUR)
    assert both.stdout.startswith("==> <stdin> <==\n")


def test_the_writer_refuses_a_directory(tmp_path: Path) -> None:
    from backprop_cli.errors import OutputError

    with pytest.raises(OutputError, match="it is a directory"):
        write_output(tmp_path, "x")


def test_control_characters_in_names_are_escaped_on_the_terminal(folder: Path) -> None:
    name = "q\x1b]0;owned\x07.yaml"
    missing = invoke("solve", name)
    assert missing.stderr == "Error: q\\x1b]0;owned\\x07.yaml: no such file (expected an existing YAML problem file)\n"
    (folder / name).write_text(MAZUR, encoding="utf-8")
    both = invoke("solve", name, "mazur.yaml")
    assert both.stdout.startswith("==> q\\x1b]0;owned\\x07.yaml <==\n") and "\x1b" not in both.stdout
    keyed = invoke("key", name)
    assert keyed.stdout == "wrote q\\x1b]0;owned\\x07.key.yaml (44 quantities)\n"
    assert invoke("check", name).exit_code == 0  # the key's header comment names the file with escapes
