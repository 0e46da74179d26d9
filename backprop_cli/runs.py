"""Which problems one `backprop solve` run solves, and where each solution goes.

Several files are solved in turn. With `-o DIR` each problem gets DIR/<stem>.<ext>; on standard
output the solutions follow one another (terminal, markdown) or form one JSON object keyed by
file. Nothing here prints or exits: cli.py does, and turns a Clash into a usage error.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError
from .keys.names import is_key_file, problem_path

EXTENSIONS = {"terminal": ".txt", "markdown": ".md", "json": ".json"}
FILE_SUFFIXES = (".txt", ".md", ".markdown", ".json")  # an -o name with one of these names a file


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
    return str(Path(path).resolve())


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
    out = [folder / (Path(p).stem + EXTENSIONS[fmt]) for p in problems]
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


def solved(problem: str, render: Callable[..., str], options: dict, gradient_check: bool = False) -> str:
    """One problem file, loaded, solved (with the gradient check if asked) and rendered with options."""
    from .engine import solve
    from .load.document import load_problem

    checks = {"gradient_check": True} if gradient_check else {}  # only when asked: tests stub solve()
    return render(solve(load_problem(problem), **checks), **options)


def heading(fmt: str, problem: str, first: bool) -> str:
    """What stands before a solution on standard output when several follow one another."""
    if fmt == "markdown":
        return ("" if first else "\n---\n\n") + f"<!-- {problem} -->\n"
    return ("" if first else "\n") + f"==> {problem} <==\n"


def json_object(solutions: Sequence[tuple[str, str]]) -> str:
    """Several JSON solutions as one object: each problem file, as named, to its solution."""
    import json

    if not solutions:
        return "{}\n"
    items = [f"  {json.dumps(p, ensure_ascii=False)}: " + text.rstrip("\n").replace("\n", "\n  ")
             for p, text in solutions]
    return "{\n" + ",\n".join(items) + "\n}\n"
