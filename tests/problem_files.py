"""The example problems every test iterates over: problems/*.yaml, answer keys excluded."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def problem_files() -> list[Path]:
    """Every problem file in problems/, in name order."""
    return sorted(p for p in (ROOT / "problems").glob("*.yaml") if not p.name.endswith(".key.yaml"))
