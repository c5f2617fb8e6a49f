"""The values of one version as the drift tests need them, read with DuckDB from its Parquet snapshot in one pass
and bounded memory: the count of each value of a category (and of numbers with few values), else the numbers.

A numeric column with more than ``sample_values`` values is read from a fixed-seed sample of about that many rows:
those whose position hashes (with the seed) below the sampling rate, so the sample is the same on every run, and
small enough that the tests of a 1M-row table take a fraction of its profile. Dates and timestamps are read as
seconds since the epoch; NaN and infinite numbers are left out with the nulls, as Evidently leaves them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from stocktake.settings import DriftSettings
from stocktake.tools.drift.stattests import NUMERIC, Values
from stocktake.tools.profile import ColumnProfile, quote


@dataclass(frozen=True)
class Wanted:
    """A column to read: as ``kind`` (numeric or categorical), counted per value or as numbers."""
    column: ColumnProfile
    kind: str
    as_counts: bool


def read_values(con: duckdb.DuckDBPyConnection, path: Path, rows: int, wanted: list[Wanted],
                settings: DriftSettings) -> list[Values]:
    """The values of each wanted column of the snapshot at ``path`` (``rows`` rows), in order: the columns read whole
    in one pass, those sampled in another over the sampled rows only."""
    sampled = [not w.as_counts and w.column.non_null > settings.sample_values for w in wanted]
    found: dict[int, Values] = {}
    for part, where in ((False, ""), (True, f" WHERE hash(file_row_number + {int(settings.seed)}) % {max(rows, 1)}"
                                            f" < {settings.sample_values}")):
        chosen = [i for i, s in enumerate(sampled) if s == part]
        if not chosen:
            continue
        items = ", ".join(_aggregate(wanted[i]) for i in chosen)
        row = con.sql(f"SELECT {items} FROM read_parquet($path, file_row_number=true){where}",
                      params={"path": str(path)}).to_arrow_table()
        found |= {i: _values(wanted[i], row.column(n), part) for n, i in enumerate(chosen)}
    return [found[i] for i in range(len(wanted))]


def _aggregate(w: Wanted) -> str:
    name = quote(w.column.name)
    value = name if w.kind != NUMERIC else \
        f"epoch({name})" if w.column.type in ("date", "timestamp") else f"{name}::DOUBLE"
    valid = f"{name} IS NOT NULL" + (f" AND isfinite({value})" if w.kind == NUMERIC else "")
    return f"{'histogram' if w.as_counts else 'list'}({value}) FILTER (WHERE {valid})"


def _values(w: Wanted, cell, sampled: bool) -> Values:
    if w.as_counts:
        counts = dict(cell.to_pylist()[0] or ())
        return Values(sum(counts.values()), counts)
    numbers = cell.combine_chunks().flatten().to_numpy(zero_copy_only=False).astype(float, copy=False)
    return Values(w.column.non_null if sampled else len(numbers), sample=numbers, sampled=sampled)
