"""The models use cases decide once what the chat, the app and the command line used to decide each their own way:
which columns to train on, how events weigh, which recommender "the best" is, and asking before a model is saved."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from stocktake.agent.context import ToolContext
from stocktake.agent.tools import build_tools
from stocktake.cli.main import app
from stocktake.errors import StocktakeError
from stocktake.registry import ModelRegistry
from stocktake.tools.recommend.data import build_interactions
from stocktake.usecases import Services
from stocktake.usecases.models import (
    RecommenderColumns, classifier_columns, guess_recommender_columns, guess_text_and_label, prediction_columns,
    recommend_for_user, recommender_plan,
)
from tests.test_recommend import planted_events


@pytest.fixture
def services(catalog) -> Services:
    catalog.register("events", planted_events(), kind="events", source="test", fmt="csv")
    return Services(catalog)


# ---- which column is which ----------------------------------------------------------------------------------
GUESSES = [
    (["user_id", "product_id", "event_type", "event_time"], ("user_id", "product_id", "event_type", "event_time")),
    (["visitorid", "itemid", "event", "timestamp"], ("visitorid", "itemid", "event", "timestamp")),
    (["CustomerID", "StockCode", "InvoiceDate", "Quantity"], ("CustomerID", "StockCode", None, "InvoiceDate")),
    (["user_agent", "user_id", "movie_id", "rating"], ("user_id", "movie_id", None, None)),
    (["session_id", "sku", "behaviour", "date"], ("session_id", "sku", "behaviour", "date")),
    (["a", "b"], (None, None, None, None)),
]


@pytest.mark.parametrize("names, expected", GUESSES, ids=[",".join(n) for n, _ in GUESSES])
def test_the_recommender_columns_are_guessed_from_their_names(names, expected):
    guess = guess_recommender_columns(names)
    assert (guess.user, guess.item, guess.event, guess.time) == expected


def test_a_named_column_is_kept_matched_in_any_case_and_never_guessed_for_another_part():
    guess = guess_recommender_columns(["user_id", "customer_id", "product_id"], RecommenderColumns(user="Customer_ID"))
    assert (guess.user, guess.item) == ("customer_id", "product_id")
    guess = guess_recommender_columns(["user_id", "action_item", "sku"], RecommenderColumns(event="action_item"))
    assert (guess.item, guess.event) == ("sku", "action_item")
    with pytest.raises(StocktakeError, match="No column named 'custmer'. Did you mean: customer_id?"):
        guess_recommender_columns(["customer_id"], RecommenderColumns(user="custmer"))


def test_the_chat_guesses_what_is_not_named_while_the_forms_train_on_what_they_name(services):
    guessed = recommender_plan(services, "events", guess_missing=True)
    named = recommender_plan(services, "events", RecommenderColumns(user="user_id", item="product_id"))
    assert (guessed.spec.user, guessed.spec.item, guessed.spec.event) == ("user_id", "product_id", "event_type")
    assert (named.spec.event, named.spec.time) == (None, None)
    with pytest.raises(StocktakeError, match="Can't tell which columns of events hold the user and the item"):
        recommender_plan(services, "events")


def test_a_time_column_is_guessed_only_for_a_split_that_orders_by_time(catalog):
    catalog.register("log", pd.DataFrame({"user_id": ["a", "a", "b", "b"], "item_id": [1, 2, 1, 3],
                                          "updated": ["soon", "later", "now", "then"]}), kind="events",
                     source="test", fmt="csv")
    services = Services(catalog)
    # "updated" reads like a date to the guess, but holds none: a random split must not trip over it
    assert recommender_plan(services, "log", guess_missing=True).spec.time is None
    assert recommender_plan(services, "log", guess_missing=True, split="temporal").spec.time == "updated"
    assert recommender_plan(services, "log", RecommenderColumns(time="updated"), guess_missing=True).spec.time == \
        "updated"


def test_events_without_weights_weigh_the_names_the_engine_knows_and_count_the_rest_once(catalog):
    catalog.register("clicks", pd.DataFrame({"user_id": ["a", "a", "a"], "product_id": [1, 2, 3],
                                             "event_type": ["view", "purchase", "login"]}), kind="events",
                     source="test", fmt="csv")
    plan = recommender_plan(Services(catalog), "clicks", guess_missing=True)
    assert plan.spec.event == "event_type" and plan.spec.weights is None  # the chat once dropped such an event
    weights = build_interactions(catalog.load("clicks"), plan.spec).pairs["weight"].tolist()
    assert weights == [1.0, 5.0, 1.0]


def test_the_chat_trains_on_the_same_plan_as_the_command_line(services):
    tools = {t.name: t for t in build_tools(ToolContext(services.catalog))}
    result = tools["train_recommenders"].run({"asset": "events", "models": "pop"})
    assert result.status == "success", result.content
    assert result.artifact["columns"] == {"user": "user_id", "item": "product_id", "event": "event_type",
                                          "time": None, "rating": None}
    assert "(user=user_id, item=product_id, event=event_type)" in result.content


# ---- the best recommender -----------------------------------------------------------------------------------
def record(registry: ModelRegistry, algorithm: str, asset: str, ndcg: float) -> str:
    model_id, _ = registry.new_dir("recommender", algorithm)
    registry.record(model_id, task="recommender", algorithm=algorithm, asset=asset, asset_version=1,
                    metrics={"ndcg@10": ndcg}, params={"item": "product_id"})
    return model_id


def test_without_a_model_named_the_best_ndcg_of_any_asset_recommends(services, monkeypatch):
    asked = []
    monkeypatch.setattr("stocktake.tools.recommend.recommend_for_user",
                        lambda registry, model_id, user, n: asked.append(model_id) or [])
    record(services.registry, "pop", "events", 0.1)
    best = record(services.registry, "ease", "reviews", 0.4)
    record(services.registry, "als", "events", 0.3)
    found = recommend_for_user(services, " u1 ", n=3)
    assert asked == [best] and (found.model_id, found.user) == (best, "u1")


def test_without_any_recommender_there_is_nothing_to_recommend_from(services):
    with pytest.raises(StocktakeError, match="No recommender is trained yet"):
        recommend_for_user(services, "u1")


# ---- the classifier's columns -------------------------------------------------------------------------------
TEXT_GUESSES = [
    (["product_id", "title", "category"], ("title", "category")),
    (["name", "description", "category_label"], ("name", "category_label")),
    (["review_text", "label", "stars"], ("review_text", "label")),
    (["class_name", "text"], ("text", "class_name")),
    (["id", "price"], (None, None)),
]


@pytest.mark.parametrize("names, expected", TEXT_GUESSES, ids=[",".join(n) for n, _ in TEXT_GUESSES])
def test_the_text_and_the_label_are_guessed_from_their_names(names, expected):
    assert guess_text_and_label(names) == expected


@pytest.fixture
def products(catalog) -> Services:
    catalog.register("products", pd.DataFrame({"product_id": [1, 2], "title": ["mug", "pan"],
                                               "blurb": ["a mug", "a pan"], "category": ["home", "kitchen"]}),
                     kind="products", source="test", fmt="csv")
    return Services(catalog)


def test_the_label_is_never_also_a_text_the_model_reads(products):
    assert classifier_columns(products, "products").text == ("title",)
    assert classifier_columns(products, "products", ["Blurb"], "CATEGORY").text == ("blurb",)
    with pytest.raises(StocktakeError, match="'title' is the label: it can't also be a text column"):
        classifier_columns(products, "products", ["title"], "title")


def classifier(registry: ModelRegistry, text_cols: list[str]) -> str:
    model_id, _ = registry.new_dir("classifier", "minilm")
    registry.record(model_id, task="classifier", algorithm="minilm", asset="products", asset_version=1,
                    metrics={}, params={"text_cols": text_cols, "label_col": "category"})
    return model_id


def test_labelling_reads_the_columns_the_model_was_trained_on_where_the_asset_has_them(products):
    assert prediction_columns(products, classifier(products.registry, ["blurb"]), "products").text == ("blurb",)
    assert prediction_columns(products, classifier(products.registry, ["summary"]), "products").text == ("title",)
    pop = record(products.registry, "pop", "events", 0.1)
    with pytest.raises(StocktakeError, match="is a recommender, not a classifier"):
        prediction_columns(products, pop, "products", ["nope"])


# ---- the command line asks before it saves a model ----------------------------------------------------------
def test_recommend_train_asks_and_a_no_saves_nothing(services):
    args = ["--workspace", str(services.catalog.ws.root), "recommend", "train", "events", "--user", "user_id",
            "--item", "product_id", "--models", "pop", "--no-tune"]
    refused = CliRunner().invoke(app, args, input="n\n")
    assert refused.exit_code == 1 and "Cancelled; nothing was written." in refused.stderr
    assert "Train recommenders (pop) on events and save the models? [y/N]" in refused.stderr
    assert ModelRegistry(services.catalog.ws).list() == []
    agreed = CliRunner().invoke(app, args, input="y\n")
    assert agreed.exit_code == 0, agreed.output
    assert [m.algorithm for m in ModelRegistry(services.catalog.ws).list()] == ["pop"]


def test_classify_train_without_an_answer_trains_nothing_and_says_how_to_skip_the_question(products):
    result = CliRunner().invoke(app, ["--workspace", str(products.catalog.ws.root), "classify", "train", "products",
                                      "--text", "title", "--label", "category"])
    assert result.exit_code == 1 and "No answer, so nothing was written. Pass --yes" in result.stderr
    assert ModelRegistry(products.catalog.ws).list() == []
