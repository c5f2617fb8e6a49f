"""Chunkers: every documented table and column becomes its own chunk, whatever the doc format."""

from __future__ import annotations

import pytest

from stocktake.errors import StocktakeError
from stocktake.tools.docs.chunkers import chunk_csv_dictionary, chunk_markdown, chunk_sql, chunk_yaml
from stocktake.tools.docs.linking import match_asset
from stocktake.tools.docs.model import humanize, name_tokens, tokenize

MARKDOWN = """\
# Shop docs
Everything about the shop export.

## orders
One row per order.

- `order_id`: unique order id
- `status` (string): delivered, shipped or cancelled

## customers

| column | type | description |
|---|---|---|
| customer_id | int | key of the customer |
| city | string | where the customer lives |
"""

DBT_YAML = """\
version: 2
models:
  - name: stg_orders
    description: Orders cleaned from the raw feed.
    columns:
      - name: order_id
        description: Primary key.
        tests: [unique, not_null]
      - name: amount
        data_type: numeric
        description: Order total in euros.
sources:
  - name: raw
    tables:
      - name: raw_customers
        columns:
          - name: id
            description: Customer key.
"""

CSV_DICTIONARY = """\
table,column,type,description
orders,order_id,int,Unique order id
orders,placed_at,timestamp,When the customer placed the order
users,user_id,int,Unique user id
"""

SQL_DDL = """\
-- One row per order.
CREATE TABLE IF NOT EXISTS shop.orders (
    order_id BIGINT PRIMARY KEY, -- unique order id
    -- when the order was placed
    placed_at TIMESTAMP NOT NULL,
    amount DECIMAL(10, 2),
    status VARCHAR(20),
    PRIMARY KEY (order_id)
);
COMMENT ON COLUMN shop.orders.status IS 'delivered, shipped or cancelled';
COMMENT ON TABLE orders IS 'Customer orders';
"""

PLAIN_TEXT = """\
SHOP EXPORT
===========

orders.csv -- one row per order with
              the order date and status.
users.csv  -- one row per registered user.

Ratings use a 1-5 star scale.
"""


@pytest.mark.parametrize(
    ("chunker", "name", "text", "expected"),
    [
        (chunk_markdown, "shop.md", MARKDOWN,
         {("orders", None), ("orders", "order_id"), ("orders", "status"), ("customers", "customer_id"),
          ("customers", "city")}),
        (chunk_yaml, "schema.yml", DBT_YAML,
         {("stg_orders", None), ("stg_orders", "order_id"), ("stg_orders", "amount"), ("raw_customers", None),
          ("raw_customers", "id")}),
        (chunk_csv_dictionary, "dictionary.csv", CSV_DICTIONARY,
         {("orders", None), ("orders", "order_id"), ("orders", "placed_at"), ("users", None), ("users", "user_id")}),
        (chunk_sql, "schema.sql", SQL_DDL,
         {("orders", None), ("orders", "order_id"), ("orders", "placed_at"), ("orders", "amount"),
          ("orders", "status")}),
        (chunk_markdown, "README", PLAIN_TEXT, {("orders", None), ("users", None)}),
    ],
    ids=["markdown", "dbt-yaml", "csv-dictionary", "sql-ddl", "plain-text"],
)
def test_each_table_and_column_gets_its_own_chunk(chunker, name, text, expected):
    chunks = chunker(text, name, f"/docs/{name}")
    found = {(c.table, c.column) for c in chunks if c.table}
    assert expected <= found
    assert all(c.source == f"/docs/{name}" and c.location.startswith(name) for c in chunks)
    assert all(c.line_start and c.line_end >= c.line_start for c in chunks)


def _by_column(chunks):
    return {c.column: c for c in chunks if c.column}


def test_markdown_column_chunk_carries_table_type_and_location():
    status = _by_column(chunk_markdown(MARKDOWN, "shop.md", "/docs/shop.md"))["status"]
    assert status.location == "shop.md › orders › status"
    assert status.text == "orders › status (string): delivered, shipped or cancelled"
    assert status.line_start == 8


def test_markdown_table_rows_keep_type_and_description():
    city = _by_column(chunk_markdown(MARKDOWN, "shop.md", "/docs/shop.md"))["city"]
    assert city.text == "customers › city (string): where the customer lives"


def test_prose_without_a_table_is_a_located_passage():
    passages = [c for c in chunk_markdown(PLAIN_TEXT, "README", "/docs/README") if c.table is None]
    assert [p.location for p in passages] == ["README › SHOP EXPORT (line 8)"]
    assert "1-5 star scale" in passages[0].text


def test_plain_text_entries_join_their_continuation_lines():
    orders = next(c for c in chunk_markdown(PLAIN_TEXT, "README", "/docs/README") if c.table == "orders")
    assert "the order date and status" in orders.text
    assert (orders.line_start, orders.line_end) == (4, 5)


def test_dbt_columns_keep_type_description_and_tests():
    amount = _by_column(chunk_yaml(DBT_YAML, "schema.yml", "/docs/schema.yml"))
    assert amount["amount"].text == "stg_orders › amount (numeric): Order total in euros."
    assert "Tests: unique, not_null" in amount["order_id"].text
    assert amount["amount"].line_start == 9


def test_sql_comments_from_every_place_reach_their_column():
    chunks = chunk_sql(SQL_DDL, "schema.sql", "/docs/schema.sql")
    columns = _by_column(chunks)
    assert columns["order_id"].text == "orders › order_id (BIGINT): unique order id"
    assert columns["placed_at"].text == "orders › placed_at (TIMESTAMP): when the order was placed"
    assert columns["amount"].text == "orders › amount (DECIMAL(10, 2))"
    assert columns["status"].text.endswith("delivered, shipped or cancelled")
    table = next(c for c in chunks if c.column is None)
    assert table.text.startswith("orders: One row per order. Customer orders")
    assert list(columns) == ["order_id", "placed_at", "amount", "status"]  # PRIMARY KEY (...) is no column


def test_a_one_line_create_table_gets_its_column_chunks_too():
    chunks = chunk_sql("CREATE TABLE t (a INT, b INT);", "one.sql", "/docs/one.sql")
    assert [(c.table, c.column, c.text) for c in chunks] == [
        ("t", None, "t: table\nColumns: a, b"), ("t", "a", "t › a (INT)"), ("t", "b", "t › b (INT)")]
    assert all((c.line_start, c.line_end) == (1, 1) for c in chunks)


def test_sql_commas_inside_quotes_and_types_do_not_split_a_column():
    text = "CREATE TABLE t (price DECIMAL(10, 2) COMMENT 'in euros, with tax', note TEXT); -- done"
    columns = _by_column(chunk_sql(text, "t.sql", "/docs/t.sql"))
    assert columns["price"].text == "t › price (DECIMAL(10, 2)): in euros, with tax"
    assert list(columns) == ["price", "note"]


@pytest.mark.parametrize(("text", "columns"), [
    ("CREATE TABLE `shop`.`orders` (`id` INT, [note] TEXT)", {"id": "orders › id (INT)", "note": "orders › note (TEXT)"}),
    ("create temp table if not exists \"t\" (a int /* the key */, b text) -- after",
     {"a": "t › a (int): the key", "b": "t › b (text)"}),
    ("CREATE TABLE t (a INT, -- first\n b INT)\nCOMMENT ON COLUMN \"t\".\"b\" IS 'it''s second';",
     {"a": "t › a (INT): first", "b": "t › b (INT): it's second"}),
    ("CREATE VIEW v AS SELECT 1;\nCREATE TABLE t (a VARCHAR(20) NOT NULL DEFAULT 'x, y')", {"a": "t › a (VARCHAR(20))"}),
    ("CREATE TABLE t (a INT, b INT", {"a": "t › a (INT)", "b": "t › b (INT)"}),
], ids=["quoted-names", "block-comment", "comment-on-quoted", "view-and-default", "cut-off"])
def test_sql_columns_in_every_dialects_spelling(text, columns):
    assert {c: chunk.text for c, chunk in _by_column(chunk_sql(text, "t.sql", "/docs/t.sql")).items()} == columns


def test_sql_with_a_quote_left_open_is_refused_in_one_line():
    with pytest.raises(StocktakeError, match=r"^t.sql: cannot read the SQL .*Close the quote"):
        chunk_sql("CREATE TABLE t (a INT COMMENT 'never closed)", "t.sql", "/docs/t.sql")


def test_a_heading_inside_a_code_block_starts_no_section():
    text = "## orders\n\n```sh\n# not a heading\n```\n\n- `order_id`: unique order id\n"
    order_id = _by_column(chunk_markdown(text, "shop.md", "/docs/shop.md"))["order_id"]
    assert order_id.location == "shop.md › orders › order_id" and order_id.line_start == 7


@pytest.mark.parametrize(
    ("chunker", "text", "message"),
    [
        (chunk_csv_dictionary, "order_id,status\n1,shipped\n", "does not look like a data dictionary"),
        (chunk_sql, "SELECT 1;", "no CREATE TABLE"),
        (chunk_yaml, "models: [unclosed", "not valid YAML"),
        (chunk_yaml, "- just\n- a list\n", "no YAML mapping"),
    ],
    ids=["data-csv", "sql-without-ddl", "broken-yaml", "yaml-list"],
)
def test_unusable_docs_get_a_clear_error(chunker, text, message):
    with pytest.raises(StocktakeError, match=message):
        chunker(text, "doc", "/docs/doc")


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("order_purchase_timestamp", ["order_purchase_timestamp", "order", "purchase", "timestamp"]),
        ("When was the order approved?", ["order", "approved"]),
        ("userId ratings", ["userid", "user", "id", "rating"]),
    ],
)
def test_tokenize_keeps_identifiers_whole_and_split(text, tokens):
    assert tokenize(text) == tokens


def test_humanize_spells_identifiers_as_words():
    assert humanize("olist_orders_dataset › order_approved_at") == "olist orders dataset › order approved at"


@pytest.mark.parametrize(
    ("name", "words"),
    [("olist_orders_dataset", ("order",)), ("orders.csv", ("order",)), ("OrderItems", ("order", "item")),
     ("data", ("data",))],
)
def test_name_tokens_drop_noise_and_plurals(name, words):
    assert name_tokens(name) == words


class _Asset:
    def __init__(self, name, columns):
        from stocktake.catalog import Column

        self.name, self.columns = name, tuple(Column(c, "string") for c in columns)


ASSETS = [
    _Asset("olist_orders_dataset", ["order_id", "order_status", "customer_id"]),
    _Asset("olist_order_items_dataset", ["order_id", "order_item_id", "price"]),
    _Asset("ratings_2018", ["userId", "movieId", "rating", "timestamp"]),
]


@pytest.mark.parametrize(
    ("table", "columns", "expected"),
    [
        ("orders", {"order_id", "order_status"}, "olist_orders_dataset"),
        ("order_items", {"order_id", "price"}, "olist_order_items_dataset"),
        ("ratings", {"user_id", "movie_id"}, "ratings_2018"),  # containment plus column overlap
        ("ratings", {"comment"}, None),  # containment alone is not enough
        ("feedback", {"user_id", "movie_id", "rating"}, "ratings_2018"),  # columns alone, when nearly all match
        ("sellers", {"seller_id"}, None),
    ],
)
def test_match_asset_by_name_words_containment_and_columns(table, columns, expected):
    match = match_asset(table, columns, ASSETS)
    assert (match.name if match else None) == expected
