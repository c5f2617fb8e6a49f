"""Column-level data-quality issues, each counted exactly over the whole column in DuckDB.

Rules (thresholds in ProfileSettings):
- missing_values: null cells, when their share exceeds ``missing_warn_fraction``.
- constant_column: one distinct value in more than one non-null row.
- unparseable_values: a text column in which at least ``parse_min_fraction`` of the values cast to a timestamp
  (or a number); the rows whose value does not.
- mixed_types: a text column in which between ``mixed_min_fraction`` and ``parse_min_fraction`` of the values
  are numbers; rows = the minority (numbers or not).
- future_or_ancient_dates: dates after now + ``future_days`` or before ``ancient_year``.
- negative_values: values below zero in price and quantity columns.
- zero_values: values of exactly zero in price columns (money: prices, amounts, totals), which mostly stand for
  a price never entered or a line written off rather than goods given away; rows are named by example.
- outliers: Tukey's far-out fences (``outlier_iqr_k`` x IQR beyond the quartiles); prices and quantities over
  their positive values (negatives are negative_values), right-skewed prices on a log scale, since money is
  multiplicative; other measures on a linear scale over all values.
- inconsistent_categories: in category and geo text columns, spellings that differ only in case, spacing,
  punctuation or accents, or by one typo from a spelling with at least 1/``typo_max_ratio`` as many rows;
  rows = rows holding a non-canonical spelling (the canonical one is the most frequent of its cluster).
- pii: free-text rows that contain an email address, a phone number, a card number, an IBAN or a resident id
  (stocktake.tools.profile.pii; those with a checksum only where it holds).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from stocktake.tools.profile.context import Context
from stocktake.tools.profile.db import HAS_PII, jsonable, quote
from stocktake.tools.profile.model import Issue
from stocktake.tools.profile.pii import CERTAIN_RE2, CHECKED_RE2, pii_excerpt
from stocktake.tools.profile.scan import NUMERIC, SAMPLE_TABLE, ColumnScan, grouped_quantiles_sql
from stocktake.tools.profile.semantic import TextShape, category_clusters
from stocktake.words import plural


def severity_by_share(share: float, high: float = 0.5, medium: float = 0.05) -> str:
    return "high" if share >= high else "medium" if share >= medium else "low"


def text_shapes(ctx: Context, scans: list[ColumnScan]) -> dict[str, TextShape]:
    """Exact counts of text values that cast to numbers and timestamps, and of far-off parsed dates. The costly
    casts run only where the evenly spaced sample (SAMPLE_TABLE, cast once per distinct value) shows at least
    ``mixed_min_fraction`` numbers (or dates): with fewer, no rule can fire (columns left out get no shape; the
    ones cast are counted over every row)."""
    text = [s for s in scans if s.type == "string" and s.non_null]
    if not text:
        return {}
    def every_row(c: str) -> str:
        return f"SELECT {c} AS v, 1 AS n FROM t WHERE {c} IS NOT NULL"

    def sampled(c: str) -> str:
        return f"SELECT {c} AS v, count(*) AS n FROM {SAMPLE_TABLE} WHERE {c} IS NOT NULL GROUP BY 1"

    if ctx.rows <= ctx.settings.sample_rows:
        return _shape_counts(ctx, [(s, True, True) for s in text], every_row)
    rough = _shape_counts(ctx, [(s, True, True) for s in text], sampled)
    least = {s.name: ctx.settings.mixed_min_fraction * max(1, rough[s.name].non_null) for s in text}
    plan = [(s, rough[s.name].as_number >= least[s.name], rough[s.name].as_timestamp >= least[s.name]) for s in text]
    plan = [p for p in plan if p[1] or p[2]]
    return _shape_counts(ctx, plan, every_row) if plan else {}


def _shape_counts(ctx: Context, plan: list[tuple[ColumnScan, bool, bool]],
                  values: Callable[[str], str]) -> dict[str, TextShape]:
    """Counts per column over ``values(column)``: its non-null values ``v``, each standing for ``n`` rows, so
    that a grouped source casts each distinct value once. A cast left out of the plan counts as 0 parsed."""
    branches = []
    for i, (s, numbers, times) in enumerate(plan):
        num = "TRY_CAST(v AS DOUBLE)" if numbers else "NULL::DOUBLE"
        ts = "TRY_CAST(v AS TIMESTAMP)" if times else "NULL::TIMESTAMP"
        branches.append(f"SELECT {i} AS col, n, {num} AS num, {ts} AS ts FROM ({values(quote(s.name))})")
    conds = ["num IS NOT NULL", "ts IS NOT NULL", "ts = date_trunc('day', ts)", f"ts > {ctx.future_sql}",
             f"ts < {ctx.ancient_sql}"]
    got = ctx.con.execute(f"SELECT col, sum(n), {', '.join(f'sum(CASE WHEN {c} THEN n END)' for c in conds)}, "
                          f"min(ts), max(ts) FROM ({' UNION ALL '.join(branches)}) GROUP BY col").fetchall()
    counts = {row[0]: row[1:] for row in got}
    shapes = {}
    for i, (s, _, _) in enumerate(plan):
        *numbers, first, last = counts.get(i, (0,) * 6 + (None, None))
        shapes[s.name] = TextShape(*(int(n or 0) for n in numbers), jsonable(first), jsonable(last))
    return shapes


def column_issues(ctx: Context, scans: list[ColumnScan], semantic: dict[str, str],
                  shapes: dict[str, TextShape]) -> list[Issue]:
    found: list[Issue] = []
    for s in scans:
        found += missing_and_constant(ctx, s)
        if s.name in shapes:
            found += parse_issues(ctx, s, shapes[s.name])
        found += far_dates(ctx, s, shapes.get(s.name), semantic[s.name])
        if semantic[s.name] in ("price", "quantity") and s.negatives:
            found.append(ctx.issue("negative_values", s.name, s.negatives, "high",
                                   f"{s.negatives:,} negative {semantic[s.name]} values in {s.name}",
                                   ctx.example_values(s.name, f"{quote(s.name)} < 0")))
        if semantic[s.name] == "price" and s.zeros:
            found.append(zero_money(ctx, s))
        if semantic[s.name] in ("category", "geo") and s.value_counts_complete:
            found += inconsistent_categories(ctx, s)
    measures = [s for s in scans if s.type in NUMERIC and semantic[s.name] in ("price", "quantity", "number")]
    found += outliers(ctx, measures, semantic)
    found += pii(ctx, [s for s in scans if semantic[s.name] == "free_text"])
    return found


def missing_and_constant(ctx: Context, s: ColumnScan) -> list[Issue]:
    found = []
    nulls = ctx.rows - s.non_null
    if nulls and nulls / ctx.rows > ctx.settings.missing_warn_fraction:
        share = nulls / ctx.rows
        found.append(ctx.issue("missing_values", s.name, nulls, severity_by_share(share),
                               f"{nulls:,} of {ctx.rows:,} values of {s.name} are missing ({share:.1%})",
                               ctx.example_rows(f"{quote(s.name)} IS NULL"), share=round(share, 6)))
    if s.distinct == 1 and s.non_null > 1:
        found.append(ctx.issue("constant_column", s.name, s.non_null, "low",
                               f"{s.name} holds one value ({s.min!r}) in every non-null row", [s.min], value=s.min))
    return found


def zero_money(ctx: Context, s: ColumnScan) -> Issue:
    share = s.zeros / ctx.rows
    return ctx.issue("zero_values", s.name, s.zeros, "medium",
                     f"{s.zeros:,} values of the money column {s.name} are exactly 0 ({share:.1%})",
                     ctx.example_rows(f"{quote(s.name)} = 0"), share=round(share, 6))


def parse_issues(ctx: Context, s: ColumnScan, shape: TextShape) -> list[Issue]:
    share_ts, share_num = shape.as_timestamp / s.non_null, shape.as_number / s.non_null
    minimum = ctx.settings.parse_min_fraction
    c = quote(s.name)
    if share_ts >= minimum and shape.as_timestamp < s.non_null:
        bad = s.non_null - shape.as_timestamp
        return [ctx.issue("unparseable_values", s.name, bad, "medium",
                          f"{bad:,} values of the date column {s.name} do not parse as dates",
                          ctx.example_values(s.name, f"{c} IS NOT NULL AND TRY_CAST({c} AS TIMESTAMP) IS NULL"),
                          expected="timestamp", parsed=shape.as_timestamp)]
    if share_num >= minimum and shape.as_number < s.non_null:
        bad = s.non_null - shape.as_number
        return [ctx.issue("unparseable_values", s.name, bad, "medium",
                          f"{bad:,} values of the numeric column {s.name} are not numbers",
                          ctx.example_values(s.name, f"{c} IS NOT NULL AND TRY_CAST({c} AS DOUBLE) IS NULL"),
                          expected="number", parsed=shape.as_number)]
    if ctx.settings.mixed_min_fraction <= share_num < minimum:
        minority = min(shape.as_number, s.non_null - shape.as_number)
        return [ctx.issue("mixed_types", s.name, minority, "medium",
                          f"{s.name} mixes numbers ({shape.as_number:,}) and text ({s.non_null - shape.as_number:,})",
                          ctx.example_values(s.name, f"TRY_CAST({c} AS DOUBLE) IS NOT NULL"),
                          numbers=shape.as_number, text=s.non_null - shape.as_number)]
    return []


def far_dates(ctx: Context, s: ColumnScan, shape: TextShape | None, semantic: str) -> list[Issue]:
    future, ancient = (s.future, s.ancient) if shape is None else (shape.future, shape.ancient)
    if semantic not in ("date", "timestamp") or not future + ancient:
        return []
    expr = f"{quote(s.name)}::TIMESTAMP" if shape is None else f"TRY_CAST({quote(s.name)} AS TIMESTAMP)"
    return [ctx.issue("future_or_ancient_dates", s.name, future + ancient, "medium",
                      f"{future:,} dates of {s.name} lie in the future and {ancient:,} before "
                      f"{ctx.settings.ancient_year}",
                      ctx.example_values(s.name, f"{expr} > {ctx.future_sql} OR {expr} < {ctx.ancient_sql}"),
                      future=future, ancient=ancient)]


def inconsistent_categories(ctx: Context, s: ColumnScan) -> list[Issue]:
    clusters = category_clusters(s.value_counts or [], ctx.settings)
    if not clusters:
        return []
    counts = dict(s.value_counts or [])
    rows = sum(counts[v] for variants in clusters.values() for v in variants)
    examples = [f"{v!r} -> {canon!r}" for canon, variants in clusters.items() for v in variants]
    return [ctx.issue("inconsistent_categories", s.name, rows, "medium",
                      f"{plural(rows, 'row')} of {s.name} {'uses' if rows == 1 else 'use'} "
                      f"{plural(sum(map(len, clusters.values())), 'non-canonical spelling')} of "
                      f"{plural(len(clusters), 'value')}", examples[: ctx.settings.examples], clusters=clusters,
                      variant_counts={v: counts[v] for vs in clusters.values() for v in vs})]


def right_skewed(s: ColumnScan) -> bool:
    """Bowley's quartile skewness above 0.2: the long right tail of prices, judged on a log scale (a uniform
    or symmetric spread stays linear, where a log scale would call the smallest values outliers)."""
    q1, q2, q3 = (s.quantiles.get(p) for p in ("p25", "p50", "p75"))
    return None not in (q1, q2, q3) and q3 > q1 and (q3 + q1 - 2 * q2) / (q3 - q1) > 0.2


def count_matching(ctx: Context, checks: list[tuple[ColumnScan, Callable[[str], str]]]) -> list[int]:
    """Rows meeting each condition, written over one column (``cond(column_sql)``): counted over the column's
    value counts where the scan kept them (each value tested once), the others in one scan of the table."""
    parts = [f"(SELECT coalesce(sum(n), 0) FROM {s.groups} WHERE {cond('v')})" if s.groups
             else f"count_if({cond(quote(s.name))})" for s, cond in checks]
    scanned = any(s.groups is None for s, _ in checks)
    return [int(n) for n in ctx.con.execute("SELECT " + ", ".join(parts) + (" FROM t" if scanned else "")).fetchone()]


def outliers(ctx: Context, scans: list[ColumnScan], semantic: dict[str, str]) -> list[Issue]:
    """Far-out values; fences from exact quartiles of the same values the count is taken over."""
    k = ctx.settings.outlier_iqr_k
    plans = []
    for s in scans:
        if s.non_null < 4:
            continue
        kind = semantic[s.name]
        if kind == "price" and right_skewed(s):
            plans.append((s, lambda c: f"ln({c})", lambda c: f"{c} > 0", "log"))
        else:
            where = (lambda c: f"{c} > 0") if kind in ("price", "quantity") else (lambda c: f"{c} IS NOT NULL")
            plans.append((s, lambda c: c, where, "linear"))
    if not plans:
        return []
    parts = [grouped_quantiles_sql(s.groups, [0.25, 0.75], expr("v"), where("v")) if s.groups else
             f"quantile_cont(CASE WHEN {where(quote(s.name))} THEN {expr(quote(s.name))} END, [0.25, 0.75])"
             for s, expr, where, _ in plans]
    scanned = any(s.groups is None for s, *_ in plans)
    quartiles = ctx.con.execute("SELECT " + ", ".join(parts) + (" FROM t" if scanned else "")).fetchone()
    checks = []
    for (s, expr, where, scale), q in zip(plans, quartiles):
        if q is None or q[1] - q[0] <= 0:
            continue
        lo, hi = q[0] - k * (q[1] - q[0]), q[1] + k * (q[1] - q[0])
        checks.append((s, lambda c, e=expr, w=where, lo=lo, hi=hi: f"({w(c)}) AND ({e(c)} < {lo!r} OR {e(c)} > {hi!r})",
                       lo, hi, scale))
    if not checks:
        return []
    counts = count_matching(ctx, [(s, cond) for s, cond, *_ in checks])
    found = []
    for (s, cond, lo, hi, scale), n in zip(checks, counts):
        if n:
            fences = [lo, hi] if scale == "linear" else [math.exp(lo), math.exp(hi)]
            found.append(ctx.issue("outliers", s.name, n, "low", outlier_text(s, n, fences),
                                   ctx.example_values(s.name, cond(quote(s.name))), fences=fences, scale=scale))
    return found


def outlier_text(s: ColumnScan, n: int, fences: list[float]) -> str:
    """Name only the fence values can cross: no value of a column that never goes below 0 lies under -5."""
    values = f"{n:,} values of {s.name} lie" if n != 1 else f"1 value of {s.name} lies"
    if isinstance(s.min, (int, float)) and s.min >= fences[0]:
        return f"{values} above {fences[1]:,.4g}"
    if isinstance(s.max, (int, float)) and s.max <= fences[1]:
        return f"{values} below {fences[0]:,.4g}"
    return f"{values} outside {fences[0]:,.4g} .. {fences[1]:,.4g}"


def pii(ctx: Context, scans: list[ColumnScan]) -> list[Issue]:
    if not scans:
        return []
    # One RE2 pass rules out most rows; e-mails and phones then count in SQL, and a number that needs its
    # checksum goes through the Python check that masking uses (HAS_PII).
    def cond(c: str) -> str:
        return (f"CASE WHEN NOT regexp_matches({c}, '{CERTAIN_RE2}|{CHECKED_RE2}') THEN false "
                f"WHEN regexp_matches({c}, '{CERTAIN_RE2}') THEN true ELSE {HAS_PII}({c}) END")

    got = count_matching(ctx, [(s, cond) for s in scans])
    found = []
    for name, n in zip((s.name for s in scans), got):
        if n:
            examples = [pii_excerpt(str(v)) for v in ctx.example_values(name, cond(quote(name)))]
            found.append(ctx.issue("pii", name, n, "high", f"{n:,} rows of {name} contain personal data (an e-mail "
                                   "address, phone, card or id number)", examples))
    return found

