"""Live sources: register a database once (its tables become assets, its declared keys and comments go into the
catalog and the docs index), sync it again later, list and forget sources.

Forgetting a source keeps its assets, every version of them, unless asked to remove them too: what was read stays
readable, profiled and cleaned as before, and only the way back to the source (its URL, schema and cursors) goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from stocktake.usecases import contracts
from stocktake.usecases.services import Services

if TYPE_CHECKING:
    from stocktake.tools.sources import SourceRecord, SyncedTable, SyncResult


def add_source(services: Services, name: str, location: str, *, tables: tuple[str, ...] = (),
               limit: int | None = None, sample: int | None = None, options: dict | None = None,
               replace: bool = False) -> SyncResult:
    """Introspect the source at ``location`` (a database URL, an API endpoint, log files) and bring in each table
    matching the ``tables`` globs (all by default); ``options`` are the connector's own."""
    from stocktake.tools.sources import add_source as add

    result = add(services.catalog, name, location, patterns=tables, limit=limit, sample=sample, options=options,
                 replace_existing=replace)
    _index_schema(services, result.source)
    contracts.check_new_version(services, *(t.asset.name for t in result.tables if t.changed))
    return result


def sync(services: Services, name: str | None = None, *, incremental: str | None = None) -> list[SyncResult]:
    """Re-read one source (every source by default), adding versions only where the content changed."""
    from stocktake.tools.sources import records, sync_source

    names = [records.get(services.catalog.ws, name).name] if name else records.names(services.catalog.ws)
    results = []
    for each in names:
        results.append(sync_source(services.catalog, each, incremental=incremental))
        _index_schema(services, results[-1].source)
        contracts.check_new_version(services, *(t.asset.name for t in results[-1].tables if t.changed))
    return results


def synced_line(t: SyncedTable) -> str:
    """What a sync did to one table, as every face says it: ``shop.orders: version 2, 120 rows read, 120 rows in
    all``."""
    read = f"{t.rows_read:,} new rows" if t.incremental else f"{t.rows_read:,} rows read"
    state = f"version {t.asset.version}" if t.changed else f"unchanged (version {t.asset.version})"
    return f"{t.asset.name}: {state}, {read}, {t.asset.rows:,} rows in all"


def read_notes(result: SyncResult, t: SyncedTable) -> tuple[str, ...]:
    """How a table was read that its line leaves out: the format detected, log lines that could not be parsed."""
    table = result.source.table(t.table)
    return table.notes if table is not None else ()


def list_sources(services: Services) -> list[SourceRecord]:
    from stocktake.tools.sources import records

    return records.all_records(services.catalog.ws)


def get_source(services: Services, name: str) -> SourceRecord:
    """One source's record; an unknown name is an error that suggests the real ones."""
    from stocktake.tools.sources import records

    return records.get(services.catalog.ws, name)


def source_kind(record: SourceRecord) -> str:
    """What the source is, in words: database, API, logs."""
    from stocktake.tools.sources.connectors import for_location

    return for_location(record.url, record.name).kind


@dataclass(frozen=True)
class RemovedSource:
    source: SourceRecord
    removed: tuple[str, ...]  # the assets removed with it (none unless asked)
    kept: tuple[str, ...]  # its assets that stay in the catalog

    def to_dict(self) -> dict:
        return {"source": self.source.name, "url": self.source.url, "assets_removed": list(self.removed),
                "assets_kept": list(self.kept)}


def remove_source(services: Services, name: str, *, with_assets: bool = False) -> RemovedSource:
    """Forget a source: its record and its schema doc go; its assets stay, every version kept, unless
    ``with_assets``, which removes them and their snapshots too."""
    from stocktake.tools.sources import records
    from stocktake.tools.sources.docs import doc_source

    record = records.get(services.catalog.ws, name)
    assets = [a for a in (record.asset_name(t.name) for t in record.tables) if services.catalog.exists(a)]
    with services.docs() as store:
        store.delete_source(doc_source(record.name))
    removed = tuple(assets) if with_assets else ()
    for asset in removed:
        services.catalog.remove(asset)
    records.remove(services.catalog.ws, record.name)
    return RemovedSource(record, removed=removed, kept=tuple(a for a in assets if a not in removed))


def _index_schema(services: Services, record: SourceRecord) -> None:
    from stocktake.tools.docs.index import store_chunks
    from stocktake.tools.sources.docs import doc_source, schema_chunks

    with services.docs() as store:
        store_chunks(store, doc_source(record.name), schema_chunks(record))
