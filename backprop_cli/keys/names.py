"""How answer keys are named beside their problems: q1.yaml has q1.key.yaml. Cheap to import."""
from __future__ import annotations

from pathlib import Path

KEY_SUFFIX = ".key"
ANSWERS_SUFFIX = ".answers"
PROBLEM_SUFFIXES = (".yaml", ".yml")


def key_path(problem: str | Path) -> Path:
    """Where the key of a problem lives: q1.yaml -> q1.key.yaml."""
    return Path(problem).with_name(Path(problem).stem + KEY_SUFFIX + Path(problem).suffix)


def is_key_file(path: str | Path) -> bool:
    """Whether a file name is an answer key's (q1.key.yaml), not a problem's."""
    return Path(path).suffix in PROBLEM_SUFFIXES and Path(path).stem.endswith(KEY_SUFFIX)


def is_answers_file(path: str | Path) -> bool:
    """Whether a file name is a student's answers file (s1.answers.yaml), for backprop grade."""
    return Path(path).suffix in PROBLEM_SUFFIXES and Path(path).stem.endswith(ANSWERS_SUFFIX)


def is_problem_file(path: str | Path) -> bool:
    """Whether a file name is a problem's: YAML, and neither an answer key nor an answers file."""
    return Path(path).suffix in PROBLEM_SUFFIXES and not is_key_file(path) and not is_answers_file(path)


def problem_path(key: str | Path) -> Path:
    """The problem an answer key belongs to: q1.key.yaml -> q1.yaml."""
    return Path(key).with_name(Path(key).stem[: -len(KEY_SUFFIX)] + Path(key).suffix)
