"""Moodle XML and Canvas QTI exports: structure as each platform reads it, and every answer the key's value.

Moodle publishes no schema for its XML; the cloze text is read here by the syntax Moodle documents for
Embedded Answers ({weight:NUMERICAL:=answer:tolerance}), and read back by moodle-xml-parser (PyPI). The
QTI is read by pyslet's QTI 1.2 object model (PyPI) and by the rule Canvas's importer applies to a
numerical question: the exact value in <varequal>, the margin as <varlte> minus it, the low end <vargte>.
"""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from test_variants import VARIED, write

from backprop_cli.errors import ExitCode
from backprop_cli.keys.keyfile import read_key

from helpers import invoke
from problem_files import ROOT, problem_files

NUMERIC = [p for p in problem_files() if p.stem != "seed004_symbolic"]
# Moodle's documented cloze syntax: {weight:NUMERICAL:=answer:tolerance}, numbers as Moodle reads them.
NUMBER = r"-?(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?"
GAP = re.compile(rf"\{{(\d*):(?:NUMERICAL|NM):=({NUMBER}):({NUMBER})\}}")
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> Path:
    """Eight variants with keys, the keys asking for 3 decimals on one quantity."""
    folder = tmp_path_factory.mktemp("course")
    problem = write(folder, "q1.yaml", VARIED)
    assert invoke("variants", problem, "--count", "8", "--seed", "11", "-o", str(folder / "v")).exit_code == 0
    for key in (folder / "v").glob("*.key.yaml"):  # a hand-set precision, as a course would write
        text = key.read_text(encoding="utf-8")
        key.write_text(re.sub(r"(  w5\+: )(\S+)", lambda m: f"{m.group(1)}{{value: {m.group(2)}, decimals: 3}}", text),
                       encoding="utf-8")
    return folder / "v"


def _moodle(folder: Path, *args: str) -> ET.Element:
    out = folder.parent / "quiz.xml"
    result = invoke("export", str(folder), "--format", "moodle", "-o", str(out), *args)
    assert result.exit_code == 0, result.stderr
    return ET.fromstring(out.read_text(encoding="utf-8"))


def test_moodle_questions_are_cloze_with_the_keys_values(variants: Path) -> None:
    quiz = _moodle(variants)
    assert quiz.tag == "quiz"
    category, *questions = quiz.findall("question")
    assert category.get("type") == "category"
    assert category.findtext("category/text") == "$course$/top/backprop/A step by step backpropagation example " \
                                                 "(2-2-2 network)"
    assert len(questions) == 8 and {q.get("type") for q in questions} == {"cloze"}
    assert len({q.findtext("idnumber") for q in questions}) == 8
    for k, q in enumerate(questions, start=1):
        assert q.findtext("name/text").endswith(f"(variant {k})")
        assert q.find("questiontext").get("format") == "html"
        body = q.findtext("questiontext/text")
        gaps = GAP.findall(body)
        # the only braces are the gaps': the givens cannot open a gap of their own
        assert body.count("{") == body.count("}") == len(gaps) == 3
        key = {e.name: e for e in read_key(variants / f"q1-{k}.key.yaml").entries}
        for (weight, value, tolerance), name in zip(gaps, ["dE_total/dw5", "dE_total/dw1", "w5+"]):
            assert weight == "1" and float(value) == key[name].expected
            assert float(tolerance) == (0.0005 if name == "w5+" else 0.00005)
        assert "<li>∂E_total/∂w5 = {1:NUMERICAL:=" in body and "<li>w5 after the update = " in body
        assert "Compute, to the decimals each line asks for:" in body and "(3 decimals)" in body


def test_moodle_reads_back_with_moodle_xml_parser(variants: Path) -> None:
    from moodle_xml_parser.parser import parse_file

    _moodle(variants)
    parsed = parse_file(str(variants.parent / "quiz.xml"))
    assert len(parsed["cloze"]) == 8
    for q in parsed["cloze"]:
        assert [g.sub_type for g in q.gaps] == ["NUMERICAL"] * 3
        assert all(len(g.options) == 1 and g.options[0].score == 100 for g in q.gaps)
        for g in q.gaps:
            value, tolerance = g.options[0].answer.split(":")
            assert float(tolerance) in (5e-05, 0.0005) and float(value) != 0


def test_every_example_exports_its_default_quantities() -> None:
    """Without ask:, every gradient of a parameter and every updated parameter (an expression: ∂f/∂x)."""
    result = invoke("export", str(ROOT / "problems"), "--format", "moodle")
    assert result.exit_code == 0
    assert "skipped" in result.stderr and "seed004_symbolic.yaml" in result.stderr
    questions = ET.fromstring(result.stdout).findall("question")[1:]
    assert len(questions) == len(NUMERIC)
    for path, q in zip(NUMERIC, questions):
        key = read_key(path.with_name(path.stem + ".key.yaml"))
        values = {e.name: e.expected for e in key.entries}
        gaps = GAP.findall(q.findtext("questiontext/text"))
        names = re.findall(r"<li>(.*?) = \{", q.findtext("questiontext/text"))
        assert len(names) == len(gaps) > 0
        for (_, value, tolerance), label in zip(gaps, names):
            assert float(tolerance) == 0.00005
            assert float(value) in values.values(), (path.stem, label)


def _zip(folder: Path) -> zipfile.ZipFile:
    out = folder.parent / "quiz.zip"
    result = invoke("export", str(folder), "--format", "qti", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"wrote {out} (8 quizzes, 24 answers)\n"
    return zipfile.ZipFile(io.BytesIO(out.read_bytes()))


def test_qti_zip_is_a_content_package_of_quizzes(variants: Path) -> None:
    z = _zip(variants)
    manifest = ET.fromstring(z.read("imsmanifest.xml"))
    ns = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
    resources = manifest.findall(f"{ns}resources/{ns}resource")
    quizzes = [r for r in resources if r.get("type") == "imsqti_xmlv1p2"]
    assert len(quizzes) == 8
    ids = {r.get("identifier") for r in resources}
    for r in resources:
        for f in r.findall(f"{ns}file"):
            assert f.get("href") in z.namelist()
        for d in r.findall(f"{ns}dependency"):
            assert d.get("identifierref") in ids
    assert len(ids) == len(resources)
    assert _zip(variants).read("imsmanifest.xml") == z.read("imsmanifest.xml")  # byte-stable


def test_qti_numerical_answers_as_canvas_reads_them(variants: Path) -> None:
    z = _zip(variants)
    quizzes = sorted(n for n in z.namelist() if n.endswith(".xml") and "/" in n and "assessment_meta" not in n)
    titles = []
    for name in quizzes:
        root = ET.fromstring(z.read(name))
        assessment = root.find(f"{QTI}assessment")
        titles.append(assessment.get("title"))
        k = int(re.search(r"variant (\d+)", assessment.get("title")).group(1))
        key = {e.name: e for e in read_key(variants / f"q1-{k}.key.yaml").entries}
        items = assessment.findall(f"{QTI}section/{QTI}item")
        assert [i.get("title") for i in items] == ["∂E_total/∂w5", "∂E_total/∂w1", "w5 after the update"]
        for item, name in zip(items, ["dE_total/dw5", "dE_total/dw1", "w5+"]):
            fields = {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry")
                      for f in item.iter(f"{QTI}qtimetadatafield")}
            assert fields["question_type"] == "numerical_question"
            render = item.find(f"{QTI}presentation/{QTI}response_str/{QTI}render_fib")
            assert render.get("fibtype") == "Decimal"
            condition = item.find(f"{QTI}resprocessing/{QTI}respcondition/{QTI}conditionvar/{QTI}or")
            exact = Decimal(condition.findtext(f"{QTI}varequal"))
            low = Decimal(condition.findtext(f"{QTI}and/{QTI}vargte"))
            high = Decimal(condition.findtext(f"{QTI}and/{QTI}varlte"))
            margin = high - exact  # Canvas: answer_error_margin = upper bound − exact answer
            assert float(exact) == key[name].expected
            assert exact - low == margin == Decimal("0.0005" if name == "w5+" else "0.00005")
            assert "Give it to" in item.findtext(f"{QTI}presentation/{QTI}material/{QTI}mattext")
    assert sorted(titles) == sorted(f"A step by step backpropagation example (2-2-2 network) (variant {k})"
                                    for k in range(1, 9))


def test_qti_parses_in_pyslet(variants: Path) -> None:
    """pyslet's QTI 1.2 object model knows every element: each item, its presentation and its processing."""
    from pyslet.qtiv1.xml import QTIDocument

    z = _zip(variants)
    name = next(n for n in z.namelist() if n.endswith(".xml") and "/" in n and "assessment_meta" not in n)
    doc = QTIDocument()
    doc.read(src=z.read(name))
    assessment = doc.root.Assessment
    items = assessment.SectionMixin[0].SectionItemMixin
    assert type(doc.root).__name__ == "QuesTestInterop" and len(items) == 3
    for item in items:
        assert type(item).__name__ == "Item"
        assert type(item.Presentation).__name__ == "Presentation"
        assert [type(r).__name__ for r in item.ResProcessing] == ["ResProcessing"]


def test_a_key_that_disagrees_is_never_exported(tmp_path: Path) -> None:
    problem = write(tmp_path, "q.yaml", (ROOT / "problems" / "mazur.yaml").read_text(encoding="utf-8"))
    key = (ROOT / "problems" / "mazur.key.yaml").read_text(encoding="utf-8")
    write(tmp_path, "q.key.yaml", key.replace("dE_total/dw5: 0.0821", "dE_total/dw5: 0.0921"))
    result = invoke("export", problem, "--format", "moodle")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "the key says dE_total/dw5 = 0.0921" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "qti"], "--format qti writes a zip: give -o FILE.zip"),
    (["--format", "moodle", "-o", "problems/mazur.yaml"], "refusing to overwrite"),
])
def test_export_usage_errors(in_root, args: list, message: str) -> None:
    result = invoke("export", "problems/mazur.yaml", *args)
    assert result.exit_code == ExitCode.USAGE
    assert message in result.stderr
