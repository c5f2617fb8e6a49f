"""Opening source files as untrusted input: regular files only, bounded sizes, nothing written beside them.

A FIFO named like a data file blocks the reader forever, a device never ends, a link can point anywhere and a
small compressed file can expand to gigabytes. Each is refused with one line that names the file, before it
is read: files are opened non-blocking and checked again once open, so nothing can be swapped in between.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import stat
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from stocktake.errors import StocktakeError
from stocktake.settings import BoundSettings, IngestSettings, byte_size
from stocktake.tools.progress import Progress, no_progress

_PRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder"))


def shown(text: str | Path) -> str:
    """A path or name as it prints on one line: control characters and bytes that are not UTF-8 escaped."""
    return _PRINTABLE.sub(_escaped, str(text))


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (Python's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if code >= 0xD800 else repr(match.group())[1:-1]


def special_kind(mode: int) -> str | None:
    """What a file that is not a regular file is (a FIFO, a socket, a device, a folder), or None."""
    return next((kind for test, kind in _KINDS if test(mode)), None)


def _not_regular(p: Path, kind: str) -> StocktakeError:
    link = f" (a link to {shown(os.path.realpath(p))})" if p.is_symlink() else ""
    return StocktakeError(f"{shown(p)}{link} is {kind}, not a regular file, so it was not read. "
                          "Copy the data into a file and ingest that.")


def _unreadable(p: Path, exc: OSError) -> StocktakeError:
    if isinstance(exc, FileNotFoundError):
        return StocktakeError(f"{shown(p)}: no such file. Check the path.")
    return StocktakeError(f"{shown(p)}: cannot read the file ({exc.strerror or exc}). Check its permissions.")


def check_regular(p: Path) -> os.stat_result:
    """The file's status; a FIFO, socket, device or folder (directly or through a link) is refused unopened."""
    try:
        status = os.stat(p)
    except OSError as exc:
        raise _unreadable(p, exc) from None
    kind = special_kind(status.st_mode)
    if kind:
        raise _not_regular(p, kind)
    return status


@contextmanager
def open_regular(p: Path, settings: BoundSettings) -> Iterator[BinaryIO]:
    """The file opened for reading, once it is known to be a regular file of at most ``max_bytes``."""
    check_regular(p)
    try:
        fd = os.open(p, _OPEN_FLAGS)  # non-blocking: a FIFO swapped in after the check cannot hang the open
    except OSError as exc:
        raise _unreadable(p, exc) from None
    with os.fdopen(fd, "rb") as f:
        status = os.fstat(fd)
        kind = special_kind(status.st_mode)
        if kind:
            raise _not_regular(p, kind)
        if status.st_size > settings.max_bytes:
            raise StocktakeError(f"{shown(p)}: the file is {byte_size(status.st_size)}, more than one ingest reads "
                                 f"({settings.limit('max_bytes', 'bytes')}).")
        yield f


_BLOCK = 8 << 20  # bytes read between progress reports


def read_bytes(p: Path, settings: IngestSettings, progress: Progress = no_progress) -> bytes:
    """The whole file; ``progress`` hears the bytes read so far of the size the file had when opened."""
    with open_regular(p, settings) as f:
        size, blocks, done = os.fstat(f.fileno()).st_size, [], 0
        while done <= settings.max_bytes and (block := _read(p, f, min(_BLOCK, settings.max_bytes + 1 - done))):
            blocks.append(block)
            done += len(block)
            progress("bytes read", min(done, size), size)
        data = b"".join(blocks)
    if len(data) > settings.max_bytes:  # the file grew while it was read
        raise StocktakeError(f"{shown(p)}: the file grew past {byte_size(settings.max_bytes)} while it was read "
                             f"({settings.hint('max_bytes')}).")
    return data


def read_head(p: Path, n: int, settings: IngestSettings) -> bytes:
    with open_regular(p, settings) as f:
        return _read(p, f, n)


def _read(p: Path, f: BinaryIO, n: int) -> bytes:
    try:
        return f.read(n)
    except OSError as exc:
        raise _unreadable(p, exc) from None


def copy_regular(src: Path, dst: Path, settings: IngestSettings) -> None:
    """Copy a regular file of at most ``max_bytes`` (a SQLite database and its journal, to read them safely)."""
    with open_regular(src, settings) as f, open(dst, "xb") as out:
        while block := _read(src, f, 1 << 20):
            out.write(block)


def gunzip(p: Path, raw: bytes, settings: IngestSettings) -> bytes:
    """The decompressed bytes, read no further than ``max_bytes``: a gzip bomb is refused, not expanded."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as z:
            data = z.read(settings.max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise StocktakeError(f"{shown(p)}: not a valid gzip file ({exc}). Check that the file is complete.") from None
    if len(data) > settings.max_bytes:
        raise expands_too_far(p, settings)
    return data


def expands_too_far(p: Path, settings: IngestSettings) -> StocktakeError:
    return StocktakeError(f"{shown(p)}: expands to more than {byte_size(settings.max_bytes)} when decompressed, so it "
                          f"was not read ({settings.hint('max_bytes')}).")


def folder_entry_problem(folder: Path, p: Path) -> str | None:
    """Why a data file found in a folder must not be read: a link that leaves the folder, or not a regular file."""
    if p.is_symlink():
        target = Path(os.path.realpath(p))
        if not target.is_relative_to(os.path.realpath(folder)):
            return (f"{shown(p)}: a link to {shown(target)}, outside the folder, so it was not followed "
                    "(ingest that file by its own path, or copy it into the folder).")
    try:
        check_regular(p)
    except StocktakeError as exc:
        return str(exc)
    return None
