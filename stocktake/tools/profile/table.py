"""Table-level facts: exact duplicate rows, duplicate keys, candidate keys and time coverage."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from stocktake.tools.profile.context import Context
from stocktake.tools.profile.db import quote
from stocktake.tools.profile.model import Issue
from stocktake.tools.profile.names import key_names
from stocktake.tools.profile.scan import ColumnScan

KEY_TYPES = ("integer", "string")


@dataclass(frozen=True)
class Duplicates:
    rows: int  # rows that copy an earlier row exactly
    with_key: int  # of those, the rows whose pivot column is not null


def count_duplicates(ctx: Context, scans: list[ColumnScan]) -> Duplicates:
    """Exact duplicate rows. Only rows whose pivot value repeats can be duplicates, so the expensive DISTINCT
    over whole rows runs on those rows alone (none at all when the pivot is unique). The pivot is the asset's
    own key if it has one (so ``with_key`` is what duplicate_key must leave out), else the most selective column."""
    if ctx.rows < 2 or not scans:
        return Duplicates(0, 0)
    pivot = own_key(ctx, scans) or max((s for s in scans if s.distinct is not None),
                                       key=lambda s: (s.distinct_exact, s.distinct or 0), default=None)
    if pivot is not None and pivot.distinct_exact and pivot.distinct == pivot.non_null == ctx.rows:
        return Duplicates(0, 0)
    if pivot is None:
        got = ctx.con.execute("SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT * FROM t)) FROM t").fetchone()
        return Duplicates(int(got[0]), int(got[0]))
    p = quote(pivot.name)
    got = ctx.con.execute(f"""
        WITH rep AS (SELECT {p} AS v FROM t WHERE {p} IS NOT NULL GROUP BY 1 HAVING count(*) > 1),
             cand AS (SELECT * FROM t WHERE {p} IN (SELECT v FROM rep) OR {p} IS NULL)
        SELECT count(*) FILTER (WHERE {p} IS NOT NULL), count(*) FILTER (WHERE {p} IS NULL),
               (SELECT count(*) FROM (SELECT DISTINCT * FROM cand WHERE {p} IS NOT NULL)),
               (SELECT count(*) FROM (SELECT DISTINCT * FROM cand WHERE {p} IS NULL))
        FROM cand""").fetchone()
    with_key = int(got[0] - got[2])
    return Duplicates(with_key + int(got[1] - got[3]), with_key)


def duplicate_issues(ctx: Context, scans: list[ColumnScan], dups: Duplicates) -> list[Issue]:
    found = []
    if dups.rows:
        share = dups.rows / ctx.rows
        found.append(ctx.issue("duplicate_rows", None, dups.rows, "high" if share >= 0.01 else "medium",
                               f"{dups.rows:,} rows are exact copies of an earlier row ({share:.2%})",
                               _duplicate_examples(ctx, scans)))
    key = own_key(ctx, scans)
    if key is not None and key.distinct is not None and key.distinct < key.non_null:
        # Exact copies repeat their key too; they are duplicate_rows, not duplicate_key.
        copies = dups.with_key if dups.rows else 0
        rows = key.non_null - key.distinct - copies
        if rows > 0:
            c = quote(key.name)
            found.append(ctx.issue(
                "duplicate_key", key.name, rows, "high",
                f"{rows:,} rows reuse the {key.name} of an earlier, different row",
                ctx.example_values(key.name, f"{c} IN (SELECT {c} FROM t GROUP BY 1 HAVING count(*) > 1)"),
                key=[key.name]))
    return found


def own_key(ctx: Context, scans: list[ColumnScan]) -> ColumnScan | None:
    """The column named as this asset's key (``order_id`` in ``orders``) when it is (nearly) unique."""
    names = key_names(ctx.asset)
    for s in scans:
        if s.name.lower() in names and s.type in KEY_TYPES and s.distinct_exact and s.non_null \
                and s.distinct >= ctx.settings.key_min_unique_ratio * s.non_null:
            return s
    return None


def _duplicate_examples(ctx: Context, scans: list[ColumnScan]) -> list[str]:
    cols = ", ".join(quote(s.name) for s in scans)
    # Ties broken by first appearance in the file, so the same version always shows the same examples.
    got = ctx.con.execute(f"SELECT {cols}, count(*) AS n, min(file_row_number) AS first FROM "
                          f"(SELECT *, row_number() OVER () AS file_row_number FROM t) GROUP BY ALL "
                          f"HAVING count(*) > 1 ORDER BY n DESC, first LIMIT {ctx.settings.examples}").fetchall()
    return [", ".join(f"{s.name}={v}" for s, v in list(zip(scans, r))[:4]) + f" (x{r[-2]})" for r in got]


def candidate_keys(ctx: Context, scans: list[ColumnScan], semantic: dict[str, str],
                   dups: Duplicates) -> list[tuple[str, ...]]:
    """The columns that name one row, best first: the one finder whose answer the report, the inventory and the
    assistant show. The asset's own key by name (``order_id`` in ``orders``) when (nearly) unique, alone: a
    repeated order id is a duplicate_key issue, and another unique column of orders (Olist's ``customer_id``)
    is no key of orders. Failing that, the columns unique over the distinct rows (exact copies repeat their
    key too), id-like ones only where there are any; failing those, pairs of columns unique together, those
    with an id first, then the pairs of fewest possible combinations: a designed key pairs an order with its
    line number, a pair unique by accident holds a column of nearly unique values (an epoch time).
    Timestamps, floats, amounts, flags and free text are never keys: unique by accident, not by design."""
    own = own_key(ctx, scans)
    if own is not None:
        return [(own.name,)]
    rows = ctx.rows - dups.rows
    if rows <= 0:
        return []
    usable = [s for s in scans if s.type in KEY_TYPES and semantic[s.name] not in NEVER_KEYS
              and s.non_null == ctx.rows and s.distinct_exact]
    singles = [s for s in usable if s.distinct == rows]
    named = [s for s in singles if semantic[s.name] == "identifier"]
    if singles or ctx.settings.max_key_combination < 2:
        return [(s.name,) for s in named or singles]
    pool = sorted((s for s in usable if s.distinct and s.distinct > 1),
                  key=lambda s: (semantic[s.name] != "identifier", -s.distinct))[:6]
    pairs = [(a, b) for a, b in combinations(pool, 2) if a.distinct * b.distinct >= rows]
    if not pairs:
        return []
    got = ctx.con.execute("SELECT " + ", ".join(f"count(DISTINCT ({quote(a.name)}, {quote(b.name)}))"
                                                for a, b in pairs) + " FROM t").fetchone()
    found = [(a, b) for (a, b), n in zip(pairs, got) if n == rows]
    found.sort(key=lambda ab: ("identifier" not in (semantic[ab[0].name], semantic[ab[1].name]),
                               ab[0].distinct * ab[1].distinct))
    return [(a.name, b.name) for a, b in found]


# Semantic types of values that identify nothing by design, however unique they happen to be.
NEVER_KEYS = ("free_text", "date", "timestamp", "price", "quantity", "rating", "boolean")


def time_coverage(ctx: Context, scans: list[ColumnScan]) -> dict | None:
    """First and last moment of the main time column, and the longest gaps without any row."""
    timed = [s for s in scans if s.type == "timestamp" and s.non_null] or \
            [s for s in scans if s.type == "date" and s.non_null]
    if not timed:
        return None
    s = timed[0]
    c = quote(s.name)
    gaps = ctx.con.execute(f"""
        SELECT d, nxt, datediff('day', d, nxt) AS days FROM (
            SELECT d, lead(d) OVER (ORDER BY d) AS nxt
            FROM (SELECT DISTINCT {c}::DATE AS d FROM t WHERE {c} IS NOT NULL))
        WHERE datediff('day', d, nxt) > {ctx.settings.time_gap_min_days} ORDER BY days DESC, d LIMIT 5""").fetchall()
    return {"column": s.name, "first": s.min, "last": s.max,
            "gaps": [{"after": a.isoformat(), "before": b.isoformat(), "days": int(n)} for a, b, n in gaps]}
