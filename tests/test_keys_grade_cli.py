"""backprop grade and backprop sheet at the command line: the report in every format, a class, CSV,
Gradescope's results.json, exit codes, and errors that point at the answers file's line."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from backprop_cli.engine import solve
from backprop_cli.errors import ExitCode
from backprop_cli.keys.answers import read_answers
from backprop_cli.keys.keyfile import quantities
from backprop_cli.load.document import load_problem

from helpers import GOLDEN, check_golden, invoke
from problem_files import ROOT

SCHEMA = json.loads((ROOT / "backprop_cli" / "schemas" / "grade.schema.json").read_text(encoding="utf-8"))
SEEDS = {"seed000": "seed000_two_path", "seed001": "seed001_leaky_softmax", "seed002": "seed002_sigmoid_222",
         "seed003_q1": "seed003_q1_sparse"}


def args(answers: str) -> list[str]:
    return [f"problems/{SEEDS[answers]}.yaml", f"problems/answers/{answers}.answers.yaml"]


@pytest.mark.parametrize("fmt,suffix", [("text", "txt"), ("markdown", "md"), ("json", "json")])
@pytest.mark.parametrize("answers", list(SEEDS))
def test_golden_reports(in_root, answers: str, fmt: str, suffix: str) -> None:
    result = invoke("grade", *args(answers), "--format", fmt, "--width", "100")
    assert result.exit_code == ExitCode.CHECK_FAILED  # every seed goes wrong somewhere
    assert result.stderr == ""
    check_golden(GOLDEN / "grade" / f"{answers}.{suffix}", result.stdout)


@pytest.mark.parametrize("answers", list(SEEDS))
def test_json_report_follows_its_schema(in_root, answers: str) -> None:
    doc = json.loads(invoke("grade", *args(answers), "--format", "json").stdout)
    jsonschema.validate(doc, SCHEMA)
    names = list(quantities(solve(load_problem(f"problems/{SEEDS[answers]}.yaml"))))
    listed = [q["name"] for q in doc["quantities"]]
    assert listed == sorted(listed, key=names.index)  # solution order
    verdicts = [q["verdict"] for q in doc["quantities"]]
    assert doc["counts"] == {v: verdicts.count(v) for v in ("correct", "carried", "wrong")}
    wrong = [q for q in doc["quantities"] if q["verdict"] == "wrong"]
    assert doc["first_wrong"] == wrong[0]["name"]
    assert all(q["mistake"] and q["working"] for q in wrong)
    assert all(q["mistake"] is None for q in doc["quantities"] if q["verdict"] != "wrong")


def test_the_decimals_are_the_ones_written(in_root) -> None:
    doc = json.loads(invoke("grade", *args("seed001"), "--format", "json").stdout)
    by_name = {q["name"]: q for q in doc["quantities"]}
    assert (by_name["h1"]["written"], by_name["h1"]["decimals"]) == ("-0.5", 1)
    assert (by_name["dL/dz1_1"]["written"], by_name["dL/dz1_1"]["decimals"]) == ("0.0470946", 7)


def test_a_sheet_without_mistakes_exits_0(tmp_path: Path, in_root) -> None:
    sheet = tmp_path / "good.answers.yaml"
    sheet.write_text("answers:\n  net_h1: 0.3775\n  out_h1: 0.5933\n  dE_total/dw5: 0.0822\n", encoding="utf-8")
    result = invoke("grade", "problems/mazur.yaml", str(sheet))
    assert result.exit_code == ExitCode.OK
    assert "3 correct, 0 carried, 0 wrong; nothing is wrong" in result.stdout
    assert "first wrong step" not in result.stdout.split("3. Summary")[0]


@pytest.mark.parametrize("answers,message", [
    ("answers:\n  out_h1: 0.5933\n  dL/dw5: 0.0822\n",
     "Error: {f}:3: answers.dL/dw5: problems/mazur.yaml has no quantity 'dL/dw5' (expected a quantity of the "
     "problem such as net_h1, dE_total/dw8, w1+ (backprop key writes all)). Did you mean 'dE_total/dw5'?\n"),
    ("answers:\n  out_h1: abc\n",
     "Error: {f}:2: answers.out_h1: got 'abc' (expected a number as you wrote it, e.g. 0.2554, or nothing to "
     "leave it unanswered)\n"),
    ("answer:\n  out_h1: 0.5933\n",
     "Error: {f}:1: answer: unknown key 'answer' (expected one of: answers, student). Did you mean 'answers'?\n"),
    ("- 0.5933\n", "Error: {f}:1: the answers file holds a list (expected a mapping with answers: and optionally "
                   "student:)\n"),
    ("answers:\n  out_h1: 0.59\n  out_h1: 0.5933\n",
     "Error: {f}:3: answers.out_h1: duplicate key 'out_h1', first given on line 2 (expected each key once)\n"),
])
def test_an_invalid_answers_file_is_one_line_with_its_line_and_exit_3(tmp_path: Path, in_root, answers: str,
                                                                        message: str) -> None:
    sheet = tmp_path / "bad.answers.yaml"
    sheet.write_text(answers, encoding="utf-8")
    result = invoke("grade", "problems/mazur.yaml", str(sheet))
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert (result.stdout, result.stderr) == ("", message.format(f=sheet))


def test_a_missing_answers_file_says_so(in_root) -> None:
    result = invoke("grade", "problems/mazur.yaml", "no/such.answers.yaml")
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert result.stderr == ("Error: no/such.answers.yaml: no such file (expected an existing answers file "
                             "(backprop sheet PROBLEM writes a blank one))\n")


def test_a_step_the_students_numbers_give_no_value_is_wrong_not_an_error(tmp_path: Path, in_root) -> None:
    """z1² = 1.2 makes log(1 − z1²) in the loss undefined: that step is wrong, the sheet is still graded."""
    sheet = tmp_path / "s.answers.yaml"
    sheet.write_text("answers:\n  z1_2: 1.2\n  L_z1_2: 0.3\n  L: 0.125269\n", encoding="utf-8")
    result = invoke("grade", "problems/seed001_leaky_softmax.yaml", str(sheet), "--format", "json")
    assert result.exit_code == ExitCode.CHECK_FAILED
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    term = doc["quantities"][1]
    assert (term["name"], term["verdict"], term["own"]) == ("L_z1_2", "wrong", None)
    assert term["mistake"]["explanation"] == ("your earlier numbers give L_z1_2 no value: prediction above 1 where "
                                              "a log would be taken (value 1.2)")
    assert doc["quantities"][2]["verdict"] == "correct"


def test_a_symbolic_problem_has_nothing_to_grade(tmp_path: Path, in_root) -> None:
    sheet = tmp_path / "s.answers.yaml"
    sheet.write_text("answers:\n  a1: 0.5\n", encoding="utf-8")
    result = invoke("grade", "problems/seed004_symbolic.yaml", str(sheet))
    assert result.exit_code == ExitCode.INVALID_INPUT
    assert "seed004_symbolic.yaml is symbolic: it has no numbers to grade" in result.stderr


@pytest.fixture
def answers_dir(tmp_path: Path) -> Path:
    for name in SEEDS:
        shutil.copy(ROOT / "problems" / "answers" / f"{name}.answers.yaml", tmp_path)
    return tmp_path


def class_of(folder: Path, *extra: str) -> list[str]:
    """seed 002 graded twice (two students of one class) and extra answers files."""
    first = folder / "ada.answers.yaml"
    second = folder / "ben.answers.yaml"
    text = (folder / "seed002.answers.yaml").read_text(encoding="utf-8")
    first.write_text(text.replace("student: seed 002", "student: Ada"), encoding="utf-8")
    second.write_text(text.replace("student: seed 002", "student: Ben").replace("a1: 0.593", "a1: 0.594")
                      .replace("a2: 0.597", "a2: 0.596"), encoding="utf-8")
    return ["problems/seed002_sigmoid_222.yaml", str(first), str(second), *extra]


def test_a_class_gets_a_row_per_student_and_a_csv(answers_dir: Path, in_root) -> None:
    out = answers_dir / "class.csv"
    result = invoke("grade", *class_of(answers_dir), "--csv", str(out), "--width", "100")
    assert result.exit_code == ExitCode.CHECK_FAILED
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.startswith(("Ada", "Ben"))}
    assert rows["Ada"][1:5] == ["a1", "13", "0", "5"] and rows["Ben"][1:5] == ["J2", "15", "0", "3"]
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(r["student"], r["first_wrong"], r["a1"], r["w1+"]) for r in table] == [
        ("Ada", "a1", "wrong", "wrong"), ("Ben", "J2", "correct", "wrong")]
    assert list(table[0])[:6] == ["student", "file", "correct", "carried", "wrong", "first_wrong"]


def test_a_class_in_json_follows_the_schema_and_lists_the_unreadable(answers_dir: Path, in_root) -> None:
    bad = answers_dir / "bad.answers.yaml"
    bad.write_text("answers:\n  a9: 1\n", encoding="utf-8")
    result = invoke("grade", *class_of(answers_dir, str(bad)), "--format", "json")
    assert result.exit_code == ExitCode.INVALID_INPUT  # an invalid file outranks a wrong step, as in check
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, SCHEMA)
    assert [s["answers"]["student"] for s in doc["students"]] == ["Ada", "Ben"]
    assert doc["invalid"][0]["file"] == str(bad) and "has no quantity 'a9'" in doc["invalid"][0]["error"]
    assert result.stderr.startswith(f"Error: {bad}:2: answers.a9:")


def test_gradescope_results_one_test_per_asked_quantity(answers_dir: Path, in_root) -> None:
    out = answers_dir / "results.json"
    result = invoke("grade", *args("seed002"), "--gradescope", str(out))
    assert result.exit_code == ExitCode.CHECK_FAILED
    doc = json.loads(out.read_text(encoding="utf-8"))
    key = read_answers_names(ROOT / "problems" / "seed002_sigmoid_222.key.yaml")
    assert [t["name"] for t in doc["tests"]] == key  # the key lists what the homework asks
    assert [t["number"] for t in doc["tests"]] == [str(k) for k in range(1, len(key) + 1)]
    by_name = {t["name"]: t for t in doc["tests"]}
    assert by_name["a1"]["score"] == 0.0 and by_name["a1"]["status"] == "failed"
    assert by_name["z1"] == {"name": "z1", "number": "1", "score": 1.0, "max_score": 1.0, "status": "passed",
                             "output": "you wrote 0.3825: correct"}
    assert by_name["dJ/dx1"]["output"] == "not answered"
    assert doc["score"] == sum(t["score"] for t in doc["tests"]) == 13.0
    assert doc["output"] == "13 correct, 0 carried, 5 wrong; the first wrong step is a1"


def read_answers_names(key: Path) -> list[str]:
    """The quantity names of a key file, in order (read here as plain lines)."""
    lines = key.read_text(encoding="utf-8").split("values:\n", 1)[1].splitlines()
    return [line.split(":")[0].strip() for line in lines if line.strip()]


def test_gradescope_scores_carried_values_unless_no_carry(answers_dir: Path, in_root) -> None:
    scores = {}
    for flag in ([], ["--no-carry"]):
        out = answers_dir / "results.json"
        invoke("grade", *args("seed000"), "--gradescope", str(out), *flag)
        scores[bool(flag)] = {t["name"]: t["score"] for t in json.loads(out.read_text(encoding="utf-8"))["tests"]}
    assert scores[False]["yhat"] == 1.0 and scores[True]["yhat"] == 0.0  # yhat is carried from the wrong s3
    assert {k: v for k, v in scores[False].items() if k != "yhat"} == {k: v for k, v in scores[True].items()
                                                                         if k != "yhat"}


def test_gradescope_grades_one_submission(answers_dir: Path, in_root) -> None:
    result = invoke("grade", *class_of(answers_dir), "--gradescope", str(answers_dir / "r.json"))
    assert result.exit_code == ExitCode.USAGE
    assert "--gradescope grades one submission" in result.stderr


def test_output_file_format_follows_its_suffix_and_never_replaces_an_input(tmp_path: Path, in_root) -> None:
    out = tmp_path / "report.md"
    assert invoke("grade", *args("seed000"), "-o", str(out)).exit_code == ExitCode.CHECK_FAILED
    assert out.read_text(encoding="utf-8").startswith("# Two sigmoid neurons")
    answers = tmp_path / "mine.answers.yaml"
    shutil.copy(ROOT / "problems" / "answers" / "seed000.answers.yaml", answers)
    result = invoke("grade", "problems/seed000_two_path.yaml", str(answers), "-o", str(answers))
    assert result.exit_code == ExitCode.USAGE and "refusing to overwrite the input file" in result.stderr


def test_sheet_lists_every_quantity_with_its_formula(in_root) -> None:
    result = invoke("sheet", "problems/mazur.yaml")
    assert result.exit_code == ExitCode.OK
    lines = result.stdout.splitlines()
    names = list(quantities(solve(load_problem("problems/mazur.yaml"))))
    listed = [line.split(":")[0].strip() for line in lines[lines.index("answers:") + 1:]]
    assert listed == names
    assert "  dE_total/dnet_o1:  # ∂E_total/∂net_o1 = ∂E_total/∂out_o1·out_o1·(1 − out_o1)" in lines
    assert "  w5+:               # w5 after the update = w5 − 0.5·∂E_total/∂w5" in lines
    assert "  b1+:               # b1 after the update (frozen) = b1" in lines


def test_a_blank_sheet_reads_back_and_grades_as_nothing_answered(tmp_path: Path, in_root) -> None:
    blank = tmp_path / "q.answers.yaml"
    assert invoke("sheet", "problems/mazur.yaml", "-o", str(blank)).exit_code == ExitCode.OK
    assert read_answers(blank).answers == ()
    result = invoke("grade", "problems/mazur.yaml", str(blank))
    assert result.exit_code == ExitCode.OK and "no quantity answered" in result.stdout


def test_a_filled_in_sheet_is_graded(tmp_path: Path, in_root) -> None:
    sheet = tmp_path / "q.answers.yaml"
    invoke("sheet", "problems/mazur.yaml", "-o", str(sheet))
    text = sheet.read_text(encoding="utf-8").replace("  out_h1:  ", "  out_h1: 0.5933").replace(
        "  E_total:  ", "  E_total: 0.2984").replace("student:", "student: Ada")
    sheet.write_text(text, encoding="utf-8")
    doc = json.loads(invoke("grade", "problems/mazur.yaml", str(sheet), "--format", "json").stdout)
    assert doc["answers"]["student"] == "Ada"
    assert [(q["name"], q["verdict"]) for q in doc["quantities"]] == [("out_h1", "correct"), ("E_total", "correct")]


def test_every_math_snippet_of_a_report_parses_in_katex(in_root) -> None:
    from test_render_katex import katex, markdown_snippets, node_or_skip

    node = node_or_skip()
    snippets = [s for answers in SEEDS for s in markdown_snippets(invoke("grade", *args(answers), "--format",
                                                                          "markdown").stdout)]
    result = katex(node, snippets)
    assert result["checked"] == len(snippets) >= len(SEEDS)
    assert not result["failures"], result["failures"]


def test_the_readme_example_is_real(in_root) -> None:
    """The README's grading example is what backprop grade prints (UPDATE_GOLDEN=1 refreshes it)."""
    import os
    import re

    readme = ROOT / "README.md"
    result = invoke("grade", *args("seed000"), "--width", "100")
    expected = "\n".join(line.rstrip() for line in result.stdout.splitlines()) + "\n"
    text = readme.read_text(encoding="utf-8")
    m = re.search(r"(<!-- grade-example:start -->\n```text\n)(.*?)(```\n<!-- grade-example:end -->)", text, re.S)
    assert m, "README has no grade-example block"
    if os.environ.get("UPDATE_GOLDEN"):
        readme.write_text(text.replace(m.group(0), m.group(1) + expected + m.group(3)), encoding="utf-8")
    else:
        assert m.group(2) == expected
