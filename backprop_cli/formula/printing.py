"""Write formulas as text or LaTeX, in symbols or with numbers substituted."""
from __future__ import annotations

import re

from .tree import Call, Const, Expr, Var
from .registry import ATOM, NEG, REGISTRY

_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "lambda", "mu", "sigma",
          "tau", "phi", "psi", "omega", "xi", "rho", "nu", "kappa", "zeta", "chi", "pi"}


def fmt_number(v: float, precision: int = 4, latex: bool = False) -> str:
    """A number with ``precision`` decimals; tiny and huge ones in scientific notation."""
    v = float(v)
    a = abs(v)
    if a != 0 and (a < 0.5 * 10.0 ** -precision or a >= 1e9):
        mant, _, exp = f"{v:.{precision}e}".partition("e")
        if latex:
            return f"{mant} \\times 10^{{{int(exp)}}}"
        return f"{mant}e{int(exp)}"
    return f"{v + 0.0:.{precision}f}"  # + 0.0 turns -0.0 into 0.0


def fmt_const(v: float) -> str:
    """A constant written in a formula: 2, 0.5, 0.01."""
    return f"{v:g}"


def name_latex(name: str, symbols: dict | None = None) -> str:
    """LaTeX for a node name: w5 → w_{5}, out_h1 → \\mathrm{out}_{h1}, yhat1 → \\hat{y}_{1}."""
    if symbols and name in symbols:
        return symbols[name]
    base, _, rest = name.partition("_")
    layered = re.fullmatch(r"([A-Za-z]+)(\d+)", base)
    if layered and rest.isdigit():  # w21_1 is w_{21} of layer 1, as homework writes w_{21}^{(1)}
        return f"{name_latex(layered.group(1), symbols)}_{{{layered.group(2)}}}^{{({rest})}}"
    if not rest:
        m = re.fullmatch(r"([A-Za-z]+?)(\d+)", name)
        if m:
            base, rest = m.groups()
    if base in _GREEK:
        tex = f"\\{base}"
    elif base.endswith("hat") and len(base) == 4:
        tex = f"\\hat{{{base[0]}}}"
    elif len(base) == 1:
        tex = base
    else:
        tex = f"\\mathrm{{{base}}}"
    if not rest:
        return tex
    sub = rest.replace("_", ",")
    if re.fullmatch(r"[A-Za-z]{2,}", sub):
        sub = f"\\mathrm{{{sub}}}"
    return f"{tex}_{{{sub}}}"


def to_text(expr: Expr, values: dict | None = None, precision: int = 4) -> str:
    """A formula as plain text; with ``values``, names are replaced by their numbers."""
    return _print(expr, "text", values, precision, None)[0]


def to_latex(expr: Expr, values: dict | None = None, precision: int = 4,
             symbols: dict | None = None) -> str:
    """A formula as LaTeX; with ``values``, names are replaced by their numbers."""
    return _print(expr, "latex", values, precision, symbols)[0]


def _print(expr: Expr, target: str, values, precision, symbols) -> tuple[str, int]:
    if isinstance(expr, Const):
        s = fmt_const(expr.value)
        return s, NEG if expr.value < 0 else ATOM
    if isinstance(expr, Var):
        if values is not None and expr.name in values:
            v = float(values[expr.name])
            return fmt_number(v, precision, target == "latex"), NEG if v < 0 else ATOM
        return (expr.name if target == "text" else name_latex(expr.name, symbols)), ATOM
    assert isinstance(expr, Call)
    fn = REGISTRY[expr.fn]
    printed = []
    for i, arg in enumerate(expr.args):
        s, p = _print(arg, target, values, precision, symbols)
        if p < fn.need(target, i):
            s = f"({s})" if target == "text" else f"\\left({s}\\right)"
        printed.append(s)
    render = fn.text if target == "text" else fn.latex
    return render(printed, dict(expr.params)), fn.prec
