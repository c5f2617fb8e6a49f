"""The profile of one asset version on its own (everything but relations to other assets), cached as JSON
under ``cache/profiles`` keyed by asset name, content hash and the settings used."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

from stocktake.catalog import Asset, Catalog
from stocktake.settings import ProfileSettings
from stocktake.tools.profile_issues import Context, column_issues, text_shapes
from stocktake.tools.profile_model import ColumnProfile, TableProfile
from stocktake.tools.profile_scan import ColumnScan, connect, scan_table
from stocktake.tools.profile_semantic import semantic_type
from stocktake.tools.profile_table import (candidate_keys, count_duplicates, duplicate_issues, own_key,
                                           time_coverage)
from stocktake.tools.progress import Progress, no_progress

FORMAT = 1  # bump when the cached JSON changes shape or meaning
MAX_CACHE_BYTES = 64 << 20  # a larger cache file is no profile this module wrote: it is recomputed


def local_profile(catalog: Catalog, asset: Asset, settings: ProfileSettings, use_cache: bool = True,
                  progress: Progress = no_progress) -> TableProfile:
    path = cache_path(catalog, asset, settings)
    cached = read_cached_profile(path, asset) if use_cache else None
    if cached is not None:
        return cached
    profile = compute_local_profile(asset, settings, progress)
    _write_atomic(path, json.dumps(profile.to_dict(), ensure_ascii=False, default=str))
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


def cache_path(catalog: Catalog, asset: Asset, settings: ProfileSettings) -> Path:
    digest = hashlib.sha256(json.dumps([FORMAT, asdict(settings)], sort_keys=True).encode()).hexdigest()[:8]
    return catalog.ws.dir("cache") / "profiles" / f"{asset.name}-{asset.current.content_hash[:16]}-{digest}.json"


_PHASES = ("column statistics", "text shapes", "duplicate rows", "issues", "keys")


def compute_local_profile(asset: Asset, settings: ProfileSettings, progress: Progress = no_progress) -> TableProfile:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con = connect(asset.path, asset.columns, settings)

    def phase(done: int) -> None:
        progress(f"{asset.rows:,} rows · {_PHASES[done]}", done, len(_PHASES))

    try:
        ctx = Context(asset.name, asset.rows, con, asset.path, None, settings, now)
        phase(0)
        scans = scan_table(con, asset.path, asset.columns, asset.rows, settings, ctx.future_sql, ctx.ancient_sql)
        key = own_key(ctx, scans) or next((s for s in scans if s.distinct_exact and s.distinct == s.non_null
                                           and s.non_null == asset.rows and s.type in ("integer", "string")), None)
        ctx = Context(asset.name, asset.rows, con, asset.path, key.name if key else None, settings, now)
        phase(1)
        shapes = text_shapes(ctx, scans)
        semantic = {s.name: semantic_type(s, shapes.get(s.name), i == 0, settings)
                    for i, s in enumerate(scans)}
        phase(2)
        dups = count_duplicates(ctx, scans)
        phase(3)
        issues = duplicate_issues(ctx, scans, dups) + column_issues(ctx, scans, semantic, shapes)
        phase(4)
        return TableProfile(
            asset=asset.name, version=asset.version, content_hash=asset.current.content_hash, rows=asset.rows,
            duplicate_rows=dups.rows, candidate_keys=tuple(candidate_keys(ctx, scans, dups)),
            time_coverage=time_coverage(ctx, scans), quality_score=100.0, quality_rule="",
            columns=tuple(column_profile(s, semantic[s.name], asset.rows, settings.top_values) for s in scans),
            issues=tuple(issues))
    finally:
        con.close()


def column_profile(s: ColumnScan, semantic: str, rows: int, top: int) -> ColumnProfile:
    nulls = rows - s.non_null
    return ColumnProfile(
        name=s.name, type=s.type, semantic_type=semantic, rows=rows, non_null=s.non_null, nulls=nulls,
        null_fraction=round(nulls / rows, 6) if rows else 0.0, distinct=s.distinct, distinct_exact=s.distinct_exact,
        min=s.min, max=s.max, mean=s.mean, std=s.std, quantiles=s.quantiles, quantiles_exact=s.quantiles_exact,
        top_values=tuple((s.value_counts or [])[:top]), length=s.length, histogram=s.histogram)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
