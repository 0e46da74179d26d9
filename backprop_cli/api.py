"""The Python API for notebooks: bp.solve(…) gives a Solution that shows itself as the worked solution.

A Solution is the CLI's solution with a few conveniences: value() by answer-key name, the rendered
formats as methods, and _repr_markdown_ so that Jupyter shows the markdown document, with its math
written the way Jupyter's markdown reads it ($$ … $$ and $ … $ instead of GitHub's ```math and $`…`$).
Errors are the CLI's: a BackpropError whose message is the one line `backprop solve` prints.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import Origin, ProblemError, suggest
from .solution import Solution as _Steps


class Solution:
    """A solved problem: its steps, every quantity by name, and its renderings."""

    def __init__(self, steps: _Steps):
        self.steps = steps

    @property
    def problem(self):
        """The validated problem (backprop_cli.model.Problem)."""
        return self.steps.problem

    def values(self) -> dict[str, float]:
        """Every quantity the solution computes, by answer-key name (out_h1, dE_total/dw5, w5+ …)."""
        from .keys.keyfile import quantities

        return quantities(self.steps)

    def value(self, name: str) -> float:
        """One quantity by its answer-key name; an unknown name is a KeyError naming the closest one."""
        known = self.values()
        if name not in known:
            guess = suggest(name, known)
            raise KeyError(f"no quantity {name!r}" + (f"; did you mean {guess!r}?" if guess else "")
                           + f" ({len(known)} quantities: see .values())")
        return known[name]

    def to_markdown(self, precision: int = 4) -> str:
        """The markdown document `backprop solve --format markdown` writes."""
        from .render import markdown

        return markdown.render(self.steps, precision=precision)

    def to_json(self) -> str:
        """The JSON document `backprop solve --format json` writes."""
        from .render import json

        return json.render(self.steps)

    def to_latex(self, precision: int = 4) -> str:
        """The standalone LaTeX document `backprop solve --format latex` writes."""
        from .render import latex

        return latex.render(self.steps, precision=precision)

    def to_text(self, precision: int = 4, width: int = 100) -> str:
        """The plain-text solution `backprop solve` prints."""
        from .render import terminal

        return terminal.render(self.steps, precision=precision, width=width, color=False)

    def _repr_markdown_(self) -> str:
        return notebook_markdown(self.to_markdown())

    def __repr__(self) -> str:
        s = self.steps
        loss = "" if s.loss is None else f", loss {s.loss:.6g}" + ("" if s.loss_after is None else
                                                                 f" → {s.loss_after:.6g}")
        return f"<backprop_cli.Solution of {self.problem.title!r}{loss}>"


def notebook_markdown(text: str) -> str:
    """GitHub's math syntax as Jupyter's: ```math blocks as $$ … $$, inline $`…`$ as $…$."""
    text = re.sub(r"```math\n(.*?)\n```", lambda m: f"$$\n{m.group(1)}\n$$", text, flags=re.S)
    return re.sub(r"\$`(.*?)`\$", lambda m: f"${m.group(1)}$", text)


def solve(source: str | os.PathLike | dict, *, gradient_check: bool = False, form: str = "auto") -> Solution:
    """Solve a problem given as a file path, as YAML text, or as a dict of the problem file's keys.

    form: "auto" shows a layers-form network of more than 100 parameters as matrices per layer, "summary"
    any layers-form network, "full" every scalar step (as solve --summary and --full).
    """
    from .engine import solve as run
    from .load.document import load_problem, load_problem_text

    if isinstance(source, dict):
        import yaml

        problem = load_problem_text(yaml.safe_dump(source, sort_keys=False, allow_unicode=True), "<dict>")
    elif isinstance(source, os.PathLike) or (isinstance(source, str) and "\n" not in source
                                             and ": " not in source):
        if not Path(source).is_file():
            raise ProblemError(Origin(str(source), 0, ""), "no such file",
                               "a problem file, a YAML text or a dict (`backprop examples` lists the shipped ones)")
        problem = load_problem(Path(source))
    elif isinstance(source, str):
        problem = load_problem_text(source, "<string>")
    else:
        raise TypeError(f"solve() takes a path, a YAML text or a dict, not {type(source).__name__}")
    if form not in ("auto", "full", "summary"):
        raise ValueError(f"form must be 'auto', 'full' or 'summary', not {form!r}")
    return Solution(run(problem, gradient_check=gradient_check, form=form))  # type: ignore[arg-type]


class Grade:
    """A graded answers file: the verdict of every answered step, the first wrong one, and the report."""

    def __init__(self, report) -> None:
        self.report = report

    @property
    def first_wrong(self) -> str | None:
        """The first wrong step in solution order, or None (a carried step is never the first wrong one)."""
        return self.report.first_wrong

    def verdicts(self) -> dict[str, str]:
        """correct | carried | wrong for each answered quantity, in solution order."""
        return {m.name: m.verdict for m in self.report.marked}

    def to_markdown(self) -> str:
        """The feedback to post back to a student."""
        from .render import grade

        return grade.markdown(self.report)

    def to_json(self) -> str:
        """The versioned JSON report (backprop_cli/schemas/grade.schema.json)."""
        from .render import grade

        return grade.json(self.report)

    def to_text(self, width: int = 100) -> str:
        """The terminal report, as plain text."""
        from .render import grade

        return grade.text(self.report, width=width)

    def _repr_markdown_(self) -> str:
        return notebook_markdown(self.to_markdown())

    def __repr__(self) -> str:
        return f"<Grade of {self.report.answers.file}: {self.report.counts}, first wrong {self.first_wrong}>"


def grade(problem: str | os.PathLike | dict, answers: str | os.PathLike | dict) -> Grade:
    """Grade a student's numbers: answers is an answers file, its YAML text, or a dict of name -> number
    (a number's decimals are those of its shortest repr, 0.5933 has four)."""
    import json

    from .keys.answers import parse_answers, read_answers
    from .keys.grade import grade as mark

    sol = solve(problem)
    if isinstance(answers, dict):
        lines = [f"  {json.dumps(k)}: {v!r}" for k, v in answers.items()]
        parsed = parse_answers("answers:\n" + "\n".join(lines) + "\n", "<dict>")
    elif isinstance(answers, os.PathLike) or (isinstance(answers, str) and "\n" not in answers):
        parsed = read_answers(Path(answers))
    else:
        parsed = parse_answers(answers, "<string>")
    return Grade(mark(sol.steps, parsed))
