"""Writing a file so that a crash, a full disk or a second writer never leaves it half-written."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: Path, content: str | Callable[[str], None], *, mode: int = 0o600) -> None:
    """Write ``content`` (text, as UTF-8; or a function that writes the file whose name it is given) to a
    temporary file beside ``path`` and move it into place: ``path`` holds the old file or the new one, whole.

    The temporary name is new each time, so two threads or processes writing one path never write into each
    other's file, and it ends in ``.tmp``, which ``stocktake doctor`` removes once a killed writer left it.
    Workspace files are their owner's alone by default, as the snapshots are; ``mode`` widens that (the
    umask still applies) for a file meant to be passed on.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "w", encoding="utf-8") as handle:
            if isinstance(content, str):
                handle.write(content)
        if not isinstance(content, str):
            content(str(tmp))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_cache(path: Path, text: str) -> None:
    """A cache write: a read-only workspace just goes without the cache."""
    try:
        write_atomic(path, text)
    except OSError:
        pass
