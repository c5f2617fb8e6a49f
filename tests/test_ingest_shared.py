"""Every data file under ../shared/data ingests with the right shape and sensible types."""

from __future__ import annotations

import pytest

from stocktake.catalog import file_hash
from stocktake.tools.ingest import ReadOptions, ingest_path

pytestmark = pytest.mark.shared_data

SHAPES = [
    ("movielens-100k/u.data", 100_000, 4),
    ("movielens-100k/u.item", 1_682, 24),
    ("movielens-100k/u.user", 943, 5),
    ("movielens-100k/u.genre", 19, 2),
    ("movielens-100k/ua.base", 90_570, 4),
    ("movielens-100k/ua.test", 9_430, 4),
    ("movielens-latest-small/ratings.csv", 100_836, 4),
    ("movielens-latest-small/movies.csv", 9_742, 3),
    ("movielens-latest-small/tags.csv", 3_683, 4),
    ("movielens-latest-small/links.csv", 9_742, 3),
    ("olist-ecommerce-sample/olist_orders_dataset.csv", 8_135, 8),
    ("olist-ecommerce-sample/olist_customers_dataset.csv", 8_135, 5),
    ("olist-ecommerce-sample/olist_order_items_dataset.csv", 8_365, 7),
    ("olist-ecommerce-sample/olist_order_payments_dataset.csv", 8_924, 5),
    ("olist-ecommerce-sample/olist_order_reviews_dataset.csv", 8_225, 7),
    ("olist-ecommerce-sample/olist_products_dataset.csv", 5_460, 9),
    ("olist-ecommerce-sample/olist_sellers_dataset.csv", 1_610, 4),
    ("olist-ecommerce-sample/olist_geolocation_dataset.csv", 45_928, 5),
    ("olist-ecommerce-sample/product_category_name_translation.csv", 71, 2),
    ("olist-ecommerce-sample/full_catalog/olist_products_dataset.csv", 32_951, 9),
    ("olist-ecommerce-sample/full_catalog/olist_sellers_dataset.csv", 3_095, 4),
    ("olist-ecommerce-sample/full_catalog/product_category_name_translation.csv", 71, 2),
    ("diginetica-cikm2016/train-purchases.csv", 18_025, 6),
    ("diginetica-cikm2016/product-categories.csv", 184_047, 2),
    ("amazon-alexa-reviews/amazon_alexa.tsv", 3_150, 5),
    ("taobao-userbehavior-head/UserBehavior_head.csv", 4_321, 5),
    ("cdnow-transactions/CDNOW_master.txt", 69_659, 4),
    ("womens-clothing-reviews/womens_clothing_ecommerce_reviews.csv", 23_486, 11),
    ("flipkart-products-1050/flipkart_com-ecommerce_sample_1050.csv", 1_050, 15),
    ("pricerunner-product-titles/pricerunner_aggregate.csv", 35_311, 7),
    ("uci-online-retail-sample/online_retail_sample.csv", 8_000, 8),
]


@pytest.mark.parametrize("relpath, rows, cols", SHAPES, ids=[s[0] for s in SHAPES])
def test_shared_file_ingests_with_its_shape(catalog, shared_data, relpath, rows, cols):
    path = shared_data / relpath
    before = file_hash(path)
    [result] = ingest_path(catalog, path, name="t")
    assert (result.asset.rows, len(result.asset.columns)) == (rows, cols)
    assert file_hash(path) == before


def test_every_data_file_in_shared_is_covered(shared_data):
    data_files = {
        str(p.relative_to(shared_data)) for p in shared_data.rglob("*")
        if p.is_file() and p.suffix not in (".md",) and p.name not in ("README", "README.txt", "u.info", "u.occupation")
    }
    assert data_files <= {s[0] for s in SHAPES}


TYPES = [
    ("movielens-100k/u.item", {"col_1": "integer", "col_3": "date", "col_4": "string"}),
    ("amazon-alexa-reviews/amazon_alexa.tsv", {"rating": "integer", "date": "date", "verified_reviews": "string"}),
    ("cdnow-transactions/CDNOW_master.txt", {"customer_id": "string", "date": "date", "dollar_value": "float"}),
    ("olist-ecommerce-sample/olist_orders_dataset.csv", {"order_purchase_timestamp": "timestamp",
                                                          "order_estimated_delivery_date": "date"}),
    ("olist-ecommerce-sample/olist_geolocation_dataset.csv", {"geolocation_zip_code_prefix": "string",
                                                              "geolocation_lat": "float"}),
    ("movielens-latest-small/ratings.csv", {"userId": "integer", "rating": "float", "timestamp": "timestamp"}),
    ("diginetica-cikm2016/train-purchases.csv", {"userId": "integer", "eventdate": "date"}),
    ("flipkart-products-1050/flipkart_com-ecommerce_sample_1050.csv", {"is_FK_Advantage_product": "boolean",
                                                                       "crawl_timestamp": "timestamp"}),
]


@pytest.mark.parametrize("relpath, expected", TYPES, ids=[t[0] for t in TYPES])
def test_shared_file_gets_sensible_types(catalog, shared_data, relpath, expected):
    [result] = ingest_path(catalog, shared_data / relpath, name="t")
    types = {c.name: c.type for c in result.asset.columns}
    assert {k: types[k] for k in expected} == expected


def test_movielens_ratings_with_named_columns_get_an_epoch_timestamp(catalog, shared_data):
    options = ReadOptions(columns=("user_id", "item_id", "rating", "timestamp"))
    [result] = ingest_path(catalog, shared_data / "movielens-100k/u.data", options=options)
    assert {c.name: c.type for c in result.asset.columns}["timestamp"] == "timestamp"
    assert result.asset.kind == "events"


def test_details_report_encoding_bom_and_line_endings(catalog, shared_data):
    [alexa] = ingest_path(catalog, shared_data / "amazon-alexa-reviews/amazon_alexa.tsv")
    [item] = ingest_path(catalog, shared_data / "movielens-100k/u.item")
    assert alexa.details == {"encoding": "utf-8-sig", "delimiter": "\t", "header": True, "line_endings": "CRLF"}
    assert item.details["encoding"] == "latin-1" and item.details["header"] is False


def test_a_folder_ingests_its_data_files_and_skips_docs(catalog, shared_data):
    results = ingest_path(catalog, shared_data / "olist-ecommerce-sample")
    assert len(results) == 9
    assert catalog.get("olist_orders_dataset").kind == "orders"
