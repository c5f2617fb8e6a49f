"""Fine-tune a BERT-family encoder for text classification, next to a TF-IDF + LR baseline on the same split."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from stocktake.registry import ModelRegistry
from stocktake.tools.classify.baseline import build_baseline
from stocktake.tools.classify.card import write_model_card
from stocktake.tools.classify.data import LabelledTexts, Split, class_weights, encode_labels, split_stratified
from stocktake.tools.classify.encoder import (
    Encoded, autocast, base_model_path, forward, length_grouped_batches, load_with_new_head, predict_proba,
    resolve_device, tokenize,
)
from stocktake.tools.classify.metrics import Metrics, score_predictions
from stocktake.tools.classify.reports import ClassifierReport
from stocktake.tools.classify.settings import ClassifySettings
from stocktake.tools.progress import Progress, no_progress, prefixed

TASK = "classifier"


def train_classifier(df: pd.DataFrame, text_cols: list[str], label_col: str,
                     settings: ClassifySettings = ClassifySettings(), registry: ModelRegistry | None = None,
                     asset: str | None = None, asset_version: int | None = None,
                     progress: Progress = no_progress) -> ClassifierReport:
    """Train, evaluate against the baseline, and (with a registry) save the model with its card."""
    data = encode_labels(df, text_cols, label_col, settings.max_rows, settings.split.seed, settings.labels)
    split = split_stratified(data.labels, settings.split)
    device = resolve_device(settings.device)
    path = base_model_path(settings.base_model)
    progress("TF-IDF baseline", 0, None)
    baseline = _score_baseline(data, split, settings)
    run = _fine_tune(path, data, split, settings, device, progress)
    start = _sync(device)
    probs = predict_proba(run.model, run.encoded.take(split.test), settings.eval_batch_tokens, device,
                          prefixed(progress, "test rows"))
    infer_s = _sync(device) - start
    test = score_predictions(data.labels[split.test], probs.argmax(1), data.classes)
    params = _params(settings, path, text_cols, label_col)
    progress("saving", 0, None)
    model_id, folder = _save(registry, run, path)
    report = ClassifierReport(
        model_id=model_id, path=str(folder) if folder else None, asset=asset, asset_version=asset_version,
        base_model=path, text_cols=tuple(text_cols), label_col=label_col,
        rows={"train": len(split.train), "val": len(split.val), "test": len(split.test),
              "dropped_unlabelled": data.dropped},
        test=test, baseline=baseline, epochs_run=run.epochs_run, best_epoch=run.best_epoch,
        best_val_macro_f1=run.best_val, device=device.type, train_seconds=round(run.train_s, 2),
        train_samples_per_s=round(run.samples / run.train_s, 1),
        end_to_end_samples_per_s=round(run.samples / run.total_s, 1),
        inference_samples_per_s=round(len(split.test) / infer_s, 1), params=params,
    )
    if registry is not None:
        write_model_card(folder, report)
        registry.record(model_id, task=TASK, algorithm=_algorithm(path), asset=asset or "(dataframe)",
                        asset_version=asset_version, metrics=_registry_metrics(report), params=params)
    return report


def _score_baseline(data: LabelledTexts, split: Split, settings: ClassifySettings) -> Metrics:
    model = build_baseline(settings.baseline, balanced=settings.class_weights)
    model.fit([data.texts[i] for i in split.train], data.labels[split.train])
    predicted = model.predict([data.texts[i] for i in split.test])
    return score_predictions(data.labels[split.test], predicted, data.classes)


class _Run:
    """The trained model and what its loop measured."""

    def __init__(self, model, tokenizer, encoded: Encoded):
        self.model, self.tokenizer, self.encoded = model, tokenizer, encoded
        self.epochs_run = self.best_epoch = self.samples = 0
        self.best_val = -1.0
        self.train_s = self.total_s = 0.0


def _fine_tune(path: str, data: LabelledTexts, split: Split, settings: ClassifySettings,
               device: torch.device, progress: Progress) -> _Run:
    from transformers import AutoTokenizer

    progress("loading the base model", 0, None)
    torch.manual_seed(settings.split.seed)
    model = load_with_new_head(path, list(data.classes)).to(device)
    tokenizer = AutoTokenizer.from_pretrained(path)
    progress("tokenizing", 0, None)
    start = _sync(device)
    run = _Run(model, tokenizer, tokenize(tokenizer, data.texts, settings.max_length).to(device))
    y = torch.as_tensor(data.labels, device=device)
    weights = class_weights(data.labels[split.train], len(data.classes)) if settings.class_weights else None
    loss_fn = torch.nn.CrossEntropyLoss(
        weight=None if weights is None else torch.as_tensor(weights, dtype=torch.float32, device=device))
    steps_per_epoch = math.ceil(len(split.train) / settings.batch_size)
    optimizer, scheduler = make_optimizer(model, settings, steps_per_epoch * settings.epochs)
    val = run.encoded.take(split.val)
    rng = np.random.default_rng(settings.split.seed)
    best_state, stale = None, 0
    for epoch in range(1, settings.epochs + 1):
        tick = _sync(device)
        model.train()
        batches = _epoch_batches(split.train, run.encoded.lengths, settings, rng)
        for step, (ids, mask, index) in enumerate(run.encoded.batches(batches), 1):
            train_step(model, ids, mask, y[index], loss_fn, optimizer, scheduler, device)
            progress(f"epoch {epoch}/{settings.epochs} (batches)", step, len(batches))
        run.train_s += _sync(device) - tick
        run.samples += len(split.train)
        run.epochs_run = epoch
        val_probs = predict_proba(model, val, settings.eval_batch_tokens, device,
                                  prefixed(progress, f"epoch {epoch}/{settings.epochs}, validation rows"))
        val_f1 = score_predictions(data.labels[split.val], val_probs.argmax(1), data.classes).macro_f1
        if val_f1 > run.best_val:
            run.best_val, run.best_epoch, stale = val_f1, epoch, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            stale += 1
            if stale >= settings.patience:
                break
    run.total_s = _sync(device) - start
    model.load_state_dict(best_state)
    return run


def _epoch_batches(positions: np.ndarray, lengths: np.ndarray, settings: ClassifySettings,
                   rng: np.random.Generator) -> list[np.ndarray]:
    if settings.group_by_length:
        return length_grouped_batches(positions, lengths, settings.batch_size, rng)
    return np.split(rng.permutation(positions), range(settings.batch_size, len(positions), settings.batch_size))


def train_step(model, ids: torch.Tensor, mask: torch.Tensor | None, targets: torch.Tensor, loss_fn,
               optimizer, scheduler, device: torch.device) -> None:
    """One optimiser step; it never reads a value back from the GPU, so the host can run ahead of it."""
    with autocast(device):
        logits = forward(model, ids, mask).logits
    loss_fn(logits.float(), targets).backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)


def make_optimizer(model, settings: ClassifySettings, total_steps: int):
    """AdamW (no decay on biases and norms) with linear warm-up and decay."""
    decay = [p for p in model.parameters() if p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.ndim <= 1]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": settings.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=settings.learning_rate, fused=True,  # one kernel per step, and no step count read back per tensor
    )
    warmup = max(1, int(total_steps * settings.warmup_fraction))

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)


def _sync(device: torch.device) -> float:
    """A timestamp taken after the GPU has finished the work queued so far."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter()


def _save(registry: ModelRegistry | None, run: _Run, base: str) -> tuple[str | None, Path | None]:
    if registry is None:
        return None, None
    model_id, folder = registry.new_dir(TASK, _algorithm(base))
    run.model.save_pretrained(folder)
    run.tokenizer.save_pretrained(folder)
    return model_id, folder


def _algorithm(base: str) -> str:
    return "minilm" if "minilm" in base.lower() else "bert"


def _params(settings: ClassifySettings, base: str, text_cols: list[str], label_col: str) -> dict:
    return {"base_model": base, "text_cols": list(text_cols), "label_col": label_col,
            "epochs": settings.epochs, "batch_size": settings.batch_size, "learning_rate": settings.learning_rate,
            "max_length": settings.max_length, "max_rows": settings.max_rows,
            "class_weights": settings.class_weights, "group_by_length": settings.group_by_length,
            "seed": settings.split.seed}


def _registry_metrics(report: ClassifierReport) -> dict:
    return {"accuracy": report.accuracy, "macro_f1": report.macro_f1,
            "baseline_accuracy": report.baseline.accuracy, "baseline_macro_f1": report.baseline.macro_f1,
            "labels": list(report.test.labels), "rows": report.rows}
