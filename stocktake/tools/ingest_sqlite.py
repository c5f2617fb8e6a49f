"""Reading the tables and views of a SQLite database that may be hostile, without writing anything beside it.

The database is opened read-only and immutable, through a percent-escaped ``file:`` URI (a name such as
``x?mode=rwc&y=.db`` stays a name), so SQLite creates no ``-wal``/``-shm`` files and no other file. Immutable
reads skip a write-ahead log, so a database left with a non-empty ``-wal`` or ``-journal`` is copied with it
into the workspace and read there. Every table or view is bounded in time, rows, bytes and value length: a
recursive view that never ends is stopped.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from stocktake.errors import Remedy, StocktakeError
from stocktake.settings import IngestSettings, byte_size
from stocktake.tools.ingest_files import check_regular, copy_regular, shown

_JOURNALS = ("-wal", "-journal")
_BATCH = 50_000
_MAX_ROW_BYTES = 64 << 20  # SQLite's length limit covers whole rows too; wide tables need room beyond one value


def read_tables(p: Path, table: str | None, settings: IngestSettings,
                scratch: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table and view (or only ``table``) by name; ``scratch`` holds the copy of a database with a journal."""
    check_regular(p)
    try:
        with connected(p, settings, scratch) as db:
            names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view') "
                                               "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            if table:
                if table not in names:
                    listed = ", ".join(f"'{shown(n)}'" for n in names[:20]) or "none"
                    raise StocktakeError(f"{shown(p)}: no table '{shown(table)}'. Tables: {listed}.")
                names = [table]
            if not names:
                raise StocktakeError(f"{shown(p)}: the database has no tables.")
            return {n: _read_table(p, db, n, settings) for n in names}
    except sqlite3.DatabaseError as exc:
        raise StocktakeError(f"{shown(p)}: not a readable SQLite database ({shown(exc)}).") from None


@contextmanager
def connected(p: Path, settings: IngestSettings, scratch: Path | None) -> Iterator[sqlite3.Connection]:
    """The database opened read-only, no value or row longer than ``length_limit`` (``scratch`` as in
    ``read_tables``)."""
    with _opened(p, settings, scratch) as db:
        db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, length_limit(settings))
        yield db


@contextmanager
def _opened(p: Path, settings: IngestSettings, scratch: Path | None) -> Iterator[sqlite3.Connection]:
    journals = [s for s in _JOURNALS if os.path.lexists(f"{p}{s}") and _has_content(Path(f"{p}{s}"))]
    if not journals:
        db = sqlite3.connect(_uri(Path(os.path.realpath(p)), "mode=ro&immutable=1"), uri=True)
        try:
            yield db
        finally:
            db.close()
        return
    try:
        scratch_dir = tempfile.TemporaryDirectory(dir=scratch, prefix="ingest-sqlite-")
    except OSError as exc:
        raise _no_copy(p, journals[0], scratch, exc) from None
    with scratch_dir as tmp:
        copy = Path(tmp) / "source.db"
        try:
            for suffix in ("", *journals):
                copy_regular(Path(f"{p}{suffix}"), Path(f"{copy}{suffix}"), settings)
        except OSError as exc:
            raise _no_copy(p, journals[0], scratch, exc) from None
        db = sqlite3.connect(_uri(copy, "mode=ro"), uri=True)  # replays the journal into the copy only
        try:
            yield db
        finally:
            db.close()


def _no_copy(p: Path, journal: str, scratch: Path | None, exc: OSError) -> StocktakeError:
    return StocktakeError(f"{shown(p)} has a {journal} file beside it, so it is read from a copy, and the copy could "
                          f"not be made in {shown(scratch or tempfile.gettempdir())} ({exc.strerror or exc}).")


def length_limit(settings: IngestSettings) -> int:
    """SQLite's limit on one value or row, in bytes: room for the longest value allowed in UTF-8, or a wide row."""
    return max(_MAX_ROW_BYTES, 4 * settings.max_field_chars)


def _has_content(journal: Path) -> bool:
    return check_regular(journal).st_size > 0


def _uri(path: Path, query: str) -> str:
    return f"file:{quote(os.fsencode(path))}?{query}"


@contextmanager
def time_bound(db: sqlite3.Connection, seconds: float) -> Iterator[Callable[[], bool]]:
    """Statements on ``db`` are interrupted once ``seconds`` have passed; yields whether they have."""
    deadline = time.monotonic() + seconds
    db.set_progress_handler(lambda: time.monotonic() > deadline, 1_000)
    try:
        yield lambda: time.monotonic() > deadline
    finally:
        db.set_progress_handler(None, 0)


def quoted(name: str) -> str:
    """An SQL identifier for any table name, quotes included."""
    return '"' + name.replace('"', '""') + '"'


def _read_table(p: Path, db: sqlite3.Connection, name: str, settings: IngestSettings) -> pd.DataFrame:
    where = f"{shown(p)}, table '{shown(name)}'"
    with time_bound(db, settings.sqlite_timeout_s) as expired:
        try:
            columns, chunks = _chunks(db, name, where, settings)
        except sqlite3.DataError:  # "string or blob too big": past the length limit set above
            raise StocktakeError(f"{where}: a value or row longer than {byte_size(length_limit(settings))} "
                                 f"({settings.hint('max_field_chars')}).") from None
        except sqlite3.DatabaseError as exc:
            if expired():
                raise StocktakeError(f"{where}: reading it did not finish within {settings.sqlite_timeout_s:g} s (a "
                                     "view that never ends?), so it was stopped",
                                     ("(", settings.hint("sqlite_timeout_s"), Remedy("pick-tables"), ")")) from None
            raise StocktakeError(f"{where} cannot be read ({shown(exc)}).", Remedy("other-tables-one-by-one")) from None
    frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(
        {i: pd.Series(dtype=object) for i in range(len(columns))})
    frame.columns = columns  # set last: a view may repeat a name, which the caller renames with a warning
    return frame


def _chunks(db: sqlite3.Connection, name: str, where: str,
            settings: IngestSettings) -> tuple[list[str], list[pd.DataFrame]]:
    chunks, rows, size = [], 0, 0
    cursor = db.execute(f"SELECT * FROM {quoted(name)}")
    columns = [d[0] for d in cursor.description]
    while batch := cursor.fetchmany(_BATCH):
        rows += len(batch)
        if rows > settings.max_rows:
            raise StocktakeError(f"{where}: more than {settings.max_rows:,} rows ({settings.hint('max_rows')}).")
        chunk = pd.DataFrame.from_records(batch, coerce_float=True)
        size += int(chunk.memory_usage(deep=True).sum())
        if size > settings.max_bytes:
            raise StocktakeError(f"{where}: more than {byte_size(settings.max_bytes)} of data "
                                 f"({settings.hint('max_bytes')}).")
        chunks.append(chunk)
    return columns, chunks
