"""`stocktake classify train|predict|audit` and `stocktake models`."""

from __future__ import annotations

import typer
from rich.table import Table

from stocktake.cli.common import engine_progress, out, print_json, services
from stocktake.cli.confirm import YES, ask_first
from stocktake.words import plural

classify = typer.Typer(no_args_is_help=True, help="Train, apply and audit text classifiers.")

TEXT_HELP = "Text column to read (repeat for several; they are joined)."


def register(app: typer.Typer) -> None:
    app.add_typer(classify, name="classify")
    app.command("models")(models)


@classify.command("train")
def train(
    ctx: typer.Context,
    asset: str = typer.Argument(..., help="Catalog asset with the texts and labels."),
    text: list[str] = typer.Option(..., "--text", metavar="COL", help=TEXT_HELP),
    label: str = typer.Option(..., "--label", help="Column holding the class label."),
    base_model: str = typer.Option(None, "--base-model",
                                   help="Local Hugging Face checkpoint (default all-MiniLM-L6-v2)."),
    epochs: int = typer.Option(3, "--epochs", min=1),
    max_length: int = typer.Option(32, "--max-length", min=4, help="Tokens per text; longer texts are cut."),
    max_rows: int = typer.Option(None, "--max-rows", min=10, help="Train on a stratified sample of this many rows."),
    batch_size: int = typer.Option(32, "--batch-size", min=1),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    yes: bool = YES,
) -> None:
    """Fine-tune an encoder to predict LABEL from TEXT, next to a TF-IDF baseline, and register the model."""
    from stocktake.tools.classify.settings import ClassifySettings
    from stocktake.usecases.models import classifier_columns, train_classifier

    found = services(ctx)
    columns = classifier_columns(found, asset, text, label)
    ask_first("train_classifier", {"asset": columns.asset}, yes)
    settings = ClassifySettings(base_model=base_model, epochs=epochs, max_length=max_length, max_rows=max_rows,
                                batch_size=batch_size, device=device)
    _quiet_transformers()
    with engine_progress(f"Training a classifier of {columns.label} on {columns.asset}") as report_progress:
        report = train_classifier(found, columns, settings, progress=report_progress)
    if as_json:
        print_json(report.to_dict())
        return
    out.print(f"Model [bold]{report.model_id}[/] saved in {report.path}")
    out.print(f"Test rows: {report.rows['test']}   accuracy {report.accuracy:.4f}   macro-F1 {report.macro_f1:.4f}"
              f"   (TF-IDF + LR baseline: accuracy {report.baseline.accuracy:.4f}, macro-F1 "
              f"{report.baseline.macro_f1:.4f})")
    table = Table("label", "precision", "recall", "F1", "support", title="Per class (test rows)")
    for name, m in report.test.per_class.items():
        table.add_row(name, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}", str(m["support"]))
    out.print(table)
    out.print(f"{plural(report.epochs_run, 'epoch')} on {report.device}, {report.train_samples_per_s:.0f} training samples/s; "
              f"model card: {report.path}/README.md")


@classify.command("predict")
def predict(
    ctx: typer.Context,
    model: str = typer.Argument(..., help="Model id (see `stocktake models`)."),
    asset: str = typer.Argument(..., help="Catalog asset to label."),
    text: list[str] = typer.Option(None, "--text", metavar="COL",
                                   help=TEXT_HELP + " Default: the model's training columns."),
    batch_tokens: int = typer.Option(None, "--batch-tokens", min=1,
                                     help="Most padded tokens per batch (default 1,024 on a CPU, 16,384 on a GPU)."),
    device: str = typer.Option("auto", "--device", help="auto, cpu or cuda."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    yes: bool = YES,
) -> None:
    """Add the predicted label and its confidence to ASSET as a new version."""
    from stocktake.usecases.models import predict_labels, prediction_columns

    found = services(ctx)
    columns = prediction_columns(found, model, asset, text)
    ask_first("predict_labels", {"asset": columns.asset, "model_id": model}, yes)
    _quiet_transformers()
    with engine_progress(f"Labelling {columns.asset} with {model}") as report_progress:
        labelled = predict_labels(found, model, columns, batch_tokens=batch_tokens, device=device,
                                  progress=report_progress)
    if as_json:
        print_json(labelled.to_dict())
        return
    result = labelled.result
    out.print(f"Labelled {result.rows} rows of '{columns.asset}' with {model}: new version {labelled.version} adds "
              f"{', '.join(labelled.added)} ({result.samples_per_s:.0f} rows/s on {result.device}).")


@classify.command("audit")
def audit(
    ctx: typer.Context,
    asset: str = typer.Argument(..., help="Catalog asset with the texts and labels."),
    text: list[str] = typer.Option(..., "--text", metavar="COL", help=TEXT_HELP),
    label: str = typer.Option(..., "--label", help="Column holding the labels to check."),
    method: str = typer.Option("tfidf", "--method", help="tfidf (fast) or embeddings (encoder + LR)."),
    folds: int = typer.Option(5, "--folds", min=2),
    top: int = typer.Option(20, "--top", min=1, help="Suspects to show (all are saved)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    yes: bool = YES,
) -> None:
    """Find rows whose LABEL is probably wrong, with the label the text suggests."""
    from stocktake.tools.classify.settings import AuditSettings
    from stocktake.usecases.models import audit_labels, classifier_columns

    found = services(ctx)
    columns = classifier_columns(found, asset, text, label)
    ask_first("audit_labels", {"asset": columns.asset, "label_column": columns.label}, yes)
    _quiet_transformers()
    with engine_progress(f"Auditing the {columns.label} labels of {columns.asset}") as report_progress:
        audited = audit_labels(found, columns, AuditSettings(method=method, folds=folds), progress=report_progress)
    report, path = audited.report, audited.saved_to
    if as_json:
        print_json(audited.to_dict())
        return
    out.print(f"{len(report.suspects):,} of {report.rows:,} labelled rows look mislabelled "
              f"({report.method}, {report.folds}-fold out-of-fold probabilities). Saved to {path}")
    table = Table("row", "given", "suggested", "confidence", title=f"Top {min(top, len(report.suspects))} suspects",
                  caption="row: position in the table, counting from 0 (the first data row is row 0)")
    for s in report.suspects[:top]:
        table.add_row(str(s.row), s.given, s.suggested, f"{s.confidence:.3f}")
    out.print(table)


def models(
    ctx: typer.Context,
    task: str = typer.Option(None, "--task", help="Only this task: classifier or recommender."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """List the registered models (classifiers and recommenders)."""
    from stocktake.usecases.models import list_models

    records = list_models(services(ctx), task)
    if as_json:
        print_json({"models": [r.to_dict() for r in records]})
        return
    if not records:
        out.print("No models yet. Train one with `stocktake classify train` or `stocktake recommend train`.")
        return
    table = Table("model id", "task", "algorithm", "asset", "key metrics", "created")
    for r in records:
        shown = {k: v for k, v in r.metrics.items() if isinstance(v, (int, float))}
        table.add_row(r.id, r.task, r.algorithm, f"{r.asset} v{r.asset_version}" if r.asset_version else r.asset,
                      ", ".join(f"{k} {v:.3g}" for k, v in list(shown.items())[:4]), r.created_at)
    out.print(table)


def _quiet_transformers() -> None:
    """Weight-loading reports and hub progress bars would drown the one bar the user needs."""
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
