"""A throwaway MariaDB server on loopback for the MySQL source tests (and the read benchmark), and the sample shop
loaded into it with its keys and comments declared.

The data folder is made by ``mariadb-install-db`` in a temporary folder; the server runs as the user running the
tests (as root it is told so with ``--user=root``). The shop's user signs in with a password over TCP (so a wrong
one is refused); the administrator, root, without one over the server's own Unix socket only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pyarrow as pa

from tests.pg_server import SHOP_COMMENTS, SHOP_KEYS, _free_port, shop_tables

USER, PASSWORD = "shop", "s3cret-my-Passw0rd"
_SEARCH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])


def binaries() -> tuple[Path, Path] | None:
    """The server and the tool that makes its data folder, or None where MariaDB is not installed."""
    server = shutil.which("mariadbd", path=_SEARCH)
    install = shutil.which("mariadb-install-db", path=_SEARCH)
    return (Path(server), Path(install)) if server and install else None


class MariaDBServer:
    """A data folder in a temporary folder, the server started on a free loopback port; ``stop()`` removes all."""

    def __init__(self, server: Path, install: Path):
        self.server, self.install = server, install
        self.dir = Path(tempfile.mkdtemp(prefix="stocktake-my-"))
        self.socket = self.dir / "sock"
        self.port = _free_port()
        self._process: subprocess.Popen | None = None

    def start(self) -> MariaDBServer:
        as_root = ["--user=root"] if os.geteuid() == 0 else []
        small = ["--innodb-buffer-pool-size=32M", "--innodb-log-file-size=8M"]
        subprocess.run([str(self.install), "--no-defaults", f"--datadir={self.dir / 'data'}", *as_root,
                        "--auth-root-authentication-method=normal", "--skip-test-db", *small],
                       check=True, capture_output=True, timeout=120)
        self._process = subprocess.Popen(
            [str(self.server), "--no-defaults", f"--datadir={self.dir / 'data'}", *as_root, f"--port={self.port}",
             "--bind-address=127.0.0.1", f"--socket={self.socket}", f"--pid-file={self.dir / 'pid'}",
             f"--log-error={self.dir / 'log'}", f"--tmpdir={self.dir}", "--skip-name-resolve",
             "--innodb-flush-log-at-trx-commit=0", *small],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait()
        self.execute(f"CREATE USER '{USER}'@'%' IDENTIFIED BY '{PASSWORD}'",
                     f"GRANT ALL ON `shop%`.* TO '{USER}'@'%'")
        return self

    def _wait(self, seconds: float = 60) -> None:
        import pymysql

        deadline = time.monotonic() + seconds
        while True:
            try:
                self.admin().close()
                return
            except pymysql.MySQLError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    log = (self.dir / "log").read_text(errors="replace")[-2000:] if (self.dir / "log").exists() else ""
                    self.stop()
                    raise RuntimeError(f"MariaDB did not start:\n{log}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        try:
            if self._process is not None and self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, database: str = "shop", password: str | None = PASSWORD, user: str = USER,
            scheme: str = "mysql") -> str:
        secret = f":{password}" if password else ""
        return f"{scheme}://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def admin(self, database: str | None = None):
        """An autocommitting PyMySQL connection as root, over the socket."""
        import pymysql

        return pymysql.connect(unix_socket=str(self.socket), user="root", database=database, autocommit=True,
                               charset="utf8mb4")

    def execute(self, *statements: str, database: str | None = None) -> None:
        with self.admin(database) as con, con.cursor() as cur:
            for sql in statements:
                cur.execute(sql)

    def query(self, sql: str, database: str = "shop") -> list[tuple]:
        with self.admin(database) as con, con.cursor() as cur:
            cur.execute(sql)
            return list(cur.fetchall())


_SQL_TYPES = {pa.int64(): "BIGINT", pa.float64(): "DOUBLE", pa.timestamp("us"): "DATETIME"}


def load_shop(server: MariaDBServer, database: str = "shop") -> dict[str, pa.Table]:
    """Create ``database`` holding the shop with primary and foreign keys and comments declared; its tables."""
    server.execute(f"CREATE DATABASE {database}")
    tables = shop_tables()
    comments = {k: v for k, v in SHOP_COMMENTS.items() if "." not in k}
    with server.admin(database) as con, con.cursor() as cur:
        for name, table in tables.items():
            columns = ", ".join(f"`{f.name}` {_SQL_TYPES.get(f.type, 'TEXT')}"
                                + _comment(SHOP_COMMENTS.get(f"{name}.{f.name}")) for f in table.schema)
            cur.execute(f"CREATE TABLE {name} ({columns}, PRIMARY KEY ({table.column_names[0]})) ENGINE=InnoDB"
                        + _comment(comments.get(name)))
            cur.executemany(f"INSERT INTO {name} VALUES ({', '.join(['%s'] * table.num_columns)})",
                            [tuple(r.values()) for r in table.to_pylist()])
        for child, keys in SHOP_KEYS.items():
            for column, parent, parent_column in keys:
                cur.execute(f"ALTER TABLE {child} ADD FOREIGN KEY ({column}) REFERENCES {parent} ({parent_column})")
        cur.execute("CREATE VIEW big_orders AS SELECT * FROM orders WHERE total_amount > 100")
        cur.execute("ANALYZE TABLE " + ", ".join(tables))
        cur.fetchall()
    return tables


def _comment(text: str | None) -> str:
    return f" COMMENT '{text}'" if text else ""
