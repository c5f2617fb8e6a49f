"""Relationships across assets: foreign-key candidates found by value inclusion, ranked and thresholded.

A child column C of asset A may reference a parent column P of another asset B. Candidates and rules
(thresholds in ProfileSettings):

1. Parents are *primary* columns: the column named as B's own key (``id``, ``order_id`` in ``orders``) or B's
   first column. A parent is *unique* when distinct >= ``key_min_unique_ratio`` x non-null. With name evidence
   a non-unique first column can be a parent too, if it holds at least as many distinct values as the child
   (``customer_zip_code_prefix`` -> geolocation's zip prefix, n:m).
2. Children are integer or text columns that are not free text, emails, amounts, dates or flags; the types
   must match and the value ranges must overlap.
3. Name evidence: *exact* (same name, or ``user_id`` -> ``id`` of ``users``) or *suffix* (equal once the
   table's own prefix is dropped: ``seller_zip_code_prefix`` / ``geolocation_zip_code_prefix``).
   Generic names such as ``col_1`` are never evidence.
4. Coverage = share of the child's non-null rows whose value is found in the parent (exact, DuckDB join).
   With name evidence it must reach ``fk_min_coverage``. Without, the relation needs a unique parent, a
   non-unique child, coverage >= ``fk_unnamed_min_coverage`` and a child that uses at least
   ``fk_min_distinct_ratio`` of the parent's keys; then only the best such parent per child column is kept
   (highest distinct ratio), which is what separates ``u.data`` user ids (all 943 users) from a coincidental
   fit into the 1,682 movie ids.
5. A child column that has a unique parent drops its non-unique parents; a unique child column never points
   to a non-unique one (that is the reverse of a relation). Ranking: score = coverage x (1 for exact names, 0.9 suffix, 0.8 none) x min(1, distinct
   ratio) for unnamed ones.

Cardinality: ``1:1`` when child and parent are both unique, ``1:n`` (one parent row, many child rows) when only
the parent is, ``n:m`` otherwise.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from stocktake.catalog import Catalog
from stocktake.files import write_atomic
from stocktake.settings import ProfileSettings
from stocktake.tools.profile.db import jsonable, quote, sql_path
from stocktake.tools.profile.local import readable_profiles
from stocktake.tools.profile.model import ColumnProfile, TableProfile
from stocktake.tools.profile.names import is_generic_name, key_names, tokens
from stocktake.tools.profile.pii import mask_text
from stocktake.words import plural

CHILD_SEMANTICS = ("identifier", "foreign_key", "category", "geo", "text", "number", "other")
LINK_TYPES = {"integer": "integer", "string": "string"}


@dataclass(frozen=True)
class Relation:
    from_asset: str
    from_column: str
    to_asset: str
    to_column: str
    coverage: float  # share of the child's non-null rows found in the parent
    cardinality: str  # 1:1, 1:n or n:m
    orphan_rows: int
    child_rows: int  # non-null child rows
    distinct_ratio: float  # child distinct values / parent distinct values
    name_match: str  # exact, suffix or none
    score: float
    orphan_examples: tuple = ()
    origin: str = "discovered"  # discovered (from the values) or declared (a foreign key of a live source)

    @property
    def reading(self) -> str:
        """The cardinality read from the child (``from``) to the parent: 1:n is many-to-one."""
        return READINGS.get(self.cardinality, self.cardinality)

    def to_dict(self) -> dict:
        return {**asdict(self), "orphan_examples": list(self.orphan_examples)}


def share_text(coverage: float) -> str:
    """A share of matching values that never reads "100%" while some do not match."""
    if coverage >= 1:
        return "100%"
    return ">99.9%" if coverage >= 0.9995 else f"{coverage:.1%}"


def describe_coverage(coverage: float, orphans: int = 0) -> str:
    """``99.8% of values match (20 orphan rows)``."""
    rows = "" if not orphans else f" ({plural(orphans, 'orphan row')})"
    return f"{share_text(coverage)} of values match{rows}"


# Cardinality is counted from the parent (1:n: one parent row, many child rows); a relation reads from the child.
READINGS = {"1:1": "one-to-one", "1:n": "many-to-one", "n:m": "many-to-many"}


def find_relations(catalog: Catalog, names: list[str] | None = None, *, involving: Collection[str] = (),
                   settings: ProfileSettings = ProfileSettings(), use_cache: bool = True) -> list[Relation]:
    """Relations whose child asset is in ``names`` (all assets by default), best first. With ``involving``, only
    those that have each of these assets at one end (one asset: its relations either way; two: the relations
    between them): no pair of columns that cannot give one is measured."""
    profiles = readable_profiles(catalog, settings, use_cache)
    children = [n for n in names if n in profiles] if names is not None else list(profiles)
    found: list[Relation] = []
    for child in children:
        found += relations_from(catalog, profiles, child, settings, use_cache, frozenset(involving))
    declared = [r for r in declared_relations(catalog, profiles, use_cache, settings) if r.from_asset in children
                and all(a in (r.from_asset, r.to_asset) for a in involving)]
    pairs = {(r.from_asset, r.from_column, r.to_asset) for r in declared}
    found = declared + [r for r in found if (r.from_asset, r.from_column, r.to_asset) not in pairs]
    return sorted(found, key=lambda r: (r.origin != "declared", -r.score, r.from_asset, r.from_column, r.to_asset))


def declared_relations(catalog: Catalog, profiles: dict[str, TableProfile], use_cache: bool,
                       settings: ProfileSettings) -> list[Relation]:
    """The single-column foreign keys that live sources declare between tables brought in as assets, measured
    like discovered ones (coverage, orphans) but kept whatever the values say."""
    from stocktake.tools.sources.records import all_records

    found = []
    for record in all_records(catalog.ws):
        for table in record.tables:
            child = record.asset_name(table.name)
            for key in (k for k in table.foreign_keys if len(k.columns) == 1):
                parent = record.asset_name(key.table)
                if child in profiles and parent in profiles:
                    found += _declared(catalog, profiles, child, key.columns[0], parent, key.references[0],
                                       use_cache, settings)
    return found


def _declared(catalog: Catalog, profiles: dict[str, TableProfile], child: str, column: str, parent: str,
              parent_column: str, use_cache: bool, settings: ProfileSettings) -> list[Relation]:
    c = next((x for x in profiles[child].columns if x.name == column), None)
    p = next((x for x in profiles[parent].columns if x.name == parent_column), None)
    if c is None or p is None or not c.non_null:
        return []
    counts = _inclusion(catalog, profiles[child], c.name, profiles[parent], p.name, use_cache, settings)
    coverage = counts["covered"] / c.non_null
    ratio = c.distinct / p.distinct if p.distinct else 0.0
    return [Relation(child, c.name, parent, p.name, round(coverage, 6), "1:1" if _is_unique(c) else "1:n",
                     counts["orphans"], c.non_null, round(ratio, 6), name_match(child, c.name, parent, p.name),
                     round(coverage, 6), tuple(counts["examples"]), origin="declared")]


def relations_from(catalog: Catalog, profiles: dict[str, TableProfile], child: str, settings: ProfileSettings,
                   use_cache: bool, involving: frozenset[str] = frozenset()) -> list[Relation]:
    """The relations of ``child``'s columns, with each asset of ``involving`` at one end. A column is measured
    against every parent it may point to or against none: which of its candidates is kept depends on all of
    them (see rule 5)."""
    wanted = involving - {child}
    if len(wanted) > 1:  # a relation has one parent
        return []
    parents = [(b, p) for b, prof in profiles.items() if b != child for p in parent_columns(prof, settings)]
    chosen: list[Relation] = []
    for c in profiles[child].columns:
        pairs = plausible_parents(child, c, parents, settings) if _child_candidate(c) else []
        if wanted and not any(b in wanted for b, _, _ in pairs):
            continue
        candidates = []
        for b, p, match in pairs:
            try:
                rel = measure(catalog, profiles, child, c, b, p, match, use_cache, settings)
            except duckdb.Error:  # a snapshot gone or damaged since its profile was cached: no evidence either way
                continue
            if rel is not None:
                candidates.append(rel)
        chosen += [r for r in _select(candidates, _is_unique(c)) if not wanted or r.to_asset in wanted]
    return chosen


def plausible_parents(child: str, c: ColumnProfile, parents: list[tuple[str, ColumnProfile]],
                      settings: ProfileSettings) -> list[tuple[str, ColumnProfile, str]]:
    """The (parent asset, parent column, name match) that child column ``c`` may point to, judged by the profiles
    alone (types, ranges, names and distinct counts; rules 1 to 3): the pairs worth measuring."""
    found = []
    for b, p in parents:
        match = name_match(child, c.name, b, p.name)
        if LINK_TYPES.get(c.type) != LINK_TYPES.get(p.type) or not _ranges_overlap(c, p):
            continue
        if _unnamed_plausible(c, p, settings) if match == "none" else _named_plausible(c, p, settings):
            found.append((b, p, match))
    return found


def parent_columns(profile: TableProfile, settings: ProfileSettings) -> list[ColumnProfile]:
    """The asset's own key when (nearly) unique, and its first column (which may be non-unique: see rule 1)."""
    own = key_names(profile.asset)
    return [c for i, c in enumerate(profile.columns) if c.type in LINK_TYPES and c.non_null
            and (i == 0 or (c.name.lower() in own and _key_like(c, settings)))]


def _key_like(c: ColumnProfile, settings: ProfileSettings) -> bool:
    return bool(c.distinct_exact and c.non_null and c.distinct >= settings.key_min_unique_ratio * c.non_null)


def _is_unique(c: ColumnProfile) -> bool:
    return bool(c.distinct_exact and c.non_null and c.distinct == c.non_null)


def _child_candidate(c: ColumnProfile) -> bool:
    return c.type in LINK_TYPES and c.non_null > 0 and c.semantic_type in CHILD_SEMANTICS and bool(c.distinct)


def _ranges_overlap(c: ColumnProfile, p: ColumnProfile) -> bool:
    return c.min is not None and p.min is not None and not (c.max < p.min or c.min > p.max)


def name_match(child_asset: str, child_col: str, parent_asset: str, parent_col: str) -> str:
    if is_generic_name(child_col) or is_generic_name(parent_col):
        return "none"
    a, b = child_col.lower(), parent_col.lower()
    if a == b and a != "id":
        return "exact"
    if b in key_names(parent_asset) and a in key_names(parent_asset) - {"id"}:
        return "exact"
    rest_a, rest_b = _strip_own_prefix(child_asset, a), _strip_own_prefix(parent_asset, b)
    if rest_a == rest_b and len(rest_a.replace("_", "")) >= 4 and rest_a not in ("id", "name"):
        return "suffix"
    return "none"


def _strip_own_prefix(asset: str, column: str) -> str:
    """``seller_zip_code_prefix`` in ``olist_sellers_dataset`` -> ``zip_code_prefix``."""
    own = {t[:-1] if t.endswith("s") else t for t in tokens(asset)} | set(tokens(asset))
    toks = tokens(column)
    while len(toks) > 1 and toks[0] in own:
        toks = toks[1:]
    return "_".join(toks)


def _unnamed_plausible(c: ColumnProfile, p: ColumnProfile, settings: ProfileSettings) -> bool:
    return (_key_like(p, settings) and not _is_unique(c)
            and c.distinct >= settings.fk_min_distinct_ratio * p.distinct)


def _named_plausible(c: ColumnProfile, p: ColumnProfile, settings: ProfileSettings) -> bool:
    """A non-unique parent must at least hold more distinct values than the child refers to."""
    return _key_like(p, settings) or (p.distinct or 0) >= (c.distinct or 0)


def _select(candidates: list[Relation], child_unique: bool) -> list[Relation]:
    keyed = [r for r in candidates if r.cardinality != "n:m"]
    kept = keyed if keyed else ([] if child_unique else candidates)
    named = [r for r in kept if r.name_match != "none"]
    unnamed = sorted((r for r in kept if r.name_match == "none"), key=lambda r: (-r.distinct_ratio, -r.coverage))
    return named or unnamed[:1]


def measure(catalog: Catalog, profiles: dict[str, TableProfile], child: str, c: ColumnProfile, parent: str,
            p: ColumnProfile, match: str, use_cache: bool, settings: ProfileSettings) -> Relation | None:
    """The relation from ``child.c`` to ``parent.p`` when the values bear it out (rule 4), from the inclusion counts
    (a join of the two snapshots, cached per pair of versions)."""
    counts = _inclusion(catalog, profiles[child], c.name, profiles[parent], p.name, use_cache, settings)
    covered, orphans, examples = counts["covered"], counts["orphans"], counts["examples"]
    coverage = covered / c.non_null
    ratio = c.distinct / p.distinct if p.distinct else 0.0
    parent_key = _key_like(p, settings)
    if match == "none" and (coverage < settings.fk_unnamed_min_coverage or not parent_key):
        return None
    if coverage < settings.fk_min_coverage or covered == 0:
        return None
    cardinality = ("1:1" if _is_unique(c) else "1:n") if parent_key else "n:m"
    weight = {"exact": 1.0, "suffix": 0.9, "none": 0.8}[match]
    score = coverage * weight * (min(1.0, ratio) if match == "none" else 1.0)
    return Relation(child, c.name, parent, p.name, round(coverage, 6), cardinality, orphans, c.non_null,
                    round(ratio, 6), match, round(score, 6), tuple(examples))


def _cached_inclusion(path: Path) -> dict | None:
    """A cached inclusion count, or None where the file is missing or not one ``_inclusion`` wrote (recomputed)."""
    try:
        found = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    fits = isinstance(found, dict) and set(found) == {"covered", "orphans", "examples"} \
        and all(isinstance(found[k], int) and found[k] >= 0 for k in ("covered", "orphans")) \
        and isinstance(found["examples"], list)
    return found if fits else None


def _inclusion(catalog: Catalog, child: TableProfile, c: str, parent: TableProfile, p: str, use_cache: bool,
               settings: ProfileSettings) -> dict:
    """Rows of the child column found / not found among the parent's values; cached per pair of versions."""
    key = hashlib.sha256(json.dumps([child.content_hash, c, parent.content_hash, p, settings.examples]).encode())
    path = catalog.ws.dir("cache") / "relations" / f"{key.hexdigest()[:24]}.json"
    cached = _cached_inclusion(path) if use_cache else None
    if cached is not None:
        return cached
    con = duckdb.connect(config={"memory_limit": settings.memory_limit})
    try:
        child_src = f"read_parquet('{sql_path(catalog.path(child.asset, child.version))}')"
        parent_src = f"read_parquet('{sql_path(catalog.path(parent.asset, parent.version))}')"
        qc, qp = quote(c), quote(p)
        con.execute(f"CREATE TEMP TABLE orphan AS SELECT {qc} AS v FROM {child_src} "
                    f"WHERE {qc} IS NOT NULL AND {qc} NOT IN (SELECT {qp} FROM {parent_src} WHERE {qp} IS NOT NULL)")
        orphans = con.execute("SELECT count(*) FROM orphan").fetchone()[0]
        examples = [mask_text(v) if isinstance(v, str) else v for v in (jsonable(v) for (v,) in con.execute(
            f"SELECT DISTINCT v FROM orphan ORDER BY v LIMIT {settings.examples}").fetchall())]
    finally:
        con.close()
    total = next(col.non_null for col in child.columns if col.name == c)
    result = {"covered": int(total - orphans), "orphans": int(orphans), "examples": examples}
    write_atomic(path, json.dumps(result, default=str))
    return result
