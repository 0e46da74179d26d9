"""The example problems shipped in the package (backprop_cli.examples, which is the repository's problems/).

A tool installed with pipx has no problems/ folder: `backprop examples` lists the shipped ones and copies
one out, with its answer key, so `backprop solve mazur.yaml` works anywhere. A copy's editor-schema line
points at the schema's URL instead of the repository-relative path, which only a clone has.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from .errors import BackpropError, ExitCode
from .keys.names import KEY_SUFFIX, is_key_file


class UnknownExample(BackpropError):
    """An example name that is not shipped: a usage error."""

    exit_code = ExitCode.USAGE


@dataclass(frozen=True)
class Example:
    """One shipped problem: its name (the file's stem), title, and texts."""

    name: str
    title: str
    text: str
    key: str | None  # the answer key's text, when one is shipped


def _folder():
    return files("backprop_cli.examples")


def names() -> list[str]:
    """The names of the shipped problems, in name order."""
    return sorted(p.name[: -len(".yaml")] for p in _folder().iterdir()
                  if p.name.endswith(".yaml") and not is_key_file(p.name))


def example(name: str) -> Example:
    """A shipped problem by name; its texts with the schema line pointing at the schema's URL."""
    from .load.yamlreader import load_yaml_text
    from .meta import with_schema_url

    if name not in names():
        from .errors import one_of, suggest

        guess = suggest(name, names())
        raise UnknownExample(f"no example named {name!r} (expected {one_of(names(), limit=20)})"
                             + (f". Did you mean {guess!r}?" if guess else ""))
    folder = _folder()
    text = with_schema_url(folder.joinpath(f"{name}.yaml").read_text("utf-8"))
    key_file = folder.joinpath(f"{name}{KEY_SUFFIX}.yaml")
    key = key_file.read_text("utf-8") if key_file.is_file() else None
    doc = load_yaml_text(text, f"{name}.yaml")
    return Example(name, str(doc.get("title", "")) if isinstance(doc, dict) else "", text, key)


def outputs(example: Example, folder: Path) -> list[tuple[Path, str]]:
    """The files a copy into folder writes: the problem, and its key when one is shipped."""
    out = [(folder / f"{example.name}.yaml", example.text)]
    if example.key is not None:
        out.append((folder / f"{example.name}{KEY_SUFFIX}.yaml", example.key))
    return out
