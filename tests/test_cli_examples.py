"""`backprop examples` and `backprop new`: the shipped problems and a starter file, for a user with no clone."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from backprop_cli.engine import solve
from backprop_cli.errors import ExitCode
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.meta import schema_url
from backprop_cli.shipped import names

from helpers import invoke
from problem_files import ROOT, problem_files


def test_every_problem_file_is_shipped_and_listed() -> None:
    assert names() == [p.stem for p in problem_files()]
    listing = invoke("examples").stdout.splitlines()
    assert [line.split()[0] for line in listing] == names()
    mazur = next(x for x in listing if x.startswith("mazur "))
    assert "A step by step backpropagation example (2-2-2 network)" in mazur


def test_an_example_prints_with_the_schema_url() -> None:
    text = invoke("examples", "mazur").stdout
    original = (ROOT / "problems" / "mazur.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={schema_url()}"
    assert text.splitlines()[1:] == original.splitlines()[1:]


def test_copy_out_with_its_key_then_check_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("examples", "mazur", "-o", "mine")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["wrote mine/mazur.yaml", "wrote mine/mazur.key.yaml"]
    assert invoke("check", "mine").exit_code == ExitCode.OK
    assert invoke("examples", "mazur", "-o", "mine").exit_code == 0  # the same files again: nothing to refuse


def test_copy_every_example(tmp_path: Path) -> None:
    result = invoke("examples", "-o", str(tmp_path))
    assert result.exit_code == 0
    assert sorted(p.stem for p in tmp_path.glob("*.yaml") if not p.name.endswith(".key.yaml")) == names()
    assert invoke("check", str(tmp_path)).exit_code == ExitCode.OK


def test_a_differing_file_is_kept_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "mazur.yaml").write_text("title: mine\n", encoding="utf-8")
    refused = invoke("examples", "mazur", "-o", str(tmp_path))
    assert refused.exit_code == ExitCode.USAGE
    assert "refusing to replace" in refused.stderr and "--force" in refused.stderr
    assert (tmp_path / "mazur.yaml").read_text(encoding="utf-8") == "title: mine\n"
    assert not (tmp_path / "mazur.key.yaml").exists()  # nothing is written when anything is refused
    assert invoke("examples", "mazur", "-o", str(tmp_path), "--force").exit_code == 0
    assert load_problem(tmp_path / "mazur.yaml").title.startswith("A step by step")


def test_an_unknown_example_is_a_usage_error_with_a_suggestion() -> None:
    result = invoke("examples", "mazr")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith("Error: no example named 'mazr' (expected one of: batch_two_samples, mazur")
    assert result.stderr.rstrip().endswith("Did you mean 'mazur'?")


ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "softplus", "silu", "identity"]
LOSSES = ["squared_error", "binary_cross_entropy", "categorical_cross_entropy"]


@pytest.mark.parametrize(("activation", "loss"), list(itertools.product(ACTIVATIONS, LOSSES)))
def test_every_starter_solves(activation: str, loss: str) -> None:
    text = invoke("new", "--layers", "3-4-2", "--activation", activation, "--loss", loss).stdout
    problem = load_problem_text(text, "new.yaml")
    sol = solve(problem)
    assert sol.loss is not None and sol.loss_after is not None
    assert problem.layers[0].activation.startswith(activation)
    zs = [v for n in problem.nodes if n.role == "z" for v in sol.values[n.name]]
    assert all(z != 0 for z in zs)  # no neuron sits on a kink
    assert text.splitlines()[0] == f"# yaml-language-server: $schema={schema_url()}"


@pytest.mark.parametrize("layers", ["1-1", "2-2-2", "4-3-3-2", "8-8"])
def test_starter_sizes(layers: str) -> None:
    problem = load_problem_text(invoke("new", "--layers", layers).stdout, "new.yaml")
    sizes = [int(x) for x in layers.split("-")]
    assert len(problem.inputs) == sizes[0]
    assert [len(layer.neurons) for layer in problem.layers] == sizes[1:]


@pytest.mark.parametrize("layers", ["2", "2-0-2", "2-x-2", "9-2", ""])
def test_bad_layer_sizes_are_usage_errors(layers: str) -> None:
    result = invoke("new", "--layers", layers)
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.startswith(f"Error: --layers {layers!r}: expected sizes from 1 to 8")


def test_new_writes_a_file_and_keeps_an_existing_one(tmp_path: Path) -> None:
    target = tmp_path / "q1.yaml"
    assert invoke("new", "-o", str(target)).exit_code == 0
    assert load_problem(target).title == "A 2-2-2 network (sigmoid, squared error)"
    target.write_text("title: mine\n", encoding="utf-8")
    assert invoke("new", "-o", str(target)).exit_code == ExitCode.USAGE
    assert target.read_text(encoding="utf-8") == "title: mine\n"
    assert invoke("new", "-o", str(target), "--force").exit_code == 0
    assert target.read_text(encoding="utf-8") != "title: mine\n"
