"""backprop solve: one problem or several, in any format, with the progress bar and warnings."""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from ..errors import BackpropError
from ..render import RENDERERS, SUFFIXES, renderer
from . import main
from .boundary import (
    _color,
    _echo,
    _exit_after,
    _printable,
    _refuse,
    _say_error,
    _StdoutFailed,
    _usage,
    _width,
    _write,
    error_boundary,
)


@main.command()
@click.argument("files", metavar="FILE...", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(list(RENDERERS)), default=None,
              help="Output format (default: terminal, or inferred from -o FILE).")
@click.option("--precision", type=click.IntRange(0, 15), default=None,
              help="Decimals shown (default 4, or N with --round N); arithmetic is full float64 unless --round.")
@click.option("-o", "--output", metavar="FILE|DIR", type=click.Path(path_type=str), default=None,
              help="Write to FILE instead of standard output; with several problems, or a directory, "
                   "one DIR/<name>.<txt|md|json|tex> per problem.")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width to lay out for.")
@click.option("--symbolic", is_flag=True, help="Also show the backward pass as a derivation in symbols.")
@click.option("--gradient-check", is_flag=True, help="Show each gradient beside a central finite difference "
              "of the loss and their relative error, flagging disagreements.")
@click.option("--round", "round_to", type=click.IntRange(0, 15), default=None, metavar="N",
              help="Round every intermediate to N decimals, half away from zero, as a hand calculation does; "
                   "the solution ends with each final quantity's drift from the exact value.")
@click.option("--full", is_flag=True, help="Show every sample of a batch of more than 10, not only the first 3 "
              "and the totals (JSON always has every sample), and every scalar step of a network of more than "
              "100 parameters, not its matrices.")
@click.option("--summary", is_flag=True, help="Show a layers-form network as matrices, layer by layer, at any size "
              "(the default past 100 parameters).")
@error_boundary
def solve(files: tuple[str, ...], fmt: str | None, precision: int | None, output: str | None, width: int | None,
          symbolic: bool, gradient_check: bool, round_to: int | None, full: bool, summary: bool) -> None:
    """Solve each FILE step by step: forward pass, loss, backward pass, update.

    Several files are solved in turn, each under a line naming it (markdown: separated by ---,
    JSON: one object mapping each file to its solution). An answer key solves its problem, and is
    skipped when its problem is listed too. An invalid file is reported and the others are still
    solved; the run then exits with the highest exit code met.
    """
    from ..runs import Clash, folder, jobs, make_folder, solved, targets

    if full and summary:
        raise _usage("--full and --summary ask for opposite forms: give one of them")
    form = "full" if full else "summary" if summary else "auto"
    todo = jobs(files)
    several = len(todo) > 1
    try:
        into = folder(output, several)
        if fmt is None:
            fmt = SUFFIXES.get(Path(output).suffix.lower(), "terminal") if output and into is None else "terminal"
        paths = targets(into, [j.problem for j in todo], fmt) if into is not None else []
    except Clash as exc:
        raise _usage(str(exc)) from None
    inputs = [*files, *(j.problem for j in todo)]
    for path in [str(p) for p in paths] or ([output] if output else []):
        _refuse(path, inputs, "-o")
    if into is not None:
        make_folder(into)
    decimals = precision if precision is not None else 4 if round_to is None else round_to
    options = {"precision": decimals, "width": _width(width), "color": _color(output),
               **({"symbolic": True} if symbolic else {}), **({"full": True} if full else {})}
    errors, shown, unwritten = [], [], []
    for n, job in enumerate(todo):
        if job.note:
            _echo(job.note, err=True)
        try:
            with _warnings(), _progress_bar():
                text = solved(job.problem, renderer(fmt), options, gradient_check=gradient_check, form=form) \
                    if round_to is None else _rounded(job.problem, fmt, options, round_to, gradient_check)
            if paths or output:
                _write(str(paths[n]) if paths else str(output), text, inputs)
            elif several:
                shown.append((job.problem, text))
                _show_one(fmt, job.problem, text, first=len(shown) == 1, color=_color(output))
            else:
                _echo(text, nl=not text.endswith("\n"), raw=True)
        except BackpropError as exc:
            if not several or isinstance(exc, _StdoutFailed):
                raise
            _say_error(str(exc))
            errors.append(exc)
            unwritten += [str(paths[n])] if paths else []
    if several and not output and fmt == "json":
        from ..runs import json_object

        _echo(json_object(shown), nl=False, raw=True)
    if unwritten:  # say exactly what the run left behind
        _echo(f"wrote {len(paths) - len(unwritten)} of {len(paths)} solutions (not written: {', '.join(unwritten)})",
              err=True)
    if errors:
        _exit_after(errors)


def _rounded(problem: str, fmt: str, options: dict, decimals: int, gradient_check: bool) -> str:
    """solve --round N: the solution with every intermediate rounded, then each final quantity's drift."""
    from ..engine import solve as solve_problem
    from ..load.document import load_problem
    from ..render.drift import with_drift

    loaded = load_problem(problem)
    rounded = solve_problem(loaded, gradient_check, round_to=decimals)
    return with_drift(renderer(fmt)(rounded, **options), rounded, solve_problem(loaded), fmt, decimals, options)


@contextlib.contextmanager
def _warnings() -> Iterator[None]:
    """Each warning the loader makes, one line on stderr once the work is done (an error comes after)."""
    from ..notices import listening

    found: list[str] = []
    try:
        with listening(found.append):
            yield
    finally:
        for line in found:
            _echo(f"Warning: {line}", err=True)


@contextlib.contextmanager
def _progress_bar() -> Iterator[None]:
    """A bar on stderr for work that runs longer than a second, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield
        return
    import threading

    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from ..progress import watched

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
    from ..runs import heading

    if fmt == "json":
        return
    head = _printable(heading(fmt, problem, first))
    _echo(click.style(head, bold=True) if color and fmt == "terminal" else head, nl=False, raw=True)
    _echo(text, nl=not text.endswith("\n"), raw=True)
