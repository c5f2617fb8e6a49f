"""MySQL and MariaDB through PyMySQL: introspection and table reads, all in one read-only snapshot.

Every session is read-only twice over: the session's transactions are read-only (``SET SESSION TRANSACTION``), and
all work runs in one ``START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT`` (one InnoDB snapshot of all tables)
that is rolled back. Each statement is bounded by ``max_execution_time`` (MySQL) or ``max_statement_time``
(MariaDB), and a server that stops answering by the client's read timeout. Without ``env:VAR`` in the URL the user
signs in with no password. connectorx reads several times faster, but runs each query on a connection of its own,
so the tables could not come from one snapshot; PyMySQL is made faster instead by taking every value as text and
casting a batch at a time in Arrow, rather than converting value by value in Python. ``decimal`` is read as
double precision, ``timestamp`` in UTC, types Arrow has no match for as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone

import pyarrow as pa

from stocktake.errors import Remedy, StocktakeError
from stocktake.settings import SourceSettings
from stocktake.tools.sources import failures
from stocktake.tools.sources.model import ForeignKey, ReadPlan, SourceColumn, SourceTable
from stocktake.tools.sources.url import SourceURL, parse_url, scrub

_TABLES = """
SELECT TABLE_NAME, TABLE_TYPE, TABLE_COMMENT, TABLE_ROWS FROM information_schema.TABLES
WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED')
ORDER BY TABLE_NAME"""

_COLUMNS = """
SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_COMMENT FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, ORDINAL_POSITION"""

_KEYS = """
SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, c.CONSTRAINT_TYPE, k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA,
       k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.TABLE_CONSTRAINTS c
     ON c.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND c.TABLE_NAME = k.TABLE_NAME
        AND c.CONSTRAINT_NAME = k.CONSTRAINT_NAME
WHERE k.TABLE_SCHEMA = DATABASE() AND c.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'FOREIGN KEY')
ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION"""

_BATCH = 50_000  # rows cast to Arrow at a time


class Session:
    """One read-only transaction on the source: introspect it and read its tables."""

    def __init__(self, connection, source: str):
        self._con, self.source = connection, source

    def rows(self, sql: str) -> list[tuple]:
        """Every row of ``sql``, each value as text (or bytes, for binary columns)."""
        with self._con.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())

    def schema(self) -> list[SourceTable]:
        """Every table and view of the URL's database that the user may read, with declared keys and comments."""
        database = self.rows("SELECT DATABASE()")[0][0]
        columns: dict[str, list[SourceColumn]] = {}
        for table, name, shown, nullable, comment in self.rows(_COLUMNS):
            columns.setdefault(table, []).append(SourceColumn(name, shown, nullable == "YES", comment or ""))
        primary, foreign = _keys(self.rows(_KEYS), database)
        return [SourceTable(name, "view" if kind == "VIEW" else "table", tuple(columns.get(name, ())),
                            primary.get(name, ()), tuple(foreign.get(name, ())),
                            "" if kind == "VIEW" else comment or "", float(rows) if rows is not None else -1.0)
                for name, kind, comment, rows in self.rows(_TABLES)]

    def read(self, table: SourceTable, plan: ReadPlan = ReadPlan()) -> pa.Table:
        """The table's rows as Arrow, as ``plan`` bounds them."""
        schema = pa.schema([(c.name, arrow_type(c.type)) for c in table.columns])
        batches = []
        with self._con.cursor() as cur:
            cur.execute(select_sql(table, plan, self._con.escape))
            while rows := cur.fetchmany(_BATCH):
                batches.append(pa.record_batch([_array(values, f.type) for values, f in zip(zip(*rows), schema)],
                                               schema=schema))
        return pa.Table.from_batches(batches, schema)


def _keys(rows: list[tuple], database: str) -> tuple[dict[str, tuple[str, ...]], dict[str, list[ForeignKey]]]:
    """Each table's primary key and foreign keys, from KEY_COLUMN_USAGE (one row per column of a key)."""
    grouped: dict[tuple[str, str], list[tuple]] = {}
    for table, constraint, *rest in rows:
        grouped.setdefault((table, constraint), []).append(tuple(rest))
    primary, foreign = {}, {}
    for (table, _), parts in grouped.items():
        kind, _, f_schema, f_table, _ = parts[0]
        if kind == "PRIMARY KEY":
            primary[table] = tuple(p[1] for p in parts)
        else:
            parent = f_table if f_schema == database else f"{f_schema}.{f_table}"
            foreign.setdefault(table, []).append(
                ForeignKey(tuple(p[1] for p in parts), parent, tuple(p[4] for p in parts)))
    return primary, foreign


def _ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def select_sql(table: SourceTable, plan: ReadPlan, literal) -> str:
    """The SELECT for a table: types converted where Arrow needs it, then the sample, the cursor and the limit.
    ``literal`` quotes a value as the connection's SQL mode wants it (PyMySQL's ``escape``)."""
    sql = f"SELECT {', '.join(_column_sql(c) for c in table.columns)} FROM {_ident(table.name)}"
    where = []
    share = plan.sample_share(table.row_estimate)
    if share is not None:  # the same rows each time for the same data: a hash of each row's key picks them
        key = table.primary_key or tuple(c.name for c in table.columns)
        where.append(f"CRC32(CONCAT_WS(0x1f, {', '.join(map(_ident, key))})) < {int(share * (1 << 32))}")
    if plan.cursor and plan.after is not None:
        column = next(c for c in table.columns if c.name == plan.cursor)
        where.append(f"{_ident(plan.cursor)} > {literal(_typed(plan.after, arrow_type(column.type)))}")
    if where:
        sql += " WHERE " + " AND ".join(where)
    if plan.cursor:
        sql += f" ORDER BY {_ident(plan.cursor)}"
    return sql + (f" LIMIT {int(plan.bound)}" if plan.bound is not None else "")


def _typed(after: str, arrow: pa.DataType):
    """The last cursor value seen (as text) as a value of the column's own kind, for the server to compare."""
    if pa.types.is_integer(arrow):
        return int(after)
    if pa.types.is_floating(arrow):
        return float(after)
    if pa.types.is_date(arrow):
        return date.fromisoformat(after[:10])
    if pa.types.is_timestamp(arrow):
        moment = datetime.fromisoformat(after)
        return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
    return after


_INTEGER = ("tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year")
_TEXT = ("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set", "json", "time")
_BINARY = ("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob")
_SPATIAL = ("geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
            "geometrycollection")
_ARROW = {**dict.fromkeys(_INTEGER, pa.int64()), **dict.fromkeys(("float", "double", "real", "decimal", "numeric"),
                                                                  pa.float64()),
          **dict.fromkeys(_TEXT, pa.string()), **dict.fromkeys(_BINARY, pa.binary()),
          "date": pa.date32(), "datetime": pa.timestamp("us"), "timestamp": pa.timestamp("us", "UTC"),
          "bit": pa.uint64()}


def _base(shown: str) -> str:
    """A type as COLUMN_TYPE shows it (``int(10) unsigned``, ``enum('a','b')``) without its arguments."""
    found = re.match(r"[a-z]+", shown.lower())
    return found.group() if found else ""


def arrow_type(shown: str) -> pa.DataType:
    """The Arrow type a column of this MySQL type is read as (text for any type not listed)."""
    if _base(shown) == "bigint" and "unsigned" in shown.lower():
        return pa.uint64()
    return _ARROW.get(_base(shown), pa.string())


def _column_sql(c: SourceColumn) -> str:
    name, base = _ident(c.name), _base(c.type)
    if base == "bit":
        return f"CAST({name} AS UNSIGNED) AS {name}"
    if base in _SPATIAL:
        return f"ST_AsText({name}) AS {name}"
    return name if base in _ARROW else f"CAST({name} AS CHAR) AS {name}"


def _array(values: tuple, arrow: pa.DataType) -> pa.Array:
    """A column of a batch, from the text the server sent (bytes for binary columns)."""
    if arrow in (pa.string(), pa.binary()):
        return pa.array(values, arrow)
    text = pa.array(values, pa.string())
    try:
        return _cast(text, arrow)
    except pa.ArrowInvalid:  # a zero date ('0000-00-00') or another the server keeps and no calendar has: null
        return pa.array([_one(v, arrow) for v in text.to_pylist()], arrow)


def _cast(text: pa.Array, arrow: pa.DataType) -> pa.Array:
    if pa.types.is_timestamp(arrow) and arrow.tz:  # the session's time zone is UTC, so the text is UTC
        return text.cast(pa.timestamp(arrow.unit)).cast(arrow)
    return text.cast(arrow)


def _one(value: str | None, arrow: pa.DataType):
    try:
        return _cast(pa.array([value], pa.string()), arrow)[0].as_py()
    except pa.ArrowInvalid:
        return None


def location(text: str, source: str) -> str:
    return str(parse_url(text, source))


@contextmanager
def session(location: str, source: str, options: dict, settings: SourceSettings) -> Iterator[Session]:
    """A read-only session on the source; every failure is one line naming the source and what to do."""
    import pymysql

    url = parse_url(location, source)
    password = url.password(source)
    try:
        con = _connect(url, password, settings)
    except pymysql.MySQLError as exc:
        raise connect_error(url, source, exc, password) from None
    try:
        try:
            for statement in _setup(con.get_server_info(), settings):
                with con.cursor() as cur:
                    cur.execute(statement)
            yield Session(con, source)
        except pymysql.MySQLError as exc:
            raise read_error(source, exc, password, settings.timeout_s) from None
        finally:
            _quietly(con.rollback)
    finally:
        _quietly(con.close)


def _connect(url: SourceURL, password: str | None, settings: SourceSettings):
    import pymysql
    from pymysql.converters import conversions
    from pymysql.cursors import SSCursor

    # Encoders only (keyed by Python type); no decoders (keyed by MySQL field type), so every value comes as text.
    encoders = {k: v for k, v in conversions.items() if not isinstance(k, int)}
    return pymysql.connect(host=url.host, port=url.port, user=url.user or None, password=password or "",
                           database=url.database, charset="utf8mb4", conv=encoders, cursorclass=SSCursor,
                           connect_timeout=settings.connect_timeout_s,
                           read_timeout=settings.timeout_s + settings.connect_timeout_s,
                           write_timeout=settings.timeout_s + settings.connect_timeout_s,
                           program_name="stocktake")


def _setup(server: str, settings: SourceSettings) -> list[str]:
    """The session's time zone, statement bound and read-only snapshot, in MySQL's or MariaDB's words."""
    bound = (f"max_statement_time = {settings.timeout_s:.3f}" if "mariadb" in server.lower()
             else f"max_execution_time = {max(1, round(settings.timeout_s * 1000))}")
    return ["SET SESSION time_zone = '+00:00'", f"SET SESSION {bound}",
            "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
            "START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT"]


def _quietly(call, *args) -> None:
    try:
        call(*args)
    except Exception:  # the session is over either way; the first error is the one to report
        pass


def _code_and_message(exc: Exception, password: str | None) -> tuple[int, str]:
    """PyMySQL's error number (0 where it gives none) and its message's first line, scrubbed of the password."""
    args = exc.args
    code = args[0] if len(args) >= 2 and isinstance(args[0], int) else 0
    message = str(args[1] if len(args) >= 2 else args[0] if args else "")
    return code, scrub(message.split("\n")[0].strip().rstrip(".") or type(exc).__name__, password)


def connect_error(url: SourceURL, source: str, exc: Exception, password: str | None) -> StocktakeError:
    """PyMySQL's failure to connect as one line: which source, what went wrong, what to do."""
    code, message = _code_and_message(exc, password)
    if code == 1045:  # access denied: a wrong password or user (the server does not say which)
        return failures.refused_password(url, source, Remedy("source-password-env"))
    if code == 1049:
        return failures.no_database(url, source)
    if code == 1044:  # the server does not tell a database the user may not read from one that does not exist
        return failures.no_database(url, source, f" that user '{url.user}' may read")
    return failures.unreachable(url, source, message)


def read_error(source: str, exc: Exception, password: str | None, timeout_s: float) -> StocktakeError:
    code, message = _code_and_message(exc, password)
    # 3024: MySQL's max_execution_time; 1969: MariaDB's max_statement_time; 2013 timed out: the read timeout
    if code in (1969, 3024) or (code == 2013 and "timed out" in message):
        return failures.timed_out(source, timeout_s)
    return failures.read_failed(source, message)
