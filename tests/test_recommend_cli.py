"""`stocktake recommend train|for|compare` end to end, and the engine on real interaction logs."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.catalog import Catalog
from stocktake.cli.main import app
from stocktake.cli.recommend_cmds import parse_weights
from stocktake.registry import ModelRegistry
from stocktake.tools.recommend import RecommendSpec, recommend_for_user, train_recommenders
from tests.test_recommend import planted_events

runner = CliRunner()


def invoke(ws, *args: str):
    return runner.invoke(app, ["--workspace", str(ws.root), *args])


def test_train_then_recommend_then_compare(ws):
    Catalog(ws).register("events", planted_events(), kind="events", source="test", fmt="csv")
    trained = invoke(ws, "recommend", "train", "events", "--user", "user_id", "--item", "product_id",
                     "--event", "event_type", "--weights", "view=1,cart=3", "--models", "pop,itemknn",
                     "--k", "5,10", "--json", "--yes")
    assert trained.exit_code == 0, trained.output
    report = json.loads(trained.stdout)
    assert report["diagnostics"]["users"] == 60
    assert [m["name"] for m in report["models"]] == ["pop", "itemknn"]
    assert {"ndcg@10", "recall@10", "precision@10", "map@5", "mrr@5", "coverage@10"} <= set(
        report["models"][0]["metrics"])
    knn = report["models"][1]

    recs = invoke(ws, "recommend", "for", "u3", "--model", knn["model_id"], "--n", "3", "--json")
    assert recs.exit_code == 0, recs.output
    items = json.loads(recs.stdout)["recommendations"]
    assert len(items) == 3 and all(r["because"] for r in items)  # the 3 unseen items of its cluster

    compared = invoke(ws, "recommend", "compare", "--asset", "events", "--json")
    rows = json.loads(compared.stdout)["models"]
    assert [r["algorithm"] for r in rows] == ["itemknn", "pop"]  # best NDCG first


def test_train_prints_a_table_without_json(ws):
    Catalog(ws).register("events", planted_events(), kind="events", source="test", fmt="csv")
    result = invoke(ws, "recommend", "train", "events", "--user", "user_id", "--item", "product_id",
                    "--models", "pop", "--no-tune", "--yes")
    assert result.exit_code == 0, result.output
    assert "ndcg@10" in result.stdout and "pop" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--user", "customer", "--item", "product_id"], "Did you mean: user_id"),
    (["--user", "user_id", "--item", "product_id", "--models", "pop,svd"], "No recommender model named 'svd'"),
    (["--user", "user_id", "--item", "product_id", "--event", "event_type", "--weights", "view:1"],
     "NAME=NUMBER"),
    (["--user", "user_id", "--item", "product_id", "--split", "temporal"], "--time"),
])
def test_bad_options_give_one_line_errors(ws, args, message):
    Catalog(ws).register("events", planted_events(), kind="events", source="test", fmt="csv")
    result = invoke(ws, "recommend", "train", "events", *args, "--yes")
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_unknown_model_id_suggests_real_ones(ws):
    result = invoke(ws, "recommend", "for", "u1", "--model", "rec-pop-nothing")
    assert result.exit_code == 1 and "No model named" in result.output


def test_parse_weights():
    assert parse_weights("view=1, cart=3,purchase=5") == {"view": 1.0, "cart": 3.0, "purchase": 5.0}


# ---- real logs --------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_movielens_ease_far_ahead_of_popularity(shared_data):
    df = pd.read_csv(shared_data / "movielens-100k" / "u.data", sep="\t", names=["user", "item", "rating", "ts"])
    spec = RecommendSpec(user="user", item="item", models=("pop", "ease"), test_size=0.25, ks=(10,), tune=False,
                         seed=42)
    report = train_recommenders(df, spec)
    ndcg = {m.name: m.metrics["ndcg@10"] for m in report.models}
    assert report.diagnostics.users == 943 and report.diagnostics.items == 1682
    assert ndcg["ease"] > 0.44 > 0.3 > ndcg["pop"]  # published BPR: 0.442 under this protocol


@pytest.mark.slow
def test_taobao_behaviour_log_with_event_weights(shared_data, ws):
    df = pd.read_csv(shared_data / "taobao-userbehavior-head" / "UserBehavior_head.csv",
                     names=["user_id", "item_id", "category_id", "behavior_type", "ts"])
    registry = ModelRegistry(ws)
    spec = RecommendSpec(user="user_id", item="item_id", time="ts", event="behavior_type",
                         weights={"pv": 1, "fav": 2, "cart": 3, "buy": 5}, models=("pop", "itemknn", "als"),
                         split="temporal")
    report = train_recommenders(df, spec, registry, asset="taobao")
    assert report.diagnostics.users == 43 and report.diagnostics.rows == 4321
    assert report.evaluation["evaluated_users"] > 0
    user = str(df["user_id"].iloc[0])
    recs = recommend_for_user(registry, report.models[1].model_id, user, n=5)
    seen = set(df.loc[df["user_id"].astype(str) == user, "item_id"].astype(str))
    assert len(recs) == 5 and not {r.item for r in recs} & seen
