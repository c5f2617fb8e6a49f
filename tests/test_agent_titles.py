"""Chat answers about rows and items name them by their titles, as the Models tab does, not by number alone."""

from __future__ import annotations

import pandas as pd

from stocktake.agent.assistant import Assistant
from stocktake.agent.context import ToolContext
from stocktake.agent.tools import build_tools
from stocktake.catalog import Catalog, Workspace
from stocktake.registry import ModelRegistry
from stocktake.tools.recommend import RecommendSpec, train_recommenders


def test_the_label_audit_names_each_suspect_row_by_its_title(tmp_path):
    catalog = Catalog(Workspace(tmp_path / "ws", create=True))
    titles = [f"sofa cushion cover {i}" for i in range(20)] + [f"lamp shade bulb {i}" for i in range(20)]
    labels = ["home"] * 20 + ["light"] * 20
    labels[3] = "light"  # a cushion filed under lighting
    catalog.register("products", pd.DataFrame({"product_id": range(40), "title": titles, "category": labels}),
                     kind="products", source="memory", fmt="csv")
    tools = {t.name: t for t in build_tools(ToolContext(catalog))}
    result = tools["audit_labels"].run({"asset": "products"})
    suspects = result.artifact["suspects"]
    assert 3 in [s["row"] for s in suspects]
    for s in suspects:
        assert f'- row {s["row"]} "{titles[s["row"]]}": ' in result.content
        assert s["title"] == titles[s["row"]]


def test_a_recommendation_answer_names_the_items_by_title(tmp_path):
    catalog = Catalog(Workspace(tmp_path / "ws", create=True))
    rows = [(u, i, "view") for u in range(30) for i in range(u % 7, u % 7 + 6)]
    events = pd.DataFrame(rows, columns=["user_id", "product_id", "event_type"])
    catalog.register("events", events, kind="events", source="test", fmt="csv")
    names = {i: f"Product number {i}" for i in range(13)}
    catalog.register("products", pd.DataFrame({"product_id": list(names), "title": list(names.values())}),
                     kind="products", source="test", fmt="csv")
    registry = ModelRegistry(catalog.ws)
    train_recommenders(events, RecommendSpec(user="user_id", item="product_id", models=("pop",)), registry,
                       asset="events", asset_version=1)
    answer = Assistant(ToolContext(catalog)).ask("recommend products for user 3")
    [call] = answer.tool_calls
    assert call["name"] == "recommend_for_user"
    listed = [line for line in answer.text.splitlines() if line[:1].isdigit()]
    assert listed
    for line in listed:
        item = int(line.split("item ", 1)[1].split(" ", 1)[0])
        assert f'item {item} "{names[item]}"' in line
