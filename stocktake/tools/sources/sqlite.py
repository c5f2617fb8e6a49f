"""SQLite database files, ``sqlite:///path/to/shop.db``: introspection and table reads, nothing ever written.

The file is opened as ``stocktake.tools.ingest_sqlite`` opens one it ingests: read-only and immutable, so SQLite
writes nothing to it and creates nothing beside it (a database left with a journal is read from a copy in a
temporary folder), with values no longer than the ingest limit. Each statement is bounded by the source timeout.
SQLite keeps no comments, so tables and columns have none. A column's type is the one its values have (SQLite
lets a column hold values of any kind): integers stay integers, integers mixed with reals become reals, and any
other mix becomes text; a column with no values takes its declared type's (INTEGER, REAL, TEXT).
"""

from __future__ import annotations

import os
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pyarrow as pa

from stocktake.errors import Remedy, StocktakeError
from stocktake.settings import IngestSettings, SourceSettings, byte_size
from stocktake.tools.ingest_files import check_regular, shown
from stocktake.tools.ingest_sqlite import connected, length_limit, quoted, time_bound
from stocktake.tools.sources import failures
from stocktake.tools.sources.model import ForeignKey, ReadPlan, SourceColumn, SourceTable

_TABLES = ("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' "
           "ORDER BY name")
_COLUMNS = 'SELECT name, type, "notnull", pk FROM pragma_table_xinfo(?) WHERE hidden != 1 ORDER BY cid'
_KEYS = 'SELECT id, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq'
_HASH = "stocktake_row_hash"
_BATCH = 50_000


class Session:
    """One read-only connection to the file: introspect it and read its tables."""

    def __init__(self, db: sqlite3.Connection, path: Path, source: str, settings: SourceSettings,
                 ingest: IngestSettings):
        self._db, self._path, self.source, self._settings, self._ingest = db, path, source, settings, ingest
        db.create_function(_HASH, -1, _row_hash, deterministic=True)

    def rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        return self._run(lambda: self._db.execute(sql, args).fetchall())

    def schema(self) -> list[SourceTable]:
        """Every table and view, with declared primary and foreign keys (and no comments: SQLite keeps none)."""
        tables = self.rows(_TABLES)
        columns = {name: self.rows(_COLUMNS, (name,)) for name, _ in tables}
        primary = {name: tuple(c[0] for c in sorted((c for c in cols if c[3]), key=lambda c: c[3]))
                   for name, cols in columns.items()}
        return [SourceTable(name, kind, tuple(SourceColumn(c[0], c[1] or "", not c[2]) for c in columns[name]),
                            primary[name], self._foreign_keys(name, primary)) for name, kind in tables]

    def _foreign_keys(self, table: str, primary: dict[str, tuple[str, ...]]) -> tuple[ForeignKey, ...]:
        grouped: dict[int, list[tuple]] = {}
        for key, parent, column, references in self.rows(_KEYS, (table,)):
            grouped.setdefault(key, []).append((parent, column, references))
        found = []
        for parts in grouped.values():
            parent = parts[0][0]
            # a key that names no parent columns references the parent's primary key
            references = tuple(p[2] for p in parts) if parts[0][2] is not None else primary.get(parent, ())
            found.append(ForeignKey(tuple(p[1] for p in parts), parent, references))
        return tuple(found)

    def read(self, table: SourceTable, plan: ReadPlan = ReadPlan()) -> pa.Table:
        """The table's rows as Arrow, as ``plan`` bounds them."""
        def count() -> int:  # SQLite keeps no estimate, and counting a local file is quick
            return self._db.execute(f"SELECT count(*) FROM {quoted(table.name)}").fetchone()[0]

        share = plan.sample_share(self._run(count)) if plan.sample is not None else None
        sql, args = select_sql(table, plan, share)
        chunks = self._run(lambda: _chunks(self._db.execute(sql, args), len(table.columns)))
        return pa.Table.from_arrays([_column(parts, c.type) for c, parts in zip(table.columns, chunks)],
                                    names=[c.name for c in table.columns])

    def _run(self, work):
        """``work`` on the database, bounded in time; its failures are one line."""
        with time_bound(self._db, self._settings.timeout_s) as expired:
            try:
                return work()
            except sqlite3.DataError:  # "string or blob too big": past the length limit the connection was given
                raise failures.read_failed(self.source, f"a value or row is longer than "
                                           f"{byte_size(length_limit(self._ingest))}; "
                                           f"{self._ingest.hint('max_field_chars')}") from None
            except sqlite3.DatabaseError as exc:
                if expired():
                    raise failures.timed_out(self.source, self._settings.timeout_s) from None
                if isinstance(exc, sqlite3.OperationalError):
                    raise failures.read_failed(self.source, shown(exc)) from None
                raise _unreadable(self.source, self._path, exc) from None


def _unreadable(source: str, path: Path, exc: sqlite3.Error) -> StocktakeError:
    return StocktakeError(f"Source '{source}': {shown(path)} is not a readable SQLite database ({shown(exc)}).",
                          Remedy("source-sqlite-file"))


def _row_hash(*values) -> int:
    """A value of 0 to 2**32 - 1 that depends only on the row's key, to pick the same sample each time."""
    return zlib.crc32(repr(values).encode())


def select_sql(table: SourceTable, plan: ReadPlan, share: float | None) -> tuple[str, tuple]:
    """The SELECT for a table and its arguments: the sample, the cursor and the limit."""
    sql = f"SELECT {', '.join(quoted(c.name) for c in table.columns)} FROM {quoted(table.name)}"
    where, args = [], []
    if share is not None:
        key = table.primary_key or tuple(c.name for c in table.columns)
        where.append(f"{_HASH}({', '.join(map(quoted, key))}) < ?")
        args.append(int(share * (1 << 32)))
    if plan.cursor and plan.after is not None:
        where.append(f"{quoted(plan.cursor)} > ?")
        column = next(c for c in table.columns if c.name == plan.cursor)
        args.append(_typed(plan.after, column.type))
    if where:
        sql += " WHERE " + " AND ".join(where)
    if plan.cursor:
        sql += f" ORDER BY {quoted(plan.cursor)}"
    return sql + (f" LIMIT {int(plan.bound)}" if plan.bound is not None else ""), tuple(args)


def _typed(after: str, declared: str) -> int | float | str:
    """The last cursor value seen (as text) as the number it was, if it was one, unless the column holds text: in
    a column without a numeric type SQLite puts every number before every text."""
    if _affinity(declared) == "TEXT":
        return after
    for kind in (int, float):
        try:
            return kind(after)
        except ValueError:
            pass
    return after


def _chunks(cursor: sqlite3.Cursor, width: int) -> list[list[pa.Array]]:
    """Each column's values, one Arrow array per batch of rows, each of the type its values have."""
    chunks: list[list[pa.Array]] = [[] for _ in range(width)]
    while batch := cursor.fetchmany(_BATCH):
        for parts, values in zip(chunks, zip(*batch)):
            parts.append(_array(values))
    return chunks


def _array(values: tuple) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # values of several kinds in one column
        return pa.array([_text(v) for v in values], pa.string())


def _text(value) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "backslashreplace")
    return None if value is None else str(value)


# SQLite's rules for a declared type's affinity, in their order: the first whose words the type contains
_AFFINITIES = ((("INT",), "INTEGER"), (("CHAR", "CLOB", "TEXT"), "TEXT"), (("BLOB",), "BLOB"),
               (("REAL", "FLOA", "DOUB"), "REAL"))


def _affinity(declared: str) -> str:
    upper = declared.upper()
    found = (name for words, name in _AFFINITIES if any(w in upper for w in words))
    return next(found, "NUMERIC" if upper.strip() else "BLOB")


_EMPTY = {"INTEGER": pa.int64(), "TEXT": pa.string(), "BLOB": pa.binary(), "REAL": pa.float64(),
          "NUMERIC": pa.float64()}


def _column(parts: list[pa.Array], declared: str) -> pa.ChunkedArray:
    """One column from its batches, which may have come out as different types."""
    kinds = {p.type for p in parts} - {pa.null()}
    if not kinds:
        arrow = _EMPTY[_affinity(declared)] if declared.strip() else pa.string()
    elif len(kinds) == 1:
        arrow = kinds.pop()
    elif kinds <= {pa.int64(), pa.float64()}:
        arrow = pa.float64()
    else:
        arrow, parts = pa.string(), [pa.array([_text(v) for v in p.to_pylist()], pa.string()) for p in parts]
    return pa.chunked_array([p.cast(arrow) for p in parts], arrow)


def _path(location: str) -> Path:
    """The file a ``sqlite://`` location names: ``sqlite:///abs/shop.db``, or ``sqlite://shop.db`` relative to the
    working folder; taken as written (no percent-decoding), so any file name can be given."""
    rest = location.partition("://")[2]
    rest = "/" + rest.lstrip("/") if rest.startswith("/") else rest
    return Path(os.path.abspath(os.path.expanduser(rest)))


def _checked(text: str, source: str) -> Path:
    """The file a location names, once it is known to be a regular file."""
    if not text.partition("://")[2].strip("/"):
        raise StocktakeError(f"Source '{source}': the URL names no database file.", Remedy("source-sqlite-file"))
    path = _path(text)
    try:
        check_regular(path)
    except StocktakeError as exc:
        raise StocktakeError(f"Source '{source}': {exc}") from None
    return path


def location(text: str, source: str) -> str:
    """``sqlite:///`` and the file's absolute path."""
    return f"sqlite://{_checked(text, source)}"


@contextmanager
def session(location: str, source: str, options: dict, settings: SourceSettings) -> Iterator[Session]:
    """A read-only session on the file; every failure is one line naming the source and what to do."""
    path, ingest = _checked(location, source), IngestSettings()
    with ExitStack() as stack:
        try:
            db = stack.enter_context(connected(path, ingest, None))
        except sqlite3.DatabaseError as exc:  # only the opening: the caller's own SQLite work is not the source's
            raise _unreadable(source, path, exc) from None
        yield Session(db, path, source, settings, ingest)
