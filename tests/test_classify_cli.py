"""`stocktake classify ...` and `stocktake models` as a user runs them: one JSON object, one-line errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from stocktake.cli.main import app

runner = CliRunner()

TITLES = {
    "Shoes": ["running shoe", "leather boot", "sneaker", "sandal"],
    "Kitchen": ["frying pan", "chef knife", "kettle", "toaster"],
    "Phones": ["smartphone 128GB", "phone case", "mobile phone", "usb charger"],
}


def invoke(*args):
    return runner.invoke(app, list(args))


@pytest.fixture
def items(catalog):
    """96 synthetic product titles in three categories, one of them labelled wrongly on purpose."""
    import pandas as pd

    rows = [{"title": f"{brand} {noun} {color}", "category": category}
            for brand in ("Acme", "Nova", "Orbit")
            for category, nouns in TITLES.items() for noun in nouns
            for color in ("black", "white")[: 2 if brand != "Orbit" else 1] + ("red",)]
    df = pd.DataFrame(rows)
    df["price"] = [round(4.99 + 1.37 * i, 2) for i in range(len(df))]  # continuous: no label
    wrong = int(df.index[df["title"] == "Acme kettle black"][0])
    df.loc[wrong, "category"] = "Shoes"
    catalog.register("items", df, kind="products", source="test", fmt="csv")
    return wrong


@pytest.mark.slow
def test_train_predict_models_and_audit_end_to_end(items, ws):
    trained = invoke("classify", "train", "items", "--text", "title", "--label", "category", "--epochs", "1",
                     "--max-length", "16", "--batch-size", "8", "--json", "--yes")
    assert trained.exit_code == 0, trained.output
    report = json.loads(trained.stdout)
    assert {"accuracy", "macro_f1", "baseline_macro_f1", "model_id"} <= report.keys()
    assert report["labels"] == sorted(TITLES)

    listed = json.loads(invoke("models", "--json").stdout)["models"]
    assert [(m["model_id"], m["task"], m["asset"]) for m in listed] == [(report["model_id"], "classifier", "items")]

    predicted = invoke("classify", "predict", report["model_id"], "items", "--json", "--yes")
    assert predicted.exit_code == 0, predicted.output
    summary = json.loads(predicted.stdout)
    assert summary["version"] == 2 and summary["columns_added"] == ["predicted_category",
                                                                    "predicted_category_confidence"]

    audited = invoke("classify", "audit", "items", "--text", "title", "--label", "category", "--folds", "3",
                     "--json", "--yes")
    assert audited.exit_code == 0, audited.output
    audit = json.loads(audited.stdout)
    assert audit["asset_version"] == 2
    assert [(s["row"], s["given"], s["suggested"]) for s in audit["suspects"]] == [(items, "Shoes", "Kitchen")]
    assert json.loads((ws.dir("cache") / "audit" / "items.json").read_text())["suspects"] == audit["suspects"]


BAD = [
    (["classify", "train", "items", "--text", "titel", "--label", "category"], "Did you mean: title?"),
    (["classify", "audit", "items", "--text", "title", "--label", "categry"], "Did you mean: category?"),
    (["classify", "audit", "itemz", "--text", "title", "--label", "category"], "Did you mean: items?"),
    (["classify", "predict", "cla-minilm-00000000", "items"], "No model named 'cla-minilm-00000000'"),
    (["classify", "audit", "items", "--text", "title", "--label", "category", "--method", "knn"],
     "Unknown audit method 'knn'"),
    (["classify", "train", "items", "--text", "title", "--label", "category", "--device", "tpu"],
     "Unknown device 'tpu'"),
    (["classify", "train", "items", "--text", "title", "--label", "price", "--epochs", "1"],
     "price has 96 distinct values in 96 labelled rows; a label needs repeated classes"),
    (["classify", "audit", "items", "--text", "title", "--label", "price"],
     "pick a categorical column such as category."),
]


@pytest.mark.parametrize("args, message", BAD, ids=[" ".join(a[:2]) + ": " + m for a, m in BAD])
def test_bad_input_is_a_one_line_error(items, args, message):
    result = invoke(*args, "--yes")
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert json.loads(invoke("models", "--json").stdout) == {"models": []}  # nothing registered


@pytest.fixture
def recommender(ws) -> str:
    from stocktake.registry import ModelRegistry

    registry = ModelRegistry(ws)
    model_id, _ = registry.new_dir("recommender", "ease")
    registry.record(model_id, task="recommender", algorithm="ease", asset="events", asset_version=1,
                    metrics={"ndcg@10": 0.1}, params={})
    return model_id


@pytest.mark.parametrize("extra", [[], ["--text", "title"], ["--text", "nope"]])
def test_predict_with_a_recommender_says_so_first(items, recommender, extra):
    result = invoke("classify", "predict", recommender, "items", *extra)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip() == (f"Error: Model '{recommender}' is a recommender, not a classifier. "
                                     "See `stocktake models` for the classifiers.")


def test_models_without_any_says_how_to_train_one(ws):  # ws: a workspace exists, with nothing trained in it
    result = invoke("models")
    assert result.exit_code == 0 and "stocktake classify train" in result.stdout
    assert json.loads(invoke("models", "--json").stdout) == {"models": []}
