"""A generated doc per catalog asset: what the table holds, its columns with types and example values, and,
given a profile, semantic types, missing values, ranges, issues and relationships.

It is built from catalog metadata and a small DuckDB sample of the snapshot, so it works before (or without)
profiling; a ``TableProfile``-like object and relations from ``find_relations`` enrich it when passed. Both are
read by attribute name only, so this module does not depend on the profiler.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stocktake.catalog import Asset, Catalog
from stocktake.tools.docs.chunkers import SEP
from stocktake.tools.docs.model import Chunk, DocsSettings

PROFILE_PREFIX = "profile:"
_SENSITIVE = ("email", "phone", "password", "passwd", "ssn", "iban", "card_number", "token", "secret")


def profile_source(asset_name: str) -> str:
    return f"{PROFILE_PREFIX}{asset_name}"


def sample_values(asset: Asset, settings: DocsSettings = DocsSettings()) -> dict[str, list[str]]:
    """A few distinct non-null values per column from the head of the snapshot (no values for PII-like names)."""
    import duckdb

    with duckdb.connect() as con:
        df = con.execute(
            "SELECT * FROM read_parquet(?) LIMIT ?", [str(asset.path), settings.example_sample_rows]
        ).df()
    values = {}
    for column in df.columns:
        if any(word in column.lower() for word in _SENSITIVE):
            continue
        seen = list(dict.fromkeys(str(v) for v in df[column].dropna().head(500)))[: settings.example_values]
        values[column] = [v if len(v) <= settings.max_example_chars else v[: settings.max_example_chars] + "…"
                          for v in seen]
    return values


def _attr(obj: Any, *names: str) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


def _describe_issue(issue: Any) -> str:
    text = _attr(issue, "message", "description", "detail", "summary")
    return str(text) if text is not None else str(issue)


def _describe_relation(rel: Any) -> str:
    child = _attr(rel, "child", "table", "left", "from_table", "source")
    child_col = _attr(rel, "child_column", "column", "left_column", "from_column")
    parent = _attr(rel, "parent", "ref_table", "right", "to_table", "target")
    parent_col = _attr(rel, "parent_column", "ref_column", "right_column", "to_column")
    if child and parent:
        coverage = _attr(rel, "coverage")
        cov = f" ({float(coverage):.0%} of values found)" if isinstance(coverage, (int, float)) else ""
        return f"{child}.{child_col} references {parent}.{parent_col}{cov}"
    return str(rel)


def _column_stats(cp: Any) -> str:
    parts = []
    if (sem := _attr(cp, "semantic_type")) is not None:
        parts.append(f"looks like {sem}")
    if (nulls := _attr(cp, "nulls", "null_count", "missing")) is not None:
        parts.append(f"{nulls} missing")
    if (distinct := _attr(cp, "distinct", "distinct_count", "n_distinct")) is not None:
        parts.append(f"{distinct} distinct")
    low, high = _attr(cp, "min"), _attr(cp, "max")
    if low is not None and high is not None:
        parts.append(f"from {low} to {high}")
    top = _attr(cp, "top_values", "top")
    if top:
        shown = [str(t[0] if isinstance(t, (tuple, list)) else _attr(t, "value") or t) for t in list(top)[:3]]
        parts.append(f"most common: {', '.join(shown)}")
    return "; ".join(parts)


def build_profile_chunks(catalog: Catalog, asset_name: str, profile: Any = None, relations: Iterable[Any] = (),
                         settings: DocsSettings = DocsSettings()) -> list[Chunk]:
    asset = catalog.get(asset_name)
    examples = sample_values(asset, settings)
    profiled = {_attr(c, "name"): c for c in (_attr(profile, "columns") or [])} if profile is not None else {}
    issues = list(_attr(profile, "issues") or []) if profile is not None else []
    mine = [_describe_relation(r) for r in relations if asset.name in _describe_relation(r)]
    source = profile_source(asset.name)
    common = dict(source=source, kind="profile", table=asset.name, asset=asset.name, asset_version=asset.version)

    header = (f"{asset.name}: {asset.kind} table with {asset.rows:,} rows and {len(asset.columns)} columns "
              f"(version {asset.version}, from {asset.source}).")
    lines = [header, asset.description] if asset.description else [header]
    lines.append("Columns: " + ", ".join(f"{c.name} ({c.type})" for c in asset.columns))
    if issues:
        lines.append("Issues: " + "; ".join(_describe_issue(i) for i in issues))
    if mine:
        lines.append("Relationships: " + "; ".join(mine))
    chunks = [Chunk(text="\n".join(lines), location=SEP.join(["profile", asset.name]), **common)]

    for column in asset.columns:
        details = [_column_stats(profiled[column.name]) if column.name in profiled else ""]
        if examples.get(column.name):
            details.append("examples: " + ", ".join(examples[column.name]))
        if col_issues := [_describe_issue(i) for i in issues if _attr(i, "column") == column.name]:
            details.append("issues: " + "; ".join(col_issues))
        if related := [r for r in mine if f"{asset.name}.{column.name}" in r]:
            details.append("relationships: " + "; ".join(related))
        text = f"{asset.name}{SEP}{column.name} ({column.type})"
        if details := [d for d in details if d]:
            text += ": " + ". ".join(details)
        chunks.append(Chunk(text=text, location=SEP.join(["profile", asset.name, column.name]), column=column.name,
                            asset_column=column.name, **common))
    return chunks
