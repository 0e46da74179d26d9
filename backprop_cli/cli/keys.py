"""backprop key and backprop check: answer keys written and checked."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from ..errors import ExitCode
from . import main
from .boundary import _echo, _exit_after, _printable, _refuse, _say_error, _usage, _write, error_boundary


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
    from ..keys.write import write_keys

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
    from ..keys.check import check_target, find_targets
    from ..keys.report import github_annotations, json_report, junit_report, text_report

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
        from ..runs import make_folder

        make_folder(Path(junit_xml).parent)  # as pytest does for reports/junit.xml
        _write(junit_xml, junit_report(outcomes), inputs, "--junit-xml")
    statuses = {o.status for o in outcomes}
    sys.exit(ExitCode.INVALID_INPUT if "invalid" in statuses else
             ExitCode.CHECK_FAILED if "fail" in statuses else ExitCode.OK)


def _update(targets: list) -> NoReturn:
    """check --update: rewrite what drifted, show each change, exit 0 (3 if a file is invalid, 4 if a key
    could not be written: it is named, left as it was, and the others are still updated)."""
    from ..keys.update import summary, update_keys

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

