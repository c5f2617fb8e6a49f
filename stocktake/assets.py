"""What the catalog holds: an asset, its versions and their columns, as frozen records.

``stocktake.catalog`` stores and reads them; everything that reads an asset sees these.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa

from stocktake.words import plural


def ingest_description(source: str) -> str:
    """The description an ingested asset gets until someone writes one."""
    return f"Ingested from {source}"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # integer, float, boolean, date, timestamp, string, binary, other


@dataclass(frozen=True)
class Version:
    asset: str
    version: int
    parent: int | None
    content_hash: str
    path: Path
    rows: int
    columns: tuple[Column, ...]
    note: str
    lineage: dict
    created_at: str


@dataclass(frozen=True)
class Asset:
    name: str
    kind: str
    source: str
    format: str
    description: str
    tags: tuple[str, ...]
    created_at: str
    updated_at: str
    current: Version

    @property
    def version(self) -> int:
        return self.current.version

    @property
    def rows(self) -> int:
        return self.current.rows

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.current.columns

    @property
    def path(self) -> Path:
        return self.current.path

    @property
    def origin(self) -> str:
        """Where the current version came from: "Ingested from shop/products.csv", "Cleaned from v1: 3 steps"."""
        lineage, note = self.current.lineage, self.current.note
        if lineage.get("cleaning_session"):
            steps = len(lineage.get("steps") or [])
            base = lineage.get("branched_from") or {"asset": "", "version": lineage.get("base_version")}
            origin = f"Cleaned from {base['asset'] + ' ' if base['asset'] else ''}v{base['version']}: " \
                     f"{plural(steps, 'step')} (session {lineage['cleaning_session']})"
            return origin + (f", replayed onto v{lineage['rebased_onto']}" if lineage.get("rebased_onto") else "")
        if note == "ingested":
            return ingest_description(self.source)
        return note[:1].upper() + note[1:]

    @property
    def about(self) -> str:
        """The description to show: the one given, but not the ingest's default once the current version is
        no longer the one ingested (it would name a file the version was not read from); then its origin."""
        return self.origin if self.description == ingest_description(self.source) else self.description

    def to_dict(self) -> dict:
        return {
            "name": self.name, "kind": self.kind, "source": self.source, "format": self.format,
            "description": self.description, "tags": list(self.tags),
            "rows": self.rows, "n_columns": len(self.columns),
            "columns": [asdict(c) for c in self.columns],
            "version": self.version, "content_hash": self.current.content_hash, "origin": self.origin,
            "created_at": self.created_at, "updated_at": self.updated_at,
        }


def storage_type(arrow_type: pa.DataType) -> str:
    """Our small vocabulary of storage types, from an Arrow type."""
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "float"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return "binary"
    return "other"
