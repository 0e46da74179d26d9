"""Write formulas as text or LaTeX, in symbols or with numbers substituted."""
from __future__ import annotations

import math
import re

from .registry import ATOM, NEG, REGISTRY
from .tree import Call, Const, Expr, Var

_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "lambda", "mu", "sigma",
          "tau", "phi", "psi", "omega", "xi", "rho", "nu", "kappa", "zeta", "chi", "pi"}


# How numbers are shown; arithmetic is always full float64. --precision sets the decimals; a value
# below SMALL keeps at least MIN_SIGNIFICANT significant figures (0.0004386, not 0.0004), and one
# below TINY or at least HUGE is written in scientific notation (4.386×10⁻⁷).
MIN_SIGNIFICANT = 4
SMALL, TINY, HUGE = 1e-3, 1e-6, 1e9
MINUS = "−"  # U+2212 in text; LaTeX writes "-"
_SUPERSCRIPT = str.maketrans("0123456789-−.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻·")


def decimals_for(v: float, precision: int = 4) -> int:
    """How many decimals fmt_number shows for v in fixed notation."""
    a = abs(float(v))
    if a == 0 or a >= SMALL:
        return precision
    return max(precision, MIN_SIGNIFICANT - 1 - math.floor(math.log10(a)))


def fmt_number(v: float, precision: int = 4, latex: bool = False) -> str:
    """A number as a hand calculation writes it: ``precision`` decimals, small values to 4 figures."""
    v = float(v)
    a = abs(v)
    sign = ("-" if latex else MINUS) if v < 0 else ""
    if a != 0 and (a < TINY or a >= HUGE):
        mant, _, exp = f"{a:.{max(precision, MIN_SIGNIFICANT - 1)}e}".partition("e")
        if latex:
            return f"{sign}{mant} \\times 10^{{{int(exp)}}}"
        return f"{sign}{mant}×10{str(int(exp)).translate(_SUPERSCRIPT)}"
    body = f"{a:.{decimals_for(v, precision)}f}"
    return (sign if float(body) != 0 else "") + body  # never −0.0000


def fmt_const(v: float, latex: bool = False) -> str:
    """A constant written in a formula: 2, 0.5, 0.01, −1."""
    text = f"{abs(v):g}"
    if "e" in text:  # 1e-05 is Python, not mathematics
        mant, _, exp = text.partition("e")
        text = f"{mant} \\times 10^{{{int(exp)}}}" if latex else f"{mant}×10{str(int(exp)).translate(_SUPERSCRIPT)}"
    return (("-" if latex else MINUS) if v < 0 else "") + text


def name_latex(name: str, symbols: dict | None = None) -> str:
    """LaTeX for a node name: w5 → w_{5}, out_h1 → \\mathrm{out}_{h1}, yhat1 → \\hat{y}_{1}."""
    if symbols and name in symbols:
        return symbols[name]
    layered = re.fullmatch(r"([A-Za-z]+)(\d+)_(\d+)_(\d+)", name)
    if layered:  # w1_2_1 (the default names): layer 1, from input 2 to neuron 1
        head, layer, i, j = layered.groups()
        return f"{_layer(name_latex(head, symbols), layer)}_{{{i},{j}}}"
    base, _, rest = name.partition("_")
    layered = re.fullmatch(r"([A-Za-z]+)(\d+)", base)
    if layered and rest.isdigit():  # w21_1 is w_{21} of layer 1, as homework writes w^{[1]}_{21}
        return f"{_layer(name_latex(layered.group(1), symbols), rest)}_{{{layered.group(2)}}}"
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


def _layer(tex: str, layer: str) -> str:
    """A layer index is a superscript in square brackets; a sample index uses round ones."""
    return f"{tex}^{{[{layer}]}}"


def to_text(expr: Expr, values: dict | None = None, precision: int = 4) -> str:
    """A formula as plain text; with ``values``, names are replaced by their numbers."""
    return _print(expr, "text", values, precision, None)[0]


def to_latex(expr: Expr, values: dict | None = None, precision: int = 4,
             symbols: dict | None = None) -> str:
    """A formula as LaTeX; with ``values``, names are replaced by their numbers."""
    return _print(expr, "latex", values, precision, symbols)[0]


def _print(expr: Expr, target: str, values, precision, symbols) -> tuple[str, int]:
    if isinstance(expr, Const):
        s = fmt_const(expr.value, target == "latex")
        return s, NEG if expr.value < 0 else ATOM
    if isinstance(expr, Var):
        if values is not None and expr.name in values:
            v = float(values[expr.name])
            return fmt_number(v, precision, target == "latex"), NEG if v < 0 else ATOM
        return (expr.name if target == "text" else name_latex(expr.name, symbols)), ATOM
    assert isinstance(expr, Call)
    fn = REGISTRY[expr.fn]
    printed = []
    args = list(enumerate(expr.args))
    if fn.elide and len(args) > fn.elide:  # a softmax over 1,000 values: two, …, the last
        args = [*args[:2], (-1, None), args[-1]]
    for i, arg in args:
        if arg is None:
            printed.append("…" if target == "text" else "\\ldots")
            continue
        s, p = _print(arg, target, values, precision, symbols)
        if p < fn.need(target, i):
            s = f"({s})" if target == "text" else f"\\left({s}\\right)"
        printed.append(s)
    render = fn.text if target == "text" else fn.latex
    return render(printed, dict(expr.params)), fn.prec
