"""The user's own text in each format: what the title, source, description and symbols may not do there.

The terminal drops control characters (only rich's colours may drive it). Markdown escapes the prose so
that no raw HTML, link, emphasis, code span, math or block marker of it reaches a CommonMark renderer
(GitHub, Jekyll, mkdocs, pandoc), and keeps each symbol inside the math it is written in.
"""
from __future__ import annotations

import re

from ..errors import Origin, ProblemError

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and line feed, DEL, C1
_SPECIAL = re.compile(r"[<>&\\`*\[\]$~|#]|(?<![^\W_])_|_(?![^\W_])")  # an _ between letters or digits stays
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}  # entities: every markdown dialect reads them
# What would make a wrapped line a list item (1. or - or +), a heading underline (=== or ---) or a definition (: )
_LINE_START = re.compile(r"^(?:(\d{1,9})([.)])(?=\s|$)|([+\-:])(?=\s|$)|([=\-])(?=[=\-]*\s*$))")
_BARE_DOLLAR = re.compile(r"(?<!\\)(?:\\\\)*\$")  # a $ after an even number of backslashes


def plain(text: str) -> str:
    """Text for the terminal: control characters dropped, so an escape sequence in a title is just gone."""
    return CONTROL.sub("", text)


def prose(text: str) -> str:
    """The user's text for markdown: special characters escaped, control characters dropped."""
    return _SPECIAL.sub(lambda m: _ENTITIES.get(m.group(), "\\" + m.group()), plain(text))


def line_start(line: str) -> str:
    """A wrapped line of prose that cannot start a list, a heading underline or a definition."""
    return _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3) or m.group(4)}",
                           line)


def math_symbols(symbols: dict) -> dict:
    """The symbols with each line break or control character written as a space, as TeX reads a line break:
    no symbol can then end a ```math fence or the paragraph holding $`…`$."""
    return {name: re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", tex) for name, tex in symbols.items()}


def check_symbols(symbols: dict, file: str) -> None:
    """Refuse a symbol that would end the math it is written in: a backtick ends $`…`$, a bare $ ends TeX math."""
    for name, tex in symbols.items():
        if "`" in tex or _BARE_DOLLAR.search(tex):
            raise ProblemError(Origin(file, 0, f"symbols.{name}"), f"{tex!r} would end the math it is written in",
                               "LaTeX without a backtick or a bare $; \\$ writes a dollar sign")
