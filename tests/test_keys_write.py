"""backprop key: what a generated key holds, how it is named and written, and how key files are read."""
from __future__ import annotations

from pathlib import Path

import pytest

from backprop_cli.engine import solve
from backprop_cli.errors import ProblemError
from backprop_cli.keys.keyfile import Tolerance, parse_key, quantities
from backprop_cli.keys.names import is_key_file, key_path, problem_path
from backprop_cli.load.document import load_problem

from helpers import invoke as run
from problem_files import ROOT, problem_files

PROBLEMS = problem_files()


@pytest.fixture
def folder(scratch) -> Path:
    """A copy of three problems: one sample, a batch, an expression; and the symbolic one."""
    return scratch("mazur", "batch_two_samples", "seed003_q2_expression", "seed004_symbolic")


def test_key_writes_beside_the_problem_and_never_touches_it(folder: Path) -> None:
    problem = folder / "mazur.yaml"
    before = problem.read_bytes()
    result = run("key", str(problem))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {folder / 'mazur.key.yaml'} (44 quantities)\n"
    assert problem.read_bytes() == before
    assert (folder / "mazur.key.yaml").exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["mazur.yaml", "mazur.key.yaml", "batch_two_samples.yaml", "seed003_q2_expression.yaml",
         "seed004_symbolic.yaml"])  # no temporary file left behind


def test_key_holds_every_quantity_at_full_precision(folder: Path) -> None:
    run("key", str(folder / "mazur.yaml"))
    text = (folder / "mazur.key.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Answer key for mazur.yaml")
    assert "backprop key" in text.splitlines()[1] and "backprop check --update" in text
    key = parse_key(text, "mazur.key.yaml")
    expected = quantities(solve(load_problem(folder / "mazur.yaml")))
    assert {e.name: e.expected for e in key.entries} == expected  # repr round-trips exactly
    assert [e.name for e in key.entries] == list(expected)  # the solution's order
    for name in ("net_h1", "out_h1", "E_o1", "E_total", "dE_total/dE_o1", "dE_total/dout_o1", "dE_total/dnet_h1",
                 "dE_total/di1", "dE_total/dw5", "w5+", "b1+", "E_total+"):
        assert name in expected
    assert expected["dE_total/dw5"] == 0.08216704056423078
    assert expected["w5+"] == 0.35891647971788465
    assert expected["E_total+"] == 0.29102777369359933
    assert expected["b1+"] == 0.35  # frozen
    values = [line for line in text.splitlines() if line.startswith("  ")]
    assert len(values) == len(expected)  # one quantity per line


def test_batch_names_index_samples_from_one() -> None:
    q = quantities(solve(load_problem(ROOT / "problems" / "batch_two_samples.yaml")))
    assert q["L"] == pytest.approx((q["L[1]"] + q["L[2]"]) / 2)  # the batch loss: mean over samples
    assert {"z_h1[1]", "z_h1[2]", "dL/dz_p[1]", "dL/dz_p[2]", "dL/dx1[2]", "dL/dw1", "u+", "L+", "L+[1]",
            "L+[2]"} <= set(q)
    assert "dL/dw1[1]" not in q and "z_h1" not in q  # a parameter has one gradient; a node one value a sample
    assert q["L+"] == pytest.approx((q["L+[1]"] + q["L+[2]"]) / 2)


def test_expression_names_use_the_output() -> None:
    q = quantities(solve(load_problem(ROOT / "problems" / "seed003_q2_expression.yaml")))
    assert list(q) == ["t1", "t2", "t3", "f", "df/dt2", "df/dt1", "df/dt3", "df/dx1", "df/dx2"]


@pytest.mark.parametrize("path", PROBLEMS, ids=lambda p: p.stem)
def test_quantity_names_never_collide_with_node_names(path: Path) -> None:
    problem = load_problem(path)
    names = set(quantities(solve(problem)))
    nodes = {n.name for n in problem.nodes} | set(problem.inputs) | set(problem.targets) | set(problem.params)
    plain = {n for n in names if not any(c in n for c in "/+[@")}
    assert plain <= nodes  # the only unmarked names are the nodes' own


def test_rerun_is_unchanged_and_a_differing_key_is_kept_without_force(folder: Path) -> None:
    problem, key = folder / "mazur.yaml", folder / "mazur.key.yaml"
    run("key", str(problem))
    again = run("key", str(problem), str(key))  # a key file among the arguments is skipped
    assert again.exit_code == 0 and again.stdout == f"unchanged {key}\n"
    key.write_text("values:\n  w5+: 0.3589\n", encoding="utf-8")
    refused = run("key", str(problem))
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"Error: {key}: the key exists and differs")
    assert key.read_text(encoding="utf-8") == "values:\n  w5+: 0.3589\n"
    forced = run("key", "--force", str(problem))
    assert forced.exit_code == 0 and key.read_text(encoding="utf-8").startswith("# Answer key")


def test_symbolic_problem_is_skipped_and_an_invalid_one_reported(folder: Path) -> None:
    (folder / "broken.yaml").write_text("title: x\nloss: {type: squared_error}\ninputs: {x: 1}\n", encoding="utf-8")
    result = run("key", *(str(folder / f) for f in ("seed004_symbolic.yaml", "broken.yaml", "mazur.yaml")))
    assert result.exit_code == 3
    assert f"skipped {folder / 'seed004_symbolic.yaml'}: a symbolic problem has no numbers to key" in result.stderr
    assert f"Error: {folder / 'broken.yaml'}:" in result.stderr
    assert not (folder / "seed004_symbolic.key.yaml").exists() and not (folder / "broken.key.yaml").exists()
    assert (folder / "mazur.key.yaml").exists()  # the others are still keyed


def test_key_paths() -> None:
    assert key_path("problems/q1.yaml") == Path("problems/q1.key.yaml")
    assert problem_path("problems/q1.key.yaml") == Path("problems/q1.yaml")
    assert is_key_file("q1.key.yaml") and is_key_file("q1.key.yml") and not is_key_file("q1.yaml")


BAD_KEYS = [
    ("- 1\n", "k.yaml:1: the key holds a list (expected a mapping with values: and optionally decimals, tol or rel)"),
    ("decimal: 4\nvalues: {a: 1}\n",
     "k.yaml:1: decimal: unknown key 'decimal' (expected one of: decimals, rel, tol, values). "
     "Did you mean 'decimals'?"),
    ("decimals: 4\n", "k.yaml:1: values: missing required key (expected 'values' in the top level)"),
    ("values: {}\n", "k.yaml:1: values: no quantities (expected at least one quantity, e.g. dL/dw5: 0.0822)"),
    ("values:\n  a: x\n", "k.yaml:2: values.a: got 'x' (expected a finite number, or {value: number, decimals: N})"),
    ("values:\n  a: .nan\n",
     "k.yaml:2: values.a: got nan (expected a finite number, or {value: number, decimals: N})"),
    ("values:\n  a: {decimals: 2}\n", "k.yaml:2: values.a.value: missing required key (expected 'value' in values.a)"),
    ("values:\n  a: {value: 1, decimal: 2}\n",
     "k.yaml:2: values.a.decimal: unknown key 'decimal' (expected one of: decimals, rel, tol, value). "
     "Did you mean 'decimals'?"),
    ("decimals: 2.5\nvalues: {a: 1}\n", "k.yaml:1: decimals: got 2.5 (expected a whole number from 0 to 15)"),
    ("decimals: 16\nvalues: {a: 1}\n", "k.yaml:1: decimals: got 16 (expected a whole number from 0 to 15)"),
    ("tol: -1\nvalues: {a: 1}\n", "k.yaml:1: tol: negative tol -1.0 (expected a tolerance of 0 or more)"),
    ("values:\n  a: {value: 1, decimals: 2, tol: 0.1}\n",
     "k.yaml:2: values.a.decimals: decimals given together with tol or rel (expected either decimals: N or a "
     "tolerance tol/rel)"),
]


@pytest.mark.parametrize("text,message", BAD_KEYS)
def test_bad_key_files_point_at_their_line(text: str, message: str) -> None:
    with pytest.raises(ProblemError) as info:
        parse_key(text, "k.yaml")
    assert str(info.value) == message


def test_a_quantity_given_twice_is_an_error() -> None:
    with pytest.raises(ProblemError) as info:
        parse_key("values:\n  a: 1\n  a: 2\n", "k.yaml")
    assert str(info.value).startswith("k.yaml:3: ") and "duplicate key" in str(info.value)


def test_precision_is_read_at_the_top_and_per_quantity() -> None:
    key = parse_key("decimals: 4\nvalues:\n  a: 0.0822\n  b: {value: 1.5, tol: 0.01}\n  c:\n    rel: 1e-6\n"
                    "    value: 2\n  d: {value: 3}\n", "k.yaml")
    tol = {e.name: e.tolerance for e in key.entries}
    assert tol == {"a": Tolerance(decimals=4), "b": Tolerance(tol=0.01), "c": Tolerance(rel=1e-6),
                   "d": Tolerance(decimals=4)}
    assert [e.origin.line for e in key.entries] == [3, 4, 7, 8]  # the line of each value


@pytest.mark.parametrize("written,decimals,computed,ok", [
    (0.0822, 4, 0.08216704056423078, True),
    (0.0823, 4, 0.08216704056423078, False),  # off by one in the last decimal
    (0.0821, 4, 0.08216704056423078, False),
    (0.0822, 4, 0.08225, True),  # half-way: either rounding is accepted
    (0.0823, 4, 0.08225, True),
    (2.67, 2, 2.675, True),  # 2.675 is 2.67499999… in binary; a key rounded half-up still passes
    (2.68, 2, 2.675, True),
    (2.66, 2, 2.675, False),
    (2.68, 2, 2.6749, False),
    (0.0, 3, -0.0004, True),
    (-0.001, 3, -0.0004, False),
    (3, 0, 2.5, True),
    (1.5, 0, 1.6, True),  # more digits than decimals: still within half a unit of the last place
])
def test_rounding_rule(written: float, decimals: int, computed: float, ok: bool) -> None:
    assert Tolerance(decimals=decimals).allows(written, computed) is ok


def test_default_and_explicit_tolerances() -> None:
    from backprop_cli.keys.keyfile import DEFAULT_TOLERANCE as d

    assert d.allows(0.3, 0.3 * (1 + 1e-10)) and not d.allows(0.3, 0.3 * (1 + 1e-8))
    assert d.allows(0.0, 1e-13) and not d.allows(0.0, 1e-11)
    assert Tolerance(tol=0.01).allows(1.0, 1.009) and not Tolerance(tol=0.01).allows(1.0, 1.011)
    assert Tolerance(decimals=4).format(-0.00001) == "0.0000" and Tolerance(decimals=2).format(2.675) == "2.67"
    assert d.format(0.1) == "0.1"
