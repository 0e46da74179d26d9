"""What every renderer shares: section names, grouping and the wording of chain-rule terms."""
from __future__ import annotations

from itertools import groupby

from ..formula.tree import Const, Var, add, mul
from ..formula.printing import to_latex, to_text
from ..solution import (BatchLossStep, ChainTerm, ForwardStep, GivenStep, GradStep, LossAfterStep, LossStep,
                        Solution, UpdateStep)

# The section each step type belongs to; a new step type must be added here and in every renderer.
SECTION_OF = {GivenStep: "Given", ForwardStep: "Forward pass", LossStep: "Loss", BatchLossStep: "Loss",
              GradStep: "Backward pass", UpdateStep: "Update", LossAfterStep: "Loss after the update"}

KIND_TITLES = {
    "loss_term": "∂{L}/∂(each loss term)",
    "output": "∂{L}/∂ŷ for each output",
    "z": "δ = ∂{L}/∂z for each neuron",
    "a": "∂{L}/∂a for each hidden neuron, summed over its paths",
    "node": "∂{L}/∂(node) for the other nodes",
    "loss": "∂{L}/∂(loss)",
    "param": "∂{L}/∂p for each parameter",
    "input": "∂{L}/∂x for each input",
}


def kind_title(sol: Solution, kind: str) -> str:
    """The heading of a run of grad steps, written with the problem's own loss name."""
    return KIND_TITLES[kind].format(L=sol.problem.loss)


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


def grad_text(loss: str, node: str) -> str:
    """∂L/∂node as text."""
    return f"∂{loss}/∂{node}"


def grad_latex(loss: str, node: str, symbols: dict | None = None) -> str:
    """∂L/∂node as LaTeX."""
    return f"\\frac{{\\partial {_tex(loss, symbols)}}}{{\\partial {_tex(node, symbols)}}}"


def _tex(name: str, symbols) -> str:
    return to_latex(Var(name), symbols=symbols)


def _up_name(sol: Solution, term: ChainTerm) -> str | None:
    """How the upstream factor is written: ∂L/∂via, 1/N for the batch mean, or None for 1."""
    if term.via != sol.problem.loss:
        return grad_text(sol.problem.loss, term.via)
    return f"1/{sol.problem.n_samples}" if sol.problem.n_samples > 1 and sol.problem.batch == "mean" else None


def _up_latex(sol: Solution, term: ChainTerm) -> str:
    if term.via != sol.problem.loss:
        return grad_latex(sol.problem.loss, term.via, sol.problem.symbols)
    return f"\\frac{{1}}{{{sol.problem.n_samples}}}"


def _term_expr(sol: Solution, term: ChainTerm):
    """upstream · local as one formula, the upstream written as a name like ∂L/∂via."""
    name = _up_name(sol, term)
    if name is None:
        return term.local
    return Var(name) if is_one(term.local) else mul(Var(name), term.local)


def _numbers(sol: Solution, terms, sample: int) -> dict:
    values = sol.sample_values(sample)
    values.update({_up_name(sol, t): t.upstream[sample] for t in terms if _up_name(sol, t)})
    return values


def _symbols(sol: Solution, terms) -> dict:
    symbols = dict(sol.problem.symbols)
    symbols.update({_up_name(sol, t): _up_latex(sol, t) for t in terms if _up_name(sol, t)})
    return symbols


def _chain(sol: Solution, terms):
    exprs = [_term_expr(sol, t) for t in terms]
    return exprs[0] if len(exprs) == 1 else add(*exprs)


def chain_text(sol: Solution, terms, sample: int | None = None, precision: int = 4) -> str:
    """Σ upstream · local as text: in symbols, or with the numbers of one sample."""
    values = None if sample is None else _numbers(sol, terms, sample)
    return to_text(_chain(sol, terms), values, precision)


def chain_latex(sol: Solution, terms, sample: int | None = None, precision: int = 4) -> str:
    """Σ upstream · local as LaTeX: in symbols, or with the numbers of one sample."""
    values = None if sample is None else _numbers(sol, terms, sample)
    return to_latex(_chain(sol, terms), values, precision, _symbols(sol, terms))


def term_symbols_latex(sol: Solution, term: ChainTerm) -> str:
    """upstream · local in LaTeX symbols."""
    return chain_latex(sol, [term])


def term_numbers_latex(sol: Solution, term: ChainTerm, sample: int, precision: int) -> str:
    """upstream · local with numbers, in LaTeX."""
    return chain_latex(sol, [term], sample, precision)


def picture(sol: Solution) -> list[str]:
    """A compact text picture of the network, one line per layer."""
    p = sol.problem
    lines = [f"inputs: {', '.join(p.inputs)}" if p.inputs else "inputs: (none)"]
    for layer in p.layers:
        lines.append(f"  → {layer.label}: {', '.join(layer.neurons)}  [{layer.activation}]")
    if p.kind == "expression":
        lines.append(f"  → output {p.loss}")
    else:
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
