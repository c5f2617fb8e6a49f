"""Tools over the text classifier: train, predict and audit given labels (each saves something: needs confirmation)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from stocktake.agent.context import ToolContext
from stocktake.agent.progress import tool_progress
from stocktake.agent.guard import quote_value
from stocktake.agent.tools.base import agent_tool, lines
from stocktake.errors import StocktakeError

if TYPE_CHECKING:
    from langchain.tools import ToolRuntime

_TEXT = (r"^(product_)?title$", r"^(product_)?name$", r"title", r"review_?text", r"text", r"description", r"name")
_LABEL = (r"^category$", r"category_?label", r"category", r"label", r"class", r"genre")


def guess_text_and_label(columns: list[str]) -> tuple[str | None, str | None]:
    """The likeliest text and label columns, from their names."""
    def pick(patterns, taken=()):
        return next((c for p in patterns for c in columns if c not in taken and re.search(p, c, re.I)), None)

    label = pick(_LABEL)
    return pick(_TEXT, (label,)), label


def _columns_for(ctx: ToolContext, asset: str, text_column: str | None, label_column: str | None, need_label: bool = True):
    a = ctx.asset(asset)
    names = [c.name for c in a.columns]
    guess_text, guess_label = guess_text_and_label(names)
    text = ctx.column(a.name, text_column) if text_column else guess_text
    label = ctx.column(a.name, label_column) if label_column else guess_label
    if not text or (need_label and not label):
        raise StocktakeError(f"Can't tell which columns of {a.name} hold the text and the label; pass "
                             f"text_column and label_column. Columns: {', '.join(names)}.")
    return a, text, label


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
    from stocktake.tools import classify as engine

    ctx = runtime.context
    a, text, label = _columns_for(ctx, asset, text_column, label_column)
    settings = engine.ClassifySettings(epochs=epochs, max_rows=max_rows)
    report = engine.train_classifier(ctx.catalog.load(a.name), [text], label, settings, ctx.registry,
                                     asset=a.name, asset_version=a.version, progress=tool_progress(runtime.config))
    d = report.to_dict()
    text_out = (f"Trained {report.model_id} on {a.name} ({text} → {label}, {len(d['labels'])} classes): "
                f"accuracy {d['accuracy']:.3f}, macro-F1 {d['macro_f1']:.3f} vs TF-IDF baseline "
                f"{d['baseline_macro_f1']:.3f} on the same test rows ({d['device']}, {d['train_seconds']:.0f}s).")
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
    from stocktake.tools import classify as engine

    ctx = runtime.context
    a, text, _ = _columns_for(ctx, asset, text_column, None, need_label=False)
    df = ctx.catalog.load(a.name)
    result = engine.predict_labels(ctx.registry, model_id, df, [text], progress=tool_progress(runtime.config))
    new, columns = engine.add_predictions(ctx.catalog, a.name, df, result, [text])
    return (f"Added {', '.join(columns)} to {new.name} as version {new.version} "
            f"({result.to_dict().get('samples_per_s', 0):.0f} rows/s)."), {"asset": new.to_dict(), "columns": columns}


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
    from stocktake.tools import classify as engine
    from stocktake.tools.recommend import titles

    ctx = runtime.context
    a, text, label = _columns_for(ctx, asset, text_column, label_column)
    df = ctx.catalog.load(a.name)
    report = engine.audit_labels(df, [text], label, asset=a.name, asset_version=a.version,
                                 progress=tool_progress(runtime.config))
    engine.save_audit(ctx.catalog.ws, report)
    # A row number alone says nothing to a person: name each row by its title (or else its text).
    named = df[titles.title_column(list(df.columns)) or text].astype("string").fillna("")
    shown = lines(f"- row {s.row} {quote_value(named.iat[s.row])}: {quote_value(s.given)} → "
                  f"{quote_value(s.suggested)} ({s.confidence:.0%})" for s in report.suspects)
    data = report.to_dict()
    data["suspects"] = [{**d, "title": named.iat[s.row]} for d, s in zip(data["suspects"], report.suspects)]
    return (f"{len(report.suspects)} of {report.rows:,} labels of {a.name}.{label} look wrong "
            f"({report.method}, {report.folds}-fold):\n{shown}"), data


TOOLS = [train_text_classifier, predict_labels, audit_labels]
