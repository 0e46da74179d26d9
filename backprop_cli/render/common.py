"""What every renderer shares: section names, grouping and the wording of chain-rule terms."""
from __future__ import annotations

from itertools import groupby

from ..expr import Call, Const, Var
from ..printing import fmt_number, to_latex, to_text
from ..registry import ADD, REGISTRY
from ..solution import ChainTerm, GradStep, Solution

SECTIONS = ("Given", "Forward pass", "Loss", "Backward pass", "Update", "Loss after the update")

KIND_TITLES = {
    "loss_term": "∂L/∂(loss term)",
    "output": "∂L/∂ŷ for each output",
    "z": "δ = ∂L/∂z for each neuron",
    "a": "∂L/∂a for each hidden neuron: the sum over its paths",
    "node": "∂L/∂(node) for the other nodes",
    "loss": "∂L/∂(loss)",
    "param": "∂L/∂p for each parameter",
    "input": "∂L/∂x for each input",
}


def runs(steps: list[GradStep]) -> list[tuple[str, list[GradStep]]]:
    """Consecutive grad steps of the same kind, with the kind."""
    return [(kind, list(group)) for kind, group in groupby(steps, key=lambda s: s.kind)]


def shown_grads(sol: Solution) -> list[GradStep]:
    """The grad steps a worked solution shows: inputs only when there are no parameters."""
    steps = sol.of(GradStep)
    return [s for s in steps if s.kind != "input" or not sol.problem.params]


def is_one(expr) -> bool:
    """Whether a local partial is the constant 1 (a pass-through)."""
    return isinstance(expr, Const) and expr.value == 1.0


def needs_brackets(expr) -> bool:
    """Whether a local partial must be bracketed when multiplied."""
    return isinstance(expr, Call) and REGISTRY[expr.fn].prec <= ADD


def grad_text(loss: str, node: str) -> str:
    """∂L/∂node as text."""
    return f"∂{loss}/∂{node}"


def grad_latex(loss: str, node: str, symbols: dict | None = None) -> str:
    """∂L/∂node as LaTeX."""
    return f"\\frac{{\\partial {_tex(loss, symbols)}}}{{\\partial {_tex(node, symbols)}}}"


def _tex(name: str, symbols) -> str:
    return to_latex(Var(name), symbols=symbols)


def term_symbols_text(sol: Solution, term: ChainTerm) -> str:
    """upstream · local in symbols: ∂E/∂net_o1·out_h1."""
    up = grad_text(sol.problem.loss, term.via)
    if term.via == sol.problem.loss:
        return to_text(term.local)
    if is_one(term.local):
        return up
    local = to_text(term.local)
    return f"{up}·({local})" if needs_brackets(term.local) else f"{up}·{local}"


def term_numbers_text(sol: Solution, term: ChainTerm, sample: int, precision: int) -> str:
    """upstream · local with numbers: 0.1385·0.5933."""
    up = fmt_number(term.upstream[sample], precision)
    local = to_text(term.local, sol.sample_values(sample), precision)
    if term.via == sol.problem.loss:
        return local
    up = f"({up})" if term.upstream[sample] < 0 else up
    if is_one(term.local):
        return up
    return f"{up}·({local})" if needs_brackets(term.local) else f"{up}·{local}"


def term_symbols_latex(sol: Solution, term: ChainTerm) -> str:
    """upstream · local in LaTeX symbols."""
    sym = sol.problem.symbols
    up = grad_latex(sol.problem.loss, term.via, sym)
    local = to_latex(term.local, symbols=sym)
    if term.via == sol.problem.loss:
        return local
    if is_one(term.local):
        return up
    return f"{up} \\cdot \\left({local}\\right)" if needs_brackets(term.local) else f"{up} \\cdot {local}"


def term_numbers_latex(sol: Solution, term: ChainTerm, sample: int, precision: int) -> str:
    """upstream · local with numbers, in LaTeX."""
    up = fmt_number(term.upstream[sample], precision, latex=True)
    local = to_latex(term.local, sol.sample_values(sample), precision, sol.problem.symbols)
    if term.via == sol.problem.loss:
        return local
    up = f"\\left({up}\\right)" if term.upstream[sample] < 0 else up
    if is_one(term.local):
        return up
    return f"{up} \\cdot \\left({local}\\right)" if needs_brackets(term.local) else f"{up} \\cdot {local}"


def picture(sol: Solution) -> list[str]:
    """A compact text picture of the network, one line per layer."""
    p = sol.problem
    lines = [f"inputs: {', '.join(p.inputs)}" if p.inputs else "inputs: (none)"]
    for layer in p.layers:
        lines.append(f"  → {layer.label}: {', '.join(layer.neurons)}  [{layer.activation}]")
    lines.append(f"  → loss {p.loss}" + (f" against {', '.join(t for _, t in p.outputs)}" if p.outputs else ""))
    return lines


def connects(param) -> str:
    """What a parameter weights: 'out_h1 → out_o1', 'bias of out_o1', or 'in h1'."""
    parts = []
    for src, dst in param.uses:
        if src == "1":
            parts.append(f"bias of {dst}")
        elif src:
            parts.append(f"{src} → {dst}")
        else:
            parts.append(f"in {dst}")
    return ", ".join(parts)
