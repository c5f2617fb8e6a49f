"""Link doc chunks to catalog assets and their columns, only where names or columns give evidence.

A doc table links to an asset when the two names are spelled alike (``orders`` = ``Orders`` = ``order``), when
their meaningful words agree or one contains the other (``olist_orders_dataset`` and ``orders``) *and* the asset
has most of the documented columns, or, with names that share nothing, when the asset has nearly all of at least
a few documented columns. A shared word alone is no evidence: a foreign data dictionary's ``olist_orders_dataset``
must not describe the shop's own ``orders``. A column chunk links only to a column the asset really has.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from stocktake.catalog import Asset, Catalog
from stocktake.tools.docs.model import Chunk, DocsSettings, name_tokens, snake, stem, table_name


def spelled(name: str) -> tuple[str, ...]:
    """A name's words, stemmed, noise words kept: ``Orders.csv`` and ``order`` agree, ``olist_orders`` does not."""
    return tuple(stem(w) for w in snake(table_name(name)).split("_") if w)


def match_asset(table: str, columns: set[str], assets: list[Asset],
                settings: DocsSettings = DocsSettings()) -> Asset | None:
    """The catalog asset a documented table (with these documented column names) describes, if any."""
    words = set(name_tokens(table))
    documented = {snake(c) for c in columns}
    best, best_score = None, 0.0
    for asset in assets:
        asset_words = set(name_tokens(asset.name))
        shared = len(documented & {snake(c.name) for c in asset.columns})
        overlap = shared / len(documented) if documented else 0.0
        columns_agree = overlap >= settings.link_min_column_overlap and shared >= settings.link_min_shared_columns
        if spelled(table) == spelled(asset.name):
            score = 3.0 + overlap
        elif words == asset_words and columns_agree:
            score = 2.0 + overlap
        elif words and asset_words and (words <= asset_words or asset_words <= words) and columns_agree:
            score = 1.0 + overlap
        elif overlap >= settings.link_columns_only and shared >= settings.link_columns_only_min:
            score = overlap
        else:
            continue
        if score > best_score:
            best, best_score = asset, score
    return best


def link_chunks(chunks: list[Chunk], catalog: Catalog | None, settings: DocsSettings = DocsSettings()) -> list[Chunk]:
    """The chunks with ``asset`` and ``asset_column`` set where a table or column matches the catalog; a column
    chunk whose column the matched asset lacks stays unlinked (still searchable, but pointing nowhere)."""
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
        column = None
        if asset is not None and chunk.column:
            column = {snake(c.name): c.name for c in asset.columns}.get(snake(chunk.column))
            asset = asset if column else None
        linked.append(replace(chunk, asset=asset.name if asset else None, asset_column=column))
    return linked
