"""The models tab: every trained model with its metrics, and recommenders compared on one metric.

Training runs from the chat ("train recommenders on events") or the CLI; forms to train from this tab are
a follow-up.
"""

from __future__ import annotations

import gradio as gr
import pandas as pd

from stocktake.serve.charts import chart_metrics
from stocktake.serve.common import AppContext, choices, frame, readable

MODEL_COLUMNS = ["model", "task", "algorithm", "asset", "version", "key metrics", "trained"]
KEY_METRICS = 4  # metrics shown per model in the list; the comparison shows them all


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def model_rows(records) -> pd.DataFrame:
    rows = []
    for r in records:
        shown = [f"{k} {v:.3f}" for k, v in r.metrics.items() if _number(v)][:KEY_METRICS]
        rows.append({"model": r.id, "task": r.task, "algorithm": r.algorithm, "asset": r.asset,
                     "version": r.asset_version, "key metrics": ", ".join(shown), "trained": r.created_at[:16]})
    return frame(rows, MODEL_COLUMNS)


def comparison(records) -> tuple[pd.DataFrame, list[str]]:
    """Recommenders side by side: one row each, one column per metric they report."""
    recs = [r for r in records if r.task == "recommender"]
    metrics = sorted({k for r in recs for k, v in r.metrics.items() if _number(v)}, key=_metric_order)
    rows = [{"model": f"{r.algorithm} ({r.id[-8:]})", "asset": r.asset,
             **{m: _rounded(r.metrics.get(m)) for m in metrics}} for r in recs]
    return frame(rows, ["model", "asset", *metrics]), metrics


def _rounded(value):
    return round(value, 4) if _number(value) else value


def _metric_order(name: str) -> tuple:
    base, _, k = name.partition("@")
    return (base == "train_seconds", int(k) if k.isdigit() else 0, base)


def build(app: AppContext, tab: gr.Tab) -> None:
    gr.Markdown("Models trained in this workspace. Train them from the chat (e.g. *train recommenders on "
                "events*) or with `stocktake recommend train` / `stocktake classify train`.")
    refresh = gr.Button("↻ Refresh", size="sm")
    models = gr.DataFrame(frame([], MODEL_COLUMNS), label="Models", interactive=False)
    gr.Markdown("### Recommenders compared")
    table = gr.DataFrame(label="Recommender metrics", interactive=False)
    metric = gr.Dropdown(label="Metric", choices=[], allow_custom_value=True)
    chart = gr.Plot(show_label=False)

    def records():
        from stocktake.registry import ModelRegistry

        return ModelRegistry(app.catalog.ws).list()

    @readable
    def load(current: str | None):
        found = records()
        compared, metrics = comparison(found)
        chosen = current if current in metrics else next((m for m in metrics if m.startswith("ndcg@")),
                                                          metrics[0] if metrics else None)
        figure = chart_metrics(_labelled(found), chosen) if chosen else None
        return model_rows(found), compared, choices(metrics, chosen), figure

    @readable
    def show_metric(name: str | None):
        return chart_metrics(_labelled(records()), name) if name else None

    outputs = [models, table, metric, chart]
    refresh.click(load, [metric], outputs, api_name="models")
    tab.select(load, [metric], outputs, api_name=False)
    metric.input(show_metric, [metric], [chart], api_name=False)


def _labelled(records) -> list[dict]:
    return [{"label": f"{r.algorithm} ({r.id[-8:]})", "metrics": r.metrics} for r in records if r.task == "recommender"]
