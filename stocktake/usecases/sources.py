"""Live sources: register a database once (its tables become assets, its declared keys and comments go into the
catalog and the docs index), sync it again later, list and forget sources."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stocktake.usecases import contracts
from stocktake.usecases.services import Services

if TYPE_CHECKING:
    from stocktake.tools.sources import SourceRecord, SyncResult


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


def list_sources(services: Services) -> list[SourceRecord]:
    from stocktake.tools.sources import records

    return records.all_records(services.catalog.ws)


def _index_schema(services: Services, record: SourceRecord) -> None:
    from stocktake.tools.docs.index import store_chunks
    from stocktake.tools.sources.docs import doc_source, schema_chunks

    with services.docs() as store:
        store_chunks(store, doc_source(record.name), schema_chunks(record))
