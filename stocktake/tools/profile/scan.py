"""Column statistics of one Parquet snapshot, computed by DuckDB without loading the table into pandas.

One aggregate pass gives counts, approximate distinct counts, min/max, time means and the counts behind
future and ancient dates; per-column GROUP BYs give exact distinct and value counts for small domains,
kept as temporary tables from which their exact quantiles, histograms, text lengths and moments (and later
checks) are read; one more pass over the table gives the larger domains their count(DISTINCT)s, quantiles (exact up to
``exact_quantile_rows``, approximate beyond), histograms, text lengths and numeric moments; a small, evenly
spaced row sample feeds the semantic-type rules and the text-shape pass.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import duckdb

from stocktake.catalog import Column
from stocktake.settings import ProfileSettings
from stocktake.tools.profile.db import ROW, jsonable, quote

NUMERIC = ("integer", "float")
TEMPORAL = ("date", "timestamp")
SCALAR = ("integer", "float", "boolean", "date", "timestamp", "string")
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass
class ColumnScan:
    """Raw statistics of one column, filled in by the passes below (internal to the profiler)."""

    name: str
    type: str
    position: int = 0  # in the table
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
    zeros: int = 0
    future: int = 0
    ancient: int = 0
    length: dict[str, float] | None = None
    value_counts: list[tuple[Any, int]] | None = None  # most frequent first
    value_counts_complete: bool = False  # every value, not only the top ones (small text domains)
    histogram: dict | None = None
    groups: str | None = None  # temporary table of (v, n): each value and its row count (small domains)
    sample: list = field(default_factory=list)


def scan_table(con: duckdb.DuckDBPyConnection, columns: Sequence[Column], rows: int,
               settings: ProfileSettings, future_sql: str, ancient_sql: str, first: int = 0) -> list[ColumnScan]:
    """Statistics of ``columns``: ``t`` holds them with row numbers (use_columns); ``first`` is the position of the
    first in the table."""
    scans = [ColumnScan(c.name, c.type, first + k) for k, c in enumerate(columns)]
    if not scans:
        return scans
    _aggregate_pass(con, scans, rows, settings, future_sql, ancient_sql)
    _second_pass(con, scans, rows, settings)
    _sample(con, scans, rows, settings)
    return scans


def _aggregate_pass(con, scans: list[ColumnScan], rows: int, settings: ProfileSettings,
                    future_sql: str, ancient_sql: str) -> None:
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
            continue  # moments come with the second pass
        if s.type in TEMPORAL:
            parts += [f"make_timestamp(avg(epoch_us({c}::TIMESTAMP))::BIGINT) AS mean{i}",
                      f"count_if({c}::TIMESTAMP > {future_sql}) AS fut{i}",
                      f"count_if({c}::TIMESTAMP < {ancient_sql}) AS anc{i}"]
    # count_if, not count(*) FILTER: FILTER clauses made this whole query about 20% slower (DuckDB 2.0).
    rec = con.execute(f"SELECT {', '.join(parts)} FROM t").fetchone()
    names = [d[0] for d in con.description]
    got = dict(zip(names, rec))
    for i, s in enumerate(scans):
        s.non_null = int(got[f"n{i}"])
        s.approx_distinct = _int(got.get(f"d{i}"))
        s.min, s.max = jsonable(got.get(f"lo{i}")), jsonable(got.get(f"hi{i}"))
        s.mean, s.std = jsonable(got.get(f"mean{i}")), jsonable(got.get(f"std{i}"))
        s.negatives = _int(got.get(f"neg{i}")) or 0
        s.future, s.ancient = _int(got.get(f"fut{i}")) or 0, _int(got.get(f"anc{i}")) or 0


def _quantile_sql(s: ColumnScan, exact: bool) -> str:
    fun = "approx_quantile" if not exact else "quantile_cont" if s.type in NUMERIC else "quantile_disc"
    return f"{fun}({quote(s.name)}, {list(QUANTILES)})"


def _set_quantiles(s: ColumnScan, values: list | None, exact: bool) -> None:
    if values is not None:
        s.quantiles = {f"p{round(q * 100)}": jsonable(v) for q, v in zip(QUANTILES, values)}
        s.quantiles_exact = exact


def _int(v) -> int | None:
    return None if v is None else int(v)


def _second_pass(con, scans: list[ColumnScan], rows: int, settings: ProfileSettings) -> None:
    """Exact distinct counts, value counts and histograms. A column with a small domain gets its distinct and
    value counts from one GROUP BY; a larger one an exact count(DISTINCT) up to the bound, and always when it
    is nearly unique (keys and duplicate detection need exact uniqueness); beyond that the approximate count
    stays, marked as approximate. Small domains get exact quantiles, histograms, text lengths and numeric
    moments from their value counts; the other columns get theirs, and the count(DISTINCT)s, from one scan."""
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
    _grouped_quantiles(con, [s for s in small if s.type in NUMERIC + TEMPORAL and s.groups])
    exact_q = rows <= settings.exact_quantile_rows
    scan_q = [s for s in scans if s.type in NUMERIC + TEMPORAL and s.non_null and s.groups is None]
    jobs = ([(s, _distinct_sql(s), _set_distinct) for s in large]
            + [(s, sql, partial(_set_histogram, edges=edges))
               for s, edges, sql in _histogram_plan(scans, settings)]
            + [(s, _quantile_sql(s, exact_q), partial(_set_quantiles, exact=exact_q)) for s in scan_q]
            + [(s, _length_sql(s), _set_length) for s in scans if s.type == "string" and s.non_null]
            + [(s, _moments_sql(s), _set_moments) for s in scans if s.type in NUMERIC and s.non_null])
    # What the value counts give runs apart from the scan of the table: scalar subqueries inside the scan's
    # aggregate slowed it down.
    for grouped in (True, False):
        mine = [job for job in jobs if (job[0].groups is not None) == grouped]
        for batch in ([mine] if grouped else _scan_batches(mine)):
            if batch:
                got = con.execute("SELECT " + ", ".join(sql for _, sql, _ in batch) + ("" if grouped else " FROM t"))
                for (s, _, apply), value in zip(batch, got.fetchone()):
                    apply(s, value)
    for s in scans:
        if s.histogram is None and s.value_counts:
            top = s.value_counts[: settings.top_values]
            s.histogram = {"kind": "categorical", "labels": [v for v, _ in top], "counts": [n for _, n in top]}


def _scan_batches(jobs: list) -> list[list]:
    """Each count(DISTINCT) in a scan of its own, the rest in one: five distinct counts at 1M rows took about a
    fifth less time as five queries than as one (DuckDB 2.0, on one thread and on two)."""
    distinct = [job for job in jobs if job[1].startswith("count(DISTINCT")]
    return [[job for job in jobs if job not in distinct]] + [[job] for job in distinct]


def _set_distinct(s: ColumnScan, n: int) -> None:
    s.distinct, s.distinct_exact = int(n), True


def _set_histogram(s: ColumnScan, counts: dict, edges: list[float]) -> None:
    s.histogram = _histogram_dict(s, edges, counts)


def _set_length(s: ColumnScan, length: dict) -> None:
    s.length = {"min": length["min"], "max": length["max"], "mean": round(length["mean"], 2)}


def _set_moments(s: ColumnScan, m: dict) -> None:
    s.mean, s.std = jsonable(m["mean"]), jsonable(m["std"])
    s.negatives, s.zeros = int(m["neg"] or 0), int(m["zero"] or 0)


def _length_sql(s: ColumnScan) -> str:
    """Text lengths in characters, from the value counts where the column has them (each value measured once)."""
    if s.groups:
        return (f"(SELECT {{'min': min(length(v)), 'max': max(length(v)), "
                f"'mean': sum(length(v) * n) / sum(n)}} FROM {s.groups})")
    c = quote(s.name)
    return f"{{'min': min(length({c})), 'max': max(length({c})), 'mean': avg(length({c}))}}"


def _moments_sql(s: ColumnScan) -> str:
    """Mean, sample standard deviation and counts of negatives and zeros, from the value counts where the column
    has them."""
    if s.groups:
        v = "v::HUGEINT" if s.type == "integer" else "v::DOUBLE"  # exact integer sums, as avg() keeps them
        return (f"(SELECT {{'mean': any_value(m), 'std': CASE WHEN sum(n) > 1 THEN "
                f"sqrt(sum(n * (v::DOUBLE - m) ^ 2) / (sum(n) - 1)) END, 'neg': sum(n) FILTER (WHERE v < 0), "
                f"'zero': sum(n) FILTER (WHERE v = 0)}} "
                f"FROM {s.groups}, (SELECT sum({v} * n) / sum(n) AS m FROM {s.groups}))")
    c = quote(s.name)
    return f"{{'mean': avg({c}), 'std': stddev_samp({c}), 'neg': count_if({c} < 0), 'zero': count_if({c} = 0)}}"


def _distinct_sql(s: ColumnScan) -> str:
    """count(DISTINCT) hashes every value; the distinct values of an integer column over a span of a few bits
    per row are counted exactly, several times faster, as the set bits of one bitmap over that span."""
    if s.type == "integer" and isinstance(s.min, int) and s.max - s.min < BITMAP_BITS_PER_ROW * s.non_null:
        return f"bit_count(bitstring_agg({quote(s.name)}, {s.min}, {s.max}))"
    return f"count(DISTINCT {quote(s.name)})"


BITMAP_BITS_PER_ROW = 16


def _group_counts(con, scans: list[ColumnScan], settings: ProfileSettings) -> None:
    """Distinct count and value counts of small-domain columns, most frequent first: every value of a small
    text domain (the category checks need them all), else the top ones. Each column's groups stay as the
    temporary table ``groups`` (v, n) for checks that need only the values and how many rows hold each."""
    if not scans:
        return
    ctes, branches, complete = [], [], {}
    for i, s in enumerate(scans):
        c = quote(s.name)
        complete[i] = s.type == "string" and s.approx_distinct <= 1.1 * settings.category_max_distinct
        limit = 2 * settings.category_max_distinct if complete[i] else settings.top_values
        shown = "v::VARCHAR" if s.type in TEMPORAL else "to_json(v)::VARCHAR"
        grouped = f"SELECT {c} AS v, count(*) AS n FROM t WHERE {c} IS NOT NULL GROUP BY 1"
        if s.approx_distinct <= GROUPS_MAX_SHARE * s.non_null:
            s.groups = source = f"value_groups_{s.position}"
            con.execute(f"CREATE OR REPLACE TEMP TABLE {s.groups} AS {grouped}")
        else:
            source = f"g{i}"
            ctes.append(f"{source} AS MATERIALIZED ({grouped})")
        # ORDER BY .. LIMIT is a top-n heap, far cheaper than ranking every group.
        branches.append(f"(SELECT {i} AS col, {shown} AS j, n, (SELECT count(*) FROM {source}) AS groups "
                        f"FROM {source} ORDER BY n DESC, v LIMIT {limit})")
    rows = con.execute((f"WITH {', '.join(ctes)} " if ctes else "") + " UNION ALL ".join(branches)).fetchall()
    by_col: dict[int, list] = {}
    for col, j, n, groups in rows:
        by_col.setdefault(col, []).append((j, n, groups))
    for i, s in enumerate(scans):
        got = by_col[i]
        s.distinct, s.distinct_exact = int(got[0][2]), True
        # UNION ALL does not keep each branch's order; the same tie-break as in SQL restores it.
        s.value_counts = sorted(((_from_text(s, j), int(n)) for j, n, _ in got), key=lambda vn: (-vn[1], vn[0]))
        s.value_counts_complete = complete[i] and s.distinct <= settings.category_max_distinct


# Value counts stand in for the rows (kept as a table) when there are at most this many values per row: with
# more, reading the counts is no cheaper than scanning the rows again.
GROUPS_MAX_SHARE = 0.25


def _grouped_quantiles(con, plan: list[ColumnScan]) -> None:
    """Exact quantiles of small domains from their value counts: numbers as quantile_cont, times as
    quantile_disc (the value at 0-based position ceil(n q) - 1)."""
    if not plan:
        return
    branches = []
    for s in plan:
        if s.type in NUMERIC:
            branches.append(grouped_quantiles_sql(s.groups, QUANTILES, "v::DOUBLE"))
            continue
        picks = ", ".join(f"min(v) FILTER (WHERE upto > greatest(ceil(total * {q}) - 1, 0))" for q in QUANTILES)
        branches.append(f"(SELECT [{picks}] FROM "
                        f"(SELECT v, sum(n) OVER (ORDER BY v) AS upto, sum(n) OVER () AS total FROM {s.groups}))")
    # One column per branch, as the columns' values differ in type.
    got = con.execute("SELECT " + ", ".join(branches)).fetchone()
    for s, values in zip(plan, got):
        _set_quantiles(s, values, exact=True)


def grouped_quantiles_sql(groups: str, quantiles, expr: str, where: str = "true") -> str:
    """A scalar subquery giving what quantile_cont(``expr``, quantiles) gives over the rows whose value ``v``
    meets ``where``, from the value counts in ``groups`` (``expr`` must not decrease as v grows): DuckDB's
    interpolation between the values at 0-based positions floor and ceil of (n - 1) q, in doubles as DuckDB
    computes it. NULL when no row qualifies."""
    def at(position: str) -> str:  # the first value whose running count passes the position
        return f"min(e) FILTER (WHERE upto > {position})"

    items = []
    for q in quantiles:
        rn, rn_all = f"((total - 1)::DOUBLE * {q}::DOUBLE)", f"((any_value(total) - 1)::DOUBLE * {q}::DOUBLE)"
        lo, hi = at(f"floor({rn})"), at(f"ceil({rn})")
        items.append(f"{lo} + ({hi} - {lo}) * ({rn_all} - floor({rn_all}))")
    return (f"(SELECT CASE WHEN count(*) > 0 THEN [{', '.join(items)}] END FROM (SELECT {expr} AS e, "
            f"sum(n) OVER (ORDER BY v) AS upto, sum(n) OVER () AS total FROM {groups} WHERE {where}))")


def _from_text(s: ColumnScan, text: str):
    if s.type in TEMPORAL:
        return dt.datetime.fromisoformat(text).isoformat() if s.type == "timestamp" else text
    return json.loads(text)


def _histogram_plan(scans: list[ColumnScan], settings: ProfileSettings) -> list[tuple[ColumnScan, list[float], str]]:
    """Equal-width bins from min to max of each number and time column, as DuckDB ``histogram`` calls (each
    value counts in the first bin whose upper edge is not below it), or for a small domain the same bins
    filled from its value counts. An integer column over a short span (ratings 1..5) gets a bin per value:
    bins of 0.2 stars would draw gaps and ticks at 1.6."""
    bins, plan = settings.histogram_bins, []
    for s in scans:
        if s.type in NUMERIC + TEMPORAL and s.non_null and s.min != s.max:
            lo, hi = (float(s.min), float(s.max)) if s.type in NUMERIC else (_epoch(s.min), _epoch(s.max))
            if not (math.isfinite(lo) and math.isfinite(hi)):
                continue
            if s.type == "integer" and s.max - s.min < settings.value_bars_max_span:
                edges = [lo - 1 + k for k in range(s.max - s.min + 2)]
            else:
                edges = [lo + (hi - lo) * k / bins for k in range(bins + 1)]
            edges[-1] = hi
            plan.append((s, edges, _histogram_sql(s, edges[1:])))
    return plan


def _histogram_sql(s: ColumnScan, uppers: list[float]) -> str:
    def as_double(c: str) -> str:
        return f"{c}::DOUBLE" if s.type in NUMERIC else f"epoch({c})::DOUBLE"

    if s.groups is None:
        return f"histogram({as_double(quote(s.name))}, {uppers!r})"
    edges = f"({uppers!r}::DOUBLE[])"
    return (f"(SELECT map_from_entries(list((b, c))) FROM (SELECT {edges}[1 + len(list_filter({edges}, "
            f"lambda e: e < {as_double('v')}))] AS b, sum(n) AS c FROM {s.groups} GROUP BY 1) WHERE b IS NOT NULL)")


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
    if s.type == "integer" and edges[0] < s.min:  # a bin per value (_histogram_plan): the first edge below min
        return {"kind": "values", "labels": list(range(s.min, s.max + 1)), "counts": values}
    return {"kind": "numeric", "edges": edges, "counts": values}


SAMPLE_TABLE = "text_sample"


def _sample(con, scans: list[ColumnScan], rows: int, settings: ProfileSettings) -> None:
    """Evenly spaced values of the text columns (deterministic, unlike a random sample), kept as the temporary
    table SAMPLE_TABLE for the text-shape pass, and their non-null values for the semantic-type rules."""
    text = [s for s in scans if s.type == "string" and s.non_null]
    if not text:
        return
    step = max(1, rows // settings.sample_rows)
    cols = ", ".join(quote(s.name) for s in text)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {SAMPLE_TABLE} AS SELECT {cols} "
        f"FROM t WHERE {ROW} % {step} = 0 ORDER BY {ROW} LIMIT {settings.sample_rows}")
    # Column arrays convert to Python several times faster than rows of tuples.
    got = con.execute(f"SELECT {cols} FROM {SAMPLE_TABLE}").fetchnumpy()
    for s, values in zip(text, got.values()):
        s.sample = [v for v in values.tolist() if v is not None]
