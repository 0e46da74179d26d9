"""libyaml's C parser for text plain enough to need none of the pure-Python loader's node-level refusals.

The pure-Python loader (yamlreader's _Loader) refuses aliases and deep nesting while it composes, one
node at a time; libyaml composes in C, where no Python hook runs. So the C parser reads only text in
which a cheap scan finds no possible anchor or alias; its node tree is walked once for nesting depth
and shared nodes before the same constructors and resolvers build the same LineDicts and LineLists.
Any other text, and any text on which this path raises, goes to the pure-Python loader, which gives
every error its one wording. Without libyaml, or with a libyaml that does not bound nesting itself
(its composer recurses in C), nothing here is used.
"""
from __future__ import annotations

import re

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.resolver import Resolver

from ..memory import collection_paused
from . import yamlreader

NOT_PLAIN = object()  # load_with_c's answer when the pure-Python loader must read the text

# An anchor (&a) or alias (*a) is a token of its own: it follows a space, a line break, a flow indicator or
# a quote, never a letter, digit, ')', '.' or '*' as the '*' of a formula (w1*x1, (a + b)*c, x**2) does.
_MAYBE_ANCHOR = re.compile(r"[&*](?<![\w.)*&][&*])(?=[^\s,\[\]{}])")
# Where libyaml and the pure-Python loader read alike text differently: a tab as the space after ':' or ','
# (refused in Python), a byte order mark after the start (part of the text in Python), the tag '!' alone
# ('x: !' is null in Python, '' in C), a comment right after a block scalar's '|' or '>' (refused in
# Python), and a '?' inside a plain scalar in a flow collection ({a: b?c}, refused in Python). Text with
# any of them, or anything like them, goes to the pure-Python loader.
_UNLIKE = re.compile(r"\t|[\s\S]\ufeff|(?<![^\s,\[\]{}])!(?![^\s,\[\]{}])|[|>][-+0-9]*#")
_QUESTION = re.compile(r"(?<=\S)\?|\?(?=\S)")  # any '?' but the key indicator '? '


def _reads_alike(text: str) -> bool:
    """Whether text holds nothing libyaml may read otherwise than the pure-Python loader (see _UNLIKE)."""
    if _UNLIKE.search(text):
        return False
    if "?" in text:  # a comment line may ask a question
        return not any(_QUESTION.search(line) for line in text.splitlines()
                       if "?" in line and not line.lstrip(" ").startswith("#"))
    return True


SAFE_C_DEPTH = 1000  # nesting libyaml's C composer may recurse through on any stack


def _c_loader() -> type | None:
    """A loader class of libyaml's parser and yamlreader's constructors and resolvers, or None without one."""
    if not getattr(yaml, "__with_libyaml__", False):
        return None
    from yaml._yaml import CParser

    class CLoader(CParser, SafeConstructor, Resolver):
        """Parses in C; builds with exactly the tables the pure-Python loader uses."""

        yaml_constructors = yamlreader._Loader.yaml_constructors
        yaml_multi_constructors = yamlreader._Loader.yaml_multi_constructors
        yaml_implicit_resolvers = yamlreader._Loader.yaml_implicit_resolvers
        resolve = yamlreader._Loader.resolve
        _bp_file = "<string>"
        _bp_at = None
        _bp_size = 0
        _bp_nodes = 0
        _bp_report_building = True  # composing reports nothing: no Python runs while libyaml composes

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    return CLoader


def _bounds_nesting(loader: type) -> bool:
    """Whether this libyaml refuses deep nesting itself (at 1000 levels, since 2024)."""
    parser = loader("[" * 2000)
    try:
        parser.get_single_node()
    except yaml.YAMLError as exc:
        return "nesting" in str(exc)
    finally:
        parser.dispose()
    return False


def _may_nest_deeper(text: str, levels: int) -> bool:
    """Whether text could nest more than `levels` deep: each level opens with its own '[', '{', '-', '?' or ':'."""
    return sum(map(text.count, "[{-?:")) > levels


_LOADER: dict = {}  # the class, and whether its libyaml bounds nesting, found on first use


def _loader(text: str) -> type | None:
    """The C loader class if libyaml is there and its composer, which recurses in C, cannot run out of stack."""
    if "class" not in _LOADER:
        _LOADER["class"] = _c_loader()
    loader = _LOADER["class"]
    if loader is None or not _may_nest_deeper(text, SAFE_C_DEPTH):
        return loader
    if "bounded" not in _LOADER:  # a millisecond, spent only on text long enough to need it
        _LOADER["bounded"] = _bounds_nesting(loader)
    return loader if _LOADER["bounded"] else None


def plain_tree(root: Node, max_depth: int) -> bool:
    """No node reached twice (an alias) and none nested more than max_depth deep, as _Loader counts."""
    seen: set[int] = set()
    todo = [(root, 1)]
    while todo:
        node, depth = todo.pop()
        if depth > max_depth or id(node) in seen:
            return False
        seen.add(id(node))
        if node.__class__ is ScalarNode:
            continue
        pairs = node.value
        if node.__class__ is MappingNode:
            pairs = [part for pair in pairs for part in pair]
        todo.extend((child, depth + 1) for child in pairs)
    return True


def load_with_c(text: str, file: str):
    """The document libyaml's parser reads from text, or NOT_PLAIN: the pure-Python loader must read it."""
    loader_class = _loader(text)
    # libyaml refuses control characters as the pure-Python reader does: a failure below, worded there.
    if loader_class is None or not _reads_alike(text) or ("&" in text or "*" in text) and _MAYBE_ANCHOR.search(text):
        return NOT_PLAIN
    with collection_paused():  # a node per number and no cycles among them: collecting costs a fifth
        try:
            loader = loader_class(text)
            loader._bp_file, loader._bp_size = file, len(text)
            try:
                root = loader.get_single_node()
                if root is None:
                    return None
                if not plain_tree(root, yamlreader.MAX_DEPTH):
                    return NOT_PLAIN
                return loader.construct_document(root)
            finally:
                loader.dispose()
        except Exception:  # any failure at all: the pure-Python loader reads the text again and words it
            return NOT_PLAIN
