"""One key finder for the report, the inventory and the assistant; a cleaned version says where it came from
(issue 15, point 8)."""

from __future__ import annotations

import pandas as pd
import pytest

from stocktake.catalog import Catalog
from stocktake.serve.panels.inventory import summary
from stocktake.tools.ask.schema import build_schema
from stocktake.tools.clean import start_session
from stocktake.tools.ingest import ingest_path
from stocktake.tools.profile import describe_keys, profile_asset
from stocktake.tools.report import build_report
from stocktake.tools.report.wording import facts, keys_text
from stocktake.tools.sample_data import write_sample_data

OLIST = "olist-ecommerce-sample"


@pytest.fixture
def shop(catalog: Catalog, tmp_path) -> Catalog:
    data = write_sample_data(tmp_path / "shop", seed=0)
    for table, path in data.paths.items():
        ingest_path(catalog, path, name=table)
    return catalog


def section(catalog: Catalog, name: str):
    return next(a for a in build_report(catalog, assets=[name]).assets if a.name == name)


def column_keys(catalog: Catalog, name: str) -> dict[str, str]:
    return {c.name: c.key for c in section(catalog, name).columns}


def test_a_table_whose_rows_repeat_exactly_still_has_its_key(shop):
    users = profile_asset(shop, "users")  # the sample repeats 15 user rows whole
    assert users.duplicate_rows == 15 and users.candidate_keys == (("user_id",),)


def test_report_inventory_and_assistant_give_the_same_key(shop):
    keys = profile_asset(shop, "users").to_dict()
    assert column_keys(shop, "users")["user_id"] == "PK"
    assert "**Candidate keys**: (user_id)" in summary(keys, shop.get("users"))
    assert build_schema(shop).assets["users"].key == "user_id"


def test_a_unique_timestamp_is_no_key(catalog, tmp_path):
    data = write_sample_data(tmp_path / "shop", seed=0)
    orders = pd.read_csv(data.paths["orders"]).drop_duplicates("order_date")  # every order_date unique
    orders.to_csv(tmp_path / "orders.csv", index=False)
    ingest_path(catalog, tmp_path / "orders.csv", name="orders")
    profile = profile_asset(catalog, "orders")
    assert profile.column("order_date").distinct == profile.rows
    assert profile.candidate_keys == (("order_id",),)
    assert column_keys(catalog, "orders")["order_date"] == ""


def test_timestamps_floats_and_free_text_are_never_keys_even_without_an_id(catalog):
    frame = pd.DataFrame({"seen_at": pd.date_range("2024-01-01", periods=50, freq="h"),
                          "amount": [i + 0.5 for i in range(50)],
                          "comment": [f"visitor number {i} liked the new spring collection" for i in range(50)]})
    catalog.register("log", frame, kind="other", source="test", fmt="test")
    assert profile_asset(catalog, "log").candidate_keys == ()


def test_an_id_like_column_is_preferred_to_other_unique_columns(catalog):
    frame = pd.DataFrame({"label": [f"item {i}" for i in range(30)], "sku": [f"S{i:04d}" for i in range(30)],
                          "rank": list(range(30))})
    catalog.register("things", frame, kind="other", source="test", fmt="test")
    assert profile_asset(catalog, "things").candidate_keys == (("sku",),)


@pytest.mark.shared_data
def test_olist_customer_id_is_a_foreign_key_of_orders_not_its_key(catalog, shared_data):
    for name in ("olist_orders_dataset", "olist_customers_dataset"):
        ingest_path(catalog, shared_data / OLIST / f"{name}.csv", name=name)
    orders = profile_asset(catalog, "olist_orders_dataset")
    assert orders.column("customer_id").distinct == orders.rows  # one customer id per order in Olist
    assert orders.candidate_keys == (("order_id",),)
    keys = column_keys(catalog, "olist_orders_dataset")
    assert (keys["order_id"], keys["customer_id"], keys["order_purchase_timestamp"]) == ("PK", "FK", "")
    assert profile_asset(catalog, "olist_customers_dataset").candidate_keys == (("customer_id",),)


@pytest.mark.shared_data
def test_olist_order_lines_are_keyed_by_order_and_line_number_together(catalog, shared_data):
    ingest_path(catalog, shared_data / OLIST / "olist_order_items_dataset.csv", name="olist_order_items_dataset")
    assert profile_asset(catalog, "olist_order_items_dataset").candidate_keys == (("order_id", "order_item_id"),)
    assert build_schema(catalog).assets["olist_order_items_dataset"].key is None  # the line number repeats


@pytest.mark.shared_data
def test_movielens_ratings_are_keyed_by_user_and_movie_before_a_pair_unique_by_accident(catalog, shared_data):
    ingest_path(catalog, shared_data / "movielens-100k" / "u.data", name="u_data")  # user, movie, rating, epoch
    keys = profile_asset(catalog, "u_data").candidate_keys
    assert set(keys[0]) == {"col_1", "col_2"} and ("col_4", "col_2") in keys


def cleaned_products(catalog: Catalog) -> tuple[int, str]:
    session = start_session(catalog, "products")
    steps = [p.id for p in session.proposals()][:3]
    for step in steps:
        session.accept(step)
    session.finish()
    return len(steps), session.id


def test_a_cleaned_version_says_it_was_cleaned_from_its_base_version(shop):
    steps, session = cleaned_products(shop)
    products = shop.get("products")
    assert products.version == 2 and steps > 1
    assert products.origin == f"Cleaned from v1: {steps} steps (session {session})"


def test_the_report_and_the_inventory_show_a_cleaned_versions_origin_not_the_ingested_file(shop):
    steps, _ = cleaned_products(shop)
    products = section(shop, "products")
    assert dict(facts(products))["Lineage"].startswith(f"Cleaned from v1: {steps} steps")
    assert "Ingested from" not in products.description
    text = summary(profile_asset(shop, "products").to_dict(), shop.get("products"))
    assert f"**Lineage**: Cleaned from v1: {steps} steps" in text and "Ingested from" not in text


def test_an_ingested_version_says_which_file_it_was_read_from(shop):
    users = shop.get("users")
    assert users.origin == f"Ingested from {users.source}" and users.origin.endswith("users.csv")


def test_a_key_that_some_rows_reuse_says_so_wherever_it_is_shown(catalog, shared_data):
    source = shared_data / "olist-ecommerce-sample" / "olist_order_reviews_dataset.csv"
    reviews = pd.read_csv(source)
    reused = len(reviews.drop_duplicates()) - reviews["review_id"].nunique()
    ingest_path(catalog, source, name="reviews")
    said = f"review_id (repeats: {reviews['review_id'].nunique():,} distinct in {len(reviews):,} rows)"
    assert reused > 0 and describe_keys(profile_asset(catalog, "reviews")) == (said,)
    assert f"**Candidate keys**: ({said})" in summary(profile_asset(catalog, "reviews").to_dict(), catalog.get("reviews"))
    assert said in keys_text(section(catalog, "reviews"))
