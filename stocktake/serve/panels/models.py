"""The models tab: every trained model with its metrics, recommenders compared on one metric, forms to
train recommenders on an interactions asset and a text classifier on a labelled asset (with its metrics
against the TF-IDF baseline, and an audit of the given labels), and recommendations for one user.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from stocktake.errors import StocktakeError
from stocktake.serve.charts import chart_recommenders
from stocktake.serve.common import AppContext, choices, frame, readable, web_message
from stocktake.serve.panels.model_tables import (
    MODEL_COLUMNS, MODEL_WIDTHS, PER_CLASS_COLUMNS, RECOMMENDATION_COLUMNS, SUSPECT_COLUMNS, ClassifierForm,
    chart_confusion, classifier_summary, comparison, model_rows, per_class_rows, recommendation_rows, suspect_rows,
)
from stocktake.tools.recommend.spec import ALL_MODELS
from stocktake.usecases import models as usecase


def build(app: AppContext, tab: gr.Tab) -> None:
    gr.Markdown("Models trained in this workspace. Train recommenders and text classifiers below, from the chat "
                "(e.g. *train recommenders on events*) or with `stocktake classify train`.")
    listing = _listing()
    recommenders = _recommender_form(app)
    classifier = _classifier_form(app)
    for_user = _for_user_form()
    load = _wire_listing(app, tab, listing)
    _wire_recommenders(app, recommenders, load, listing, for_user)
    _wire_for_user(app, tab, for_user)
    _wire_classifier(app, classifier, load, [listing.metric], listing.outputs)
    tab.select(_refresh_assets(app), None, [recommenders.asset, classifier.asset], api_name=False)


@dataclass
class _Listing:
    """Every model, and the recommenders compared on one metric."""
    refresh: gr.Button
    models: gr.DataFrame
    table: gr.DataFrame
    metric: gr.Dropdown
    chart: gr.Plot

    @property
    def outputs(self) -> list:
        return [self.models, self.table, self.metric, self.chart]


@dataclass
class _Recommenders:
    """The form that trains recommenders."""
    asset: gr.Dropdown
    user: gr.Dropdown
    item: gr.Dropdown
    event: gr.Dropdown
    algorithms: gr.CheckboxGroup
    train: gr.Button
    trained: gr.Markdown


@dataclass
class _ForUser:
    """The form that recommends items for one user."""
    model: gr.Dropdown
    user: gr.Textbox
    n: gr.Slider
    recommend: gr.Button
    recommended: gr.DataFrame


def _listing() -> _Listing:
    refresh = gr.Button("↻ Refresh", size="sm")
    models = gr.DataFrame(frame([], MODEL_COLUMNS), label="Models", interactive=False, wrap=True,
                          column_widths=MODEL_WIDTHS, elem_id="st-models")
    gr.Markdown("### Recommenders compared")
    table = gr.DataFrame(label="Recommender metrics", interactive=False)
    metric = gr.Dropdown(label="Metric", choices=[], allow_custom_value=True)
    return _Listing(refresh, models, table, metric, gr.Plot(show_label=False))


def _recommender_form(app: AppContext) -> _Recommenders:
    with gr.Accordion("Train recommenders", open=False):
        with gr.Row():
            asset = gr.Dropdown(label="Interactions asset", choices=app.catalog.names(), value=None,
                                allow_custom_value=True)
            user = gr.Dropdown(label="User column", choices=[], allow_custom_value=True)
            item = gr.Dropdown(label="Item column", choices=[], allow_custom_value=True)
            event = gr.Dropdown(label="Event-type column (optional)", choices=[], allow_custom_value=True)
        algorithms = gr.CheckboxGroup(list(ALL_MODELS), value=list(usecase.QUICK_MODELS), label="Models")
        train = gr.Button("Train and evaluate", variant="primary")
        trained = gr.Markdown()
    return _Recommenders(asset, user, item, event, algorithms, train, trained)


def _for_user_form() -> _ForUser:
    with gr.Accordion("Recommend for a user", open=False):
        with gr.Row():
            model = gr.Dropdown(label="Recommender", choices=[], allow_custom_value=True)
            user = gr.Textbox(label="User id")
            n = gr.Slider(1, 30, value=10, step=1, label="How many")
        recommend = gr.Button("Recommend")
        recommended = gr.DataFrame(frame([], RECOMMENDATION_COLUMNS), label="Recommendations", interactive=False)
    return _ForUser(model, user, n, recommend, recommended)


def _wire_listing(app: AppContext, tab: gr.Tab, f: _Listing):
    """Wires the model list and the comparison; returns their loader, which the training forms call again."""
    @readable
    def load(current: str | None):
        found = usecase.list_models(app.services)
        compared, metrics = comparison(found)
        chosen = current if current in metrics else next((m for m in metrics if m.startswith("ndcg@")),
                                                          metrics[0] if metrics else None)
        return model_rows(found), compared, choices(metrics, chosen), chart_recommenders(_labelled(found), chosen)

    @readable
    def show_metric(name: str | None):
        return chart_recommenders(_labelled(usecase.list_models(app.services)), name)

    f.refresh.click(load, [f.metric], f.outputs, api_name="models")
    tab.select(load, [f.metric], f.outputs, api_name=False)
    f.metric.input(show_metric, [f.metric], [f.chart], api_name=False)
    return load


def _wire_recommenders(app: AppContext, f: _Recommenders, load, listing: _Listing, for_user: _ForUser) -> None:
    @readable
    def pick_asset(name: str | None):
        if not name:
            return gr.Dropdown(choices=[]), gr.Dropdown(choices=[]), gr.Dropdown(choices=[])
        columns = [c.name for c in app.catalog.get(name).columns]
        guess = usecase.guess_recommender_columns(columns)
        return tuple(gr.Dropdown(choices=columns, value=getattr(guess, role)) for role in ("user", "item", "event"))

    @readable
    def train(name: str | None, user_col: str | None, item_col: str | None, event_col: str | None,
              chosen: list[str], current: str | None, progress=gr.Progress()):
        if not (name and user_col and item_col and chosen):
            raise gr.Error("Pick the asset, its user and item columns, and at least one model.",
                           print_exception=False)
        columns = usecase.RecommenderColumns(user=user_col, item=item_col, event=event_col or None)
        plan = usecase.recommender_plan(app.services, name, columns, models=tuple(chosen))
        report = usecase.train_recommenders(app.services, plan, progress=_shown(progress)).report
        best = report.best
        summary = (f"✅ Trained {len(report.models)} model(s) on **{plan.asset}**; best on {report.primary_metric}: "
                   f"**{best.name if best else 'none'}**" + (f" (`{best.model_id}`)." if best else "."))
        return (summary, *load(current),
                _recommender_choices(usecase.list_models(app.services), best.model_id if best else None))

    f.asset.change(pick_asset, [f.asset], [f.user, f.item, f.event], api_name="recommend_columns")
    f.train.click(train, [f.asset, f.user, f.item, f.event, f.algorithms, listing.metric],
                  [f.trained, *listing.outputs, for_user.model], api_name="train_recommenders")


def _wire_for_user(app: AppContext, tab: gr.Tab, f: _ForUser) -> None:
    @readable
    def recommend(model_id: str | None, who: str, count: float):
        if not model_id or not who.strip():
            raise gr.Error("Pick a recommender and type a user id.", print_exception=False)
        try:
            found = usecase.recommend_for_user(app.services, who, model_id, int(count))
        except StocktakeError as exc:  # an unknown user: say so, and leave no other user's list on screen
            gr.Warning(web_message(exc))
            return frame([], RECOMMENDATION_COLUMNS)
        return recommendation_rows(found.items, found.titles)

    def refresh_recommenders():
        return _recommender_choices(usecase.list_models(app.services))

    tab.select(refresh_recommenders, None, [f.model], api_name=False)
    f.recommend.click(recommend, [f.model, f.user, f.n], [f.recommended], api_name="recommend")


def _refresh_assets(app: AppContext):
    def refresh_assets():  # assets ingested since the page loaded; each dropdown keeps its value
        names = app.catalog.names()
        return gr.Dropdown(choices=names), gr.Dropdown(choices=names)

    return refresh_assets


def _shown(progress: gr.Progress):
    """The engines' ``progress(step, done, total)`` drawn on the page's bar."""
    return lambda step, done, total: progress((done, total), desc=step)


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
        if not name:
            return gr.Dropdown(choices=[], value=[]), gr.Dropdown(choices=[], value=None)
        columns = [c.name for c in app.catalog.get(name).columns]
        text, label = usecase.guess_text_and_label(columns)
        return gr.Dropdown(choices=columns, value=[text] if text else []), gr.Dropdown(choices=columns, value=label)

    def labelled(name: str | None, text_cols: list[str] | None, label_col: str | None) -> usecase.TextColumns:
        if not (name and text_cols and label_col):
            raise gr.Error("Pick the asset, at least one text column and the label column.", print_exception=False)
        return usecase.classifier_columns(app.services, name, text_cols, label_col)

    @readable
    def train(name, text_cols, label_col, epochs, max_rows, max_length, current, progress=gr.Progress()):
        from stocktake.tools.classify.settings import ClassifySettings

        columns = labelled(name, text_cols, label_col)
        if None in (epochs, max_rows, max_length):  # the form checks their ranges, not that they are filled in
            raise gr.Error("Fill in the epochs, max rows and max length.", print_exception=False)
        settings = ClassifySettings(epochs=int(epochs), max_rows=int(max_rows), max_length=int(max_length))
        progress(0, desc="Preparing the rows and the TF-IDF baseline")
        report = usecase.train_classifier(app.services, columns, settings, progress=_shown(progress)).to_dict()
        return (classifier_summary(report), per_class_rows(report),
                chart_confusion(report["labels"], report["confusion"], form), *load(current))

    @readable
    def audit(name, text_cols, label_col, progress=gr.Progress()):
        columns = labelled(name, text_cols, label_col)
        found = usecase.audit_labels(app.services, columns, progress=_shown(progress))
        report = found.report
        summary = (f"🔎 {len(report.suspects):,} of {report.rows:,} labels of **{columns.asset}**.{columns.label} "
                   f"look wrong ({report.method}, {report.folds}-fold, {report.seconds:.1f} s); saved for the "
                   "profiler and the cleaning tab.")
        return summary, suspect_rows(report.to_dict(), found.texts)

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
