"""Compare two versions of an asset: schema, rows, each column's statistics and drift, quality issues, key coverage.

Statistics, quality issues and relationships come from each version's profile (cached per content hash, so a
version profiled before is not read again); only the drift tests read values, in one pass over each version.
Relationships are measured for each version against the other assets' current versions, both ways: the asset's
columns that point to another asset, and other assets' columns that point to it.
"""

from __future__ import annotations

import duckdb

from stocktake.catalog import Asset, Catalog
from stocktake.settings import DriftSettings, ProfileSettings
from stocktake.tools.drift.model import ColumnDiff, KeyCoverage, VersionDiff
from stocktake.tools.drift.schema import schema_changes
from stocktake.tools.drift.stattests import (NUMERIC, TESTED_KINDS, Values, choose_test, column_kind, distinct_values,
                                             proportions_p_value)
from stocktake.tools.drift.values import Wanted, read_values
from stocktake.tools.profile import (ColumnProfile, Issue, Relation, TableProfile, complete_profile, local_profile,
                                     readable_profiles, relations_from)
from stocktake.tools.progress import Progress, no_progress


def diff_versions(catalog: Catalog, name: str, before: int, after: int, *,
                  profile_settings: ProfileSettings = ProfileSettings(), settings: DriftSettings = DriftSettings(),
                  use_cache: bool = True, progress: Progress = no_progress) -> VersionDiff:
    """What changed from version ``before`` of asset ``name`` to version ``after``."""
    old, new = catalog.get(name, before), catalog.get(name, after)
    p_old, rel_old = version_profile(catalog, old, profile_settings, use_cache, progress)
    p_new, rel_new = version_profile(catalog, new, profile_settings, use_cache, progress)
    changes, renamed = schema_changes(p_old, p_new, settings)
    columns = column_diffs(old, new, p_old, p_new, renamed, profile_settings, settings, progress)
    tested = [c for c in columns if c.test is not None]
    drifted = sum(c.drifted for c in tested)
    return VersionDiff(
        asset=old.name, versions=(before, after), rows=(old.rows, new.rows), schema=changes, columns=columns,
        drifted_columns=drifted, tested_columns=len(tested), drift_share=settings.drift_share,
        dataset_drifted=bool(tested) and drifted >= settings.drift_share * len(tested),
        new_issues=_issues_only_in(p_new, p_old, renamed), resolved_issues=_issues_only_in(p_old, p_new, {
            was: now for now, was in renamed.items()}),
        relations=key_coverage(rel_old, rel_new), quality_score=(p_old.quality_score, p_new.quality_score))


def version_profile(catalog: Catalog, asset: Asset, settings: ProfileSettings, use_cache: bool,
                    progress: Progress) -> tuple[TableProfile, list[Relation]]:
    """The version's full profile (its orphan rows included) and its relationships both ways."""
    progress(f"profiling {asset.name} version {asset.version} ({asset.rows:,} rows)", 0, None)
    own = local_profile(catalog, asset, settings, use_cache)
    profiles = readable_profiles(catalog, settings, use_cache, known={asset.name: own})
    progress(f"relationships of {asset.name} version {asset.version}", 0, None)
    outgoing = relations_from(catalog, profiles, asset.name, settings, use_cache)
    incoming = [r for other in profiles if other != asset.name
                for r in relations_from(catalog, profiles, other, settings, use_cache, frozenset({asset.name}))]
    return complete_profile(own, outgoing), outgoing + incoming


def column_diffs(old: Asset, new: Asset, p_old: TableProfile, p_new: TableProfile, renamed: dict[str, str],
                 profile_settings: ProfileSettings, settings: DriftSettings,
                 progress: Progress) -> tuple[ColumnDiff, ...]:
    """The later version's columns (each compared with itself or with the column it looks renamed from), then the
    removed ones; the values of the tested ones are read in one pass over each version."""
    before = {c.name: c for c in p_old.columns}
    pairs = [(before.get(renamed.get(c.name, c.name)), c) for c in p_new.columns]
    kept = {b.name for b, _ in pairs if b is not None}
    pairs += [(c, None) for c in p_old.columns if c.name not in kept]
    kinds = [column_kind(b or a, settings) for b, a in pairs]
    tested = [i for i, (b, a) in enumerate(pairs) if not _why_untested(b, a, kinds[i])]
    counted = {i: _as_counts(*pairs[i], kinds[i], settings) for i in tested}
    progress("drift tests: reading values", 0, None)
    with duckdb.connect(config={"memory_limit": profile_settings.memory_limit}) as con:
        refs, curs = (read_values(con, asset.path, asset.rows,
                                  [Wanted(pairs[i][side], kinds[i], counted[i]) for i in tested], settings)
                      for side, asset in enumerate((old, new)))
    values = dict(zip(tested, zip(refs, curs)))
    return tuple(column_diff(b, a, kinds[i], values.get(i), settings) for i, (b, a) in enumerate(pairs))


def _as_counts(b: ColumnProfile, a: ColumnProfile, kind: str, settings: DriftSettings) -> bool:
    """Counted per value: categories, and numbers with few distinct values in both versions."""
    few = b.distinct is not None and a.distinct is not None \
        and max(b.distinct, a.distinct) <= settings.numeric_min_values
    return kind != NUMERIC or few


def column_diff(b: ColumnProfile | None, a: ColumnProfile | None, kind: str, values: tuple[Values, Values] | None,
                settings: DriftSettings) -> ColumnDiff:
    """One column's statistics in each version, and its drift test where its ``values`` were read."""
    stats = _statistics(b, a, settings)
    renamed = b.name if a is not None and b is not None and a.name != b.name else None
    name = (a or b).name
    if values is None:
        return ColumnDiff(name, kind, None, None, None, False, renamed_from=renamed, note=_why_untested(b, a, kind),
                          **stats)
    ref, cur = values
    test = choose_test(kind, ref.count, distinct_values(ref, cur, settings), settings)
    score, threshold = test.measure(ref, cur, settings), test.threshold(settings)
    return ColumnDiff(name, kind, test.name, round(score, 6), threshold, test.drifted(score, threshold),
                      renamed_from=renamed, sampled=ref.sampled or cur.sampled, **stats)


def _why_untested(b: ColumnProfile | None, a: ColumnProfile | None, kind: str) -> str:
    if b is None or a is None:
        return "only in the later version" if b is None else "only in the earlier version"
    if a.type != b.type:
        return f"retyped from {b.type} to {a.type}"
    if not b.non_null or not a.non_null:
        return "no values in the earlier version" if not b.non_null else "no values in the later version"
    if kind not in TESTED_KINDS:
        return "free text: not tested" if kind == "text" else f"{b.type} values: not tested"
    return ""


def _statistics(b: ColumnProfile | None, a: ColumnProfile | None, settings: DriftSettings) -> dict:
    """What the two profiles say of the column, side by side."""
    def side(c: ColumnProfile | None, attribute: str):
        return None if c is None else getattr(c, attribute)

    quantiles = None
    if any(c is not None and c.quantiles for c in (b, a)):
        keys = (b.quantiles if b is not None and b.quantiles else a.quantiles).keys()
        quantiles = {q: tuple(None if c is None else c.quantiles.get(q) for c in (b, a)) for q in keys}
    return {"null_rate": (side(b, "null_fraction"), side(a, "null_fraction")),
            "null_rate_changed": b is not None and a is not None and _null_rate_moved(b, a, settings),
            "distinct": (side(b, "distinct"), side(a, "distinct")), "mean": (side(b, "mean"), side(a, "mean")),
            "quantiles": quantiles, "top_values": (side(b, "top_values") or (), side(a, "top_values") or ())}


def _null_rate_moved(b: ColumnProfile, a: ColumnProfile, settings: DriftSettings) -> bool:
    if not b.rows or not a.rows or abs(a.null_fraction - b.null_fraction) < settings.null_rate_change:
        return False
    return proportions_p_value(b.nulls, b.rows, a.nulls, a.rows) < settings.p_value


def _issues_only_in(profile: TableProfile, other: TableProfile, names: dict[str, str]) -> tuple[Issue, ...]:
    """The issues of ``profile`` of a kind and column that ``other`` has none of; ``names``: a renamed column's name
    in ``other``."""
    seen = {(i.kind, i.column) for i in other.issues}
    return tuple(i for i in profile.issues if (i.kind, names.get(i.column, i.column)) not in seen)


def key_coverage(before: list[Relation], after: list[Relation]) -> tuple[KeyCoverage, ...]:
    """Each relationship found in either version, with its coverage and orphan rows in each."""
    def key(r: Relation) -> tuple[str, str, str, str]:
        return r.from_asset, r.from_column, r.to_asset, r.to_column

    old, new = {key(r): r for r in before}, {key(r): r for r in after}
    return tuple(KeyCoverage(*k, coverage=tuple(None if r is None else r.coverage for r in (old.get(k), new.get(k))),
                             orphan_rows=tuple(None if r is None else r.orphan_rows for r in (old.get(k), new.get(k))))
                 for k in [*new, *(k for k in old if k not in new)])

