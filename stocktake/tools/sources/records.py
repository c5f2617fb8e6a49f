"""The catalog's record of each live source: its URL (never a password), which tables it brings in and how, their
introspected schema (declared keys and comments included) and the cursor of each incremental sync.

It is a table of its own in the workspace's catalog database, created where it is first needed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace

from stocktake.catalog import Workspace, now_iso
from stocktake.errors import UnknownNameError
from stocktake.tools.sources.model import SourceTable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    name TEXT PRIMARY KEY, url TEXT NOT NULL, patterns TEXT NOT NULL, options TEXT NOT NULL,
    tables TEXT NOT NULL, cursors TEXT NOT NULL, created_at TEXT NOT NULL, synced_at TEXT NOT NULL
)"""


@dataclass(frozen=True)
class SourceRecord:
    name: str
    url: str  # as parse_url shows it: ``env:VAR`` or nothing where a password would be
    patterns: tuple[str, ...]  # the --tables globs
    limit: int | None = None
    sample: int | None = None
    tables: tuple[SourceTable, ...] = ()  # the tables chosen, as last read
    cursors: dict[str, dict] = field(default_factory=dict)  # table -> {"column": ..., "value": ...}
    options: dict = field(default_factory=dict)  # the connector's own: json_path, paginate, headers, log format…
    created_at: str = ""
    synced_at: str = ""

    def asset_name(self, table: str) -> str:
        """The asset a table of this source becomes: ``shop.orders``."""
        return f"{self.name}.{table}"

    def table(self, name: str) -> SourceTable | None:
        return next((t for t in self.tables if t.name == name), None)

    def to_dict(self) -> dict:
        return {"name": self.name, "url": self.url, "tables": [t.name for t in self.tables],
                "assets": [self.asset_name(t.name) for t in self.tables], "patterns": list(self.patterns),
                "limit": self.limit, "sample": self.sample, "options": self.options, "cursors": self.cursors,
                "created_at": self.created_at, "synced_at": self.synced_at}


def _rows(ws: Workspace, sql: str, args: tuple = ()) -> list:
    """Rows of the sources table; none where no source was ever added (a read-only workspace stays unwritten)."""
    with ws.connect() as db:
        if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sources'").fetchone() is None:
            return []
        return db.execute(sql, args).fetchall()


def names(ws: Workspace) -> list[str]:
    return [r[0] for r in _rows(ws, "SELECT name FROM sources ORDER BY name")]


def exists(ws: Workspace, name: str) -> bool:
    return name in names(ws)


def get(ws: Workspace, name: str) -> SourceRecord:
    found = _rows(ws, "SELECT * FROM sources WHERE name = ?", (name,))
    if not found:
        raise UnknownNameError("source", name, names(ws))
    row = found[0]
    options = json.loads(row["options"])
    return SourceRecord(row["name"], row["url"], tuple(json.loads(row["patterns"])), options.get("limit"),
                        options.get("sample"), tuple(SourceTable.from_dict(t) for t in json.loads(row["tables"])),
                        json.loads(row["cursors"]), options.get("options", {}), row["created_at"], row["synced_at"])


def all_records(ws: Workspace) -> list[SourceRecord]:
    return [get(ws, n) for n in names(ws)]


def save(ws: Workspace, record: SourceRecord) -> SourceRecord:
    """Write the record (replacing one of the same name), stamped as synced now."""
    stamp = now_iso()
    record = replace(record, created_at=record.created_at or stamp, synced_at=stamp)
    with ws.writing(), ws.connect() as db:
        db.execute(_SCHEMA)
        db.execute("INSERT OR REPLACE INTO sources VALUES (?,?,?,?,?,?,?,?)",
                   (record.name, record.url, json.dumps(list(record.patterns)),
                    json.dumps({"limit": record.limit, "sample": record.sample, "options": record.options}),
                    json.dumps([t.to_dict() for t in record.tables]), json.dumps(record.cursors),
                    record.created_at, record.synced_at))
    return record


def remove(ws: Workspace, name: str) -> None:
    get(ws, name)
    with ws.writing(), ws.connect() as db:
        db.execute("DELETE FROM sources WHERE name = ?", (name,))
