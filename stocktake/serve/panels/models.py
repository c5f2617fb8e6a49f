"""The models tab: every trained model with its metrics, recommenders compared on one metric, a form to
train recommenders on an interactions asset, and recommendations for one user.

Text classifiers train from the chat or the CLI (fine-tuning takes minutes on a CPU); no form here yet.
"""

from __future__ import annotations

import gradio as gr
import pandas as pd

from stocktake.serve.charts import chart_metrics
from stocktake.tools.recommend.spec import ALL_MODELS
from stocktake.serve.common import AppContext, choices, frame, readable

MODEL_COLUMNS = ["model", "task", "algorithm", "asset", "version", "key metrics", "trained"]
RECOMMENDATION_COLUMNS = ["rank", "item", "score", "because the user had"]
DEFAULT_MODELS = ("pop", "itemknn", "ease", "als")  # the quick ones; bpr and lightgcn train for longer
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


def recommendation_rows(recs) -> pd.DataFrame:
    rows = [{"rank": r.rank, "item": r.item, "score": round(r.score, 4),
             "because the user had": ", ".join(s.item for s in r.because)} for r in recs]
    return frame(rows, RECOMMENDATION_COLUMNS)


def build(app: AppContext, tab: gr.Tab) -> None:
    gr.Markdown("Models trained in this workspace. Train recommenders below or from the chat (e.g. *train "
                "recommenders on events*); text classifiers with `stocktake classify train`.")
    refresh = gr.Button("↻ Refresh", size="sm")
    models = gr.DataFrame(frame([], MODEL_COLUMNS), label="Models", interactive=False)
    gr.Markdown("### Recommenders compared")
    table = gr.DataFrame(label="Recommender metrics", interactive=False)
    metric = gr.Dropdown(label="Metric", choices=[], allow_custom_value=True)
    chart = gr.Plot(show_label=False)
    with gr.Accordion("Train recommenders", open=False):
        with gr.Row():
            asset = gr.Dropdown(label="Interactions asset", choices=app.catalog.names(), value=None,
                                allow_custom_value=True)
            user = gr.Dropdown(label="User column", choices=[], allow_custom_value=True)
            item = gr.Dropdown(label="Item column", choices=[], allow_custom_value=True)
            event = gr.Dropdown(label="Event-type column (optional)", choices=[], allow_custom_value=True)
        algorithms = gr.CheckboxGroup(list(ALL_MODELS), value=list(DEFAULT_MODELS), label="Models")
        train = gr.Button("Train and evaluate", variant="primary")
        trained = gr.Markdown()
    with gr.Accordion("Recommend for a user", open=False):
        with gr.Row():
            model = gr.Dropdown(label="Recommender", choices=[], allow_custom_value=True)
            user_id = gr.Textbox(label="User id")
            n = gr.Slider(1, 30, value=10, step=1, label="How many")
        recommend = gr.Button("Recommend")
        recommended = gr.DataFrame(frame([], RECOMMENDATION_COLUMNS), label="Recommendations", interactive=False)

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

    @readable
    def pick_asset(name: str | None):
        from stocktake.agent.tools.recommend import guess_columns

        if not name:
            return gr.Dropdown(choices=[]), gr.Dropdown(choices=[]), gr.Dropdown(choices=[])
        columns = [c.name for c in app.catalog.get(name).columns]
        guess = guess_columns(columns)
        return tuple(gr.Dropdown(choices=columns, value=guess[role]) for role in ("user", "item", "event"))

    @readable
    def train_models(name: str | None, user_col: str | None, item_col: str | None, event_col: str | None,
                     chosen: list[str], current: str | None, progress=gr.Progress()):
        from stocktake.tools.recommend import RecommendSpec, train_asset_recommenders

        if not (name and user_col and item_col and chosen):
            raise gr.Error("Pick the asset, its user and item columns, and at least one model.",
                           print_exception=False)
        spec = RecommendSpec(user=user_col, item=item_col, event=event_col or None, models=tuple(chosen))
        report = train_asset_recommenders(app.catalog, name, spec,
                                          progress=lambda what, done, total: progress((done, total), desc=what))
        best = report.best
        summary = (f"✅ Trained {len(report.models)} model(s) on **{name}**; best on {report.primary_metric}: "
                   f"**{best.name if best else 'none'}**" + (f" (`{best.model_id}`)." if best else "."))
        return summary, *load(current), _recommender_choices(records())

    @readable
    def recommend_items(model_id: str | None, who: str, count: float):
        from stocktake.registry import ModelRegistry
        from stocktake.tools.recommend import recommend_for_user

        if not model_id or not who.strip():
            raise gr.Error("Pick a recommender and type a user id.", print_exception=False)
        return recommendation_rows(recommend_for_user(ModelRegistry(app.catalog.ws), model_id, who.strip(),
                                                      n=int(count)))

    def refresh_recommenders():
        return _recommender_choices(records())

    outputs = [models, table, metric, chart]
    refresh.click(load, [metric], outputs, api_name="models")
    tab.select(load, [metric], outputs, api_name=False)
    tab.select(refresh_recommenders, None, [model], api_name=False)
    metric.input(show_metric, [metric], [chart], api_name=False)
    asset.change(pick_asset, [asset], [user, item, event], api_name="recommend_columns")
    train.click(train_models, [asset, user, item, event, algorithms, metric], [trained, *outputs, model],
                api_name="train_recommenders")
    recommend.click(recommend_items, [model, user_id, n], [recommended], api_name="recommend")


def _recommender_choices(records) -> gr.Dropdown:
    ids = [r.id for r in records if r.task == "recommender"]
    return gr.Dropdown(choices=ids, value=ids[-1] if ids else None)


def _labelled(records) -> list[dict]:
    return [{"label": f"{r.algorithm} ({r.id[-8:]})", "metrics": r.metrics} for r in records if r.task == "recommender"]
