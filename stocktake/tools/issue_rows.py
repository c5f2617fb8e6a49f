"""The rows behind one data-quality issue: the duplicates, the orphans or the outliers themselves, not counts.

Each kind is selected as the profiler counts it (stocktake.tools.profile_issues and profile_table): an exact
copy of an earlier row, a key reused by a different row, a foreign key no parent row holds, a value beyond
the outlier fences the profile recorded. ``total`` is every such row; ``rows`` the first ``limit`` of them in
file order, each led by its 1-based row number.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError
from stocktake.settings import ProfileSettings
from stocktake.tools.profile_model import Issue, TableProfile
from stocktake.tools.profile_scan import NAN, ROW, jsonable, parquet_source, quote

MAX_ROWS = 50  # example rows, not an export: enough to see the pattern
KINDS = ("duplicate_rows", "duplicate_key", "orphan_foreign_keys", "outliers", "negative_values", "missing_values")


@dataclass(frozen=True)
class IssueRows:
    columns: tuple[str, ...]  # "row" (1-based, file order), then the asset's columns
    rows: tuple[tuple, ...]
    total: int
    description: str


def issue_rows(catalog: Catalog, asset: str, kind: str, limit: int = MAX_ROWS, *,
               column: str | None = None) -> IssueRows:
    """Up to ``limit`` (at most MAX_ROWS) rows of ``asset`` that have the issue ``kind``, in ``column`` where
    the kind is about a column; the first such issue of the profile where ``column`` is not given."""
    from stocktake.tools.profile import profile_asset

    if kind not in KINDS:
        raise StocktakeError(f"Can't list the rows of '{kind}' issues; kinds with rows to show: {', '.join(KINDS)}.")
    profile = profile_asset(catalog, asset)
    names = tuple(c.name for c in profile.columns)
    issue = next((i for i in profile.issues if i.kind == kind and (column is None or i.column == column)), None)
    if issue is None:
        where = f"{asset}.{column}" if column else asset
        return IssueRows(("row", *names), (), 0, f"No {kind.replace('_', ' ')} in {where}.")
    con = duckdb.connect(config={"memory_limit": ProfileSettings().memory_limit})  # a window over every column
    try:
        # NaN reads as null, as the profiler (and pandas) count it.
        values = ", ".join(f"nullif({quote(c.name)}, {NAN}) AS {quote(c.name)}" if c.type == "float" else quote(c.name)
                           for c in profile.columns)
        con.execute(f"CREATE VIEW t AS SELECT file_row_number + 1 AS {ROW}, {values} "
                    f"FROM {parquet_source(catalog.path(asset))}")
        where, params = _condition(con, catalog, profile, issue)
        cols = ", ".join(quote(c) for c in (ROW, *names))
        total = con.execute(f"SELECT count(*) FROM marked WHERE {where}", params).fetchone()[0]
        got = con.execute(f"SELECT {cols} FROM marked WHERE {where} ORDER BY {ROW} LIMIT ?",
                          [*params, max(0, min(limit, MAX_ROWS))]).fetchall()
    finally:
        con.close()
    rows = tuple(tuple(jsonable(v) for v in r) for r in got)
    return IssueRows(("row", *names), rows, int(total), issue.message)


def _condition(con: duckdb.DuckDBPyConnection, catalog: Catalog, profile: TableProfile,
               issue: Issue) -> tuple[str, list]:
    """Creates ``marked`` (``t`` with what the condition needs) and returns the condition with its values."""
    c = quote(issue.column) if issue.column else None
    if issue.kind in ("duplicate_rows", "duplicate_key"):
        # A copy agrees with an earlier row on every column (not the row number); the first of them is no copy.
        every = ", ".join(quote(col.name) for col in profile.columns)
        con.execute(f"CREATE TEMP VIEW copies AS SELECT *, row_number() OVER (PARTITION BY {every} ORDER BY {ROW}) "
                    "AS __copy FROM t")
    if issue.kind == "duplicate_rows":
        con.execute("CREATE TEMP VIEW marked AS SELECT * FROM copies")
        return "__copy > 1", []
    if issue.kind == "duplicate_key":  # exact copies repeat their key too: they are duplicate_rows
        con.execute(f"CREATE TEMP VIEW marked AS SELECT *, row_number() OVER (PARTITION BY {c} ORDER BY {ROW}) "
                    "AS __seen FROM copies")
        return f"{c} IS NOT NULL AND __seen > 1 AND __copy = 1", []
    con.execute("CREATE TEMP VIEW marked AS SELECT * FROM t")
    if issue.kind == "missing_values":
        return f"{c} IS NULL", []
    if issue.kind == "negative_values":
        return f"{c} < 0", []
    if issue.kind == "outliers":
        return _outside_fences(profile, issue)
    parent = catalog.path(issue.details["parent_asset"])
    con.execute(f"CREATE TEMP VIEW parent AS SELECT {quote(issue.details['parent_column'])} AS v "
                f"FROM {parquet_source(parent)}")
    return f"{c} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM parent WHERE parent.v = marked.{c})", []


def _outside_fences(profile: TableProfile, issue: Issue) -> tuple[str, list]:
    """Beyond the fences the profile counted with; prices and quantities over their positive values only."""
    c = quote(issue.column)
    semantic = next(col.semantic_type for col in profile.columns if col.name == issue.column)
    positive = issue.details.get("scale") == "log" or semantic in ("price", "quantity")
    low, high = issue.details["fences"]
    return (f"{c} IS NOT NULL{f' AND {c} > 0' if positive else ''} AND ({c} < ? OR {c} > ?)", [low, high])
