"""The classify engines: input checks, splits, the label audit, and a tiny train -> predict round trip."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from stocktake.errors import StocktakeError, UnknownNameError
from stocktake.registry import ModelRegistry
from stocktake.tools.classify.audit import (
    audit_labels, class_thresholds, find_suspects, load_audit, save_audit,
)
from stocktake.tools.classify.data import assemble_texts, encode_labels, inject_label_noise, split_stratified
from stocktake.tools.classify.settings import AuditSettings, ClassifySettings, LabelSettings, SplitSettings
from stocktake.tools.sample_data import write_sample_data

TINY = ClassifySettings(epochs=1, max_length=16, batch_size=16, learning_rate=3e-4, max_rows=300)


@pytest.fixture(scope="module")
def products(tmp_path_factory) -> tuple[pd.DataFrame, set[int]]:
    """Sample products with canonical categories only, and the ids the generator mislabelled on purpose."""
    folder = tmp_path_factory.mktemp("sample")
    write_sample_data(folder, seed=0, scale="small")
    problems = {p["kind"]: p for p in json.loads((folder / "answers" / "problems.json").read_text())["problems"]
                if p["table"] == "products"}
    df = pd.read_csv(folder / "products.csv")
    df = df[~df["product_id"].isin(problems["inconsistent_categories"]["keys"])].reset_index(drop=True)
    return df, set(problems["suspected_mislabel"]["keys"])


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


BAD_INPUT = [
    ("unknown text column", frame(title=["a"] * 20, category=["x", "y"] * 10), ["titel"], "category",
     "No column named 'titel'. Did you mean: title?"),
    ("unknown label column", frame(title=["a"] * 20, category=["x", "y"] * 10), ["title"], "categroy",
     "No column named 'categroy'. Did you mean: category?"),
    ("no text column", frame(title=["a"] * 20, category=["x", "y"] * 10), [], "category", "--text"),
    ("single class", frame(title=["a", "b"] * 10, category=["x"] * 20), ["title"], "category", "single class ('x')"),
    ("labels all null", frame(title=["a", "b"] * 10, category=[None] * 20), ["title"], "category",
     "every row's label is missing"),
    ("labels all blank", frame(title=["a", "b"] * 10, category=[" "] * 20), ["title"], "category",
     "every row's label is missing"),
    ("continuous label", frame(title=["a", "b"] * 10, category=["x", "y"] * 10, price=[i + 0.5 for i in range(20)]),
     ["title"], "price", "price has 20 distinct values in 20 labelled rows; a label needs repeated classes "
                         "(at most 500 distinct, most rows in classes of at least 2 rows) — pick a categorical "
                         "column such as category."),
]


@pytest.mark.parametrize("case, df, text_cols, label_col, message", BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
@pytest.mark.parametrize("engine", ["train", "audit"])
def test_bad_input_is_one_clear_error(engine, case, df, text_cols, label_col, message):
    from stocktake.tools.classify.train import train_classifier

    run = train_classifier if engine == "train" else audit_labels
    with pytest.raises(StocktakeError) as caught:
        run(df, text_cols, label_col)
    assert message in str(caught.value)


LABEL_SHAPES = [
    # (label values, most classes allowed, accepted?); at least half the rows must be in classes of 2+ rows
    ("repeated classes", ["x", "y", "z"] * 4, 3, True),
    ("a few one-off typos among repeated classes", ["x"] * 5 + ["y"] * 4 + ["xx", "yy"], 4, True),
    ("exactly half the rows in repeated classes", ["x", "x", "y", "y", "a", "b", "c", "d"], 6, True),
    ("most rows one of a kind", ["x", "x", "y", "y", "a", "b", "c", "d", "e"], 7, False),
    ("more classes than allowed", ["w", "x", "y", "z"] * 3, 3, False),
    ("blank labels are no class", ["x", "y", " ", None] * 3, 2, True),
]


@pytest.mark.parametrize("case, values, max_classes, accepted", LABEL_SHAPES, ids=[c[0] for c in LABEL_SHAPES])
def test_a_label_must_be_categorical(case, values, max_classes, accepted):
    df = frame(title=[f"t{i}" for i in range(len(values))], label=values)
    settings = LabelSettings(max_classes=max_classes)
    if accepted:
        assert len(encode_labels(df, ["title"], "label", settings=settings).classes) >= 2
    else:
        with pytest.raises(StocktakeError, match=f"at most {max_classes} distinct"):
            encode_labels(df, ["title"], "label", settings=settings)


def test_a_refused_label_suggests_categorical_columns_but_not_ids_or_texts():
    df = frame(product_id=range(30), title=["red mug", "blue mug", "pan"] * 10, brand=["acme", "nova"] * 15,
               price=[i / 3 for i in range(30)])
    with pytest.raises(StocktakeError) as caught:
        encode_labels(df, ["title"], "price")
    assert str(caught.value).endswith("pick a categorical column such as brand.")


def test_texts_join_columns_and_skip_missing_parts():
    df = frame(title=["Red shoe", None, "Mug"], description=["leather", "blue", None])
    assert assemble_texts(df, ["title", "description"]) == ["Red shoe | leather", "blue", "Mug"]


def test_unlabelled_rows_are_left_out_and_counted():
    df = frame(title=list("abcdef"), category=["x", None, "y", "", "x", "y"])
    data = encode_labels(df, ["title"], "category")
    assert data.classes == ("x", "y") and data.dropped == 2
    assert data.rows.tolist() == [0, 2, 4, 5] and data.labels.tolist() == [0, 1, 0, 1]


def test_split_is_disjoint_complete_and_stratified():
    labels = np.repeat([0, 1, 2], [100, 50, 10])
    split = split_stratified(labels, SplitSettings(val_fraction=0.1, test_fraction=0.2))
    parts = [split.train, split.val, split.test]
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(labels)))
    # Each class keeps its share of the test rows, give or take one row of rounding.
    assert np.abs(np.bincount(labels[split.test]) - [20, 10, 2]).max() <= 1


def test_noise_moves_the_asked_fraction_to_other_classes():
    labels = pd.Series(["a", "b", "c", None] * 50)
    noisy, moved = inject_label_noise(labels, 0.1, seed=1)
    assert len(moved) == 15  # 10% of the 150 labelled rows
    assert (noisy[moved].to_numpy() != labels[moved].to_numpy()).all()
    untouched = np.setdiff1d(np.arange(len(labels)), moved)
    assert noisy[untouched].equals(labels[untouched])


def test_thresholds_are_mean_self_confidence_per_class():
    probs = np.array([[0.9, 0.1], [0.7, 0.3], [0.4, 0.6]])
    assert class_thresholds(probs, np.array([0, 0, 1])).tolist() == pytest.approx([0.8, 0.6])


SUSPECT_CASES = [
    # (probabilities of classes x, y; given label) -> flagged?
    ("confidently the other class", [0.1, 0.9], 0, True),
    ("other class below its threshold", [0.45, 0.55], 0, False),
    ("agrees with the given label", [0.95, 0.05], 0, False),
]


@pytest.mark.parametrize("case, row, given, flagged", SUSPECT_CASES, ids=[c[0] for c in SUSPECT_CASES])
def test_a_row_is_suspect_when_another_class_clears_its_threshold(case, row, given, flagged):
    data = encode_labels(frame(t=["a", "b", "c"], label=["x", "y", ["x", "y"][given]]), ["t"], "label")
    probs = np.array([[0.9, 0.1], [0.2, 0.8], row])
    suspects = find_suspects(probs, data, class_thresholds(probs, data.labels))
    assert [s.row for s in suspects] == ([2] if flagged else [])


@pytest.mark.slow
def test_audit_finds_the_sample_datas_mislabelled_products(products):
    df, mislabelled = products
    report = audit_labels(df, ["title", "description"], "category")
    flagged = {int(df["product_id"][s.row]) for s in report.suspects}
    hits = len(flagged & mislabelled)
    assert hits / len(flagged) >= 0.8 and hits / len(mislabelled) >= 0.7
    top = report.suspects[0]
    assert top.given == df["category"][top.row] and top.suggested != top.given
    assert report.suspects == tuple(sorted(report.suspects, key=lambda s: s.given_confidence - s.confidence))


def test_a_saved_audit_loads_back_and_a_missing_one_is_none(ws):
    df = frame(t=["red shoe", "blue shoe", "green shoe", "mug", "cup", "tea mug"] * 4,
               label=["shoes"] * 3 + ["kitchen"] * 3 + ["shoes"] * 3 + ["kitchen"] * 3 + ["shoes"] * 6
               + ["kitchen"] * 6)
    report = audit_labels(df, ["t"], "label", AuditSettings(folds=2), asset="items", asset_version=3)
    assert load_audit(ws, "items") is None
    save_audit(ws, report)
    assert load_audit(ws, "items") == report
    assert (ws.dir("cache") / "audit" / "items.json").is_file()


def test_unknown_audit_method_is_an_error():
    with pytest.raises(StocktakeError, match="Unknown audit method 'knn'"):
        audit_labels(frame(t=["a", "b"] * 5, y=["x", "z"] * 5), ["t"], "y", AuditSettings(method="knn"))


@pytest.fixture(scope="module")
def trained(products, tmp_path_factory):
    """One tiny fine-tuning run (300 rows, one epoch, 16 tokens), saved in a registry."""
    from stocktake.catalog import Workspace
    from stocktake.tools.classify.train import train_classifier

    ws = Workspace(tmp_path_factory.mktemp("ws"))
    calls = []
    report = train_classifier(products[0], ["title"], "category", TINY, registry=ModelRegistry(ws),
                              asset="products", asset_version=1, progress=lambda *a: calls.append(a))
    return ws, report, calls


@pytest.mark.slow
def test_training_beats_chance_and_reports_the_baseline_on_the_same_rows(trained):
    _, report, _ = trained
    data = report.to_dict()
    assert data["rows"]["train"] + data["rows"]["val"] + data["rows"]["test"] == 300
    assert data["accuracy"] > 3 / len(data["labels"])  # well above the 1-in-9 chance
    assert 0 <= data["baseline_macro_f1"] <= 1 and data["baseline_per_class"].keys() == data["per_class"].keys()
    assert np.array(data["confusion"]).sum() == data["rows"]["test"]


@pytest.mark.slow
def test_training_registers_the_model_with_a_card_and_reports_progress(trained):
    ws, report, calls = trained
    record = ModelRegistry(ws).get(report.model_id)
    assert record.task == "classifier" and record.asset == "products" and record.asset_version == 1
    assert record.metrics["macro_f1"] == report.macro_f1 and record.params["max_length"] == 16
    card = (record.path / "README.md").read_text()
    assert "Beauty" in card and f"{report.macro_f1:.4f}" in card and "TF-IDF" in card
    epoch = [c for c in calls if c[0] == "epoch 1/1 (batches)"]
    assert epoch[-1][1] == epoch[-1][2] > 0  # every batch of the one epoch was reported
    steps = list(dict.fromkeys(c[0].split(" · ")[0] for c in calls))
    assert steps[:4] == ["TF-IDF baseline", "loading the base model", "tokenizing", "epoch 1/1 (batches)"]
    assert steps[-2:] == ["test rows", "saving"]


@pytest.mark.slow
def test_predictions_become_a_new_version_with_label_and_confidence(trained, products):
    from stocktake.catalog import Catalog
    from stocktake.tools.classify.predict import add_predictions, predict_labels

    ws, report, _ = trained
    catalog = Catalog(ws)
    df = products[0].head(50).copy()
    df.loc[3, "title"] = None
    catalog.register("items", df, kind="products", source="test", fmt="csv")
    result = predict_labels(ModelRegistry(ws), report.model_id, df, ["title"], batch_tokens=64)
    new, columns = add_predictions(catalog, "items", df, result, ["title"])
    table = catalog.load("items")
    assert new.version == 2 and columns == ["predicted_category", "predicted_category_confidence"]
    assert table["predicted_category"].isna().tolist() == [i == 3 for i in range(50)]
    assert set(table["predicted_category"].dropna()) <= set(report.test.labels)
    assert table["predicted_category_confidence"].dropna().between(1 / 9, 1).all()
    assert catalog.versions("items")[-1].lineage["model_id"] == report.model_id
    assert result.samples_per_s > 0


def test_an_unknown_model_id_suggests_real_ones(ws):
    from stocktake.tools.classify.predict import predict_labels

    registry = ModelRegistry(ws)
    model_id, _ = registry.new_dir("classifier", "minilm")
    registry.record(model_id, task="classifier", algorithm="minilm", asset="p", asset_version=1, metrics={},
                    params={})
    with pytest.raises(UnknownNameError, match=f"Did you mean: {model_id}"):
        predict_labels(registry, model_id[:-1] + "x", frame(title=["a"]), ["title"])


def test_a_recommender_is_not_a_classifier(ws):
    from stocktake.tools.classify.predict import predict_labels

    registry = ModelRegistry(ws)
    model_id, _ = registry.new_dir("recommender", "als")
    registry.record(model_id, task="recommender", algorithm="als", asset="e", asset_version=1, metrics={},
                    params={})
    with pytest.raises(StocktakeError, match="is a recommender, not a classifier"):
        predict_labels(registry, model_id, frame(title=["a"]), ["title"])
