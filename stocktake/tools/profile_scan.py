"""Column statistics of one Parquet snapshot, computed by DuckDB without loading the table into pandas.

One aggregate pass gives counts, approximate distinct counts, min/max/mean/std, quantiles, string lengths
and the counts behind several issues (negatives, future dates); per-column GROUP BYs give exact distinct and
value counts for small domains, one count(DISTINCT) pass the larger ones; a single query gives every
histogram; a small, evenly spaced row sample feeds the semantic-type rules and the text-shape pass.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from stocktake.catalog import Column
from stocktake.settings import ProfileSettings

NUMERIC = ("integer", "float")
TEMPORAL = ("date", "timestamp")
SCALAR = ("integer", "float", "boolean", "date", "timestamp", "string")
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass
class ColumnScan:
    """Raw statistics of one column, filled in by the passes below (internal to the profiler)."""

    name: str
    type: str
    non_null: int = 0
    approx_distinct: int | None = None
    distinct: int | None = None
    distinct_exact: bool = False
    min: Any = None
    max: Any = None
    mean: Any = None
    std: float | None = None
    quantiles: dict[str, Any] = field(default_factory=dict)
    quantiles_exact: bool = True
    negatives: int = 0
    future: int = 0
    ancient: int = 0
    length: dict[str, float] | None = None
    value_counts: list[tuple[Any, int]] | None = None  # most frequent first
    value_counts_complete: bool = False  # every value, not only the top ones (small text domains)
    histogram: dict | None = None
    sample: list = field(default_factory=list)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def connect(path: Path, columns: tuple[Column, ...], settings: ProfileSettings) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the snapshot as view ``t``, where NaN reads as null (as pandas counts it)."""
    con = duckdb.connect(config={"memory_limit": settings.memory_limit, "preserve_insertion_order": False})
    floats = [quote(c.name) for c in columns if c.type == "float"]
    replace = f" REPLACE ({', '.join(f'nullif({c}, {NAN}) AS {c}' for c in floats)})" if floats else ""
    con.execute(f"CREATE VIEW t AS SELECT *{replace} FROM read_parquet('{_sql_path(path)}')")
    return con


NAN = "'NaN'::DOUBLE"


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def jsonable(value: Any) -> Any:
    """A value as JSON would hold it: ISO strings for times, floats for decimals, None for NaN."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bytes):
        return value[:32].hex()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return value


def scan_table(con: duckdb.DuckDBPyConnection, path: Path, columns: tuple[Column, ...], rows: int,
               settings: ProfileSettings, future_sql: str, ancient_sql: str) -> list[ColumnScan]:
    scans = [ColumnScan(c.name, c.type) for c in columns]
    if not scans:
        return scans
    _aggregate_pass(con, scans, rows, settings, future_sql, ancient_sql)
    _second_pass(con, scans, settings)
    _sample(con, path, scans, rows, settings)
    return scans


def _aggregate_pass(con, scans: list[ColumnScan], rows: int, settings: ProfileSettings,
                    future_sql: str, ancient_sql: str) -> None:
    exact_q = rows <= settings.exact_quantile_rows
    parts: list[str] = []
    for i, s in enumerate(scans):
        c = quote(s.name)
        parts.append(f"count({c}) AS n{i}")
        if s.type not in SCALAR:
            continue
        parts.append(f"approx_count_distinct({c}) AS d{i}")
        if s.type == "boolean":
            parts += [f"bool_and({c}) AS lo{i}", f"bool_or({c}) AS hi{i}", f"avg({c}::INTEGER) AS mean{i}"]
            continue
        parts += [f"min({c}) AS lo{i}", f"max({c}) AS hi{i}"]
        if s.type in NUMERIC:
            qfun = f"quantile_cont({c}, {list(QUANTILES)})" if exact_q else f"approx_quantile({c}, {list(QUANTILES)})"
            parts += [f"avg({c}) AS mean{i}", f"stddev_samp({c}) AS std{i}", f"{qfun} AS q{i}",
                      f"count_if({c} < 0) AS neg{i}"]
        elif s.type in TEMPORAL:
            qfun = f"quantile_disc({c}, {list(QUANTILES)})" if exact_q else f"approx_quantile({c}, {list(QUANTILES)})"
            parts += [f"make_timestamp(avg(epoch_us({c}::TIMESTAMP))::BIGINT) AS mean{i}", f"{qfun} AS q{i}",
                      f"count_if({c}::TIMESTAMP > {future_sql}) AS fut{i}",
                      f"count_if({c}::TIMESTAMP < {ancient_sql}) AS anc{i}"]
        else:
            parts += [f"min(length({c})) AS lmin{i}", f"max(length({c})) AS lmax{i}", f"avg(length({c})) AS lmean{i}"]
    # count_if, not count(*) FILTER: FILTER clauses made this whole query about 20% slower (DuckDB 2.0).
    rec = con.execute(f"SELECT {', '.join(parts)} FROM t").fetchone()
    names = [d[0] for d in con.description]
    got = dict(zip(names, rec))
    for i, s in enumerate(scans):
        s.non_null = int(got[f"n{i}"])
        s.approx_distinct = _int(got.get(f"d{i}"))
        s.min, s.max = jsonable(got.get(f"lo{i}")), jsonable(got.get(f"hi{i}"))
        s.mean, s.std = jsonable(got.get(f"mean{i}")), jsonable(got.get(f"std{i}"))
        if got.get(f"q{i}") is not None:
            s.quantiles = {f"p{round(q * 100)}": jsonable(v) for q, v in zip(QUANTILES, got[f"q{i}"])}
            s.quantiles_exact = exact_q
        s.negatives = _int(got.get(f"neg{i}")) or 0
        s.future, s.ancient = _int(got.get(f"fut{i}")) or 0, _int(got.get(f"anc{i}")) or 0
        if f"lmin{i}" in got and got[f"lmin{i}"] is not None:
            s.length = {"min": got[f"lmin{i}"], "max": got[f"lmax{i}"], "mean": round(got[f"lmean{i}"], 2)}


def _int(v) -> int | None:
    return None if v is None else int(v)


def _second_pass(con, scans: list[ColumnScan], settings: ProfileSettings) -> None:
    """Exact distinct counts, value counts and histograms. A column with a small domain gets its distinct and
    value counts from one GROUP BY; a larger one an exact count(DISTINCT) up to the bound, and always when it
    is nearly unique (keys and duplicate detection need exact uniqueness); beyond that the approximate count
    stays, marked as approximate. The count(DISTINCT)s and the histograms share one scan."""
    small, large = [], []
    for s in scans:
        if s.type not in SCALAR:
            continue
        if s.non_null == 0:
            s.distinct, s.distinct_exact = 0, True
            continue
        s.distinct = min(s.approx_distinct, s.non_null)
        near_unique = s.approx_distinct >= 0.9 * s.non_null
        if s.approx_distinct <= settings.value_count_limit and not near_unique:
            small.append(s)
        elif s.approx_distinct <= settings.exact_distinct_limit or (near_unique and s.type in ("integer", "string")):
            large.append(s)
    _group_counts(con, small, settings)
    histograms = _histogram_plan(scans, settings.histogram_bins)
    parts = [f"count(DISTINCT {quote(s.name)})" for s in large] + [sql for _, _, sql in histograms]
    if parts:
        got = con.execute("SELECT " + ", ".join(parts) + " FROM t").fetchone()
        for s, n in zip(large, got):
            s.distinct, s.distinct_exact = int(n), True
        for (s, edges, _), counts in zip(histograms, got[len(large):]):
            s.histogram = _histogram_dict(s, edges, counts)
    for s in scans:
        if s.histogram is None and s.value_counts:
            top = s.value_counts[: settings.top_values]
            s.histogram = {"kind": "categorical", "labels": [v for v, _ in top], "counts": [n for _, n in top]}


def _group_counts(con, scans: list[ColumnScan], settings: ProfileSettings) -> None:
    """Distinct count and value counts of small-domain columns, most frequent first, in one query: every value
    of a small text domain (the category checks need them all), else the top ones."""
    if not scans:
        return
    ctes, branches, complete = [], [], {}
    for i, s in enumerate(scans):
        c = quote(s.name)
        complete[i] = s.type == "string" and s.approx_distinct <= 1.1 * settings.category_max_distinct
        limit = 2 * settings.category_max_distinct if complete[i] else settings.top_values
        shown = "v::VARCHAR" if s.type in TEMPORAL else "to_json(v)::VARCHAR"
        ctes.append(f"g{i} AS MATERIALIZED (SELECT {c} AS v, count(*) AS n FROM t WHERE {c} IS NOT NULL GROUP BY 1)")
        # ORDER BY .. LIMIT is a top-n heap, far cheaper than ranking every group.
        branches.append(f"(SELECT {i} AS col, {shown} AS j, n, (SELECT count(*) FROM g{i}) AS groups "
                        f"FROM g{i} ORDER BY n DESC, v LIMIT {limit})")
    rows = con.execute(f"WITH {', '.join(ctes)} " + " UNION ALL ".join(branches)).fetchall()
    by_col: dict[int, list] = {}
    for col, j, n, groups in rows:
        by_col.setdefault(col, []).append((j, n, groups))
    for i, s in enumerate(scans):
        got = by_col[i]
        s.distinct, s.distinct_exact = int(got[0][2]), True
        # UNION ALL does not keep each branch's order; the same tie-break as in SQL restores it.
        s.value_counts = sorted(((_from_text(s, j), int(n)) for j, n, _ in got), key=lambda vn: (-vn[1], vn[0]))
        s.value_counts_complete = complete[i] and s.distinct <= settings.category_max_distinct


def _from_text(s: ColumnScan, text: str):
    if s.type in TEMPORAL:
        return dt.datetime.fromisoformat(text).isoformat() if s.type == "timestamp" else text
    return json.loads(text)


def _histogram_plan(scans: list[ColumnScan], bins: int) -> list[tuple[ColumnScan, list[float], str]]:
    """Equal-width bins from min to max of each number and time column, as DuckDB ``histogram`` calls."""
    plan = []
    for s in scans:
        if s.type in NUMERIC + TEMPORAL and s.non_null and s.min != s.max:
            expr = f"{quote(s.name)}::DOUBLE" if s.type in NUMERIC else f"epoch({quote(s.name)})::DOUBLE"
            lo, hi = (float(s.min), float(s.max)) if s.type in NUMERIC else (_epoch(s.min), _epoch(s.max))
            if not (math.isfinite(lo) and math.isfinite(hi)):
                continue
            edges = [lo + (hi - lo) * k / bins for k in range(bins + 1)]
            edges[-1] = hi
            plan.append((s, edges, f"histogram({expr}, {edges[1:]!r})"))
    return plan


def _epoch(iso: str) -> float:
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is not None:
        return moment.timestamp()
    return (moment - dt.datetime(1970, 1, 1)).total_seconds()


def _histogram_dict(s: ColumnScan, edges: list[float], counts: dict) -> dict:
    by_edge = dict(counts or {})
    values = [int(by_edge.get(e, 0)) for e in edges[1:]]
    if s.type in TEMPORAL:
        shown = [dt.datetime.fromtimestamp(e, dt.UTC).replace(tzinfo=None).isoformat() for e in edges]
        return {"kind": "time", "edges": shown, "counts": values}
    return {"kind": "numeric", "edges": edges, "counts": values}


SAMPLE_TABLE = "text_sample"


def _sample(con, path: Path, scans: list[ColumnScan], rows: int, settings: ProfileSettings) -> None:
    """Evenly spaced values of the text columns (deterministic, unlike a random sample), kept as the temporary
    table SAMPLE_TABLE for the text-shape pass, and their non-null values for the semantic-type rules."""
    text = [s for s in scans if s.type == "string" and s.non_null]
    if not text:
        return
    step = max(1, rows // settings.sample_rows)
    cols = ", ".join(quote(s.name) for s in text)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {SAMPLE_TABLE} AS SELECT {cols} "
        f"FROM read_parquet('{_sql_path(path)}', file_row_number=true) "
        f"WHERE file_row_number % {step} = 0 ORDER BY file_row_number LIMIT {settings.sample_rows}")
    # Column arrays convert to Python several times faster than rows of tuples.
    got = con.execute(f"SELECT {cols} FROM {SAMPLE_TABLE}").fetchnumpy()
    for s, values in zip(text, got.values()):
        s.sample = [v for v in values.tolist() if v is not None]
