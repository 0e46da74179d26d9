"""Shared fixtures: finite-difference gradients."""
from __future__ import annotations

import pytest

from helpers import fd_param_grads


@pytest.fixture(scope="session")
def fd_grads():
    """The function fd_param_grads(problem, params=None) -> {param: ∂L/∂param}."""
    return fd_param_grads
