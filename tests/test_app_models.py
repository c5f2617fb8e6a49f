"""The models tab's pure parts: which recommenders are compared, and items shown by their titles."""

from __future__ import annotations

import pandas as pd

from stocktake.registry import ModelRegistry
from stocktake.serve.panels.models import _labelled, recommendation_rows
from stocktake.tools.recommend.serve import Recommendation, SimilarItem
from stocktake.tools.recommend.titles import item_titles


def record(registry: ModelRegistry, algorithm: str, asset: str, ndcg: float):
    model_id, _ = registry.new_dir("recommender", algorithm)
    return registry.record(model_id, task="recommender", algorithm=algorithm, asset=asset, asset_version=1,
                           metrics={"ndcg@10": ndcg}, params={"item": "product_id"})


def test_only_the_recommenders_of_the_asset_trained_last_are_compared(ws):
    registry = ModelRegistry(ws)
    record(registry, "pop", "events", 0.1)
    record(registry, "ease", "reviews", 0.5)
    record(registry, "als", "reviews", 0.3)
    assert [m["label"].split(" (")[0] for m in _labelled(registry.list())] == ["ease on reviews", "als on reviews"]


def test_items_are_shown_by_the_title_of_the_asset_that_describes_them(catalog):
    catalog.register("events", pd.DataFrame({"user_id": [1, 1], "product_id": [10, 11]}), kind="events",
                     source="t", fmt="csv")
    catalog.register("products", pd.DataFrame({"product_id": [10, 11, 12], "title": ["Mug", "Cup", "Pan"]}),
                     kind="products", source="t", fmt="csv")
    assert item_titles(catalog, "product_id", ["10", "12", "99"]) == {"10": "Mug", "12": "Pan"}
    assert item_titles(catalog, "sku", ["10"]) == {}


def test_recommendation_rows_name_the_items_and_what_the_user_had():
    recs = [Recommendation(rank=1, item="12", score=0.91234, because=(SimilarItem("10", 0.8),))]
    rows = recommendation_rows(recs, {"10": "Mug", "12": "Pan"})
    assert rows.to_dict("records") == [{"rank": 1, "item": "12", "title": "Pan", "score": 0.9123,
                                        "because the user had": "Mug"}]
