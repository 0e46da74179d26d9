"""Parse a formula string into a tree with Python's ast and a whitelist; never eval."""
from __future__ import annotations

import ast

from ..errors import Origin, ProblemError, one_of, suggest
from .tree import Call, Const, Expr, Var, div, neg, power, sub
from .registry import REGISTRY, names_of

def _nary(fn: str):
    # a + b + c is one sum of three terms, as written, not a sum nested in a sum
    def build(a: Expr, b: Expr) -> Call:
        left = a.args if isinstance(a, Call) and a.fn == fn else (a,)
        return Call(fn, (*left, b))
    return build


_BINOPS = {ast.Add: _nary("add"), ast.Sub: sub, ast.Mult: _nary("mul"), ast.Div: div, ast.Pow: power}
USER_KINDS = ("activation", "function", "loss")


def parse_formula(source: str, origin: Origin) -> Expr:
    """A formula tree; errors point at the column of the problem."""
    if isinstance(source, bool) or not isinstance(source, (str, int, float)):
        raise ProblemError(origin, "got a non-formula value", "a formula such as sigmoid(w1*x1 + b)")
    source = str(source)
    # '^' means power in homework; keep columns true by remembering where each one was.
    carets = [i for i, ch in enumerate(source) if ch == "^"]
    code = source.replace("^", "**")
    try:
        tree = ast.parse(code.strip(), mode="eval")
        return _Builder(origin, source, carets, code).build(tree.body)
    except SyntaxError as exc:
        # offset 0 (or past the text) means the formula ended too soon: point just after it
        end = len(code.strip()) + 1
        col = _column(min(exc.offset, end) if exc.offset else end, carets, code)
        msg = exc.msg.split(". Perhaps")[0]  # Python's hints ("forgot a comma?") are about Python, not formulas
        raise ProblemError(origin, f"formula syntax error at column {col}: {msg}: {source!r}",
                           "a formula such as sigmoid(w1*x1 + b)") from None
    except RecursionError:
        raise ProblemError(origin, "formula nested too deeply", "a formula such as sigmoid(w1*x1 + b)") from None


def _column(offset: int, carets: list, code: str) -> int:
    """1-based column in the user's text of a 1-based offset in the stripped, caret-free code."""
    pos = offset - 1 + (len(code) - len(code.lstrip()))
    shift = sum(1 for k, c in enumerate(carets) if c + k < pos)
    return pos - shift + 1


class _Builder:
    def __init__(self, origin: Origin, source: str, carets: list, code: str):
        self.origin, self.source, self.carets, self.code = origin, source, carets, code

    def fail(self, node: ast.AST, message: str, expected: str, suggestion: str | None = None):
        col = _column(getattr(node, "col_offset", 0) + 1, self.carets, self.code)
        raise ProblemError(self.origin, f"{message} at column {col} of {self.source!r}", expected, suggestion)

    def build(self, node: ast.AST) -> Expr:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
                and not isinstance(node.value, bool):
            return Const(float(node.value))
        if isinstance(node, ast.Name):
            return Var(node.id)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return _BINOPS[type(node.op)](self.build(node.left), self.build(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return inner
            return Const(-inner.value) if isinstance(inner, Const) else neg(inner)
        if isinstance(node, ast.Call):
            return self.call(node)
        self.fail(node, f"'{ast.unparse(node)}' is not allowed in a formula",
                  "numbers, names, + - * / ^, and registry functions")

    def call(self, node: ast.Call) -> Expr:
        allowed = names_of(*USER_KINDS)
        if not isinstance(node.func, ast.Name) or node.func.id not in allowed:
            fname = ast.unparse(node.func)
            self.fail(node, f"unknown function '{fname}'", one_of(allowed, 20), suggest(fname, allowed))
        fn = REGISTRY[node.func.id]
        params = {}
        known = dict(fn.params)
        for kw in node.keywords:
            if kw.arg is None:
                self.fail(kw, f"'**{ast.unparse(kw.value)}' is not allowed in a formula",
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
        group = tuple(self.build(a) for a in node.args[1].elts)
        component = self.build(node.args[0])
        if component not in group:
            self.fail(node, "the softmax component is not in its list", "softmax(a3, [a3, a4])")
        return Call("softmax", group, (("index", float(group.index(component) + 1)),))
