"""Benchmark: reading a 1M-row PostgreSQL table through Stocktake's source path (ADBC, binary COPY into Arrow)
against ``pandas.read_sql`` over psycopg (a row-by-row cursor), in the same run on the same server.

    python bench/source_read_bench.py [--rows 1000000] [--repeats 3]

Starts a throwaway server with tests/pg_server.py (PostgreSQL binaries needed; as root the server runs as the
postgres user), fills a table of ``--rows`` rows x 8 columns (bigint id, integer, numeric(12,2), double, text,
varchar, boolean, timestamptz), then times each reader ``--repeats`` times, alternating, and prints the best
time of each and the ratio. Stocktake's time is the whole read as ``source add`` does it: connecting, the
read-only transaction and the read into an Arrow table; pandas' is ``pandas.read_sql`` into a DataFrame.
Needs ``pip install -e '.[bench]'`` (psycopg).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FILL = """
CREATE TABLE big AS SELECT g::bigint AS id, (g % 5000)::int AS user_id, (g * 0.37)::numeric(12,2) AS price,
       random() AS score, md5(g::text) AS label, ('sku-' || (g % 997))::varchar(20) AS sku, g % 3 = 0 AS returned,
       timestamptz '2024-01-01' + g * interval '1 second' AS created_at
FROM generate_series(1, {rows}) g"""


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--rows", type=int, default=1_000_000)
    args.add_argument("--repeats", type=int, default=3)
    opts = args.parse_args()

    import pandas as pd
    import psycopg

    from stocktake.settings import SourceSettings
    from stocktake.tools.sources.postgres import session
    from tests.pg_server import PASSWORD, PostgresServer, binaries

    folder = binaries()
    if folder is None:
        sys.exit("PostgreSQL binaries (initdb, pg_ctl) not found")
    server = PostgresServer(folder).start()
    try:
        server.execute("CREATE DATABASE bench", database="postgres")
        server.execute(FILL.format(rows=opts.rows), "ANALYZE big", database="bench")
        import os
        os.environ["BENCH_PG_PASSWORD"] = PASSWORD
        url = server.url("bench", password="env:BENCH_PG_PASSWORD")

        def stocktake_read() -> int:
            with session(url, "bench", {}, SourceSettings(timeout_s=600)) as s:
                (table,) = [t for t in s.schema() if t.name == "big"]
                return s.read(table).num_rows

        def pandas_read() -> int:
            with psycopg.connect(server.url("bench")) as con, warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pandas asks for SQLAlchemy; psycopg's cursor is what it uses
                return len(pd.read_sql("SELECT * FROM big", con))

        times: dict[str, list[float]] = {"stocktake (ADBC -> Arrow)": [], "pandas.read_sql (psycopg)": []}
        for _ in range(opts.repeats):
            for label, read in zip(times, (stocktake_read, pandas_read)):
                started = time.perf_counter()
                rows = read()
                times[label].append(time.perf_counter() - started)
                assert rows == opts.rows, (label, rows)
        best = {label: min(t) for label, t in times.items()}
        for label, t in times.items():
            print(f"{label:28s} best {best[label]:6.2f} s  ({', '.join(f'{x:.2f}' for x in t)})")
        ours, theirs = best.values()
        print(f"{opts.rows:,} rows: Stocktake reads {theirs / ours:.1f}x faster than pandas.read_sql")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
