"""What many test files share: running the CLI, golden files, and one finite-difference stencil."""
from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
from click.testing import CliRunner, Result

from backprop_cli.cli import main
from backprop_cli.engine import batch_total, forward

from problem_files import ROOT

GOLDEN = ROOT / "tests" / "golden"


def runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout (always so from click 8.2; asked for before)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def invoke(*args: str, **kwargs) -> Result:
    """Run `backprop ARGS` in this process; never a traceback unless --traceback asks for one."""
    result = runner().invoke(main, list(args), **kwargs)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # escaped the error boundary: show the real traceback
    if "--traceback" not in args:
        assert "Traceback" not in result.stdout + result.stderr
    return result


def copy_problems(folder: Path, *names: str) -> Path:
    """Copies of problems/<name>.yaml in folder; returns folder."""
    for name in names:
        shutil.copyfile(ROOT / "problems" / f"{name}.yaml", folder / f"{name}.yaml")
    return folder


def check_golden(path: Path, text: str) -> None:
    """Compare text with a golden file; UPDATE_GOLDEN=1 rewrites the file instead (review the diff)."""
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {path}: run with UPDATE_GOLDEN=1 and review the diff"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs: if intended, regenerate with " \
        "UPDATE_GOLDEN=1 and review the diff"


def central_difference(f: Callable, x, step: float = 1e-4):
    """f'(x) by the five-point central difference, error O(h⁴), with h = step·max(1, |x|).

    x may be a float or an array (one step per element); f takes a point like x.
    """
    h = step * np.maximum(1.0, np.abs(x))
    if np.ndim(h) == 0:
        h = float(h)  # plain floats stay plain floats
    return (8 * (f(x + h) - f(x - h)) - (f(x + 2 * h) - f(x - 2 * h))) / (12 * h)


def fd_param_grads(problem, params: dict | None = None, step: float = 1e-4) -> dict:
    """∂(batch loss)/∂p for every parameter by central_difference, at params (default: the problem's values)."""
    base = dict(params) if params is not None else {p.name: p.value for p in problem.params.values()}

    def loss_at(name: str) -> Callable[[float], float]:
        return lambda value: batch_total(problem, forward(problem, {**base, name: value})[problem.loss])

    return {name: central_difference(loss_at(name), value, step) for name, value in base.items()}
