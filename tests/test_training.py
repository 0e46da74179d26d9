"""Training as a whole: Mazur's published figure, what each reported loss is, the schedule, the steps
worked in full against the compiled loop, divergence and domain errors, keys, and JSON's imports."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml
from test_training_optimizers import BATCH, schedule_reference

from backprop_cli.engine import batch_total, forward, solve
from backprop_cli.keys.keyfile import compare as compare_key
from backprop_cli.keys.keyfile import parse_key, quantities
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.model import Training
from backprop_cli.solution import FinalStep, HistoryStep, ShownStep
from backprop_cli.training import schedule

from helpers import invoke

ROOT = Path(__file__).resolve().parent.parent


def history(sol) -> tuple[float, ...]:
    return sol.of(HistoryStep)[0].losses


def numpy_mazur(steps: int) -> list[float]:
    """Mazur's network trained by plain gradient descent in numpy: the loss after 0 … steps steps."""
    doc = yaml.safe_load((ROOT / "problems" / "mazur.yaml").read_text(encoding="utf-8"))
    x = np.array([doc["inputs"]["i1"], doc["inputs"]["i2"]])
    t = np.array([doc["targets"]["target_o1"], doc["targets"]["target_o2"]])
    W1, W2 = (np.array(layer["weights"]["values"]).T for layer in doc["layers"])  # neurons × inputs
    b1, b2, lr, losses = doc["params"]["b1"], doc["params"]["b2"], doc["training"]["learning_rate"], []
    for k in range(steps + 1):
        h = 1 / (1 + np.exp(-(W1 @ x + b1)))
        o = 1 / (1 + np.exp(-(W2 @ h + b2)))
        losses.append(float(0.5 * np.sum((o - t) ** 2)))
        if k < steps:
            do = (o - t) * o * (1 - o)
            dh = (W2.T @ do) * h * (1 - h)
            W2, W1 = W2 - lr * np.outer(do, h), W1 - lr * np.outer(dh, x)
    return losses


def test_mazurs_published_error_is_the_one_after_9999_steps() -> None:
    """His "after 10,000 rounds the error is 0.0000351085" counts the rounds before the last update."""
    losses = history(solve(load_problem(ROOT / "problems" / "mazur_10000.yaml")))
    assert len(losses) == 10001
    assert f"{losses[9999]:.10f}" == "0.0000351085"
    assert f"{losses[10000]:.10f}" == "0.0000351019"  # the error after 10,000 steps
    assert f"{losses[10000]:.10f}" != "0.0000351085"
    reference = numpy_mazur(10000)
    np.testing.assert_allclose(losses, reference, rtol=1e-10)
    assert losses[10000] == pytest.approx(reference[10000], rel=1e-12)


def test_full_batch_losses_are_the_next_steps_and_the_loss_after_each_shown_step() -> None:
    """Full batch: the loss after step k is the loss step k + 1 starts from, computed once."""
    sol = solve(load_problem(ROOT / "problems" / "momentum_two_steps.yaml"))
    losses, (first, second) = history(sol), sol.of(ShownStep)
    assert (first.step, second.step, len(losses)) == (1, 2, 3)
    assert losses[0] == first.solution.loss and losses[1] == second.solution.loss
    assert first.solution.loss_after == pytest.approx(losses[1], rel=1e-14)
    assert second.solution.loss_after == pytest.approx(losses[2], rel=1e-14)
    assert second.solution.problem.params["w1"].value == first.solution.new_params["w1"]


def test_mini_batch_losses_are_over_every_sample_after_each_step() -> None:
    """Each step's loss is its mini-batch's; the loss reported after it is over all samples."""
    text = BATCH.format(lr=0.1, epochs=2, size=2, optimizer="{name: momentum, momentum: 0.9}",
                        show="[1, 2, 3, 4, 5, 6]", shuffle="  shuffle: {seed: 3}\n")
    problem = load_problem_text(text, "b.yaml")
    sol = solve(problem)
    losses, shown = history(sol), sol.of(ShownStep)
    batches = schedule_reference(5, 2, 2, 3)
    assert [s.samples for s in shown] == [tuple(b) for b in batches] and [s.epoch for s in shown] == [1] * 3 + [2] * 3
    for s in shown:
        assert s.solution.problem.n_samples == len(s.samples)
        everyone = forward(problem, s.solution.new_params)[problem.loss]
        assert losses[s.step] == pytest.approx(batch_total(problem, everyone), rel=1e-13)
        assert s.solution.loss_after == pytest.approx(
            sum(everyone[k] for k in s.samples) / len(s.samples), rel=1e-13)  # its own mini-batch's loss
    assert sol.of(HistoryStep)[0].epoch_ends == (3, 6)


def test_steps_worked_in_full_continue_as_the_compiled_loop_would() -> None:
    """Working a step by the engine changes nothing for the steps after it, to rounding."""
    base = (ROOT / "problems" / "xor_adam.yaml").read_text(encoding="utf-8")
    every = solve(load_problem_text(base.replace("show: [1, 2, last]", f"show: {list(range(1, 101))}"), "x.yaml"))
    none = solve(load_problem_text(base.replace("show: [1, 2, last]", "show: []"), "x.yaml"))
    assert len(every.of(ShownStep)) == 100 and none.of(ShownStep) == []
    np.testing.assert_allclose(history(every), history(none), rtol=1e-11)
    for k, value in none.new_params.items():
        assert every.new_params[k] == pytest.approx(value, rel=1e-11)


def test_the_shuffle_follows_the_documented_algorithm_and_the_seed() -> None:
    n, training = 7, Training(steps=12, epochs=4, batch_size=3, seed=42)
    plan = schedule(n, training)
    assert [list(s) for s, _ in plan] == schedule_reference(n, 4, 3, 42)
    assert [e for _, e in plan] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    assert sorted(k for s, e in plan if e == 2 for k in s) == list(range(n))  # every sample once an epoch
    assert schedule(n, Training(steps=12, epochs=4, batch_size=3, seed=43)) != plan
    assert [list(s) for s, _ in schedule(n, Training(steps=12, epochs=4, batch_size=3))] == [
        [0, 1, 2], [3, 4, 5], [6]] * 4


LINE = """\
title: a line
inputs: {{x: 2.0}}
targets: {{y: 1.0}}
params: {{w: 0.6}}
equations:
  p: w*x
outputs: {{p: y}}
loss: {{type: squared_error, factor: 0.5, reduction: sum}}
training:
  learning_rate: {lr}
  {how}
"""


def diverging_step(lr: float) -> tuple[int, float]:
    """Where w ← w − η·(wx − y)·x, x = 2, y = 1, first gives a loss ½(wx − y)² that is not finite."""
    w, before, k = 0.6, None, 0
    while True:
        try:
            loss = 0.5 * (w * 2.0 - 1.0) ** 2
        except OverflowError:
            loss = math.inf
        if not math.isfinite(loss):
            return k, before
        before, w, k = loss, w - lr * (w * 2.0 - 1.0) * 2.0, k + 1


@pytest.mark.parametrize("how", ["steps: 2000", "epochs: 2000", "steps: 2000\n  show: [1, 320, 400]",
                                 "steps: 2000\n  optimizer: {name: momentum, momentum: 0.0}"])
def test_divergence_names_the_step_and_the_loss_before_it(tmp_path, monkeypatch, how: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "line.yaml").write_text(LINE.format(lr=1.0, how=how), encoding="utf-8")
    result = invoke("solve", "line.yaml", "--format", "json")
    step, before = diverging_step(1.0)
    assert step == 325 and result.exit_code == 3 and result.stdout == ""
    assert result.stderr == (f"Error: line.yaml:10: training.learning_rate: training diverged at step {step}: L is "
                             f"not finite after it, and was {before:.6g} before it (expected a smaller learning "
                             "rate)\n")


def test_a_domain_error_later_in_training_names_its_step(tmp_path, monkeypatch) -> None:
    """log(w) once gradient descent has taken w below 0: the engine's message, with the step."""
    text = LINE.format(lr=0.6, how="steps: 20").replace("  p: w*x", "  q: log(w)\n  p: q").replace(
        "params: {w: 0.6}", "params: {w: 2.0}").replace("targets: {y: 1.0}", "targets: {y: -3.0}")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "log.yaml").write_text(text, encoding="utf-8")
    w, k = 2.0, 1  # step k starts from w
    while w > 0:
        w -= 0.6 * (math.log(w) + 3.0) / w  # ∂½(log w − y)²/∂w
        k += 1
    result = invoke("solve", "log.yaml")
    assert result.exit_code == 3
    assert result.stderr == (f"Error: log.yaml:6: equations.q: step {k} of training: log of a non-positive number "
                             f"(value {w:.6g}) (expected values inside each function's domain)\n")


def test_keys_of_trained_problems_name_losses_by_step_and_final_parameters() -> None:
    sol = solve(load_problem(ROOT / "problems" / "mazur_10000.yaml"))
    q = quantities(sol)
    assert list(q)[:5] == ["E_total@0", "E_total@1", "E_total@2", "E_total@9999", "E_total@10000"]
    assert q["E_total@9999"] == history(sol)[9999] and q["w5@10000"] == sol.new_params["w5"]
    assert set(q) - {f"E_total@{k}" for k in (0, 1, 2, 9999, 10000)} == {f"{p}@10000" for p in sol.problem.params}
    key = parse_key("values:\n  E_total@9999: {value: 0.0000351085, decimals: 10}\n  w5@10000: -3.9\n")
    passed = [c.passed for c in compare_key(key, sol)]
    assert passed == [True, False]
    final = sol.of(FinalStep)[0]
    assert final.loss == q["E_total@10000"] and final.values["E_total"] == (final.loss,)


def test_check_covers_the_trained_problems(in_root) -> None:
    result = invoke("check", "problems/mazur_10000.yaml", "problems/xor_adam.yaml", "problems/momentum_two_steps.yaml")
    assert result.exit_code == 0 and result.stdout.endswith("3 passed, 0 failed\n")


def test_json_of_10000_steps_imports_neither_rich_nor_numpy() -> None:
    code = ("import sys, runpy; sys.argv = ['backprop', 'solve', 'problems/mazur_10000.yaml', '--format', 'json'];\n"
            "try:\n    runpy.run_module('backprop_cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'numpy')), file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.stderr.strip().splitlines()[-1] == "[]"
    doc = json.loads(run.stdout)
    assert len(doc["history"]["losses"]) == 10001 and [s["step"] for s in doc["steps"]] == [1, 2]
    assert doc["final"]["params"]["w5"] == solve(load_problem(ROOT / "problems" / "mazur_10000.yaml")).new_params["w5"]
