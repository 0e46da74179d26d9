"""The network or computational graph as a mermaid flowchart, for markdown exports.

One column (subgraph) per layer, left to right: the inputs, each layer, the loss. Edges carry no
labels: where mermaid puts an edge label depends on its layout and version (drawn without
columns, even Mazur's 2-2-2 put labels on labels and under nodes), and a label that is not
there cannot collide, whichever mermaid GitHub runs. Each box instead writes out how its value
is computed ("net_h1 = w1·i1 + w2·i2 + b1", then "out_h1 = σ(net_h1)"), so every weight stands
beside the name of the node its edge comes from, and a bias is the term with no node.
"""
from __future__ import annotations

from ..formula.printing import fmt_number, to_text
from ..formula.tree import free_names
from ..model import Problem

LINE = 24  # characters of a line in a box: mermaid wraps a line wider than 200 px wherever it likes


def mermaid(p: Problem, precision: int) -> list[str]:
    """A flowchart LR: one subgraph per layer, each box its formulas, unlabeled edges."""
    owner = {n.name: n.neuron or n.name for n in p.nodes}
    shown = p.n_samples == 1 and p.numeric
    labels = {x: f"{x} = {fmt_number(v[0], precision)}" if shown else x for x, v in p.inputs.items()}
    for n in p.nodes:
        line = "<br/>".join(_lines(f"{n.name} = {to_text(n.formula)}"))
        labels[owner[n.name]] = f"{labels[owner[n.name]]}<br/>{line}" if owner[n.name] in labels else line
    losses = {n.name for n in p.nodes if n.is_loss}
    columns = _columns(p, list(labels), losses)
    ids = {name: f"n{k}" for k, name in enumerate(m for _, members in columns for m in members)}
    out = ["flowchart LR"]
    for k, (title, members) in enumerate(columns):
        out.append(f'  subgraph c{k} ["{title}"]')
        out += [f"    {ids[m]}{_shape(m, labels[m], p)}" for m in members]
        out.append("  end")
    for src, dst in _edges(p, owner):
        arrow = "-.->" if dst in losses else "-->"
        out.append(f"  {ids[src]} {arrow} {ids[dst]}")
    return out


def _shape(name: str, label: str, p: Problem) -> str:
    """Inputs round, the loss (or an expression's result) a stadium, every other box square."""
    text = label.replace('"', "#quot;")
    if name in p.inputs:
        return f'("{text}")'
    return f'(["{text}"])' if name == p.loss else f'["{text}"]'


def _columns(p: Problem, boxes: list[str], losses: set[str]) -> list[tuple[str, list[str]]]:
    """The inputs, each layer of the problem, then the loss; a box in no layer joins the last column."""
    columns = [("inputs", list(p.inputs))]
    placed = set(p.inputs)
    for layer in p.layers:
        members = [m for m in layer.neurons if m in boxes and m not in placed]
        placed.update(members)
        if members:
            columns.append((layer.label, members))
    rest = [b for b in boxes if b not in placed]
    if rest:
        columns.append(("loss" if set(rest) <= losses else "other", rest))
    return columns


def _edges(p: Problem, owner: dict[str, str]) -> list[tuple[str, str]]:
    """(from box, to box) for every node a formula reads; an activation's own inputs are its z."""
    edges: dict[tuple[str, str], None] = {}
    for n in p.nodes:
        if n.role == "a":  # σ(net_h1) reads its own z; softmax also reads its neighbours', not an edge
            continue
        for ref in free_names(n.formula):
            if ref in p.params or ref in p.targets:
                continue
            src, dst = owner.get(ref, ref), owner[n.name]
            if src != dst:
                edges[(src, dst)] = None
    return list(edges)


def _lines(text: str, width: int = LINE) -> list[str]:
    """A formula broken before a + or − (outside brackets if it can) so that lines stay near width."""
    cuts: dict[int, list[int]] = {}  # bracket depth -> positions of the + and − there
    depth = 0
    for k, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch in "+−" and text[k - 1:k] == " " and text[k + 1:k + 2] == " ":
            cuts.setdefault(depth, []).append(k)
    lines, start, last = [], 0, 0
    for cut in [*cuts.get(min(cuts, default=0), []), len(text)]:
        if cut - start > width and last > start:
            lines.append(text[start:last].rstrip())
            start = last
        last = cut
    return [*lines, text[start:]]
