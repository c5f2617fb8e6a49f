"""Durations between two dates of a row: the delivery time, and the rows it is asked about."""

from __future__ import annotations

import pandas as pd
import pytest

from stocktake.catalog import Catalog, Workspace
from stocktake.tools.ask.answer import run_plan
from stocktake.tools.ask.read import Reader
from stocktake.tools.ask.schema import build_schema
from stocktake.tools.ingest import ingest_path

ORDERS = pd.DataFrame({
    "order_id": [f"o{i}" for i in range(8)],
    "order_status": ["delivered", "delivered", "canceled", "delivered", "shipped", "delivered", "canceled", "shipped"],
    "order_purchase_timestamp": ["2018-01-01 10:00"] * 8,
    "order_delivered_customer_date": ["2018-01-03 10:00", "2018-01-11 10:00", "2018-01-31 10:00", "2018-01-05 10:00",
                                      None, "2018-01-02 10:00", "2018-02-20 10:00", None],
    "order_estimated_delivery_date": ["2018-01-10"] * 8,
})


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    root = tmp_path_factory.mktemp("ask-durations")
    catalog = Catalog(Workspace(root / "ws"))
    ORDERS.to_csv(root / "orders.csv", index=False)
    ingest_path(catalog, root / "orders.csv")
    return catalog, build_schema(catalog)


def days(frame: pd.DataFrame) -> float:
    taken = pd.to_datetime(frame["order_delivered_customer_date"]) - pd.to_datetime(frame["order_purchase_timestamp"])
    return float((taken.dt.total_seconds() / 86400).mean())


@pytest.mark.parametrize("question, rows", [
    ("average delivery time in days", ORDERS),
    ("average delivery time in days for delivered orders", ORDERS[ORDERS["order_status"] == "delivered"]),
    ("avg delivery time of canceled orders", ORDERS[ORDERS["order_status"] == "canceled"]),
])
def test_the_delivery_time_is_averaged_over_the_orders_asked_about(shop, question, rows):
    catalog, schema = shop
    reading = Reader(schema).read(question)
    assert reading.score >= 0.99, reading.unexplained
    [[got]] = run_plan(reading.plan, schema, catalog).rows
    assert got == pytest.approx(days(rows))
