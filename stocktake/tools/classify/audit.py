"""Label audit: rows whose given label is probably wrong, by confident learning on out-of-fold probabilities.

Every row is scored by a model that never saw it (k-fold). A class's threshold is the mean probability
the model gives that class on rows labelled with it (its self-confidence); a row is suspect when another
class clears its own threshold and beats the given label (Northcutt et al., "Confident Learning", 2021).
"""

from __future__ import annotations

import json
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from stocktake.catalog import Workspace, validate_name
from stocktake.errors import StocktakeError
from stocktake.files import write_atomic
from stocktake.tools.classify.baseline import build_baseline
from stocktake.tools.classify.data import LabelledTexts, encode_labels
from stocktake.tools.classify.reports import AuditReport, Suspect
from stocktake.tools.classify.settings import AuditSettings
from stocktake.tools.progress import Progress, no_progress

METHODS = ("tfidf", "embeddings")


def audit_labels(df: pd.DataFrame, text_cols: list[str], label_col: str,
                 settings: AuditSettings = AuditSettings(), asset: str | None = None,
                 asset_version: int | None = None, progress: Progress = no_progress) -> AuditReport:
    if settings.method not in METHODS:
        raise StocktakeError(f"Unknown audit method '{settings.method}'. Use one of: {', '.join(METHODS)}.")
    start = time.perf_counter()
    data = encode_labels(df, text_cols, label_col, settings=settings.labels)
    probs = out_of_fold_proba(data, settings, progress)
    thresholds = class_thresholds(probs, data.labels)
    suspects = find_suspects(probs, data, thresholds, settings.min_margin)
    if settings.max_suspects is not None:
        suspects = suspects[:settings.max_suspects]
    return AuditReport(
        asset=asset, asset_version=asset_version, text_cols=tuple(text_cols), label_col=label_col,
        method=settings.method, folds=_folds(data.labels, settings.folds), rows=len(data.labels),
        thresholds={c: round(float(t), 4) for c, t in zip(data.classes, thresholds)},
        suspects=tuple(suspects), seconds=round(time.perf_counter() - start, 2),
    )


def out_of_fold_proba(data: LabelledTexts, settings: AuditSettings,
                      progress: Progress = no_progress) -> np.ndarray:
    """Each row's class probabilities from a model fitted on the other folds."""
    from sklearn.model_selection import StratifiedKFold

    features, fit = _features(data, settings, progress)
    k = _folds(data.labels, settings.folds)
    probs = np.zeros((len(data.labels), len(data.classes)))
    folds = StratifiedKFold(n_splits=k, shuffle=True, random_state=settings.seed)
    progress("cross-validating (folds)", 0, k)
    with warnings.catch_warnings():
        # A class smaller than k is simply absent from some folds; its column stays 0 there.
        warnings.simplefilter("ignore", UserWarning)
        for i, (train, held_out) in enumerate(folds.split(np.zeros(len(data.labels)), data.labels), 1):
            model = fit(_take(features, train), data.labels[train])
            probs[np.ix_(held_out, model.classes_)] = model.predict_proba(_take(features, held_out))
            progress("cross-validating (folds)", i, k)
    return probs


def class_thresholds(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per class, the mean probability given to it on rows labelled with it."""
    k = probs.shape[1]
    sums = np.bincount(labels, weights=probs[np.arange(len(labels)), labels], minlength=k)
    counts = np.bincount(labels, minlength=k)
    return np.where(counts > 0, sums / np.maximum(counts, 1), 1.0)


def find_suspects(probs: np.ndarray, data: LabelledTexts, thresholds: np.ndarray,
                  min_margin: float = 0.0) -> list[Suspect]:
    """Rows whose confident class differs from the given one, the widest margin first."""
    above = probs >= thresholds[None, :]
    confident = np.where(above, probs, -1.0).argmax(axis=1)
    given_p = probs[np.arange(len(probs)), data.labels]
    suggested_p = probs[np.arange(len(probs)), confident]
    flagged = above.any(axis=1) & (confident != data.labels) & (suggested_p > given_p + min_margin)
    positions = np.flatnonzero(flagged)
    positions = positions[np.argsort(-(suggested_p - given_p)[positions], kind="stable")]
    return [Suspect(row=int(data.rows[i]), given=data.classes[data.labels[i]],
                    suggested=data.classes[confident[i]], confidence=round(float(suggested_p[i]), 4),
                    given_confidence=round(float(given_p[i]), 4)) for i in positions]


def _features(data: LabelledTexts, settings: AuditSettings, progress: Progress):
    """The rows as the fold models see them, and how to fit one fold's model."""
    from sklearn.linear_model import LogisticRegression

    if settings.method == "tfidf":
        return data.texts, lambda x, y: build_baseline(settings.baseline).fit(x, y)
    from stocktake.tools.classify.encoder import base_model_path, embed_texts, resolve_device

    vectors = embed_texts(base_model_path(settings.base_model), data.texts, settings.max_length,
                          settings.batch_tokens, resolve_device(settings.device), progress)
    return vectors, lambda x, y: LogisticRegression(C=settings.baseline.c, max_iter=settings.baseline.max_iter,
                                                    class_weight="balanced").fit(x, y)


def _take(features, positions: np.ndarray):
    return features[positions] if isinstance(features, np.ndarray) else [features[i] for i in positions]


def _folds(labels: np.ndarray, wanted: int) -> int:
    if wanted < 2:
        raise StocktakeError(f"An audit needs at least 2 folds (got {wanted}).")
    return max(2, min(wanted, len(labels) // 2))


def audit_path(ws: Workspace, asset: str) -> Path:
    validate_name(asset)
    return ws.dir("cache") / "audit" / f"{asset}.json"


def save_audit(ws: Workspace, report: AuditReport) -> Path:
    """Write the audit where the profiler and cleaning engines look for ``suspected_mislabel`` rows."""
    if report.asset is None:
        raise StocktakeError("Only an audit of a catalog asset can be saved; pass asset=.")
    path = audit_path(ws, report.asset)
    write_atomic(path, json.dumps(report.to_dict(), indent=1, ensure_ascii=False))
    return path


def load_audit(ws: Workspace, asset: str) -> AuditReport | None:
    """The last saved audit of ``asset``, or None; check ``asset_version`` against the current version."""
    path = audit_path(ws, asset)
    try:
        return AuditReport.from_dict(json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else None
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None  # damaged or not written here: as if there were no audit (running it again rewrites it)
