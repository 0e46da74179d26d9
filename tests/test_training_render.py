"""How training is written: the Given echo, each shown step's heading, the optimizer's rows, the loss table,
and the loss curve in text (terminal) and as a mermaid xychart (markdown)."""
from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import jsonschema
import pytest

from backprop_cli.engine import solve
from backprop_cli.formula.printing import fmt_number
from backprop_cli.load.document import load_problem
from backprop_cli.render import json as json_out
from backprop_cli.render import markdown, terminal
from backprop_cli.render.blocks import Derivation, LossCurve, Note
from backprop_cli.render.chart import DOT, HEIGHT, MERMAID_POINTS, picks, text_chart, xychart
from backprop_cli.render.layout import build
from backprop_cli.render.training import sampled
from backprop_cli.solution import HistoryStep, ShownStep

from helpers import invoke

ROOT = Path(__file__).resolve().parent.parent
MERMAID_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)")  # what mermaid's xychart reads: no exponent


def solved(name: str):
    return solve(load_problem(ROOT / "problems" / f"{name}.yaml"))


@pytest.fixture(scope="module")
def xor():
    return solved("xor_adam")


def losses_of(sol) -> tuple[float, ...]:
    return sol.of(HistoryStep)[0].losses


@pytest.mark.parametrize("width", [40, 57, 80, 100, 200])
@pytest.mark.parametrize("log", [False, True])
def test_the_text_chart_fits_and_marks_its_highest_and_lowest_loss(width: int, log: bool) -> None:
    losses = losses_of(solved("mazur_10000"))
    lines = text_chart(losses, width, 4, log)
    assert max(len(line) for line in lines) <= width and len(lines) == HEIGHT + 2
    top, bottom = lines[0], lines[HEIGHT - 1]
    assert top.split("┤")[0].strip() == fmt_number(max(losses)) and bottom.split("┤")[0].strip() == fmt_number(
        min(losses))
    plot = [line.split("┤" if "┤" in line else "│", 1)[1] for line in lines[:HEIGHT]]
    assert plot[0].startswith(DOT)  # step 0: the highest loss, in the first column
    assert re.fullmatch(r" +0 +10000", lines[-1])
    columns = [col for col in range(max(map(len, plot))) if any(row[col:col + 1] == DOT for row in plot)]
    assert len(columns) == len(set(columns)) == len(plot[-1]) or columns  # one point a column at most
    for col in columns:
        assert sum(row[col:col + 1] == DOT for row in plot) == 1
    rows = [next(r for r, row in enumerate(plot) if row[col:col + 1] == DOT) for col in columns]
    assert rows == sorted(rows)  # a loss that only falls never climbs back up the chart


def test_the_log_scale_spreads_a_loss_that_falls_by_decades() -> None:
    losses = losses_of(solved("mazur_10000"))
    linear, log = text_chart(losses, 100, 4), text_chart(losses, 100, 4, log=True)
    assert sum(DOT in line for line in linear[:HEIGHT]) == 2  # all but the start squashed onto the bottom
    assert sum(DOT in line for line in log[:HEIGHT]) >= HEIGHT - 2  # spread over the chart's rows
    curves = [b for s in build(solved("mazur_10000")).sections for b in s.blocks if isinstance(b, LossCurve)]
    assert [c.log for c in curves] == [True]
    assert "E_total after each step (log scale)" in terminal.render(solved("mazur_10000"))
    assert not [b for s in build(solved("momentum_two_steps")).sections for b in s.blocks
                if isinstance(b, LossCurve) and b.log]


def test_a_flat_curve_is_drawn_in_the_middle() -> None:
    lines = text_chart([0.25] * 6, 60, 4)
    assert [r for r, line in enumerate(lines[:HEIGHT]) if DOT in line] == [HEIGHT // 2]


@pytest.mark.parametrize("name", ["mazur_10000", "xor_adam", "momentum_two_steps"])
def test_the_mermaid_chart_holds_the_losses_it_picks(name: str) -> None:
    sol = solved(name)
    losses = losses_of(sol)
    text = markdown.render(sol)
    block = re.search(r"```mermaid\n(xychart-beta\n.*?)\n```", text, re.S)
    assert block is not None
    lines = block.group(1).splitlines()
    log = min(losses) > 0 and max(losses) >= 100 * min(losses)
    assert lines == xychart(losses, sol.problem.loss, log)
    assert lines[2] == f'  x-axis "step" 0 --> {len(losses) - 1}'
    values = lines[4].removeprefix("  line [").removesuffix("]").split(", ")
    assert all(MERMAID_NUMBER.fullmatch(v) for v in values)
    steps = picks(len(losses) - 1, MERMAID_POINTS)
    assert len(values) == len(steps) <= MERMAID_POINTS and steps[0] == 0 and steps[-1] == len(losses) - 1
    for v, k in zip(values, steps):
        want = math.log10(losses[k]) if log else losses[k]
        assert float(v) == pytest.approx(want, rel=1e-3, abs=1e-4)


def test_the_loss_table_shows_the_first_steps_round_ones_and_the_last_two() -> None:
    assert sampled(10000) == [0, 1, 2, 3, 4, 5, *range(1000, 10000, 1000), 9999, 10000]
    assert sampled(50) == [0, 1, 2, 3, 4, 5, *range(5, 50, 5)[1:], 49, 50]
    assert sampled(12) == list(range(13))
    text = terminal.render(solved("mazur_10000"), width=100)
    assert re.search(r"^ 9999   0\.00003511\n10000   0\.00003510$", text, re.M)


def test_given_echoes_every_hyper_parameter_in_every_format(xor) -> None:
    text = terminal.render(xor, width=100)
    assert "  optimizer adam with β1 = 0.9, β2 = 0.999, ε = 1×10⁻⁸\n" in text
    assert "  50 epochs of mini-batches of 3 of the 4 samples, shuffled with seed 7: 100 steps\n" in text
    assert "  worked in full: steps 1, 2 and 100\n" in text
    md = markdown.render(xor)
    assert "Optimizer adam with $`\\beta_1 = 0.9`$, $`\\beta_2 = 0.999`$, $`\\varepsilon = 1 \\times 10^{-8}`$." in md
    doc = json.loads(json_out.render(xor))
    assert doc["problem"]["training"] == {"optimizer": {"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
                                          "steps": 100, "epochs": 50, "batch_size": 3, "shuffle_seed": 7,
                                          "show": [1, 2, 100]}


def test_each_shown_step_says_which_samples_and_parameters_it_starts_from(xor) -> None:
    notes = [s.blocks[0].text.text for s in build(xor).sections if s.title.endswith(": forward pass")]
    shown = xor.of(ShownStep)
    first = [k + 1 for k in shown[0].samples]
    assert notes[0] == (f"Step 1 of 100, in epoch 1: the mini-batch of samples {first[0]}, {first[1]} and {first[2]}, "
                        "numbered 1, 2 and 3 in this step, from the given parameters")
    (last,) = shown[2].samples  # 4 samples in threes: the last mini-batch of an epoch holds one
    numbered = "" if last == 0 else ", numbered 1 in this step"  # sample 1 is 1 in the step too
    assert notes[2] == f"Step 100 of 100, in epoch 50: the mini-batch of sample {last + 1}{numbered}, from the " \
                       "parameters after step 99"
    mazur = [s.blocks[0] for s in build(solved("mazur_10000")).sections if s.title == "Step 2: forward pass"]
    assert isinstance(mazur[0], Note) and mazur[0].text.text == "Step 2 of 10000, from the parameters after step 1"


def test_the_optimizers_state_and_rule_are_worked_for_every_parameter(xor) -> None:
    sections = [s for s in build(xor).sections if s.title == "Step 1: update"]
    (derivation,) = [b for b in sections[0].blocks if isinstance(b, Derivation)]
    names = [row.lhs.text for row in derivation.rows]
    params = list(xor.problem.params)
    assert names == [f"{state}({p})" if state else f"{p}⁺" for p in params
                     for state in ("m", "s", "m_hat", "s_hat", "")]
    update = xor.of(ShownStep)[0].solution
    new = {row.lhs.text[:-1]: row.values[0] for row in derivation.rows if row.lhs.text.endswith("⁺")}
    assert new == update.new_params


def test_frozen_parameters_are_named_and_not_worked(tmp_path) -> None:
    text = (ROOT / "problems" / "momentum_two_steps.yaml").read_text(encoding="utf-8")
    path = tmp_path / "frozen.yaml"
    path.write_text(text.replace("  steps: 2\n", "  steps: 2\n  frozen: [u]\n"), encoding="utf-8")
    sol = solve(load_problem(path))
    out = terminal.render(sol, width=120)
    assert "; frozen, so not updated: u" in out and "v(u)" not in out and "u⁺" not in out
    assert sol.new_params["u"] == 0.8
    assert re.search(r"^u \(frozen\) +0\.8000 +0\.8000$", out, re.M)  # given and trained, in After training


def test_readme_training_output_is_real(monkeypatch) -> None:
    """The README's copy of how mazur_10000 ends: its Training and After training sections."""
    monkeypatch.chdir(ROOT)
    result = invoke("solve", "problems/mazur_10000.yaml", "--width", "100")
    assert result.exit_code == 0
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    start = next(k for k, line in enumerate(lines) if re.fullmatch(r"\d+\. Training", line))
    expected = "\n".join(lines[start:]) + "\n"
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    m = re.search(r"(<!-- training-output:start -->\n```text\n)(.*?)(```\n<!-- training-output:end -->)", text, re.S)
    assert m, "README has no training-output block"
    if os.environ.get("UPDATE_GOLDEN"):
        readme.write_text(text.replace(m.group(0), m.group(1) + expected + m.group(3)), encoding="utf-8")
        return
    assert m.group(2) == expected


VARIANTS = {
    "one-epoch": ("epochs: 1", "1 epoch, each one full-batch step: 1 step"),
    "full-batch-epochs": ("epochs: 3", "3 epochs, each one full-batch step: 3 steps"),
    "one-adam-step": ("steps: 1, optimizer: {name: adam, beta1: 0.9, beta2: 0.999, eps: 1e-8}",
                      "optimizer adam with β1 = 0.9, β2 = 0.999, ε = 1×10⁻⁸"),
    "one-sample-mini-batches": ("epochs: 2, batch_size: 1, show: [1, last]",
                                "2 epochs of mini-batches of 1 of the 2 samples, in file order: 4 steps"),
    "rmsprop-shown-nowhere": ("steps: 5, show: [], optimizer: {name: rmsprop, alpha: 0.9, eps: 1e-6}",
                              "worked in full: no step"),
}


@pytest.mark.parametrize("variant", VARIANTS.values(), ids=VARIANTS)
def test_every_way_of_training_renders_in_every_format(variant: tuple[str, str]) -> None:
    from backprop_cli.load.document import load_problem_text

    from problem_files import BATCH

    training, said = variant
    text = BATCH.replace("training: {learning_rate: 0.1, frozen: [b]}",
                         f"training: {{learning_rate: 0.1, frozen: [b], {training}}}")
    sol = solve(load_problem_text(text, "variant.yaml"))
    out = terminal.render(sol, width=80)
    assert f"  {said}\n" in out and max(len(line) for line in out.splitlines()) <= 80
    schema = json.loads((ROOT / "backprop_cli" / "schemas" / "solution.schema.json").read_text(encoding="utf-8"))
    doc = json.loads(json_out.render(sol))
    jsonschema.Draft202012Validator(schema).validate(doc)
    single = sol.problem.training.single
    assert ("steps" in doc) == (not single) and ("forward" in doc) == single
    assert "```mermaid\nxychart-beta" in markdown.render(sol) or single
