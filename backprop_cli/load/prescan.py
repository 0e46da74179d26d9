"""A large file's top-level keys, checked before it is parsed: PyYAML's pure-Python parser takes seconds per MB.

Only what can be read for sure without parsing: in a plain block mapping the lines that start in
column 0 are exactly its keys. Anything else (a flow mapping, quoted keys, several documents) is
left to the parser.
"""
from __future__ import annotations

import re

from ..errors import Origin
from . import validate as v
from .collect import raise_all
from .format import PROBLEM
from .yamlreader import LineDict

_TOP_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[ \t]*:(?:[ \t]|$)")


def top_level_keys(text: str) -> LineDict | None:
    """The keys of a block mapping at the top of text, with their lines, read without parsing.

    None when the text is anything else or is not plain enough to be sure (a flow mapping, quoted or
    repeated keys, several documents): the parser then says what it is. Only whole lines that start in
    column 0 are read, and in a block mapping those are exactly its keys.
    """
    keys = LineDict()
    keys.key_lines = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line or line[0] in " \t#" or line.rstrip() == "---" and not keys:
            continue
        m = _TOP_KEY.match(line)
        if m is None or m.group(1) in keys:
            return None
        keys[m.group(1)] = None
        keys.key_lines[m.group(1)] = number
    if not keys:
        return None
    keys.line = min(keys.key_lines.values())
    return keys


PARSE_FIRST = 100_000  # characters: a larger text has its top-level keys checked before it is parsed


def check_top_keys(text: str, file: str) -> None:
    """Unknown and missing top-level keys, found without parsing: a 2 MB file takes seconds to parse."""
    keys = top_level_keys(text)
    if keys is not None:
        required = ["title", *(["loss"] if "expression" not in keys else [])]
        raise_all(v.key_errors(keys, Origin(file, 1, ""), PROBLEM.keys, required))
