"""Random mutations of every problems/ file and random formulas, through the CLI: never a crash or a hang.

Seeded (FUZZ_SEED, default below) and bounded: a fixed number of cases per file, about half a minute
in all, stopping early (and passing) only if a slow machine runs past FUZZ_BUDGET seconds. Each case
must end in 0 (solved), 1 (a check that differs), 2 (usage) or 3 (a clear error); never 70, never a
traceback; within its time; and no file but the output it asked for may change. A failure prints the
case: the seed, its number and the text that broke, so `FUZZ_SEED=… pytest tests/test_fuzz.py`
repeats it.
"""
from __future__ import annotations

import copy
import hashlib
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backprop_cli.errors import ExitCode
from backprop_cli.formula.registry import REGISTRY, names_of

from helpers import invoke
from problem_files import ROOT, problem_files

SEED = int(os.environ.get("FUZZ_SEED", "20261201"))
BUDGET = float(os.environ.get("FUZZ_BUDGET", "45"))  # seconds of the whole test, on a slow machine
CASES = int(os.environ.get("FUZZ_CASES", "80"))  # mutations per problem file
RUN_CPU = 10.0  # CPU seconds one in-process run may take
ALLOWED = {ExitCode.OK, ExitCode.CHECK_FAILED, ExitCode.USAGE, ExitCode.INVALID_INPUT}

NUMBERS = ["0", "-0.0", "1", "-1", "0.5", "1e6", "-1e6", "1000001", "1e-300", "1e308", "-1e308", ".nan", ".inf",
           "-.inf", "999999", "1e-7", "3", "2.5", "0.0001", "123456789012345678901234567890123", "-0.5"]
WORDS = ["x1", "y", "w", "b", "h1", "o1", "null", "true", "True", "softmax", "sigmoid", "relu", "L", "t1",
         "ｗ1", "w" * 70, "a b", "'", "\"", "{", "[", "-", "*", "", "x1 -> h1", "é", "z_h1", "E_total", "p1"]
SNIPPETS = ["symbols: {h1: 'h_1', nothere: 'x'}", "frozen: [w1, w1]", "group: g", "bias: b9", "factor: -1",
            "weight: -2", "batch: sum", "reduction: mean", "names: \"w{i:>9}\"", "names: \"v{layer}{i}{j}\"",
            "activation: {name: leaky_relu, slope: 0.3}", "activation: softmax", "orientation: neurons_by_inputs",
            "inputs: [x1]", "targets: [y]", "params: [w]", "output: 2", "learning_rate: 1e6", "learning_rate: -1",
            "description: \"\\u001b[31mred\"", "title: !!binary aGk=", "x: &a 1", "y: *a", "- 1", "  - 2", "? a",
            "outputs: {}", "loss: {formula: \"log(1 - exp(o1))\"}", "samples: []", "terms: [A, B, C]"]
OPERATORS = ["+", "-", "*", "/", "^"]


def random_formula(rng: random.Random, names: list[str], depth: int) -> str:
    """A random formula over names: operators, registry functions and constants, nested up to depth."""
    if depth <= 0 or rng.random() < 0.25:
        return rng.choice([*names, *names, str(rng.choice([0, 1, 2, 0.5, -1, 3, 1e-3, 100, 1e6]))])
    pick = rng.random()
    if pick < 0.05:
        group = rng.sample(names, k=min(len(names), rng.randint(1, 3)))
        return f"softmax({group[0]}, [{', '.join(group)}])"
    if pick < 0.1:
        inner = random_formula(rng, names, depth - 1)
        return rng.choice([f"leaky_relu({inner}, slope={rng.choice([0.01, 2, -1])})",
                           f"elu({inner}, alpha={rng.choice([1, 0.5, 3])})", f"max({inner}, {rng.choice(names)})"])
    if pick < 0.45:
        a, b = random_formula(rng, names, depth - 1), random_formula(rng, names, depth - 1)
        return f"({a} {rng.choice(OPERATORS)} {b})"
    if pick < 0.55:
        return f"-({random_formula(rng, names, depth - 1)})"
    fn = REGISTRY[rng.choice([n for n in names_of("activation", "function", "loss") if n != "softmax"])]
    if fn.name in ("squared_error",):
        return f"squared_error({random_formula(rng, names, depth - 1)}, {rng.choice(names)}, factor=0.5)"
    arity = fn.arity or 1
    args = ", ".join(random_formula(rng, names, depth - 1) for _ in range(arity))
    return f"{fn.name}({args})"


def mutate(rng: random.Random, text: str) -> str:
    """text with one to three random edits: numbers, names, lines, snippets, indentation, truncation."""
    for _ in range(rng.randint(1, 3)):
        lines = text.splitlines()
        if not lines:
            return text
        k = rng.randrange(len(lines))
        kind = rng.randrange(9)
        if kind == 0:  # a number
            numbers = list(re.finditer(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text))
            if numbers:
                m = rng.choice(numbers)
                text = text[:m.start()] + rng.choice(NUMBERS) + text[m.end():]
        elif kind == 1:  # a name
            words = list(re.finditer(r"[A-Za-z_][A-Za-z0-9_]*", text))
            if words:
                m = rng.choice(words)
                text = text[:m.start()] + rng.choice(WORDS + [w.group() for w in words[:40]]) + text[m.end():]
        elif kind == 2:
            del lines[k]
            text = "\n".join(lines) + "\n"
        elif kind == 3:
            lines.insert(k, lines[rng.randrange(len(lines))])
            text = "\n".join(lines) + "\n"
        elif kind == 4:
            j = rng.randrange(len(lines))
            lines[k], lines[j] = lines[j], lines[k]
            text = "\n".join(lines) + "\n"
        elif kind == 5:
            indent = " " * rng.choice([0, 2, 4, 6])
            lines.insert(k, indent + rng.choice(SNIPPETS))
            text = "\n".join(lines) + "\n"
        elif kind == 6:
            lines[k] = " " * rng.choice([0, 1, 2, 3, 4]) + lines[k].lstrip()
            text = "\n".join(lines) + "\n"
        elif kind == 7:
            text = text[:rng.randrange(len(text) + 1)]
        else:  # a formula where the file has one
            names = sorted(set(re.findall(r"\b[a-z][a-z0-9_]*\b", text)))[:12] or ["x"]

            def formula(m: re.Match, names: list = names) -> str:
                return f'{m.group(1)}"{random_formula(rng, names, rng.randint(1, 6))}"' if rng.random() < 0.3 \
                    else m.group()

            text = re.sub(r"(?m)^(\s+[A-Za-z]\w*: )(\S.*)$", formula, text)
    return text


KEYS = ["title", "inputs", "targets", "params", "layers", "neurons", "edges", "equations", "expression", "outputs",
        "loss", "training", "symbols", "samples", "activation", "weights", "bias", "group", "factor", "weight",
        "reduction", "batch", "frozen", "learning_rate", "names", "orientation", "values", "z", "terms", "sum"]
VALUES = [0, -1, 0.5, 1e6, -1e6, 1e-300, 2.5, True, None, "", "x1", "w1", "softmax", "relu", "sum", "mean",
          [], {}, [1, 2], ["x1", "x1"], {"a": 1}, "x1 -> h1 = 0.5", "h1 -> h1", "sigmoid(x1*w)", "1/0",
          "log(0)", "exp(1000*x1)", "(-2)^x1", "0^x1", "x1^1.5", "w{i:>3}", "inputs_by_neurons"]


def _value(rng: random.Random):
    """One of VALUES, as a copy: a list put into the document must not be one the next case mutates."""
    return copy.deepcopy(rng.choice(VALUES))


def _containers(node, out: list) -> list:
    """Every mapping and list in a parsed document, outermost first."""
    if isinstance(node, (dict, list)):
        out.append(node)
        for child in (node.values() if isinstance(node, dict) else node):
            _containers(child, out)
    return out


def _plain():
    import yaml

    class Plain(yaml.SafeDumper):
        """Every value written out: a repeated item is not an alias, which the loader refuses."""

        def ignore_aliases(self, data) -> bool:
            return True

    return Plain


def mutate_structure(rng: random.Random, text: str) -> str:
    """The parsed document with one to three edits to its keys and values, written back as YAML."""
    import yaml

    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        return text
    for _ in range(rng.choice([1, 1, 2])):
        node = rng.choice(_containers(doc, []))
        kind = rng.randrange(6)
        if isinstance(node, list):
            if node and kind < 2:
                node.append(node[rng.randrange(len(node))])  # a repeated item: a sample, a layer, a name
            elif node and kind < 4:
                del node[rng.randrange(len(node))]
            elif node:
                node[rng.randrange(len(node))] = _value(rng)
            continue
        keys = list(node)
        if keys and kind == 0:
            del node[rng.choice(keys)]
        elif keys and kind == 1:  # a misspelt key
            key = rng.choice(keys)
            node[key[:-1] + rng.choice("aeiouxs") if isinstance(key, str) and key else key] = node.pop(key)
        elif kind == 2:
            node[rng.choice(KEYS)] = _value(rng)
        elif keys and kind == 3 and isinstance(node[keys[0]], (int, float)) and not isinstance(node[keys[0]], bool):
            for key in keys:  # every number of a mapping at once: a whole sample of extremes
                node[key] = rng.choice([0, 1e6, -1e6, 1e-300, 0.5, 1, -0.5])
        elif keys:
            node[rng.choice(keys)] = _value(rng)
    if "samples" in doc and isinstance(doc["samples"], list) and doc["samples"] and rng.random() < 0.2:
        doc["samples"] = doc["samples"] * rng.choice([6, 40])  # a batch beyond the samples shown
    return yaml.dump(doc, Dumper=_plain(), sort_keys=False, allow_unicode=True, width=1000)


def mutate_numbers(rng: random.Random, text: str) -> str:
    """Every number of the file (outside comments) redrawn: mostly ordinary, some at the edges."""
    def draw(m: re.Match) -> str:
        if rng.random() < 0.6:
            return m.group()
        return repr(rng.choice([0.0, 1.0, -1.0, 1e6, -1e6, 1e-300, 5e-324, 0.5, 1e3, -1e3, 709.0, 745.0, 36.8,
                                rng.uniform(-50, 50), rng.uniform(-1, 1)]))
    number = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e-?\d+)?(?![\w.])")
    return "\n".join(line if line.lstrip().startswith("#") else number.sub(draw, line)
                     for line in text.splitlines()) + "\n"


def snapshot(*folders: Path) -> dict:
    """Every file under the folders with a hash of its bytes and its mode."""
    out = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                out[path] = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mode)
    return out


def run_case(tmp: Path, label: str, text: str, args: list[str], output: str | None = None) -> None:
    """One CLI run on text as q.yaml in tmp: an allowed exit, no traceback, in time, only output written."""
    path = tmp / "q.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    before = snapshot(tmp, ROOT / "problems")
    start = time.process_time()
    result = invoke(*args, str(path), *(["-o", str(tmp / output)] if output else []))
    spent = time.process_time() - start
    where = f"{label}: backprop {' '.join(args)} on\n{text}"
    assert result.exit_code in ALLOWED, f"exit {result.exit_code} ({result.stderr.strip()}) in {where}"
    assert "internal error" not in result.stderr, where
    assert spent < RUN_CPU, f"{spent:.1f} s of CPU in {where}"
    after = snapshot(tmp, ROOT / "problems")
    allowed = {tmp / output} if output else set()
    if args[0] == "key":
        allowed.add(tmp / "q.key.yaml")
    kept = set()
    if args[0] == "check":  # the key is part of the case, and check only reads it
        kept = {tmp / "q.key.yaml"}
        allowed = set()
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)} - allowed - {path}
    assert not changed, f"{sorted(map(str, changed))} changed in {where}"
    for extra in allowed - kept:
        extra.unlink(missing_ok=True)


COMMANDS = [(["solve"], None), (["solve", "--format", "json"], None), (["solve", "--format", "markdown"], None),
            (["solve", "--gradient-check"], None), (["solve", "--symbolic", "--full"], None),
            (["solve"], "out.md"), (["key"], None)]


def test_mutated_problem_files_never_crash_hang_or_touch_other_files(tmp_path):
    rng = random.Random(SEED)
    deadline = time.monotonic() + BUDGET
    sources = problem_files()
    for case in range(CASES):
        for source in sources:
            if time.monotonic() > deadline:
                return  # a slow machine: what ran is what we know
            original = source.read_text(encoding="utf-8")
            pick = rng.random()
            text = mutate_structure(rng, original) if pick < 0.5 else mutate_numbers(rng, original) if pick < 0.8 \
                else mutate(rng, original)
            args, output = rng.choice(COMMANDS)
            run_case(tmp_path, f"seed {SEED}, case {case}, {source.name}", text, list(args), output)


def _formula_problem(rng: random.Random) -> str:
    """A problem around random formulas: an expression, equations, or a loss formula."""
    def formula(*names: str) -> str:
        return random_formula(rng, list(names), rng.randint(1, 10))

    value = rng.choice(NUMBERS[:12])
    pick = rng.random()
    if pick < 0.35:
        return (f'title: t\ninputs: {{x: {value}, w: 0.5}}\nexpression:\n  - q = {formula("x", "w")}\n'
                f'  - q = {formula("q", "x")}\n  - f = {formula("q", "w")}\noutput: {rng.choice(["q", "f", 1, 3])}\n')
    loss = "{type: squared_error, factor: 0.5, reduction: sum}"
    if pick < 0.5:
        loss = f'{{formula: "{formula("h", "y", "w")}"}}'
    return (f'title: t\ninputs: {{x: 0.5}}\ntargets: {{y: 1}}\nparams: {{w: {value}, v: -0.3}}\n'
            f'equations:\n  g: "{formula("x", "w", "v")}"\n  h: "{formula("g", "v", "x")}"\n'
            f'outputs: {{h: y}}\nloss: {loss}\ntraining: {{learning_rate: {rng.choice([0.1, 1e6, 0])}}}\n')


def test_random_formulas_never_crash_or_hang(tmp_path):
    rng = random.Random(SEED + 1)
    deadline = time.monotonic() + BUDGET / 2
    for case in range(CASES * 6):
        if time.monotonic() > deadline:
            return
        args, output = rng.choice(COMMANDS[:5])
        extra = rng.choice([[], ["--precision", "0"], ["--precision", "15"], ["--width", "40"]])
        run_case(tmp_path, f"seed {SEED + 1}, formula case {case}", _formula_problem(rng), [*args, *extra], output)


def test_mutated_answer_keys_are_checked_without_a_crash(tmp_path):
    rng = random.Random(SEED + 3)
    deadline = time.monotonic() + BUDGET / 4
    keyed = [p for p in problem_files() if p.with_name(p.stem + ".key.yaml").exists()]
    for case in range(CASES):
        if time.monotonic() > deadline:
            return
        source = rng.choice(keyed)
        key = source.with_name(source.stem + ".key.yaml").read_text(encoding="utf-8")
        (tmp_path / "q.key.yaml").write_text(mutate(rng, key) if rng.random() < 0.5 else mutate_numbers(rng, key),
                                             encoding="utf-8")
        args = rng.choice([["check"], ["check", "--format", "json"]])
        run_case(tmp_path, f"seed {SEED + 3}, key case {case}", source.read_text(encoding="utf-8"), args)


@pytest.mark.parametrize("case", range(3))
def test_a_separate_process_never_crashes_on_a_mutated_file(tmp_path, case):
    rng = random.Random(SEED + 2 + case)
    source = rng.choice(problem_files())
    text = mutate(rng, source.read_text(encoding="utf-8"))
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "backprop_cli", "solve", str(path)], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path)
    assert done.returncode in ALLOWED, f"{done.returncode}: {done.stderr} on\n{text}"
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, text
