"""Registry entries for + − · / ^ and the helpers that appear only inside derivatives."""
from __future__ import annotations

import math
import re

from .registry import ADD, ATOM, MUL, NEG, POW, Function, call_printers, domain, domain_all, register
from .tree import ONE, ZERO, Const, call, div, mul, neg, power, sub


def _np():
    import numpy

    return numpy


def _div(a, p):
    domain(a[1] != 0, "division by zero", a[1])
    return a[0] / a[1]


def _div_array(a, p):
    domain_all(a[1] != 0, "division by zero", a[1])
    return a[0] / a[1]


_POWER_DOMAIN = "power of a non-positive base"


def _pow(a, p):
    base, ex = float(a[0]), float(a[1])
    if not (math.isfinite(base) and math.isfinite(ex)):  # an overflow below it, which the engine reports
        return math.nan
    integral = ex == round(ex)
    # 0 to a positive power is 0 (x^1.5 at x = 0, value and derivative 0); a negative base needs a whole power
    domain(base > 0 or base == 0 and ex > 0 or integral and base != 0, _POWER_DOMAIN, base)
    try:
        return base ** ex
    except OverflowError:  # numpy's answer: an infinity, which the engine reports as an overflow
        odd = integral and base < 0 and ex % 2 == 1
        return -math.inf if odd else math.inf


def _pow_array(a, p):
    np = _np()
    base, ex = np.asarray(a[0], float), np.asarray(a[1], float)
    integral = np.all(ex == np.round(ex))
    domain_all((base > 0) | (base == 0) & (ex > 0) | integral & (base != 0), _POWER_DOMAIN, base)
    return np.power(base, ex)


# A sum is computed in float64, so a result below its terms' rounding error (0.4·0.5 − 0.3 + 0.1 gives
# 2.8e-17) is noise, not data: it is 0, as a hand calculation says.
NOISE = 8 * 2.0 ** -52


def _sum(a: list) -> float:
    total = sum(a[1:], a[0])
    return 0.0 if total != 0 and abs(total) <= NOISE * sum(abs(x) for x in a) else total


def _sum_array(a: list):
    np = _np()
    total = sum(a[1:], a[0])
    scale = sum(np.abs(x) for x in a)
    return np.where(np.abs(total) <= NOISE * scale, 0.0, total)


def unsigned(s: str, minus: str, lead: str | None = None) -> str:
    """minus + s, except when s (or its leading factor lead) is a zero: −0.0000 is never written."""
    return s if re.fullmatch(r"0(\.0*)?", s if lead is None else lead) else f"{minus}{s}"


def _join_add(a: list[str]) -> str:
    out = a[0]
    for s in a[1:]:
        out += f" − {s[1:]}" if s[:1] in ("−", "-") else f" + {s}"
    return out


_SUP = str.maketrans("0123456789-−", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁻")


def _superscript(s: str) -> str:
    whole = re.fullmatch(r"\(?([−-]?\d+)\)?", s)  # x², x⁻¹: an integer exponent needs no brackets
    return whole.group(1).translate(_SUP) if whole else f"^{s}"


def _pow_partial(c, o, i):
    base, ex = c.args
    if i == 1:
        return mul(o, call("log", base))
    if isinstance(ex, Const):
        return mul(ex, power(base, Const(ex.value - 1)))
    return mul(ex, power(base, sub(ex, ONE)))


register(Function("add", "operator", None, lambda a, p: _sum(a), lambda c, o, i: ONE,
                  lambda a, p: _join_add(a), lambda a, p: _join_add(a).replace("−", "-"),
                  prec=ADD, need=lambda t, i: ADD if i == 0 else NEG, array=lambda a, p: _sum_array(a)))
register(Function("sub", "operator", 2, lambda a, p: _sum([a[0], -a[1]]),
                  lambda c, o, i: ONE if i == 0 else Const(-1.0),
                  lambda a, p: f"{a[0]} − {a[1]}", lambda a, p: f"{a[0]} - {a[1]}",
                  prec=ADD, need=lambda t, i: ADD if i == 0 else NEG + 1, array=lambda a, p: _sum_array([a[0], -a[1]])))
register(Function("mul", "operator", None, lambda a, p: math.prod(a),
                  lambda c, o, i: mul(*(x for j, x in enumerate(c.args) if j != i)) if len(c.args) > 2
                  else c.args[1 - i],
                  lambda a, p: "·".join(a), lambda a, p: " \\cdot ".join(a),
                  prec=MUL, need=lambda t, i: MUL,
                  array=lambda a, p: _np().prod(_np().broadcast_arrays(*a), axis=0)))
register(Function("div", "operator", 2, _div,
                  lambda c, o, i: div(ONE, c.args[1]) if i == 0
                  else neg(div(c.args[0], power(c.args[1], Const(2.0)))),
                  lambda a, p: f"{a[0]}/{a[1]}", lambda a, p: f"\\frac{{{a[0]}}}{{{a[1]}}}",
                  prec=MUL, need=lambda t, i: 0 if t == "latex" else (MUL if i == 0 else MUL + 1),
                  array=_div_array))
register(Function("neg", "operator", 1, lambda a, p: -a[0], lambda c, o, i: Const(-1.0),
                  lambda a, p: unsigned(a[0], "−"), lambda a, p: unsigned(a[0], "-"), prec=NEG,
                  need=lambda t, i: MUL, array=lambda a, p: -a[0]))
register(Function("pow", "operator", 2, _pow, _pow_partial,
                  lambda a, p: f"{a[0]}{_superscript(a[1])}", lambda a, p: f"{{{a[0]}}}^{{{a[1]}}}",
                  prec=POW, need=lambda t, i: POW + 1 if i == 0 else (0 if t == "latex" else ATOM),
                  array=_pow_array))


def _sign(x: float) -> float:
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


# Helpers appear only inside derivatives: the indicators of z > 0 and z ≤ 0, as a student writes them.
register(Function("indicator_pos", "helper", 1, lambda a, p: 1.0 if a[0] > 0 else 0.0, lambda c, o, i: ZERO,
                  lambda a, p: f"1[{a[0]} > 0]", lambda a, p: f"\\mathbb{{1}}[{a[0]} > 0]",
                  array=lambda a, p: (_np().asarray(a[0]) > 0).astype(float)))
register(Function("indicator_nonpos", "helper", 1, lambda a, p: 0.0 if a[0] > 0 else 1.0, lambda c, o, i: ZERO,
                  lambda a, p: f"1[{a[0]} ≤ 0]", lambda a, p: f"\\mathbb{{1}}[{a[0]} \\le 0]",
                  array=lambda a, p: (_np().asarray(a[0]) <= 0).astype(float)))
register(Function("sign", "helper", 1, lambda a, p: _sign(a[0]), lambda c, o, i: ZERO,
                  *call_printers("sign", "\\operatorname{sign}"), array=lambda a, p: _np().sign(a[0])))
