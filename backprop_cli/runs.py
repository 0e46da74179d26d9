"""Which problems one `backprop solve` run solves, and where each solution goes.

Several files are solved in turn. With `-o DIR` each problem gets DIR/<stem>.<ext>; on standard
output the solutions follow one another (terminal, markdown) or form one JSON object keyed by
file. Nothing here prints or exits: the cli package does, and turns a Clash into a usage error.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import Origin, OutputError, ProblemError
from .files import same_file
from .keys.names import is_key_file, problem_path

EXTENSIONS = {"terminal": ".txt", "markdown": ".md", "json": ".json", "latex": ".tex"}
FILE_SUFFIXES = (".txt", ".md", ".markdown", ".json", ".tex")  # an -o name with one of these names a file
STDIN = "-"  # `backprop solve -` reads the problem from standard input
STDIN_NAME = "<stdin>"  # how errors and headings name it


class Clash(Exception):
    """The outputs asked for cannot be written as asked (a usage error)."""


@dataclass(frozen=True)
class Job:
    """One problem to solve: the file to load, and the note to show when it came from a key."""

    problem: str
    note: str | None = None


def jobs(files: Sequence[str]) -> list[Job]:
    """The problems FILE… name, each once: a key solves its problem, unless that is listed too."""
    listed = {_identity(f) for f in files if not is_key_file(f)}
    out: list[Job] = []
    seen: set[str] = set()
    for f in files:
        job = Job(f)
        if is_key_file(f):  # `backprop solve problems/*.yaml` also meets the answer keys
            problem = str(problem_path(f))
            if _identity(problem) in listed:
                continue
            job = Job(problem, f"note: {f} is an answer key; solving its problem {problem}")
        if _identity(job.problem) not in seen:
            seen.add(_identity(job.problem))
            out.append(job)
    return out


def _identity(path: str) -> str:
    """One spelling per file: a/../q.yaml and ./q.yaml are q.yaml."""
    return STDIN if path == STDIN else str(Path(path).resolve())


def protected(path: str | Path, inputs: Sequence[str]) -> str | None:
    """What writing path would destroy, or None: one of the input files, or an answer key.

    Any name of an answer key (q1.key.yaml) is protected, existing or not, and through a link: an output
    there would replace a key, or be taken for one by backprop check.
    """
    for p in inputs:
        if p != STDIN and same_file(path, p):
            return f"the input file {p}"
    if is_key_file(path) or is_key_file(os.path.realpath(path)):
        return f"the answer key {path}"
    return None


def folder(output: str | None, several: bool) -> Path | None:
    """The directory -o names, or None when it names a file (or is not given).

    -o names a directory when it is one, ends in a slash, or when several problems are solved;
    then an existing file, or a name with a file's suffix (.txt, .md, .json), is a Clash.
    """
    if output is None:
        return None
    path = Path(output)
    if path.is_dir() or output.endswith(("/", "\\")):
        return path
    if not several:
        return None
    if path.exists() or path.suffix.lower() in FILE_SUFFIXES:
        raise Clash(f"-o {output} names a file, but several problems are solved "
                    "(expected a directory for one output per problem, e.g. -o solutions/)")
    return path


def targets(folder: Path, problems: Sequence[str], fmt: str) -> list[Path]:
    """DIR/<stem>.<ext> for each problem; two problems with one stem are a Clash."""
    out = [folder / (("stdin" if p == STDIN else Path(p).stem) + EXTENSIONS[fmt]) for p in problems]
    owners: dict[Path, str] = {}
    for problem, target in zip(problems, out):
        if target in owners:
            raise Clash(f"{owners[target]} and {problem} would both be written to {target} "
                        "(expected problem files with different names)")
        owners[target] = problem
    return out


def make_folder(path: Path) -> None:
    """Create the -o directory and its parents; OutputError if it cannot be."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create the directory: {exc.strerror or exc}") from None


def solved(problem: str, render: Callable[..., str], options: dict, gradient_check: bool = False,
           form: str = "auto") -> str:
    """One problem file, loaded, solved (with the gradient check if asked, in the form asked) and rendered."""
    from .engine import solve
    from .load.document import load_problem, load_problem_text

    checks: dict = {"gradient_check": True} if gradient_check else {}  # only when asked: tests stub solve()
    if form != "auto":
        checks["form"] = form
    loaded = load_problem_text(_stdin_text(), STDIN_NAME) if problem == STDIN else load_problem(problem)
    return render(solve(loaded, **checks), **options)


def _stdin_text() -> str:
    """The problem piped to `backprop solve -`, read as UTF-8."""
    try:
        return sys.stdin.buffer.read().decode("utf-8")
    except (OSError, AttributeError, ValueError) as exc:  # closed, or not UTF-8
        detail = "it is closed" if sys.stdin is None else str(exc)
        raise ProblemError(Origin(STDIN_NAME, 0, ""), f"cannot read standard input: {detail}",
                           "a UTF-8 YAML problem") from None


def heading(fmt: str, problem: str, first: bool) -> str:
    """What stands before a solution on standard output when several follow one another."""
    name = STDIN_NAME if problem == STDIN else problem
    if fmt == "markdown":  # a name holding --> would end the comment early and let the rest be HTML
        return ("" if first else "\n---\n\n") + f"<!-- {name.replace('>', '&gt;')} -->\n"
    return ("" if first else "\n") + f"==> {name} <==\n"


def json_object(solutions: Sequence[tuple[str, str]]) -> str:
    """Several JSON solutions as one object: each problem file, as named, to its solution."""
    import json

    if not solutions:
        return "{}\n"
    items = [f"  {json.dumps(STDIN_NAME if p == STDIN else p, ensure_ascii=False)}: "
             + text.rstrip("\n").replace("\n", "\n  ") for p, text in solutions]
    return "{\n" + ",\n".join(items) + "\n}\n"
