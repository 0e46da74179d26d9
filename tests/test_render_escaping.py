"""The user's own text (title, source, description, symbols) reads as written in every format, and can do
nothing else: no HTML, link or markup in markdown, no way out of a math block, no terminal control."""
from __future__ import annotations

import dataclasses
import re

import pytest

from backprop_cli.engine import solve
from backprop_cli.errors import ProblemError
from backprop_cli.load.document import load_problem
from backprop_cli.render import markdown, terminal

from problem_files import ROOT

markdown_it = pytest.importorskip("markdown_it")  # rich depends on it: a CommonMark renderer is at hand

HOSTILE = [
    "<script>alert(1)</script>", "<iframe src=https://x.example>", "<img src=x onerror=alert(1)>",
    "<!-- comment -->", "[click](javascript:alert(1))", "![img](https://x.example/p.png)", "<https://x.example>",
    "[ref]: https://x.example", "*em* _em_ __strong__ **strong** ~~struck~~", "`code` ``more``", "$x$ and $$y$$",
    "&lt;script&gt; &#60;b&#62; &amp;", "# heading", "## heading ##", "1. item", "2) item", "- item", "+ item",
    "* item", "> quote", "a\n---", "a\n===", "| a | b |\n| --- | --- |", "C:\\path\\*", "__init__ w5_1 ŷ_k",
    "x\n\n<div>block</div>", "```\ncode", "~~~\ncode", "    indented", "a  \nb", "\\", "title ###",
    "esc\x1b[31mred\x1b[0m bell\x07 cr\rX c1\x9b2J",
]
# What CommonMark may produce from escaped prose: a heading, paragraphs, text, and soft line breaks.
ALLOWED = {"heading_open", "heading_close", "paragraph_open", "paragraph_close", "inline", "text", "softbreak"}


def problem(**changes):
    return dataclasses.replace(load_problem(ROOT / "problems" / "mazur.yaml"), **changes)


def front(doc: str) -> str:
    """The markdown above the first section: the title, source and description."""
    return doc.split("\n## 1. ", 1)[0]


def tokens(text: str) -> list:
    out = []
    for token in markdown_it.MarkdownIt("commonmark").parse(text):
        out += [token, *(token.children or [])]
    return out


def shown(text: str) -> str:
    """The words a reader sees, with all whitespace as single spaces."""
    return " ".join("".join(t.content for t in tokens(text) if t.type == "text").split())  # entities decoded


def expected(text: str) -> str:
    return " ".join(re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", text).split())


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_prose_reads_as_written_and_is_nothing_else(text: str) -> None:
    doc = front(markdown.render(solve(problem(title=text, source=text, description=text))))
    kinds = {t.type for t in tokens(doc)}
    assert kinds <= ALLOWED, f"{sorted(kinds - ALLOWED)} from {text!r}"
    heading, *paragraphs = doc.split("\n\n")
    assert shown(heading) == expected(text)
    assert [shown(p) for p in paragraphs] == [expected("Source: " + text), expected(text)]


def test_a_wrapped_line_never_starts_a_list_or_an_underline() -> None:
    words = "a " * 40  # 79 characters with the spaces between: the next word starts the second line
    for marker in ("- b", "+ b", "1. b", "3) b", ": b", "===", "---"):  # an underline is a line of its own
        doc = front(markdown.render(solve(problem(description=f"{words}{marker}"))))
        marker = marker.split()[0]
        assert f"\n\\{marker[0]}" in doc or f"\n{marker[:-1]}\\{marker[-1]}" in doc, marker
        assert {t.type for t in tokens(doc)} <= ALLOWED


def test_a_symbol_is_written_with_its_line_breaks_as_spaces() -> None:
    doc = markdown.render(solve(problem(symbols={"w5": "w\n_{5}", "w6": "w\r\n\r\n<b>_{6}"})))
    assert "w _{5}" in doc and "w    <b>_{6}" in doc and "w\n_{5}" not in doc
    kinds = {t.type for t in tokens(doc)}
    assert "html_block" not in kinds and "html_inline" not in kinds
    assert all(t.info in ("math", "mermaid") for t in tokens(doc) if t.type == "fence")


@pytest.mark.parametrize("tex", ["w`5", "w$5", "\\\\$w", "a\n```\n<script>"])
def test_a_symbol_that_would_end_its_math_is_refused(tex: str) -> None:
    with pytest.raises(ProblemError) as info:
        markdown.render(solve(problem(symbols={"w5": tex})))
    assert str(info.value) == (f"{ROOT / 'problems' / 'mazur.yaml'}: symbols.w5: {tex!r} would end the math it is "
                               "written in (expected LaTeX without a backtick or a bare $; \\$ writes a dollar sign)"
                               ).replace("\n", "\\n")


def test_an_escaped_dollar_in_a_symbol_is_written() -> None:
    assert "\\$w_{5}" in markdown.render(solve(problem(symbols={"w5": "\\$w_{5}"})))


@pytest.mark.parametrize("color", [False, True])
def test_the_terminal_drops_control_characters_from_the_users_text(color: bool) -> None:
    nasty = "t\x1b]0;owned\x07i\x1b[2Jt\rl\x9b31me\x08\x00"
    text = terminal.render(solve(problem(title=nasty, source=nasty, description=nasty)), color=color)
    without_colours = re.sub(r"\x1b\[[0-9;]*m", "", text)  # the styles rich adds
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", without_colours)
    assert without_colours.startswith("t]0;owned" "i[2Jtl31me\n")
