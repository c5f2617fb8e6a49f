"""Rows parsed from log lines, gathered into Arrow a batch at a time (so that memory follows the Arrow size, not
one Python object per value), then made into one table sorted by time.

A column's type is what its values are (JSON lines differ from line to line): numbers of both kinds become
floating point, any other mix text. Times are kept in UTC: where the log gives offsets the column is
timezone-aware, and a time without an offset among times with one is read as UTC (and said so).
"""

from __future__ import annotations

import json
from datetime import timezone

import pyarrow as pa
import pyarrow.compute as pc

from stocktake.errors import StocktakeError
from stocktake.settings import SourceSettings

_BATCH = 50_000


class Rows:
    def __init__(self, types: dict[str, pa.DataType], settings: SourceSettings):
        self.types, self.settings = types, settings  # types: columns whose type the format fixes
        self.count, self._rows, self._batches = 0, [], []
        self._aware = self._naive = 0

    def add(self, row: dict) -> None:
        stamp = row.get("timestamp")
        if stamp is not None and stamp.tzinfo is None:
            self._naive += 1
        elif stamp is not None:
            self._aware += 1
            row["timestamp"] = stamp.astimezone(timezone.utc).replace(tzinfo=None)
        self._rows.append(row)
        self.count += 1
        if len(self._rows) == _BATCH:
            self._flush()

    def table(self) -> pa.Table:
        """All rows, sorted by time where there is a time (stable, nulls last)."""
        self._flush()
        names = self._names(n for b in self._batches for n in b.column_names)
        types = {n: self._type(n) for n in names}
        table = pa.concat_tables([_conform(b, names, types) for b in self._batches])
        if "timestamp" in types:
            table = table.take(pc.sort_indices(table, sort_keys=[("timestamp", "ascending")]))
        return table

    def notes(self) -> list[str]:
        if self._aware and self._naive:
            return [f"{self._naive:,} timestamps had no UTC offset and were read as UTC"]
        return []

    def _flush(self) -> None:
        if self._rows:
            names = self._names(k for r in self._rows for k in r)
            self._batches.append(pa.table({n: _array([r.get(n) for r in self._rows], self.types.get(n))
                                           for n in names}))
            self._rows = []

    def _names(self, names) -> list[str]:
        found = list(dict.fromkeys(names))
        if len(found) > self.settings.max_columns:
            raise StocktakeError(f"the log lines hold more than {self.settings.max_columns:,} different keys "
                                 f"({self.settings.hint('max_columns')}).")
        return found

    def _type(self, name: str) -> pa.DataType:
        if name == "timestamp":
            return pa.timestamp("us", "UTC" if self._aware else None)
        if name in self.types:
            return self.types[name]
        found = {b[name].type for b in self._batches if name in b.column_names} - {pa.null()}
        if len(found) == 1:
            return found.pop()
        if found and all(pa.types.is_integer(t) or pa.types.is_floating(t) for t in found):
            return pa.float64()
        return pa.string()


def _array(values: list, type: pa.DataType | None) -> pa.Array:
    """The values as Arrow; a mix of kinds (a number here, text there) as text, JSON-written."""
    try:
        return pa.array(values, type)
    except (pa.ArrowException, OverflowError):
        return pa.array([v if v is None or isinstance(v, str) else json.dumps(v) for v in values], pa.string())


def _conform(batch: pa.Table, names: list[str], types: dict[str, pa.DataType]) -> pa.Table:
    return pa.table({n: batch[n].cast(types[n]) if n in batch.column_names else pa.nulls(batch.num_rows, types[n])
                     for n in names})
