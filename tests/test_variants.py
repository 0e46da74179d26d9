"""`backprop variants`: deterministic draws, constraints that hold, files that are normal problems with keys."""
from __future__ import annotations

import difflib
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from backprop_cli.errors import ExitCode
from backprop_cli.formula.tree import Call, Var
from backprop_cli.keys.keyfile import quantities
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.load.yamlreader import load_yaml_text
from backprop_cli.variants import FLAT, MIN_GAP, MIN_GRADIENT, pick, source

from helpers import GOLDEN, check_golden, invoke
from problem_files import ROOT

MAZUR = (ROOT / "problems" / "mazur.yaml").read_text(encoding="utf-8")
VARIED = MAZUR.replace("training:\n", """ask: [dE_total/dw5, dE_total/dw1, w5+]
vary:
  w1: {range: [-1, 1], decimals: 2, nonzero: true}   # a hidden weight
  w5: {range: [-1, 1], decimals: 2, nonzero: true}
  i1: {choices: [0.05, 0.1, 0.2]}
  b2: {range: [0, 1], decimals: 1}
training:
""")

# Every constraint bites here: x1 = 0 with b = 0 puts the ReLU at its kink, w up to ±9 pushes the sigmoid
# into its flat region, a dead ReLU leaves dL/dw1 at 0, and z = 0 makes yhat = 0.5, the target.
HARSH = """title: constraints
inputs: {x1: 1}
targets: {y: 0.5}
params: {b: 0.5, c: 0}
layers:
  - neurons: [h]
    activation: relu
    weights: {orientation: inputs_by_neurons, names: [[w1]], values: [[0.5]]}
    bias: b
  - neurons: [yhat]
    activation: sigmoid
    weights: {orientation: inputs_by_neurons, names: [[w2]], values: [[1]]}
    bias: c
outputs: {yhat: y}
loss: {type: squared_error, factor: 0.5, reduction: sum}
training: {learning_rate: 0.1}
vary:
  x1: {choices: [0, 1, 2]}
  b: {choices: [-1, 0, 0.5]}
  w2: {range: [-9, 9], decimals: 1}
  c: {choices: [0, 0.25]}
"""


def write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_same_seed_gives_the_same_files_and_only_redraws_one(tmp_path: Path) -> None:
    problem = write(tmp_path, "q1.yaml", VARIED)
    for run in ("a", "b"):
        assert invoke("variants", problem, "--count", "12", "--seed", "2024", "-o", str(tmp_path / run)).exit_code == 0
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(files) == 24 and files[:2] == ["q1-01.key.yaml", "q1-01.yaml"]
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)
    assert invoke("variants", problem, "--count", "12", "--seed", "2025", "-o", str(tmp_path / "c")).exit_code == 0
    assert (tmp_path / "c" / "q1-01.yaml").read_bytes() != (tmp_path / "a" / "q1-01.yaml").read_bytes()
    one = invoke("variants", problem, "--count", "12", "--seed", "2024", "--only", "7", "-o", str(tmp_path / "d"))
    assert one.stdout == f"wrote {tmp_path / 'd' / 'q1-07.yaml'} and its key\n"
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["q1-07.key.yaml", "q1-07.yaml"]
    assert (tmp_path / "d" / "q1-07.yaml").read_bytes() == (tmp_path / "a" / "q1-07.yaml").read_bytes()


def test_the_draws_do_not_depend_on_the_process(tmp_path: Path) -> None:
    """Another interpreter, another hash seed: the same bytes (the draws use random.Random(str).random() only)."""
    problem = write(tmp_path, "q1.yaml", VARIED)
    for n, hashseed in enumerate(("1", "2")):
        subprocess.run([sys.executable, "-m", "backprop_cli", "variants", problem, "--count", "3", "--seed", "5",
                        "-o", str(tmp_path / str(n))], check=True, capture_output=True, timeout=120,
                       env={**os.environ, "PYTHONHASHSEED": hashseed})
    assert [p.read_bytes() for p in sorted((tmp_path / "0").iterdir())] == \
        [p.read_bytes() for p in sorted((tmp_path / "1").iterdir())]


def test_the_draws_are_pinned(tmp_path: Path) -> None:
    """Seed 2024's first variants, as any machine must draw them (UPDATE_GOLDEN=1 only for a deliberate change)."""
    problem = write(tmp_path, "q1.yaml", VARIED)
    result = invoke("variants", problem, "--count", "200", "--seed", "2024", "--only", "1", "-o", str(tmp_path))
    assert result.exit_code == 0
    check_golden(GOLDEN / "variants" / "q1-001.yaml", (tmp_path / "q1-001.yaml").read_text(encoding="utf-8"))


def test_a_variant_is_the_problem_with_only_the_drawn_numbers_changed(tmp_path: Path) -> None:
    problem = write(tmp_path, "q1.yaml", VARIED)
    assert invoke("variants", problem, "--count", "3", "--seed", "1", "-o", str(tmp_path / "v")).exit_code == 0
    text = (tmp_path / "v" / "q1-2.yaml").read_text(encoding="utf-8")
    removed = [line[2:] for line in difflib.ndiff(VARIED.splitlines(), text.splitlines()) if line.startswith("- ")]
    assert removed[0].startswith("# yaml-language-server: $schema=../")  # now the schema's URL
    assert [line.split(":")[0] for line in removed[1:5]] == ["inputs", "params", "      values", "      values"]
    assert [line.split(":")[0] for line in removed[5:]] == ["vary", "  w1", "  w5", "  i1", "  b2"]
    doc = load_yaml_text(text, "q1-2.yaml")
    assert "vary" not in doc and doc["ask"] == ["dE_total/dw5", "dE_total/dw1", "w5+"]
    assert dict(doc["variant"]) == {"seed": 1, "index": 2, "count": 3, "source": "q1.yaml"}
    assert doc["inputs"]["i1"] in (0.05, 0.1, 0.2) and doc["params"]["b1"] == 0.35
    w1 = doc["layers"][0]["weights"]["values"][0][0]
    assert -1 <= w1 <= 1 and w1 != 0 and round(w1, 2) == w1
    assert "  w1: {range: [-1, 1], decimals: 2, nonzero: true}   # a hidden weight" not in text
    assert text.count("# Names") == 0 and "#   (comments)" not in text


def test_every_variant_key_checks_against_its_problem(tmp_path: Path) -> None:
    problem = write(tmp_path, "q1.yaml", VARIED)
    assert invoke("variants", problem, "--count", "20", "--seed", "3", "-o", str(tmp_path / "v")).exit_code == 0
    result = invoke("check", str(tmp_path / "v"))
    assert result.exit_code == ExitCode.OK
    assert result.stdout.splitlines()[-1] == "20 passed, 0 failed"
    for path in sorted((tmp_path / "v").glob("q1-??.yaml")):
        assert invoke("solve", str(path)).exit_code == 0


def _independent_check(sol, asked) -> None:
    """The constraints read straight off the solution: every activation's argument, output, asked gradient."""
    p = sol.problem
    for node in p.nodes:
        f = node.formula
        if isinstance(f, Call) and f.fn in ("sigmoid", "tanh", "relu") and isinstance(f.args[0], Var):
            for z in sol.values[f.args[0].name]:
                assert (abs(z) < FLAT) if f.fn != "relu" else (z != 0), (node.name, z)
    for pred, target in p.outputs:
        assert all(abs(a - b) >= MIN_GAP for a, b in zip(sol.values[pred], sol.values[target]))
    known = quantities(sol)
    assert all(abs(known[name]) >= MIN_GRADIENT for name in asked if "/" in name)


def test_every_constraint_holds_over_a_thousand_draws(tmp_path: Path) -> None:
    src = source(write(tmp_path, "harsh.yaml", HARSH))
    assert src.asked == ("dL/dw1", "dL/db", "dL/dw2", "dL/dc", "w1+", "b+", "w2+", "c+")
    reasons: Counter = Counter()
    for index in range(1, 1001):
        chosen = pick(src, 99, index)
        _independent_check(chosen.solution, src.asked)
        for reason in chosen.rejected:
            kind = next((k for k in ("flat region", "derivative is undefined", "smaller than", "equals its target")
                         if k in reason), reason)
            reasons[kind] += 1
    # each constraint turned draws down, so each was exercised, not merely met
    assert set(reasons) == {"flat region", "derivative is undefined", "smaller than", "equals its target"}
    assert all(n >= 10 for n in reasons.values()), reasons


def test_a_batch_draws_each_sample_apart_and_a_tied_weight_once(tmp_path: Path) -> None:
    from problem_files import BATCH

    text = BATCH + "vary:\n  x1: {range: [-1, 1], decimals: 2}\n  w1: {range: [0.1, 0.9], decimals: 2}\n"
    src = source(write(tmp_path, "batch.yaml", text))
    assert [s.sample for s in src.slots["x1"]] == [0, 1] and [s.sample for s in src.slots["w1"]] == [None]
    problems = [pick(src, 4, k).solution.problem for k in range(1, 30)]
    assert any(p.inputs["x1"][0] != p.inputs["x1"][1] for p in problems)


def test_edges_and_a_parameter_written_twice(tmp_path: Path) -> None:
    text = """title: edges
inputs: {x1: 1.0, x2: 0.5}
targets: {y: 0.2}
params: {u: 0.3}
neurons: {h1: {activation: tanh}, h2: {activation: tanh}, p: {activation: sigmoid}}
edges:
  w1: "x1 -> h1 = 0.5"
  w2: x2 -> h2 = -0.4
  u: [h1 -> p, h2 -> p]
outputs: {p: y}
loss: {type: squared_error, factor: 0.5, reduction: sum}
training: {learning_rate: 0.5}
vary:
  w1: {choices: [0.25, 0.75]}
  w2: {range: [-0.9, -0.1], decimals: 1}
  u: {range: [0.1, 0.9], decimals: 1}
"""
    problem = write(tmp_path, "edges.yaml", text)
    assert invoke("variants", problem, "--count", "4", "--seed", "8", "-o", str(tmp_path / "v")).exit_code == 0
    for path in sorted((tmp_path / "v").glob("edges-?.yaml")):
        p = load_problem(path)
        assert p.params["w1"].value in (0.25, 0.75) and -0.9 <= p.params["w2"].value <= -0.1
        written = path.read_text(encoding="utf-8")
        assert f'w1: "x1 -> h1 = {p.params["w1"].value}"' in written
        assert "u: [h1 -> p, h2 -> p]" in written
    assert invoke("check", str(tmp_path / "v")).exit_code == 0


def test_a_roster_names_the_files_and_only_takes_a_name(tmp_path: Path) -> None:
    problem = write(tmp_path, "q1.yaml", VARIED)
    roster = write(tmp_path, "roster.csv", "email,Student\nal@x.org,Alice Smith\nbo@x.org,Bob\n")
    result = invoke("variants", problem, "--seed", "9", "--roster", roster, "-o", str(tmp_path / "v"))
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "v").iterdir()) == \
        ["q1-Alice_Smith.key.yaml", "q1-Alice_Smith.yaml", "q1-Bob.key.yaml", "q1-Bob.yaml"]
    doc = load_yaml_text((tmp_path / "v" / "q1-Alice_Smith.yaml").read_text(encoding="utf-8"), "a")
    assert dict(doc["variant"]) == {"seed": 9, "index": 1, "count": 2, "source": "q1.yaml", "student": "Alice Smith"}
    again = invoke("variants", problem, "--seed", "9", "--roster", roster, "--only", "Bob", "-o", str(tmp_path / "w"))
    assert again.stdout.endswith("and its key (for Bob)\n")
    assert (tmp_path / "w" / "q1-Bob.yaml").read_bytes() == (tmp_path / "v" / "q1-Bob.yaml").read_bytes()
    # the same draws as the numbered variant 2 of the same seed: a roster only names them
    invoke("variants", problem, "--seed", "9", "--count", "2", "--only", "2", "-o", str(tmp_path / "n"))
    numbered = (tmp_path / "n" / "q1-2.yaml").read_text(encoding="utf-8")
    assert numbered.split("# Drawn by")[0] == (tmp_path / "w" / "q1-Bob.yaml").read_text(encoding="utf-8").split(
        "# Drawn by")[0]


@pytest.mark.parametrize(("args", "message"), [
    (["--count", "3", "--roster", "roster.csv"],
     "Error: --count 3 but the roster names 2 students (leave out --count)"),
    ([], "Error: how many variants? give --count N, or --roster FILE"),
    (["--count", "3", "--only", "4"], "Error: --only 4: expected a variant number from 1 to 3"),
])
def test_usage_errors(tmp_path: Path, monkeypatch, args: list, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "q1.yaml", VARIED)
    write(tmp_path, "roster.csv", "student\nann\nbo\n")
    result = invoke("variants", "q1.yaml", "--seed", "1", "-o", "out", *args)
    assert result.exit_code == ExitCode.USAGE
    assert message in result.stderr


@pytest.mark.parametrize(("text", "message"), [
    (MAZUR, "Error: q.yaml:1: the problem has no vary: block (expected vary: naming what each variant draws anew"),
    (VARIED.replace("  w5: {range", "  w9: {range"),
     "Error: q.yaml:{w9}: vary.w9: 'w9' is not an input, a target or a parameter (expected one of: b1, b2, i1, i2, "),
    (VARIED.replace("[-1, 1], decimals: 2, nonzero: true}   #", "[1, -1], decimals: 2}   #"),
     "Error: q.yaml:{w1}: vary.w1.range: range [1, -1] is empty (expected [low, high] with low below high)"),
    (VARIED.replace("b2: {range: [0, 1], decimals: 1}", "b2: {range: [0.01, 0.09], decimals: 1}"),
     "Error: q.yaml:{b2}: vary.b2.range: no number with 1 decimals lies in [0.01, 0.09] (expected a wider range"),
    (VARIED.replace("b2: {range: [0, 1], decimals: 1}", "b2: {range: [0, 1], choices: [1]}"),
     "Error: q.yaml:{b2}: vary.b2: a value varies one way (expected exactly one of range: [low, high] or choices"),
    (VARIED.replace("w5+]", "w9+]"),
     "Error: q.yaml:{ask}: ask[2]: the problem has no quantity 'w9+' (expected one of: dE_total/db1, dE_total/db2, "),
    (VARIED.replace("w5: {range: [-1, 1]", "w5: {range: [40, 60]"),
     "Error: q.yaml:{vary}: vary: variant 1: none of 1000 draws met the constraints; the last: out_o1 = sigmoid("),
])
def test_vary_errors(tmp_path: Path, monkeypatch, text: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "q.yaml", text)
    result = invoke("variants", "q.yaml", "--seed", "1", "--count", "1", "-o", "out")
    assert result.exit_code == ExitCode.INVALID_INPUT
    lines = {key: n for key in ("w9", "w1", "b2", "ask", "vary")
             for n, line in enumerate(text.splitlines(), 1) if line.lstrip().startswith(f"{key}:")}
    assert result.stderr.startswith(message.format(**lines)), result.stderr


def test_vary_and_ask_leave_solving_alone() -> None:
    plain, varied = load_problem_text(MAZUR, "m.yaml"), load_problem_text(VARIED, "m.yaml")
    assert plain.params == varied.params and plain.nodes == varied.nodes
    assert invoke("solve", "-", input=VARIED).stdout == invoke("solve", "-", input=MAZUR).stdout


SCHEMA = __import__("json").loads((ROOT / "backprop_cli" / "schemas" / "problem.schema.json").read_text("utf-8"))


@pytest.mark.parametrize("change", [
    {"vary": {"w1": {"range": [1]}}},
    {"vary": {"w1": {"range": [0, 1], "choices": [1]}}},
    {"vary": {"w1": {"decimals": 2}}},
    {"vary": {"w1": {"range": [0, 1], "decimals": 9}}},
    {"vary": {"w1": {"choices": [], "nonzero": True}}},
    {"vary": {"w1": {"range": [0, 1], "nonzero": "yes"}}},
    {"vary": {}},
    {"ask": []},
    {"ask": ["dE_total/"]},
    {"variant": {"seed": -1, "index": 1}},
    {"variant": {"index": 1}},
])
def test_loader_and_schema_refuse_the_same_course_work(change: dict) -> None:
    import jsonschema

    from backprop_cli.errors import ProblemError
    from backprop_cli.load.document import problem_from_doc
    from backprop_cli.load.imperative import BeyondSchema

    doc = load_yaml_text(VARIED, "q.yaml")
    assert jsonschema.Draft202012Validator(SCHEMA).is_valid(doc)
    doc.update(change)
    assert not jsonschema.Draft202012Validator(SCHEMA).is_valid(doc)
    with pytest.raises(ProblemError) as caught:
        problem_from_doc(doc, "q.yaml")
    assert not isinstance(caught.value, BeyondSchema)


def test_a_symbolic_problem_has_nothing_to_vary() -> None:
    text = (ROOT / "problems" / "seed004_symbolic.yaml").read_text(encoding="utf-8") + "vary:\n  x1: {choices: [1]}\n"
    result = invoke("solve", "-", input=text)
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "vary: nothing to vary in a symbolic problem" in result.stderr


@pytest.mark.parametrize(("roster", "message"), [
    ("email,student\na@x,ann\nb@x,\nc@x,bo\n",
     "roster.csv:3: a row without a student's name (expected a name in column 2"),
    ("ann\nAnn!\n", "roster.csv:2: 'Ann!' makes the same file name as line 1"),
    ("name\n", "roster.csv:1: the roster has a header and no students"),
])
def test_roster_errors(tmp_path: Path, monkeypatch, roster: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "q1.yaml", VARIED)
    write(tmp_path, "roster.csv", roster)
    result = invoke("variants", "q1.yaml", "--seed", "1", "--roster", "roster.csv", "-o", "out")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr.startswith(f"Error: {message}"), result.stderr
