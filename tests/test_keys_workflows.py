"""The key and update workflows without the CLI: plain result records, one per file, and the files they write."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from backprop_cli.errors import ExitCode, OutputError, ProblemError, RefusedError
from backprop_cli.keys.check import find_targets
from backprop_cli.keys.update import summary, update_keys
from backprop_cli.keys.write import write_keys


@pytest.fixture
def folder(scratch) -> Path:
    """mazur.yaml and seed004_symbolic.yaml in a scratch directory that is the working directory."""
    return scratch("mazur", "seed004_symbolic")


def test_write_keys_reports_each_problem_and_skips_key_files(folder: Path) -> None:
    (folder / "broken.yaml").write_text("title: x\n", encoding="utf-8")
    results = list(write_keys(["mazur.yaml", "seed004_symbolic.yaml", "broken.yaml"]))
    assert [(r.problem, str(r.key), r.status, r.quantities) for r in results] == [
        ("mazur.yaml", "mazur.key.yaml", "written", 44),
        ("seed004_symbolic.yaml", "seed004_symbolic.key.yaml", "symbolic", 0),
        ("broken.yaml", "broken.key.yaml", "invalid", 0)]
    assert results[0].error is None and results[1].error is None
    assert isinstance(results[2].error, ProblemError)
    assert sorted(p.name for p in folder.iterdir()) == ["broken.yaml", "mazur.key.yaml", "mazur.yaml",
                                                        "seed004_symbolic.yaml"]
    again = list(write_keys(["mazur.yaml", "mazur.key.yaml"]))  # a key file among the arguments is skipped
    assert [(r.problem, r.status) for r in again] == [("mazur.yaml", "unchanged")]


def test_a_differing_key_is_refused_unless_forced(folder: Path) -> None:
    key = folder / "mazur.key.yaml"
    key.write_text("values:\n  w5+: 0.3589\n", encoding="utf-8")
    (refused,) = write_keys(["mazur.yaml"])
    assert refused.status == "refused"
    assert isinstance(refused.error, RefusedError) and refused.error.exit_code == ExitCode.USAGE
    assert str(refused.error) == (
        "mazur.key.yaml: the key exists and differs from the solver's (expected --force to overwrite it, or "
        "`backprop check --update mazur.yaml` to refresh it keeping its quantities and precision)")
    assert key.read_text(encoding="utf-8") == "values:\n  w5+: 0.3589\n"
    (forced,) = write_keys(["mazur.yaml"], force=True)
    assert (forced.status, forced.error) == ("written", None)
    assert key.read_text(encoding="utf-8").startswith("# Answer key for mazur.yaml")


def test_a_key_that_cannot_be_written_is_reported_and_the_others_are_still_keyed(folder: Path,
                                                                                 monkeypatch) -> None:
    from backprop_cli import files

    shutil.copyfile(folder / "mazur.yaml", folder / "other.yaml")
    real_replace = files.os.replace

    def fail_for_mazur(src, dst):
        if str(dst).endswith("/mazur.key.yaml"):
            raise PermissionError(13, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", fail_for_mazur)
    results = list(write_keys(["mazur.yaml", "other.yaml"]))
    assert [(r.problem, r.status) for r in results] == [("mazur.yaml", "unwritten"), ("other.yaml", "written")]
    assert isinstance(results[0].error, OutputError) and results[0].error.exit_code == ExitCode.CANNOT_WRITE
    assert str(results[0].error) == "mazur.key.yaml: cannot write: Permission denied"
    assert sorted(p.name for p in folder.iterdir()) == [  # no temporary file left behind
        "mazur.yaml", "other.key.yaml", "other.yaml", "seed004_symbolic.yaml"]


def test_update_keys_rewrites_only_what_drifted(folder: Path) -> None:
    (folder / "mazur.key.yaml").write_text("decimals: 4\nvalues:\n  w5+: 0.3600  # drifted\n  w6+: 0.4087\n",
                                           encoding="utf-8")
    shutil.copyfile(folder / "mazur.yaml", folder / "same.yaml")
    (folder / "same.key.yaml").write_text("decimals: 4\nvalues:\n  w6+: 0.4087\n", encoding="utf-8")
    shutil.copyfile(folder / "mazur.yaml", folder / "bad.yaml")
    (folder / "bad.key.yaml").write_text("values:\n  w5: 0.4\n", encoding="utf-8")
    updates = list(update_keys(find_targets(["."])))
    assert [(u.problem, u.key, u.status, u.changes) for u in updates] == [
        ("bad.yaml", "bad.key.yaml", "invalid", ()),
        ("mazur.yaml", "mazur.key.yaml", "updated", (("w5+", "0.3600", "0.3589"),)),
        ("same.yaml", "same.key.yaml", "unchanged", ())]
    assert isinstance(updates[0].error, ProblemError) and "has no quantity 'w5'" in str(updates[0].error)
    assert (folder / "mazur.key.yaml").read_text(encoding="utf-8") == \
        "decimals: 4\nvalues:\n  w5+: 0.3589  # drifted\n  w6+: 0.4087\n"
    assert (folder / "bad.key.yaml").read_text(encoding="utf-8") == "values:\n  w5: 0.4\n"
    assert summary(updates) == "1 updated, 1 unchanged, 1 invalid"
    assert summary(updates[1:]) == "1 updated, 1 unchanged"  # invalid only when there are any
