"""A throwaway PostgreSQL server on loopback for the source tests (and the read benchmark), and the sample shop
loaded into it with its keys and comments declared.

PostgreSQL refuses to run as root, so when the tests run as root the cluster belongs to the ``postgres`` user
(Debian's package creates it). The superuser signs in with a password over TCP (so a wrong one is refused) and
without one over the cluster's own Unix socket.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa

from stocktake.tools.sample_data import SCALES, generate_tables

PASSWORD = "s3cret-pg-Passw0rd"
_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, or None where PostgreSQL is not installed."""
    for folder in [*_BIN_DIRS, *(Path(p) for p in os.environ.get("PATH", "").split(os.pathsep))]:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """``initdb`` in a temporary folder, started on a free loopback port; ``stop()`` removes everything."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="stocktake-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        self._as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def start(self) -> PostgresServer:
        pwfile = self.dir / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self._as:
            shutil.chown(self.dir, "postgres")
            shutil.chown(pwfile, "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth-local=trust",
                  "--auth-host=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start")
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self._as, str(self.bin / tool), *args], check=True, capture_output=True, timeout=120)

    def url(self, database: str = "shop", password: str | None = PASSWORD, user: str = "postgres") -> str:
        secret = f":{password}" if password else ""
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def admin(self, database: str = "postgres"):
        """An autocommitting ADBC connection as the superuser."""
        import adbc_driver_postgresql.dbapi as pg

        return pg.connect(self.url(database), autocommit=True)

    def execute(self, *statements: str, database: str = "shop") -> None:
        with self.admin(database) as con, con.cursor() as cur:
            for sql in statements:
                cur.execute(sql)

    def query(self, sql: str, database: str = "shop") -> list[tuple]:
        with self.admin(database) as con, con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()


@contextmanager
def running_server() -> Iterator[PostgresServer]:
    """A started server, removed afterwards; the calling test is skipped where PostgreSQL is not installed."""
    import pytest

    folder = binaries()
    if folder is None:
        pytest.skip("PostgreSQL is not installed (initdb and pg_ctl not found); .ci/run installs it")
    pg = PostgresServer(folder).start()
    try:
        yield pg
    finally:
        pg.stop()


SHOP_TABLES = ("users", "products", "orders", "order_items")
SHOP_COMMENTS = {
    "users": "Registered customers of the shop",
    "orders": "One row per checkout",
    "orders.status": "Where the order is: placed, shipped, delivered or returned",
}
SHOP_KEYS = {  # child table: (column, parent table, parent column)
    "orders": [("user_id", "users", "user_id")],
    "order_items": [("order_id", "orders", "order_id"), ("product_id", "products", "product_id")],
}


def shop_tables() -> dict[str, pa.Table]:
    """The sample shop's tables with injected duplicate keys and orphans left out, so that keys can be declared."""
    frames, _ = generate_tables(np.random.default_rng(0), SCALES["small"])
    clean = {}
    for name in SHOP_TABLES:
        df = frames[name].drop_duplicates(subset=frames[name].columns[0])
        for column, parent, parent_column in SHOP_KEYS.get(name, []):
            df = df[df[column].isin(clean[parent][parent_column])]
        clean[name] = df.reset_index(drop=True)
    return {n: pa.Table.from_pandas(df, preserve_index=False) for n, df in clean.items()}


def load_shop(server: PostgresServer, database: str = "shop") -> dict[str, pa.Table]:
    """Create ``database`` holding the shop with primary and foreign keys and comments declared; its tables."""
    tables = shop_tables()
    load_tables(server, database, tables, {n: (t.column_names[0],) for n, t in tables.items()}, SHOP_KEYS,
                SHOP_COMMENTS)
    server.execute("CREATE VIEW big_orders AS SELECT * FROM orders WHERE total_amount > 100", database=database)
    return tables


def load_tables(server: PostgresServer, database: str, tables: dict[str, pa.Table],
                primary: dict[str, tuple[str, ...]], foreign: dict[str, list[tuple[str, str, str]]],
                comments: dict[str, str] | None = None) -> dict[str, pa.Table]:
    """Create ``database`` holding ``tables`` with their primary keys, foreign keys (child: column, parent, parent
    column) and comments (``table`` or ``table.column``: text) declared; the tables."""
    server.execute(f"CREATE DATABASE {database}", database="postgres")
    with server.admin(database) as con, con.cursor() as cur:
        for name, table in tables.items():
            cur.adbc_ingest(name, table, mode="create")
            cur.execute(f"ALTER TABLE {name} ADD PRIMARY KEY ({', '.join(primary[name])})")
        for child, keys in foreign.items():
            for column, parent, parent_column in keys:
                cur.execute(f"ALTER TABLE {child} ADD FOREIGN KEY ({column}) REFERENCES {parent} ({parent_column})")
        for target, text in (comments or {}).items():
            cur.execute(f"COMMENT ON {'COLUMN' if '.' in target else 'TABLE'} {target} IS '{text}'")
    return tables