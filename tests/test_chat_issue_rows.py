"""Chat's answer to "show me the rows with that problem": the profile's issue, its rows, masked, checked against
the sample shop's injected problems recomputed in pandas."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from stocktake.agent.assistant import Assistant
from stocktake.agent.context import ToolContext
from stocktake.catalog import Catalog, Workspace
from stocktake.tools.ingest import ingest_path
from stocktake.tools.sample_data import write_sample_data


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    root = tmp_path_factory.mktemp("chat_issue_rows")
    written = write_sample_data(root / "shop")
    catalog = Catalog(Workspace(root / "ws", create=True))
    ingest_path(catalog, root / "shop")
    problems = {(p["table"], p["kind"]): p for p in json.loads(written.problems_path.read_text())["problems"]}
    return catalog, root / "shop", problems


@pytest.mark.parametrize("question, table, kind, wanted", [
    ("show me the duplicate rows in users", "users", "duplicates", "duplicate_rows"),
    ("which order_items rows are orphans", "order_items", "orphan_foreign_keys", "orphan_foreign_keys"),
    ("show me the duplicate order ids in orders", "orders", "duplicate_key", "duplicate_key"),
])
def test_chat_answers_with_the_rows_of_the_profiles_issue(shop, question, table, kind, wanted):
    catalog, _, problems = shop
    answer = Assistant(ToolContext(catalog)).ask(question)
    [call] = answer.tool_calls
    assert call == {"name": "show_issue_rows", "args": {"asset": table, "kind": kind}}
    assert f"{problems[(table, wanted)]['rows']:,} " in answer.text and table in answer.text
    assert answer.table["columns"][0] == "row" and answer.table["rows"]


def test_chat_rows_of_copies_hold_the_injected_keys_and_no_email(shop):
    catalog, folder, problems = shop
    answer = Assistant(ToolContext(catalog)).ask("show me the duplicate rows in users")
    rows, columns = answer.table["rows"], answer.table["columns"]
    assert {r[1] for r in rows} == set(problems[("users", "duplicate_rows")]["keys"])
    emails = set(pd.read_csv(folder / "users.csv")["email"].dropna())
    assert not any(v in emails for r in rows for v in r) and not any(e in answer.text for e in emails)
    assert all(r[columns.index("email")] is None or "***" in r[columns.index("email")] for r in rows)


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


def test_chat_says_so_when_the_asset_has_no_such_issue(shop):
    catalog, _, _ = shop
    answer = Assistant(ToolContext(catalog)).ask("show me the outliers in users")
    assert "No outliers in users" in answer.text and not (answer.table or {}).get("rows")
