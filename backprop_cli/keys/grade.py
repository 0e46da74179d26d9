"""Grade a student's own worked numbers: first wrong step, error carried forward, the mistake named.

Each answered quantity, in solution order, is
- correct: within the student's rounding of the true value, or of what a careful student gets by
  carrying their own correctly rounded earlier numbers (every number they used being correct);
- carried: wrong against the truth, but right when the step is recomputed from their own numbers
  (the ones they wrote, as written, and the ones they did not write recomputed from those);
- wrong: neither. The first wrong step in solution order is the one to look at, and each wrong
  number gets the likely mistake (explain.py); a mistake that recurs is named once, as a pattern.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..engine import rounding
from ..errors import BackpropError, ProblemError
from ..formula.tree import Expr
from ..model import Problem
from ..solution import Solution
from .answers import Answer, Answers, check_names
from .explain import Context, Match, explain, fits, readings
from .keyfile import Tolerance, quantities
from .mistakes import Mistake
from .world import Plan, Step, World

VERDICTS = ("correct", "carried", "wrong")


@dataclass(frozen=True)
class Working:
    """How a step is computed: in symbols, with the student's numbers, and what that gives."""

    formula: Expr | None  # None where there is no one formula (the loss after the update)
    values: dict  # name -> the number put in
    own: float


@dataclass(frozen=True)
class Marked:
    """One answered quantity, marked."""

    name: str
    answer: Answer
    expected: float  # the true value, float64
    own: float | None  # the step recomputed from the student's own numbers; None where they give it no value
    verdict: str  # correct | carried | wrong
    note: str
    mistake: Mistake | None
    working: Working | None  # for a wrong value: the step worked out with the student's numbers
    sources: tuple[str, ...] = ()  # for a carried value: the wrong numbers it was carried from


@dataclass(frozen=True)
class Pattern:
    """A mistake named once: its kind, words, and every step it affected."""

    kind: str
    explanation: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    """A graded answers file."""

    problem: Problem
    answers: Answers
    marked: tuple[Marked, ...]  # in solution order
    first_wrong: str | None
    patterns: tuple[Pattern, ...]
    quantities: tuple[str, ...] = ()  # every quantity of the problem, in solution order

    @property
    def counts(self) -> dict[str, int]:
        """How many quantities got each verdict."""
        return {v: sum(m.verdict == v for m in self.marked) for v in VERDICTS}


def grade(sol: Solution, answers: Answers) -> Report:
    """Mark every answered quantity of a solved problem; a name it lacks is a ProblemError on its line."""
    truth = quantities(sol)
    check_names(answers, truth, sol.problem.file, sol.problem.loss)
    plan = Plan(sol)
    given = answers.by_name()
    written = {name: a.value for name, a in given.items()}
    decimals = {a.decimals for a in answers.answers}
    ctx = Context(plan, written, truth, World(plan, written),
                  {n: World(plan, written, hook=rounding(n)) for n in decimals}, readings(decimals))
    sound: dict[str, bool] = {}
    marked = []
    for name in truth:
        if name not in given:
            continue
        marked.append(_mark(ctx, plan.steps[name], given[name], sound))
    marked = _explained(ctx, marked)
    first = next((m.name for m in marked if m.verdict == "wrong"), None)
    return Report(sol.problem, answers, tuple(marked), first, _patterns(marked), tuple(truth))


def asked(report: Report) -> list[str]:
    """The quantities a homework asks for: its answer key's (q1.key.yaml beside q1.yaml), else every one."""
    from .keyfile import read_key
    from .names import key_path

    path = key_path(report.problem.file)
    if not path.exists():
        return list(report.quantities)
    entries = read_key(path).entries
    for e in entries:
        if e.name not in report.quantities:
            raise ProblemError(e.origin, f"{report.problem.file} has no quantity '{e.name}'",
                               "the quantities of the problem (backprop key writes them all)")
    return [e.name for e in entries]


def _mark(ctx: Context, step: Step, answer: Answer, sound: dict[str, bool]) -> Marked:
    name, ok = step.name, _within(answer)
    truth = ctx.truth[name]
    try:
        own = ctx.exact.own(name)
    except BackpropError as exc:  # the student's numbers leave a function's domain (log of a negative …)
        return _no_value(name, answer, truth, ok(truth), sound, exc)
    # a careful student writing d decimals rounds every number to d and carries it on (solve --round d)
    careful = ctx.careful[answer.decimals]
    mine = [own, _safe_own(careful, name), _read_own(careful, step, answer.decimals)]
    recomputed = [m for m in mine if m is not None]
    carried_ok = any(ok(m) for m in recomputed) or _between(answer, recomputed)
    upstream_sound = _sound(ctx, name, sound)
    if ok(truth):
        verdict, note = "correct", ""
    elif carried_ok and upstream_sound:
        verdict = "correct"
        note = f"correct despite rounding drift (exact: {_fixed(truth, answer.decimals + 2)})"
    elif carried_ok:
        verdict, note = "carried", ""
    else:
        verdict, note = "wrong", ""
    sound[name] = verdict == "correct"
    sources = _sources(ctx, name, sound) if verdict == "carried" else ()
    if verdict == "carried":
        note = "carried: right from your " + ", ".join(sources) if sources else "carried from your earlier numbers"
    return Marked(name, answer, truth, own, verdict, note, None, None, sources)


def _no_value(name: str, answer: Answer, truth: float, right: bool, sound: dict[str, bool],
              exc: BackpropError) -> Marked:
    """A step the student's own numbers give no value for: right only if it is the true value."""
    sound[name] = right
    why = str(exc.message if isinstance(exc, ProblemError) else exc).removeprefix(f"{name}: ")
    mistake = None if right else Mistake("arithmetic", f"your earlier numbers give {name} no value: {why}",
                                         "a step with no value from the earlier numbers")
    return Marked(name, answer, truth, None, "correct" if right else "wrong", "", mistake, None)


def _within(answer: Answer):
    tol = Tolerance(decimals=answer.decimals)
    return lambda x: tol.allows(answer.value, x)


def _between(answer: Answer, values: list[float]) -> bool:
    """Within rounding of the range a careful student's numbers span (rounding some steps and not others)."""
    return bool(values) and min(values) - answer.half_unit <= answer.value <= max(values) + answer.half_unit


def _safe_own(world: World, name: str) -> float | None:
    from .explain import _safe

    return _safe(lambda: world.own(name))


def _read_own(careful: World, step: Step, decimals: int) -> float | None:
    """The step from earlier numbers read rounded to the decimals written (when more were written)."""
    from ..engine import round_half_away
    from .explain import _safe

    return _safe(lambda: careful.compute(step, None, lambda x: round_half_away(x, decimals)))


def _sound(ctx: Context, name: str, sound: dict[str, bool]) -> bool:
    """Whether every number the step was computed from is correct (the student's own or recomputed)."""
    return not _sources(ctx, name, sound)


def _sources(ctx: Context, name: str, sound: dict[str, bool]) -> tuple[str, ...]:
    """The nearest wrong or carried numbers the student wrote that the step was computed from."""
    found, todo, seen = [], list(ctx.exact.reads.get(name, ())), set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if n in ctx.written:
            if not sound.get(n, False):
                found.append(n)
        else:
            todo.extend(ctx.exact.reads.get(n, ()))
    order = list(ctx.plan.steps)
    return tuple(sorted(found, key=order.index))


def _explained(ctx: Context, marked: list[Marked]) -> list[Marked]:
    """Each wrong value with its likely mistake and its working.

    Where several models reproduce a number, the one whose family explains the most wrong numbers is
    named: a mistake that recurs is one mistake, not several coincidences.
    """
    wrong = {m.name: m for m in marked if m.verdict == "wrong" and m.own is not None}
    found = {name: [x.mistake for x in matches] for name, matches in _matches(ctx, wrong).items()}
    recurs = Counter(family for options in found.values() for family in {o.family for o in options})
    out = []
    for m in marked:
        if m.name in found and m.own is not None:
            mistake = max(found[m.name], key=lambda o: recurs[o.family])  # max keeps the first of equals
            shown = ctx.exact.formula(ctx.plan.steps[m.name])
            working = Working(shown[0] if shown else None, shown[1] if shown else {}, m.own)
            m = Marked(m.name, m.answer, m.expected, m.own, m.verdict, m.note, mistake, working)
        out.append(m)
    return out


def _matches(ctx: Context, wrong: dict[str, Marked]) -> dict[str, list[Match]]:
    """Each wrong number's matches, and then each model found anywhere tried on the other wrong numbers."""
    found = {name: explain(ctx, ctx.plan.steps[name], m.answer) for name, m in wrong.items()}
    families = dict.fromkeys(x.mistake.family for matches in found.values() for x in matches if x.model is not None)
    for name, matches in found.items():
        have = {x.mistake.family for x in matches}
        for family in families:
            if family not in have and (match := fits(ctx, ctx.plan.steps[name], wrong[name].answer, family)):
                matches.append(match)
    return found


def _patterns(marked: list[Marked]) -> tuple[Pattern, ...]:
    """Each mistake once, with the steps it affected, in the order first met."""
    groups: dict[tuple[str, str], list[str]] = {}
    for m in marked:
        if m.mistake is not None:
            groups.setdefault((m.mistake.kind, m.mistake.family), []).append(m.name)
    return tuple(Pattern(kind, family, tuple(steps)) for (kind, family), steps in groups.items())


def _fixed(value: float, decimals: int) -> str:
    from ..formula.printing import fmt_number

    return fmt_number(value, decimals)
