"""The training section: each mistake gets one exact line on its line and exit 3, and the loader and the
problem schema judge each document alike (or the loader's check is one the schema cannot make)."""
from __future__ import annotations

import pytest
from test_cli_errors import BATCH, FILE, NET, assert_one_line, edit, solve
from test_load_agreement import VALIDATOR, loader_verdict

from backprop_cli.load.yamlreader import load_yaml_text

TORCH = "PyTorch's default is"
STEPS = "a whole number of steps from 1 to 1000000"
OPTIMIZERS = "one of: adam, momentum, nesterov, rmsprop, sgd"


def batch(training: str) -> str:
    """BATCH (two samples, its training on line 11) with more in its training mapping."""
    return edit(BATCH, "training: {learning_rate: 1.0}", f"training: {{learning_rate: 1.0, {training}}}")


CASES = [
    pytest.param(batch("steps: 3, epochs: 2"),
                 "Error: {file}:11: training.epochs: 'epochs' given beside 'steps' (expected either steps (full-batch "
                 "steps) or epochs (passes over the samples))", id="steps-with-epochs"),
    pytest.param(NET + "  batch_size: 2\n",
                 "Error: {file}:19: training.batch_size: 'batch_size' without 'epochs' (expected epochs: N beside "
                 "batch_size, or steps: N for full-batch steps)", id="batch-size-without-epochs"),
    pytest.param(NET + "  steps: 4\n  shuffle: {seed: 1}\n",
                 "Error: {file}:20: training.shuffle: 'shuffle' without 'epochs' (expected epochs: N beside shuffle, "
                 "which orders the samples of each epoch)", id="shuffle-without-epochs"),
    pytest.param(NET + "  optimizer: {name: adamw, beta1: 0.9}\n",
                 f"Error: {{file}}:19: training.optimizer.name: unknown optimizer 'adamw' (expected {OPTIMIZERS}). "
                 "Did you mean 'adam'?", id="unknown-optimizer"),
    pytest.param(NET + "  optimizer: nesterow\n",
                 f"Error: {{file}}:19: training.optimizer: unknown optimizer 'nesterow' (expected {OPTIMIZERS}). "
                 "Did you mean 'nesterov'?", id="unknown-optimizer-as-a-word"),
    pytest.param(NET + "  optimizer: adam\n",
                 "Error: {file}:19: training.optimizer: adam needs its hyper-parameters spelled out (expected "
                 "{name: adam, beta1: 0.9, beta2: 0.999, eps: 1e-8})", id="hyper-parameters-never-guessed"),
    pytest.param(NET + "  optimizer: {name: momentum, momentum: 1}\n",
                 "Error: {file}:19: training.optimizer.momentum: momentum 1 is outside [0, 1) (expected 0 ≤ momentum "
                 "< 1)", id="momentum-1"),
    pytest.param(NET + "  optimizer: {name: nesterov, momentum: -0.1}\n",
                 "Error: {file}:19: training.optimizer.momentum: momentum -0.1 is outside [0, 1) (expected 0 ≤ "
                 "momentum < 1)", id="momentum-negative"),
    pytest.param(NET + "  optimizer: {name: adam, beta1: 0.9, beta2: 1.5, eps: 1e-8}\n",
                 "Error: {file}:19: training.optimizer.beta2: beta2 1.5 is outside [0, 1) (expected 0 ≤ beta2 < 1)",
                 id="beta-above-1"),
    pytest.param(NET + "  optimizer: {name: rmsprop, alpha: 0.99, eps: 0}\n",
                 "Error: {file}:19: training.optimizer.eps: eps 0 is not positive (expected a number > 0, such as "
                 "1e-8)", id="eps-0"),
    pytest.param(NET + "  optimizer:\n    name: adam\n    beta1: 0.9\n    beta2: 0.999\n    eps: -1e-8\n",
                 "Error: {file}:23: training.optimizer.eps: eps -1e-08 is not positive (expected a number > 0, such "
                 "as 1e-8)", id="eps-negative-on-its-own-line"),
    pytest.param(NET + "  optimizer: {name: adam, beta1: 0.9, eps: 1e-8}\n",
                 f"Error: {{file}}:19: training.optimizer.beta2: missing required key (expected beta2 for adam, "
                 f"spelled out: {TORCH} 0.999)", id="hyper-parameter-missing"),
    pytest.param(NET + "  optimizer: {name: adam, beta1: 0.9, beta_2: 0.999, eps: 1e-8}\n",
                 "Error: {file}:19: training.optimizer.beta_2: adam has no parameter 'beta_2' (expected one of: beta1, "
                 "beta2, eps). Did you mean 'beta2'?", id="hyper-parameter-misspelt"),
    pytest.param(NET + "  optimizer: {name: sgd, momentum: 0.9}\n",
                 "Error: {file}:19: training.optimizer.momentum: sgd has no parameter 'momentum' (expected no "
                 "hyper-parameters)", id="sgd-with-momentum"),
    pytest.param(NET + "  steps: 0\n", f"Error: {{file}}:19: training.steps: got 0 (expected {STEPS})", id="steps-0"),
    pytest.param(NET + "  steps: 2.5\n", f"Error: {{file}}:19: training.steps: got 2.5 (expected {STEPS})",
                 id="steps-fraction"),
    pytest.param(NET + "  steps: '10'\n",
                 f"Error: {{file}}:19: training.steps: got a string '10' (expected {STEPS}, without quotes)",
                 id="steps-quoted"),
    pytest.param(NET + "  steps: 10\n  show: [1, 12]\n",
                 "Error: {file}:20: training.show[1]: there is no step 12: training takes 10 steps (expected a step "
                 "number from 1 to 10, or last)", id="show-beyond-the-last-step"),
    pytest.param(NET + "  steps: 10\n  show: [1, lats]\n",
                 "Error: {file}:20: training.show[1]: got 'lats' (expected a step number from 1, or last). Did you "
                 "mean 'last'?", id="show-misspelt-last"),
    pytest.param(batch("epochs: 2, batch_size: 3"),
                 "Error: {file}:11: training.batch_size: batch_size 3 is more than the 2 samples (expected a batch "
                 "size from 1 to 2)", id="batch-size-above-the-samples"),
    pytest.param(batch("epochs: 2, shuffle: {seed: -1}"),
                 "Error: {file}:11: training.shuffle.seed: got -1 (expected a whole number from 0 to 4294967295)",
                 id="negative-seed"),
    pytest.param(batch("epochs: 1000000, batch_size: 1"),
                 "Error: {file}:11: training.epochs: 1000000 epochs of 2 mini-batches are 2000000 steps (expected at "
                 "most 1000000 steps)", id="too-many-steps"),
]

ACCEPTED = [
    NET + "  steps: 3\n  optimizer: sgd\n  show: [last, 1, 1]\n",
    NET + "  steps: 3.0\n  show: []\n",
    batch("epochs: 3, batch_size: 1, shuffle: {seed: 0}, optimizer: {name: rmsprop, alpha: 0, eps: 1e6}"),
    batch("epochs: 1, optimizer: {name: nesterov, momentum: 0}"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_each_training_mistake_gets_one_exact_line(tmp_path, monkeypatch, text: str, expected: str) -> None:
    assert_one_line(solve(tmp_path, monkeypatch, text), expected.replace("{file}", FILE))


@pytest.mark.parametrize("text", ACCEPTED)
def test_the_limits_themselves_are_accepted(tmp_path, monkeypatch, text: str) -> None:
    result = solve(tmp_path, monkeypatch, text)
    assert (result.exit_code, result.stderr) == (0, "")


@pytest.mark.parametrize("text", [c.values[0] for c in CASES] + ACCEPTED)
def test_the_schema_agrees_with_the_loader(text: str) -> None:
    doc = load_yaml_text(text, "doc.yaml")
    verdict = loader_verdict(doc)
    if verdict != "beyond":  # beyond: how many steps there are depends on the samples, which the schema cannot count
        assert (verdict == "accept") == VALIDATOR.is_valid(doc), verdict
