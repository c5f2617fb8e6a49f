"""A lookup by an id that the plan looks for in the wrong column: found where it really is, and said so."""

from __future__ import annotations

import pandas as pd
import pytest

from stocktake.catalog import Catalog, Workspace
from stocktake.tools.ask.answer import run_plan
from stocktake.tools.ask.model import Col, Filter, Measure, QueryPlan
from stocktake.tools.ask.schema import build_schema
from stocktake.tools.ingest import ingest_path

# Olist's shape: an order names the customer of that order; the person behind it has a unique id of their own.
CUSTOMERS = pd.DataFrame({"customer_id": [f"c{i}" for i in range(6)],
                          "customer_unique_id": ["p1", "p1", "p2", "p3", "p3", "p3"],
                          "customer_state": ["SP", "SP", "RJ", "MG", "MG", "MG"]})
ORDERS = pd.DataFrame({"order_id": [f"o{i}" for i in range(8)],
                       "customer_id": ["c0", "c1", "c2", "c3", "c4", "c5", "c5", "c2"],
                       "order_status": ["delivered"] * 6 + ["canceled", "delivered"]})


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    root = tmp_path_factory.mktemp("ask-relocate")
    catalog = Catalog(Workspace(root / "ws"))
    for name, frame in (("customers", CUSTOMERS), ("orders", ORDERS)):
        frame.to_csv(root / f"{name}.csv", index=False)
        ingest_path(catalog, root / f"{name}.csv")
    return catalog, build_schema(catalog)


def orders_of(customer: str, *measures: Measure) -> QueryPlan:
    return QueryPlan(asset="orders", measures=list(measures),
                     filters=[Filter(column=Col(asset="orders", column="customer_id"), op="=", value=customer)])


@pytest.mark.parametrize("customer, orders", [("p3", 4), ("p1", 2)])
def test_an_id_of_the_person_behind_the_customer_is_looked_up_where_it_is(shop, customer, orders):
    catalog, schema = shop
    expected = ORDERS.merge(CUSTOMERS, on="customer_id").query("customer_unique_id == @customer")
    got = run_plan(orders_of(customer, Measure(agg="count")), schema, catalog)
    assert got.rows == ((len(expected),),) == ((orders,),)
    assert got.plan.filters[0].column == Col(asset="customers", column="customer_unique_id")
    assert got.notes == (f"No orders row has customer_id '{customer}'; that value is a customer_unique_id of "
                         "customers, so I looked it up there.",)


def test_an_id_where_the_plan_looks_is_answered_as_planned(shop):
    catalog, schema = shop
    got = run_plan(orders_of("c5"), schema, catalog)
    assert len(got.rows) == 2 and got.notes == () and got.plan == orders_of("c5")


def test_an_id_that_is_nowhere_finds_no_rows_and_moves_nothing(shop):
    catalog, schema = shop
    got = run_plan(orders_of("nobody"), schema, catalog)
    assert got.rows == () and got.notes == () and got.plan == orders_of("nobody")
