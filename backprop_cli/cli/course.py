"""Course work: the schema, shipped examples, starter problems, variants per student, LMS exports."""
from __future__ import annotations

import os
from pathlib import Path

import click

from . import main
from .boundary import _echo, _refuse, _usage, _write, error_boundary


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the schema to FILE instead of standard output.")
@error_boundary
def schema(output: str | None) -> None:
    """Print the JSON Schema of the problem format, for editors (generated from its one declaration)."""
    from ..load.format import schema_text

    text = schema_text()
    if output:
        _write(output, text, [])
    else:
        _echo(text, nl=not text.endswith("\n"), raw=True)


def _example_names(ctx, param, incomplete: str) -> list[str]:
    """Shell completion of an example's name."""
    from ..shipped import names

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
    from ..shipped import example, names, outputs

    if folder is None:
        if name is not None:
            text = example(name).text
            _echo(text, nl=not text.endswith("\n"), raw=True)
            return
        for n in names():
            _echo(f"{n:24} {example(n).title}")
        return
    from ..files import regular_bytes
    from ..runs import make_folder

    todo = [out for n in ([name] if name else names()) for out in outputs(example(n), Path(folder))]
    clashes = [str(p) for p, text in todo if os.path.lexists(p) and regular_bytes(p) != text.encode("utf-8")]
    if clashes and not force:
        raise _usage(f"refusing to replace {', '.join(clashes)}, which differ from the examples (use --force)")
    make_folder(Path(folder))
    from ..files import write_output

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
@click.option("--batch", type=int, default=1, show_default=True, help="How many samples (from 1 to 1024).")
@click.option("--seed", type=click.IntRange(0), default=None,
              help="Draw every number from this seed (weights in ±1/√fan-in, inputs in [0, 1)); allows layers "
                   "up to 4096 wide, such as 784-64-10.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write the problem to FILE instead of standard output.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@error_boundary
def new(layers: str, activation: str, loss: str, batch: int, seed: int | None, output: str | None,
        force: bool) -> None:
    """Write a commented starter problem that solves as it is: dense layers, one bias per layer.

    Exit codes: 0 written, 2 bad --layers or an existing FILE without --force, 4 FILE could not be written.
    """
    from ..starter import starter

    text = starter(layers, activation, loss, batch, seed)
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
    from ..keys.keyfile import key_text
    from ..keys.names import key_path
    from ..roster import file_names, read_roster, slug
    from ..runs import make_folder
    from ..variants import draw, source

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
        from ..files import write_output

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
    from ..export.questions import question
    from ..keys.names import is_problem_file

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
        from ..export.moodle import moodle_xml

        body: str | bytes = moodle_xml(questions, category or f"backprop/{questions[0].title}")
    else:
        from ..export.qti import qti_zip

        body = qti_zip(questions, questions[0].title)
    if output is None:
        _echo(str(body), nl=False, raw=True)
        return
    _write(output, body, inputs)
    _echo(f"wrote {output} ({len(questions)} {'question' if fmt == 'moodle' else 'quiz'}"
          f"{'s' if len(questions) > 1 and fmt == 'moodle' else 'zes' if len(questions) > 1 else ''}, "
          f"{sum(len(q.answers) for q in questions)} answers)", err=True)
