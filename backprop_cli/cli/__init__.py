"""The command line: the only package that prints, exits, or imports click.

boundary.py turns errors into one line and an exit code and does every print and write; each other
module holds commands of the one group, main.
"""
from __future__ import annotations

import click

from ..errors import ExitCode  # noqa: F401 - the exit codes, where the command line's users look for them


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backprop-cli")
def main() -> None:
    """Step-by-step backpropagation solutions from YAML problem files."""


from . import course, grade, keys, solve  # noqa: E402,F401 - each registers its commands on main
