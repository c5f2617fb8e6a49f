"""The profile of one asset version on its own (everything but relations to other assets), cached as JSON
under ``cache/profiles`` keyed by asset name, content hash and the settings used. What is stored holds no
readable personal data: it is masked (stocktake.tools.personal.mask_profile) before it is cached or returned."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

from stocktake.catalog import Asset, Catalog
from stocktake.settings import ProfileSettings
from stocktake.tools.personal import mask_profile
from stocktake.tools.profile_issues import Context, column_issues, text_shapes
from stocktake.tools.profile_model import ColumnProfile, TableProfile
from stocktake.tools.profile_scan import ColumnScan, connect, scan_table
from stocktake.tools.profile_semantic import semantic_type
from stocktake.tools.profile_table import (candidate_keys, count_duplicates, duplicate_issues, own_key,
                                           time_coverage)

FORMAT = 2  # bump when the cached JSON changes shape or meaning (2: values masked as stored)


def local_profile(catalog: Catalog, asset: Asset, settings: ProfileSettings, use_cache: bool = True) -> TableProfile:
    path = cache_path(catalog, asset, settings)
    if use_cache and path.is_file():
        return TableProfile.from_dict(json.loads(path.read_text()))
    profile = compute_local_profile(asset, settings)
    _write_atomic(path, json.dumps(profile.to_dict(), ensure_ascii=False, default=str))
    return profile


def cache_path(catalog: Catalog, asset: Asset, settings: ProfileSettings) -> Path:
    digest = hashlib.sha256(json.dumps([FORMAT, asdict(settings)], sort_keys=True).encode()).hexdigest()[:8]
    return catalog.ws.dir("cache") / "profiles" / f"{asset.name}-{asset.current.content_hash[:16]}-{digest}.json"


def compute_local_profile(asset: Asset, settings: ProfileSettings) -> TableProfile:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con = connect(asset.path, asset.columns, settings)
    try:
        ctx = Context(asset.name, asset.rows, con, asset.path, None, settings, now)
        scans = scan_table(con, asset.path, asset.columns, asset.rows, settings, ctx.future_sql, ctx.ancient_sql)
        key = own_key(ctx, scans) or next((s for s in scans if s.distinct_exact and s.distinct == s.non_null
                                           and s.non_null == asset.rows and s.type in ("integer", "string")), None)
        ctx = Context(asset.name, asset.rows, con, asset.path, key.name if key else None, settings, now)
        shapes = text_shapes(ctx, scans)
        semantic = {s.name: semantic_type(s, shapes.get(s.name), i == 0, settings)
                    for i, s in enumerate(scans)}
        dups = count_duplicates(ctx, scans)
        issues = duplicate_issues(ctx, scans, dups) + column_issues(ctx, scans, semantic, shapes)
        return mask_profile(TableProfile(
            asset=asset.name, version=asset.version, content_hash=asset.current.content_hash, rows=asset.rows,
            duplicate_rows=dups.rows, candidate_keys=tuple(candidate_keys(ctx, scans, dups)),
            time_coverage=time_coverage(ctx, scans), quality_score=100.0, quality_rule="",
            columns=tuple(column_profile(s, semantic[s.name], asset.rows, settings.top_values) for s in scans),
            issues=tuple(issues)))
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
