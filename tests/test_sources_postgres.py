"""Live PostgreSQL sources against a real server on loopback (tests/pg_server.py): the sample shop with declared
keys and comments is brought in, synced by content hash and incrementally, and every failure is one line that
never shows the password."""

from __future__ import annotations

import itertools

import pytest

from stocktake.catalog import Catalog
from stocktake.errors import StocktakeError
from stocktake.usecases import Services
from stocktake.usecases import profiling
from stocktake.usecases.sources import add_source, list_sources, sync
from tests.pg_server import PASSWORD, SHOP_TABLES, PostgresServer, binaries, load_shop

pytestmark = pytest.mark.slow
_databases = itertools.count()


@pytest.fixture(scope="module")
def server():
    folder = binaries()
    if folder is None:
        pytest.skip("PostgreSQL is not installed (initdb and pg_ctl not found); .ci/run installs it")
    pg = PostgresServer(folder).start()
    load_shop(pg)
    yield pg
    pg.stop()


@pytest.fixture
def fresh(server):
    """A shop database of this test's own, for tests that change the source."""
    name = f"shop_{next(_databases)}"
    load_shop(server, name)
    return name


@pytest.fixture
def services(catalog) -> Services:
    return Services(catalog)


@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv("SHOP_PG_PASSWORD", PASSWORD)
    return "SHOP_PG_PASSWORD"


def url(server, database="shop", var="SHOP_PG_PASSWORD"):
    return server.url(database, password=f"env:{var}")


def test_each_table_and_view_becomes_an_asset_with_the_sources_rows_and_columns(server, services, secret):
    result = add_source(services, "shop", url(server))
    assert sorted(t.table for t in result.tables) == sorted([*SHOP_TABLES, "big_orders"])
    for t in result.tables:
        (count,), = server.query(f"SELECT count(*) FROM {t.table}")
        columns = [r[0] for r in server.query("SELECT column_name FROM information_schema.columns WHERE "
                                              f"table_name = '{t.table}' ORDER BY ordinal_position")]
        asset = services.catalog.get(f"shop.{t.table}")
        assert (asset.rows, [c.name for c in asset.columns]) == (count, columns)


def test_tables_option_takes_glob_patterns(server, services, secret):
    result = add_source(services, "shop", url(server), tables=("order*",))
    assert sorted(t.table for t in result.tables) == ["order_items", "orders"]


def test_declared_foreign_keys_are_relationships_marked_declared(server, services, secret):
    add_source(services, "shop", url(server), tables=("users", "orders", "order_items", "products"))
    found = {(r.from_asset, r.from_column, r.to_asset, r.to_column): r for r in profiling.relationships(services)}
    declared = {k for k, r in found.items() if r.origin == "declared"}
    assert declared == {("shop.orders", "user_id", "shop.users", "user_id"),
                        ("shop.order_items", "order_id", "shop.orders", "order_id"),
                        ("shop.order_items", "product_id", "shop.products", "product_id")}
    assert all(found[k].coverage == 1.0 and found[k].reading == "many-to-one" for k in declared)


def test_table_comments_are_descriptions_and_column_comments_reach_the_docs_index(server, services, secret):
    add_source(services, "shop", url(server), tables=("orders", "users"))
    assert services.catalog.get("shop.orders").description == "One row per checkout"
    with services.docs() as store:
        texts = [r.text for r in store.records({"source": "source:shop"})]
    assert any("Where the order is: placed, shipped" in t and "shop.orders" in t for t in texts)
    assert any("Declared foreign key: user_id references shop.users (user_id)" in t for t in texts)


def test_sync_of_an_unchanged_source_adds_no_version(server, services, secret):
    add_source(services, "shop", url(server), tables=("orders",))
    (result,) = sync(services, "shop")
    assert [(t.changed, t.asset.version) for t in result.tables] == [(False, 1)]


def test_sync_adds_a_version_only_to_the_table_that_changed(server, services, secret, fresh):
    add_source(services, "shop", url(server, fresh), tables=("orders", "users"))
    server.execute("UPDATE orders SET status = 'returned' WHERE order_id = (SELECT min(order_id) FROM orders)",
                   database=fresh)
    (result,) = sync(services, "shop")
    assert {t.table: (t.changed, t.asset.version) for t in result.tables} == {"orders": (True, 2), "users": (False, 1)}
    assert len(services.catalog.versions("shop.orders")) == 2


def test_incremental_sync_appends_only_the_rows_past_the_cursor(server, services, secret, fresh):
    add_source(services, "shop", url(server, fresh), tables=("orders",))
    sync(services, "shop", incremental="order_id")
    before = services.catalog.get("shop.orders").rows
    server.execute("INSERT INTO orders SELECT order_id + 10000000, user_id, order_date, status, payment_method, "
                   "total_amount FROM orders ORDER BY order_id LIMIT 3", database=fresh)
    (result,) = sync(services, "shop", incremental="order_id")
    (t,) = result.tables
    assert (t.rows_read, t.changed, t.asset.rows) == (3, True, before + 3)
    assert services.catalog.load("shop.orders")["order_id"].is_unique


def test_incremental_sync_with_nothing_new_adds_no_version(server, services, secret):
    add_source(services, "shop", url(server), tables=("orders",))
    sync(services, "shop", incremental="order_id")
    version = services.catalog.get("shop.orders").version
    (result,) = sync(services, "shop", incremental="order_id")
    assert [(t.rows_read, t.changed, t.asset.version) for t in result.tables] == [(0, False, version)]


def test_limit_reads_at_most_that_many_rows(server, services, secret):
    result = add_source(services, "shop", url(server), tables=("users",), limit=50)
    assert result.tables[0].asset.rows == 50


def test_sample_reads_about_that_many_rows_the_same_each_time(server, services, secret):
    server.execute("ANALYZE")
    add_source(services, "shop", url(server), tables=("orders",), sample=500)
    (result,) = sync(services, "shop")
    assert 0 < result.tables[0].asset.rows <= 500 and not result.tables[0].changed


def test_a_schema_change_fails_the_sync_and_keeps_every_version(server, services, secret, fresh):
    add_source(services, "shop", url(server, fresh), tables=("orders", "users"))
    server.execute("UPDATE users SET city = 'Lyon'", "ALTER TABLE orders ADD COLUMN coupon text", database=fresh)
    with pytest.raises(StocktakeError, match=r"^Source 'shop': table 'orders' changed its columns since the last "
                                             r"sync \(adds coupon\), so nothing was synced\. Register it again"):
        sync(services, "shop")
    assert [len(services.catalog.versions(n)) for n in ("shop.orders", "shop.users")] == [1, 1]


def test_wrong_password_is_one_line_that_does_not_show_it(server, services, monkeypatch):
    monkeypatch.setenv("SHOP_PG_PASSWORD", "not-the-Password-42")
    with pytest.raises(StocktakeError) as caught:
        add_source(services, "shop", url(server))
    message = str(caught.value)
    assert message.startswith(f"Source 'shop' (127.0.0.1:{server.port}): the server refused the password for user "
                              "'postgres'. Check the password held in SHOP_PG_PASSWORD.")
    assert "\n" not in message and "not-the-Password-42" not in message and not services.catalog.names()


def test_unknown_database_unreachable_host_and_unknown_table_say_what_to_do(server, services, secret):
    with pytest.raises(StocktakeError, match="there is no database 'nowhere'. Check the database name"):
        add_source(services, "shop", url(server, "nowhere"))
    with pytest.raises(StocktakeError, match=r"^Source 'shop' \(127.0.0.1:1\): cannot connect .*Check the host and "
                                             "port"):
        add_source(services, "shop", "postgresql://postgres:env:SHOP_PG_PASSWORD@127.0.0.1:1/shop")
    with pytest.raises(StocktakeError, match="no table matches 'invoices'. Tables: big_orders, order_items"):
        add_source(services, "shop", url(server), tables=("invoices",))
    assert not services.catalog.names() and not list_sources(services)


def test_a_password_in_the_url_is_refused_and_never_stored(server, services, ws):
    with pytest.raises(StocktakeError) as caught:
        add_source(services, "shop", server.url("shop"))
    assert PASSWORD not in str(caught.value) and "never stores" in str(caught.value)
    assert PASSWORD.encode() not in ws.db_path.read_bytes()


def test_the_catalog_keeps_the_variables_name_and_never_the_password(server, services, secret, ws):
    add_source(services, "shop", url(server), tables=("users",))
    (record,) = list_sources(services)
    assert record.url == f"postgresql://postgres:env:SHOP_PG_PASSWORD@127.0.0.1:{server.port}/shop"
    stored = [p for p in ws.root.rglob("*") if p.is_file()]
    assert stored and not [p for p in stored if PASSWORD.encode() in p.read_bytes()]


def test_pgpass_supplies_the_password_when_the_url_names_none(server, services, tmp_path, monkeypatch):
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{server.port}:shop:postgres:{PASSWORD}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    result = add_source(services, "shop", server.url("shop", password=None), tables=("users",))
    assert result.tables[0].asset.rows == server.query("SELECT count(*) FROM users")[0][0]


def test_the_session_is_read_only_and_bounded_in_time(server, secret):
    from stocktake.settings import SourceSettings
    from stocktake.tools.sources.postgres import session

    with pytest.raises(StocktakeError, match="the read failed .*read-only transaction"):
        with session(url(server), "shop", {}, SourceSettings(timeout_s=5)) as s:
            s.rows("INSERT INTO users (user_id) VALUES (-1) RETURNING user_id")
    with pytest.raises(StocktakeError, match=r"a read took longer than 0.2 s and was stopped. Read less with --limit"):
        with session(url(server), "shop", {}, SourceSettings(timeout_s=0.2)) as s:
            s.rows("SELECT pg_sleep(2)")
    assert server.query("SELECT count(*) FROM users WHERE user_id = -1") == [(0,)]


def test_cli_source_add_and_sync(server, secret, tmp_path):
    from typer.testing import CliRunner

    from stocktake.cli.main import app

    runner, home = CliRunner(), ["--workspace", str(tmp_path / "cli")]
    added = runner.invoke(app, [*home, "source", "add", "shop", url(server), "--tables", "users"])
    assert added.exit_code == 0, added.output
    synced = runner.invoke(app, [*home, "sync", "shop", "--incremental", "user_id"])
    assert synced.exit_code == 0 and "shop.users: unchanged (version 1), 2,000 rows read" in synced.output
    again = runner.invoke(app, [*home, "sync", "shop", "--incremental", "user_id"])
    assert ", 0 new rows" in again.output and PASSWORD not in added.output + synced.output + again.output
    assert Catalog(tmp_path / "cli").names() == ["shop.users"]
