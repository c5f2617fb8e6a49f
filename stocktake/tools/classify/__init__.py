"""Text classification engines: fine-tune an encoder, predict labels, audit given labels.

One call each (torch and transformers load only when the first two are used):

    train_classifier(df, text_cols, label_col, ClassifySettings(...), registry=None, asset=None,
                     asset_version=None, progress=no_progress) -> ClassifierReport
    predict_labels(registry, model_id, df, text_cols, batch_tokens=None) -> PredictionResult
    add_predictions(catalog, asset, df, result, text_cols) -> (Asset, new columns)
    audit_labels(df, text_cols, label_col, AuditSettings(...), asset=None, asset_version=None) -> AuditReport
    save_audit(ws, report) / load_audit(ws, asset) -> AuditReport | None

``progress`` is a callable ``(step: str, done: int, total: int | None) -> None`` (stocktake.tools.progress).
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "train_classifier": "train", "predict_labels": "predict", "add_predictions": "predict",
    "audit_labels": "audit", "save_audit": "audit", "load_audit": "audit",
    "ClassifySettings": "settings", "AuditSettings": "settings", "BaselineSettings": "settings",
    "SplitSettings": "settings", "ClassifierReport": "reports", "PredictionResult": "reports",
    "AuditReport": "reports", "Suspect": "reports",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
