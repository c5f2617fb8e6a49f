"""Date columns charted over the calendar: rows per day, week, month or year, whichever keeps the chart readable.

Equal-width bins over a time span start at odd moments (a bin from 3 March 14:24), so each date and timestamp
column, and each text column whose values parse as dates, gets its rows counted per calendar bucket instead,
empty buckets included. The unit is the coarsest that still draws ``time_buckets_min`` bars (ProfileSettings):
18 months of orders by month, three weeks by day; a span that needs more than ``time_buckets_max`` bars keeps
the equal-width histogram. Dates before ``ancient_year`` or after now + ``future_days`` stay out of the chart:
one typo such as 0201 would stretch it over eighteen centuries, and they are future_or_ancient_dates already.
"""

from __future__ import annotations

import datetime as dt

from stocktake.tools.profile.context import Context
from stocktake.tools.profile.db import quote
from stocktake.tools.profile.scan import TEMPORAL, ColumnScan
from stocktake.tools.profile.semantic import TextShape

UNITS = ("day", "week", "month", "year")


def calendar_histograms(ctx: Context, scans: list[ColumnScan], shapes: dict[str, TextShape]) -> None:
    """Replace the histograms of the time columns among ``scans`` (``t`` holds them) by calendar buckets: rows
    per day from DuckDB (since 1900, some 46,000 of them at most), rolled up here into the unit chosen."""
    plan = []
    for s in scans:
        shape = shapes.get(s.name)
        if s.type in TEMPORAL and s.non_null:
            plan.append((s, f"{quote(s.name)}::TIMESTAMP"))
        elif s.type == "string" and shape is not None and shape.dates(ctx.settings):
            plan.append((s, f"TRY_CAST({quote(s.name)} AS TIMESTAMP)"))
    if not plan:
        return
    branches = [f"SELECT {i} AS col, date_trunc('day', {moment}) AS b, count(*) AS n FROM t "
                f"WHERE {moment} BETWEEN {ctx.ancient_sql} AND {ctx.future_sql} GROUP BY 2"
                for i, (_, moment) in enumerate(plan)]
    days: dict[int, dict[dt.datetime, int]] = {}
    for col, day, n in ctx.con.execute(" UNION ALL ".join(branches)).fetchall():
        days.setdefault(col, {})[_as_datetime(day)] = int(n)
    for i, (s, _) in enumerate(plan):
        got = days.get(i)
        unit = got and bucket_unit(min(got), max(got), ctx.settings.time_buckets_min, ctx.settings.time_buckets_max)
        if unit:
            rolled: dict[dt.datetime, int] = {}
            for day, n in got.items():
                rolled[_truncate(unit, day)] = rolled.get(_truncate(unit, day), 0) + n
            s.histogram = calendar_histogram(unit, rolled)


def bucket_unit(first: dt.datetime, last: dt.datetime, fewest: int, most: int) -> str | None:
    """The coarsest calendar unit that cuts first..last into at least ``fewest`` buckets (days where none does),
    or None where that takes more than ``most``."""
    for unit in reversed(UNITS):
        n = len(buckets(unit, first, last))
        if n >= fewest or unit == "day":
            return unit if n <= most else None
    return None


def calendar_histogram(unit: str, counts: dict[dt.datetime, int]) -> dict:
    """``{"kind": "time", "unit", "edges", "counts"}``: every bucket from the first to the last that holds rows,
    edges as ISO strings (the start of each bucket, then the end of the last)."""
    starts = buckets(unit, min(counts), max(counts))
    edges = [*starts, _next(unit, starts[-1])]
    return {"kind": "time", "unit": unit, "edges": [e.isoformat() for e in edges],
            "counts": [counts.get(b, 0) for b in starts]}


def buckets(unit: str, first: dt.datetime, last: dt.datetime) -> list[dt.datetime]:
    """The starts of the calendar buckets from the one holding ``first`` to the one holding ``last``; stops one
    past a count no chart shows, so a span of centuries costs nothing."""
    start, end = _truncate(unit, first), _truncate(unit, last)
    out = [start]
    while out[-1] < end and len(out) <= LONGEST:
        out.append(_next(unit, out[-1]))
    return out


LONGEST = 10_000  # buckets counted before giving up on a unit


def _truncate(unit: str, moment: dt.datetime) -> dt.datetime:
    day = dt.datetime(moment.year, moment.month, moment.day)
    if unit == "day":
        return day
    if unit == "week":  # ISO weeks start on Monday
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1) if unit == "month" else day.replace(month=1, day=1)


def _next(unit: str, start: dt.datetime) -> dt.datetime:
    if unit in ("day", "week"):
        return start + dt.timedelta(days=1 if unit == "day" else 7)
    if unit == "month":
        return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    return start.replace(year=start.year + 1)


def _as_datetime(value: dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return dt.datetime(value.year, value.month, value.day)
