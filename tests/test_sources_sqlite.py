"""SQLite files as live sources, ``sqlite:///path``: the sample shop with declared keys is brought in and synced,
and the file is never changed, nor anything created beside it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow as pa
import pytest

from stocktake.errors import StocktakeError
from stocktake.settings import SourceSettings
from stocktake.tools.sources.connectors import for_location
from stocktake.usecases import Services, profiling
from stocktake.usecases.sources import add_source, list_sources, sync
from tests.ingest_fixtures import folder_state, wal_database
from tests.pg_server import SHOP_KEYS, SHOP_TABLES, shop_tables

_TYPES = {pa.int64(): "INTEGER", pa.float64(): "REAL"}


def shop_database(path: Path) -> Path:
    """The sample shop as a SQLite file, primary and foreign keys declared, and a view."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        for name, table in shop_tables().items():
            columns = [f'"{f.name}" {_TYPES.get(f.type, "TEXT")}' for f in table.schema]
            keys = [f"PRIMARY KEY ({table.column_names[0]})"] + [
                f"FOREIGN KEY ({c}) REFERENCES {parent} ({pc})" for c, parent, pc in SHOP_KEYS.get(name, [])]
            db.execute(f"CREATE TABLE {name} ({', '.join(columns + keys)})")
            rows = [tuple(v.isoformat(" ") if hasattr(v, "isoformat") else v for v in r.values())
                    for r in table.to_pylist()]
            db.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * table.num_columns)})", rows)
        db.execute("CREATE VIEW big_orders AS SELECT * FROM orders WHERE total_amount > 100")
    db.close()
    return path


@pytest.fixture
def shop(tmp_path) -> Path:
    return shop_database(tmp_path / "data" / "shop.db")


@pytest.fixture
def services(catalog) -> Services:
    return Services(catalog)


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as db:
        found = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    db.close()
    return found


def write(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as db:
        for sql in statements:
            db.execute(sql)
    db.close()


def test_sqlite_urls_go_to_the_sqlite_connector_and_are_kept_with_the_absolute_path(shop, monkeypatch):
    monkeypatch.chdir(shop.parent)
    connector = for_location("sqlite://shop.db", "shop")
    assert (connector.module, connector.location("sqlite://shop.db", "shop")) == ("sqlite", f"sqlite://{shop}")
    assert connector.location(f"sqlite://{shop}", "shop") == f"sqlite://{shop}"


def test_each_table_and_view_becomes_an_asset_with_the_files_rows_and_columns(shop, services):
    result = add_source(services, "shop", f"sqlite://{shop}")
    assert sorted(t.table for t in result.tables) == sorted([*SHOP_TABLES, "big_orders"])
    for t in result.tables:
        asset = services.catalog.get(f"shop.{t.table}")
        with sqlite3.connect(shop) as db:
            columns = [d[0] for d in db.execute(f"SELECT * FROM {t.table} LIMIT 0").description]
        db.close()
        assert (asset.rows, [c.name for c in asset.columns]) == (count(shop, t.table), columns)
        assert asset.description == f"Table {t.table} of the source shop"  # SQLite keeps no comments


def test_add_and_sync_leave_the_file_and_its_folder_exactly_as_they_were(shop, services):
    before = folder_state(shop.parent)
    add_source(services, "shop", f"sqlite://{shop}")
    sync(services, "shop")
    sync(services, "shop", incremental="order_id")
    assert folder_state(shop.parent) == before


def test_a_database_left_with_a_wal_file_is_read_whole_and_left_as_it_was(tmp_path, services):
    (tmp_path / "data").mkdir()
    path = wal_database(tmp_path / "data" / "events.db", rows=3)
    before = folder_state(path.parent)
    result = add_source(services, "ev", f"sqlite://{path}")
    assert [t.asset.rows for t in result.tables] == [3] and folder_state(path.parent) == before


def test_declared_foreign_keys_are_relationships_marked_declared(shop, services):
    add_source(services, "shop", f"sqlite://{shop}", tables=("users", "orders", "order_items", "products"))
    found = {(r.from_asset, r.from_column, r.to_asset, r.to_column): r for r in profiling.relationships(services)}
    declared = {k for k, r in found.items() if r.origin == "declared"}
    assert declared == {("shop.orders", "user_id", "shop.users", "user_id"),
                        ("shop.order_items", "order_id", "shop.orders", "order_id"),
                        ("shop.order_items", "product_id", "shop.products", "product_id")}


def test_a_column_holding_values_of_several_kinds_is_read_as_text(tmp_path, services):
    path = tmp_path / "mixed.db"
    write(path, "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, x, blank REAL)",
          "INSERT INTO t VALUES (1, 1, 1, NULL), (2, 2.5, 'two', NULL), (3, NULL, x'ff', NULL)")
    add_source(services, "m", f"sqlite://{path}")
    read = services.catalog.load("m.t")
    assert read["n"].tolist()[:2] == [1.0, 2.5] and read["x"].tolist() == ["1", "two", "\\xff"]
    assert read["blank"].isna().all()


def test_sync_of_an_unchanged_file_adds_no_version_and_a_change_adds_one(shop, services):
    add_source(services, "shop", f"sqlite://{shop}", tables=("orders", "users"))
    (result,) = sync(services, "shop")
    assert [(t.changed, t.asset.version) for t in result.tables] == [(False, 1), (False, 1)]
    write(shop, "UPDATE orders SET status = 'returned' WHERE order_id = (SELECT min(order_id) FROM orders)")
    (result,) = sync(services, "shop")
    assert {t.table: (t.changed, t.asset.version) for t in result.tables} == {"orders": (True, 2), "users": (False, 1)}


def test_incremental_sync_appends_only_the_rows_past_the_cursor(shop, services):
    add_source(services, "shop", f"sqlite://{shop}", tables=("orders",))
    sync(services, "shop", incremental="order_id")
    before = services.catalog.get("shop.orders").rows
    write(shop, "INSERT INTO orders SELECT order_id + 10000000, user_id, order_date, status, payment_method, "
                "total_amount FROM orders ORDER BY order_id LIMIT 3")
    (result,) = sync(services, "shop", incremental="order_id")
    (t,) = result.tables
    assert (t.rows_read, t.changed, t.asset.rows) == (3, True, before + 3)
    (again,) = sync(services, "shop", incremental="order_id")
    assert [(t.rows_read, t.changed) for t in again.tables] == [(0, False)]


def test_limit_and_a_repeatable_sample_bound_the_rows_read(shop, services):
    assert add_source(services, "shop", f"sqlite://{shop}", tables=("users",), limit=50).tables[0].asset.rows == 50
    result = add_source(services, "sample", f"sqlite://{shop}", tables=("orders",), sample=500)
    assert 300 < result.tables[0].asset.rows <= 500
    (again,) = sync(services, "sample")
    assert not again.tables[0].changed


def test_a_file_that_is_not_a_database_is_one_line_that_says_so(tmp_path, services):
    path = tmp_path / "notes.db"
    path.write_text("these are notes, not a database\n" * 50)
    with pytest.raises(StocktakeError, match=rf"^Source 'n': {path} is not a readable SQLite database \(file is not "
                                             r"a database\)\. Check that the path names a SQLite database file"):
        add_source(services, "n", f"sqlite://{path}")
    with pytest.raises(StocktakeError, match=r"^Source 'n': .*nowhere.db: no such file"):
        add_source(services, "n", f"sqlite://{tmp_path}/nowhere.db")
    assert not services.catalog.names() and not list_sources(services)


def test_the_session_is_read_only_and_bounded_in_time(shop):
    from stocktake.tools.sources.sqlite import session

    with pytest.raises(StocktakeError, match="the read failed .*readonly database"):
        with session(f"sqlite://{shop}", "shop", {}, SourceSettings()) as s:
            s.rows("INSERT INTO users (user_id) VALUES (-1)")
    with pytest.raises(StocktakeError, match=r"a read took longer than 0.2 s and was stopped"):
        with session(f"sqlite://{shop}", "shop", {}, SourceSettings(timeout_s=0.2)) as s:
            s.rows("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")
    assert count(shop, "users WHERE user_id = -1") == 0


def test_a_view_that_never_ends_stops_the_add_at_the_source_timeout(tmp_path, services, monkeypatch):
    path = tmp_path / "loop.db"
    write(path, "CREATE VIEW forever AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                "SELECT x FROM c")
    monkeypatch.setenv("STOCKTAKE_SOURCE_TIMEOUT_S", "0.3")
    with pytest.raises(StocktakeError, match=r"^Source 'loop': a read took longer than 0.3 s and was stopped"):
        add_source(services, "loop", f"sqlite://{path}")
    assert not services.catalog.names()


def test_cli_source_add_and_sync(shop, tmp_path):
    from typer.testing import CliRunner

    from stocktake.catalog import Catalog
    from stocktake.cli.main import app

    runner, home = CliRunner(), ["--workspace", str(tmp_path / "cli")]
    added = runner.invoke(app, [*home, "source", "add", "shop", f"sqlite://{shop}", "--tables", "users"])
    assert added.exit_code == 0, added.output
    synced = runner.invoke(app, [*home, "sync", "shop"])
    assert synced.exit_code == 0 and "shop.users: unchanged (version 1)" in synced.output
    assert Catalog(tmp_path / "cli").names() == ["shop.users"]
