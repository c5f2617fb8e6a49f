"""What every check of one profiling run shares: the asset, its DuckDB connection (the view ``t``), the key that
names a row in examples, the settings and the moment it runs; and how an issue and its examples are written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from stocktake.settings import ProfileSettings
from stocktake.tools.profile.db import ROW, jsonable, quote
from stocktake.tools.profile.model import Issue


@dataclass(frozen=True)
class Context:
    asset: str
    rows: int
    con: duckdb.DuckDBPyConnection
    key: str | None  # the column that names a row in examples
    settings: ProfileSettings
    now: dt.datetime

    @property
    def future_sql(self) -> str:
        future = self.now + dt.timedelta(days=self.settings.future_days)
        return f"TIMESTAMP '{future:%Y-%m-%d %H:%M:%S}'"

    @property
    def ancient_sql(self) -> str:
        return f"TIMESTAMP '{self.settings.ancient_year}-01-01'"

    def issue(self, kind: str, column: str | None, rows: int, severity: str, message: str,
              examples=(), **details) -> Issue:
        return Issue(kind, self.asset, column, int(rows), severity, message,
                     tuple(str(e) for e in examples), details)

    def example_rows(self, where: str) -> list[str]:
        """'row 12 (order_id=1000033)' for the first rows matching ``where`` (1-based, file order), from ``t``
        (with row numbers and the key column)."""
        key = f", {quote(self.key)}" if self.key else ""
        got = self.con.execute(
            f"SELECT {ROW}{key} FROM t WHERE {where} ORDER BY {ROW} LIMIT {self.settings.examples}").fetchall()
        return [f"row {r[0] + 1}" + (f" ({self.key}={jsonable(r[1])})" if self.key else "") for r in got]

    def example_values(self, column: str, where: str) -> list:
        c = quote(column)
        got = self.con.execute(f"SELECT DISTINCT {c} FROM t WHERE {where} ORDER BY 1 LIMIT {self.settings.examples}")
        return [jsonable(v) for (v,) in got.fetchall()]
