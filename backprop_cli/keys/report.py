"""How backprop check reports: text with a table per failure, JSON, JUnit XML, GitHub annotations."""
from __future__ import annotations

import re

from .check import Outcome
from .keyfile import Comparison, Tolerance


def _counts(outcomes: list[Outcome]) -> dict:
    return {s: sum(o.status == s for o in outcomes) for s in ("pass", "fail", "invalid")}


def summary(outcomes: list[Outcome]) -> str:
    """N passed, M failed (and K invalid when there are any)."""
    count = _counts(outcomes)
    text = f"{count['pass']} passed, {count['fail']} failed"
    return text + (f", {count['invalid']} invalid" if count["invalid"] else "")


def failure_table(outcome: Outcome) -> str:
    """The failing quantities as an aligned plain-text table."""
    rows = [("quantity", "line", "expected", "computed", "difference", "allowed")]
    rows += [(c.entry.name, str(c.entry.origin.line), c.entry.tolerance.format(c.entry.expected), repr(c.computed),
              f"{c.difference:+.3g}", _allowed(c)) for c in outcome.failures]
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    lines = ["  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
    lines += [f"  hint: {c.entry.name}: {_hint(c)}" for c in outcome.failures if _hint(c)]
    return "\n".join(lines)


def _allowed(c: Comparison) -> str:
    tol = c.entry.tolerance
    return tol.describe() + (f" (rounds to {tol.format(c.computed)})" if tol.decimals is not None else "")


def _quantities(n: int) -> str:
    return f"{n} quantity" if n == 1 else f"{n} quantities"


def _hint(c: Comparison) -> str | None:
    """A likely fix when a rounded value is compared at full precision."""
    written = repr(c.entry.expected)
    if c.entry.tolerance.decimals is not None or "e" in written or "." not in written:
        return None
    places = len(written.split(".")[1])
    if places <= 8 and Tolerance(decimals=places).allows(c.entry.expected, c.computed):
        return f"the key's value is the solver's rounded to {places} decimals: add decimals: {places}"
    return None


def text_report(outcomes: list[Outcome]) -> str:
    """One line per problem, a table under each failure, and the closing count."""
    out = []
    for o in outcomes:
        if o.status == "pass":
            out.append(f"PASS {o.problem} ({_quantities(len(o.comparisons))})")
        elif o.status == "fail":
            out.append(f"FAIL {o.problem} ({len(o.failures)} of {len(o.comparisons)} quantities differ)")
            out.append(failure_table(o))
        else:
            out.append(f"INVALID {o.problem}: {o.error}")
    return "\n".join(out + [summary(outcomes)])


def _failure_dict(c: Comparison) -> dict:
    return {"quantity": c.entry.name, "line": c.entry.origin.line, "expected": c.entry.expected,
            "computed": c.computed, "difference": c.difference, "allowed": c.entry.tolerance.describe()}


def json_report(outcomes: list[Outcome]) -> str:
    """The outcome as one JSON document for machines."""
    import json

    counts = _counts(outcomes)
    problems = []
    for o in outcomes:
        origin = getattr(o.error, "origin", None)
        problems.append({
            "problem": o.problem, "key": o.key, "status": o.status, "quantities": len(o.comparisons),
            "failures": [_failure_dict(c) for c in o.failures],
            "error": None if o.error is None else str(o.error),
            "error_at": None if origin is None else {"file": origin.file, "line": origin.line, "path": origin.path},
        })
    doc = {"passed": counts["pass"], "failed": counts["fail"], "invalid": counts["invalid"], "problems": problems}
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)


def junit_report(outcomes: list[Outcome]) -> str:
    """JUnit XML: one testcase per problem; a failure lists the quantities that differ."""
    import xml.etree.ElementTree as ET

    counts = _counts(outcomes)
    attrs = {"name": "backprop check", "tests": str(len(outcomes)), "failures": str(counts["fail"]),
             "errors": str(counts["invalid"]), "time": f"{sum(o.seconds for o in outcomes):.3f}"}
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(root, "testsuite", attrs)
    for o in outcomes:
        case = ET.SubElement(suite, "testcase", {"classname": "backprop check", "name": _xml(o.problem),
                                                 "file": _xml(o.key), "time": f"{o.seconds:.3f}"})
        if o.status == "fail":
            names = ", ".join(c.entry.name for c in o.failures)
            failure = ET.SubElement(case, "failure", {"type": "mismatch", "message":
                                                      _xml(f"{_quantities(len(o.failures))} differ: {names}")})
            failure.text = _xml(failure_table(o))
        elif o.status == "invalid":
            ET.SubElement(case, "error", {"type": "invalid", "message": _xml(str(o.error))}).text = _xml(str(o.error))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


# Characters XML 1.0 cannot hold at all, not even as &#N; (ElementTree would write them and break the file).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """Text XML can hold: a control character (from a key's name, say) is written as an escape, \\x01."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else
                        f"\\u{ord(m.group()):04x}", text)


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def github_annotations(outcomes: list[Outcome]) -> list[str]:
    """GitHub Actions ::error commands, each pointing at the key line of a failing quantity."""
    out = []
    for o in outcomes:
        for c in o.failures:
            msg = (f"{c.entry.name}: the key says {c.entry.tolerance.format(c.entry.expected)}, the solver computes "
                   f"{c.computed!r} (difference {c.difference:+.3g}, allowed {_allowed(c)})")
            out.append(f"::error file={_escape(o.key, True)},line={c.entry.origin.line},"
                       f"title={_escape('backprop check', True)}::{_escape(msg)}")
        if o.status == "invalid":
            origin = getattr(o.error, "origin", None)
            where = f"file={_escape(origin.file if origin else o.problem, True)}"
            if origin is not None and origin.line:
                where += f",line={origin.line}"
            out.append(f"::error {where},title={_escape('backprop check', True)}::{_escape(str(o.error))}")
    return out
