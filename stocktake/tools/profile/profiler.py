"""Profiling: per-column statistics and semantic types, table facts, data-quality issues and a quality score.

``profile_asset`` profiles one asset version with DuckDB over its Parquet snapshot (never loading the table
into pandas). The asset's own profile is cached per content hash (see local); the relations to
other assets, and the orphan_foreign_keys issues they reveal, are measured against the other assets'
current versions (see relations). How each issue is counted is documented in issues and table.
"""

from __future__ import annotations

from dataclasses import replace

from stocktake.catalog import Catalog
from stocktake.settings import ProfileSettings
from stocktake.tools.profile.local import readable_profiles, reported_profile
from stocktake.tools.profile.model import Issue, TableProfile
from stocktake.tools.profile.relations import Relation, relations_from
from stocktake.tools.progress import Progress, no_progress

SEVERITY_WEIGHT = {"high": 10.0, "medium": 5.0, "low": 2.0}
SHARE_WEIGHT = 20.0
QUALITY_RULE = ("100, minus for each issue its severity weight (high 10, medium 5, low 2) plus up to 20 in "
                "proportion to the share of rows it affects; never below 0")


def profile_asset(catalog: Catalog, name: str, version: int | None = None, *,
                  settings: ProfileSettings = ProfileSettings(), use_cache: bool = True,
                  progress: Progress = no_progress) -> TableProfile:
    """The full profile of one asset version (the latest by default).

    The other assets are profiled too (read from the cache once they were): relations need their keys.
    """
    asset = catalog.get(name, version)
    own = reported_profile(catalog, asset, settings, use_cache, progress, 0, len(catalog.names()))
    profiles = readable_profiles(catalog, settings, use_cache, known={asset.name: own}, progress=progress)
    progress("finding relations", 0, None)
    return complete_profile(own, relations_from(catalog, profiles, asset.name, settings, use_cache))


def profile_all(catalog: Catalog, *, settings: ProfileSettings = ProfileSettings(),
                use_cache: bool = True, progress: Progress = no_progress) -> list[TableProfile]:
    """Profiles of the latest version of every asset, by name."""
    names = catalog.names()
    profiles = {n: reported_profile(catalog, catalog.get(n), settings, use_cache, progress, done, len(names))
                for done, n in enumerate(names)}
    complete = []
    for done, (n, p) in enumerate(profiles.items()):
        progress("finding relations (assets)", done, len(profiles))
        complete.append(complete_profile(p, relations_from(catalog, profiles, n, settings, use_cache)))
    return complete


def complete_profile(own: TableProfile, relations: list[Relation]) -> TableProfile:
    """Add what relations reveal (foreign-key columns, orphan rows) and the quality score."""
    orphans = [orphan_issue(r) for r in relations if r.orphan_rows]
    fk = {r.from_column for r in relations}
    columns = tuple(replace(c, semantic_type="foreign_key") if c.name in fk and c.semantic_type == "identifier"
                    else c for c in own.columns)
    issues = own.issues + tuple(orphans)
    return replace(own, columns=columns, issues=issues, quality_score=quality_score(own.rows, issues),
                   quality_rule=QUALITY_RULE)


def orphan_issue(r: Relation) -> Issue:
    return Issue(
        "orphan_foreign_keys", r.from_asset, r.from_column, r.orphan_rows, "high",
        f"{r.orphan_rows:,} rows of {r.from_column} point to no {r.to_asset}.{r.to_column}",
        tuple(str(v) for v in r.orphan_examples),
        {"parent_asset": r.to_asset, "parent_column": r.to_column, "coverage": r.coverage,
         "cardinality": r.cardinality})


def quality_score(rows: int, issues: tuple[Issue, ...]) -> float:
    penalty = sum(SEVERITY_WEIGHT[i.severity] + SHARE_WEIGHT * min(1.0, i.rows / rows) if rows else 0.0
                  for i in issues)
    return round(max(0.0, 100.0 - penalty), 1)
