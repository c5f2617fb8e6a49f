"""JSON API sources against a real HTTP server on loopback (tests/api_server.py): every kind of pagination reads
every record once, nested records become columns and child tables with a declared key back, retries, bounds and
broken pages are one line that leaves the catalog as it was, and a header's secret is never stored or shown."""

from __future__ import annotations

import pytest

from stocktake.errors import StocktakeError
from stocktake.tools.sources import add_source, records, sync_source
from stocktake.tools.sources.docs import schema_chunks
from stocktake.tools.sources.rest import location
from stocktake.usecases import Services, profiling
from tests.api_server import PER_PAGE, ShopAPI, shop_orders

TOKEN = "tok-9f8e7d-SECRET-value"
PARENT_COLUMNS = ["order_id", "order_date", "status", "payment_method", "total_amount", "coupon",
                  "customer_user_id", "customer_name", "customer_address_city", "customer_address_country", "tags"]
ITEM_COLUMNS = ["order_id", "order_item_id", "product_id", "quantity", "unit_price"]


@pytest.fixture(scope="module")
def served():
    api = ShopAPI(shop_orders()).start()
    yield api
    api.stop()


@pytest.fixture
def api(served, monkeypatch):
    """The server as new, answering at once; retries without waiting and two of them."""
    served.reset()
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("STOCKTAKE_SOURCE_BACKOFF_S", "0")
    monkeypatch.setenv("STOCKTAKE_SOURCE_RETRIES", "2")
    return served


def nothing_registered(catalog) -> bool:
    return not catalog.names() and not records.names(catalog.ws)


def record(catalog):
    return records.get(catalog.ws, "shop")


PAGINATIONS = {
    "page": {"json_path": "data.items", "paginate": "page:page"},
    "cursor": {"paginate": "cursor:next"},
    "cursor-url": {"paginate": "cursor:links.next"},
    "offset": {"paginate": "offset:offset"},
    "link": {"paginate": "link"},
}


@pytest.mark.parametrize("route", sorted(PAGINATIONS))
def test_each_kind_of_pagination_reads_every_record_once_in_order(api, catalog, route):
    add_source(catalog, "shop", api.url(route), options=PAGINATIONS[route], patterns=("orders",))
    frame = catalog.load("shop.orders")
    assert frame["order_id"].tolist() == [o["order_id"] for o in api.orders]
    empty_page_too = route in ("page", "offset")  # the others know the last page when they see it
    assert len(api.hits) == len(api.orders) // PER_PAGE + empty_page_too


def test_nested_objects_become_columns_and_lists_of_objects_a_child_table(api, catalog):
    result = add_source(catalog, "shop", api.url("page"), options=PAGINATIONS["page"])
    assert sorted(t.table for t in result.tables) == ["orders", "orders_items"]
    orders, items = catalog.get("shop.orders"), catalog.get("shop.orders_items")
    assert ([c.name for c in orders.columns], orders.rows) == (PARENT_COLUMNS, len(api.orders))
    assert ([c.name for c in items.columns], items.rows) == (ITEM_COLUMNS, sum(len(o["items"]) for o in api.orders))
    loaded = catalog.load("shop.orders_items")
    assert loaded["quantity"].sum() == sum(i["quantity"] for o in api.orders for i in o["items"])


def test_the_child_table_declares_its_key_back_to_the_parent_and_relations_show_it(api, catalog):
    add_source(catalog, "shop", api.url("page"), options=PAGINATIONS["page"])
    found = record(catalog)
    child = found.table("orders_items")
    assert [(k.columns, k.table, k.references) for k in child.foreign_keys] == [(("order_id",), "orders",
                                                                                  ("order_id",))]
    assert (found.table("orders").primary_key, child.primary_key) == (("order_id",), ("order_item_id",))
    found = [r for r in profiling.relationships(Services(catalog)) if r.origin == "declared"]
    assert [(r.from_asset, r.from_column, r.to_asset, r.to_column, r.coverage) for r in found] == [
        ("shop.orders_items", "order_id", "shop.orders", "order_id", 1.0)]


def test_the_docs_say_where_each_flattened_column_is_in_the_records(api, catalog):
    add_source(catalog, "shop", api.url("page"), options=PAGINATIONS["page"])
    texts = [c.text for c in schema_chunks(record(catalog))]
    assert any(t.startswith("shop.orders: table orders of the JSON API source shop.") for t in texts)
    assert "shop.orders › customer_address_city (string): customer.address.city in each record" in texts
    assert any("Declared foreign key: order_id references shop.orders (order_id)" in t for t in texts)


def test_column_types_come_from_the_values(api, catalog):
    add_source(catalog, "shop", api.url("page"), options=PAGINATIONS["page"])
    found = record(catalog)
    types = {c.name: c.type for c in found.table("orders").columns}
    assert (types["order_id"], types["total_amount"], types["order_date"]) == ("int64", "double", "timestamp[us]")
    assert types["coupon"] == "string" and types["tags"] == "string"  # mixed int and text; a list of words
    frame = catalog.load("shop.orders")
    assert set(frame["coupon"].dropna()) == {"5", "SPRING"} and set(frame["tags"]) == {'["gift"]', "[]"}


def test_records_without_an_id_get_a_generated_row_number_that_their_items_point_back_to(api, catalog):
    api.orders = [{k: v for k, v in o.items() if k != "order_id"} for o in api.orders[:20]]
    add_source(catalog, "shop", api.url("flat"))
    found = record(catalog)
    assert found.table("orders").primary_key == ("_row",)
    assert [(k.columns, k.references) for k in found.table("orders_items").foreign_keys] == [(("orders_row",),
                                                                                               ("_row",))]
    assert catalog.load("shop.orders")["_row"].tolist() == list(range(1, 21))


def test_the_list_of_records_is_found_without_json_path_and_a_body_without_one_lists_its_keys(api, catalog):
    add_source(catalog, "shop", api.url("cursor"), options={"paginate": "cursor:next"}, patterns=("orders",))
    assert catalog.get("shop.orders").rows == len(api.orders)
    with pytest.raises(StocktakeError, match=r"^Source 'other': page 1 of .* has nothing at 'data.rows' \(its keys: "
                                             r"data, meta\)\. Choose the list of records with --json-path"):
        add_source(catalog, "other", api.url("page"), options={"json_path": "data.rows"})


def test_429_is_retried_after_the_wait_the_server_asks_for(api, catalog):
    api.too_many = 2
    result = add_source(catalog, "shop", api.url("flat"), patterns=("orders",))
    assert len(api.hits) == 3 and result.tables[0].asset.rows == len(api.orders)


@pytest.mark.parametrize("how, says", [
    ("html", r"is an HTML page, not JSON\. Nothing was changed; check that the URL is the API's endpoint"),
    ("500", r"failed \(HTTP 500 Internal Server Error\) after 2 retries\. Nothing was changed; try again later"),
])
def test_a_broken_page_7_is_one_line_naming_it_and_registers_nothing(api, catalog, how, says):
    api.broken = (how, 7)
    with pytest.raises(StocktakeError, match=rf"^Source 'shop': page 7 of {api.url('page')} {says}") as caught:
        add_source(catalog, "shop", api.url("page"), options=PAGINATIONS["page"])
    assert "\n" not in str(caught.value) and nothing_registered(catalog)


def test_a_sync_that_fails_on_a_page_keeps_every_version(api, catalog):
    add_source(catalog, "shop", api.url("page"), options=PAGINATIONS["page"])
    before = record(catalog)
    api.broken = ("500", 7)
    with pytest.raises(StocktakeError, match="page 7"):
        sync_source(catalog, "shop")
    assert [len(catalog.versions(n)) for n in ("shop.orders", "shop.orders_items")] == [1, 1]
    assert record(catalog).synced_at == before.synced_at


def test_sync_of_an_unchanged_api_adds_no_version(api, catalog):
    add_source(catalog, "shop", api.url("link"), options={"paginate": "link"})
    result = sync_source(catalog, "shop")
    assert [(t.changed, t.asset.version) for t in result.tables] == [(False, 1), (False, 1)]


def test_sync_adds_a_version_where_the_records_changed(api, catalog):
    add_source(catalog, "shop", api.url("link"), options={"paginate": "link"})
    api.orders = [dict(o, status="returned") if i == 0 else o for i, o in enumerate(api.orders)]
    result = sync_source(catalog, "shop")
    assert {t.table: (t.changed, t.asset.version) for t in result.tables} == {"orders": (True, 2),
                                                                              "orders_items": (False, 1)}


def test_incremental_sync_appends_only_the_records_past_the_cursor(api, catalog):
    add_source(catalog, "shop", api.url("offset"), options={"paginate": "offset:offset"}, patterns=("orders",))
    sync_source(catalog, "shop", incremental="order_id")
    newest = api.orders[-1]["order_id"]
    api.orders = api.orders + [dict(o, order_id=newest + i) for i, o in enumerate(api.orders[:3], 1)]
    result = sync_source(catalog, "shop", incremental="order_id")
    (t,) = result.tables
    assert (t.rows_read, t.changed, t.asset.rows) == (3, True, len(api.orders))


def test_limit_keeps_the_first_records_and_only_their_items(api, catalog):
    add_source(catalog, "shop", api.url("page"), options=PAGINATIONS["page"], limit=30)
    orders, items = (catalog.load(n) for n in ("shop.orders", "shop.orders_items"))
    assert orders["order_id"].tolist() == [o["order_id"] for o in api.orders[:30]]
    assert set(items["order_id"]) <= set(orders["order_id"]) and len(items) == 30


def test_sample_reads_that_many_records_the_same_each_time(api, catalog):
    add_source(catalog, "shop", api.url("flat"), sample=100, patterns=("orders",))
    result = sync_source(catalog, "shop")
    assert result.tables[0].asset.rows == 100 and not result.tables[0].changed


def test_max_pages_reads_that_many_and_the_description_says_there_is_more(api, catalog):
    add_source(catalog, "shop", api.url("cursor"), options={"paginate": "cursor:next", "max_pages": 3},
               patterns=("orders",))
    asset = catalog.get("shop.orders")
    assert asset.rows == 3 * PER_PAGE and "the first 3 pages only" in asset.description


def test_more_pages_than_the_settings_cap_is_an_error(api, catalog, monkeypatch):
    monkeypatch.setenv("STOCKTAKE_SOURCE_MAX_PAGES", "5")
    with pytest.raises(StocktakeError, match=r"has more than 5 pages \(set STOCKTAKE_SOURCE_MAX_PAGES to raise the "
                                             r"limit\)\. Nothing was changed; to read the first pages only, give "
                                             r"--max-pages N\."):
        add_source(catalog, "shop", api.url("link"), options={"paginate": "link"})
    assert nothing_registered(catalog)


def test_all_pages_together_are_bounded_too(api, catalog, monkeypatch):
    monkeypatch.setenv("STOCKTAKE_SOURCE_MAX_BYTES", "3000")
    with pytest.raises(StocktakeError, match=r"page \d+ of .*: the pages read so far pass 2.93 KB \(set "
                                             "STOCKTAKE_SOURCE_MAX_BYTES"):
        add_source(catalog, "shop", api.url("page"), options=PAGINATIONS["page"])
    assert nothing_registered(catalog)


def test_a_response_larger_than_the_bound_and_a_slow_one_are_refused(api, catalog, monkeypatch):
    monkeypatch.setenv("STOCKTAKE_SOURCE_MAX_RESPONSE_BYTES", "1000")
    with pytest.raises(StocktakeError, match=r"page 1 of .* is larger than 1,000 bytes \(set "
                                             "STOCKTAKE_SOURCE_MAX_RESPONSE_BYTES"):
        add_source(catalog, "shop", api.url("flat"))
    monkeypatch.delenv("STOCKTAKE_SOURCE_MAX_RESPONSE_BYTES")
    monkeypatch.setenv("STOCKTAKE_SOURCE_TIMEOUT_S", "0.2")
    api.delay_s = 1.0
    with pytest.raises(StocktakeError, match=r"page 1 of .* took longer than 0.2 s\. Nothing was changed"):
        add_source(catalog, "shop", api.url("flat"))
    assert nothing_registered(catalog)


def test_an_unreachable_api_is_one_line_saying_what_to_check(catalog):
    with pytest.raises(StocktakeError, match=r"^Source 'shop': page 1 of http://127.0.0.1:1/orders cannot be read "
                                             r"\(.*\)\. Nothing was changed; check the host and port in the URL"):
        add_source(catalog, "shop", "http://127.0.0.1:1/orders")


def test_a_next_link_to_another_host_is_not_followed(api, catalog):
    api.next_host = "http://127.0.0.2:9"
    with pytest.raises(StocktakeError, match=r"page 1 of .* links its next page on http://127.0.0.2:9, another "
                                             "host"):
        add_source(catalog, "shop", api.url("cursor-url"), options={"paginate": "cursor:links.next"})
    assert len(api.hits) == 1


@pytest.mark.slow  # the CLI indexes the schema in the docs index, which loads the embedding model
def test_the_header_comes_from_its_variable_and_its_value_is_never_stored_or_shown(api, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from stocktake.cli.main import app

    api.token = TOKEN
    monkeypatch.setenv("SHOP_TOKEN", TOKEN)
    home = ["--workspace", str(tmp_path / "cli")]
    added = CliRunner().invoke(app, [*home, "source", "add", "shop", api.url("page"), "--json-path", "data.items",
                                     "--paginate", "page:page", "--header", "Authorization=Bearer env:SHOP_TOKEN"])
    assert added.exit_code == 0, added.output
    assert {h["Authorization"] for _, h in api.hits} == {f"Bearer {TOKEN}"}
    monkeypatch.setenv("SHOP_TOKEN", "tok-wrong-ONE")
    refused = CliRunner().invoke(app, [*home, "sync", "shop"])
    assert refused.exit_code != 0 and "the API refused the request (HTTP 401 Unauthorized)" in refused.output
    listed = CliRunner().invoke(app, [*home, "source", "list", "--json"])
    assert "Authorization=Bearer env:SHOP_TOKEN" in listed.output
    shown = added.output + refused.output + listed.output
    stored = [p.read_bytes() for p in (tmp_path / "cli").rglob("*") if p.is_file()]
    assert stored and TOKEN not in shown and "tok-wrong-ONE" not in shown
    assert not [b for b in stored if TOKEN.encode() in b or b"tok-wrong-ONE" in b]


def test_a_header_with_a_literal_value_is_refused_without_showing_it(api, catalog):
    with pytest.raises(StocktakeError, match=r"--header Authorization must take its value from an environment "
                                             r"variable \(NAME=env:VAR\)") as caught:
        add_source(catalog, "shop", api.url("flat"), options={"headers": [f"Authorization=Bearer {TOKEN}"]})
    assert TOKEN not in str(caught.value) and not api.hits and nothing_registered(catalog)


def test_a_header_is_never_sent_over_plain_http_beyond_loopback(catalog, monkeypatch):
    monkeypatch.setenv("SHOP_TOKEN", TOKEN)
    with pytest.raises(StocktakeError, match="reached over plain http://, which would send the Authorization header "
                                             "unencrypted. Use its https:// URL"):
        add_source(catalog, "shop", "http://api.example.com/orders",
                   options={"headers": ["Authorization=env:SHOP_TOKEN"]})


@pytest.mark.parametrize("url, says", [
    ("https://me:hunter2@api.example.com/orders", "carries a password"),
    ("https://api.example.com/orders?api_key=hunter2&page=1", "carries api_key= in its query"),
    ("https://api.example.com/orders?access_token=hunter2", "carries access_token= in its query"),
])
def test_a_secret_in_the_url_is_refused_and_never_shown(url, says):
    with pytest.raises(StocktakeError, match=rf"^Source 'shop': the URL https://api.example.com/orders {says}, "
                                             "which Stocktake never stores. Pass it as --header NAME=env:VAR") as e:
        location(url, "shop")
    assert "hunter2" not in str(e.value)


def test_http_and_https_urls_go_to_the_api_connector_which_takes_only_its_own_options():
    from stocktake.tools.sources.connectors import check_options, for_location

    assert {for_location(u, "s").module for u in ("https://h/orders", "HTTP://127.0.0.1/orders")} == {"rest"}
    with pytest.raises(StocktakeError, match=r"--format does not apply to a JSON API source"):
        check_options(for_location("https://h/orders", "s"), {"log_format": "combined", "paginate": "link"}, "s")


def test_the_url_is_kept_as_given():
    url = "https://api.example.com/v1/orders?status=open&per_page=100"
    assert location(url, "shop") == url


def test_these_tests_never_reach_beyond_loopback(catalog):
    # the suite's guard (tests/conftest.py) stops any connection off this machine, this connector's included
    with pytest.raises(RuntimeError, match="test tried to reach the network"):
        add_source(catalog, "shop", "http://192.0.2.1/orders")
