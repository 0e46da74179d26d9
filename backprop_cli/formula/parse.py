"""Parse a formula string into a tree with Python's ast and a whitelist; never eval."""
from __future__ import annotations

import ast
import re
import sys
import unicodedata
from typing import NoReturn

from ..errors import Origin, ProblemError, one_of, suggest
from ..limits import MAGNITUDE, MAX_DIGITS, MAX_FORMULA_CHARS, MAX_NESTING, MAX_SOFTMAX
from .registry import REGISTRY, names_of
from .tree import Call, Const, Expr, Var, div, neg, power, sub


def _add(a: Expr, b: Expr) -> Call:
    # a + b + c is one sum of three terms, as written, not a sum nested in a sum
    return Call("add", (*_terms(a), b))


def _sub(a: Expr, b: Expr) -> Call:
    # a − b stays a difference; a longer chain (a + b − c − d) is one flat sum, so it nests no deeper
    if isinstance(a, Call) and a.fn in ("add", "sub"):
        return Call("add", (*_terms(a), neg(b)))
    return sub(a, b)


def _terms(a: Expr) -> tuple:
    if isinstance(a, Call) and a.fn == "add":
        return a.args
    if isinstance(a, Call) and a.fn == "sub":
        return (a.args[0], neg(a.args[1]))
    return (a,)


def _mul(a: Expr, b: Expr) -> Call:
    return Call("mul", (*(a.args if isinstance(a, Call) and a.fn == "mul" else (a,)), b))


def _chained(first: Expr, links: list) -> Expr:
    """first, then each (operator, operand) of one chain of + − or of ·, as _add, _sub and _mul build them.

    The same tree as folding them in, but each argument list is built once: folding copies it at every
    step, which is quadratic in a flat product of 40,000 factors.
    """
    value, args = first, None  # args: the flat sum or product value stands for, once there is one
    for op, right in links:
        if op is ast.Mult:
            args = args if args is not None else list(value.args if isinstance(value, Call) and value.fn == "mul"
                                                      else (value,))
            args.append(right)
        elif args is None and op is ast.Sub and not (isinstance(value, Call) and value.fn in ("add", "sub")):
            value = sub(value, right)  # a − b stays a difference
        else:
            args = args if args is not None else list(_terms(value))
            args.append(right if op is ast.Add else neg(right))
    if args is None:
        return value
    return Call("mul" if links[0][0] is ast.Mult else "add", tuple(args))


_BINOPS = {ast.Add: _add, ast.Sub: _sub, ast.Mult: _mul, ast.Div: div, ast.Pow: power}
USER_KINDS = ("activation", "function", "loss")
_ALLOWED = re.compile(r"[\x20-\x7e\t\n\r]")  # printable ASCII; Python's own errors explain the rest
_EXAMPLE = "a formula such as sigmoid(w1*x1 + b)"
_DIGITS = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")


def parse_formula(source: str, origin: Origin) -> Expr:
    """A formula tree; errors point at the column of the problem."""
    if isinstance(source, bool) or not isinstance(source, (str, int, float)):
        raise ProblemError(origin, "got a non-formula value", "a formula such as sigmoid(w1*x1 + b)")
    source = str(source)
    _screen(source, origin)
    # '^' means power in homework; keep columns true by remembering where each one was.
    carets = [i for i, ch in enumerate(source) if ch == "^"]
    code = source.replace("^", "**")
    try:
        tree = _parse(code.strip())
        if _depth(tree.body) > MAX_NESTING:
            raise RecursionError
        return _Builder(origin, source, carets, code).build(tree.body)
    except SyntaxError as exc:
        # offset 0 (or past the text) means the formula ended too soon: point just after it
        end = len(code.strip()) + 1
        col = _column(min(exc.offset, end) if exc.offset else end, carets, code)
        msg = exc.msg.split(". Perhaps")[0]  # Python's hints ("forgot a comma?") are about Python, not formulas
        raise ProblemError(origin, f"formula syntax error at column {col}: {msg}: {source!r}",
                           "a formula such as sigmoid(w1*x1 + b)") from None
    except (RecursionError, MemoryError):
        raise _too_deep(origin) from None


def _parse(code: str) -> ast.Expression:
    """ast.parse, allowed the recursion a long flat sum needs (a + b + … is a left-leaning chain)."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 25_000))
    try:
        return ast.parse(code, mode="eval")
    finally:
        sys.setrecursionlimit(old)


def _unparse(node: ast.AST) -> str:
    """A node as Python writes it back, the same on every supported Python (3.10 wrote 'lambda : 1')."""
    return ast.unparse(node).replace("lambda :", "lambda:")


def _too_deep(origin: Origin) -> ProblemError:
    return ProblemError(origin, f"formula nested more than {MAX_NESTING} deep",
                        f"at most {MAX_NESTING} levels of brackets, functions and powers")


def _screen(source: str, origin: Origin) -> None:
    """Refuse, before Python's parser sees it, what it would misread or choke on."""
    if len(source) > MAX_FORMULA_CHARS:
        raise ProblemError(origin, f"formula of {len(source)} characters is too long",
                           f"at most {MAX_FORMULA_CHARS} characters")
    for col, ch in enumerate(source, 1):
        if not _ALLOWED.match(ch):  # Python would read ｗ as w and ١٢ as 12: one name must mean one thing
            what = unicodedata.name(ch, f"U+{ord(ch):04X}")
            raise ProblemError(origin, f"character {ch!r} ({what}) at column {col} of {source!r} is not allowed",
                               "ASCII letters, digits, _ and + - * / ^ ( ) ,")
    m = _DIGITS.search(source)
    if m:
        raise ProblemError(origin, f"number with {len(m.group())} digits at column {m.start() + 1} is too long",
                           f"at most {MAX_DIGITS} digits")
    depth = run = 0
    for ch in source:  # brackets and runs of signs: what makes Python's own parser recurse
        depth += (ch == "(") - (ch == ")")
        run = run + 1 if ch in "+-" else run if ch == " " else 0
        if depth > MAX_NESTING or run > MAX_NESTING:
            raise _too_deep(origin)


def _depth(node: ast.AST) -> int:
    """Nesting of a parsed formula, without recursion; a chain of + − or of · counts once."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        deepest = max(deepest, d)
        for child in ast.iter_child_nodes(n):
            same = isinstance(n, ast.BinOp) and isinstance(child, ast.BinOp) and child is n.left and \
                _chain(n.op) and _chain(n.op) == _chain(child.op)
            stack.append((child, d if same or not isinstance(child, ast.expr) else d + 1))
    return deepest


def _chain(op: ast.operator) -> str:
    return "sum" if isinstance(op, (ast.Add, ast.Sub)) else "product" if isinstance(op, ast.Mult) else ""


def _column(offset: int, carets: list, code: str) -> int:
    """1-based column in the user's text of a 1-based offset in the stripped, caret-free code."""
    pos = offset - 1 + (len(code) - len(code.lstrip()))
    shift = sum(1 for k, c in enumerate(carets) if c + k < pos)
    return pos - shift + 1


class _Builder:
    def __init__(self, origin: Origin, source: str, carets: list, code: str):
        self.origin, self.source, self.carets, self.code = origin, source, carets, code

    def fail(self, node: ast.AST, message: str, expected: str, suggestion: str | None = None) -> NoReturn:
        col = _column(getattr(node, "col_offset", 0) + 1, self.carets, self.code)
        raise ProblemError(self.origin, f"{message} at column {col} of {self.source!r}", expected, suggestion)

    def build(self, node: ast.AST) -> Expr:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            if abs(node.value) > MAGNITUDE:
                self.fail(node, f"number {float(node.value):g} is too large", f"a magnitude at most {MAGNITUDE:g}")
            return Const(float(node.value))
        if isinstance(node, ast.Name):
            return Var(node.id)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            # walk a left-leaning chain (a + b − c + …) without recursion, however long it is
            spine: list[ast.BinOp] = []
            left: ast.expr = node
            while isinstance(left, ast.BinOp) and type(left.op) in _BINOPS and _chain(left.op) \
                    and (not spine or _chain(left.op) == _chain(spine[-1].op)):
                spine.append(left)
                left = left.left
            if not spine:
                return _BINOPS[type(node.op)](self.build(node.left), self.build(node.right))
            return _chained(self.build(left), [(type(link.op), self.build(link.right)) for link in reversed(spine)])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return inner
            return Const(-inner.value) if isinstance(inner, Const) else neg(inner)
        if isinstance(node, ast.Call):
            return self.call(node)
        self.fail(node, f"'{_unparse(node)}' is not allowed in a formula",
                  "numbers, names, + - * / ^, and registry functions")

    def call(self, node: ast.Call) -> Expr:
        allowed = names_of(*USER_KINDS)
        if not isinstance(node.func, ast.Name) or node.func.id not in allowed:
            fname = _unparse(node.func)
            self.fail(node, f"unknown function '{fname}'", one_of(allowed, 20), suggest(fname, allowed))
        fn = REGISTRY[node.func.id]
        params = {}
        known = dict(fn.params)
        for kw in node.keywords:
            if kw.arg is None:
                self.fail(kw, f"'**{_unparse(kw.value)}' is not allowed in a formula",
                          "numbers, names, + - * / ^, and registry functions")
            if kw.arg not in known or kw.arg == "index":
                self.fail(node, f"{fn.name}() has no parameter '{kw.arg}'",
                          one_of([k for k in known if k != "index"]) if len(known) > 1 or "index" not in known
                          else "no keyword parameters")
            value = self.build(kw.value)
            if not isinstance(value, Const):
                self.fail(kw.value, f"parameter '{kw.arg}' must be a number", "a number")
            params[kw.arg] = value.value
        for k, default in known.items():
            if default is None and k not in params:  # normalisation is always spelled out
                self.fail(node, f"{fn.name}() needs its {k} spelled out", f"{fn.name}(yhat, y, {k}=0.5) or {k}=1")
            params.setdefault(k, default)
        if fn.name == "softmax":
            return self.softmax(node, params)
        args = tuple(self.build(a) for a in node.args)
        if fn.arity is not None and len(args) != fn.arity:
            self.fail(node, f"{fn.name}() takes {fn.arity} argument(s), got {len(args)}",
                      f"{fn.arity} argument(s)")
        return Call(fn.name, args, tuple(sorted(params.items())))

    def softmax(self, node: ast.Call, params: dict) -> Expr:
        # softmax(a3, [a3, a4]): the component a3 of the softmax over a3 and a4.
        if len(node.args) != 2 or not isinstance(node.args[1], ast.List):
            self.fail(node, "softmax needs the component and the list it is taken over",
                      "softmax(a3, [a3, a4])")
        if len(node.args[1].elts) > MAX_SOFTMAX:
            raise ProblemError(self.origin, f"softmax over {len(node.args[1].elts)} components is too large",
                               f"at most {MAX_SOFTMAX} components in one softmax group")
        group = tuple(self.build(a) for a in node.args[1].elts)
        component = self.build(node.args[0])
        if component not in group:
            self.fail(node, "the softmax component is not in its list", "softmax(a3, [a3, a4])")
        return Call("softmax", group, (("index", float(group.index(component) + 1)),))
