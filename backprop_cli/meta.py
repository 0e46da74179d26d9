"""Where the project lives: the repository URL, set once in pyproject.toml's [project.urls], and URLs made from it.

A source checkout reads pyproject.toml itself (so an edit there shows at once); an installed package reads
the same URL from its metadata. The schema's $id is the raw-file URL of the committed schema on the main
branch, so an editor that follows it gets the file.
"""
from __future__ import annotations

import re
from pathlib import Path

URL_KEY = "Repository"
BRANCH = "main"
SCHEMA_PATH = "backprop_cli/schemas/problem.schema.json"
_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def repository() -> str:
    """The repository's URL, https://github.com/OWNER/NAME."""
    if _PYPROJECT.is_file():
        urls = _PYPROJECT.read_text(encoding="utf-8").split("[project.urls]", 1)
        if len(urls) == 2:
            m = re.search(rf'^{URL_KEY}\s*=\s*"([^"]+)"', urls[1].split("\n[", 1)[0], flags=re.M)
            if m:
                return m.group(1)
    from importlib.metadata import metadata

    for entry in metadata("backprop-cli").get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip() == URL_KEY:
            return url.strip()
    raise LookupError(f"no {URL_KEY} URL in the package metadata")


def raw_url(path: str) -> str:
    """The URL that serves a file of the repository as it is on the main branch."""
    m = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+?)/?", repository())
    if m is None:
        raise LookupError(f"the {URL_KEY} URL {repository()!r} is not https://github.com/OWNER/NAME")
    return f"https://raw.githubusercontent.com/{m.group(1)}/{m.group(2)}/{BRANCH}/{path}"


def schema_url() -> str:
    """The problem schema's $id: the URL that serves the committed schema file."""
    return raw_url(SCHEMA_PATH)


_SCHEMA_LINE = re.compile(r"^(# yaml-language-server: \$schema=)\S+", flags=re.M)


def with_schema_url(text: str) -> str:
    """A problem's text with its editor-schema line pointing at the schema's URL, for a file outside a clone."""
    return _SCHEMA_LINE.sub(lambda m: m.group(1) + schema_url(), text)
