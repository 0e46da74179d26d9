"""Keys name quantities as YAML keys: a name YAML would read as something else (null, True, 1e3, a:b) is
quoted, so that every key backprop writes is read back by backprop check as written."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_cli.keys.keyfile import _comment, entry_line, parse_key, yaml_name

from helpers import invoke

MISREAD = ["null", "Null", "NULL", "true", "True", "TRUE", "false", "FALSE", "yes", "No", "on", "OFF", "y", "n",
           "~", "", "1e3", "0x1F", "010", "1_000", "12:30", "2020-01-01", ".inf", "-.inf", ".nan", "-w", "+w",
           "a: b", "a #c", "a:", "#a", "[x]", "{x}", "*x", "&x", "!x", "%x", "@x", "`x", "|x", ">x", "?x", "- x",
           "'x", '"x', "x ", " x", "a,b", "<<", "=", 'a"b', "a\\b", "tab\there", "new\nline", "nel\x85", "ls\u2028",
           "bell\x07", "esc\x1b[2J", "bom\ufeff", "\U0001F600"]
PLAIN = ["w5", "out_h1[2]", "dE_total/dw5", "w5+", "E_total+[3]", "c'", "c''", "α", "null_1", "yes2", "Truth"]


def read_back(names: list[str]) -> list[str]:
    """The names backprop check reads from a key that lists these names."""
    text = "values:\n" + "".join(entry_line(name, float(k)) + "\n" for k, name in enumerate(names))
    key = parse_key(text, "k.key.yaml")
    assert [e.expected for e in key.entries] == [float(k) for k in range(len(names))]
    return [e.name for e in key.entries]


@pytest.mark.parametrize("name", MISREAD)
def test_a_name_yaml_would_misread_is_quoted_and_reads_back(name: str) -> None:
    assert yaml_name(name).startswith('"')
    assert read_back([name]) == [name]


@pytest.mark.parametrize("name", PLAIN)
def test_ordinary_names_stay_plain(name: str) -> None:
    assert yaml_name(name) == name
    assert read_back([name]) == [name]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=5, unique=True))
def test_any_names_read_back_as_written(names: list[str]) -> None:
    assert read_back(names) == names


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_a_comment_stays_one_readable_line(text: str) -> None:
    key = parse_key(f"# {_comment(text)}\nvalues:\n  w: 1.0\n", "k.key.yaml")
    assert [e.name for e in key.entries] == ["w"] and "\n" not in _comment(text)


PROBLEM = """\
title: names YAML misreads
inputs: {x: 1.0}
params: {w: 0.5}
equations:
  'null': w*x
  'on': sigmoid(null)
  'yes': 2*on
loss: {formula: "0.5*(yes - 1)^2", name: 'True'}
training: {learning_rate: 0.1}
"""


def test_key_then_check_then_update_for_nodes_named_like_yaml_words(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("q.yaml").write_text(PROBLEM, encoding="utf-8")
    assert invoke("key", "q.yaml").exit_code == 0
    text = Path("q.key.yaml").read_text(encoding="utf-8")
    assert {'  "null": ', '  "on": ', '  "yes": ', '  "True": ', "  dTrue/dnull: ", "  True+: "} <= {
        line.split(": ")[0] + ": " for line in text.splitlines()}
    assert invoke("check", "q.yaml").exit_code == 0
    drifted = text.replace('"null": 0.5', '"null": 0.25')
    assert drifted != text
    Path("q.key.yaml").write_text(drifted, encoding="utf-8")
    assert invoke("check", "q.yaml").exit_code == 1
    assert invoke("check", "--update", "q.yaml").exit_code == 0
    assert Path("q.key.yaml").read_text(encoding="utf-8") == text
