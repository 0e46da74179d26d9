"""backprop check: exit codes, reports (text, JSON, JUnit, GitHub annotations) and --update round trips."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from backprop_cli.keys.keyfile import parse_key

from helpers import invoke as run
from problem_files import ROOT, problem_files

NAMES = ("mazur", "batch_two_samples", "seed003_q2_expression")
PARTIAL = """\
# Homework 3: only what the students hand in.
decimals: 4
values:
  dE_total/dw5: 0.0822   # ∂E/∂w5
  w5+: 0.3589
  E_total+: {value: 0.291028, decimals: 6}
  out_o1:
    tol: 1e-3
    value: 0.751
"""


@pytest.fixture
def folder(scratch, monkeypatch) -> Path:
    """Three problems with full keys, in a temporary directory that is also the working directory."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    folder = scratch(*NAMES, "seed004_symbolic")
    assert run("key", *(f"{n}.yaml" for n in NAMES)).exit_code == 0
    return folder


def replace_line(path: Path, start: str, new: str) -> int:
    """Replace the line that starts with `start`; return its 1-based number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith(start))
    lines[k] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return k + 1


def test_everything_passes(folder: Path) -> None:
    result = run("check", ".")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "PASS batch_two_samples.yaml (50 quantities)", "PASS mazur.yaml (44 quantities)",
        "PASS seed003_q2_expression.yaml (9 quantities)", "3 passed, 0 failed"]
    assert result.stderr == ""


def test_a_perturbed_key_fails_and_names_the_quantity(folder: Path) -> None:
    line = replace_line(folder / "mazur.key.yaml", "  dE_total/dw5:", "  dE_total/dw5: 0.08216704")
    result = run("check", ".")
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert "FAIL mazur.yaml (1 of 44 quantities differ)" in out
    row = next(r for r in out if r.strip().startswith("dE_total/dw5"))
    assert row.split()[:4] == ["dE_total/dw5", str(line), "0.08216704", "0.08216704056423078"]
    assert out[-1] == "2 passed, 1 failed"
    assert "::error" not in result.output  # no annotations outside GitHub Actions


def test_partial_key_to_four_decimals_passes(folder: Path) -> None:
    (folder / "mazur.key.yaml").write_text(PARTIAL, encoding="utf-8")
    result = run("check", "mazur.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout == "PASS mazur.yaml (4 quantities)\n1 passed, 0 failed\n"


def test_off_by_one_in_the_last_decimal_fails(folder: Path) -> None:
    (folder / "mazur.key.yaml").write_text(PARTIAL.replace("w5+: 0.3589", "w5+: 0.3590"), encoding="utf-8")
    result = run("check", "mazur.yaml")
    assert result.exit_code == 1
    assert "FAIL mazur.yaml (1 of 4 quantities differ)" in result.stdout
    assert "w5+       5     0.3590    0.35891647971788465" in result.stdout
    assert "4 decimals (rounds to 0.3589)" in result.stdout


def test_rounded_value_without_decimals_fails_with_a_hint(folder: Path) -> None:
    (folder / "mazur.key.yaml").write_text("values:\n  dE_total/dw5: 0.0822\n", encoding="utf-8")
    result = run("check", "mazur.yaml")
    assert result.exit_code == 1
    assert "hint: dE_total/dw5: the key's value is the solver's rounded to 4 decimals: add decimals: 4" \
        in result.stdout


def test_unknown_quantity_is_an_error_with_a_suggestion(folder: Path) -> None:
    (folder / "mazur.key.yaml").write_text("decimals: 4\nvalues:\n  w5+: 0.3589\n  dL/dw5: 0.0822\n",
                                           encoding="utf-8")
    result = run("check", ".")
    assert result.exit_code == 3
    message = ("mazur.key.yaml:4: values.dL/dw5: mazur.yaml has no quantity 'dL/dw5' (expected a quantity of "
               "the problem such as net_h1, dE_total/dw8, w1+ (backprop key writes all)). "
               "Did you mean 'dE_total/dw5'?")
    assert result.stderr == f"Error: {message}\n"
    assert f"INVALID mazur.yaml: {message}" in result.stdout
    assert "PASS batch_two_samples.yaml" in result.stdout  # the others are still checked
    assert result.stdout.splitlines()[-1] == "2 passed, 0 failed, 1 invalid"


@pytest.mark.parametrize("wrong,suggestion", [("dE_total/dw9", "dE_total/dw8"), ("w5", "w5+"),
                                              ("outh1", "out_h1")])
def test_suggestions(folder: Path, wrong: str, suggestion: str) -> None:
    (folder / "mazur.key.yaml").write_text(f"values:\n  {wrong}: 1\n", encoding="utf-8")
    result = run("check", "mazur.yaml")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: mazur.key.yaml:2: values.{wrong}: mazur.yaml has no quantity")
    assert result.stderr.endswith(f"Did you mean '{suggestion}'?\n")


def test_sample_index_suggestions(folder: Path) -> None:
    (folder / "batch_two_samples.key.yaml").write_text("values:\n  z_h1: 0.5\n", encoding="utf-8")
    assert "Did you mean 'z_h1[1]'?" in run("check", ".").stderr
    (folder / "batch_two_samples.key.yaml").write_text("values:\n  dL/dw1[2]: 0.5\n", encoding="utf-8")
    assert "Did you mean 'dL/dw1'?" in run("check", ".").stderr


def test_invalid_beats_failed(folder: Path) -> None:
    replace_line(folder / "mazur.key.yaml", "  w5+:", "  w5+: 0.4")
    (folder / "batch_two_samples.yaml").write_text("title: t\n", encoding="utf-8")
    result = run("check", ".")
    assert result.exit_code == 3
    assert result.stderr == ("Error: batch_two_samples.yaml:1: loss: missing required key (expected 'loss' in the "
                             "top level)\nError: batch_two_samples.yaml:1: no network (expected exactly one of layers, "
                             "edges (with neurons), or equations)\nError: batch_two_samples.yaml:1: training: missing "
                             "required key (expected 'training' in the top level)\n")  # every error of the file
    assert result.stdout.splitlines()[-1] == "1 passed, 1 failed, 1 invalid"


def test_usage_errors(folder: Path) -> None:
    missing = run("check", "no/such/dir")
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    (folder / "empty").mkdir()
    none = run("check", "empty")
    assert none.exit_code == 2
    assert "Error: no problem with an answer key under empty" in none.stderr
    both = run("check", "--update", "--format", "json", ".")
    assert both.exit_code == 2


def test_named_files_keys_and_orphans(folder: Path) -> None:
    no_key = run("check", "seed004_symbolic.yaml")
    assert no_key.exit_code == 3 and "the problem has no answer key" in no_key.stderr
    by_key = run("check", "mazur.key.yaml", "mazur.yaml")  # a key file names its problem; checked once
    assert by_key.exit_code == 0 and by_key.stdout == "PASS mazur.yaml (44 quantities)\n1 passed, 0 failed\n"
    shutil.copyfile(folder / "mazur.key.yaml", folder / "gone.key.yaml")
    orphan = run("check", ".")
    assert orphan.exit_code == 3
    assert "Error: gone.key.yaml: an answer key without a problem (expected the problem gone.yaml beside it)" \
        in orphan.stderr


def test_directories_are_searched_recursively_skipping_hidden_ones(folder: Path) -> None:
    for sub in ("week1/q", ".hidden"):
        (folder / sub).mkdir(parents=True)
        for suffix in (".yaml", ".key.yaml"):
            shutil.copyfile(folder / f"mazur{suffix}", folder / sub / f"m{suffix}")
    result = run("check", ".")
    assert result.exit_code == 0
    assert "PASS week1/q/m.yaml (44 quantities)" in result.stdout and ".hidden" not in result.stdout
    assert result.stdout.splitlines()[-1] == "4 passed, 0 failed"


def test_github_annotations_point_at_the_key_line(folder: Path, monkeypatch) -> None:
    line = replace_line(folder / "mazur.key.yaml", "  w5+:", "  w5+: 0.4")
    (folder / "batch_two_samples.key.yaml").write_text("values:\n  nope: 1\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run("check", ".")
    assert result.exit_code == 3
    notes = [x for x in result.stdout.splitlines() if x.startswith("::")]
    assert len(notes) == 2
    assert notes[0].startswith("::error file=batch_two_samples.key.yaml,line=2,title=backprop check::")
    assert notes[1] == (f"::error file=mazur.key.yaml,line={line},title=backprop check::w5+: the key says 0.4, "
                        "the solver computes 0.35891647971788465 (difference -0.0411, allowed rel 1e-09 or abs 1e-12)")
    as_json = run("check", "--format", "json", ".")
    json.loads(as_json.stdout)  # annotations go to stderr when stdout is JSON
    assert sum(x.startswith("::error") for x in as_json.stderr.splitlines()) == 2


def test_json_report(folder: Path) -> None:
    replace_line(folder / "mazur.key.yaml", "  w5+:", "  w5+: 0.4")
    result = run("check", "--format", "json", ".")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert (doc["passed"], doc["failed"], doc["invalid"]) == (2, 1, 0)
    mazur = next(p for p in doc["problems"] if p["problem"] == "mazur.yaml")
    assert mazur["status"] == "fail" and mazur["key"] == "mazur.key.yaml" and mazur["quantities"] == 44
    assert mazur["failures"] == [{"quantity": "w5+", "line": mazur["failures"][0]["line"], "expected": 0.4,
                                  "computed": 0.35891647971788465, "difference": 0.35891647971788465 - 0.4,
                                  "allowed": "rel 1e-09 or abs 1e-12"}]


def test_junit_xml(folder: Path) -> None:
    replace_line(folder / "mazur.key.yaml", "  w5+:", "  w5+: 0.4")
    replace_line(folder / "mazur.key.yaml", "  w6+:", "  w6+: 0.4")
    (folder / "seed003_q2_expression.key.yaml").write_text("values: 3\n", encoding="utf-8")
    result = run("check", "--junit-xml", "report.xml", ".")
    assert result.exit_code == 3
    root = ET.parse(folder / "report.xml").getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {"mazur.yaml", "batch_two_samples.yaml", "seed003_q2_expression.yaml"}
    assert list(cases["batch_two_samples.yaml"]) == []
    (failure,) = cases["mazur.yaml"].findall("failure")
    assert failure.get("message") == "2 quantities differ: w5+, w6+"
    assert "w5+" in failure.text and "0.35891647971788465" in failure.text
    (error,) = cases["seed003_q2_expression.yaml"].findall("error")
    assert error.get("message").startswith("seed003_q2_expression.key.yaml:1: values: got a number")


def test_update_round_trip_keeps_quantities_precision_and_comments(folder: Path) -> None:
    drifted = PARTIAL.replace("0.3589", "0.3600").replace("0.291028", "0.300000").replace("0.751", "0.7")
    key = folder / "mazur.key.yaml"
    key.write_text(drifted, encoding="utf-8")
    problem_bytes = (folder / "mazur.yaml").read_bytes()
    assert run("check", ".").exit_code == 1
    result = run("check", "--update", ".")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "unchanged batch_two_samples.key.yaml", "updated mazur.key.yaml", "  w5+: 0.3600 -> 0.3589",
        "  E_total+: 0.300000 -> 0.291028", "  out_o1: 0.7 -> 0.7513650695523157",
        "unchanged seed003_q2_expression.key.yaml", "1 updated, 2 unchanged"]
    assert key.read_text(encoding="utf-8") == PARTIAL.replace("value: 0.751", "value: 0.7513650695523157")
    before, after = parse_key(drifted, "k"), parse_key(key.read_text(encoding="utf-8"), "k")
    assert [(e.name, e.tolerance) for e in before.entries] == [(e.name, e.tolerance) for e in after.entries]
    assert (folder / "mazur.yaml").read_bytes() == problem_bytes
    assert run("check", ".").exit_code == 0
    assert not list(folder.glob(".*.tmp"))


def test_update_of_a_full_key_restores_the_generated_one(folder: Path) -> None:
    key = folder / "batch_two_samples.key.yaml"
    fresh = key.read_text(encoding="utf-8")
    replace_line(key, "  dL/dw1:", "  dL/dw1: 1.0")
    replace_line(key, "  L+[2]:", "  L+[2]: 1.0")
    result = run("check", "--update", "batch_two_samples.yaml")
    assert result.exit_code == 0
    assert "  dL/dw1: 1.0 -> " in result.stdout and "  L+[2]: 1.0 -> " in result.stdout
    assert key.read_text(encoding="utf-8") == fresh


def test_update_never_writes_a_key_it_cannot_edit_in_place(folder: Path) -> None:
    key = folder / "mazur.key.yaml"
    key.write_text("values:\n  w5+:\n    0.4\n", encoding="utf-8")
    result = run("check", "--update", "mazur.yaml")
    assert result.exit_code == 3
    assert result.stderr == ("Error: mazur.key.yaml:2: values.w5+: cannot rewrite this value in place (expected "
                             "name: number, or {value: number, …}, with the number on the line of its name)\n")
    assert key.read_text(encoding="utf-8") == "values:\n  w5+:\n    0.4\n"


def test_update_reports_invalid_keys_and_leaves_them(folder: Path) -> None:
    (folder / "mazur.key.yaml").write_text("values:\n  w5: 0.4\n", encoding="utf-8")
    result = run("check", "--update", ".")
    assert result.exit_code == 3
    assert result.stdout.splitlines()[-1] == "0 updated, 2 unchanged, 1 invalid"
    assert (folder / "mazur.key.yaml").read_text(encoding="utf-8") == "values:\n  w5: 0.4\n"


def test_cli_import_stays_cheap() -> None:
    code = "import sys, backprop_cli.cli; print(sorted(m for m in ('numpy', 'yaml', 'backprop_cli.keys.keyfile', " \
           "'backprop_cli.keys.check', 'xml.etree.ElementTree') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("path", problem_files(), ids=lambda p: p.stem)
def test_every_numeric_problem_file_has_a_passing_key(path: Path, in_root: Path) -> None:
    from backprop_cli.load.document import load_problem

    rel = path.relative_to(ROOT)
    if not load_problem(rel).numeric:
        pytest.skip("a symbolic problem has no numbers to key")
    assert path.with_name(path.stem + ".key.yaml").exists(), f"no key: run backprop key {rel}"
    result = run("check", str(rel))
    assert result.exit_code == 0, result.output
