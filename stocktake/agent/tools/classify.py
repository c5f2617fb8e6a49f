"""Tools over the text classifier (stocktake.usecases.models): train, predict and audit given labels (each saves
something: needs confirmation)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stocktake.agent.context import ToolContext
from stocktake.agent.guard import quote_value
from stocktake.agent.progress import tool_progress
from stocktake.agent.tools.base import agent_tool, lines
from stocktake.tools.classify.settings import ClassifySettings
from stocktake.usecases import models as usecase

if TYPE_CHECKING:
    from langchain.tools import ToolRuntime


@agent_tool(action="train_classifier")
def train_text_classifier(asset: str, text_column: str | None = None,
                          label_column: str | None = None, epochs: int = 2,
                          max_rows: int = 3000, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Fine-tune the BERT-family encoder to predict a label (e.g. category) from text (saves a model: needs confirmation).

    Args:
        asset: The asset with the text, e.g. products.
        text_column: Column with the text, e.g. title; guessed when empty.
        label_column: Column with the label, e.g. category; guessed when empty.
        epochs: Training epochs (about 40 samples per second per epoch on a CPU).
        max_rows: Train on at most this many rows (stratified sample), to keep CPU runs to minutes.
    """
    columns = usecase.classifier_columns(runtime.context, asset, _given(text_column), label_column)
    report = usecase.train_classifier(runtime.context, columns, ClassifySettings(epochs=epochs, max_rows=max_rows),
                                      progress=tool_progress(runtime.config))
    d = report.to_dict()
    text_out = (f"Trained {report.model_id} on {columns.asset} ({', '.join(columns.text)} → {columns.label}, "
                f"{len(d['labels'])} classes): accuracy {d['accuracy']:.3f}, macro-F1 {d['macro_f1']:.3f} vs TF-IDF "
                f"baseline {d['baseline_macro_f1']:.3f} on the same test rows ({d['device']}, "
                f"{d['train_seconds']:.0f}s).")
    return text_out, d


@agent_tool(action="predict_labels")
def predict_labels(model_id: str, asset: str, text_column: str | None = None, *,
                   runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Add a trained classifier's predicted label and confidence as a new version of an asset (needs confirmation).

    Args:
        model_id: A trained classifier's id (see the models list).
        asset: The asset to label.
        text_column: Column with the text; guessed when empty.
    """
    columns = usecase.prediction_columns(runtime.context, model_id, asset, _given(text_column))
    found = usecase.predict_labels(runtime.context, model_id, columns, progress=tool_progress(runtime.config))
    return (f"Added {', '.join(found.added)} to {columns.asset} as version {found.version} "
            f"({found.result.samples_per_s:.0f} rows/s)."), found.to_dict()


@agent_tool(action="audit_labels")
def audit_labels(asset: str, text_column: str | None = None,
                 label_column: str | None = None, *, runtime: ToolRuntime[ToolContext]) -> tuple[str, dict]:
    """Find rows whose given label (e.g. category) is probably wrong, with a suggested label (trains a model and
    saves the audit: needs confirmation).

    Args:
        asset: The asset to audit, e.g. products.
        text_column: Column with the text, e.g. title; guessed when empty.
        label_column: Column with the given label, e.g. category; guessed when empty.
    """
    columns = usecase.classifier_columns(runtime.context, asset, _given(text_column), label_column)
    found = usecase.audit_labels(runtime.context, columns, progress=tool_progress(runtime.config))
    report = found.report
    shown = lines(f"- row {s.row} {quote_value(found.names[s.row])}: {quote_value(s.given)} → "
                  f"{quote_value(s.suggested)} ({s.confidence:.0%})" for s in report.suspects)
    data = found.to_dict()
    data["suspects"] = [{**d, "title": found.names[s.row]} for d, s in zip(data["suspects"], report.suspects)]
    return (f"{len(report.suspects)} of {report.rows:,} labels of {columns.asset}.{columns.label} look wrong "
            f"({report.method}, {report.folds}-fold):\n{shown}"), data


TOOLS = [train_text_classifier, predict_labels, audit_labels]


def _given(column: str | None) -> list[str] | None:
    return [column] if column else None
