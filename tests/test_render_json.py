"""The JSON export: golden files, the schema, exact numbers, names, key order and no nan."""
from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import jsonschema
import pytest

from backprop_cli.engine import solve
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.render import json as json_out
from backprop_cli.solution import (
    FinalStep,
    ForwardStep,
    GradStep,
    HistoryStep,
    LossAfterStep,
    LossStep,
    ShownStep,
    UpdateStep,
)

from helpers import GOLDEN, check_golden
from problem_files import BATCH, problem_files

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = [p.stem for p in problem_files()]
SCHEMA = json.loads((ROOT / "backprop_cli" / "schemas" / "solution.schema.json").read_text(encoding="utf-8"))


def solved(name: str, monkeypatch):
    """The solution of problems/<name>.yaml, loaded by its relative path as the CLI would."""
    monkeypatch.chdir(ROOT)
    return solve(load_problem(f"problems/{name}.yaml"))


def all_solutions(monkeypatch) -> list:
    return [solved(name, monkeypatch) for name in PROBLEMS] + [solve(load_problem_text(BATCH, "batch.yaml"))]


@pytest.mark.parametrize("name", PROBLEMS)
def test_golden(name, monkeypatch):
    check_golden(GOLDEN / f"{name}.json", json_out.render(solved(name, monkeypatch)))


def test_schema_is_valid():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("name", [*PROBLEMS, "<batch>"])
def test_output_matches_the_schema(name, monkeypatch):
    sol = solve(load_problem_text(BATCH, "batch.yaml")) if name == "<batch>" else solved(name, monkeypatch)
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(json_out.render(sol)))


def singles(sol, doc: dict) -> list:
    """(document, solution) of each single step: the whole, or each step a trained problem works in full."""
    shown = sol.of(ShownStep)
    if not shown:
        return [(doc, sol)]
    history, final = sol.of(HistoryStep)[0], sol.of(FinalStep)[0]
    assert doc["history"]["losses"] == list(history.losses) and doc["final"]["params"] == sol.new_params
    assert doc["final"]["loss"] == final.loss == history.losses[-1] == sol.loss_after
    return [(d, s.solution) for d, s in zip(doc["steps"], shown, strict=True)]


def test_numbers_are_the_engines_exactly(monkeypatch):
    for whole in all_solutions(monkeypatch):
        for doc, sol in singles(whole, json.loads(json_out.render(whole))):
            numbers_are_the_engines(doc, sol)


def numbers_are_the_engines(doc: dict, sol) -> None:
    """One step's document holds the engine's numbers, exactly."""
    forward = {f["node"]: f["values"] for f in doc["forward"]}
    assert forward == {s.node: list(s.values) for s in sol.of(ForwardStep)}
    losses = [*doc["loss"]["terms"], *([doc["loss"]["per_sample"]] if doc["loss"]["per_sample"] else [])]
    assert {t["node"]: t["values"] for t in losses} == {s.node: list(s.values) for s in sol.of(LossStep)}
    assert doc["loss"]["total"] == sol.loss
    for item, step in zip(doc["backward"], sol.of(GradStep), strict=True):
        assert (item["node"], item["values"], item["total"]) == (step.node, list(step.values), step.total)
        for t, term in zip(item["terms"], step.terms, strict=True):
            assert (t["via"], t["local_values"], t["upstream"], t["contribution"]) == \
                (term.via, list(term.local_values), list(term.upstream), list(term.contribution))
    for group in doc["gradients"].values():
        for name, values in group.items():
            assert values == list(sol.grads.get(name, ()))
    assert doc["updated_params"] == sol.new_params
    assert [u["new"] for u in doc["update"]] == [s.new for s in sol.of(UpdateStep)]
    after = sol.of(LossAfterStep)
    assert (doc["loss_after"] or {}).get("after") == (after[0].after if after else None) == sol.loss_after


def test_mazur_reproduces_the_published_digits(monkeypatch):
    doc = json.loads(json_out.render(solved("mazur", monkeypatch)))
    assert round(doc["loss"]["total"], 9) == 0.298371109
    assert round(doc["updated_params"]["w5"], 8) == 0.35891648
    assert round(doc["loss_after"]["after"], 9) == 0.291027774


def test_names_are_the_problem_files(monkeypatch):
    sol = solved("seed001_leaky_softmax", monkeypatch)
    doc = json.loads(json_out.render(sol))
    p = sol.problem
    assert list(doc["given"]["params"]) == list(p.params) == list(doc["updated_params"])
    assert list(doc["given"]["inputs"]) == list(p.inputs)
    assert [f["node"] for f in doc["forward"]] == [n.name for n in p.nodes if n.role not in ("loss_term", "loss")]
    assert doc["problem"]["file"] == "problems/seed001_leaky_softmax.yaml"


def test_key_order_is_fixed(monkeypatch):
    sol = solved("mazur", monkeypatch)
    text = json_out.render(sol)
    assert text == json_out.render(sol)
    assert list(json.loads(text)) == ["schema_version", "problem", "given", "forward", "loss", "backward", "gradients",
                                      "update", "updated_params", "loss_after"]


def test_full_precision(monkeypatch):
    sol = solved("mazur", monkeypatch)
    text = json_out.render(sol, precision=2)
    assert repr(sol.loss) in text and json.loads(text)["loss"]["total"] == sol.loss


def test_no_nan_or_inf_is_ever_written(monkeypatch):
    sol = solved("mazur", monkeypatch)
    for bad in (math.nan, math.inf, -math.inf):
        steps = tuple(dataclasses.replace(s, after=bad) if isinstance(s, LossAfterStep) else s for s in sol.steps)
        with pytest.raises(ValueError):
            json_out.render(dataclasses.replace(sol, steps=steps))
