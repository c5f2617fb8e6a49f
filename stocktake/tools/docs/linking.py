"""Link doc chunks to catalog assets and their columns, although docs and catalog rarely spell names alike.

A doc table matches an asset when their meaningful name words agree (``orders`` = ``olist_orders_dataset``),
or when one name contains the other and the asset has most of the documented columns, or, with names that
share nothing, when the asset has nearly all of at least a few documented columns.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from stocktake.catalog import Asset, Catalog
from stocktake.tools.docs.model import Chunk, DocsSettings, name_tokens, snake


def match_asset(table: str, columns: set[str], assets: list[Asset],
                settings: DocsSettings = DocsSettings()) -> Asset | None:
    """The catalog asset a documented table (with these documented column names) describes, if any."""
    words = set(name_tokens(table))
    documented = {snake(c) for c in columns}
    best, best_score = None, 0.0
    for asset in assets:
        asset_words = set(name_tokens(asset.name))
        have = {snake(c.name) for c in asset.columns}
        overlap = len(documented & have) / len(documented) if documented else 0.0
        if words == asset_words:
            score = 2.0 + overlap
        elif words and asset_words and (words <= asset_words or asset_words <= words) and (
                not documented or overlap >= settings.link_min_column_overlap):
            score = 1.0 + overlap
        elif overlap >= settings.link_columns_only and len(documented & have) >= settings.link_columns_only_min:
            score = overlap
        else:
            continue
        if score > best_score:
            best, best_score = asset, score
    return best


def link_chunks(chunks: list[Chunk], catalog: Catalog | None, settings: DocsSettings = DocsSettings()) -> list[Chunk]:
    """The chunks with ``asset`` and ``asset_column`` set where a table or column matches the catalog."""
    assets = catalog.list_assets() if catalog is not None else []
    if not assets:
        return chunks
    columns: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks:
        if chunk.table and chunk.column:
            columns[chunk.table].add(chunk.column)
    matches = {t: match_asset(t, columns[t], assets, settings) for t in {c.table for c in chunks if c.table}}
    linked = []
    for chunk in chunks:
        asset = matches.get(chunk.table) if chunk.table else None
        if asset is None:
            linked.append(replace(chunk, asset=None, asset_column=None))
            continue
        by_name = {snake(c.name): c.name for c in asset.columns}
        column = by_name.get(snake(chunk.column)) if chunk.column else None
        linked.append(replace(chunk, asset=asset.name, asset_column=column))
    return linked
