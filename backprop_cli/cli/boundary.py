"""The boundary of the command line: errors to one line and an exit code, every printed line, every write."""
from __future__ import annotations

import errno
import functools
import os
import re
import signal
import sys
from collections.abc import Iterable
from typing import NoReturn

import click

from ..errors import BackpropError, ExitCode, OutputError


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
        import traceback  # only when asked for: --traceback

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
    from ..files import utf8

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
        import shutil  # a terminal only: shutil brings in the compression modules

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
    from ..files import write_output

    _refuse(path, inputs, option)
    write_output(path, text)


def _refuse(path: str, inputs: list[str], option: str) -> None:
    """A usage error if path is one of the input files, or named like an answer key (directly or by a link)."""
    from ..runs import protected

    what = protected(path, inputs)
    if what is not None:
        raise _usage(f"refusing to overwrite {what} with {option}")


def _usage(message: str) -> click.UsageError:
    """A usage error whose message names files safely (no control characters, always encodable)."""
    from ..files import utf8

    return click.UsageError(utf8(_printable(message, one_line=True)))

def _exit_after(errors: Iterable[BackpropError | None]) -> NoReturn:
    """End a run that went on past its errors: 0 without any, else the gravest one's code.

    The codes that can occur here rank by number: a file not written (4) outranks an invalid one (3),
    which outranks a refused key (2).
    """
    sys.exit(max((e.exit_code for e in errors if e is not None), default=ExitCode.OK))
