"""The mermaid diagram: one column per layer, every formula in its box, unlabeled edges.

Whether mermaid then draws it without overlapping labels is tests/test_render_browser.py's job; here the
diagram's text is read back and held against the problem it shows.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from backprop_cli.formula.printing import to_text
from backprop_cli.formula.tree import free_names
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.model import Problem
from backprop_cli.render.mermaid import LINE, _lines, mermaid

from problem_files import BATCH, problem_files

PROBLEMS = {p.stem: p for p in problem_files()}
SHAPES = {'("': "round", '["': "box", '(["': "stadium"}


def layered_problem(sizes: list[int], seed: int = 0) -> str:
    """A fully connected sigmoid network of the given layer sizes with random weights, as a problem file."""
    rng = np.random.default_rng(seed)
    n_in, *layers = sizes

    def numbers(n: int, low: float = -1.0) -> list[str]:
        return [f"{x:.2f}" for x in rng.uniform(low, 1.0, n)]

    lines = [f"title: A generated {'-'.join(map(str, sizes))} network",
             "inputs: {" + ", ".join(f"x{i + 1}: {x}" for i, x in enumerate(numbers(n_in))) + "}",
             "targets: {" + ", ".join(f"y{k + 1}: {y}" for k, y in enumerate(numbers(layers[-1], 0.0))) + "}",
             "layers:"]
    params, prev = [], n_in
    for d, n in enumerate(layers, 1):
        lines += [f"  - name: layer {d}", f"    neurons: [{', '.join(f'h{d}_{j + 1}' for j in range(n))}]",
                  "    activation: sigmoid", "    weights:", "      orientation: inputs_by_neurons",
                  "      names: 'w{layer}_{i}{j}'", "      values:"]
        lines += [f"        - [{', '.join(numbers(n))}]" for _ in range(prev)]
        lines.append(f"    bias: [{', '.join(f'b{d}_{j + 1}' for j in range(n))}]")
        params += [f"b{d}_{j + 1}: {b}" for j, b in enumerate(numbers(n))]
        prev = n
    lines += ["params: {" + ", ".join(params) + "}",
              "outputs: {" + ", ".join(f"h{len(layers)}_{k + 1}: y{k + 1}" for k in range(layers[-1])) + "}",
              "loss: {type: squared_error, factor: 0.5, reduction: sum}", "training: {learning_rate: 0.5}"]
    return "\n".join(lines) + "\n"


def problems() -> dict[str, Problem]:
    """Every problem file, a batch, and generated 3-3-2 and 4-8-2 networks."""
    found = {name: load_problem(str(path)) for name, path in PROBLEMS.items()}
    found["<batch>"] = load_problem_text(BATCH, "batch.yaml")
    for sizes in ([3, 3, 2], [4, 8, 2]):
        found["-".join(map(str, sizes))] = load_problem_text(layered_problem(sizes), "generated.yaml")
    return found


ALL = problems()


def parse(lines: list[str]) -> tuple[list[tuple[str, list[str]]], dict[str, tuple[str, list[str]]], list[tuple]]:
    """Columns (title, ids), boxes (id -> shape, lines) and edges (from, arrow, to); any other line fails."""
    assert lines[0] == "flowchart LR"
    columns: list[tuple[str, list[str]]] = []
    boxes: dict[str, tuple[str, list[str]]] = {}
    edges = []
    for line in lines[1:]:
        if m := re.fullmatch(r'  subgraph c\d+ \["([^"]+)"\]', line):
            columns.append((m[1], []))
        elif m := re.fullmatch(r'    (n\d+)(\(\[?"|\[")([^"]*)("\]?\)|"\])', line):
            assert m[1] not in boxes, f"{m[1]} declared twice"
            boxes[m[1]] = (SHAPES[m[2]], m[3].split("<br/>"))
            columns[-1][1].append(m[1])
        elif m := re.fullmatch(r"  (n\d+) (-->|-\.->) (n\d+)", line):  # no |label|
            edges.append((m[1], m[2], m[3]))
        else:
            assert line == "  end", f"unexpected line {line!r}"
    return columns, boxes, edges


def defined(box_lines: list[str]) -> list[str]:
    """The names a box defines: 'x1' or 'x1 = 0.5' or 'net_h1 = …'; a line going on with + or − defines none."""
    return [line.split(" ", 1)[0] for line in box_lines if not line.startswith(("+ ", "− "))]


@pytest.mark.parametrize("name", ALL)
def test_diagram_holds_every_formula_and_connection(name):
    p = ALL[name]
    _, boxes, edges = parse(mermaid(p, 4))
    box_of = {n: i for i, (_, text) in boxes.items() for n in defined(text)}
    assert len(box_of) == sum(len(defined(text)) for _, text in boxes.values())  # each name in one box
    text_of = {i: " ".join(text) for i, (_, text) in boxes.items()}
    assert set(box_of) == {*p.inputs, *(n.name for n in p.nodes)}
    for n in p.nodes:  # every formula in full, so every parameter and bias, in the box of its neuron
        assert f"{n.name} = {to_text(n.formula)}" in text_of[box_of[n.name]]
        assert box_of[n.name] == box_of[n.neuron or n.name]
    for prm in p.params.values():
        for src, dst in prm.uses:
            text = text_of[box_of[dst]]
            if src == "1":  # a bias: a term of its own
                assert re.search(rf"[+−] {prm.name}(?![\w·])", text), (prm.name, text)
            elif src:  # a weight: the product with the node its edge comes from
                assert (box_of[src], box_of[dst]) in {(a, b) for a, _, b in edges}
                assert re.search(rf"(?<![\w·])({prm.name}·{src}|{src}·{prm.name})(?![\w·])", text), (prm.name, text)
            else:
                assert prm.name in re.findall(r"\w+", text)
    reads = {(box_of[r], box_of[n.name]) for n in p.nodes if n.role != "a" for r in free_names(n.formula)
             if r in box_of and box_of[r] != box_of[n.name]}
    assert {(a, b) for a, _, b in edges} == reads and len(edges) == len(reads)


@pytest.mark.parametrize("name", ALL)
def test_one_column_per_layer(name):
    p = ALL[name]
    columns, boxes, _ = parse(mermaid(p, 4))
    names = [[defined(boxes[i][1])[-1] for i in ids] for _, ids in columns]
    assert columns[0][0] == "inputs" and names[0] == list(p.inputs)
    assert [(title, ns) for (title, _), ns in zip(columns[1:], names[1:])][:len(p.layers)] == \
        [(layer.label, list(layer.neurons)) for layer in p.layers]
    rest = [n for ns in names[1 + len(p.layers):] for n in ns]
    assert sorted(rest) == sorted(n.name for n in p.nodes if n.role in ("loss_term", "loss"))
    assert boxes[next(i for i, (_, t) in boxes.items() if p.loss in defined(t))][0] == "stadium"


def test_inputs_show_their_value_only_when_there_is_one():
    mazur, symbolic, batch = ALL["mazur"], ALL["seed004_symbolic"], ALL["<batch>"]
    assert mermaid(mazur, 4)[2:4] == ['    n0("i1 = 0.0500")', '    n1("i2 = 0.1000")']
    assert mermaid(mazur, 2)[2] == '    n0("i1 = 0.05")'
    for p in (symbolic, batch):
        _, boxes, _ = parse(mermaid(p, 4))
        assert [text for shape, text in boxes.values() if shape == "round"] == [[x] for x in p.inputs]
    assert not any(re.search(r"\d\.\d", line) for line in mermaid(symbolic, 4))


def test_shared_weight_and_shared_bias_are_written_at_each_use():
    _, boxes, _ = parse(mermaid(ALL["batch_two_samples"], 4))
    sums = " ".join(" ".join(text) for _, text in boxes.values())
    assert "u·h1 + u·h2" in sums and "+ c" in sums
    _, boxes, _ = parse(mermaid(ALL["mazur"], 4))
    assert sum(" ".join(text).count("+ b1") for _, text in boxes.values()) == 2


@pytest.mark.parametrize("text", [
    "net_o1 = w5·out_h1 + w6·out_h2 + b2",
    "z_h2_1 = w2_11·h1_1 + w2_21·h1_2 + w2_31·h1_3 + w2_41·h1_4 + w2_51·h1_5 + b2_1",
    "CE1 = −(y1·log h3 + (1 − y1)·log(1 − h3))",
    "z1_1 = leaky_relu(h1, slope=0.01)",
    "t1 = x1/x2",
])
def test_lines_break_only_before_an_operator(text):
    lines = _lines(text)
    assert " ".join(lines) == text
    assert all(line.startswith(("+ ", "− ")) for line in lines[1:])
    # a line is longer than LINE only when it is a single term that cannot be broken
    assert all(len(line) <= LINE or not re.search(r" [+−] ", line[2:]) for line in lines)
