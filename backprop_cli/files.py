"""Writing output files atomically: a reader sees the old file or the whole new one, never a part."""
from __future__ import annotations

import os
from pathlib import Path

from .errors import OutputError


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two existing paths name one file (through links, `..` or an absolute path)."""
    return Path(a).exists() and Path(b).exists() and Path(a).resolve() == Path(b).resolve()


def write_atomic(path: str | Path, text: str) -> None:
    """Write text to path through a temporary file beside it; OutputError, with nothing changed, if it fails."""
    import tempfile  # only writing pays for it

    target = Path(path)
    tmp = None
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, delete=False,
                                         prefix=f".{target.name}.", suffix=".tmp") as handle:
            tmp = handle.name
            handle.write(text)
        os.replace(tmp, target)  # replaces a link itself, never the file it points to
    except OSError as exc:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
