"""Shared fixtures: finite-difference gradients, and scratch or repository working directories."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import copy_problems, fd_param_grads
from problem_files import ROOT


@pytest.fixture(scope="session")
def fd_grads():
    """The function fd_param_grads(problem, params=None) -> {param: ∂L/∂param}."""
    return fd_param_grads


@pytest.fixture
def in_root(monkeypatch) -> Path:
    """The repository root as the working directory, so problems/… paths read as the CLI is given them."""
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch) -> Callable[..., Path]:
    """copy(*names): copies of problems/<name>.yaml in a scratch directory, which is the working directory."""
    monkeypatch.chdir(tmp_path)
    return lambda *names: copy_problems(tmp_path, *names)
