"""Recommender training: the steps it reports, the torch threads it trains on, and metrics pinned for a seed."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
import torch

from stocktake.catalog import Workspace
from stocktake.registry import ModelRegistry
from stocktake.tools.recommend import RecommendSettings, RecommendSpec, train_recommenders
from tests.conftest import SHARED_DATA
from tests.test_recommend import FAST, planted_events


def steps_of(calls: list[tuple], model: str) -> list[str]:
    """The model's steps in order, each without the model's prefix and without the detail after it."""
    return list(dict.fromkeys(c[0].split(" · ")[1] for c in calls if c[0].startswith(f"{model} (")))


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    """pop, itemknn and bpr trained, tuned and saved on planted preferences, with every progress call kept."""
    calls = []
    spec = RecommendSpec(user="user_id", item="product_id", models=("pop", "itemknn", "bpr"), settings=FAST)
    registry = ModelRegistry(Workspace(tmp_path_factory.mktemp("progress")))
    report = train_recommenders(planted_events(), spec, registry,
                                progress=lambda step, done, total: calls.append((step, done, total)))
    return report, calls


def test_each_model_reports_tuning_training_testing_refitting_and_saving_in_order(reported):
    _, calls = reported
    assert calls[0] == ("reading the interactions", 0, None)
    for model in ("itemknn", "bpr"):
        assert steps_of(calls, model) == ["tuning (grid)", "training", "testing", "refitting on all interactions",
                                          "saving"]
    assert {c[0].split(" · ")[0] for c in calls[1:]} == {"pop (1/3)", "itemknn (2/3)", "bpr (3/3)"}


@pytest.mark.parametrize(("step", "total"), [
    ("itemknn (2/3) · tuning (grid)", len(FAST.itemknn_neighbours)),
    ("bpr (3/3) · training · epochs", None),  # the epochs tuning chose
])
def test_a_step_counts_up_to_its_total(reported, step, total):
    report, calls = reported
    counts = [(done, of) for s, done, of in calls if s == step]
    total = total or next(m for m in report.models if m.name == "bpr").params["epochs"]
    assert [d for d, _ in counts] == sorted(d for d, _ in counts) and counts[-1] == (total, total)
    assert {of for _, of in counts} == {total}


def test_tuning_epochs_are_shown_in_the_text_while_the_count_stays_on_the_grid_entry(reported):
    _, calls = reported
    detail = [(s, d, t) for s, d, t in calls if s.startswith("bpr (3/3) · tuning (grid) · epochs")]
    assert detail and {t for *_, t in detail} == {len(FAST.bpr_l2)} and {d for _, d, _ in detail} == {0}
    assert detail[0][0] == f"bpr (3/3) · tuning (grid) · epochs 1/{FAST.bpr_max_epochs}"


def test_a_one_entry_grid_is_tuned_only_for_a_model_trained_in_epochs(reported):
    report, calls = reported
    pop = next(m for m in report.models if m.name == "pop")
    assert pop.tune_seconds == 0.0 and "tuning (grid)" not in steps_of(calls, "pop")
    lightgcn = train_recommenders(planted_events(), RecommendSpec(user="user_id", item="product_id",
                                                                  models=("lightgcn",), settings=FAST)).models[0]
    assert lightgcn.tune_seconds > 0 and lightgcn.params["epochs"] % FAST.neural_eval_every == 0


def test_refit_time_is_reported_and_threads_are_not_recorded_as_parameters(reported):
    report, _ = reported
    assert all(m.refit_seconds > 0 for m in report.models if m.name != "pop")
    assert all("threads" not in m.params and "device" not in m.params for m in report.models)


@pytest.mark.parametrize("threads", [1, 2])
def test_torch_models_train_on_the_configured_threads_and_give_them_back(threads, monkeypatch):
    from stocktake.tools.recommend import train as engine

    seen, real = [], engine.evaluate_model

    def spying(*args, **kwargs):  # the first call is the tuning monitor, which runs inside the fit
        seen.append(torch.get_num_threads())
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "evaluate_model", spying)
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    try:
        train_recommenders(planted_events(), RecommendSpec(
            user="user_id", item="product_id", models=("bpr",),
            settings=replace(FAST, torch_threads=threads, bpr_l2=(1e-2,))))
        after = torch.get_num_threads()
    finally:
        torch.set_num_threads(before)
    assert seen[0] == threads and seen[-1] == 3 and after == 3


# Produced by the code before the speed-up (main at 4976215, torch on all cores) with the same seed and
# settings; training on one torch thread must reproduce them exactly.
PINNED = {
    "pop": ({}, {"ndcg@10": 0.212467, "recall@20": 0.191285, "map@10": 0.109107, "coverage@10": 0.030282}),
    "itemknn": ({"neighbours": 50},
                {"ndcg@10": 0.353232, "recall@20": 0.312483, "map@10": 0.21739, "coverage@10": 0.182394}),
    "ease": ({"l2": 400.0}, {"ndcg@10": 0.398721, "recall@20": 0.339937, "map@10": 0.257452, "coverage@10": 0.106338}),
    "als": ({"factors": 16, "regularization": 0.5, "alpha": 8.0},
            {"ndcg@10": 0.324936, "recall@20": 0.302887, "map@10": 0.18458, "coverage@10": 0.275352}),
    "bpr": ({"l2": 0.03, "epochs": 10},
            {"ndcg@10": 0.306125, "recall@20": 0.258384, "map@10": 0.184382, "coverage@10": 0.078873}),
}
PINNED_SETTINGS = RecommendSettings(
    itemknn_neighbours=(50, 20), ease_l2=(400.0, 50.0), als_grid=((32, 0.05, 2.0), (16, 0.5, 8.0)),
    bpr_l2=(1e-2, 3e-2), bpr_max_epochs=10, neural_eval_every=5)


@pytest.mark.slow
@pytest.mark.shared_data
def test_movielens_metrics_for_a_fixed_seed_are_those_before_the_speed_up(shared_data):
    df = pd.read_csv(SHARED_DATA / "movielens-100k" / "u.data", sep="\t", names=["user", "item", "rating", "ts"])
    report = train_recommenders(df[df.user <= 200], RecommendSpec(user="user", item="item",
                                                                  settings=PINNED_SETTINGS))
    for model in report.models:
        params, metrics = PINNED[model.name]
        assert {k: model.params[k] for k in params} == params, model.name
        assert {k: model.metrics[k] for k in metrics} == metrics, model.name
