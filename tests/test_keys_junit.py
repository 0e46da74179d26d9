"""The JUnit report is well-formed XML whatever the names in it hold."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from backprop_cli.errors import ExitCode

from helpers import invoke
from problem_files import ROOT

MAZUR = (ROOT / "problems" / "mazur.yaml").read_text(encoding="utf-8")


def test_control_characters_in_key_names_and_file_names_leave_valid_xml(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("q.yaml").write_text(MAZUR, encoding="utf-8")
    Path("q.key.yaml").write_text('values:\n  "w5\\x01+": 0.3\n', encoding="utf-8")  # no such quantity: invalid
    Path("p\x02.yaml").write_text(MAZUR, encoding="utf-8")
    Path("p\x02.key.yaml").write_text('values:\n  w5+: 0.3\n', encoding="utf-8")  # a failure
    result = invoke("check", ".", "--junit-xml", "report.xml")
    assert result.exit_code == ExitCode.INVALID_INPUT
    root = ET.parse("report.xml").getroot()  # raises on invalid XML
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert set(cases) == {"p\\x02.yaml", "q.yaml"}
    error = cases["q.yaml"].find("error")
    assert error is not None and "'w5\\x01+'" in error.get("message", "")
    failure = cases["p\\x02.yaml"].find("failure")
    assert failure is not None and failure.get("message") == "1 quantity differ: w5+"
