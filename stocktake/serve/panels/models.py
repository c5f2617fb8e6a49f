"""The models tab: every trained model with its metrics, recommenders compared on one metric, forms to
train recommenders on an interactions asset and a text classifier on a labelled asset (with its metrics
against the TF-IDF baseline, and an audit of the given labels), and recommendations for one user.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr
import pandas as pd
from matplotlib.figure import Figure

from stocktake.serve.charts import SETTINGS as CHARTS, chart_recommenders
from stocktake.errors import StocktakeError
from stocktake.numbers import metric_text
from stocktake.serve.common import AppContext, choices, frame, readable
from stocktake.tools.charts import shorten
from stocktake.tools.recommend.spec import ALL_MODELS
from stocktake.tools.recommend.titles import item_titles

MODEL_COLUMNS = ["model", "task", "algorithm", "asset", "version", "key metrics", "trained"]
# Wide enough for each header on one line and a whole "YYYY-MM-DD HH:MM"; the metrics wrap at their spaces.
MODEL_WIDTHS = ["18%", "10%", "10%", "8%", "8%", "32%", "14%"]
RECOMMENDATION_COLUMNS = ["rank", "item", "title", "score", "because the user had"]
DEFAULT_MODELS = ("pop", "itemknn", "ease", "als")  # the quick ones; bpr and lightgcn train for longer
KEY_METRICS = 4  # metrics shown per model in the list; the comparison shows them all
PER_CLASS_COLUMNS = ["class", "precision", "recall", "f1", "support", "baseline f1"]
SUSPECT_COLUMNS = ["row", "text", "given", "suggested", "confidence"]


@dataclass(frozen=True)
class ClassifierForm:
    """The classifier form's defaults: small enough that one run takes a minute or two on a CPU."""
    epochs: int = 1
    max_rows: int = 2000
    max_length: int = 32
    max_epochs: int = 20
    max_max_length: int = 512  # the encoder's position limit
    cell_inches: float = 0.32  # per class, for the confusion matrix
    min_inches: float = 3.5


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def model_rows(records) -> pd.DataFrame:
    rows = []
    for r in records:
        shown = [f"{k} {metric_text(v)}" for k, v in r.metrics.items() if _number(v)][:KEY_METRICS]
        rows.append({"model": r.id, "task": r.task, "algorithm": r.algorithm, "asset": r.asset,
                     "version": r.asset_version, "key metrics": ", ".join(shown), "trained": r.created_at[:16].replace("T", " ")})
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


def recommendation_rows(recs, titles: dict[str, str] | None = None) -> pd.DataFrame:
    titles = titles or {}
    rows = [{"rank": r.rank, "item": r.item, "title": titles.get(str(r.item), ""), "score": round(r.score, 4),
             "because the user had": ", ".join(titles.get(str(s.item), str(s.item)) for s in r.because)}
            for r in recs]
    return frame(rows, RECOMMENDATION_COLUMNS)


def per_class_rows(report: dict) -> pd.DataFrame:
    """Precision, recall and F1 per class on the test rows, next to the baseline's F1; classes the test rows
    lack are left out (every score of theirs is 0 and says nothing)."""
    baseline = report.get("baseline_per_class") or {}
    rows = [{"class": label, **{k: round(m[k], 3) for k in ("precision", "recall", "f1")}, "support": m["support"],
             "baseline f1": _rounded3((baseline.get(label) or {}).get("f1"))}
            for label, m in report["per_class"].items() if m["support"]]
    return frame(rows, PER_CLASS_COLUMNS)


def classifier_summary(report: dict) -> str:
    rows = report["rows"]
    return (f"✅ Trained `{report['model_id']}` on **{report['asset']}** ({', '.join(report['text_cols'])} → "
            f"{report['label_col']}, {len(report['labels'])} classes; {rows['train']:,} training, {rows['val']:,} "
            f"validation and {rows['test']:,} test rows) in {report['train_seconds']:.0f} s on "
            f"{report['device']}.\n\n"
            "| on the test rows | fine-tuned encoder | TF-IDF baseline |\n|---|---|---|\n"
            f"| accuracy | {_higher_in_bold(report['accuracy'], report['baseline_accuracy'])} |\n"
            f"| macro-F1 | {_higher_in_bold(report['macro_f1'], report['baseline_macro_f1'])} |")


def _higher_in_bold(ours: float, baseline: float) -> str:
    mark = ("**", "") if ours > baseline else ("", "**") if baseline > ours else ("", "")
    return f"{mark[0]}{ours:.3f}{mark[0]} | {mark[1]}{baseline:.3f}{mark[1]}"


def _rounded3(value):
    return round(value, 3) if _number(value) else value


def chart_confusion(labels: list[str], matrix: list[list[int]], form: ClassifierForm = ClassifierForm()) -> Figure:
    """True class down, predicted class across; shaded by the share of each true class, so small classes show
    their mistakes as clearly as big ones. Classes with no test rows and no predictions are left out."""
    import numpy as np

    counts = np.asarray(matrix, dtype=float)
    keep = np.flatnonzero((counts.sum(axis=1) + counts.sum(axis=0)) > 0)
    counts = counts[np.ix_(keep, keep)]
    names = [shorten(labels[i], CHARTS.label_chars) for i in keep]
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    side = max(form.min_inches, 1.8 + form.cell_inches * len(keep))
    fig = Figure(figsize=(side + 1.0, side), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(names)), names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("Confusion matrix on the test rows", loc="left", fontsize=11)
    for (i, j), n in np.ndenumerate(counts):
        if n:
            ax.text(j, i, f"{n:.0f}", ha="center", va="center", fontsize=7,
                    color="white" if shares[i, j] > 0.5 else "#222")
    fig.colorbar(image, ax=ax, shrink=0.6, label="share of the true class")
    return fig


def suspect_rows(report: dict, texts: list[str]) -> pd.DataFrame:
    """The audit's suspects, each with its text (``texts`` by row position) so a person can judge it."""
    rows = [{"row": s["row"], "text": texts[s["row"]], "given": s["given"], "suggested": s["suggested"],
             "confidence": round(s["confidence"], 3)} for s in report["suspects"]]
    return frame(rows, SUSPECT_COLUMNS)


def build(app: AppContext, tab: gr.Tab) -> None:
    gr.Markdown("Models trained in this workspace. Train recommenders and text classifiers below, from the chat "
                "(e.g. *train recommenders on events*) or with `stocktake classify train`.")
    refresh = gr.Button("↻ Refresh", size="sm")
    models = gr.DataFrame(frame([], MODEL_COLUMNS), label="Models", interactive=False, wrap=True,
                          column_widths=MODEL_WIDTHS, elem_id="st-models")
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
    classifier = _classifier_form(app)
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
        return model_rows(found), compared, choices(metrics, chosen), chart_recommenders(_labelled(found), chosen)

    @readable
    def show_metric(name: str | None):
        return chart_recommenders(_labelled(records()), name)

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
        return summary, *load(current), _recommender_choices(records(), best.model_id if best else None)

    @readable
    def recommend_items(model_id: str | None, who: str, count: float):
        from stocktake.registry import ModelRegistry
        from stocktake.tools.recommend import recommend_for_user

        if not model_id or not who.strip():
            raise gr.Error("Pick a recommender and type a user id.", print_exception=False)
        registry = ModelRegistry(app.catalog.ws)
        try:
            recs = recommend_for_user(registry, model_id, who.strip(), n=int(count))
        except StocktakeError as exc:  # an unknown user: say so, and leave no other user's list on screen
            gr.Warning(str(exc))
            return frame([], RECOMMENDATION_COLUMNS)
        items = [str(r.item) for r in recs] + [str(b.item) for r in recs for b in r.because]
        return recommendation_rows(recs, item_titles(app.catalog, registry.get(model_id).params.get("item"), items))

    def refresh_recommenders():
        return _recommender_choices(records())

    def refresh_assets():  # assets ingested since the page loaded; each dropdown keeps its value
        names = app.catalog.names()
        return gr.Dropdown(choices=names), gr.Dropdown(choices=names)

    outputs = [models, table, metric, chart]
    refresh.click(load, [metric], outputs, api_name="models")
    tab.select(load, [metric], outputs, api_name=False)
    tab.select(refresh_recommenders, None, [model], api_name=False)
    metric.input(show_metric, [metric], [chart], api_name=False)
    asset.change(pick_asset, [asset], [user, item, event], api_name="recommend_columns")
    train.click(train_models, [asset, user, item, event, algorithms, metric], [trained, *outputs, model],
                api_name="train_recommenders")
    recommend.click(recommend_items, [model, user_id, n], [recommended], api_name="recommend")
    _wire_classifier(app, classifier, load, [metric], outputs)
    tab.select(refresh_assets, None, [asset, classifier.asset], api_name=False)


@dataclass
class _Classifier:
    """The classifier form's components."""
    asset: gr.Dropdown
    text: gr.Dropdown
    label: gr.Dropdown
    epochs: gr.Number
    max_rows: gr.Number
    max_length: gr.Number
    train: gr.Button
    audit: gr.Button
    status: gr.Markdown
    per_class: gr.DataFrame
    confusion: gr.Plot
    audited: gr.Markdown
    suspects: gr.DataFrame


def _classifier_form(app: AppContext, form: ClassifierForm = ClassifierForm()) -> _Classifier:
    with gr.Accordion("Train a text classifier", open=False, elem_id="st-classifier"):
        gr.Markdown("Fine-tunes the local MiniLM encoder to predict a label (e.g. *category*) from text (e.g. "
                    "*title*), and scores a TF-IDF baseline on the same test rows. About 40 rows a second per "
                    "epoch on a CPU. **Audit labels** instead lists rows whose given label looks wrong.")
        with gr.Row():
            asset = gr.Dropdown(label="Asset", choices=app.catalog.names(), value=None, allow_custom_value=True)
            text = gr.Dropdown(label="Text column(s)", choices=[], multiselect=True, allow_custom_value=True)
            label = gr.Dropdown(label="Label column", choices=[], allow_custom_value=True)
        with gr.Row():
            epochs = gr.Number(form.epochs, label="Epochs", precision=0, minimum=1, maximum=form.max_epochs)
            max_rows = gr.Number(form.max_rows, label="Max rows (stratified sample)", precision=0, minimum=10)
            max_length = gr.Number(form.max_length, label="Max length (tokens)", precision=0, minimum=4,
                                   maximum=form.max_max_length)
        with gr.Row():
            train = gr.Button("Train and evaluate", variant="primary")
            audit = gr.Button("Audit labels")
        status = gr.Markdown(elem_id="st-classifier-status")
        with gr.Row():
            per_class = gr.DataFrame(frame([], PER_CLASS_COLUMNS), label="Per class, on the test rows",
                                     interactive=False, column_widths=["24%", "17%", "14%", "11%", "15%", "19%"])
            confusion = gr.Plot(show_label=False)
        audited = gr.Markdown(elem_id="st-audit-status")
        suspects = gr.DataFrame(frame([], SUSPECT_COLUMNS), label="Suspect labels", interactive=False)
    return _Classifier(asset, text, label, epochs, max_rows, max_length, train, audit, status, per_class,
                       confusion, audited, suspects)


def _wire_classifier(app: AppContext, f: _Classifier, load, load_inputs: list, load_outputs: list,
                     form: ClassifierForm = ClassifierForm()) -> None:
    @readable
    def pick_columns(name: str | None):
        from stocktake.agent.tools.classify import guess_text_and_label

        if not name:
            return gr.Dropdown(choices=[], value=[]), gr.Dropdown(choices=[], value=None)
        columns = [c.name for c in app.catalog.get(name).columns]
        text, label = guess_text_and_label(columns)
        return gr.Dropdown(choices=columns, value=[text] if text else []), gr.Dropdown(choices=columns, value=label)

    def labelled(name: str | None, text_cols: list[str] | None, label_col: str | None):
        if not (name and text_cols and label_col):
            raise gr.Error("Pick the asset, at least one text column and the label column.", print_exception=False)
        if label_col in text_cols:
            raise gr.Error(f"'{label_col}' is the label: it can't also be a text column (the model would read "
                           "the answer).", print_exception=False)
        asset = app.catalog.get(name)
        return asset, app.catalog.load(asset.name, version=asset.version)

    @readable
    def train(name, text_cols, label_col, epochs, max_rows, max_length, current, progress=gr.Progress()):
        from stocktake.registry import ModelRegistry
        from stocktake.tools.classify import ClassifySettings, train_classifier

        asset, df = labelled(name, text_cols, label_col)
        if None in (epochs, max_rows, max_length):  # the form checks their ranges, not that they are filled in
            raise gr.Error("Fill in the epochs, max rows and max length.", print_exception=False)
        settings = ClassifySettings(epochs=int(epochs), max_rows=int(max_rows), max_length=int(max_length))
        progress(0, desc="Preparing the rows and the TF-IDF baseline")
        report = train_classifier(df, list(text_cols), label_col, settings, ModelRegistry(app.catalog.ws),
                                  asset=asset.name, asset_version=asset.version,
                                  progress=lambda stage, done, total: progress((done, total), desc=stage)).to_dict()
        return (classifier_summary(report), per_class_rows(report),
                chart_confusion(report["labels"], report["confusion"], form), *load(current))

    @readable
    def audit(name, text_cols, label_col, progress=gr.Progress()):
        from stocktake.tools.classify import audit_labels, save_audit
        from stocktake.tools.classify.data import assemble_texts

        asset, df = labelled(name, text_cols, label_col)
        report = audit_labels(df, list(text_cols), label_col, asset=asset.name, asset_version=asset.version,
                              progress=lambda stage, done, total: progress((done, total), desc=stage))
        save_audit(app.catalog.ws, report)
        found = report.to_dict()
        summary = (f"🔎 {len(report.suspects):,} of {report.rows:,} labels of **{asset.name}**.{label_col} look "
                   f"wrong ({report.method}, {report.folds}-fold, {report.seconds:.1f} s); saved for the profiler "
                   "and the cleaning tab.")
        return summary, suspect_rows(found, assemble_texts(df, list(text_cols)))

    fields = [f.asset, f.text, f.label]
    f.asset.change(pick_columns, [f.asset], [f.text, f.label], api_name="classify_columns")
    f.train.click(train, [*fields, f.epochs, f.max_rows, f.max_length, *load_inputs],
                  [f.status, f.per_class, f.confusion, *load_outputs], api_name="train_classifier")
    f.audit.click(audit, fields, [f.audited, f.suspects], api_name="audit_labels")


def _recommender_choices(records, chosen: str | None = None) -> gr.Dropdown:
    """Every recommender, with ``chosen`` (the best one just trained) or else the newest selected."""
    ids = [r.id for r in records if r.task == "recommender"]
    return gr.Dropdown(choices=ids, value=chosen if chosen in ids else (ids[-1] if ids else None))


def _labelled(records) -> list[dict]:
    """The recommenders of the asset trained on last: metrics of different assets do not compare."""
    recs = [r for r in records if r.task == "recommender"]
    latest = recs[-1].asset if recs else None
    return [{"label": f"{r.algorithm} on {r.asset} ({r.id[-8:]})", "metrics": r.metrics}
            for r in recs if r.asset == latest]
