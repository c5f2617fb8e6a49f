"""Recommender engine: metrics, matrix building, leak-free splits, training, serving and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from stocktake.errors import StocktakeError, UnknownNameError
from stocktake.registry import ModelRegistry
from stocktake.tools.recommend import (
    RecommendSettings, RecommendSpec, build_interactions, compare_models, diagnose_interactions,
    recommend_for_user, split_interactions, train_recommenders,
)
from stocktake.tools.recommend.metrics import METRICS, evaluate_ranking, top_k

FAST = RecommendSettings(itemknn_neighbours=(20, 50), ease_l2=(10.0, 100.0), als_grid=((16, 0.05, 2.0),),
                         bpr_l2=(1e-2,), bpr_max_epochs=10, lightgcn_max_epochs=10, neural_eval_every=5,
                         neural_batch=256)


def planted_events(n_users=60, clusters=4, per_cluster=10, per_user=7, seed=0) -> pd.DataFrame:
    """Each user browses items of one cluster only, so item similarity predicts held-out items."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(n_users):
        cluster = user % clusters
        items = rng.choice(per_cluster, per_user, replace=False) + cluster * per_cluster
        for t, item in enumerate(items):
            rows.append({"user_id": f"u{user}", "product_id": f"p{item}", "event_type": rng.choice(["view", "cart"]),
                         "ts": 1_700_000_000 + user * 1000 + t * 10})
    return pd.DataFrame(rows)


# ---- metrics ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("hits", "n_relevant", "k", "expected"), [
    # ranks hit: 1 and 3 of 4; 2 relevant. DCG = 1 + 1/log2(4) = 1.5, IDCG = 1 + 1/log2(3)
    ([1, 0, 1, 0], 2, 4, {"precision": 0.5, "recall": 1.0, "hit": 1.0, "ndcg": 1.5 / (1 + 1 / np.log2(3)),
                          "map": (1 / 1 + 2 / 3) / 2, "mrr": 1.0}),
    # one hit at rank 2 of K=2, 3 relevant: MAP divides by min(3, 2)
    ([0, 1, 0, 0], 3, 2, {"precision": 0.5, "recall": 1 / 3, "hit": 1.0,
                          "ndcg": (1 / np.log2(3)) / (1 + 1 / np.log2(3)), "map": 0.25, "mrr": 0.5}),
    ([0, 0, 0], 1, 3, {"precision": 0.0, "recall": 0.0, "hit": 0.0, "ndcg": 0.0, "map": 0.0, "mrr": 0.0}),
    ([1, 1, 1], 5, 3, {"precision": 1.0, "recall": 0.6, "hit": 1.0, "ndcg": 1.0, "map": 1.0, "mrr": 1.0}),
    # only the first K=1 ranks count
    ([0, 1, 1], 2, 1, {"precision": 0.0, "recall": 0.0, "hit": 0.0, "ndcg": 0.0, "map": 0.0, "mrr": 0.0}),
])
def test_metrics_match_hand_computed_values(hits, n_relevant, k, expected):
    for name, value in expected.items():
        assert METRICS[name](np.array([hits], bool), np.array([n_relevant]), k) == pytest.approx(value)


def test_metrics_average_over_users_and_coverage_counts_distinct_items():
    ranked = np.array([[0, 1], [0, 2]])
    relevant = sp.csr_matrix(np.array([[1, 0, 0, 0], [0, 0, 0, 1]]))
    result = evaluate_ranking(ranked, relevant, (2,), n_items=4)
    assert result["precision@2"] == pytest.approx((0.5 + 0.0) / 2)
    assert result["hit@2"] == pytest.approx(0.5)
    assert result["coverage@2"] == pytest.approx(3 / 4)


def test_top_k_orders_best_first():
    scores = np.array([[0.1, 0.9, 0.5, -np.inf], [3.0, 1.0, 2.0, 0.0]])
    assert top_k(scores, 3).tolist() == [[1, 2, 0], [0, 2, 1]]


# ---- building the matrix ----------------------------------------------------------------------------------
def test_repeated_pairs_collapse_into_one_weighted_interaction():
    df = pd.DataFrame({"u": ["a", "a", "a", "b"], "i": ["x", "x", "y", "x"],
                       "e": ["view", "purchase", "view", "cart"]})
    inter = build_interactions(df, RecommendSpec(user="u", item="i", event="e",
                                                 weights={"view": 1, "cart": 3, "purchase": 5}))
    matrix = inter.matrix().toarray()
    assert len(inter.pairs) == 3
    assert matrix[list(inter.users).index("a"), list(inter.items).index("x")] == 6.0


def test_min_rating_keeps_only_high_ratings_and_counts_the_rest():
    df = pd.DataFrame({"u": [1, 1, 2, 2], "i": [10, 11, 10, 12], "r": [5, 2, 4, 1]})
    inter = build_interactions(df, RecommendSpec(user="u", item="i", rating="r", min_rating=4))
    assert len(inter.pairs) == 2
    assert inter.skipped == {"below_min_rating": 2}


def test_missing_user_ids_are_skipped_and_reported():
    df = pd.DataFrame({"CustomerID": [17850.0, None, 13047.0, np.nan, 17850.0],
                       "StockCode": ["A", "B", "A", "C", "C"]})
    inter = build_interactions(df, RecommendSpec(user="CustomerID", item="StockCode"))
    assert inter.skipped == {"missing_user": 2}
    assert sorted(inter.users) == ["13047", "17850"]  # whole floats read as ids, not 17850.0
    assert diagnose_interactions(inter).rows_used == 3


def test_text_na_tokens_count_as_missing_ids():
    df = pd.DataFrame({"userId": ["18278", "NA", "", "7"], "itemId": [1, 2, 3, 4]})
    inter = build_interactions(df, RecommendSpec(user="userId", item="itemId"))
    assert inter.skipped == {"missing_user": 2}


def test_explicit_weights_leave_out_unnamed_event_types():
    df = pd.DataFrame({"u": ["a", "a", "b"], "i": ["x", "y", "x"], "e": ["view", "refund", "buy"]})
    inter = build_interactions(df, RecommendSpec(user="u", item="i", event="e", weights={"view": 1, "buy": 5}))
    assert inter.skipped == {"unweighted_event": 1}


def test_diagnostics_report_cold_start_and_long_tail():
    df = pd.DataFrame({"u": ["a", "a", "a", "b", "b", "c"], "i": ["x", "y", "z", "x", "y", "x"]})
    d = diagnose_interactions(build_interactions(df, RecommendSpec(user="u", item="i")))
    assert (d.users, d.items, d.interactions) == (3, 3, 6)
    assert d.density == pytest.approx(6 / 9, rel=1e-3)
    assert d.cold_start_users == 1  # c has one interaction
    assert d.cold_start_items == 1  # z has one interaction
    assert d.long_tail_share == pytest.approx(3 / 6)  # head = top 20% of 3 items = x (3 of 6)


# ---- splits -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["random", "temporal", "leave-last"])
def test_splits_put_every_interaction_on_exactly_one_side(method):
    inter = build_interactions(planted_events(), RecommendSpec(user="user_id", item="product_id", time="ts"))
    split = split_interactions(inter, method, 0.25, seed=3)
    assert not (split.train & split.test).any()
    assert (split.train | split.test).all()
    assert split.test.sum() > 0


def test_random_split_holds_out_a_share_of_every_user_and_keeps_singletons_in_training():
    df = pd.concat([planted_events(), pd.DataFrame({"user_id": ["lonely"], "product_id": ["p1"], "ts": [0]})])
    inter = build_interactions(df, RecommendSpec(user="user_id", item="product_id"))
    split = split_interactions(inter, "random", 0.3, seed=1)
    users = inter.pairs["u"].to_numpy()
    for u in np.unique(users):
        n_test, n_all = split.test[users == u].sum(), (users == u).sum()
        assert (n_test, n_all) == (0, 1) if n_all == 1 else 1 <= n_test <= n_all - 1
    assert split.test.sum() / len(users) == pytest.approx(0.3, abs=0.05)


def test_temporal_split_never_trains_on_the_future():
    inter = build_interactions(planted_events(), RecommendSpec(user="user_id", item="product_id", time="ts"))
    split = split_interactions(inter, "temporal", 0.2)
    times = inter.pairs["time"].to_numpy()
    assert times[split.train].max() <= times[split.test].min()


def test_leave_last_holds_out_each_users_latest_item():
    inter = build_interactions(planted_events(), RecommendSpec(user="user_id", item="product_id", time="ts"))
    split = split_interactions(inter, "leave-last", 0.2)
    pairs = inter.pairs.assign(test=split.test)
    latest = pairs.loc[pairs.groupby("u")["time"].idxmax()]
    assert latest["test"].all() and split.test.sum() == len(latest)


def test_validation_split_stays_inside_the_training_pairs():
    inter = build_interactions(planted_events(), RecommendSpec(user="user_id", item="product_id"))
    outer = split_interactions(inter, "random", 0.2)
    inner = split_interactions(inter, "random", 0.2, seed=1, within=outer.train)
    assert not (inner.test & outer.test).any() and not (inner.train & outer.test).any()
    assert (inner.train | inner.test).sum() == outer.train.sum()


# ---- training and serving ---------------------------------------------------------------------------------
def test_item_models_beat_popularity_on_planted_preferences(ws):
    spec = RecommendSpec(user="user_id", item="product_id", event="event_type",
                         models=("pop", "itemknn", "ease", "als"), ks=(5,), test_size=0.3, settings=FAST)
    report = train_recommenders(planted_events(), spec, ModelRegistry(ws), asset="planted")
    ndcg = {m.name: m.metrics["ndcg@5"] for m in report.models}
    assert ndcg["itemknn"] > ndcg["pop"] + 0.2 and ndcg["ease"] > ndcg["pop"] + 0.2
    assert report.best.name != "pop"
    assert all(m.model_id for m in report.models)
    assert report.evaluation["evaluated_users"] == 60


def test_recommendations_skip_seen_items_and_explain_with_the_users_own_items(ws):
    registry = ModelRegistry(ws)
    report = train_recommenders(planted_events(), RecommendSpec(user="user_id", item="product_id",
                                                                 models=("itemknn",), tune=False), registry)
    events = planted_events()
    seen = set(events.loc[events["user_id"] == "u5", "product_id"])
    recs = recommend_for_user(registry, report.models[0].model_id, "u5", n=3)
    assert len(recs) == 3 and [r.rank for r in recs] == [1, 2, 3]
    assert not {r.item for r in recs} & seen
    assert all(r.because and {b.item for b in r.because} <= seen for r in recs)
    cluster = {f"p{i}" for i in range(10, 20)}  # u5 browses cluster 1
    assert {r.item for r in recs} <= cluster


def test_unknown_user_gets_a_did_you_mean(ws):
    registry = ModelRegistry(ws)
    report = train_recommenders(planted_events(), RecommendSpec(user="user_id", item="product_id",
                                                                 models=("pop",), tune=False), registry)
    with pytest.raises(UnknownNameError, match="u12"):
        recommend_for_user(registry, report.models[0].model_id, "u12x")


def test_compare_lists_best_first_and_filters_by_asset(ws):
    registry = ModelRegistry(ws)
    spec = RecommendSpec(user="user_id", item="product_id", models=("pop", "itemknn"), tune=False)
    train_recommenders(planted_events(), spec, registry, asset="a")
    train_recommenders(planted_events(seed=1), RecommendSpec(user="user_id", item="product_id", models=("pop",)),
                       registry, asset="b")
    rows = compare_models(registry, asset="a")
    assert [r["algorithm"] for r in rows] == ["itemknn", "pop"]
    assert len(compare_models(registry)) == 3
    with pytest.raises(UnknownNameError):
        compare_models(registry, asset="c")


@pytest.mark.slow
@pytest.mark.parametrize("device", ["cpu", "cuda"])
@pytest.mark.parametrize("name", ["bpr", "lightgcn"])
def test_torch_models_stop_early_save_and_serve(ws, name, device):
    torch = pytest.importorskip("torch")
    if device == "cuda" and not torch.cuda.is_available():
        pytest.skip("no CUDA device here")
    registry = ModelRegistry(ws)
    spec = RecommendSpec(user="user_id", item="product_id", models=(name,), ks=(5,), refit=False, device=device,
                         settings=FAST)
    report = train_recommenders(planted_events(), spec, registry)
    result = report.models[0]
    assert 0 < result.params["epochs"] <= 10  # chosen by early stopping on the validation split
    assert result.metrics["ndcg@5"] > 0
    recs = recommend_for_user(registry, result.model_id, "u0", n=5)
    assert [r.score for r in recs] == sorted((r.score for r in recs), reverse=True)


# ---- bad input --------------------------------------------------------------------------------------------
def test_unknown_column_suggests_the_real_one():
    with pytest.raises(UnknownNameError, match="Did you mean: user_id"):
        build_interactions(planted_events(), RecommendSpec(user="userid", item="product_id"))


def test_empty_table_is_a_clear_error():
    with pytest.raises(StocktakeError, match="empty"):
        build_interactions(planted_events().iloc[:0], RecommendSpec(user="user_id", item="product_id"))


def test_all_users_cold_is_a_clear_error():
    df = pd.DataFrame({"u": ["a", "b", "c"], "i": ["x", "y", "x"]})
    with pytest.raises(StocktakeError, match="cold-start"):
        train_recommenders(df, RecommendSpec(user="u", item="i", models=("pop",)))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"models": ("pop", "bpx")}, "Did you mean: bpr"),
    ({"split": "chronological"}, "Unknown split"),
    ({"test_size": 1.5}, "between 0 and 1"),
    ({"min_rating": 4}, "--min-rating needs --rating"),
])
def test_bad_specs_are_refused(kwargs, message):
    with pytest.raises(StocktakeError, match=message):
        RecommendSpec(user="u", item="i", **kwargs)


def test_temporal_split_without_time_is_refused():
    with pytest.raises(StocktakeError, match="--time"):
        train_recommenders(planted_events(), RecommendSpec(user="user_id", item="product_id", split="temporal"))
