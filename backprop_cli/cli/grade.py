"""backprop grade and backprop sheet: a student's own numbers, marked; a blank answers file."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import BackpropError, ExitCode
from . import main
from .boundary import _color, _echo, _say_error, _width, _write, error_boundary


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
    from ..engine import solve as solve_problem
    from ..keys.answers import read_answers
    from ..keys.grade import asked
    from ..keys.grade import grade as grade_answers
    from ..load.document import load_problem
    from ..render import grade_class
    from ..render.grade import FORMATS, SUFFIXES

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
        _echo(text, nl=not text.endswith("\n"), raw=True)
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
    from ..engine import solve as solve_problem
    from ..keys.sheet import sheet_text
    from ..load.document import load_problem

    text = sheet_text(solve_problem(load_problem(problem)))
    if output:
        _write(output, text, [problem])
    else:
        _echo(text, nl=False, raw=True)
