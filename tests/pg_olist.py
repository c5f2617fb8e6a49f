"""The Olist marketplace sample (../shared/data/olist-ecommerce-sample, see its PROVENANCE.md) loaded into the
throwaway PostgreSQL server of tests/pg_server.py, with the primary and foreign keys its data dictionary
describes declared. Every key holds in the sample (PROVENANCE.md: 0 orphans), except review_id alone, which 34
reviews share: a review's key is (review_id, order_id)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as csv

from tests.pg_server import PostgresServer, load_tables

FOLDER = "olist-ecommerce-sample"
OLIST_FILES = {  # table: its file, its primary key
    "customers": ("olist_customers_dataset.csv", ("customer_id",)),
    "sellers": ("olist_sellers_dataset.csv", ("seller_id",)),
    "products": ("olist_products_dataset.csv", ("product_id",)),
    "orders": ("olist_orders_dataset.csv", ("order_id",)),
    "order_items": ("olist_order_items_dataset.csv", ("order_id", "order_item_id")),
    "payments": ("olist_order_payments_dataset.csv", ("order_id", "payment_sequential")),
    "reviews": ("olist_order_reviews_dataset.csv", ("review_id", "order_id")),
}
OLIST_KEYS = {  # child table: (column, parent table, parent column)
    "orders": [("customer_id", "customers", "customer_id")],
    "order_items": [("order_id", "orders", "order_id"), ("product_id", "products", "product_id"),
                    ("seller_id", "sellers", "seller_id")],
    "payments": [("order_id", "orders", "order_id")],
    "reviews": [("order_id", "orders", "order_id")],
}
# Zip prefixes are codes: read as numbers, 01037 would lose its leading zero.
_TEXT = {"customer_zip_code_prefix": pa.string(), "seller_zip_code_prefix": pa.string()}


def olist_tables(shared_data: Path) -> dict[str, pa.Table]:
    folder = shared_data / FOLDER
    return {name: csv.read_csv(folder / file, convert_options=csv.ConvertOptions(column_types=_TEXT))
            for name, (file, _) in OLIST_FILES.items()}


def load_olist(server: PostgresServer, shared_data: Path, database: str = "olist") -> dict[str, pa.Table]:
    """Create ``database`` holding the Olist sample with its keys declared; its tables as read from the files."""
    return load_tables(server, database, olist_tables(shared_data), {n: key for n, (_, key) in OLIST_FILES.items()},
                       OLIST_KEYS)
