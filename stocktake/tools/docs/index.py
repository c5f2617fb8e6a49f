"""Indexing schema docs and generated profile docs into the doc store; listing and removing sources."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError, UnknownNameError
from stocktake.tools.docs.chunkers import chunk_file, chunker_for
from stocktake.tools.docs.linking import link_chunks
from stocktake.tools.docs.model import Chunk, DocSource, DocsSettings, FileReport, IndexReport, humanize
from stocktake.tools.docs.profile_doc import PROFILE_PREFIX, build_profile_chunks, profile_source
from stocktake.tools.profile import MaskSettings, mask_text
from stocktake.vectorstore.store import DocStore, Record

PROFILE_DOC_FORMAT = 2  # 2: no personal values (the first format kept names, addresses and min/max values)
DOC_MASK = MaskSettings(max_chars=1_000_000)  # chunks are bounded by the chunkers; masking must not cut them

if TYPE_CHECKING:
    from stocktake.tools.profile import Relation, TableProfile


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Doc files named directly or found under folders; hidden folders and unknown formats are skipped."""
    files, skipped = [], []
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            raise StocktakeError(f"No such file or folder: {given}. Give a doc file or a folder of docs.")
        if path.is_file():
            if chunker_for(path) is None:
                raise StocktakeError(f"Cannot index {given}: supported docs are Markdown, text, README, YAML "
                                     "(dbt schema.yml), CSV data dictionaries and SQL DDL files.")
            files.append(path)
            continue
        for found in sorted(p for p in path.rglob("*") if p.is_file()):
            if any(part.startswith(".") for part in found.relative_to(path).parts):
                continue
            (files.append(found) if chunker_for(found) else skipped.append((str(found), "not a doc format")))
    return list(dict.fromkeys(files)), skipped


def store_chunks(store: DocStore, source: str, chunks: list[Chunk], metadata: dict | None = None) -> FileReport:
    """Replace the stored chunks of ``source`` with ``chunks``, their text masked by value (unchanged ones are
    kept, not re-embedded); ``metadata`` is added to each."""
    masked = [replace(c, text=mask_text(c.text, DOC_MASK)) for c in chunks]
    unique = list({c.id: c for c in masked}.values())
    result = store.sync_source(source, [Record(c.id, c.text, {**c.metadata(), **(metadata or {})}) for c in unique],
                               [humanize(c.text) for c in unique])
    return FileReport(source=source, chunks=len(unique), added=result.added, removed=result.removed,
                      unchanged=result.unchanged, linked=sum(1 for c in unique if c.asset))


def index_docs(store: DocStore, paths: Iterable[str | Path], catalog: Catalog | None = None,
               settings: DocsSettings = DocsSettings()) -> IndexReport:
    """Chunk, link and store every doc under ``paths``; re-adding is idempotent, a changed doc replaces its chunks."""
    started = time.perf_counter()
    paths = list(paths)
    files, skipped = collect_files(paths)
    given = {Path(p).expanduser() for p in paths}
    reports = []
    for path in files:
        try:
            chunks = chunk_file(path, settings)
        except StocktakeError as exc:
            if path in given:
                raise
            skipped.append((str(path), str(exc)))  # e.g. a data CSV in a folder of docs
            continue
        reports.append(store_chunks(store, str(path.resolve()), link_chunks(chunks, catalog, settings)))
    if not reports and not skipped:
        raise StocktakeError("No documentation files found in the given paths.")
    return IndexReport(files=tuple(reports), skipped=tuple(skipped), seconds=time.perf_counter() - started)


def index_profile_doc(store: DocStore, catalog: Catalog, asset_name: str, profile: TableProfile | None = None,
                      relations: Iterable[Relation] = (), settings: DocsSettings = DocsSettings()) -> IndexReport:
    """(Re)generate the doc of one asset from its catalog entry and, when given, its profile and relations."""
    started = time.perf_counter()
    report = store_chunks(store, profile_source(asset_name),
                          build_profile_chunks(catalog, asset_name, profile, relations, settings),
                          {"doc_format": PROFILE_DOC_FORMAT})
    return IndexReport(files=(report,), seconds=time.perf_counter() - started)


def refresh_profile_docs(store: DocStore, catalog: Catalog, settings: DocsSettings = DocsSettings()) -> list[str]:
    """Regenerate the profile docs of assets that gained a version since or were written by an older format
    (one that kept personal values), and drop those of removed assets."""
    indexed = {r.metadata["asset"]: (r.metadata.get("asset_version"), r.metadata.get("doc_format"))
               for r in store.records({"kind": "profile"})}
    if store.read_only:
        return []  # a read-only workspace is searched as it was indexed
    known = set(catalog.names())
    refreshed = []
    for asset, (version, doc_format) in sorted(indexed.items()):
        if asset not in known:
            store.delete_source(profile_source(asset))
            refreshed.append(asset)
        elif catalog.get(asset).version != version or doc_format != PROFILE_DOC_FORMAT:
            index_profile_doc(store, catalog, asset, settings=settings)
            refreshed.append(asset)
    return refreshed


def list_docs(store: DocStore) -> list[DocSource]:
    grouped: dict[str, list[dict]] = {}
    for record in store.records():
        grouped.setdefault(record.metadata["source"], []).append(record.metadata)
    return [
        DocSource(source=source, kind=metas[0].get("kind", "doc"), chunks=len(metas),
                  tables=tuple(sorted({m["table"] for m in metas if m.get("table")})),
                  assets=tuple(sorted({m["asset"] for m in metas if m.get("asset")})))
        for source, metas in sorted(grouped.items())
    ]


def resolve_source(store: DocStore, source: str) -> str:
    """The indexed source meant by a path, a file name, or ``profile:<asset>``."""
    known = [d.source for d in list_docs(store)]
    if source in known:
        return source
    if not source.startswith(PROFILE_PREFIX) and str(Path(source).expanduser().resolve()) in known:
        return str(Path(source).expanduser().resolve())
    tail = [k for k in known if k.endswith("/" + source.lstrip("./"))]
    if len(tail) == 1:
        return tail[0]
    if len(tail) > 1:
        raise StocktakeError(f"'{source}' matches several indexed docs: {', '.join(tail)}. Give the full path.")
    raise UnknownNameError("indexed doc", source, known)


def remove_docs(store: DocStore, source: str) -> DocSource:
    """Forget every chunk of one source (the file itself is never touched)."""
    resolved = resolve_source(store, source)
    removed = next(d for d in list_docs(store) if d.source == resolved)
    store.delete_source(resolved)
    return removed
