"""A generated doc per catalog asset: what the table holds, its columns with types and example values, and,
given its profile, semantic types, missing values, ranges, issues and relationships.

It is built from catalog metadata and a small DuckDB sample of the snapshot, so it works without profiling
(fast enough to refresh on every new version); a ``TableProfile`` and ``Relation`` list enrich it. Personal
columns show no example values and every value is masked (the index stores what the model will read).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from stocktake.catalog import Asset, Catalog
from stocktake.tools.docs.chunkers import SEP
from stocktake.tools.docs.model import Chunk, DocsSettings
from stocktake.tools.profile import describe_keys, mask_text, personal_name, secret_name, whole_columns

if TYPE_CHECKING:
    from stocktake.tools.profile import ColumnProfile, Relation, TableProfile

PROFILE_PREFIX = "profile:"


def profile_source(asset_name: str) -> str:
    return f"{PROFILE_PREFIX}{asset_name}"


def sample_values(asset: Asset, settings: DocsSettings = DocsSettings(),
                  personal: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """A few distinct non-null values per column from the head of the snapshot, masked by value; none for
    personal columns (``personal``) and credentials (``secret_name``)."""
    import duckdb

    with duckdb.connect() as con:
        df = con.execute(
            "SELECT * FROM read_parquet(?) LIMIT ?", [str(asset.path), settings.example_sample_rows]
        ).df()
    values = {}
    for column in df.columns:
        if column in personal or secret_name(column):
            continue
        cut = settings.max_example_chars
        seen = list(dict.fromkeys(str(v)[: cut + 1] for v in df[column].dropna().head(500)))
        values[column] = [mask_text(v[:cut]) + ("…" if len(v) > cut else "") for v in seen[: settings.example_values]]
    return values


def describe_relation(r: Relation) -> str:
    from stocktake.tools.profile import describe_coverage

    declared = "declared, " if r.origin == "declared" else ""
    return (f"{r.from_asset}.{r.from_column} references {r.to_asset}.{r.to_column} "
            f"({r.reading}, {declared}{describe_coverage(r.coverage, r.orphan_rows)})")


def _column_stats(c: ColumnProfile) -> str:
    parts = [f"looks like {c.semantic_type}", f"{c.nulls:,} missing ({c.null_fraction:.1%})"]
    if c.distinct is not None:
        parts.append(f"{c.distinct:,} distinct")
    if c.min is not None and c.max is not None:
        parts.append(f"from {c.min} to {c.max}")
    if c.top_values:
        parts.append("most common: " + ", ".join(str(v) for v, _ in c.top_values[:3]))
    return "; ".join(parts)


def build_profile_chunks(catalog: Catalog, asset_name: str, profile: TableProfile | None = None,
                         relations: Iterable[Relation] = (), settings: DocsSettings = DocsSettings()) -> list[Chunk]:
    asset = catalog.get(asset_name)
    personal = whole_columns(profile) if profile is not None else frozenset(
        c.name for c in asset.columns if personal_name(c.name))
    examples = sample_values(asset, settings, personal)
    profiled = {c.name: c for c in profile.columns} if profile is not None else {}
    issues = list(profile.issues) if profile is not None else []
    mine = [describe_relation(r) for r in relations if asset.name in (r.from_asset, r.to_asset)]
    common = dict(source=profile_source(asset.name), kind="profile", table=asset.name, asset=asset.name,
                  asset_version=asset.version)

    lines = [f"{asset.name}: {asset.kind} table with {asset.rows:,} rows and {len(asset.columns)} columns "
             f"(version {asset.version}, from {asset.source})."]
    if asset.description:
        lines.append(asset.description)
    lines.append("Columns: " + ", ".join(f"{c.name} ({c.type})" for c in asset.columns))
    if profile is not None:
        keys = "; ".join(describe_keys(profile)) or "none"
        lines.append(f"Quality score {profile.quality_score:g} of 100. Candidate keys: {keys}.")
    if issues:
        lines.append("Issues: " + "; ".join(i.message for i in issues))
    if mine:
        lines.append("Relationships: " + "; ".join(mine))
    chunks = [Chunk(text="\n".join(lines), location=SEP.join(["profile", asset.name]), **common)]

    for column in asset.columns:
        details = [_column_stats(profiled[column.name]) if column.name in profiled else ""]
        if examples.get(column.name):
            details.append("examples: " + ", ".join(examples[column.name]))
        if col_issues := [i.message for i in issues if i.column == column.name]:
            details.append("issues: " + "; ".join(col_issues))
        if related := [r for r in mine if f"{asset.name}.{column.name} " in r]:
            details.append("relationships: " + "; ".join(related))
        text = f"{asset.name}{SEP}{column.name} ({column.type})"
        if details := [d for d in details if d]:
            text += ": " + ". ".join(details)
        chunks.append(Chunk(text=text, location=SEP.join(["profile", asset.name, column.name]), column=column.name,
                            asset_column=column.name, **common))
    return chunks
