"""The profile of one asset version on its own (everything but relations to other assets), cached as JSON
under ``cache/profiles`` keyed by asset name, content hash and the settings used. What is stored holds no
readable personal data: it is masked (stocktake.tools.profile.personal.mask_profile) before it is cached or returned."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict
from pathlib import Path

import duckdb

from stocktake.catalog import Asset, Catalog, Column
from stocktake.errors import Remedy, StocktakeError
from stocktake.files import write_atomic
from stocktake.settings import ProfileSettings
from stocktake.tools.profile.context import Context
from stocktake.tools.profile.db import SNAPSHOT, column_batches, connect, hold_in_memory, parquet_source, use_columns
from stocktake.tools.profile.issues import column_issues, text_shapes
from stocktake.tools.profile.model import ColumnProfile, TableProfile
from stocktake.tools.profile.personal import mask_profile
from stocktake.tools.profile.scan import ColumnScan, scan_table
from stocktake.tools.profile.semantic import TextShape, semantic_type
from stocktake.tools.profile.table import candidate_keys, count_duplicates, duplicate_issues, own_key, time_coverage
from stocktake.tools.profile.time_histograms import calendar_histograms
from stocktake.tools.progress import Progress, as_detail, no_progress

FORMAT = 3  # bump when the cached JSON changes shape or meaning (2: values masked as stored; 3: parsed text
# dates, calendar and per-value histograms, zero_values, keys among distinct rows)
MAX_CACHE_BYTES = 64 << 20  # a larger cache file is no profile this module wrote: it is recomputed

# The profiles already read in this request (see profiles_read_once); None outside one.
_READ: ContextVar[dict | None] = ContextVar("profiles_read", default=None)


@contextmanager
def profiles_read_once(memo: dict | None = None) -> Iterator[None]:
    """Within it each asset version's cached profile is read from disk at most once: a question, a panel refresh
    or a report reaches the same profiles through several doors, and relations need every asset's. ``memo`` is
    kept by a caller that spans several calls (the agent's tools); a scope inside another shares the outer one.
    Outside a scope every call reads the file, so a cache rewritten on disk is seen at once."""
    outer = _READ.get()
    token = _READ.set(outer if outer is not None else {} if memo is None else memo)
    try:
        yield
    finally:
        _READ.reset(token)


def local_profile(catalog: Catalog, asset: Asset, settings: ProfileSettings, use_cache: bool = True,
                  progress: Progress = no_progress) -> TableProfile:
    path = cache_path(catalog, asset, settings)
    memo = _READ.get()
    # The path names the content hash and the settings; the version too, since two may hold the same content.
    key = (path, asset.version, asset.current.content_hash)
    if use_cache and memo is not None and key in memo:
        return memo[key]
    profile = _cached_or_computed(catalog, asset, settings, path, use_cache, progress)
    if memo is not None:
        memo[key] = profile
    return profile


def _cached_or_computed(catalog: Catalog, asset: Asset, settings: ProfileSettings, path: Path, use_cache: bool,
                        progress: Progress) -> TableProfile:
    cached = read_cached_profile(path, asset) if use_cache else None
    if cached is not None:
        return cached
    try:
        profile = compute_local_profile(asset, settings, catalog.ws.dir("cache") / "duckdb-tmp", progress)
    except (duckdb.Error, OSError) as exc:
        raise StocktakeError(f"Cannot profile {asset.name} (version {asset.version}): {str(exc).splitlines()[0]} "
                             f"Its snapshot {asset.path} may be missing or damaged;", Remedy("ingest-again"),
                             asset=asset.name) from None
    write_atomic(path, json.dumps(profile.to_dict(), ensure_ascii=False, default=str))
    return profile


def read_cached_profile(path: Path, asset: Asset) -> TableProfile | None:
    """The cached profile of ``asset``, or None where there is none or the file is not one this module wrote for
    this very version (damaged, tampered with, or another asset's): then the profile is computed again."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_CACHE_BYTES:
            return None
        profile = TableProfile.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None
    counts = [profile.rows, profile.duplicate_rows, *(i.rows for i in profile.issues),
              *(n for c in profile.columns for n in (c.rows, c.non_null, c.nulls))]
    fits = (profile.asset, profile.version, profile.content_hash) == (asset.name, asset.version,
                                                                     asset.current.content_hash) \
        and [c.name for c in profile.columns] == [c.name for c in asset.columns] \
        and all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= max(asset.rows, 0) for n in counts)
    return profile if fits else None


def readable_profiles(catalog: Catalog, settings: ProfileSettings, use_cache: bool = True,
                      known: dict[str, TableProfile] | None = None,
                      progress: Progress = no_progress) -> dict[str, TableProfile]:
    """The own profiles of every asset that can be profiled (``known`` ones as given): one that cannot (a damaged
    snapshot, a table beyond the memory limit) is left out here and reports its error when it is asked about."""
    found, names = {}, catalog.names()
    for done, name in enumerate(names):
        try:
            found[name] = (known or {}).get(name) or reported_profile(catalog, catalog.get(name), settings,
                                                                      use_cache, progress, done, len(names))
        except StocktakeError:
            continue
    return found


def reported_profile(catalog: Catalog, asset: Asset, settings: ProfileSettings, use_cache: bool,
                     progress: Progress, done: int, total: int) -> TableProfile:
    """``local_profile`` as unit ``done`` of ``total`` of a progress step; a computed profile shows its phases
    on that step's line."""
    step = f"profiling {asset.name} ({asset.rows:,} rows)"
    progress(step, done, total)
    return local_profile(catalog, asset, settings, use_cache, as_detail(progress, step, done, total))


def cache_path(catalog: Catalog, asset: Asset, settings: ProfileSettings) -> Path:
    digest = hashlib.sha256(json.dumps([FORMAT, asdict(settings)], sort_keys=True).encode()).hexdigest()[:8]
    return catalog.ws.dir("cache") / "profiles" / f"{asset.name}-{asset.current.content_hash[:16]}-{digest}.json"


def compute_local_profile(asset: Asset, settings: ProfileSettings, spill_dir: Path | None = None,
                          progress: Progress = no_progress) -> TableProfile:
    """The asset's own profile; DuckDB spills to ``spill_dir`` (else to ./.tmp, its default)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con = connect(asset.path, asset.columns, settings, spill_dir)
    try:
        ctx = Context(asset.name, asset.rows, con, None, settings, now)
        source = _source(con, asset, settings)
        scans, shapes = _scan_in_batches(ctx, asset, source, progress)
        key = own_key(ctx, scans) or next((s for s in scans if s.distinct_exact and s.distinct == s.non_null
                                           and s.non_null == asset.rows and s.type in ("integer", "string")), None)
        ctx = Context(asset.name, asset.rows, con, key.name if key else None, settings, now)
        semantic = {s.name: semantic_type(s, shapes.get(s.name), s.position == 0, settings) for s in scans}
        found = []
        for batch in column_batches(scans, settings.column_batch):
            progress("issues (columns)", batch[0].position, len(scans))
            # Example rows name the row by its key, wherever the key column is.
            extra = [key] if key is not None and all(s.name != key.name for s in batch) else []
            cols = [Column(s.name, s.type) for s in [*batch, *extra]]
            use_columns(con, source, cols, row_numbers=True, materialize=source == SNAPSHOT)
            found += column_issues(ctx, batch, semantic, shapes)
        use_columns(con, source, asset.columns)
        progress("duplicate rows and keys", 0, None)
        dups = count_duplicates(ctx, scans)
        return mask_profile(TableProfile(
            asset=asset.name, version=asset.version, content_hash=asset.current.content_hash, rows=asset.rows,
            duplicate_rows=dups.rows, candidate_keys=tuple(candidate_keys(ctx, scans, semantic, dups)),
            time_coverage=time_coverage(ctx, scans), quality_score=100.0, quality_rule="",
            columns=tuple(column_profile(s, semantic[s.name], asset.rows, settings.top_values, shapes.get(s.name))
                          for s in scans),
            issues=tuple(duplicate_issues(ctx, scans, dups) + found)))
    finally:
        con.close()


def _scan_in_batches(ctx: Context, asset: Asset, source: str,
                     progress: Progress) -> tuple[list[ColumnScan], dict[str, TextShape]]:
    """Column statistics and text shapes, ``column_batch`` columns at a time (a 5,000-column table in one
    query ran DuckDB out of memory after minutes)."""
    scans, shapes = [], {}
    for batch in column_batches(asset.columns, ctx.settings.column_batch):
        progress("column statistics (columns)", len(scans), len(asset.columns))
        use_columns(ctx.con, source, batch, row_numbers=True, materialize=source == SNAPSHOT)
        got = scan_table(ctx.con, batch, asset.rows, ctx.settings, ctx.future_sql, ctx.ancient_sql, first=len(scans))
        batch_shapes = text_shapes(ctx, got)  # reads the batch's text sample, which the next batch replaces
        calendar_histograms(ctx, got, batch_shapes)
        shapes |= batch_shapes
        scans += got
    return scans, shapes


def _source(con, asset: Asset, settings: ProfileSettings) -> str:
    """Where the batches read from: a wide table small enough is copied into memory once, and each batch into a
    table of its own, which its many queries read far faster than the Parquet file."""
    wide = len(asset.columns) > settings.column_batch
    small = asset.rows * len(asset.columns) <= settings.wide_cells_in_memory
    return hold_in_memory(con, asset.path) if wide and small else parquet_source(asset.path)


def column_profile(s: ColumnScan, semantic: str, rows: int, top: int, shape: TextShape | None = None) -> ColumnProfile:
    """A text column of dates has the earliest and latest date that parse as its min and max: "00-00-0000" and
    "yesterday" sort first and last as text, and are unparseable_values."""
    nulls = rows - s.non_null
    low, high = s.min, s.max
    if s.type == "string" and semantic in ("date", "timestamp") and shape is not None and shape.first:
        low, high = (shape.first[:10], shape.last[:10]) if semantic == "date" else (shape.first, shape.last)
    return ColumnProfile(
        name=s.name, type=s.type, semantic_type=semantic, rows=rows, non_null=s.non_null, nulls=nulls,
        null_fraction=round(nulls / rows, 6) if rows else 0.0, distinct=s.distinct, distinct_exact=s.distinct_exact,
        min=low, max=high, mean=s.mean, std=s.std, quantiles=s.quantiles, quantiles_exact=s.quantiles_exact,
        top_values=tuple((s.value_counts or [])[:top]), length=s.length, histogram=s.histogram)

