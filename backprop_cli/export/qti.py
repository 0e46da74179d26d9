"""Canvas QTI 1.2: a zip holding one quiz per problem file, as Canvas's own quiz export lays it out.

Canvas has no numeric cloze, so each quantity asked is a numerical_question of its own, stating the
givens again. An answer is an exact value with an error margin (Canvas's answer_error_margin), written
the way Canvas exports one and reads it back: <or> the exact <varequal>, or <and> the value minus the
margin <vargte> and plus it <varlte>. The zip is byte-stable: fixed identifiers and dates.
"""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from decimal import Decimal

from .html import text
from .questions import Answer, Question

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_DATE = (1980, 1, 1, 0, 0, 0)


def bounds(answer: Answer) -> tuple[str, str, str]:
    """(exact, low, high) as decimal text: the margin added in exact decimal arithmetic, as Canvas does."""
    exact = Decimal(repr(answer.value))
    margin = Decimal(repr(answer.tolerance))
    return str(exact), str(exact - margin), str(exact + margin)


def _field(meta: ET.Element, label: str, entry: str) -> None:
    f = ET.SubElement(meta, "qtimetadatafield")
    ET.SubElement(f, "fieldlabel").text = label
    ET.SubElement(f, "fieldentry").text = entry


def _item(section: ET.Element, q: Question, k: int, a: Answer) -> None:
    item = ET.SubElement(section, "item", ident=f"{q.ident}_{k}", title=f"{a.label}")
    meta = ET.SubElement(ET.SubElement(item, "itemmetadata"), "qtimetadata")
    _field(meta, "question_type", "numerical_question")
    _field(meta, "points_possible", "1.0")
    _field(meta, "original_answer_ids", f"{q.ident}_{k}_answer")
    _field(meta, "assessment_question_identifierref", f"{q.ident}_{k}_question")
    presentation = ET.SubElement(item, "presentation")
    body = f"{q.givens}\n<p>What is {text(a.label)}? Give it to {a.decimals} decimals.</p>"
    ET.SubElement(ET.SubElement(presentation, "material"), "mattext", texttype="text/html").text = body
    response = ET.SubElement(presentation, "response_str", ident="response1", rcardinality="Single")
    ET.SubElement(ET.SubElement(response, "render_fib", fibtype="Decimal"), "response_label", ident="answer1")
    processing = ET.SubElement(item, "resprocessing")
    ET.SubElement(ET.SubElement(processing, "outcomes"), "decvar", maxvalue="100", minvalue="0", varname="SCORE",
                  vartype="Decimal")
    condition = ET.SubElement(processing, "respcondition", {"continue": "No"})
    either = ET.SubElement(ET.SubElement(condition, "conditionvar"), "or")
    exact, low, high = bounds(a)
    ET.SubElement(either, "varequal", respident="response1").text = exact
    within = ET.SubElement(either, "and")
    ET.SubElement(within, "vargte", respident="response1").text = low
    ET.SubElement(within, "varlte", respident="response1").text = high
    ET.SubElement(condition, "setvar", action="Set", varname="SCORE").text = "100"


def assessment(q: Question) -> str:
    """One quiz: a questestinterop with one numerical item per quantity asked."""
    root = ET.Element("questestinterop", {"xmlns": QTI_NS, "xmlns:xsi": XSI,
                                          "xsi:schemaLocation": f"{QTI_NS} {QTI_NS}p1.xsd"})
    quiz = ET.SubElement(root, "assessment", ident=q.ident, title=q.name)
    meta = ET.SubElement(quiz, "qtimetadata")
    _field(meta, "cc_maxattempts", "1")
    section = ET.SubElement(quiz, "section", ident="root_section")
    for k, a in enumerate(q.answers, start=1):
        _item(section, q, k, a)
    return _xml(root)


def assessment_meta(q: Question) -> str:
    """Canvas's own description of the quiz (its title and points), beside the QTI file."""
    root = ET.Element("quiz", {"identifier": q.ident, "xmlns": CANVAS_NS, "xmlns:xsi": XSI,
                               "xsi:schemaLocation": f"{CANVAS_NS} https://canvas.instructure.com/xsd/cccv1p0.xsd"})
    ET.SubElement(root, "title").text = q.name
    ET.SubElement(root, "description").text = ""
    ET.SubElement(root, "shuffle_answers").text = "false"
    ET.SubElement(root, "quiz_type").text = "assignment"
    ET.SubElement(root, "points_possible").text = f"{float(len(q.answers)):.1f}"
    ET.SubElement(root, "allowed_attempts").text = "1"
    return _xml(root)


def manifest(questions: Sequence[Question], title: str) -> str:
    """imsmanifest.xml: each quiz a resource of type imsqti_xmlv1p2, with its meta file as a dependency."""
    root = ET.Element("manifest", {"identifier": "backprop_cli_manifest", "xmlns": CP_NS})
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Content"
    ET.SubElement(metadata, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    for q in questions:
        qti = ET.SubElement(resources, "resource", identifier=q.ident, type="imsqti_xmlv1p2")
        ET.SubElement(qti, "file", href=f"{q.ident}/{q.ident}.xml")
        ET.SubElement(qti, "dependency", identifierref=f"{q.ident}_meta")
        meta = ET.SubElement(resources, "resource", identifier=f"{q.ident}_meta",
                             type="associatedcontent/imscc_xmlv1p1/learning-application-resource",
                             href=f"{q.ident}/assessment_meta.xml")
        ET.SubElement(meta, "file", href=f"{q.ident}/assessment_meta.xml")
    return _xml(root)


def qti_zip(questions: Sequence[Question], title: str) -> bytes:
    """The zip Canvas imports (Settings → Import Course Content → QTI .zip file)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        files = [("imsmanifest.xml", manifest(questions, title))]
        for q in questions:
            files += [(f"{q.ident}/{q.ident}.xml", assessment(q)), (f"{q.ident}/assessment_meta.xml",
                                                                    assessment_meta(q))]
        for name, body in files:
            info = zipfile.ZipInfo(name, _DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, body.encode("utf-8"))
    return out.getvalue()


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
