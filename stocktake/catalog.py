"""The workspace catalog: registered assets and their immutable Parquet versions, in SQLite.

Every table that enters Stocktake, or that a change produces, becomes a new Parquet snapshot with a
content hash and a parent version. Snapshots are never rewritten; the catalog row is written last,
inside a transaction, so a failure part-way leaves the workspace as it was.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from stocktake.assets import Asset, Column, Version, ingest_description, storage_type
from stocktake.errors import Remedy, StocktakeError, UnknownNameError
from stocktake.settings import DEFAULT_WORKSPACE, resolve_workspace

# The records live in stocktake.assets; they are named here too, where every caller has always found them.
__all__ = ["KINDS", "Asset", "Catalog", "Column", "Version", "Workspace", "file_hash", "ingest_description",
           "now_iso", "read_only_error", "storage_type", "validate_name", "write_refusal"]

KINDS = ("users", "products", "orders", "order_items", "events", "reviews", "other")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS assets (
    name TEXT PRIMARY KEY, kind TEXT NOT NULL, source TEXT NOT NULL, format TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    asset TEXT NOT NULL REFERENCES assets(name) ON DELETE CASCADE,
    version INTEGER NOT NULL, parent INTEGER, content_hash TEXT NOT NULL, path TEXT NOT NULL,
    rows INTEGER NOT NULL, columns TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
    lineage TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL,
    PRIMARY KEY (asset, version)
);
CREATE TABLE IF NOT EXISTS models (
    id TEXT PRIMARY KEY, task TEXT NOT NULL, algorithm TEXT NOT NULL, asset TEXT NOT NULL,
    asset_version INTEGER, path TEXT NOT NULL, metrics TEXT NOT NULL, params TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


_SUBFOLDERS = ("snapshots", "models", "chroma", "sessions", "reports", "cache")


class Workspace:
    """One folder that holds all state: catalog, snapshots, models, index, sessions, reports.

    ``create=False`` opens an existing workspace only, so that a mistyped ``--workspace`` given to a
    command that only reads is reported instead of leaving an empty workspace behind.
    """

    def __init__(self, root: str | Path | None = None, *, create: bool = True):
        self.root = resolve_workspace(root)
        self.db_path = self.root / "catalog.sqlite"
        if self.root.exists() and not self.root.is_dir():
            raise StocktakeError(f"Workspace {self.root} is a file, not a folder:", Remedy("workspace-folder"),
                                 file=str(self.root))
        try:
            if not self.db_path.exists():
                _check_new_workspace(self.root, create)
            for sub in _SUBFOLDERS:
                (self.root / sub).mkdir(parents=True, exist_ok=True)
            with self.connect() as db:
                db.executescript(_SCHEMA)
        except (OSError, sqlite3.OperationalError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise StocktakeError(f"Cannot use {self.root} as the workspace ({reason}):", Remedy("writable-folder"),
                                 file=str(self.root)) from None

    def dir(self, name: str) -> Path:
        return self.root / name

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Around writes: one that the file system refuses (read-only, no permission) becomes one line."""
        try:
            yield
        except (OSError, sqlite3.Error) as exc:
            reason = write_refusal(exc)
            if reason is None:
                raise
            raise read_only_error(self.root, reason) from None

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.db_path, timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA foreign_keys = ON")
        try:
            with db:
                yield db
        finally:
            db.close()


def write_refusal(exc: BaseException) -> str | None:
    """Why a write failed, where the folder or file system refused it (read-only, no permission); else None."""
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror or str(exc)
    text = str(exc).lower()
    if "readonly database" in text or "read-only file system" in text:
        return "its database is read-only"
    return None


def read_only_error(root: Path, reason: str) -> StocktakeError:
    return StocktakeError(f"Cannot write to the workspace {root} ({reason}), so nothing was changed.",
                          Remedy("writable-workspace"), file=str(root))


def _writes(method):
    """A catalog method that writes: refused writes become one line naming the workspace."""
    @functools.wraps(method)
    def wrapper(self: Catalog, *args, **kwargs):
        with self.ws.writing():
            return method(self, *args, **kwargs)
    return wrapper


def _check_new_workspace(root: Path, create: bool) -> None:
    """Refuse to start a workspace where one is not wanted: for a command that only reads, or among other files."""
    if not create:
        first = Remedy("ingest-first") if root == resolve_workspace() else Remedy("ingest-first-in", root=root)
        raise StocktakeError(f"No workspace at {root} yet:", first, file=str(root))
    others = sorted(p.name for p in root.iterdir() if p.name not in _SUBFOLDERS and not p.name.startswith(".")) \
        if root.is_dir() else []
    if others:
        listed = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise StocktakeError(f"{root} holds other files ({listed}) but no Stocktake catalog:",
                             Remedy("empty-workspace", path=root / DEFAULT_WORKSPACE), file=str(root))


class Catalog:
    """Registered assets and their versions."""

    def __init__(self, workspace: Workspace | str | Path | None = None):
        self.ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)

    # ---- reading -------------------------------------------------------------------------
    def names(self) -> list[str]:
        with self.ws.connect() as db:
            return [r["name"] for r in db.execute("SELECT name FROM assets ORDER BY name")]

    def exists(self, name: str) -> bool:
        with self.ws.connect() as db:
            return db.execute("SELECT 1 FROM assets WHERE name = ?", (name,)).fetchone() is not None

    def list_assets(self) -> list[Asset]:
        return [self.get(n) for n in self.names()]

    def get(self, name: str, version: int | None = None) -> Asset:
        with self.ws.connect() as db:
            row = db.execute("SELECT * FROM assets WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise UnknownNameError("asset", name, self.names())
            current = self._version(db, name, version)
        return Asset(
            name=row["name"], kind=row["kind"], source=row["source"], format=row["format"],
            description=row["description"], tags=tuple(json.loads(row["tags"])),
            created_at=row["created_at"], updated_at=row["updated_at"], current=current,
        )

    def versions(self, name: str) -> list[Version]:
        self.get(name)
        with self.ws.connect() as db:
            rows = db.execute(
                "SELECT * FROM versions WHERE asset = ? ORDER BY version", (name,)
            ).fetchall()
        return [self._to_version(r) for r in rows]

    def path(self, name: str, version: int | None = None) -> Path:
        """The Parquet snapshot of an asset version (the latest by default)."""
        return self.get(name, version).path

    def load(self, name: str, version: int | None = None, columns: list[str] | None = None) -> pd.DataFrame:
        return pd.read_parquet(self.path(name, version), columns=columns)

    def _version(self, db: sqlite3.Connection, name: str, version: int | None) -> Version:
        if version is None:
            row = db.execute(
                "SELECT * FROM versions WHERE asset = ? ORDER BY version DESC LIMIT 1", (name,)
            ).fetchone()
        else:
            row = db.execute(
                "SELECT * FROM versions WHERE asset = ? AND version = ?", (name, version)
            ).fetchone()
            if row is None:
                known = [str(r[0]) for r in db.execute("SELECT version FROM versions WHERE asset = ?", (name,))]
                raise UnknownNameError(f"version of '{name}'", str(version), known)
        return self._to_version(row)

    def _to_version(self, row: sqlite3.Row) -> Version:
        return Version(
            asset=row["asset"], version=row["version"], parent=row["parent"],
            content_hash=row["content_hash"], path=self.ws.root / row["path"], rows=row["rows"],
            columns=tuple(Column(**c) for c in json.loads(row["columns"])), note=row["note"],
            lineage=json.loads(row["lineage"]), created_at=row["created_at"],
        )

    # ---- writing -------------------------------------------------------------------------
    @_writes
    def register(
        self, name: str, table: pa.Table | pd.DataFrame, *, kind: str, source: str, fmt: str,
        description: str = "", tags: tuple[str, ...] = (), replace: bool = False, note: str = "ingested",
    ) -> Asset:
        """Register a new asset, or with ``replace`` add a new version of an existing one."""
        validate_name(name)
        if kind not in KINDS:
            raise StocktakeError(f"Unknown kind '{kind}'. Use one of: {', '.join(KINDS)}.")
        if self.exists(name):
            if not replace:
                raise StocktakeError(f"An asset named '{name}' already exists.", Remedy("replace-or-rename"),
                                     asset=name)
            return self.add_version(name, table, note=note, source=source, kind=kind, if_changed=True)
        stamp = now_iso()
        with self._snapshot(name, table) as (rel, digest, arrow):
            with self.ws.connect() as db:
                db.execute(
                    "INSERT INTO assets VALUES (?,?,?,?,?,?,?,?)",
                    (name, kind, source, fmt, description, json.dumps(list(tags)), stamp, stamp),
                )
                self._insert_version(db, name, 1, None, digest, rel, arrow, note, {}, stamp)
        return self.get(name)

    @_writes
    def add_version(
        self, name: str, table: pa.Table | pd.DataFrame, *, note: str, lineage: dict | None = None,
        parent: int | None = None, source: str | None = None, kind: str | None = None, if_changed: bool = False,
    ) -> Asset:
        """Write a changed table as a new version; ``parent`` defaults to the latest version.

        With ``if_changed``, a table identical to the latest version adds no version: the latest is
        returned as it is (re-ingesting an unchanged file should not grow the history).
        """
        current = self.get(name)
        parent = current.version if parent is None else parent
        stamp = now_iso()
        with self._snapshot(name, table) as (rel, digest, arrow), self.ws.connect() as db:
            if if_changed and digest == current.current.content_hash and parent == current.version:
                db.execute("UPDATE assets SET source = ?, kind = ? WHERE name = ?",
                           (source or current.source, kind or current.kind, name))
            else:
                latest = db.execute("SELECT MAX(version) FROM versions WHERE asset = ?", (name,)).fetchone()[0]
                self._insert_version(db, name, latest + 1, parent, digest, rel, arrow, note, lineage or {}, stamp)
                db.execute(
                    "UPDATE assets SET updated_at = ?, source = ?, kind = ? WHERE name = ?",
                    (stamp, source or current.source, kind or current.kind, name),
                )
        return self.get(name)

    @_writes
    def update_info(self, name: str, *, description: str | None = None, tags: tuple[str, ...] | None = None,
                    kind: str | None = None) -> Asset:
        asset = self.get(name)
        if kind is not None and kind not in KINDS:
            raise StocktakeError(f"Unknown kind '{kind}'. Use one of: {', '.join(KINDS)}.")
        with self.ws.connect() as db:
            db.execute(
                "UPDATE assets SET description = ?, tags = ?, kind = ?, updated_at = ? WHERE name = ?",
                (asset.description if description is None else description,
                 json.dumps(list(asset.tags if tags is None else tags)),
                 kind or asset.kind, now_iso(), name),
            )
        return self.get(name)

    @_writes
    def remove(self, name: str) -> None:
        """Forget an asset and delete its snapshots (the user's source files are never touched)."""
        self.get(name)
        with self.ws.connect() as db:
            db.execute("DELETE FROM versions WHERE asset = ?", (name,))
            db.execute("DELETE FROM assets WHERE name = ?", (name,))
        shutil.rmtree(self.ws.dir("snapshots") / name, ignore_errors=True)

    @_writes
    def drop_version(self, name: str, version: int) -> None:
        """Undo a version that was just added (used to roll back a multi-table ingest)."""
        doomed = self.get(name, version)
        with self.ws.connect() as db:
            db.execute("DELETE FROM versions WHERE asset = ? AND version = ?", (name, version))
            shared = db.execute("SELECT 1 FROM versions WHERE path = ?",
                                (str(doomed.path.relative_to(self.ws.root)),)).fetchone()
        if shared is None:
            doomed.path.unlink(missing_ok=True)

    def _insert_version(self, db, name, version, parent, digest, rel, arrow: pa.Table, note, lineage, stamp):
        columns = [{"name": f.name, "type": storage_type(f.type)} for f in arrow.schema]
        db.execute(
            "INSERT INTO versions VALUES (?,?,?,?,?,?,?,?,?,?)",
            (name, version, parent, digest, rel, arrow.num_rows, json.dumps(columns), note,
             json.dumps(lineage, default=str), stamp),
        )

    @contextmanager
    def _snapshot(self, name: str, table: pa.Table | pd.DataFrame) -> Iterator[tuple[str, str, pa.Table]]:
        """Write the table to a content-addressed Parquet file; remove it again if the caller fails."""
        arrow = table if isinstance(table, pa.Table) else pa.Table.from_pandas(table, preserve_index=False)
        arrow = arrow.replace_schema_metadata(None)
        folder = self.ws.dir("snapshots") / name
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=".parquet.tmp", dir=folder)
        os.close(fd)
        final: Path | None = None
        try:
            pq.write_table(arrow, tmp, compression="zstd")
            digest = file_hash(Path(tmp))
            final = folder / f"{digest[:16]}.parquet"
            created = not final.exists()
            if created:
                os.replace(tmp, final)
            else:
                os.unlink(tmp)
            yield str(final.relative_to(self.ws.root)), digest, arrow
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            if final is not None and created:
                final.unlink(missing_ok=True)
            if not any(folder.iterdir()):
                folder.rmdir()
            raise


_MAX_NAME_BYTES = 200  # an asset's snapshots live in a folder named after it


def validate_name(name: str) -> None:
    if not name or not all(c.isalnum() or c in "_-." for c in name) or name.startswith("."):
        raise StocktakeError(f"Invalid asset name '{name}':", ("use letters, digits, '_', '-' or '.' (", _EXAMPLE, ")"),
                             asset=name)
    if len(name.encode()) > _MAX_NAME_BYTES:
        raise StocktakeError(f"Asset name '{name[:40]}…' is too long:",
                             (f"use at most {_MAX_NAME_BYTES} bytes (", _EXAMPLE, ")"), asset=name)


_EXAMPLE = Remedy("name-example", name="orders_2024")


def file_hash(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()
