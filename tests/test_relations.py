"""Foreign-key discovery: every documented relationship found, coincidental integer overlaps left out."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.cli.main import app
from stocktake.tools.ingest import ingest_path
from stocktake.tools.profile import relations
from stocktake.tools.profile.relations import find_relations, name_match
from stocktake.tools.sample_data import FOREIGN_KEYS, TABLES, write_sample_data

OLIST = {  # the relationships DATA_DICTIONARY.md names between the Olist tables
    ("olist_orders_dataset", "customer_id", "olist_customers_dataset", "customer_id"),
    ("olist_order_items_dataset", "order_id", "olist_orders_dataset", "order_id"),
    ("olist_order_items_dataset", "product_id", "olist_products_dataset", "product_id"),
    ("olist_order_items_dataset", "seller_id", "olist_sellers_dataset", "seller_id"),
    ("olist_order_payments_dataset", "order_id", "olist_orders_dataset", "order_id"),
    ("olist_order_reviews_dataset", "order_id", "olist_orders_dataset", "order_id"),
    ("olist_products_dataset", "product_category_name", "product_category_name_translation", "product_category_name"),
}
ZIP = {(f"olist_{who}s_dataset", f"{who}_zip_code_prefix", "olist_geolocation_dataset", "geolocation_zip_code_prefix")
       for who in ("customer", "seller")}
MOVIELENS = {("u_data", "col_1", "u_user", "col_1"), ("u_data", "col_2", "u_item", "col_1")}


def as_set(relations) -> set[tuple[str, str, str, str]]:
    return {(r.from_asset, r.from_column, r.to_asset, r.to_column) for r in relations}


def test_sample_data_relations_are_exactly_the_foreign_keys_with_their_orphans(catalog, tmp_path):
    result = write_sample_data(tmp_path / "data", seed=2)
    for t in TABLES:
        ingest_path(catalog, result.paths[t])
    found = find_relations(catalog)
    keys = {"users": "user_id", "products": "product_id", "orders": "order_id"}
    assert as_set(found) == {(c, col, p, keys[p]) for c, col, p in FOREIGN_KEYS}
    orphans = {(p["table"], p["column"]): p["rows"] for p in json.loads(result.problems_path.read_text())["problems"]
               if p["kind"] == "orphan_foreign_keys"}
    assert {(r.from_asset, r.from_column): r.orphan_rows for r in found if r.orphan_rows} == orphans
    assert all(r.cardinality == "1:n" for r in found)


@pytest.fixture
def measured(monkeypatch) -> list[tuple[str, str, str, str]]:
    """The pairs of columns measured (each a join of two snapshots, or its cached counts), as they are."""
    pairs = []
    real = relations.measure

    def counting(catalog, profiles, child, c, parent, p, *rest):
        pairs.append((child, c.name, parent, p.name))
        return real(catalog, profiles, child, c, parent, p, *rest)

    monkeypatch.setattr(relations, "measure", counting)
    return pairs


@pytest.mark.parametrize("involving", [["users"], ["orders", "users"], ["products", "orders"]])
def test_relations_of_some_assets_are_found_without_measuring_the_others(catalog, tmp_path, measured, involving):
    result = write_sample_data(tmp_path / "data", seed=2)
    for t in TABLES:
        ingest_path(catalog, result.paths[t])
    everything = find_relations(catalog)
    all_pairs = list(measured)
    measured.clear()
    some = find_relations(catalog, involving=involving)
    assert some == [r for r in everything if set(involving) <= {r.from_asset, r.to_asset}]
    assert set(measured) < set(all_pairs) and len(measured) < len(all_pairs)


@pytest.mark.slow
def test_olist_relations_named_in_the_data_dictionary_are_found(catalog, shared_data):
    ingest_path(catalog, shared_data / "olist-ecommerce-sample")
    found = find_relations(catalog)
    assert OLIST <= as_set(found)
    assert as_set(found) - OLIST <= ZIP  # the only extras: zip prefixes into the geolocation table (n:m)
    one_to_one = next(r for r in found if r.from_column == "customer_id")
    assert one_to_one.cardinality == "1:1" and one_to_one.coverage == 1.0


@pytest.mark.slow
def test_movielens_ids_point_into_users_and_items_without_coincidental_overlaps(catalog, shared_data):
    folder = shared_data / "movielens-100k"
    for name in ("u.data", "u.user", "u.item"):
        ingest_path(catalog, folder / name)
    found = find_relations(catalog)
    assert as_set(found) == MOVIELENS
    assert all(r.coverage == 1.0 and r.cardinality == "1:n" and r.name_match == "none" for r in found)


def test_unnamed_integer_overlap_is_not_a_relation(catalog):
    # Ratings 1..5 and ages fit inside the id range of another table, but use almost none of its keys.
    catalog.register("people", pd.DataFrame({"pid": range(1, 501), "age": [20 + i % 50 for i in range(500)]}),
                     kind="users", source="test", fmt="test")
    catalog.register("scores", pd.DataFrame({"score": [1 + i % 5 for i in range(2000)],
                                             "level": [1 + i % 9 for i in range(2000)]}),
                     kind="other", source="test", fmt="test")
    assert find_relations(catalog) == []


@pytest.mark.parametrize("child_asset, child, parent_asset, parent, expected", [
    ("orders", "user_id", "users", "user_id", "exact"),
    ("orders", "user_id", "users", "id", "exact"),
    ("orders", "id", "users", "id", "none"),
    ("olist_sellers_dataset", "seller_zip_code_prefix", "olist_geolocation_dataset", "geolocation_zip_code_prefix",
     "suffix"),
    ("u_data", "col_1", "u_user", "col_1", "none"),
    ("orders", "status", "users", "user_id", "none"),
])
def test_name_evidence(child_asset, child, parent_asset, parent, expected):
    assert name_match(child_asset, child, parent_asset, parent) == expected


def test_cli_relations_json(catalog, tmp_path):
    result = write_sample_data(tmp_path / "data", seed=0)
    for t in ("users", "orders"):
        ingest_path(catalog, result.paths[t])
    out = CliRunner().invoke(app, ["--workspace", str(catalog.ws.root), "relations", "--json"])
    assert out.exit_code == 0, out.output
    rel = json.loads(out.stdout)["relations"]
    assert [(r["from_asset"], r["from_column"], r["to_asset"]) for r in rel] == [("orders", "user_id", "users")]
    assert {"coverage", "cardinality", "to_column"} <= set(rel[0])
