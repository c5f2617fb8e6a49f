"""Classification metrics in one plain, JSON-ready shape."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Metrics:
    accuracy: float
    macro_f1: float
    per_class: dict  # label -> {precision, recall, f1, support}
    confusion: list  # rows: true label, columns: predicted label, in the order of ``labels``
    labels: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"accuracy": self.accuracy, "macro_f1": self.macro_f1, "per_class": self.per_class,
                "confusion": self.confusion, "labels": list(self.labels)}


def score_predictions(y_true: np.ndarray, y_pred: np.ndarray, classes: tuple[str, ...]) -> Metrics:
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    ids = list(range(len(classes)))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=ids, zero_division=0)
    per_class = {c: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                     "f1": round(float(f[i]), 4), "support": int(s[i])} for i, c in enumerate(classes)}
    present = s > 0  # a class absent from this split would pull macro-F1 down for no reason
    return Metrics(
        accuracy=round(float(accuracy_score(y_true, y_pred)), 4),
        macro_f1=round(float(np.mean(f[present])) if present.any() else 0.0, 4),
        per_class=per_class,
        confusion=confusion_matrix(y_true, y_pred, labels=ids).tolist(),
        labels=classes,
    )
