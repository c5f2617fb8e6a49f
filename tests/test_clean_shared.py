"""Proposals on real data (Olist sample, UCI Online Retail sample) name the known problems and nothing silly."""

from __future__ import annotations

from pathlib import Path

import pytest

from stocktake.catalog import Catalog
from stocktake.tools.clean import propose_steps
from stocktake.tools.ingest import ingest_path

pytestmark = [pytest.mark.slow, pytest.mark.shared_data]

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
OLIST = ("olist_sellers_dataset", "olist_geolocation_dataset", "olist_orders_dataset", "olist_order_reviews_dataset",
         "olist_products_dataset", "product_category_name_translation")


@pytest.fixture(scope="module")
def proposals(tmp_path_factory) -> dict[str, dict[str, list]]:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real datasets not found at {SHARED_DATA} (they sit beside the checkout as ../shared/data)")
    catalog = Catalog(tmp_path_factory.mktemp("shared") / "workspace")
    for name in OLIST:
        ingest_path(catalog, SHARED_DATA / "olist-ecommerce-sample" / f"{name}.csv", name=name)
    ingest_path(catalog, SHARED_DATA / "uci-online-retail-sample" / "online_retail_sample.csv", name="retail")
    out = {}
    for asset in catalog.names():
        by_kind: dict[str, list] = {}
        for p in propose_steps(catalog, asset):
            by_kind.setdefault(p.kind, []).append(p)
        out[asset] = by_kind
    return out


def test_online_retail_gets_its_known_problems(proposals):
    retail = proposals["retail"]
    assert retail["drop_duplicates"][0].rows == 114  # the documented exact duplicate lines
    negative = retail["out_of_range"][0]
    assert negative.params["column"] == "Quantity" and negative.rows == 119
    assert {"column": "CustomerID", "to": "integer"} == retail["cast_type"][0].params
    assert retail["drop_missing"][0].params["columns"] == ["CustomerID"]


def test_online_retail_long_tails_are_not_capped(proposals):
    assert len(proposals["retail"]["out_of_range"]) == 1  # only the negative quantities; big orders are real


def test_online_retail_codes_stay_text(proposals):
    touched = {p.params.get("column") for steps in proposals["retail"].values() for p in steps}
    assert not touched & {"InvoiceNo", "StockCode"}  # 'C536379' and '85123A' are codes, not broken numbers


def test_olist_geolocation_duplicates(proposals):
    assert proposals["olist_geolocation_dataset"]["drop_duplicates"][0].rows == 9028


def test_olist_seller_city_typos_are_unified_but_distinct_towns_are_not(proposals):
    mapping = proposals["olist_sellers_dataset"]["unify_categories"][0].params["mapping"]
    assert mapping["sao paulop"] == "sao paulo" and mapping["garulhos"] == "guarulhos"
    assert "itapeva" not in mapping and "itapevi" not in mapping  # two real towns


def test_olist_missing_timestamps_are_left_alone(proposals):
    assert proposals["olist_orders_dataset"] == {}  # undelivered orders rightly have no delivery date


def test_olist_repeated_review_ids_are_found(proposals):
    dedupe = proposals["olist_order_reviews_dataset"]["dedupe_key"][0]
    assert dedupe.params["key"] == ["review_id"] and dedupe.rows == 34


def test_olist_products_keep_their_untranslated_and_numbered_categories(proposals):
    products = proposals["olist_products_dataset"]
    assert "drop_orphans" not in products  # a category missing from the translation table is no orphan
    assert "unify_categories" not in products  # casa_conforto_2 is a category of its own
    assert "out_of_range" not in products  # heavy products are real
    assert {p.params["column"] for p in products["fill_missing"]} >= {"product_category_name"}
