"""PostgreSQL through ADBC (libpq's binary COPY straight into Arrow): introspection and table reads.

Every session is read-only twice over: the server is asked for read-only transactions by default, and all work
runs in one ``READ ONLY, REPEATABLE READ`` transaction (one consistent snapshot of all tables) that is rolled
back. Each statement is bounded by ``statement_timeout``. libpq reads ``~/.pgpass`` (or ``PGPASSFILE``) itself
where the URL names no password variable. Columns of types that Arrow has no exact match for are read as text,
``numeric`` as double precision.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pyarrow as pa

from stocktake.errors import Remedy, StocktakeError
from stocktake.settings import SourceSettings
from stocktake.tools.sources import failures
from stocktake.tools.sources.model import ForeignKey, ReadPlan, SourceColumn, SourceTable
from stocktake.tools.sources.url import SourceURL, parse_url, scrub

_SKIP = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'"

_TABLES = f"""
SELECT n.nspname, c.relname, c.relkind IN ('v', 'm') AS is_view, coalesce(obj_description(c.oid, 'pg_class'), ''),
       c.reltuples::float8
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {_SKIP} AND has_table_privilege(c.oid, 'SELECT')
ORDER BY 1, 2"""

_COLUMNS = f"""
SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
       coalesce(col_description(c.oid, a.attnum), '')
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {_SKIP}
ORDER BY 1, 2, a.attnum"""

_KEYS = """
SELECT n.nspname, c.relname, k.contype::text, fn.nspname, fc.relname,
       to_json(ARRAY(SELECT attname FROM unnest(k.conkey) WITH ORDINALITY u(num, pos)
                     JOIN pg_attribute ON attrelid = k.conrelid AND attnum = u.num ORDER BY pos))::text,
       to_json(ARRAY(SELECT attname FROM unnest(k.confkey) WITH ORDINALITY u(num, pos)
                     JOIN pg_attribute ON attrelid = k.confrelid AND attnum = u.num ORDER BY pos))::text
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_class fc ON fc.oid = k.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE k.contype IN ('p', 'f')
ORDER BY 1, 2, k.conname"""


class Session:
    """One read-only transaction on the source: introspect it and read its tables."""

    def __init__(self, cursor, source: str):
        self._cur, self.source = cursor, source

    def rows(self, sql: str) -> list[tuple]:
        self._cur.execute(sql)
        return self._cur.fetchall()

    def schema(self) -> list[SourceTable]:
        """Every table and view the user may read, with columns, declared keys and comments."""
        columns: dict[tuple, list[SourceColumn]] = {}
        for schema, table, name, shown, nullable, comment in self.rows(_COLUMNS):
            columns.setdefault((schema, table), []).append(SourceColumn(name, shown, bool(nullable), comment))
        primary: dict[tuple, tuple[str, ...]] = {}
        foreign: dict[tuple, list[ForeignKey]] = {}
        for schema, table, kind, f_schema, f_table, cols, refs in self.rows(_KEYS):
            if kind == "p":
                primary[(schema, table)] = tuple(json.loads(cols))
            else:
                foreign.setdefault((schema, table), []).append(
                    ForeignKey(tuple(json.loads(cols)), table_name(f_schema, f_table), tuple(json.loads(refs))))
        return [SourceTable(table_name(schema, table), "view" if is_view else "table",
                            tuple(columns.get((schema, table), ())), primary.get((schema, table), ()),
                            tuple(foreign.get((schema, table), ())), comment, float(estimate))
                for schema, table, is_view, comment, estimate in self.rows(_TABLES)]

    def read(self, table: SourceTable, plan: ReadPlan = ReadPlan()) -> pa.Table:
        """The table's rows as Arrow, as ``plan`` bounds them."""
        self._cur.execute(select_sql(table, plan))
        return self._cur.fetch_arrow_table().replace_schema_metadata(None)


def table_name(schema: str, table: str) -> str:
    return table if schema == "public" else f"{schema}.{table}"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def select_sql(table: SourceTable, plan: ReadPlan) -> str:
    """The SELECT for a table: types cast where Arrow needs it, then the sample, the cursor and the limit."""
    schema, _, name = table.name.rpartition(".")
    target = f"{_ident(schema or 'public')}.{_ident(name)}"
    select = ", ".join(_column_sql(c) for c in table.columns)
    sql = f"SELECT {select} FROM {target}"
    share = plan.sample_share(table.row_estimate) if table.kind == "table" else None
    if share is not None:
        sql += f" TABLESAMPLE BERNOULLI ({100 * share:.6f}) REPEATABLE (0)"
    if plan.cursor and plan.after is not None:
        sql += f" WHERE {_ident(plan.cursor)} > {_literal(plan.after)}"
    if plan.cursor:
        sql += f" ORDER BY {_ident(plan.cursor)}"
    return sql + (f" LIMIT {int(plan.bound)}" if plan.bound is not None else "")


def _column_sql(c: SourceColumn) -> str:
    name = _ident(c.name)
    if c.type.startswith("numeric"):
        return f"{name}::float8 AS {name}"
    return name if _native(c.type) else f"{name}::text AS {name}"


# Types read as they are (as format_type shows them); numeric becomes float8, anything else text (enums, json,
# uuid, arrays, intervals, …).
_NATIVE = ("smallint", "integer", "bigint", "real", "double precision", "boolean", "text", "character varying",
                 "character", "name", "date", "timestamp without time zone", "timestamp with time zone", "bytea")


def _native(shown: str) -> bool:
    """A type as ``format_type`` shows it (``character varying(40)``) that Arrow reads exactly."""
    return re.sub(r"\(.*?\)", "", shown) in _NATIVE


def location(text: str, source: str) -> str:
    return str(parse_url(text, source))


@contextmanager
def session(location: str, source: str, options: dict, settings: SourceSettings) -> Iterator[Session]:
    """A read-only session on the source; every failure is one line naming the source and what to do."""
    import adbc_driver_manager
    import adbc_driver_postgresql.dbapi as pg

    url, timeout_s = parse_url(location, source), settings.timeout_s
    password = url.password(source)
    try:
        con = pg.connect(_libpq_uri(url, password, settings), autocommit=True)
    except adbc_driver_manager.Error as exc:
        raise connect_error(url, source, scrub(str(exc), password)) from None
    try:
        with con.cursor() as cur:
            try:
                cur.execute("BEGIN TRANSACTION READ ONLY ISOLATION LEVEL REPEATABLE READ")
                yield Session(cur, source)
            except adbc_driver_manager.Error as exc:
                raise read_error(source, scrub(str(exc), password), timeout_s) from None
            finally:
                _quietly(cur.execute, "ROLLBACK")
    finally:
        _quietly(con.close)


def _quietly(call, *args) -> None:
    try:
        call(*args)
    except Exception:  # the session is over either way; the first error is the one to report
        pass


def _libpq_uri(url: SourceURL, password: str | None, settings: SourceSettings) -> str:
    """The URI handed to libpq only (never stored or shown): it may hold the password, percent-escaped."""
    secret = f":{quote(password, safe='')}" if password is not None else ""
    who = f"{quote(url.user, safe='')}{secret}@" if url.user or secret else ""
    options = quote(f"-c default_transaction_read_only=on -c statement_timeout={int(settings.timeout_s * 1000)}",
                    safe="")
    return (f"postgresql://{who}{_host(url.host)}:{url.port}/{quote(url.database, safe='')}"
            f"?connect_timeout={max(1, int(settings.connect_timeout_s))}&application_name=stocktake&options={options}")


def _host(host: str) -> str:
    """An IPv6 address goes in brackets, as in any URL."""
    return f"[{host}]" if ":" in host else quote(host, safe="")


def connect_error(url: SourceURL, source: str, message: str) -> StocktakeError:
    """The libpq failure to connect as one line: which source, what went wrong, what to do."""
    if "password authentication failed" in message or "no password supplied" in message:
        return failures.refused_password(url, source, Remedy("source-pgpass"))
    if f'database "{url.database}" does not exist' in message:
        return failures.no_database(url, source)
    if "does not exist" in message and "role" in message:
        return failures.no_user(url, source)
    return failures.unreachable(url, source, _first_line(message))


def read_error(source: str, message: str, timeout_s: float) -> StocktakeError:
    if "statement timeout" in message:
        return failures.timed_out(source, timeout_s)
    return failures.read_failed(source, _first_line(message))


def _first_line(message: str) -> str:
    text = message.split("\n")[0].strip()
    for noise in ("IO: ", "INVALID_ARGUMENT: ", "[libpq] ", "Failed to connect: ", "Failed to execute query: "):
        text = text.replace(noise, "")
    return text.strip().rstrip(".")
