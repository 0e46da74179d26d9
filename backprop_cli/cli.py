"""The command line: the only module that prints, exits, or imports click."""
from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sys
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NoReturn

import click

from .errors import BackpropError, ExitCode
from .render import RENDERERS, SUFFIXES, renderer


def _internal(exc: Exception) -> str:
    """The one-line message of an unexpected exception: a bug in backprop-cli."""
    detail = " ".join(str(exc).split())  # one line, whatever the exception says
    return f"internal error: {type(exc).__name__}: {detail} (re-run with --traceback and report it)"


def error_boundary(func):
    """Turn expected errors into one line on stderr and an exit code; tracebacks only on request."""

    @click.option("--traceback", "show_traceback", is_flag=True, help="Show a traceback on errors.")
    @functools.wraps(func)
    def wrapper(*args, show_traceback: bool = False, **kwargs):
        try:
            return func(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BackpropError as exc:  # expected: each error class carries its exit code
            _fail(exc.exit_code, str(exc), show_traceback)
        except Exception as exc:  # noqa: BLE001 - the boundary of the whole program
            _fail(ExitCode.INTERNAL, _internal(exc), show_traceback)

    return wrapper


def _fail(code: int, message: str, show_traceback: bool) -> NoReturn:
    """One line on stderr (after the traceback, when asked for) and the exit code."""
    if show_traceback:
        traceback.print_exc()
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def _width(given: int | None) -> int:
    if given:
        return given
    if sys.stdout.isatty():
        return shutil.get_terminal_size((100, 24)).columns
    return int(os.environ.get("COLUMNS", "100") or 100)


def _color(output: str | None) -> bool:
    return output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ \
        and os.environ.get("TERM") != "dumb"


def _write(path: str, text: str, inputs: list[str]) -> None:
    """Write an output file the user named, refusing to overwrite one of the input files."""
    from .files import write_atomic

    _refuse_inputs(path, inputs)
    write_atomic(path, text)


def _refuse_inputs(path: str, inputs: list[str]) -> None:
    """A usage error if path is one of the input files."""
    from .files import same_file

    for p in inputs:
        if same_file(path, p):
            raise click.UsageError(f"refusing to overwrite the input file {p} with -o")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backprop-cli")
def main() -> None:
    """Step-by-step backpropagation solutions from YAML problem files."""


@main.command()
@click.argument("files", metavar="FILE...", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(list(RENDERERS)), default=None,
              help="Output format (default: terminal, or inferred from -o FILE).")
@click.option("--precision", type=click.IntRange(0, 15), default=4, show_default=True,
              help="Decimals shown; arithmetic always uses full float64.")
@click.option("-o", "--output", metavar="FILE|DIR", type=click.Path(path_type=str), default=None,
              help="Write to FILE instead of standard output; with several problems, or a directory, "
                   "one DIR/<name>.<txt|md|json> per problem.")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width to lay out for.")
@click.option("--symbolic", is_flag=True, help="Also show the backward pass as a derivation in symbols.")
@click.option("--gradient-check", is_flag=True, help="Show each gradient beside a central finite difference "
              "of the loss and their relative error, flagging disagreements.")
@click.option("--full", is_flag=True, help="Show every sample of a batch of more than 10, not only the first 3 "
              "and the totals (JSON always has every sample).")
@error_boundary
def solve(files: tuple[str, ...], fmt: str | None, precision: int, output: str | None, width: int | None,
          symbolic: bool, gradient_check: bool, full: bool) -> None:
    """Solve each FILE step by step: forward pass, loss, backward pass, update.

    Several files are solved in turn, each under a line naming it (markdown: separated by ---,
    JSON: one object mapping each file to its solution). An answer key solves its problem, and is
    skipped when its problem is listed too. An invalid file is reported and the others are still
    solved; the run then exits with the highest exit code met.
    """
    from .runs import Clash, folder, jobs, make_folder, solved, targets

    todo = jobs(files)
    several = len(todo) > 1
    try:
        into = folder(output, several)
        if fmt is None:
            fmt = SUFFIXES.get(Path(output).suffix.lower(), "terminal") if output and into is None else "terminal"
        paths = targets(into, [j.problem for j in todo], fmt) if into is not None else []
    except Clash as exc:
        raise click.UsageError(str(exc)) from None
    inputs = [*files, *(j.problem for j in todo)]
    for path in paths:
        _refuse_inputs(str(path), inputs)
    if into is not None:
        make_folder(into)
    options = {"precision": precision, "width": _width(width), "color": _color(output),
               **({"symbolic": True} if symbolic else {}), **({"full": True} if full else {})}
    errors, shown = [], []
    for n, job in enumerate(todo):
        if job.note:
            click.echo(job.note, err=True)
        try:
            with _warnings(), _progress_bar():
                text = solved(job.problem, renderer(fmt), options, gradient_check=gradient_check)
            if paths:
                _write(str(paths[n]), text, inputs)
            elif output:
                _write(output, text, [job.problem])
            elif several:
                shown.append((job.problem, text))
                _show_one(fmt, job.problem, text, first=len(shown) == 1, color=_color(output))
            else:
                click.echo(text, nl=not text.endswith("\n"))
        except BackpropError as exc:
            if not several:
                raise
            click.echo(f"Error: {exc}", err=True)
            errors.append(exc)
    if several and not output and fmt == "json":
        from .runs import json_object

        click.echo(json_object(shown), nl=False)
    if errors:
        _exit_after(errors)


@contextlib.contextmanager
def _warnings() -> Iterator[None]:
    """Each warning the loader makes, one line on stderr once the work is done (an error comes after)."""
    from .notices import listening

    found: list[str] = []
    try:
        with listening(found.append):
            yield
    finally:
        for line in found:
            click.echo(f"Warning: {line}", err=True)


@contextlib.contextmanager
def _progress_bar() -> Iterator[None]:
    """A bar on stderr for work that runs longer than a second, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield
        return
    import threading

    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from .progress import watched

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                   TimeElapsedColumn(), console=Console(stderr=True), transient=True)
    lock, finished = threading.Lock(), threading.Event()
    current: dict = {}  # stage -> its task: each stage gets a bar of its own, the one before is hidden

    def listen(stage: str, done: int, total: int | None) -> None:
        if stage not in current:
            for task in current.values():
                bar.update(task, visible=False)
            current[stage] = bar.add_task(stage, total=total)
        bar.update(current[stage], completed=done, total=total)

    def show() -> None:
        with lock:
            if not finished.is_set():
                bar.start()

    timer = threading.Timer(1.0, show)  # a quick run never shows a bar
    timer.daemon = True
    timer.start()
    try:
        with watched(listen):
            yield
    finally:
        with lock:
            finished.set()
            timer.cancel()
            bar.stop()


def _show_one(fmt: str, problem: str, text: str, first: bool, color: bool) -> None:
    """One of several solutions on standard output, under the line naming its file (JSON: at the end)."""
    from .runs import heading

    if fmt == "json":
        return
    head = heading(fmt, problem, first)
    click.echo(click.style(head, bold=True) if color and fmt == "terminal" else head, nl=False)
    click.echo(text, nl=not text.endswith("\n"))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--force", is_flag=True, help="Overwrite a key that exists and differs (it may be hand-edited).")
@error_boundary
def key(files: tuple[str, ...], force: bool) -> None:
    """Write an answer key beside each problem FILE.

    q1.yaml gets q1.key.yaml, holding every quantity of its solution; the problem is never touched.
    Key files among FILE are skipped, so `backprop key problems/*.yaml` can be re-run. Symbolic problems
    are skipped with a note. Exit codes: 0 done, 2 an existing key differs and --force was not given,
    3 a problem is invalid (the others are still keyed).
    """
    from .keys.write import write_keys

    results = []
    for result in write_keys(files, force):
        results.append(result)
        if result.error is not None:
            click.echo(f"Error: {result.error}", err=True)
        elif result.status == "symbolic":
            click.echo(f"skipped {result.problem}: a symbolic problem has no numbers to key", err=True)
        elif result.status == "unchanged":
            click.echo(f"unchanged {result.key}")
        else:
            click.echo(f"wrote {result.key} ({result.quantities} quantities)")
    _exit_after(r.error for r in results)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Report format.")
@click.option("--junit-xml", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Also write a JUnit XML report to FILE (one testcase per problem).")
@click.option("--update", is_flag=True, help="Rewrite the values that differ from the solver, keeping each "
              "key's quantities, precision and comments.")
@error_boundary
def check(paths: tuple[str, ...], fmt: str, junit_xml: str | None, update: bool) -> None:
    """Compare answer keys with the solver.

    Recomputes every problem under PATH that has a key (q1.yaml beside q1.key.yaml); directories are
    searched recursively. Exit codes: 0 every value agrees, 1 a value differs,
    2 usage (no problem with a key found), 3 a problem or key is invalid (the others are still checked).
    Under GitHub Actions (GITHUB_ACTIONS=true) each failure is also an ::error annotation on its key line.
    """
    from .keys.check import check_target, find_targets
    from .keys.report import github_annotations, json_report, junit_report, text_report

    targets = find_targets(list(paths))
    if not targets:
        raise click.UsageError(f"no problem with an answer key under {', '.join(paths)} "
                               "(expected q1.yaml beside q1.key.yaml; write keys with backprop key FILE)")
    if update:
        if fmt != "text" or junit_xml:
            raise click.UsageError("--update reports in text only: leave out --format and --junit-xml")
        _update(targets)  # exits
    outcomes = [check_target(t) for t in targets]
    click.echo(json_report(outcomes) if fmt == "json" else text_report(outcomes))
    for o in outcomes:
        if o.status == "invalid":
            click.echo(f"Error: {o.error}", err=True)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for line in github_annotations(outcomes):
            click.echo(line, err=fmt == "json")  # stdout is the JSON document
    if junit_xml:
        Path(junit_xml).parent.mkdir(parents=True, exist_ok=True)  # as pytest does for reports/junit.xml
        _write(junit_xml, junit_report(outcomes), [f for t in targets for f in (t.problem, t.key)])
    statuses = {o.status for o in outcomes}
    sys.exit(ExitCode.INVALID_INPUT if "invalid" in statuses else
             ExitCode.CHECK_FAILED if "fail" in statuses else ExitCode.OK)


def _update(targets: list) -> NoReturn:
    """check --update: rewrite what drifted, show each change, exit 0 (or 3 if a file is invalid)."""
    from .keys.update import summary, update_keys

    updates = []
    for update in update_keys(targets):
        updates.append(update)
        if update.error is not None:
            click.echo(f"INVALID {update.problem}: {update.error}")
            click.echo(f"Error: {update.error}", err=True)
        else:
            click.echo(f"{update.status} {update.key}")
            for name, old, new in update.changes:
                click.echo(f"  {name}: {old} -> {new}")
    click.echo(summary(updates))
    _exit_after(u.error for u in updates)


def _exit_after(errors: Iterable[BackpropError | None]) -> NoReturn:
    """End a run that went on past its errors: 0 without any, else the gravest one's code.

    The codes that can occur here rank by number: an invalid file (3) outranks a refused key (2).
    """
    sys.exit(max((e.exit_code for e in errors if e is not None), default=ExitCode.OK))


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the schema to FILE instead of standard output.")
@error_boundary
def schema(output: str | None) -> None:
    """Print the JSON Schema of the problem format, for editors (generated from its one declaration)."""
    from .load.format import schema_text

    text = schema_text()
    if output:
        _write(output, text, [])
    else:
        click.echo(text, nl=not text.endswith("\n"))
