"""The command line: the only module that prints, exits, or imports click."""
from __future__ import annotations

import functools
import os
import shutil
import sys
import traceback
from enum import IntEnum
from pathlib import Path

import click

from .errors import BackpropError
from .render import RENDERERS, SUFFIXES, renderer


class ExitCode(IntEnum):
    """Exit codes, documented in the README."""

    OK = 0
    CHECK_FAILED = 1  # backprop check: a key disagrees with the solver
    USAGE = 2  # bad command-line usage (click's own code)
    INVALID_INPUT = 3  # a problem or key file is invalid, missing, or leaves a function's domain
    INTERNAL = 70  # a bug in backprop-cli: re-run with --traceback and report it


def error_boundary(func):
    """Turn expected errors into one line on stderr and an exit code; tracebacks only on request."""

    @click.option("--traceback", "show_traceback", is_flag=True, help="Show a traceback on errors.")
    @functools.wraps(func)
    def wrapper(*args, show_traceback: bool = False, **kwargs):
        try:
            return func(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BackpropError as exc:
            if show_traceback:
                traceback.print_exc()
            click.echo(f"Error: {exc}", err=True)
            sys.exit(ExitCode.INVALID_INPUT)
        except Exception as exc:  # noqa: BLE001 - the boundary of the whole program
            if show_traceback:
                traceback.print_exc()
            click.echo(f"Error: internal error: {type(exc).__name__}: {exc} "
                       "(re-run with --traceback and report it)", err=True)
            sys.exit(ExitCode.INTERNAL)

    return wrapper


def _width(given: int | None) -> int:
    if given:
        return given
    if sys.stdout.isatty():
        return shutil.get_terminal_size((100, 24)).columns
    return int(os.environ.get("COLUMNS", "100") or 100)


def _color(output: str | None) -> bool:
    return output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ \
        and os.environ.get("TERM") != "dumb"


def write_output(path: str, text: str, protected: list[str]) -> None:
    """Write atomically, refusing to overwrite an input file."""
    target = Path(path)
    for p in protected:
        if target.exists() and Path(p).exists() and target.resolve() == Path(p).resolve():
            raise click.UsageError(f"refusing to overwrite the input file {p} with -o")
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backprop-cli")
def main() -> None:
    """Step-by-step backpropagation solutions from YAML problem files."""


@main.command()
@click.argument("file", type=click.Path(dir_okay=True, path_type=str))
@click.option("--format", "fmt", type=click.Choice(list(RENDERERS)), default=None,
              help="Output format (default: terminal, or inferred from -o).")
@click.option("--precision", type=click.IntRange(0, 15), default=4, show_default=True,
              help="Decimals shown; arithmetic always uses full float64.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write to FILE instead of standard output.")
@click.option("--width", type=click.IntRange(40, 1000), default=None, help="Terminal width to lay out for.")
@click.option("--symbolic", is_flag=True, help="Also show the backward pass as a derivation in symbols.")
@error_boundary
def solve(file: str, fmt: str | None, precision: int, output: str | None, width: int | None,
          symbolic: bool) -> None:
    """Solve FILE step by step: forward pass, loss, backward pass, update."""
    from .engine import solve as solve_problem
    from .problem import load_problem

    if fmt is None:
        fmt = SUFFIXES.get(Path(output).suffix.lower(), "terminal") if output else "terminal"
    solution = solve_problem(load_problem(file))
    options = {"symbolic": True} if symbolic else {}
    text = renderer(fmt)(solution, precision=precision, width=_width(width), color=_color(output), **options)
    if output:
        write_output(output, text, [file])
    else:
        click.echo(text, nl=not text.endswith("\n"))
