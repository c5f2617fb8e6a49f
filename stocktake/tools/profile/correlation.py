"""Pearson correlations between the numeric measures of an asset, on demand and bounded: over a repeatable
sample of at most ``max_rows`` rows, and at most ``max_columns`` columns (the profile picks them; nothing is
profiled again)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from stocktake.catalog import Catalog
from stocktake.tools.profile.db import quote
from stocktake.tools.profile.model import TableProfile
from stocktake.tools.query import run_select

# Keys and codes are numbers whose correlation means nothing.
LEFT_OUT = ("identifier", "foreign_key", "boolean")


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    r: float  # Pearson's r, -1 .. 1


@dataclass(frozen=True)
class Correlations:
    asset: str
    columns: tuple[str, ...]
    pairs: tuple[Pair, ...]  # strongest first (by |r|); pairs with no defined r left out
    rows_used: int
    sampled: bool  # the asset has more rows than were used

    def matrix(self) -> list[list[float | None]]:
        """r for every two columns, in ``columns`` order (1 on the diagonal, None where undefined)."""
        r = {frozenset((p.a, p.b)): p.r for p in self.pairs}
        return [[1.0 if x == y else r.get(frozenset((x, y))) for y in self.columns] for x in self.columns]


def measure_columns(profile: TableProfile, max_columns: int) -> tuple[str, ...]:
    return tuple(c.name for c in profile.columns if c.type in ("integer", "float") and
                 c.semantic_type not in LEFT_OUT and (c.distinct or 0) > 1)[:max_columns]


def correlations(catalog: Catalog, profile: TableProfile, max_rows: int = 100_000,
                 max_columns: int = 20) -> Correlations:
    """Correlations between the measures of ``profile``'s asset (its latest snapshot)."""
    columns = measure_columns(profile, max_columns)
    pairs = [(a, b) for i, a in enumerate(columns) for b in columns[i + 1:]]
    if not pairs:
        return Correlations(profile.asset, columns, (), 0, False)
    sample = f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(profile.asset)}"
    if profile.rows > max_rows:
        sample += f" USING SAMPLE reservoir({int(max_rows)} ROWS) REPEATABLE (42)"
    aggregates = ", ".join(f"corr({quote(a)}, {quote(b)})" for a, b in pairs)
    row = run_select(catalog, f"SELECT count(*), {aggregates} FROM ({sample}) AS s", row_limit=1).rows[0]
    found = [Pair(a, b, round(float(r), 4)) for (a, b), r in zip(pairs, row[1:]) if r is not None and
             math.isfinite(r)]
    found.sort(key=lambda p: -abs(p.r))
    return Correlations(profile.asset, columns, tuple(found), int(row[0]), profile.rows > max_rows)
