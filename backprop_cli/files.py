"""Writing output files: the one function every output (-o, keys, --junit-xml) goes through.

The rules, in one place:
- a regular file is replaced atomically (a reader sees the old file or the whole new one), through a
  hidden temporary file beside it that is removed whatever happens, on SIGINT and SIGTERM too;
- a symbolic link is followed: the file it points to is replaced and the link is kept;
- a device, FIFO or socket (/dev/null, /dev/tty) and a file descriptor's path (/dev/stdout, /dev/fd/3)
  are written directly, never renamed over, and a descriptor's file is appended to, not truncated;
- an existing file keeps its mode, its owner where that is allowed, and its line endings (CRLF stays
  CRLF); a new file gets the umask's mode (0666 minus the umask);
- a read-only file is not replaced: an OutputError, and the file is left as it was;
- text is written as UTF-8; a lone surrogate (an undecodable byte of a file name, "\\ud800" in a YAML
  string) becomes U+FFFD, so no text can fail to encode.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from .errors import OutputError

# /dev/stdout, /dev/fd/1 and /proc/self/fd/1 all end here: the file the shell opened for us.
_DESCRIPTOR = re.compile(r"/(?:dev/fd|proc/[^/]+/fd)/\d+")
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)  # POSIX; Windows has no such flag
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC | getattr(os, "O_BINARY", 0)  # O_BINARY: Windows only


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two existing paths name one file (through links, `..` or an absolute path)."""
    return Path(a).exists() and Path(b).exists() and Path(a).resolve() == Path(b).resolve()


def utf8(text: str) -> str:
    """text with every lone surrogate replaced by U+FFFD, so it always encodes as UTF-8."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:  # a surrogate pair written as two characters becomes its one character
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def regular_bytes(path: str | Path) -> bytes | None:
    """The contents of a regular file, or None when path is missing or not a regular file (a FIFO would block)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        return Path(path).read_bytes()
    except OSError:
        return None


def output_bytes(path: str | Path, text: str | bytes) -> bytes:
    """The bytes write_output would write to path: UTF-8, with the line endings of the file already there
    (bytes, such as a zip, as they are)."""
    if isinstance(text, bytes):
        return text
    data = utf8(text).encode("utf-8")
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") if _uses_crlf(path) else data


def _uses_crlf(path: str | Path) -> bool:
    """Whether an existing regular file ends its first line with CRLF."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode) or _descriptor(path):
            return False  # never open a FIFO to read (that waits for a writer), nor the shell's file
        with open(path, "rb") as handle:
            head = handle.read(1 << 16)
    except OSError:
        return False
    end = head.find(b"\n")
    return end > 0 and head[end - 1:end] == b"\r"


def write_output(path: str | Path, text: str | bytes) -> None:
    """Write text to path by the rules above; OutputError, with the file as it was, if it cannot be written."""
    try:
        if _descriptor(path):
            _write_direct(path, output_bytes(path, text), append=True)
            return
        try:
            st: os.stat_result | None = os.stat(path)  # through any link
        except FileNotFoundError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{path}: cannot write: it is a directory (expected a file name)")
        if st is not None and not stat.S_ISREG(st.st_mode):
            _write_direct(path, output_bytes(path, text), append=False)
            return
        if st is not None and (not st.st_mode & 0o222 or not os.access(path, os.W_OK)):
            raise OutputError(f"{path}: cannot write: the file is read-only (expected a file you may write; "
                              "it was not changed)")
        _replace(Path(os.path.realpath(path)), output_bytes(path, text), st)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None


write_atomic = write_output  # the name it had when every output was a regular file


def _descriptor(path: str | Path) -> bool:
    """Whether path leads, through links, to a file descriptor of this process (/dev/stdout, /dev/fd/N)."""
    here = os.path.abspath(path)
    for _ in range(40):  # as many links as the kernel follows
        here = os.path.join(os.path.realpath(os.path.dirname(here)), os.path.basename(here))
        if _DESCRIPTOR.fullmatch(here):
            return True
        if not os.path.islink(here):
            return False
        here = os.path.normpath(os.path.join(os.path.dirname(here), os.readlink(here)))
    return False


def _write_direct(path: str | Path, data: bytes, append: bool) -> None:
    """Write to a device, FIFO or descriptor in place: renaming over it would replace the device itself."""
    fd = os.open(path, os.O_WRONLY | _CLOEXEC | (os.O_APPEND if append else 0))
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


def _replace(target: Path, data: bytes, st: os.stat_result | None) -> None:
    """Write data to a hidden temporary file beside target and rename it over target; never leave it behind."""
    tmp = None
    try:
        fd, tmp = _temporary(target, 0o600 if st else 0o666)  # 0o666: the umask decides for a new file
        try:
            if st is not None and hasattr(os, "fchown"):  # POSIX: keep the mode, and the owner where allowed
                os.fchmod(fd, stat.S_IMODE(st.st_mode))
                if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                    _keep_owner(fd, st)
            _write_all(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, target)
        tmp = None
    finally:  # also on KeyboardInterrupt and on the exception the CLI raises for SIGTERM
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _temporary(target: Path, mode: int) -> tuple[int, str]:
    """Create and open a new hidden file .NAME.XXXXXXXX.tmp beside target."""
    for _ in range(100):
        name = str(target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp"))
        try:
            return os.open(name, _NEW, mode), name
        except FileExistsError:
            continue
    raise FileExistsError(17, "no free name for a temporary file")


def _keep_owner(fd: int, st: os.stat_result) -> None:
    """Give the new file the old one's owner and group, where this user may (root may)."""
    try:
        os.fchown(fd, st.st_uid, st.st_gid)
    except OSError:
        pass


def _write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is written (a pipe or a signal may take fewer at a time)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
