"""Batched inference with a registered classifier, and writing predictions back as a new asset version."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch

from stocktake.catalog import Asset, Catalog
from stocktake.errors import StocktakeError
from stocktake.registry import ModelRecord, ModelRegistry
from stocktake.tools.classify.data import assemble_texts
from stocktake.tools.classify.encoder import predict_proba, prepare_for_inference, resolve_device, tokenize
from stocktake.tools.classify.reports import PredictionResult
from stocktake.tools.progress import Progress, no_progress


def classifier_record(registry: ModelRegistry, model_id: str) -> ModelRecord:
    """The registry record of a classifier; any other model (a recommender) is a clear error."""
    record = registry.get(model_id)
    if record.task != "classifier":
        raise StocktakeError(f"Model '{model_id}' is a {record.task}, not a classifier. "
                             "See `stocktake models` for the classifiers.")
    return record


def load_classifier(registry: ModelRegistry, model_id: str, device: torch.device):
    """The model, its tokenizer and its registry record."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    record = classifier_record(registry, model_id)
    if not (record.path / "config.json").is_file():
        raise StocktakeError(f"The files of model '{model_id}' are missing from {record.path}; train it again.")
    try:  # safetensors only: a pickled weights file put in the folder is refused, never unpickled
        model = AutoModelForSequenceClassification.from_pretrained(record.path, dtype=torch.float32,
                                                                   use_safetensors=True).to(device)
        tokenizer = AutoTokenizer.from_pretrained(record.path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StocktakeError(f"The files of model '{model_id}' in {record.path} cannot be loaded "
                             f"({type(exc).__name__}: {str(exc)[:200]}); train it again.") from None
    return prepare_for_inference(model, device), tokenizer, record


def predict_labels(registry: ModelRegistry, model_id: str, df: pd.DataFrame, text_cols: list[str],
                   batch_tokens: int | None = None, device: str = "auto",
                   progress: Progress = no_progress) -> PredictionResult:
    """Predicted label and its probability for every row; rows with no text get None and NaN."""
    classifier_record(registry, model_id)  # the wrong kind of model is the first thing to say
    texts = assemble_texts(df, text_cols)
    dev = resolve_device(device)
    model, tokenizer, record = load_classifier(registry, model_id, dev)
    has_text = np.array([bool(t) for t in texts], dtype=bool)
    start = time.perf_counter()
    encoded = tokenize(tokenizer, [t for t, ok in zip(texts, has_text) if ok], _max_length(record))
    probs = predict_proba(model, encoded, batch_tokens, dev, progress)
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    seconds = time.perf_counter() - start
    names = np.array([model.config.id2label[i] for i in range(model.config.num_labels)], dtype=object)
    labels = np.full(len(texts), None, dtype=object)
    labels[has_text] = names[probs.argmax(axis=1)]
    confidences = np.full(len(texts), np.nan)
    confidences[has_text] = probs.max(axis=1)
    return PredictionResult(model_id=model_id, label_col=record.params.get("label_col", "label"),
                            labels=labels.tolist(), confidences=confidences, rows=len(texts),
                            seconds=round(seconds, 3), samples_per_s=round(len(probs) / max(seconds, 1e-9), 1),
                            device=dev.type)


def add_predictions(catalog: Catalog, asset: str, df: pd.DataFrame, result: PredictionResult,
                    text_cols: list[str], version: int | None = None) -> tuple[Asset, list[str]]:
    """Write ``predicted_<label>`` and its confidence as a new version of ``asset``; returns the new columns."""
    label_col = result.label_col
    label_name, conf_name = f"predicted_{label_col}", f"predicted_{label_col}_confidence"
    out = df.copy()
    out[label_name] = pd.array(result.labels, dtype="string")
    out[conf_name] = result.confidences.round(4)
    parent = catalog.get(asset, version).version
    new = catalog.add_version(
        asset, out, parent=parent, note=f"predicted {label_col} with classifier {result.model_id}",
        lineage={"operation": "classify.predict", "model_id": result.model_id, "text_cols": list(text_cols),
                 "columns_added": [label_name, conf_name], "parent_version": parent},
    )
    return new, [label_name, conf_name]


def _max_length(record: ModelRecord) -> int:
    return int(record.params.get("max_length", 128))
