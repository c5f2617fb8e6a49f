"""What the planner knows about the catalog: assets, columns with their meaning, keys, joins and values.

Built from the catalog, the cached profiles and the relationships the profiler found; the values of category
columns (what "delivered" or "São Paulo" can be) are read from the snapshots the first time a question needs
them and cached per snapshot, so a question costs no scan of the data.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from stocktake.catalog import Catalog
from stocktake.files import write_cache
from stocktake.tools.ask.text import fold, name_words
from stocktake.tools.ask.vocab import GENERIC_NAME_WORDS, entity_words_for, root

VALUES_VERSION = 2  # of the cached values: 2 splits list columns
VALUE_SEMANTICS = ("category", "geo", "boolean", "other", "text", "rating", "foreign_key", "identifier")


@dataclass(frozen=True)
class ColumnInfo:
    asset: str
    name: str
    type: str  # storage type
    semantic: str
    rows: int
    nulls: int
    distinct: int | None
    minimum: object = None
    maximum: object = None
    top_values: tuple = ()
    words: tuple[str, ...] = ()  # folded words of the name
    separator: str | None = None  # "Comedy|Drama": several values in one cell, split on this

    @property
    def numeric(self) -> bool:
        return self.type in ("integer", "float")

    @property
    def temporal(self) -> bool:
        """Dates and timestamps, and text columns that mostly hold dates (read with TRY_CAST)."""
        return self.type in ("date", "timestamp") or self.type == "string" and self.semantic in ("date", "timestamp")

    @property
    def flag(self) -> bool:
        """A yes/no column: boolean, or numbers that are only 0 and 1."""
        return self.type == "boolean" or self.numeric and self.minimum == 0 and self.maximum == 1 and \
            (self.distinct or 0) <= 2

    @property
    def id_like(self) -> bool:
        return self.semantic in ("identifier", "foreign_key") or (bool(self.words) and self.words[-1] in
                                                                 ("id", "key", "code", "no", "number", "sku"))


@dataclass(frozen=True)
class AssetInfo:
    name: str
    kind: str
    rows: int
    path: Path
    content_hash: str
    columns: tuple[ColumnInfo, ...]
    key: str | None  # the column that names one row, if any
    time_column: str | None  # the main date or timestamp column
    words: tuple[str, ...]  # folded name words without generic ones ("olist", "dataset")
    entity: tuple[str, ...]  # roots of the words that name one row: order, customer, ...
    duplicate_rows: int = 0  # rows that exactly repeat an earlier row

    def column(self, name: str) -> ColumnInfo | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True)
class Edge:
    """A many-to-one link: each child row points to at most one parent row (``one_to_one`` both ways)."""
    child: str
    child_column: str
    parent: str
    parent_column: str
    one_to_one: bool = False
    orphans: int = 0


@dataclass(frozen=True)
class Hop:
    """One join of a path: from ``edge``'s child to its parent (``forward``) or back (fans out)."""
    edge: Edge
    forward: bool

    @property
    def source(self) -> str:
        return self.edge.child if self.forward else self.edge.parent

    @property
    def target(self) -> str:
        return self.edge.parent if self.forward else self.edge.child

    @property
    def fans_out(self) -> bool:
        return not self.forward and not self.edge.one_to_one


@dataclass
class SchemaIndex:
    catalog: Catalog
    assets: dict[str, AssetInfo]
    edges: tuple[Edge, ...]
    value_limit: int = 5_000  # columns with more distinct values are not read for value matching
    _values: dict = field(default_factory=dict, repr=False)

    def column(self, asset: str, name: str) -> ColumnInfo:
        info = self.assets[asset].column(name)
        if info is None:
            raise KeyError(f"{asset}.{name}")
        return info

    def key_repeats(self, asset: str, column: str) -> tuple[bool, bool]:
        """(repeats at all, repeats once exact copies of rows are dropped) for a join key."""
        c = self.column(asset, column)
        if c.distinct is None:
            return False, False
        extra = c.rows - c.nulls - c.distinct
        return extra > 0, extra > self.assets[asset].duplicate_rows

    def path(self, source: str, target: str, max_hops: int = 3) -> tuple[Hop, ...] | None:
        """The shortest join path, preferring paths that never fan out (many-to-one all the way)."""
        if source == target:
            return ()
        best = None
        queue = deque([(source, ())])
        seen = {source: 0}
        while queue:
            at, hops = queue.popleft()
            if len(hops) >= max_hops:
                continue
            for edge in self.edges:
                for forward in (True, False):
                    hop = Hop(edge, forward)
                    if hop.source != at or any(h.edge == edge for h in hops):
                        continue
                    route = (*hops, hop)
                    if hop.target == target:
                        if best is None or _worse(best, route):
                            best = route
                        continue
                    if seen.get(hop.target, max_hops + 1) >= len(route):
                        seen[hop.target] = len(route)
                        queue.append((hop.target, route))
        return best

    def values(self, asset: str, column: str) -> dict[str, tuple[object, int]]:
        """The column's values by folded text ("sao paulo" -> ("São Paulo", 120)); empty for wide-open columns."""
        key = (asset, column)
        if key not in self._values:
            self._values.update(self._load_values(self.assets[asset]))
        return self._values.get(key, {})

    def _load_values(self, info: AssetInfo) -> dict:
        cache = self.catalog.ws.dir("cache") / "ask-values" / f"{info.content_hash}-{VALUES_VERSION}.json"
        try:
            raw = json.loads(cache.read_text())
        except (OSError, ValueError):
            raw = read_values(info, self.value_limit)
            write_cache(cache, json.dumps(raw))
        out = {}
        for column, pairs in (raw if isinstance(raw, dict) else {}).items():
            if isinstance(pairs, list):
                values: dict = {}
                for v, n in pairs:  # most frequent first: a rarer spelling never replaces the usual one
                    if isinstance(n, (int, float)) and v is not None:
                        values.setdefault(fold(str(v)), (v, int(n)))
                out[(info.name, column)] = values
        return out

    def last_date(self, asset: str, column: str):
        """The column's latest date: the anchor of "last month". Text columns of dates are read with TRY_CAST,
        so a stray "yesterday" or "00-00-0000" is no date at all."""
        from stocktake.tools.ask.dates import anchor_of

        key = ("last", asset, column)
        if key not in self._values:
            info = self.column(asset, column)
            value = info.maximum
            if info.type == "string":
                import duckdb

                con = duckdb.connect()
                try:
                    path = str(self.assets[asset].path).replace("'", "''")
                    name = '"' + column.replace('"', '""') + '"'
                    value = con.execute(f"SELECT max(TRY_CAST({name} AS TIMESTAMP)) FROM read_parquet('{path}')"
                                        ).fetchone()[0]
                finally:
                    con.close()
            self._values[key] = anchor_of(value)
        return self._values[key]

    @cached_property
    def glossary(self) -> dict[tuple[str, str], str]:
        """Doc text per column, from the indexed schema docs (read without loading the embedding model)."""
        from stocktake.tools.ask.glossary import read_glossary

        return read_glossary(self.catalog)


def _worse(current: tuple[Hop, ...], candidate: tuple[Hop, ...]) -> bool:
    fans = (sum(h.fans_out for h in current), len(current))
    return (sum(h.fans_out for h in candidate), len(candidate)) < fans


def read_values(info: AssetInfo, limit: int) -> dict[str, list]:
    """Distinct values and their counts of the text-like columns with at most ``limit`` distinct values."""
    import duckdb

    wanted = [c for c in info.columns if c.type in ("string", "boolean") and c.distinct is not None
              and (c.distinct <= limit or c.separator) and c.semantic in VALUE_SEMANTICS]
    if not wanted:
        return {}
    con = duckdb.connect()
    try:
        path = str(info.path).replace("'", "''")
        out = {}
        for c in wanted:
            name = '"' + c.name.replace('"', '""') + '"'
            source, keep = f"read_parquet('{path}')", f"{name} IS NOT NULL"
            if c.separator:  # the values a list holds, each on its own
                source = f"(SELECT unnest(string_split({name}, '{c.separator}')) AS {name} FROM {source})"
                keep += f" AND {name} <> ''"
            rows = con.execute(f"SELECT {name}, COUNT(*) FROM {source} WHERE {keep} "
                               f"GROUP BY 1 ORDER BY 2 DESC LIMIT {int(limit)}").fetchall()
            out[c.name] = [[v if isinstance(v, (bool, int, float)) else str(v), n] for v, n in rows]
        return out
    finally:
        con.close()


def build_schema(catalog: Catalog) -> SchemaIndex:
    """The planner's view of the catalog: profiles read once each, relationships from the profiler."""
    from stocktake.settings import ProfileSettings
    from stocktake.tools.profile import local_profile
    from stocktake.tools.profile import find_relations

    settings = ProfileSettings()
    assets = {}
    for asset in catalog.list_assets():
        profile = local_profile(catalog, asset, settings)
        assets[asset.name] = asset_info(asset, profile)
    edges = tuple(_edge(r) for r in find_relations(catalog) if r.from_asset in assets and r.to_asset in assets
                  and (r.cardinality != "n:m" or _nearly_unique(assets[r.to_asset], r.to_column)))
    return SchemaIndex(catalog, _key_entities(assets, edges), edges)


def _key_entities(assets: dict[str, AssetInfo], edges: tuple[Edge, ...]) -> dict[str, AssetInfo]:
    """The nouns of an asset's rows also come from its key (movie_id: a movie) and from the columns that point
    to it (u_data.item_id -> u_item: an item), so a table whose name says little is still found."""
    out = {}
    for name, info in assets.items():
        names = [info.key] if info.key else []
        names += [e.child_column for e in edges if e.parent == name and e.parent_column == info.key]
        extra = []
        for column in names:
            words = [root(w) for w in name_words(column) if w not in ("id", "key", "no", "code", "number", "nr")]
            if len(words) == 1 and len(words[0]) > 2:
                extra.append(words[0])
        out[name] = replace(info, entity=tuple(dict.fromkeys(info.entity + tuple(extra))))
    return out


def _nearly_unique(asset: AssetInfo, column: str) -> bool:
    """A parent key that repeats only on copied rows, or a few times (a dirty key), still joins; values merely
    shared (tags.userId in ratings.userId) would count each row many times over."""
    c = asset.column(column)
    if c is None or c.distinct is None:
        return False
    extra = c.rows - c.nulls - c.distinct
    return extra <= asset.duplicate_rows or c.distinct >= 0.9 * (c.rows - c.nulls)


def _edge(r) -> Edge:
    return Edge(r.from_asset, r.from_column, r.to_asset, r.to_column, r.cardinality == "1:1", r.orphan_rows)


def asset_info(asset, profile) -> AssetInfo:
    by_name = {c.name: c for c in profile.columns}
    columns = []
    for col in asset.columns:
        p = by_name.get(col.name)
        columns.append(ColumnInfo(
            asset=asset.name, name=col.name, type=col.type, semantic=p.semantic_type if p else "other",
            rows=asset.rows, nulls=p.nulls if p else 0, distinct=p.distinct if p else None,
            minimum=p.min if p else None, maximum=p.max if p else None,
            top_values=tuple(p.top_values) if p else (), words=name_words(col.name),
            separator=list_separator(col.type, p.top_values if p else ())))
    words = tuple(w for w in name_words(asset.name) if w not in GENERIC_NAME_WORDS)
    time_column = (profile.time_coverage or {}).get("column")
    return AssetInfo(asset.name, asset.kind, asset.rows, asset.path, asset.current.content_hash, tuple(columns),
                     own_key(asset.name, columns, profile), time_column, words,
                     entity_words_for(asset.kind, words), profile.duplicate_rows)


def list_separator(storage: str, top_values) -> str | None:
    """``|`` where a text column's common values are short lists ("Comedy|Drama", "tag1|tag2"): at least a
    third of them hold one, none is prose."""
    values = [str(v) for v, *_ in top_values][:20] if storage == "string" else []
    if len(values) < 3 or any(len(v) > 120 for v in values):
        return None
    listed = sum(1 for v in values if "|" in v.strip("|"))
    return "|" if listed * 3 >= len(values) else None


def own_key(name: str, columns: list[ColumnInfo], profile) -> str | None:
    """The column that names one row: the profiler's first one-column key that looks like an id, the key the
    report and the inventory show (never a column merely named like one: Olist's order_item_id counts lines
    1, 2, 3 within an order)."""
    by_name = {c.name: c for c in columns}
    ids = [k[0] for k in profile.candidate_keys if len(k) == 1 and k[0] in by_name and by_name[k[0]].id_like]
    return ids[0] if ids else None
