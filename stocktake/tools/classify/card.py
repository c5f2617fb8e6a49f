"""The model card: a README.md beside the weights that says what the model was trained on and how well it does."""

from __future__ import annotations

from pathlib import Path

from stocktake.catalog import now_iso
from stocktake.tools.classify.reports import ClassifierReport


def write_model_card(folder: Path, report: ClassifierReport) -> Path:
    path = Path(folder) / "README.md"
    path.write_text(render_model_card(report), encoding="utf-8")
    return path


def render_model_card(report: ClassifierReport) -> str:
    labels = report.test.labels
    source = f"`{report.asset}` version {report.asset_version}" if report.asset else "an in-memory table"
    lines = [
        f"# Text classifier `{report.model_id}`",
        "",
        f"- Date: {now_iso()}",
        f"- Task: predict `{report.label_col}` from {', '.join(f'`{c}`' for c in report.text_cols)}",
        f"- Data: {source}; rows: {report.rows['train']} train, {report.rows['val']} validation, "
        f"{report.rows['test']} test (stratified; {report.rows['dropped_unlabelled']} unlabelled rows left out)",
        f"- Base model: `{report.base_model}`, fine-tuned for sequence classification "
        f"({report.epochs_run} epochs run, best at epoch {report.best_epoch}, on {report.device})",
        f"- Labels ({len(labels)}): {', '.join(labels)}",
        "",
        "## Test metrics",
        "",
        "| model | accuracy | macro-F1 |",
        "|---|---|---|",
        f"| this model | {report.test.accuracy:.4f} | {report.test.macro_f1:.4f} |",
        f"| TF-IDF + logistic regression (same split) | {report.baseline.accuracy:.4f} | "
        f"{report.baseline.macro_f1:.4f} |",
        "",
        "| label | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
        *(f"| {c} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |"
          for c, m in report.test.per_class.items()),
        "",
        "## Confusion matrix (rows: true label, columns: predicted, same order as the labels above)",
        "",
        "```",
        *(" ".join(f"{n:6d}" for n in row) for row in report.test.confusion),
        "```",
        "",
        "## Training parameters",
        "",
        *(f"- {k}: {v}" for k, v in report.params.items()),
        "",
        "## Limits",
        "",
        "Trained only on the labels above; text from another shop, language or category tree needs a new model. "
        "Scores are on one held-out split of the same data, not on future data.",
        "",
    ]
    return "\n".join(lines)
