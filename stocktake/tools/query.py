"""Read-only SQL over the workspace snapshots with DuckDB: one SELECT, bounded in rows, time, memory, the length
of a text value and the bytes of a result.

Only the assets a statement names become views (over their latest Parquet snapshots), found with DuckDB's own
parser, so a wide or broken asset elsewhere in the workspace never touches a query that does not name it. The
connection is locked down before the statement runs: it reads those snapshot files and nothing else, spills
to a private folder under the workspace cache, answers in UTC and changes no setting. Values are bound as
parameters (``$1`` or ``?``), never pasted into the SQL.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from stocktake.catalog import Asset, Catalog
from stocktake.errors import Remedy, StocktakeError, UnknownNameError
from stocktake.settings import GuardSettings

TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})  # the ones that read no file
# Result types handed back as they are; every other type (nested ones, blobs, uuids...) comes back as text, cut.
NATIVE_TYPES = ("BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "DATE", "TIME", "TIMESTAMP",
                "INTERVAL")


@dataclass(frozen=True)
class QueryResult:
    sql: str
    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    truncated: bool  # more rows than the row limit (or the byte limit) let through
    seconds: float
    # (asset, column) pairs the statement reads: all of an asset's columns where it reads whole rows (``*``)
    reads: tuple[tuple[str, str], ...] = ()
    note: str = ""  # what the limits cut, in words

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows), columns=list(self.columns))

    def to_dict(self) -> dict:
        return {"sql": self.sql, "columns": list(self.columns), "rows": [list(r) for r in self.rows],
                "truncated": self.truncated, "seconds": self.seconds, "note": self.note}


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


@dataclass(frozen=True)
class References:
    """What a statement refers to, read from DuckDB's parse tree (lower-case names)."""
    tables: frozenset[str]
    ctes: frozenset[str]
    columns: frozenset[str]  # every part of every column reference (``u.name`` gives u and name)
    whole_rows: bool  # a star, COLUMNS(...), a positional reference, SUMMARIZE: every column may be read
    table_functions: frozenset[str]


def references(text: str) -> References:
    """Tables, columns and table functions named in ``text`` (one SELECT), from DuckDB's own parse tree."""
    with duckdb.connect() as con:
        tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [text]).fetchone()[0])
    if tree.get("error"):
        raise StocktakeError(f"SQL syntax error: {tree.get('error_message', 'cannot parse the statement')}")
    found: dict[str, set] = {"tables": set(), "aliases": set(), "ctes": set(), "columns": set(), "functions": set(),
                             "refs": set()}
    whole = _walk(tree, found) or bool(found["refs"] & (found["tables"] | found["aliases"]))
    return References(frozenset(found["tables"]), frozenset(found["ctes"]), frozenset(found["columns"]), whole,
                      frozenset(found["functions"]))


_PLAIN_FROM = {"BASE_TABLE", "JOIN", "SUBQUERY", "EMPTY", "TABLE_FUNCTION", "EXPRESSION_LIST", "SET_OPERATION_NODE",
               "SELECT_NODE", "CTE_NODE", "RECURSIVE_CTE_NODE"}


def _walk(node: Any, found: dict[str, set]) -> bool:
    """Collect the references under ``node``; True where it may read every column (``*``, ``#1``, SUMMARIZE)."""
    if isinstance(node, list):
        return any([_walk(v, found) for v in node])  # a list, not a generator: every branch is walked
    if not isinstance(node, dict):
        return False
    kind, cls = node.get("type"), node.get("class")
    whole = cls in ("STAR", "POSITIONAL_REFERENCE") or kind in ("SHOW_REF", "PIVOT")
    if kind == "BASE_TABLE":
        found["tables"].add(node["table_name"].lower())
        if node.get("alias"):
            found["aliases"].add(node["alias"].lower())
    elif kind == "TABLE_FUNCTION":
        found["functions"].add(node["function"]["function_name"].lower())
    elif cls == "COLUMN_REF":
        parts = [p.lower() for p in node["column_names"]]
        found["columns"].update(parts)
        if len(parts) == 1:
            found["refs"].add(parts[0])  # a table's name or alias alone is its whole row
    elif isinstance(kind, str) and kind.endswith(("_REF", "_NODE")) and kind not in _PLAIN_FROM and cls is None:
        whole = True  # a kind of source this walk does not know: assume it reads everything
    for entry in (node.get("cte_map") or {}).get("map", []):
        found["ctes"].add(entry["key"].lower())
    return any([_walk(v, found) for v in node.values()]) or whole


def statement_assets(catalog: Catalog, refs: References) -> list[Asset]:
    """The assets a statement reads; an unknown table or a table function that reads files is refused."""
    names = {n.lower(): n for n in catalog.names()}
    if bad := sorted(refs.table_functions - TABLE_FUNCTIONS):
        raise StocktakeError(f"Refused: {bad[0]}() reads outside the assets. Query the assets by name "
                             f"(tables: {', '.join(names.values()) or 'none'}).")
    unknown = sorted(refs.tables - set(names) - refs.ctes)
    if unknown:
        tables = ", ".join(names.values()) or "none"
        raise StocktakeError(f"Table with name {unknown[0]} does not exist. Tables: {tables}.")
    return [catalog.get(names[t]) for t in sorted(refs.tables & set(names))]


def reads_of(assets: Sequence[Asset], refs: References) -> tuple[tuple[str, str], ...]:
    """(asset, column) pairs a statement may read: by name in any of its assets (a name can be any table's
    column), or all of them where it reads whole rows."""
    return tuple((a.name, c.name) for a in assets for c in a.columns
                 if refs.whole_rows or c.name.lower() in refs.columns)


def run_select(catalog: Catalog, sql: str, *, params: Sequence | None = None, row_limit: int | None = None,
               timeout_s: float | None = None, settings: GuardSettings = GuardSettings()) -> QueryResult:
    """Run one read-only SELECT over the assets it names (views named after them); ``params`` are bound to its
    ``$1`` / ``?`` placeholders. Rows, time, memory, text length and result bytes are bounded by ``settings``
    (``row_limit`` and ``timeout_s`` override two of them)."""
    text = check_select(sql)
    row_limit = settings.sql_row_limit if row_limit is None else int(row_limit)
    timeout_s = settings.sql_timeout_s if timeout_s is None else timeout_s
    refs = references(text)
    assets = statement_assets(catalog, refs)
    started = time.perf_counter()
    with _locked_connection(catalog, assets, settings) as con:
        timer = threading.Timer(timeout_s, con.interrupt)
        timer.start()
        try:
            columns, rows, truncated, note = _fetch(con, text, list(params or []), row_limit, settings)
        except duckdb.InterruptException:
            raise StocktakeError(f"The query ran past the {timeout_s:g} s limit; add filters or aggregate.") from None
        except duckdb.OutOfMemoryException:
            raise StocktakeError(f"The query needs more than its {settings.sql_memory_limit} memory limit; "
                                 "aggregate, filter or select fewer columns.") from None
        except duckdb.CatalogException as exc:
            tables = ', '.join(catalog.names()) or 'none'
            raise StocktakeError(f"{str(exc).splitlines()[0]}. Tables: {tables}.") from None
        except duckdb.BinderException as exc:
            raise _unknown_column(exc, assets) from None
        except duckdb.Error as exc:
            raise StocktakeError(f"Query failed: {str(exc).splitlines()[0]}") from None
        finally:
            timer.cancel()
    return QueryResult(text, columns, rows, truncated, round(time.perf_counter() - started, 4),
                       reads_of(assets, refs), note)


def _unknown_column(exc: duckdb.BinderException, assets: list[Asset]) -> StocktakeError:
    """A column the statement names that none of its tables has, with the ones they have."""
    first = str(exc).splitlines()[0]
    missing = re.search(r'Referenced column "([^"]+)" not found|does not have a column named "([^"]+)"', first)
    if missing is None:
        return StocktakeError(f"Query failed: {first}")
    return UnknownNameError("column", missing.group(1) or missing.group(2), [c.name for a in assets for c in a.columns])


def _fetch(con, text: str, params: list, row_limit: int, settings: GuardSettings):
    """Columns, rows, whether rows were cut and a note: text values are cut inside DuckDB (so a huge value never
    reaches Python), rows are read in batches until the row or byte limit."""
    bound = con.sql(f"SELECT * FROM ({text}) AS q", params=params or None)  # binds, runs nothing
    cut = settings.sql_max_cell_chars
    shown = [f"c{i}" if str(t).startswith(NATIVE_TYPES) else f"left(CAST(c{i} AS VARCHAR), {cut + 1})"
             for i, t in enumerate(bound.types)]
    aliases = ", ".join(f"c{i}" for i in range(len(shown)))
    cursor = con.execute(f"SELECT {', '.join(shown)} FROM ({text}) AS q({aliases}) LIMIT {row_limit + 1}",
                         params or None)
    rows, size, cells_cut, bytes_cut = [], 0, False, False
    while len(rows) <= row_limit and not bytes_cut and (batch := cursor.fetchmany(256)):
        for row in batch:
            long = [isinstance(v, str) and len(v) > cut for v in row]
            row = tuple(v[:cut] + "…" if over else v for v, over in zip(row, long))
            size += sum(len(v.encode()) if isinstance(v, str) else 16 for v in row)
            if size > settings.sql_max_result_bytes:
                bytes_cut = True
                break
            cells_cut = cells_cut or any(long)
            rows.append(row)
    notes = ([f"text values longer than {cut:,} characters were cut"] if cells_cut else []) + \
            ([f"rows beyond {settings.sql_max_result_bytes:,} bytes of values were left out"] if bytes_cut else [])
    return tuple(bound.columns), tuple(rows[:row_limit]), len(rows) > row_limit or bytes_cut, "; ".join(notes)


@contextmanager
def _locked_connection(catalog: Catalog, assets: Sequence[Asset], settings: GuardSettings) -> Iterator:
    spill_root = catalog.ws.dir("cache") / "duckdb-tmp"
    spill_root.mkdir(parents=True, exist_ok=True)
    # DuckDB lets a query read its own temp folder: a fresh one nobody else knows is empty.
    spill = tempfile.mkdtemp(prefix="query-", dir=spill_root)
    con = duckdb.connect(config={
        "memory_limit": settings.sql_memory_limit, "max_temp_directory_size": settings.sql_temp_limit,
        "temp_directory": spill, "python_enable_replacements": False,
        "autoinstall_known_extensions": False, "autoload_known_extensions": False})
    try:
        con.execute("SET TimeZone = 'UTC'")
        for asset in assets:
            try:
                con.execute(f"CREATE VIEW {_ident(asset.name)} AS SELECT * FROM read_parquet({_literal(asset.path)})")
            except duckdb.Error as exc:
                raise StocktakeError(f"Asset {asset.name} cannot be read ({str(exc).splitlines()[0]}): its snapshot "
                                     f"{asset.path} is missing or damaged.", Remedy("ingest-again"),
                                     asset=asset.name) from None
        paths = ", ".join(_literal(a.path) for a in assets)
        con.execute(f"SET allowed_paths = [{paths}]")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        yield con
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value) -> str:
    return "'" + str(value).replace("'", "''") + "'"
