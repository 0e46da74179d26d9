"""Read a printed formula back and evaluate it, as a student checking a line by hand would.

Independent of backprop_cli: its own tokenizer, precedence rules and plain-math functions. It
reads the notation the README documents (·, −, ², ½, σ, 1[z > 0], log p, 4.386×10⁻⁷) and, through
latex_to_text, the LaTeX the exports print. If a printed formula loses a bracket, this reader
evaluates it to a different value, which is what the property tests look for.
"""
from __future__ import annotations

import math
import re

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_TOKEN = re.compile(r"""
    (?P<num>\d+(?:\.\d*)?(?:e-?\d+)?)
  | (?P<name>[A-Za-z][A-Za-z0-9_']*)
  | (?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)
  | (?P<op>≤|>|[-+*/^()\[\],=½])
  | (?P<space>\s+)
""", re.X)


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


FUNCTIONS = {
    "σ": _sigmoid, "sigmoid": _sigmoid, "id": lambda x: x, "tanh": math.tanh, "exp": math.exp,
    "log": math.log, "sqrt": math.sqrt, "abs": abs, "sin": math.sin, "cos": math.cos,
    "relu": lambda x: max(x, 0.0), "softplus": lambda x: math.log1p(math.exp(x)),
    "silu": lambda x: x * _sigmoid(x), "sign": lambda x: float((x > 0) - (x < 0)),
    "leaky_relu": lambda x, slope=0.01: x if x > 0 else slope * x,
    "elu": lambda x, alpha=1.0: x if x > 0 else alpha * math.expm1(x),
    "max": max, "min": min,
}


def _softmax(index: int):
    def f(*z):
        top = max(z)
        e = [math.exp(x - top) for x in z]
        return e[index - 1] / sum(e)
    return f


def tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs; the printed minus and dot become - and *."""
    text = text.replace("−", "-").replace("·", "*").replace("×10", "e").replace("σ", "sigmoid")
    text = re.sub(r"(\d)e([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)", lambda m: m.group(1) + "e" + m.group(2).translate(_SUPERSCRIPTS), text)
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"cannot read {text[pos:]!r} in {text!r}")
        pos = m.end()
        if m.lastgroup != "space":
            out.append((m.lastgroup, m.group()))
    return out


class _Reader:
    def __init__(self, text: str, env: dict):
        self.toks, self.i, self.env, self.text = tokens(text), 0, env, text

    def peek(self, k: int = 0) -> tuple[str, str]:
        return self.toks[self.i + k] if self.i + k < len(self.toks) else ("end", "")

    def take(self, expected: str | None = None) -> str:
        kind, text = self.peek()
        if expected is not None and text != expected:
            raise ValueError(f"expected {expected!r} at token {self.i} of {self.text!r}, got {text!r}")
        self.i += 1
        return text

    def expr(self) -> float:
        value = self.term()
        while self.peek()[1] in ("+", "-"):
            value = value + self.term() if self.take() == "+" else value - self.term()
        return value

    def term(self) -> float:
        value = self.unary()
        while True:
            kind, text = self.peek()
            if text in ("*", "/"):
                self.take()
                value = value * self.unary() if text == "*" else value / self.unary()
            elif kind in ("num", "name") or text in ("(", "½"):  # juxtaposition: ½(…), p(1 − p)
                value = value * self.unary()
            else:
                return value

    def unary(self) -> float:
        if self.peek()[1] == "-":
            self.take()
            return -self.unary()
        return self.power()

    def power(self) -> float:
        base = self.atom()
        while True:
            kind, text = self.peek()
            if kind == "sup":
                self.take()
                base = base ** int(text.translate(_SUPERSCRIPTS))
            elif text == "^":
                self.take()
                base = base ** self.unary()
            else:
                return base

    def atom(self) -> float:
        self.take()
        kind, text = self.toks[self.i - 1]
        if text == "(":
            value = self.expr()
            self.take(")")
            return value
        if text == "½":
            return 0.5
        if kind == "num":
            if text == "1" and self.peek()[1] == "[":  # 1[z > 0], 1[z ≤ 0]
                self.take("[")
                x = self.expr()
                rel = self.take()
                self.take("0")
                self.take("]")
                return float(x > 0 if rel == ">" else x <= 0)
            return float(text)
        if kind == "name":
            return self.named(text)
        raise ValueError(f"unexpected {text!r} in {self.text!r}")

    def named(self, name: str) -> float:
        m = re.fullmatch(r"softmax_(\d+)", name)
        fn = _softmax(int(m.group(1))) if m else FUNCTIONS.get(name)
        if fn is None:
            return self.env[name]
        if self.peek()[1] != "(":  # log p: a function applied to the next operand
            return fn(self.power())
        self.take("(")
        args, kwargs = [], {}
        while True:
            if self.peek()[0] == "name" and self.peek(1)[1] == "=":
                key = self.take()
                self.take("=")
                kwargs[key] = self.expr()
            else:
                args.append(self.expr())
            if self.take() == ")":
                return fn(*args, **kwargs)


def read(text: str, env: dict | None = None) -> float:
    """The value of a printed formula; names are looked up in env."""
    r = _Reader(text, env or {})
    value = r.expr()
    if r.peek()[0] != "end":
        raise ValueError(f"unread tokens {r.toks[r.i:]} in {text!r}")
    return value


_LATEX = [
    (r"\\left\(", "("), (r"\\right\)", ")"), (r"\\cdot", "·"), (r"\\le\b", "≤"), (r"\\mathbb\{1\}", "1"),
    (r"\\sigma", "σ"), (r"\\operatorname\{([a-z]+)\}", r"\1"), (r"\\operatorname\{leaky\\_relu\}", "leaky_relu"),
    (r"\\(log|exp|tanh|sqrt|max|min|sin|cos)\b", r"\1"), (r"\\mathrm\{(v\d+)\}", r"\1"),
    (r"(\d) \\times 10\^\{(-?\d+)\}", r"\1e\2"),
]


def latex_to_text(tex: str) -> str:
    """The text notation of a LaTeX formula printed by backprop-cli (names as \\mathrm{vN})."""
    out = tex
    for pattern, repl in _LATEX:
        out = re.sub(pattern, repl, out)
    out = out.replace("leaky\\_relu", "leaky_relu")
    out = re.sub(r"softmax_\{(\d+)\}", r"softmax_\1", out)
    previous = None
    while previous != out:  # innermost first: \frac{a}{b} once a and b hold no braces
        previous = out
        out = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", out)
        out = re.sub(r"sqrt\{([^{}]*)\}", r"sqrt(\1)", out)
        out = re.sub(r"\{([^{}]*)\}\^\{([^{}]*)\}", r"((\1)^(\2))", out)
        out = re.sub(r"\^\{([^{}]*)\}", r"^(\1)", out)
        out = re.sub(r"\{([^{}]*)\}(?=\^)", r"(\1)", out)  # a power's base, once its exponent is read
    if "\\" in out or "{" in out:
        raise ValueError(f"cannot read LaTeX {tex!r} (left {out!r})")
    return out
