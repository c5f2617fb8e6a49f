"""Read-only SQL over the workspace snapshots with DuckDB: one SELECT, a row limit and a time limit.

Each asset is a view named after it over its latest Parquet snapshot. The connection is locked down before
the user's statement runs: no file access outside the snapshots, no configuration changes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import duckdb
import pandas as pd

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError


@dataclass(frozen=True)
class QueryResult:
    sql: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    truncated: bool
    seconds: float

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows), columns=list(self.columns))

    def to_dict(self) -> dict:
        return {"sql": self.sql, "columns": list(self.columns), "rows": [list(r) for r in self.rows],
                "truncated": self.truncated, "seconds": self.seconds}


def check_select(sql: str) -> str:
    """The statement if it is exactly one SELECT (or WITH … SELECT); otherwise a reason to refuse it."""
    text = sql.strip().rstrip(";").strip()
    if not text:
        raise StocktakeError("Empty query. Write one SELECT statement, for example: SELECT COUNT(*) FROM orders")
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as exc:
        raise StocktakeError(f"SQL syntax error: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise StocktakeError(f"Only one statement is allowed; got {len(statements)}. Send a single SELECT.")
    if statements[0].type != duckdb.StatementType.SELECT:
        kind = statements[0].type.name
        raise StocktakeError(f"Refused: {kind} statements change data or settings; only read-only SELECT queries run here.")
    return text


def run_select(catalog: Catalog, sql: str, *, params: list | tuple | None = None, row_limit: int = 200,
               timeout_s: float = 10.0) -> QueryResult:
    """Run one read-only SELECT over the catalog's assets (views named after them); ``params`` are bound to
    the statement's ``?`` placeholders, never pasted into it."""
    import time

    text = check_select(sql)
    con = _locked_connection(catalog)
    timer = threading.Timer(timeout_s, con.interrupt)
    started = time.perf_counter()
    timer.start()
    try:
        cursor = con.execute(f"SELECT * FROM ({text}) AS q LIMIT {int(row_limit) + 1}", list(params or ()))
        columns = tuple(d[0] for d in cursor.description)
        rows = cursor.fetchall()
    except duckdb.InterruptException:
        raise StocktakeError(f"The query ran past the {timeout_s:g} s limit; add filters or aggregate.") from None
    except duckdb.CatalogException as exc:
        raise StocktakeError(f"{str(exc).splitlines()[0]}. Tables: {', '.join(catalog.names()) or 'none'}.") from None
    except duckdb.Error as exc:
        raise StocktakeError(f"Query failed: {str(exc).splitlines()[0]}") from None
    finally:
        timer.cancel()
        con.close()
    return QueryResult(text, columns, tuple(rows[:row_limit]), len(rows) > row_limit,
                       round(time.perf_counter() - started, 4))


def _locked_connection(catalog: Catalog) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    snapshots = catalog.ws.dir("snapshots")
    for asset in catalog.list_assets():
        path = str(asset.path).replace("'", "''")
        con.execute(f'CREATE VIEW "{asset.name}" AS SELECT * FROM read_parquet(\'{path}\')')
    con.execute(f"SET allowed_directories=['{str(snapshots).replace(chr(39), chr(39) * 2)}/']")
    con.execute("SET enable_external_access=false")
    con.execute("SET lock_configuration=true")
    return con
