"""The snapshot as DuckDB sees it while it is profiled: the connection, the view ``t`` over a batch of columns,
quoted names and values made JSON-ready; shared by the passes that scan, count issues and measure relations."""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from stocktake.catalog import Column
from stocktake.settings import ProfileSettings
from stocktake.tools.profile.pii import has_pii


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def connect(path: Path, columns: tuple[Column, ...], settings: ProfileSettings,
            spill_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the snapshot as view ``t``, where NaN reads as null (as pandas counts it)."""
    config = {"memory_limit": settings.memory_limit, "preserve_insertion_order": False, "enable_object_cache": True}
    con = duckdb.connect(config=config | ({"temp_directory": str(spill_dir)} if spill_dir else {}))
    use_columns(con, parquet_source(path), columns)
    con.create_function(HAS_PII, lambda text: has_pii(text), ["VARCHAR"], "BOOLEAN", side_effects=False)
    return con


def parquet_source(path: Path) -> str:
    return f"read_parquet('{sql_path(path)}', file_row_number=true)"


def hold_in_memory(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """The snapshot copied into a temporary table, as a source for use_columns."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {SNAPSHOT} AS SELECT * FROM {parquet_source(path)}")
    return SNAPSHOT


SNAPSHOT = "snapshot"


def use_columns(con: duckdb.DuckDBPyConnection, source: str, columns: Sequence[Column], *,
                row_numbers: bool = False, materialize: bool = False) -> None:
    """Point ``t`` at these columns of ``source`` (parquet_source or hold_in_memory), with the 0-based file row
    as ROW where ``row_numbers``. Every query binds all of ``t`` and of what a view reads (a Parquet footer
    takes some 50 ms for 5,000 columns), so a wide table is worked on a batch of columns at a time, copied
    into a table of its own (``materialize``) where small."""
    cols = ", ".join(f"nullif({quote(c.name)}, {NAN}) AS {quote(c.name)}" if c.type == "float" else quote(c.name)
                     for c in columns)
    rows = f"file_row_number AS {ROW}, " if row_numbers else ""
    for (kind,) in con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = 't'").fetchall():
        con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} t")
    con.execute(f"CREATE {'TEMP TABLE' if materialize else 'VIEW'} t AS SELECT {rows}{cols} FROM {source}")


ROW = "__stocktake_row"


def column_batches(items: Sequence, size: int) -> list[Sequence]:
    return [items[i: i + size] for i in range(0, len(items), max(1, size))]


NAN = "'NaN'::DOUBLE"
HAS_PII = "stocktake_has_pii"  # the masker's own test for personal data, for the rows RE2 cannot decide


def sql_path(path: Path) -> str:
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
