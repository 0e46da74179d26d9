"""The command line: the only module that prints, exits, or imports click."""
from __future__ import annotations

import contextlib
import errno
import functools
import os
import re
import shutil
import signal
import sys
import traceback
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NoReturn

import click

from .errors import BackpropError, ExitCode, OutputError
from .render import RENDERERS, SUFFIXES, renderer


def _internal(exc: Exception) -> str:
    """The one-line message of an unexpected exception: a bug in backprop-cli."""
    detail = " ".join(str(exc).split())  # one line, whatever the exception says
    return f"internal error: {type(exc).__name__}: {detail} (re-run with --traceback and report it)"


class _Terminated(BaseException):
    """SIGTERM, raised where the program is, so that every cleanup (a temporary file) runs as for Ctrl-C."""


class _StdoutFailed(OutputError):
    """Standard output cannot be written (a full disk, a closed stream): nothing more can be shown."""


class _PipeClosed(_StdoutFailed):
    """The reader of standard output went away (`backprop solve q.yaml | head -1`): exit 4 without a word."""


def _on_sigterm(signum, frame) -> NoReturn:
    raise _Terminated()


def error_boundary(func):
    """Turn expected errors into one line on stderr and an exit code; tracebacks only on request."""

    @click.option("--traceback", "show_traceback", is_flag=True, help="Show a traceback on errors.")
    @functools.wraps(func)
    def wrapper(*args, show_traceback: bool = False, **kwargs):
        try:
            previous = signal.signal(signal.SIGTERM, _on_sigterm)
        except ValueError:  # not the main thread: SIGTERM keeps its default
            previous = None
        try:
            try:
                return func(*args, **kwargs)
            finally:  # on sys.exit too: a full disk or a closed pipe may show only when the last output is flushed
                _flush_stdout()
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except _PipeClosed:
            sys.exit(ExitCode.CANNOT_WRITE)
        except BackpropError as exc:  # expected: each error class carries its exit code
            _fail(exc.exit_code, str(exc), show_traceback)
        except KeyboardInterrupt:
            _fail(ExitCode.INTERRUPTED, "interrupted", show_traceback)
        except _Terminated:
            _fail(ExitCode.TERMINATED, "terminated", show_traceback)
        except Exception as exc:  # noqa: BLE001 - the boundary of the whole program
            _fail(ExitCode.INTERNAL, _internal(exc), show_traceback)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return wrapper


def _fail(code: int, message: str, show_traceback: bool) -> NoReturn:
    """One line on stderr (after the traceback, when asked for) and the exit code."""
    if show_traceback:
        traceback.print_exc()
    _say_error(message)
    sys.exit(code)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and line feed
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _printable(text: str, one_line: bool = False) -> str:
    """Text with control characters written as escapes (\\x1b), so no file or key name can drive the terminal."""
    pattern = _CONTROL_OR_BREAK if one_line else _CONTROL
    return pattern.sub(lambda m: _ESCAPES.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


def _say_error(message: str) -> None:
    """One 'Error:' line per independent mistake (a file's several errors come joined), each one line."""
    for line in message.split("\nError: "):
        _echo(f"Error: {_printable(line, one_line=True)}", err=True)


def _echo(text: str = "", err: bool = False, nl: bool = True, raw: bool = False) -> None:
    """Everything printed goes through here: text that always encodes, control characters escaped (raw: a
    rendered document, which escapes its own user text), and a standard output that fails is an OutputError."""
    from .files import utf8

    text = utf8(text if raw else _printable(text))
    if (sys.stderr if err else sys.stdout) is None:  # started with the stream closed (`>&-`)
        if err:
            return
        raise _StdoutFailed("standard output: cannot write: it is closed")
    try:
        click.echo(text, err=err, nl=nl)
    except OSError as exc:
        if not err:  # nothing more can be said when stderr itself fails
            raise _stdout_failed(exc) from None


def _flush_stdout() -> None:
    if sys.stdout is not None:
        try:
            sys.stdout.flush()
        except OSError as exc:
            raise _stdout_failed(exc) from None


def _stdout_failed(exc: OSError) -> _StdoutFailed:
    """The error for a failed standard output, after pointing it at /dev/null so the exit's flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # not a real file descriptor (a test runner's stream)
    if exc.errno == errno.EPIPE:
        return _PipeClosed("standard output: the reader went away")
    return _StdoutFailed(f"standard output: cannot write: {exc.strerror or exc}")


def _width(given: int | None) -> int:
    """The width to lay out for: --width, the terminal's, or COLUMNS when piped (ignored unless a number)."""
    if given:
        return given
    if sys.stdout is not None and sys.stdout.isatty():
        columns = shutil.get_terminal_size((100, 24)).columns
    else:
        text = os.environ.get("COLUMNS", "").strip()
        columns = int(text) if re.fullmatch(r"[0-9]{1,6}", text) and int(text) > 0 else 100
    return min(max(columns, 40), 1000)  # the range --width accepts


def _color(output: str | None) -> bool:
    return output is None and sys.stdout is not None and sys.stdout.isatty() and "NO_COLOR" not in os.environ \
        and os.environ.get("TERM") != "dumb"


def _write(path: str, text: str | bytes, inputs: list[str], option: str = "-o") -> None:
    """Write an output file the user named, refusing to overwrite an input file or an answer key."""
    from .files import write_output

    _refuse(path, inputs, option)
    write_output(path, text)


def _refuse(path: str, inputs: list[str], option: str) -> None:
    """A usage error if path is one of the input files, or named like an answer key (directly or by a link)."""
    from .runs import protected

    what = protected(path, inputs)
    if what is not None:
        raise _usage(f"refusing to overwrite {what} with {option}")


def _usage(message: str) -> click.UsageError:
    """A usage error whose message names files safely (no control characters, always encodable)."""
    from .files import utf8

    return click.UsageError(utf8(_printable(message, one_line=True)))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backprop-cli")
def main() -> None:
    """Step-by-step backpropagation solutions from YAML problem files."""


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
              "and the totals (JSON always has every sample).")
@error_boundary
def solve(files: tuple[str, ...], fmt: str | None, precision: int | None, output: str | None, width: int | None,
          symbolic: bool, gradient_check: bool, round_to: int | None, full: bool) -> None:
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
                text = solved(job.problem, renderer(fmt), options, gradient_check=gradient_check) \
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
        from .runs import json_object

        _echo(json_object(shown), nl=False, raw=True)
    if unwritten:  # say exactly what the run left behind
        _echo(f"wrote {len(paths) - len(unwritten)} of {len(paths)} solutions (not written: {', '.join(unwritten)})",
              err=True)
    if errors:
        _exit_after(errors)


def _rounded(problem: str, fmt: str, options: dict, decimals: int, gradient_check: bool) -> str:
    """solve --round N: the solution with every intermediate rounded, then each final quantity's drift."""
    from .engine import solve as solve_problem
    from .load.document import load_problem
    from .render.drift import with_drift

    loaded = load_problem(problem)
    rounded = solve_problem(loaded, gradient_check, round_to=decimals)
    return with_drift(renderer(fmt)(rounded, **options), rounded, solve_problem(loaded), fmt, decimals, options)


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
    head = _printable(heading(fmt, problem, first))
    _echo(click.style(head, bold=True) if color and fmt == "terminal" else head, nl=False, raw=True)
    _echo(text, nl=not text.endswith("\n"), raw=True)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--force", is_flag=True, help="Overwrite a key that exists and differs (it may be hand-edited).")
@error_boundary
def key(files: tuple[str, ...], force: bool) -> None:
    """Write an answer key beside each problem FILE.

    q1.yaml gets q1.key.yaml, holding every quantity of its solution; the problem is never touched.
    Key files among FILE are skipped, so `backprop key problems/*.yaml` can be re-run. Symbolic problems
    are skipped with a note. Exit codes: 0 done, 2 an existing key differs and --force was not given,
    3 a problem is invalid, 4 a key could not be written (each such key is named and was not changed;
    the others are still keyed).
    """
    from .keys.write import write_keys

    results = []
    for result in write_keys(files, force):
        results.append(result)
        if result.error is not None:
            _say_error(str(result.error))
        elif result.status == "symbolic":
            _echo(f"skipped {result.problem}: a symbolic problem has no numbers to key", err=True)
        elif result.status == "unchanged":
            _echo(f"unchanged {result.key}")
        else:
            _echo(f"wrote {result.key} ({result.quantities} quantities)")
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
    2 usage (no problem with a key found), 3 a problem or key is invalid (the others are still checked),
    4 a file could not be written (--junit-xml, or a key with --update; named on stderr, and left as it was).
    Under GitHub Actions (GITHUB_ACTIONS=true) each failure is also an ::error annotation on its key line.
    """
    from .keys.check import check_target, find_targets
    from .keys.report import github_annotations, json_report, junit_report, text_report

    targets = find_targets(list(paths))
    if not targets:
        raise _usage(f"no problem with an answer key under {', '.join(paths)} "
                               "(expected q1.yaml beside q1.key.yaml; write keys with backprop key FILE)")
    if update:
        if fmt != "text" or junit_xml:
            raise click.UsageError("--update reports in text only: leave out --format and --junit-xml")
        _update(targets)  # exits
    inputs = [f for t in targets for f in (t.problem, t.key)]
    if junit_xml:
        _refuse(junit_xml, inputs, "--junit-xml")  # before any work
    outcomes = [check_target(t) for t in targets]
    _echo(json_report(outcomes) if fmt == "json" else text_report(outcomes), raw=fmt == "json")
    for o in outcomes:
        if o.status == "invalid":
            _say_error(str(o.error))
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for line in github_annotations(outcomes):
            _echo(line, err=fmt == "json")  # stdout is the JSON document
    if junit_xml:
        from .runs import make_folder

        make_folder(Path(junit_xml).parent)  # as pytest does for reports/junit.xml
        _write(junit_xml, junit_report(outcomes), inputs, "--junit-xml")
    statuses = {o.status for o in outcomes}
    sys.exit(ExitCode.INVALID_INPUT if "invalid" in statuses else
             ExitCode.CHECK_FAILED if "fail" in statuses else ExitCode.OK)


def _update(targets: list) -> NoReturn:
    """check --update: rewrite what drifted, show each change, exit 0 (3 if a file is invalid, 4 if a key
    could not be written: it is named, left as it was, and the others are still updated)."""
    from .keys.update import summary, update_keys

    updates = []
    for update in update_keys(targets):
        updates.append(update)
        if update.error is not None:
            message = _printable(str(update.error), one_line=True)
            _echo(f"NOT WRITTEN {update.key}: {message}" if update.status == "unwritten" else
                  f"INVALID {update.problem}: {message}")
            _echo(f"Error: {message}", err=True)
        else:
            _echo(f"{update.status} {update.key}")
            for name, old, new in update.changes:
                _echo(f"  {name}: {old} -> {new}")
    _echo(summary(updates))
    _exit_after(u.error for u in updates)


def _exit_after(errors: Iterable[BackpropError | None]) -> NoReturn:
    """End a run that went on past its errors: 0 without any, else the gravest one's code.

    The codes that can occur here rank by number: a file not written (4) outranks an invalid one (3),
    which outranks a refused key (2).
    """
    sys.exit(max((e.exit_code for e in errors if e is not None), default=ExitCode.OK))


@main.command()
@click.argument("problem", type=click.Path(dir_okay=False, path_type=str))
@click.argument("answers", metavar="ANSWERS...", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default=None,
              help="Report format (default: text, or inferred from -o FILE).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the report to FILE instead of standard output.")
@click.option("--csv", "csv_file", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Also write a CSV to FILE: one row per student, a column per step.")
@click.option("--gradescope", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Also write Gradescope's results.json to FILE (one answers file): one test per quantity the "
                   "problem's answer key lists (every quantity without a key).")
@click.option("--no-carry", is_flag=True, help="Gradescope: score carried values as wrong (default: as correct).")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width to lay out for.")
@error_boundary
def grade(problem: str, answers: tuple[str, ...], fmt: str | None, output: str | None, csv_file: str | None,
          gradescope: str | None, no_carry: bool, width: int | None) -> None:
    """Grade a student's own numbers: correct, carried or wrong, the first wrong step, the mistake named.

    Each answered quantity of ANSWERS is correct, carried (right from the student's own earlier wrong
    numbers) or wrong; the first wrong step is worked out with their numbers and its likely mistake
    named. Several ANSWERS files (a class) give one row per student and a column per step. Exit codes:
    0 nothing is wrong, 1 a step is wrong, 3 an invalid problem or answers file (the others are still
    graded).
    """
    from .engine import solve as solve_problem
    from .keys.answers import read_answers
    from .keys.grade import asked
    from .keys.grade import grade as grade_answers
    from .load.document import load_problem
    from .render import grade_class
    from .render.grade import FORMATS, SUFFIXES

    if gradescope and len(answers) > 1:
        raise click.UsageError("--gradescope grades one submission: give one answers file")
    fmt = fmt or (SUFFIXES.get(Path(output).suffix.lower(), "text") if output else "text")
    sol = solve_problem(load_problem(problem))
    reports, invalid = [], []
    for path in answers:
        try:
            reports.append(grade_answers(sol, read_answers(path)))
        except BackpropError as exc:
            if len(answers) == 1:
                raise
            _say_error(str(exc))
            invalid.append((path, str(exc)))
    options = {"width": _width(width), "color": _color(output)}
    inputs = [problem, *answers]
    if len(answers) == 1:
        text = FORMATS[fmt](reports[0], **options)
    else:
        text = grade_class.FORMATS[fmt](reports, invalid, **options)
    if output:
        _write(output, text, inputs)
    else:
        click.echo(text, nl=not text.endswith("\n"))
    if csv_file:
        _write(csv_file, grade_class.csv(reports), inputs)
    if gradescope:
        import json

        results = grade_class.gradescope(reports[0], asked(reports[0]), carry=not no_carry)
        _write(gradescope, json.dumps(results, indent=2, ensure_ascii=False) + "\n", inputs)
    sys.exit(ExitCode.INVALID_INPUT if invalid else
             ExitCode.CHECK_FAILED if any(r.first_wrong for r in reports) else ExitCode.OK)


@main.command()
@click.argument("problem", type=click.Path(dir_okay=False, path_type=str))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the blank answers file to FILE instead of standard output.")
@error_boundary
def sheet(problem: str, output: str | None) -> None:
    """Print a blank answers file for PROBLEM, each quantity with its formula.

    Every quantity in solution order, with its formula in a comment. Fill in the numbers you worked
    out and grade them with backprop grade PROBLEM FILE.
    """
    from .engine import solve as solve_problem
    from .keys.sheet import sheet_text
    from .load.document import load_problem

    text = sheet_text(solve_problem(load_problem(problem)))
    if output:
        _write(output, text, [problem])
    else:
        click.echo(text, nl=False)


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
        _echo(text, nl=not text.endswith("\n"), raw=True)


def _example_names(ctx, param, incomplete: str) -> list[str]:
    """Shell completion of an example's name."""
    from .shipped import names

    return [n for n in names() if n.startswith(incomplete)]


@main.command()
@click.argument("name", required=False, shell_complete=_example_names)
@click.option("-o", "--output", "folder", metavar="DIR", type=click.Path(file_okay=False, path_type=str),
              default=None, help="Copy the example (every example without NAME) and its answer key into DIR.")
@click.option("--force", is_flag=True, help="Replace files in DIR that differ from the example.")
@error_boundary
def examples(name: str | None, folder: str | None, force: bool) -> None:
    """List the example problems shipped with backprop-cli, print one, or copy them out.

    `backprop examples` lists them; `backprop examples mazur` prints mazur.yaml; `backprop examples mazur
    -o .` writes mazur.yaml and mazur.key.yaml here, and `-o DIR` without a NAME copies every example.
    A copy's editor-schema line points at the schema's URL. Exit codes: 0 done, 2 unknown NAME or a
    file in DIR that differs (without --force), 4 a file could not be written.
    """
    from .shipped import example, names, outputs

    if folder is None:
        if name is not None:
            text = example(name).text
            _echo(text, nl=not text.endswith("\n"), raw=True)
            return
        for n in names():
            _echo(f"{n:24} {example(n).title}")
        return
    from .files import regular_bytes
    from .runs import make_folder

    todo = [out for n in ([name] if name else names()) for out in outputs(example(n), Path(folder))]
    clashes = [str(p) for p, text in todo if os.path.lexists(p) and regular_bytes(p) != text.encode("utf-8")]
    if clashes and not force:
        raise _usage(f"refusing to replace {', '.join(clashes)}, which differ from the examples (use --force)")
    make_folder(Path(folder))
    from .files import write_output

    for path, text in todo:
        write_output(path, text)  # an example's own key too: the one place a *.key.yaml is written by -o
        _echo(f"wrote {path}")


@main.command()
@click.option("--layers", default="2-2-2", show_default=True,
              help="Layer sizes: inputs, each hidden layer, outputs (e.g. 3-4-2).")
@click.option("--activation", type=click.Choice(["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus",
                                                 "silu", "identity"]),
              default="sigmoid", show_default=True, help="Activation of the hidden layers.")
@click.option("--loss", type=click.Choice(["squared_error", "binary_cross_entropy", "categorical_cross_entropy"]),
              default="squared_error", show_default=True,
              help="The loss (cross-entropy losses get sigmoid or softmax outputs).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the problem to FILE instead of standard output.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@error_boundary
def new(layers: str, activation: str, loss: str, output: str | None, force: bool) -> None:
    """Write a commented starter problem that solves as it is: dense layers, one bias per layer.

    Exit codes: 0 written, 2 bad --layers or an existing FILE without --force, 4 FILE could not be written.
    """
    from .starter import starter

    text = starter(layers, activation, loss)
    if output is None:
        _echo(text, nl=False, raw=True)
        return
    if os.path.lexists(output) and not force:
        raise _usage(f"refusing to replace {output}, which exists (use --force)")
    _write(output, text, [])
    _echo(f"wrote {output}", err=True)


@main.command()
@click.argument("problem", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--count", type=click.IntRange(1, 10000), default=None, help="How many variants (default: one per "
              "student of --roster).")
@click.option("--seed", type=click.IntRange(0), required=True, help="The seed: the same seed gives the same "
              "variants on any machine.")
@click.option("-o", "--output", "folder", metavar="DIR", required=True, type=click.Path(file_okay=False, path_type=str),
              help="The folder for the variants and their answer keys (created if missing).")
@click.option("--only", metavar="INDEX|STUDENT", default=None, help="Draw one variant alone: its number (from 1) "
              "or, with --roster, the student's name.")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False, path_type=str), default=None,
              help="A CSV of students (a column student, name, username, id or email): one variant each, named "
                   "after them.")
@error_boundary
def variants(problem: str, count: int | None, seed: int, folder: str, only: str | None, roster: str | None) -> None:
    """Draw variants of PROBLEM with the numbers its vary: block says, each with its answer key.

    Variant k of seed S is the same on any machine, and `--only k` draws it again alone. Each variant
    is PROBLEM's own file with the drawn numbers in place and a `variant: {seed, index}` record instead
    of the vary: block; a draw is redrawn while a sigmoid or tanh sits in its flat region (|z| ≥ 4), a
    ReLU at 0, an asked gradient below 1e-4 or an output on its target. Exit codes: 0 written, 2 usage,
    3 an invalid problem or roster, or a vary: block whose draws keep breaking those rules, 4 a file
    could not be written.
    """
    from .keys.keyfile import key_text
    from .keys.names import key_path
    from .roster import file_names, read_roster, slug
    from .runs import make_folder
    from .variants import draw, source

    students = read_roster(roster) if roster else None
    if students is not None and count is not None and count != len(students):
        raise _usage(f"--count {count} but the roster names {len(students)} students (leave out --count)")
    total = len(students) if students is not None else count
    if total is None:
        raise _usage("how many variants? give --count N, or --roster FILE")
    names = file_names(Path(problem).stem, total, students)
    indices = list(range(1, total + 1))
    if only is not None:
        chosen = [k for k in indices if only == str(k) or (students and slug(only) == slug(students[k - 1]))]
        if not chosen:
            raise _usage(f"--only {only}: expected a variant number from 1 to {total}"
                         + (" or a student of the roster" if students else ""))
        indices = chosen
    src = source(problem)
    make_folder(Path(folder))
    for k in indices:
        target = Path(folder) / names[k - 1]
        _refuse(str(target), [problem], "-o")
        fields = {"count": total, "source": Path(problem).name,
                  **({"student": students[k - 1]} if students else {})}
        variant = draw(src, seed, k, fields, str(target))
        _write(str(target), variant.text, [problem])
        from .files import write_output

        write_output(key_path(target), key_text(variant.solution))
        _echo(f"wrote {target} and its key" + (f" (for {students[k - 1]})" if students else ""))


@main.command()
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["moodle", "qti"]), required=True,
              help="moodle: Moodle XML, one cloze question per problem; qti: a Canvas QTI 1.2 zip, one quiz each.")
@click.option("-o", "--output", metavar="FILE", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write to FILE (required for qti, a zip); moodle prints to standard output without it.")
@click.option("--decimals", type=click.IntRange(0, 10), default=4, show_default=True,
              help="Decimals asked for where the answer key states none (a key's decimals: N come first).")
@click.option("--category", default=None, help="Moodle: the question category (default: backprop/<first title>).")
@error_boundary
def export(paths: tuple[str, ...], fmt: str, output: str | None, decimals: int, category: str | None) -> None:
    """Export problems as questions for Moodle or Canvas, with answers checked by the platform.

    PATH is a problem file or a folder of them (such as the output of backprop variants, searched
    recursively); answer keys beside the problems give each answer's value and, with decimals: N, its
    tolerance ½·10⁻ᴺ. Each problem asks for the quantities its ask: list names (default: every gradient
    of a parameter and every updated parameter). Exit codes: 0 written, 2 usage, 3 an invalid problem
    or key (or a key that disagrees with the solver), 4 the output could not be written.
    """
    from .export.questions import question
    from .keys.names import is_problem_file

    files: list[str] = []
    for raw in paths:
        found = sorted(str(p) for p in Path(raw).rglob("*") if is_problem_file(p) and p.is_file()) \
            if Path(raw).is_dir() else [raw]
        files += [f for f in found if is_problem_file(f) and f not in files]
    if not files:
        raise _usage(f"no problem file under {', '.join(paths)} (expected *.yaml problems)")
    if fmt == "qti" and output is None:
        raise _usage("--format qti writes a zip: give -o FILE.zip")
    questions = []
    for f in files:
        q = question(f, decimals)
        if q is None:
            _echo(f"skipped {f}: a symbolic problem has no numbers to ask for", err=True)
        else:
            questions.append(q)
    if not questions:
        raise _usage(f"no problem with numbers under {', '.join(paths)}")
    inputs = [*files, *paths]
    if fmt == "moodle":
        from .export.moodle import moodle_xml

        body: str | bytes = moodle_xml(questions, category or f"backprop/{questions[0].title}")
    else:
        from .export.qti import qti_zip

        body = qti_zip(questions, questions[0].title)
    if output is None:
        _echo(str(body), nl=False, raw=True)
        return
    _write(output, body, inputs)
    _echo(f"wrote {output} ({len(questions)} {'question' if fmt == 'moodle' else 'quiz'}"
          f"{'s' if len(questions) > 1 and fmt == 'moodle' else 'zes' if len(questions) > 1 else ''}, "
          f"{sum(len(q.answers) for q in questions)} answers)", err=True)
