"""Adding a live source and syncing it: read the chosen tables in one read-only snapshot, then register a version
of each asset whose content changed (content hash), or append the rows past an incremental cursor.

Everything is read before anything is written; a failure while registering removes the versions this run added,
and the source's record is written last. So a failed add or sync leaves the catalog as it was.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import stocktake.tools.sources.records as records
from stocktake.catalog import Asset, Catalog, validate_name
from stocktake.errors import Remedy, StocktakeError
from stocktake.settings import IngestSettings, SourceSettings
from stocktake.tools.ingest import infer_kind
from stocktake.tools.sources.connectors import Session, check_options, for_location
from stocktake.tools.sources.model import ReadPlan, SourceTable
from stocktake.tools.sources.records import SourceRecord


@dataclass(frozen=True)
class SyncedTable:
    table: str
    asset: Asset
    rows_read: int  # rows that came from the source this time
    changed: bool  # a new version was added
    incremental: bool = False  # only the rows past the last cursor value were read

    def to_dict(self) -> dict:
        return {"table": self.table, "asset": self.asset.name, "version": self.asset.version,
                "rows": self.asset.rows, "rows_read": self.rows_read, "changed": self.changed,
                "incremental": self.incremental}


@dataclass(frozen=True)
class SyncResult:
    source: SourceRecord
    tables: tuple[SyncedTable, ...]

    def to_dict(self) -> dict:
        notes = {t.name: list(t.notes) for t in self.source.tables if t.notes}
        return {**self.source.to_dict(), "synced": [t.to_dict() for t in self.tables], "notes": notes}


def add_source(catalog: Catalog, name: str, location: str, *, patterns: tuple[str, ...] = (),
               limit: int | None = None, sample: int | None = None, options: dict | None = None,
               replace_existing: bool = False, settings: IngestSettings | None = None,
               source_settings: SourceSettings | None = None) -> SyncResult:
    """Register a source (a database URL, an API endpoint, log files): introspect it, read each table matching
    ``patterns`` (all by default) into an asset. ``options`` are the connector's own (json_path, paginate, …)."""
    validate_name(name)
    connector = for_location(location, name)
    options = {k: v for k, v in (options or {}).items() if v not in (None, (), [], "")}
    check_options(connector, options, name)
    if records.exists(catalog.ws, name) and not replace_existing:
        raise StocktakeError(f"A source named '{name}' already exists.", Remedy("source-replace", name=name))
    record = SourceRecord(name, connector.location(location, name), tuple(patterns) or ("*",), limit, sample,
                          options=options)
    settings = settings or IngestSettings()
    with _session(record, source_settings) as s:
        chosen = choose(name, s.schema(), record.patterns)
        record = replace(record, tables=tuple(chosen))
        _check_free(catalog, record, replace_existing)
        read = {t.name: _read(s, record, t, ReadPlan(limit, sample), settings) for t in chosen}
    return _register(catalog, record, read)


def sync_source(catalog: Catalog, name: str, *, incremental: str | None = None,
                settings: IngestSettings | None = None, source_settings: SourceSettings | None = None) -> SyncResult:
    """Read the source again; a table whose content is unchanged gets no new version. With ``incremental``, only
    rows whose value in that column is past the last one seen are read, and appended to the latest version."""
    record = records.get(catalog.ws, name)
    settings = settings or IngestSettings()
    with _session(record, source_settings) as s:
        now = {t.name: t for t in s.schema()}
        _check_cursor(record, now, incremental)
        read = {}
        for before in record.tables:
            table = _unchanged_schema(record, before, now.get(before.name))
            read[table.name] = _read(s, record, table, _plan(record, table, incremental), settings)
        record = replace(record, tables=tuple(now[t.name] for t in record.tables))
    return _register(catalog, record, read)


def _session(record: SourceRecord, settings: SourceSettings | None):
    return for_location(record.url, record.name).session(record.url, record.name, record.options,
                                                         settings or SourceSettings())


def choose(source: str, tables: list[SourceTable], patterns: tuple[str, ...]) -> list[SourceTable]:
    """The tables whose name matches one of the glob ``patterns``; a pattern that matches none is an error."""
    for pattern in patterns:
        if not any(fnmatch.fnmatchcase(t.name, pattern) for t in tables):
            listed = ", ".join(t.name for t in tables[:20]) or "none"
            raise StocktakeError(f"Source '{source}': no table matches '{pattern}'. Tables: {listed}.",
                                 Remedy("source-tables"))
    return [t for t in tables if any(fnmatch.fnmatchcase(t.name, p) for p in patterns)]


def _check_free(catalog: Catalog, record: SourceRecord, replacing: bool) -> None:
    taken = [record.asset_name(t.name) for t in record.tables if catalog.exists(record.asset_name(t.name))]
    if taken and not replacing:
        raise StocktakeError(f"Source '{record.name}': an asset named '{taken[0]}' already exists.",
                             Remedy("source-replace", name=record.name), asset=taken[0])


def _unchanged_schema(record: SourceRecord, before: SourceTable, now: SourceTable | None) -> SourceTable:
    if now is None:
        raise StocktakeError(f"Source '{record.name}': table '{before.name}' is no longer there (or no longer "
                             "readable), so nothing was synced.", Remedy("source-readd", name=record.name))
    if now.shape() != before.shape():
        old, new = dict(before.shape()), dict(now.shape())
        changes = [f"drops {c}" for c in old if c not in new] + [f"adds {c}" for c in new if c not in old] + \
                  [f"{c} is now {new[c]}" for c in old if c in new and new[c] != old[c]]
        raise StocktakeError(f"Source '{record.name}': table '{before.name}' changed its columns since the last "
                             f"sync ({'; '.join(changes) or 'reordered'}), so nothing was synced.",
                             Remedy("source-readd", name=record.name))
    return now


def _check_cursor(record: SourceRecord, now: dict[str, SourceTable], column: str | None) -> None:
    if column and not any(column in {c.name for c in now[t.name].columns} for t in record.tables if t.name in now):
        raise StocktakeError(f"Source '{record.name}': no table has a column '{column}' to sync incrementally by.",
                             Remedy("source-cursor"), column=column)


def _plan(record: SourceRecord, table: SourceTable, incremental: str | None) -> ReadPlan:
    """Tables without the cursor column are read whole (and versioned by content hash)."""
    if incremental is None or incremental not in {c.name for c in table.columns}:
        return ReadPlan(record.limit, record.sample)
    seen = record.cursors.get(table.name, {})
    after = seen.get("value") if seen.get("column") == incremental else None
    return ReadPlan(cursor=incremental, after=after)


def _read(s: Session, record: SourceRecord, table: SourceTable, plan: ReadPlan,
          settings: IngestSettings) -> tuple[pa.Table, ReadPlan]:
    arrow = s.read(table, plan)
    if arrow.num_rows > settings.max_rows:
        raise StocktakeError(f"Source '{record.name}': table '{table.name}' has more than {settings.max_rows:,} "
                             f"rows ({settings.hint('max_rows')}).", Remedy("source-limit"))
    return arrow, plan


def _register(catalog: Catalog, record: SourceRecord, read: dict[str, tuple[pa.Table, ReadPlan]]) -> SyncResult:
    done, synced, cursors = [], [], dict(record.cursors)
    try:
        for table in record.tables:
            arrow, plan = read[table.name]
            synced.append(_store(catalog, record, table, arrow, plan, done))
            if plan.cursor:
                cursors[table.name] = _cursor(pq.read_table(synced[-1].asset.path, columns=[plan.cursor]),
                                              plan.cursor, plan)
        record = records.save(catalog.ws, replace(record, cursors=cursors))
    except BaseException:
        for name, version in reversed(done):
            if version == 1:
                catalog.remove(name)
            else:
                catalog.drop_version(name, version)
        raise
    return SyncResult(record, tuple(synced))


def _store(catalog: Catalog, record: SourceRecord, table: SourceTable, arrow: pa.Table, plan: ReadPlan,
           done: list[tuple[str, int]]) -> SyncedTable:
    name = record.asset_name(table.name)
    before = catalog.get(name) if catalog.exists(name) else None
    rows_read = arrow.num_rows
    if before is not None and plan.after is not None:
        kept = pq.read_table(before.path)
        arrow = pa.concat_tables([kept, arrow.cast(kept.schema)])
    description = table.comment or f"Table {table.name} of the source {record.name}"
    if before is None:
        asset = catalog.register(name, arrow, kind=infer_kind(arrow.column_names), source=record.url,
                                 fmt=for_location(record.url, record.name).fmt, description=description)
    else:
        note = f"synced from {record.name}" + (f" ({rows_read:,} new rows)" if plan.after is not None else "")
        asset = catalog.add_version(name, arrow, note=note, source=record.url, if_changed=True)
        if table.comment and before.description != table.comment:
            asset = catalog.update_info(name, description=table.comment)
    changed = before is None or asset.version != before.version
    if changed:
        done.append((name, asset.version))
    return SyncedTable(table.name, asset, rows_read, changed, plan.after is not None)


def _cursor(arrow: pa.Table, column: str, plan: ReadPlan) -> dict:
    """The last value seen in the cursor column, as text the source compares with the column's own type."""
    top = pc.max(arrow[column]).as_py() if arrow.num_rows else None
    value = plan.after if top is None else (top.isoformat() if hasattr(top, "isoformat") else str(top))
    return {"column": column, "value": value}
