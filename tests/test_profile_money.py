"""Zero prices and amounts are a quality issue, found through the money semantic type (issue 15, point 9)."""

from __future__ import annotations

import pandas as pd
import pytest

from stocktake.tools.ingest import ingest_path
from stocktake.tools.profile import profile_asset

RETAIL = "uci-online-retail-sample/online_retail_sample.csv"


def issues_of(catalog, asset: str, kind: str) -> dict:
    return {i.column: i for i in profile_asset(catalog, asset).issues if i.kind == kind}


@pytest.mark.shared_data
def test_online_retail_zero_unit_prices_are_flagged_with_their_count(catalog, shared_data):
    ingest_path(catalog, shared_data / RETAIL, name="retail")
    zeros = int((pd.read_csv(shared_data / RETAIL, encoding="latin-1")["UnitPrice"] == 0).sum())
    issue = issues_of(catalog, "retail", "zero_values")["UnitPrice"]
    assert zeros > 0 and issue.rows == zeros and issue.severity == "medium"
    assert f"{zeros:,} values" in issue.message and len(issue.examples) > 0


def test_a_zero_in_any_money_column_is_flagged_whatever_its_name(catalog):
    frame = pd.DataFrame({"line_id": range(6), "unit_cost": [3.5, 0.0, 2.0, 0.0, 4.0, 1.0],
                          "shipping_fee": [1.0, 2.0, 0.0, 1.5, 1.0, 2.0]})
    catalog.register("lines", frame, kind="other", source="test", fmt="test")
    found = issues_of(catalog, "lines", "zero_values")
    assert {c: i.rows for c, i in found.items()} == {"unit_cost": 2, "shipping_fee": 1}
    assert found["unit_cost"].examples == ("row 2 (line_id=1)", "row 4 (line_id=3)")


def test_zero_in_a_quantity_or_plain_number_is_no_issue(catalog):
    frame = pd.DataFrame({"stock": [0, 3, 0, 5], "score_delta": [0.0, 1.5, -2.0, 0.0], "price": [1.0, 2.0, 3.0, 4.0]})
    catalog.register("shelf", frame, kind="other", source="test", fmt="test")
    assert issues_of(catalog, "shelf", "zero_values") == {}


def test_zero_prices_lower_the_quality_score(catalog):
    clean = pd.DataFrame({"item_id": range(100), "price": [float(1 + i % 7) for i in range(100)]})
    catalog.register("clean", clean, kind="other", source="test", fmt="test")
    catalog.register("free", clean.assign(price=[0.0] * 5 + clean["price"].tolist()[5:]), kind="other",
                     source="test", fmt="test")
    assert profile_asset(catalog, "free").quality_score < profile_asset(catalog, "clean").quality_score
