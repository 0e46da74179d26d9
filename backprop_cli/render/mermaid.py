"""The network or computational graph as a mermaid flowchart, for markdown exports."""
from __future__ import annotations

from ..formula.tree import free_names
from ..model import Problem
from ..formula.printing import fmt_number, to_text


def mermaid(p: Problem, precision: int) -> list[str]:
    """A flowchart: inputs, neurons and the loss, with each weight's name and value on its edge."""
    losses = {n.name for n in p.nodes if n.role in ("loss_term", "loss")}
    box = {**{n.name: n.neuron or n.name for n in p.nodes if n.role in ("z", "a")}, **dict.fromkeys(losses, p.loss)}
    shown = p.n_samples == 1 and p.numeric
    shapes = {x: f'("{x} = {fmt_number(v[0], precision)}")' if shown else f'("{x}")' for x, v in p.inputs.items()}
    for n in p.nodes:
        if n.role in ("a", "node"):
            text = to_text(n.formula)
            shapes[n.name] = f'["{n.name} = {text}"]' if len(text) <= 24 else f'["{n.name}"]'
    shapes[p.loss] = f'(["{p.loss}"])'
    edges: dict = {}
    for prm in p.params.values():
        label = prm.name if prm.value is None else f"{prm.name} = {fmt_number(prm.value, precision)}"
        for src, dst in prm.uses:
            if src == "1":
                src = f"1 ({prm.name})"
                shapes[src] = '(("1"))'
            dst = box.get(dst, dst)
            if src:
                edges.setdefault((box.get(src, src), dst), []).append(label)
            else:  # on no single edge: written inside the neuron
                shapes[dst] = shapes[dst][:-2] + f'<br/>{label}"' + shapes[dst][-1]
    for n in p.nodes:
        targets = [t for t in free_names(n.formula) if t in p.targets]
        for ref in free_names(n.formula):
            key = (box.get(ref, ref), box.get(n.name, n.name))
            if n.role != "a" and ref not in p.params and ref not in p.targets and key[0] != key[1]:
                edges.setdefault(key, targets if n.name in losses else [])
    ids = {name: f"n{k}" for k, name in enumerate(shapes)}
    lines = ["flowchart LR", *(f"  {ids[name]}{shape}" for name, shape in shapes.items())]
    for (src, dst), labels in edges.items():
        arrow = "-.->" if dst == p.loss and losses else "-->"
        text = '|"' + ", ".join(labels) + '"|' if labels else ""
        lines.append(f"  {ids[src]} {arrow}{text} {ids[dst]}")
    return lines
