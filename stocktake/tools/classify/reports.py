"""What the classify engines return: frozen, JSON-ready results (no torch needed to read them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from stocktake.tools.classify.metrics import Metrics


@dataclass(frozen=True)
class ClassifierReport:
    model_id: str | None  # None when the model was not saved in a registry
    path: str | None
    asset: str | None
    asset_version: int | None
    base_model: str
    text_cols: tuple[str, ...]
    label_col: str
    rows: dict  # train, val, test, dropped (label missing)
    test: Metrics  # the fine-tuned encoder on the held-out test rows
    baseline: Metrics  # TF-IDF + LR, trained on the same train rows, scored on the same test rows
    epochs_run: int
    best_epoch: int
    best_val_macro_f1: float
    device: str
    train_seconds: float
    train_samples_per_s: float  # training steps alone
    end_to_end_samples_per_s: float  # tokenising, moving data, training and validation included
    inference_samples_per_s: float  # on the test rows
    params: dict

    @property
    def accuracy(self) -> float:
        return self.test.accuracy

    @property
    def macro_f1(self) -> float:
        return self.test.macro_f1

    def to_dict(self) -> dict:
        return {
            "model_id": self.model_id, "path": self.path, "asset": self.asset, "asset_version": self.asset_version,
            "base_model": self.base_model, "text_cols": list(self.text_cols), "label_col": self.label_col,
            "labels": list(self.test.labels), "rows": self.rows,
            "accuracy": self.test.accuracy, "macro_f1": self.test.macro_f1,
            "baseline_accuracy": self.baseline.accuracy, "baseline_macro_f1": self.baseline.macro_f1,
            "per_class": self.test.per_class, "confusion": self.test.confusion,
            "baseline_per_class": self.baseline.per_class,
            "epochs_run": self.epochs_run, "best_epoch": self.best_epoch,
            "best_val_macro_f1": self.best_val_macro_f1, "device": self.device,
            "train_seconds": self.train_seconds, "train_samples_per_s": self.train_samples_per_s,
            "end_to_end_samples_per_s": self.end_to_end_samples_per_s,
            "inference_samples_per_s": self.inference_samples_per_s, "params": self.params,
        }


@dataclass(frozen=True)
class PredictionResult:
    model_id: str
    label_col: str  # the column the model was trained to predict
    labels: list[str]  # one per input row; None where the row had no text
    confidences: np.ndarray  # probability of the predicted label
    rows: int
    seconds: float
    samples_per_s: float
    device: str

    def to_dict(self) -> dict:
        counts: dict[str, int] = {}
        for label in self.labels:
            if label is not None:
                counts[label] = counts.get(label, 0) + 1
        return {"model_id": self.model_id, "label_col": self.label_col, "rows": self.rows, "seconds": self.seconds,
                "samples_per_s": self.samples_per_s, "device": self.device,
                "mean_confidence": round(float(np.nanmean(self.confidences)), 4) if counts else None,
                "predicted_counts": dict(sorted(counts.items(), key=lambda kv: -kv[1]))}


@dataclass(frozen=True)
class Suspect:
    row: int  # 0-based row position in the audited asset version
    given: str
    suggested: str
    confidence: float  # out-of-fold probability of the suggested label
    given_confidence: float  # out-of-fold probability of the given label


@dataclass(frozen=True)
class AuditReport:
    asset: str | None
    asset_version: int | None
    text_cols: tuple[str, ...]
    label_col: str
    method: str
    folds: int
    rows: int  # labelled rows audited
    thresholds: dict  # label -> mean self-confidence (the confident-learning threshold)
    suspects: tuple[Suspect, ...]  # widest margin (suggested minus given probability) first
    seconds: float

    def to_dict(self) -> dict:
        data = asdict(self)
        data["text_cols"] = list(self.text_cols)
        data["suspects"] = [asdict(s) for s in self.suspects]
        data["n_suspects"] = len(self.suspects)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> AuditReport:
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["text_cols"] = tuple(fields["text_cols"])
        fields["suspects"] = tuple(Suspect(**s) for s in fields["suspects"])
        return cls(**fields)
