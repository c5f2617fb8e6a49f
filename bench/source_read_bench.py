"""Benchmark: reading a 1M-row database table through Stocktake's source path against other readers, in the same
run on the same server.

    python bench/source_read_bench.py [--engine postgresql|mysql] [--rows 1000000] [--repeats 3]

PostgreSQL (the default): Stocktake's ADBC read (binary COPY into Arrow) against ``pandas.read_sql`` over psycopg
(a row-by-row cursor); the server comes from tests/pg_server.py (PostgreSQL binaries needed; as root it runs as
the postgres user). MySQL: Stocktake's PyMySQL read (every value as text, cast to Arrow a batch at a time, in one
read-only snapshot) against ``pandas.read_sql`` over PyMySQL with its own converters, and connectorx's
Arrow-native read (which cannot hold a read-only snapshot); the server is MariaDB, from tests/mysql_server.py.
Each fills a table of ``--rows`` rows x 8 columns (bigint id, integer, decimal(12,2), double, text, varchar,
boolean, timestamp), then times each reader ``--repeats`` times, alternating, and prints the best time of each
and the ratios. Stocktake's time is the whole read as ``source add`` does it: connecting, the read-only
transaction and the read into an Arrow table. Needs ``pip install -e '.[bench]'`` (psycopg, connectorx).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FILL_PG = """
CREATE TABLE big AS SELECT g::bigint AS id, (g % 5000)::int AS user_id, (g * 0.37)::numeric(12,2) AS price,
       random() AS score, md5(g::text) AS label, ('sku-' || (g % 997))::varchar(20) AS sku, g % 3 = 0 AS returned,
       timestamptz '2024-01-01' + g * interval '1 second' AS created_at
FROM generate_series(1, {rows}) g"""

FILL_MY = """
CREATE TABLE shop_bench.big (id BIGINT PRIMARY KEY, user_id INT, price DECIMAL(12,2), score DOUBLE,
       label VARCHAR(32), sku VARCHAR(20), returned BOOLEAN, created_at TIMESTAMP(6))
SELECT seq AS id, seq % 5000 AS user_id, seq * 0.37 AS price, RAND() AS score, MD5(seq) AS label,
       CONCAT('sku-', seq % 997) AS sku, seq % 3 = 0 AS returned,
       TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq SECOND AS created_at
FROM seq_1_to_{rows}"""


def _stocktake(url: str) -> Callable[[], int]:
    from stocktake.settings import SourceSettings
    from stocktake.tools.sources.connectors import for_location

    def read() -> int:
        with for_location(url, "bench").session(url, "bench", {}, SourceSettings(timeout_s=600)) as s:
            (table,) = [t for t in s.schema() if t.name == "big"]
            return s.read(table).num_rows
    return read


def _pandas(connect: Callable) -> Callable[[], int]:
    import pandas as pd

    def read() -> int:
        with connect() as con, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas asks for SQLAlchemy; the DB-API cursor is what it uses
            return len(pd.read_sql("SELECT * FROM big", con))
    return read


@contextmanager
def postgresql(rows: int):
    import psycopg

    from tests.pg_server import PASSWORD, PostgresServer, binaries

    folder = binaries()
    if folder is None:
        sys.exit("PostgreSQL binaries (initdb, pg_ctl) not found")
    server = PostgresServer(folder).start()
    try:
        server.execute("CREATE DATABASE bench", database="postgres")
        server.execute(FILL_PG.format(rows=rows), "ANALYZE big", database="bench")
        os.environ["BENCH_PASSWORD"] = PASSWORD
        yield {"stocktake (ADBC -> Arrow)": _stocktake(server.url("bench", password="env:BENCH_PASSWORD")),
               "pandas.read_sql (psycopg)": _pandas(lambda: psycopg.connect(server.url("bench")))}
    finally:
        server.stop()


@contextmanager
def mysql(rows: int):
    import connectorx
    import pymysql

    from tests.mysql_server import PASSWORD, USER, MariaDBServer, binaries

    found = binaries()
    if found is None:
        sys.exit("MariaDB binaries (mariadbd, mariadb-install-db) not found")
    server = MariaDBServer(*found).start()
    try:
        server.execute("CREATE DATABASE shop_bench")
        server.execute(FILL_MY.format(rows=rows), "ANALYZE TABLE shop_bench.big", database="shop_bench")
        os.environ["BENCH_PASSWORD"] = PASSWORD

        def connectorx_read() -> int:
            return connectorx.read_sql(server.url("shop_bench"), "SELECT * FROM big", return_type="arrow").num_rows

        yield {"stocktake (PyMySQL -> Arrow)": _stocktake(server.url("shop_bench", password="env:BENCH_PASSWORD")),
               "pandas.read_sql (PyMySQL)": _pandas(lambda: pymysql.connect(
                   host="127.0.0.1", port=server.port, user=USER, password=PASSWORD, database="shop_bench")),
               "connectorx (no snapshot)": connectorx_read}
    finally:
        server.stop()


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--engine", choices=("postgresql", "mysql"), default="postgresql")
    args.add_argument("--rows", type=int, default=1_000_000)
    args.add_argument("--repeats", type=int, default=3)
    opts = args.parse_args()

    with {"postgresql": postgresql, "mysql": mysql}[opts.engine](opts.rows) as readers:
        times: dict[str, list[float]] = {label: [] for label in readers}
        for _ in range(opts.repeats):
            for label, read in readers.items():
                started = time.perf_counter()
                rows = read()
                times[label].append(time.perf_counter() - started)
                assert rows == opts.rows, (label, rows)
    best = {label: min(t) for label, t in times.items()}
    ours = next(iter(best.values()))
    for label, t in times.items():
        print(f"{label:30s} best {best[label]:6.2f} s  {ours / best[label]:4.1f}x Stocktake's speed  "
              f"({', '.join(f'{x:.2f}' for x in t)})")
    print(f"{opts.rows:,} rows x 8 columns, {opts.engine}: Stocktake reads {opts.rows / ours:,.0f} rows/s")


if __name__ == "__main__":
    main()
