"""Yes/no columns named by their verb: "recommend", "would recommend the item"; the verb's object is the row's
own thing only where it names nothing else."""

from __future__ import annotations

import pandas as pd
import pytest

from stocktake.catalog import Catalog, Workspace
from stocktake.tools.ask.answer import run_plan
from stocktake.tools.ask.read import Reader
from stocktake.tools.ask.schema import build_schema
from stocktake.tools.ingest import ingest_path

REVIEWS = pd.DataFrame({"review_id": range(12), "rating": [5, 4, 1, 5, 3, 2, 5, 4, 4, 1, 5, 5],
                        "recommended_ind": [1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0],
                        "review_text": ["fine"] * 12})


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    root = tmp_path_factory.mktemp("ask-flags")
    catalog = Catalog(Workspace(root / "ws"))
    REVIEWS.to_csv(root / "reviews.csv", index=False)
    ingest_path(catalog, root / "reviews.csv")
    return catalog, build_schema(catalog)


@pytest.mark.parametrize("question", ["what share of reviewers recommend the item",
                                      "pct of reviewers who would recommend the product",
                                      "what percentage of reviews recommend it"])
def test_the_share_that_recommends_is_the_share_with_the_flag_set(shop, question):
    catalog, schema = shop
    reading = Reader(schema).read(question)
    assert reading.score >= 0.99, reading.unexplained
    [[share]] = run_plan(reading.plan, schema, catalog).rows
    assert share == pytest.approx(100 * REVIEWS["recommended_ind"].mean(), abs=0.01)


def test_an_object_the_catalog_does_not_know_is_still_asked_about(shop):
    _, schema = shop
    reading = Reader(schema).read("what share of reviewers recommend the blender")
    assert reading.score < 0.99 and "blender" in reading.unexplained
