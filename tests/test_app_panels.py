"""The pure helpers behind the app's tabs: which chart to show, how models compare, what a step card says."""

from __future__ import annotations

import pytest

from stocktake.registry import ModelRecord
from stocktake.serve.charts import chart_artifact, chart_column, chart_null_rates, chart_recommenders
from stocktake.serve.panels.inventory import first_chartable
from stocktake.serve.panels.models import chart_confusion, classifier_summary, comparison, per_class_rows

NUMERIC = {"name": "amount", "semantic_type": "price", "histogram": {"kind": "numeric", "edges": [0, 5, 10],
                                                                      "counts": [3, 4]}}
KEY = {"name": "order_id", "semantic_type": "identifier", "histogram": {"kind": "numeric", "edges": [0, 1, 2],
                                                                        "counts": [1, 1]}}
CATEGORY = {"name": "status", "semantic_type": "category", "top_values": [{"value": "paid", "count": 9}]}
BARE = {"name": "note", "semantic_type": "free_text"}


@pytest.mark.parametrize("columns, first", [
    ([KEY, NUMERIC], "amount"), ([KEY, CATEGORY], "status"), ([KEY], "order_id"), ([BARE], None), ([], None),
])
def test_the_first_chart_is_a_column_whose_distribution_means_something(columns, first):
    chosen = first_chartable(columns)
    assert (chosen["name"] if chosen else None) == first


@pytest.mark.parametrize("column, bars", [(NUMERIC, 2), (CATEGORY, 1), (KEY, 2)])
def test_a_column_chart_has_one_bar_per_bin_or_value(column, bars):
    assert len(chart_column(column).axes[0].patches) == bars


def test_a_column_without_statistics_has_no_chart():
    assert chart_column(BARE) is None


def test_null_rates_are_drawn_as_bars_of_the_missing_share():
    fig = chart_null_rates([{"name": "a", "null_fraction": 0.5}])
    assert len(fig.axes[0].texts) == 0 and fig.axes[0].patches[0].get_width() == 0.5


@pytest.mark.parametrize("name, artifact, bars", [
    ("run_sql", {"columns": ["status", "n"], "rows": [["paid", 3], ["new", 1]]}, 2),
    ("run_sql", {"columns": ["status", "n"], "rows": [["paid", 3]]}, None),
    ("run_sql", {"columns": ["status", "city"], "rows": [["paid", "x"], ["new", "y"]]}, None),
    ("run_sql", {"columns": ["a", "b", "c"], "rows": [[1, 2, 3], [4, 5, 6]]}, None),
    ("quality_issues", {"issues": [{"kind": "pii", "rows": 3}, {"kind": "pii", "rows": 2},
                                   {"kind": "outliers", "rows": 1}]}, 2),
    ("quality_issues", {"issues": [{"kind": "pii", "rows": 3}]}, None),
    ("list_assets", {"assets": []}, None),
    ("train_recommenders", {"models": [{"name": "als", "metrics": {"ndcg@10": 0.2}},
                                       {"name": "pop", "metrics": {"ndcg@10": 0.1}}], "primary_metric": "ndcg@10"}, 2),
    ("run_sql", {"error": "bad"}, None),
])
def test_tool_results_get_a_chart_only_where_one_helps(name, artifact, bars):
    fig = chart_artifact(name, artifact)
    assert (len(fig.axes[0].patches) if fig else None) == bars


def record(algorithm: str, task: str, metrics: dict) -> ModelRecord:
    return ModelRecord(f"{task[:3]}-{algorithm}-0000abcd", task, algorithm, "events", 1, None, metrics, {}, "2026")


ALS = {"label": "als", "metrics": {"ndcg@10": 0.2, "note": "text"}}
NONE_TRAINED = "No recommender trained yet — ask 'train recommenders on events' in the chat, or use the form below."


@pytest.mark.parametrize("models, metric, message", [
    ([], None, NONE_TRAINED), ([], "ndcg@10", NONE_TRAINED),
    ([ALS], "map@10", "No recommender reports map@10; pick another metric."),
    ([ALS], None, "The recommenders report no metric to compare."),
], ids=["none-trained", "none-trained-metric-kept", "metric-not-reported", "no-metric"])
def test_an_empty_recommender_chart_says_why_instead_of_an_empty_box(models, metric, message):
    ax = chart_recommenders(models, metric).axes[0]
    assert [" ".join(t.get_text().split()) for t in ax.texts] == [" ".join(message.split())] and not ax.patches


def test_trained_recommenders_are_charted_on_the_chosen_metric():
    ax = chart_recommenders([ALS, {"label": "pop", "metrics": {"ndcg@10": 0.1}}], "ndcg@10").axes[0]
    assert [p.get_width() for p in ax.patches] == [0.2, 0.1] and not ax.texts


def test_recommenders_are_compared_on_every_metric_they_share_and_rounded():
    found = [record("als", "recommender", {"ndcg@10": 0.306000000001, "recall@5": 0.2, "train_seconds": 1.0}),
             record("popularity", "recommender", {"ndcg@10": 0.1, "note": "text"}),
             record("tfidf", "classifier", {"accuracy": 0.9})]
    table, metrics = comparison(found)
    assert metrics == ["recall@5", "ndcg@10", "train_seconds"]
    assert list(table["model"]) == ["als (0000abcd)", "popularity (0000abcd)"]
    assert table.loc[0, "ndcg@10"] == 0.306


def test_per_class_metrics_leave_out_classes_the_test_rows_lack_and_carry_the_baseline_f1():
    scores = {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 2}
    report = {"per_class": {"a": scores, "b": {**scores, "support": 0}},
              "baseline_per_class": {"a": {**scores, "f1": 0.4}, "b": scores}}
    table = per_class_rows(report)
    assert table.to_dict("records") == [{"class": "a", "precision": 0.5, "recall": 1.0, "f1": 0.667, "support": 2,
                                         "baseline f1": 0.4}]


def test_the_confusion_matrix_shows_the_counts_of_classes_seen_in_the_test_rows():
    fig = chart_confusion(["a", "b", "never"], [[3, 1, 0], [0, 2, 0], [0, 0, 0]])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert sorted(t.get_text() for t in ax.texts) == ["1", "2", "3"]



@pytest.mark.parametrize("ours, baseline, row", [
    (0.9, 0.8, "| accuracy | **0.900** | 0.800 |"), (0.2, 0.8, "| accuracy | 0.200 | **0.800** |"),
    (0.5, 0.5, "| accuracy | 0.500 | 0.500 |"),
])
def test_the_better_of_the_encoder_and_its_baseline_is_in_bold(ours, baseline, row):
    report = {"model_id": "cla-x", "asset": "products", "text_cols": ["title"], "label_col": "category",
              "labels": ["a", "b"], "rows": {"train": 7, "val": 1, "test": 2}, "train_seconds": 1.0, "device": "cpu",
              "accuracy": ours, "baseline_accuracy": baseline, "macro_f1": ours, "baseline_macro_f1": baseline}
    assert row in classifier_summary(report).splitlines()


# ---- the chat's charts and downloads ----------------------------------------------------------------------
MONTHS = {"columns": ["month", "orders"], "rows": [["2023-02", 15], ["2023-01", 22], ["2023-03", 20]],
          "truncated": False}


@pytest.mark.parametrize("name, artifact", [
    ("run_sql", MONTHS),
    ("query_data", {**MONTHS, "labels": ["month"], "measures": ["orders"], "plan": {"group_by": [{}]}}),
])
def test_a_measure_per_month_is_a_line_with_time_on_the_x_axis(name, artifact):
    from stocktake.serve.panels.chat import time_chart

    ax = time_chart(name, artifact).axes[0]
    assert len(ax.lines) == 1 and not ax.patches, "a line, not bars"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2023-01", "2023-02", "2023-03"], "in time order"
    assert list(ax.lines[0].get_ydata()) == [22, 15, 20]


def test_numbered_years_are_time_too():
    from stocktake.serve.panels.chat import time_chart

    ax = time_chart("run_sql", {"columns": ["year", "n"], "rows": [[2024, 5], [2023, 7]]}).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2023", "2024"] and len(ax.lines) == 1


@pytest.mark.parametrize("artifact", [
    {"columns": ["status", "n"], "rows": [["paid", 3], ["refunded", 1], ["open", 2]]},
    {"columns": ["user_id", "n"], "rows": [[2023, 3], [2024, 1]]},
    {"columns": ["month", "n", "extra"], "rows": [["2023-01", 3, 1], ["2023-02", 1, 1]]},
    {"columns": ["month", "n"], "rows": [["2023-01", 3]]},
])
def test_other_results_keep_the_usual_chart(artifact):
    from stocktake.serve.panels.chat import time_chart

    assert time_chart("run_sql", artifact) is None


def test_a_written_report_is_offered_as_a_download(tmp_path):
    from stocktake.serve.panels.chat import visuals

    report = tmp_path / "inventory-1.html"
    report.write_text("<!doctype html>")
    assert visuals("inventory_report", {"path": str(report), "assets": ["orders"]}) == [{"path": str(report)}]
    assert visuals("inventory_report", {"path": str(tmp_path / "gone.html")}) == []
