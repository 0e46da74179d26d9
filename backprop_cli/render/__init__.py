"""Renderers: each turns a Solution into a string. Chosen by --format from one mapping."""
from __future__ import annotations

import importlib
from collections.abc import Callable

# format name -> module; each module has render(solution, *, precision, width, color) -> str
RENDERERS = {
    "terminal": "backprop_cli.render.terminal",
    "markdown": "backprop_cli.render.markdown",
    "json": "backprop_cli.render.json",
    "latex": "backprop_cli.render.latex",
}

# file suffix -> format, for -o FILE
SUFFIXES: dict = {".md": "markdown", ".markdown": "markdown", ".json": "json", ".tex": "latex"}


def renderer(name: str) -> Callable:
    """The render function of a format, imported only when used."""
    return importlib.import_module(RENDERERS[name]).render
