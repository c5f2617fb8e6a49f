"""The rows behind a quality issue, checked against the sample shop's injected problems recomputed in pandas."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from stocktake.agent.assistant import Assistant
from stocktake.agent.context import ToolContext
from stocktake.catalog import Catalog, Workspace
from stocktake.tools.ingest import ingest_path
from stocktake.tools.issue_rows import MAX_ROWS, issue_rows
from stocktake.tools.profile import profile_asset
from stocktake.tools.sample_data import write_sample_data


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    root = tmp_path_factory.mktemp("issue_rows")
    written = write_sample_data(root / "shop")
    catalog = Catalog(Workspace(root / "ws", create=True))
    ingest_path(catalog, root / "shop")
    problems = {(p["table"], p["kind"]): p for p in json.loads(written.problems_path.read_text())["problems"]}
    return catalog, root / "shop", problems


def csv(folder, table) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv")


def test_duplicate_rows_are_the_exact_copies_of_earlier_rows(shop):
    catalog, folder, problems = shop
    users = csv(folder, "users")
    copies = users[users.duplicated()]
    found = issue_rows(catalog, "users", "duplicate_rows")
    assert found.total == len(copies) == problems[("users", "duplicate_rows")]["rows"]
    assert [r[0] for r in found.rows] == [i + 1 for i in copies.index]  # 1-based rows in file order
    assert [r[1] for r in found.rows] == problems[("users", "duplicate_rows")]["keys"]
    assert found.columns == ("row", *users.columns)
    for row in found.rows:
        assert list(row[1:]) == [None if pd.isna(v) else v for v in users.iloc[row[0] - 1]]


def test_duplicate_keys_leave_out_the_exact_copies(shop):
    catalog, folder, problems = shop
    orders = csv(folder, "orders")
    reused = orders[orders["order_id"].duplicated() & ~orders.duplicated()]
    found = issue_rows(catalog, "orders", "duplicate_key")
    assert found.total == len(reused) == problems[("orders", "duplicate_key")]["rows"]
    assert [r[0] for r in found.rows] == [i + 1 for i in reused.index]


def test_orphans_are_the_rows_whose_key_no_parent_holds(shop):
    catalog, folder, problems = shop
    items, products = csv(folder, "order_items"), csv(folder, "products")
    orphans = items[~items["product_id"].isin(products["product_id"])]
    found = issue_rows(catalog, "order_items", "orphan_foreign_keys", column="product_id")
    assert found.total == len(orphans) == problems[("order_items", "orphan_foreign_keys")]["rows"]
    assert [r[0] for r in found.rows] == [i + 1 for i in orphans.index]
    assert "products.product_id" in found.description


def test_rows_are_bounded_and_the_total_is_not(shop):
    catalog, folder, _ = shop
    events = csv(folder, "events")
    assert issue_rows(catalog, "events", "duplicate_rows", limit=5).rows.__len__() == 5
    many = issue_rows(catalog, "events", "duplicate_rows", limit=10_000)
    assert len(many.rows) == min(MAX_ROWS, int(events.duplicated().sum())) and many.total == events.duplicated().sum()


def test_outliers_are_the_values_beyond_the_profiles_fences(tmp_path):
    catalog = Catalog(Workspace(tmp_path / "ws", create=True))
    prices = [10.0 + (i % 10) for i in range(200)]
    prices[17], prices[90] = 25_000.0, 0.0001
    catalog.register("products", pd.DataFrame({"product_id": range(200), "price": prices}), kind="products",
                     source="memory", fmt="csv")
    [issue] = [i for i in profile_asset(catalog, "products").issues if i.kind == "outliers"]
    low, high = issue.details["fences"]
    beyond = [(i + 1, p) for i, p in enumerate(prices) if p > 0 and not low <= p <= high]
    found = issue_rows(catalog, "products", "outliers", column="price")
    assert [(r[0], r[2]) for r in found.rows] == beyond and found.total == issue.rows == len(beyond)
    assert (18, 25_000.0) in beyond and (91, 0.0001) not in beyond  # within the fences, just small


def test_an_issue_the_asset_does_not_have_has_no_rows(shop):
    catalog, _, _ = shop
    found = issue_rows(catalog, "orders", "duplicate_rows")
    assert (found.total, found.rows) == (0, ()) and found.description == "No duplicate rows in orders."


@pytest.mark.parametrize("question, table, kind", [
    ("show me the duplicate rows in users", "users", "duplicates"),
    ("which order_items rows are orphans", "order_items", "orphan_foreign_keys"),
    ("show me the duplicate order ids in orders", "orders", "duplicate_key"),
])
def test_chat_answers_with_the_rows_masked(shop, question, table, kind):
    catalog, folder, problems = shop
    answer = Assistant(ToolContext(catalog)).ask(question)
    [call] = answer.tool_calls
    assert call == {"name": "show_issue_rows", "args": {"asset": table, "kind": kind}}
    wanted = {"duplicates": "duplicate_rows"}.get(kind, kind)
    rows = answer.table["rows"]  # the first column after the row number is the table's key
    assert sorted(r[1] for r in rows) == problems[(table, wanted)]["keys"][:MAX_ROWS]
    assert f"{problems[(table, wanted)]['rows']:,} rows" in answer.text
    if table == "users":
        emails = set(csv(folder, "users")["email"].dropna())
        assert not any(v in emails for r in rows for v in r) and not any(e in answer.text for e in emails)
        assert all("***" in r[answer.table["columns"].index("email")] for r in rows)


def test_chat_names_the_column_of_an_outlier_question(tmp_path):
    catalog = Catalog(Workspace(tmp_path / "ws", create=True))
    prices = [10.0 + (i % 10) for i in range(200)]
    prices[5] = 25_000.0
    catalog.register("products", pd.DataFrame({"product_id": range(200), "price": prices}), kind="products",
                     source="memory", fmt="csv")
    answer = Assistant(ToolContext(catalog)).ask("show the outliers in products price")
    assert answer.tool_calls == ({"name": "show_issue_rows",
                                  "args": {"asset": "products", "kind": "outliers", "column": "price"}},)
    assert answer.table["rows"] == [[6, 5, 25_000.0]]
