"""solve --round N: every intermediate rounded half away from zero and carried on, as hand work does;
the engine's hook that does it; and the step API that evaluates one step from given values."""
from __future__ import annotations

import math
from decimal import Decimal

import pytest

from backprop_cli.engine import (
    consumers,
    evaluate_at,
    gradient_at,
    loss_seed,
    round_half_away,
    solve,
    solve_with,
    update_at,
)
from backprop_cli.keys.keyfile import quantities
from backprop_cli.load.document import load_problem, load_problem_text
from backprop_cli.solution import GradStep

from helpers import invoke
from problem_files import BATCH, ROOT, problem_files

# --round works on one step of plain gradient descent; trained problems are training.py's
NUMERIC = [p for p in problem_files() if load_problem(p).numeric
           and (load_problem(p).training is None or load_problem(p).training.plain)]


@pytest.mark.parametrize("value,decimals,rounded", [
    (2.675, 2, 2.68),  # the float is 2.67499999…; the hand sees 2.675 and rounds up
    (0.125, 2, 0.13), (-0.125, 2, -0.13), (1.0005, 3, 1.001), (0.59327, 3, 0.593), (-0.21707, 4, -0.2171),
    (0.00004, 4, 0.0), (123.456, 0, 123.0), (0.5, 0, 1.0), (-0.5, 0, -1.0),
    (0.25 * 0.05 + 0.3 * 0.1 + 0.35, 3, 0.393),  # 0.39249999999999996 in float64; 0.3925 by hand
])
def test_round_half_away_from_zero(value: float, decimals: int, rounded: float) -> None:
    assert round_half_away(value, decimals) == rounded


def test_rounding_to_zero_never_gives_minus_zero() -> None:
    assert math.copysign(1.0, round_half_away(-0.00004, 4)) == 1.0


def test_numbers_beyond_every_decimal_place_are_left_alone() -> None:
    assert round_half_away(1e300, 4) == 1e300


def places(value: float) -> int:
    """How many decimals a float has as written (repr)."""
    exponent = Decimal(repr(value)).as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


@pytest.mark.parametrize("path", NUMERIC, ids=lambda p: p.stem)
@pytest.mark.parametrize("decimals", [2, 4])
def test_every_quantity_of_a_rounded_solution_has_at_most_n_decimals(path, decimals: int) -> None:
    sol = solve(load_problem(path), round_to=decimals)
    for name, value in quantities(sol).items():
        assert places(value) <= decimals, name
    for step in sol.of(GradStep):
        for term in step.terms:
            assert all(places(v) <= decimals for v in (*term.local_values, *term.contribution)), step.node


def r4(x: float) -> float:
    """Half away from zero to 4 decimals, written here independently of the engine (float noise read away)."""
    return float(Decimal(f"{x:.15g}").quantize(Decimal("0.0001"), rounding="ROUND_HALF_UP"))


def sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def mazur_by_hand() -> dict[str, float]:
    """Mazur's example as a careful student with a 4-decimal calculator works it: round, write, reuse."""
    x, t = (0.05, 0.10), (0.01, 0.99)
    w = dict(w1=0.15, w2=0.20, w3=0.25, w4=0.30, w5=0.40, w6=0.45, w7=0.50, w8=0.55)
    b1, b2 = 0.35, 0.60
    v: dict[str, float] = {}
    v["net_h1"] = r4(w["w1"] * x[0] + w["w2"] * x[1] + b1)
    v["out_h1"] = r4(sig(v["net_h1"]))
    v["net_h2"] = r4(w["w3"] * x[0] + w["w4"] * x[1] + b1)
    v["out_h2"] = r4(sig(v["net_h2"]))
    v["net_o1"] = r4(w["w5"] * v["out_h1"] + w["w6"] * v["out_h2"] + b2)
    v["out_o1"] = r4(sig(v["net_o1"]))
    v["net_o2"] = r4(w["w7"] * v["out_h1"] + w["w8"] * v["out_h2"] + b2)
    v["out_o2"] = r4(sig(v["net_o2"]))
    v["E_o1"] = r4(0.5 * (v["out_o1"] - t[0]) ** 2)
    v["E_o2"] = r4(0.5 * (v["out_o2"] - t[1]) ** 2)
    v["E_total"] = r4(v["E_o1"] + v["E_o2"])
    g = {}
    for k in (1, 2):  # δ = ∂E/∂out · σ′, σ′ = out(1 − out) written down and rounded first
        g[f"out_o{k}"] = r4(v[f"out_o{k}"] - t[k - 1])
        g[f"net_o{k}"] = r4(r4(v[f"out_o{k}"] * (1 - v[f"out_o{k}"])) * g[f"out_o{k}"])
    g["out_h1"] = r4(r4(w["w5"] * g["net_o1"]) + r4(w["w7"] * g["net_o2"]))
    g["out_h2"] = r4(r4(w["w6"] * g["net_o1"]) + r4(w["w8"] * g["net_o2"]))
    for k in (1, 2):
        g[f"net_h{k}"] = r4(r4(v[f"out_h{k}"] * (1 - v[f"out_h{k}"])) * g[f"out_h{k}"])
    grads = {"w1": r4(x[0] * g["net_h1"]), "w2": r4(x[1] * g["net_h1"]), "w3": r4(x[0] * g["net_h2"]),
             "w4": r4(x[1] * g["net_h2"]), "w5": r4(v["out_h1"] * g["net_o1"]), "w6": r4(v["out_h2"] * g["net_o1"]),
             "w7": r4(v["out_h1"] * g["net_o2"]), "w8": r4(v["out_h2"] * g["net_o2"])}
    out = {**v, **{f"dE_total/d{k}": val for k, val in {**g, **grads}.items()}}
    out.update({f"{k}+": r4(w[k] - 0.5 * grads[k]) for k in w})
    return out


def test_mazur_rounded_to_4_decimals_is_what_a_careful_student_writes() -> None:
    rounded = quantities(solve(load_problem(ROOT / "problems" / "mazur.yaml"), round_to=4))
    by_hand = mazur_by_hand()
    assert {k: rounded[k] for k in by_hand} == by_hand
    # the drift is real: ∂E/∂out_h1 is 0.036350…, which rounds to 0.0364, but carried rounding gives 0.0363
    assert by_hand["dE_total/dout_h1"] == 0.0363


@pytest.mark.parametrize("path", NUMERIC, ids=lambda p: p.stem)
def test_a_hook_that_changes_nothing_changes_nothing(path) -> None:
    problem = load_problem(path)
    assert quantities(solve_with(problem, lambda kind, name, sample, value: value)) == quantities(solve(problem))


def test_a_number_put_in_by_the_hook_is_carried_on() -> None:
    problem = load_problem(ROOT / "problems" / "mazur.yaml")
    sol = solve_with(problem, lambda kind, name, sample, v: 0.6 if (kind, name) == ("value", "out_h1") else v)
    values = quantities(sol)
    assert values["out_h1"] == 0.6
    assert values["net_o1"] == 0.4 * 0.6 + 0.45 * values["out_h2"] + 0.6
    assert values["dE_total/dw5"] == values["dE_total/dnet_o1"] * 0.6


def test_a_gradient_put_in_by_the_hook_is_the_one_the_update_uses() -> None:
    problem = load_problem(ROOT / "problems" / "mazur.yaml")
    sol = solve_with(problem, lambda kind, name, sample, v: 0.1 if (kind, name) == ("grad", "w5") else v)
    assert quantities(sol)["w5+"] == 0.4 - 0.5 * 0.1


@pytest.mark.parametrize("path", [*NUMERIC, "batch"], ids=lambda p: getattr(p, "stem", p))
def test_the_step_api_reproduces_every_quantity_exactly(path) -> None:
    """Forward, backward and update evaluated step by step from given values give solve()'s floats."""
    problem = load_problem_text(BATCH, "batch.yaml") if path == "batch" else load_problem(path)
    sol = solve(problem)
    paths = consumers(problem)
    for s in range(problem.n_samples):
        row = sol.sample_values(s)
        for node in problem.nodes:
            assert evaluate_at(problem, node.formula, row, node.name) == row[node.name]
        upstream = {k: v[s] for k, v in sol.grads.items()}
        upstream[problem.loss] = loss_seed(problem)
        for name in paths:
            if name not in problem.params:
                assert gradient_at(problem, name, row, upstream, paths[name]) == sol.grads[name][s], name
    totals = {st.node: st.total for st in sol.of(GradStep)}
    for name, prm in problem.params.items():
        if name in paths:
            shares = [gradient_at(problem, name, sol.sample_values(s), {**{k: v[s] for k, v in sol.grads.items()},
                                  problem.loss: loss_seed(problem)}, paths[name]) for s in range(problem.n_samples)]
            assert sum(shares) == totals[name], name
        if sol.new_params:
            assert update_at(problem, name, prm.value, totals.get(name, 0.0)) == sol.new_params[name]


def test_solve_round_prints_the_rounded_solution_and_the_drift(in_root) -> None:
    result = invoke("solve", "problems/mazur.yaml", "--round", "4", "--width", "100")
    assert result.exit_code == 0
    text = result.stdout
    assert "∂E_total/∂out_h1   ∂E_total/∂net_o1·w5" in text
    assert "0.0363" in text.split("∂E_total/∂out_h1")[1].split("\n")[1] + text.split("∂E_total/∂out_h1")[1]
    drift = text.split("7. Drift from the exact values\n", 1)[1]
    assert "rounded: every intermediate to 4 decimals, half away from zero; exact: float64" in drift
    line = next(row for row in drift.splitlines() if row.startswith("E_total+"))
    assert line.split() == ["E_total+", "0.2910", "0.29102777", "−0.00002777"]


def test_solve_round_in_json_adds_the_drift(in_root) -> None:
    import json

    doc = json.loads(invoke("solve", "problems/mazur.yaml", "--round", "3", "--format", "json").stdout)
    drift = {d["name"]: d for d in doc["rounding"]["drift"]}
    assert doc["rounding"]["decimals"] == 3
    assert drift["w5+"]["rounded"] == 0.359
    assert drift["w5+"]["drift"] == drift["w5+"]["rounded"] - drift["w5+"]["exact"]
    assert doc["loss"]["total"] == drift["E_total"]["rounded"]


def test_round_sets_the_decimals_shown_unless_precision_is_given(in_root) -> None:
    def row(text: str, node: str) -> list[str]:
        return next(line for line in text.splitlines() if line.startswith(f"{node} ")).split()

    three = invoke("solve", "problems/mazur.yaml", "--round", "3", "--width", "100").stdout
    assert row(three, "net_h2")[-6:] == ["0.250·0.050", "+", "0.300·0.100", "+", "0.350", "0.393"]
    six = invoke("solve", "problems/mazur.yaml", "--round", "3", "--precision", "6", "--width", "100").stdout
    assert row(six, "net_h2")[-1] == "0.393000"
