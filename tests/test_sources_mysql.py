"""Live MySQL/MariaDB sources against a real MariaDB server on loopback (tests/mysql_server.py): the sample shop
with declared keys and comments is brought in, synced by content hash and incrementally, read only, and every
failure is one line that never shows the password."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timezone

import pyarrow as pa
import pytest

from stocktake.errors import StocktakeError
from stocktake.settings import SourceSettings
from stocktake.tools.sources.connectors import for_location
from stocktake.usecases import Services, profiling
from stocktake.usecases.sources import add_source, list_sources, sync
from tests.mysql_server import PASSWORD, USER, MariaDBServer, binaries, load_shop
from tests.pg_server import SHOP_TABLES

pytestmark = pytest.mark.slow
_databases = itertools.count()


@pytest.fixture(scope="module")
def server():
    found = binaries()
    if found is None:
        pytest.skip("MariaDB is not installed (mariadbd and mariadb-install-db not found); .ci/run installs it")
    my = MariaDBServer(*found).start()
    load_shop(my)
    yield my
    my.stop()


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
    monkeypatch.setenv("SHOP_MY_PASSWORD", PASSWORD)
    return "SHOP_MY_PASSWORD"


def url(server, database="shop", var="SHOP_MY_PASSWORD", scheme="mysql"):
    return server.url(database, password=f"env:{var}", scheme=scheme)


def test_mysql_and_mariadb_urls_go_to_the_mysql_connector_and_are_kept_with_the_default_port():
    connector = for_location("mariadb://shop@db.internal/sales", "shop")
    assert (connector.module, connector.fmt) == ("mysql", "mysql")
    assert connector.location("mariadb://shop:env:V@db.internal/sales", "shop") == \
        "mysql://shop:env:V@db.internal:3306/sales"


def test_each_table_and_view_becomes_an_asset_with_the_servers_rows_and_columns(server, services, secret):
    result = add_source(services, "shop", url(server))
    assert sorted(t.table for t in result.tables) == sorted([*SHOP_TABLES, "big_orders"])
    for t in result.tables:
        (count,), = server.query(f"SELECT count(*) FROM {t.table}")
        columns = [r[0] for r in server.query("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA "
                                              f"= 'shop' AND TABLE_NAME = '{t.table}' ORDER BY ORDINAL_POSITION")]
        asset = services.catalog.get(f"shop.{t.table}")
        assert (asset.rows, [c.name for c in asset.columns]) == (count, columns)


def test_a_mariadb_url_reads_the_same_tables(server, services, secret):
    result = add_source(services, "shop", url(server, scheme="mariadb"), tables=("order*",))
    assert sorted(t.table for t in result.tables) == ["order_items", "orders"]
    assert list_sources(services)[0].url.startswith("mysql://shop:env:SHOP_MY_PASSWORD@127.0.0.1:")


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
    assert services.catalog.get("shop.users").description == "Registered customers of the shop"
    with services.docs() as store:
        texts = [r.text for r in store.records({"source": "source:shop"})]
    assert any("Where the order is: placed, shipped" in t and "shop.orders" in t for t in texts)
    assert any("Declared foreign key: user_id references shop.users (user_id)" in t for t in texts)


def test_columns_are_read_as_the_arrow_types_of_their_mysql_types(server, secret, fresh):
    from stocktake.tools.sources.mysql import session

    create = """CREATE TABLE kinds (id BIGINT UNSIGNED PRIMARY KEY, price DECIMAL(12,2), day DATE, seen DATETIME(6),
        stamped TIMESTAMP NULL, state ENUM('new', 'old'), doc JSON, raw VARBINARY(8), flags BIT(4), small TINYINT)"""
    server.execute("SET SESSION sql_mode = ''", "SET SESSION time_zone = '+00:00'", create,
                   "INSERT INTO kinds VALUES (18446744073709551615, 12.5, '2024-02-29', '2024-03-01 10:00:00.25', "
                   "'2024-03-01 10:00:00', 'old', '{\"a\": 1}', x'00ff', b'1010', -3), "
                   "(1, NULL, '0000-00-00', NULL, NULL, 'new', NULL, NULL, NULL, NULL)", database=fresh)
    with session(url(server, fresh), "shop", {}, SourceSettings()) as s:
        (kinds,) = [t for t in s.schema() if t.name == "kinds"]
        read = s.read(kinds)
    assert read.schema == pa.schema([("id", pa.uint64()), ("price", pa.float64()), ("day", pa.date32()),
                                     ("seen", pa.timestamp("us")), ("stamped", pa.timestamp("us", "UTC")),
                                     ("state", pa.string()), ("doc", pa.string()), ("raw", pa.binary()),
                                     ("flags", pa.uint64()), ("small", pa.int64())])
    assert read.sort_by("id").to_pylist()[1] == {
        "id": 18446744073709551615, "price": 12.5, "day": date(2024, 2, 29),
        "seen": datetime(2024, 3, 1, 10, 0, 0, 250000), "stamped": datetime(2024, 3, 1, 10, tzinfo=timezone.utc),
        "state": "old", "doc": '{"a": 1}', "raw": b"\x00\xff", "flags": 10, "small": -3}
    assert read.sort_by("id").to_pylist()[0]["day"] is None  # a zero date is no date


def test_sync_of_an_unchanged_source_adds_no_version(server, services, secret):
    add_source(services, "shop", url(server), tables=("orders",))
    (result,) = sync(services, "shop")
    assert [(t.changed, t.asset.version) for t in result.tables] == [(False, 1)]


def test_sync_adds_a_version_only_to_the_table_that_changed(server, services, secret, fresh):
    add_source(services, "shop", url(server, fresh), tables=("orders", "users"))
    server.execute("UPDATE orders SET status = 'returned' ORDER BY order_id LIMIT 1", database=fresh)
    (result,) = sync(services, "shop")
    assert {t.table: (t.changed, t.asset.version) for t in result.tables} == {"orders": (True, 2), "users": (False, 1)}


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


def test_incremental_sync_by_a_datetime_with_nothing_new_adds_no_version(server, services, secret):
    add_source(services, "shop", url(server), tables=("orders",))
    sync(services, "shop", incremental="order_date")
    version = services.catalog.get("shop.orders").version
    (result,) = sync(services, "shop", incremental="order_date")
    assert [(t.rows_read, t.changed, t.asset.version) for t in result.tables] == [(0, False, version)]


def test_limit_reads_at_most_that_many_rows(server, services, secret):
    result = add_source(services, "shop", url(server), tables=("users",), limit=50)
    assert result.tables[0].asset.rows == 50


def test_sample_reads_about_that_many_rows_the_same_each_time(server, services, secret):
    add_source(services, "shop", url(server), tables=("orders",), sample=500)
    (result,) = sync(services, "shop")
    assert 300 < result.tables[0].asset.rows <= 500 and not result.tables[0].changed


def test_wrong_password_is_one_line_that_does_not_show_it(server, services, monkeypatch):
    monkeypatch.setenv("SHOP_MY_PASSWORD", "not-the-Password-42")
    with pytest.raises(StocktakeError) as caught:
        add_source(services, "shop", url(server))
    message = str(caught.value)
    assert message.startswith(f"Source 'shop' (127.0.0.1:{server.port}): the server refused the password for user "
                              f"'{USER}'. Check the password held in SHOP_MY_PASSWORD.")
    assert "\n" not in message and "not-the-Password-42" not in message and not services.catalog.names()


def test_unknown_database_and_unreachable_host_say_what_to_do(server, services, secret):
    with pytest.raises(StocktakeError, match="there is no database 'nowhere'.* Check the database name"):
        add_source(services, "shop", url(server, "nowhere"))
    with pytest.raises(StocktakeError, match=r"^Source 'shop' \(127.0.0.1:1\): cannot connect .*Check the host and "
                                             "port"):
        add_source(services, "shop", f"mysql://{USER}:env:SHOP_MY_PASSWORD@127.0.0.1:1/shop")
    assert not services.catalog.names() and not list_sources(services)


def test_the_catalog_keeps_the_variables_name_and_never_the_password(server, services, secret, ws):
    add_source(services, "shop", url(server), tables=("users",))
    stored = [p for p in ws.root.rglob("*") if p.is_file()]
    assert stored and not [p for p in stored if PASSWORD.encode() in p.read_bytes()]


def test_the_session_is_read_only_and_bounded_in_time(server, secret):
    from stocktake.tools.sources.mysql import session

    with pytest.raises(StocktakeError, match="the read failed .*READ ONLY transaction"):
        with session(url(server), "shop", {}, SourceSettings(timeout_s=5)) as s:
            s.rows("INSERT INTO users (user_id) VALUES (-1)")
    with pytest.raises(StocktakeError, match=r"a read took longer than 0.2 s and was stopped. Read less with --limit"):
        with session(url(server), "shop", {}, SourceSettings(timeout_s=0.2)) as s:
            s.rows("SELECT SLEEP(2)")
    assert server.query("SELECT count(*) FROM users WHERE user_id = -1") == [(0,)]


def test_all_tables_are_read_from_one_snapshot(server, secret, fresh):
    from stocktake.tools.sources.mysql import session

    with session(url(server, fresh), "shop", {}, SourceSettings()) as s:
        before = s.rows("SELECT count(*) FROM orders")
        server.execute("DELETE FROM order_items", "DELETE FROM orders", database=fresh)
        assert s.rows("SELECT count(*) FROM orders") == before and before != [("0",)]
