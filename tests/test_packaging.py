"""Packaging: what a wheel holds (the examples too), the metadata, and the URLs made from the one repository URL."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from backprop_cli.meta import repository, schema_url

from problem_files import ROOT, problem_files

PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_every_subpackage_is_listed() -> None:
    listed = set(re.search(r"^packages = \[(.*?)\]", PYPROJECT, flags=re.S | re.M).group(1).replace('"', "")
                 .replace("\n", " ").replace(" ", "").split(","))
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "backprop_cli").rglob("__init__.py")}
    assert found | {"backprop_cli.examples"} == listed


def test_the_schema_id_serves_the_committed_file() -> None:
    """$id is the raw URL of backprop_cli/schemas/problem.schema.json on main, under pyproject's Repository."""
    owner, name = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+)", repository()).groups()
    assert re.search(rf'^Repository = "https://github.com/{owner}/{name}"$', PYPROJECT, flags=re.M)
    schema = json.loads((ROOT / "backprop_cli" / "schemas" / "problem.schema.json").read_text(encoding="utf-8"))
    assert schema["$id"] == schema_url()
    prefix = f"https://raw.githubusercontent.com/{owner}/{name}/main/"
    assert schema["$id"].startswith(prefix)
    assert (ROOT / schema["$id"][len(prefix):]).is_file()
    # Every URL of the repository in the docs is this one.
    for doc in [ROOT / "README.md", ROOT / ".pre-commit-hooks.yaml", *(ROOT / "docs").glob("*")]:
        for url in re.findall(r"https://(?:raw\.githubusercontent|github)\.com/[^\s)`\"'>]+", doc.read_text("utf-8")):
            assert url.startswith((f"https://github.com/{owner}/{name}", prefix)), (doc.name, url)


def test_metadata() -> None:
    assert 'license = {text = "MIT"}' in PYPROJECT
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert "authors = [" in PYPROJECT
    assert 'requires-python = ">=3.10"' in PYPROJECT
    assert '"Programming Language :: Python :: 3.10"' in PYPROJECT  # the oldest one claimed is tested: .ci/run
    assert "3.10" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from this checkout (without build isolation when setuptools is at hand)."""
    out = tmp_path_factory.mktemp("wheel")
    try:
        import setuptools
        import wheel  # noqa: F401 - setuptools before 70.1 builds wheels with it

        isolation = [] if int(setuptools.__version__.split(".")[0]) < 64 else ["--no-build-isolation"]
    except ImportError:
        isolation = []  # pip fetches the build requirements of pyproject.toml
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-q", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    return next(out.glob("backprop_cli-*.whl"))


def test_the_wheel_holds_the_examples_and_schemas(wheel: Path) -> None:
    held = set(zipfile.ZipFile(wheel).namelist())
    for p in problem_files():
        assert f"backprop_cli/examples/{p.name}" in held
    assert "backprop_cli/examples/mazur.key.yaml" in held
    assert {"backprop_cli/schemas/problem.schema.json", "backprop_cli/schemas/solution.schema.json"} <= held
    meta = zipfile.ZipFile(wheel).read(next(n for n in held if n.endswith(".dist-info/METADATA"))).decode()
    assert f"Project-URL: Repository, {repository()}" in meta
    assert "License-File: LICENSE" in meta or any(n.endswith(".dist-info/LICENSE") for n in held)


def test_examples_work_from_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    """Installed into a folder of its own and run from elsewhere: no checkout, no editable install."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}

    def backprop(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "backprop_cli", *args], cwd=work, env=env, capture_output=True,
                              text=True, encoding="utf-8", timeout=120, check=False)

    where = subprocess.run([sys.executable, "-c", "import backprop_cli; print(backprop_cli.__file__)"], cwd=work,
                           env=env, capture_output=True, text=True, check=True).stdout
    assert Path(where.strip()).is_relative_to(target)
    listing = backprop("examples")
    assert listing.returncode == 0, listing.stderr
    assert [line.split()[0] for line in listing.stdout.splitlines()] == [p.stem for p in problem_files()]
    assert backprop("examples", "mazur", "-o", ".").returncode == 0
    copied = (work / "mazur.yaml").read_text(encoding="utf-8")
    assert copied.startswith(f"# yaml-language-server: $schema={schema_url()}")
    solved = backprop("solve", "mazur.yaml")
    assert solved.returncode == 0 and "E_total: 0.2984 → 0.2910" in solved.stdout
    assert backprop("check", ".").returncode == 0
