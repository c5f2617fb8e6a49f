"""Train, tune and evaluate recommenders on one interactions table; save them in the model registry.

Tuning never sees the test split: each model's grid is scored on a validation split carved out of the
training pairs (the same kind of split), the best parameters are refitted on the whole training split and
evaluated once on the test split, by full ranking over all items with each user's training items excluded.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp

from stocktake.errors import Remedy, StocktakeError
from stocktake.registry import ModelRegistry
from stocktake.tools.progress import Progress, as_detail, no_progress, prefixed
from stocktake.tools.recommend.data import (
    Diagnostics, Interactions, build_interactions, diagnose_interactions, split_interactions,
)
from stocktake.tools.recommend.metrics import evaluate_ranking, top_k
from stocktake.tools.recommend.base import Recommender
from stocktake.tools.recommend.models import model_class
from stocktake.tools.recommend.spec import RecommendSpec

_RUNTIME_PARAMS = ("device", "threads")  # how a model was run, not what was learned: never recorded
_CHUNK = 2048  # users scored at once: bounds memory at chunk x items floats


@dataclass(frozen=True)
class ModelResult:
    name: str
    metrics: dict
    train_seconds: float  # fitting the chosen parameters on the training split
    tune_seconds: float  # the validation grid search before it
    params: dict
    model_id: str | None = None
    refit_seconds: float = 0.0  # fitting it again on every interaction before saving (spec.refit)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RecommendReport:
    diagnostics: Diagnostics
    evaluation: dict  # split method and sizes, evaluated and skipped users
    models: tuple[ModelResult, ...]
    primary_metric: str
    notes: tuple[str, ...] = field(default=())

    @property
    def best(self) -> ModelResult | None:
        return max(self.models, key=lambda m: m.metrics.get(self.primary_metric, -1.0), default=None)

    def to_dict(self) -> dict:
        return {"diagnostics": self.diagnostics.to_dict(), "evaluation": self.evaluation,
                "models": [m.to_dict() for m in self.models], "primary_metric": self.primary_metric,
                "best": self.best.name if self.best else None, "notes": list(self.notes)}


def train_recommenders(df: pd.DataFrame, spec: RecommendSpec, registry: ModelRegistry | None = None,
                       asset: str | None = None, asset_version: int | None = None,
                       progress: Progress = no_progress) -> RecommendReport:
    """Build the matrix, split it, tune/train/evaluate each model in ``spec.models`` and save them."""
    progress("reading the interactions", 0, None)
    inter = build_interactions(df, spec)
    diagnostics = diagnose_interactions(inter, spec.settings)
    split = split_interactions(inter, spec.split, spec.test_size, spec.seed)
    train, test = inter.matrix(split.train), inter.matrix(split.test)
    eval_users = evaluable_users(train, test)
    if len(eval_users) == 0:
        raise StocktakeError(
            f"No user has interactions on both sides of the {spec.split} split: all {inter.shape[0]:,} users are "
            f"cold-start ({diagnostics.cold_start_users:,} have fewer than {spec.settings.cold_threshold} "
            "interactions). Recommenders need users with repeat interactions;", Remedy("check-user-item"))
    validation = _validation(inter, split.train, spec)
    notes = [] if validation else ["too few interactions for a validation split: models use default parameters"]
    results = []
    for number, name in enumerate(spec.models, 1):
        skip = _skip_reason(name, inter, spec)
        if skip:
            notes.append(skip)
            continue
        steps = prefixed(progress, f"{name} ({number}/{len(spec.models)})")
        result, model = _train_one(name, train, test, eval_users, validation, spec, steps)
        if registry is not None:
            result = _save(registry, result, model, inter, spec, asset, asset_version, split, steps)
        results.append(result)
    return RecommendReport(diagnostics, _describe_split(spec, train, test, eval_users), tuple(results),
                           spec.primary_metric, tuple(notes))


def evaluable_users(train: sp.csr_matrix, test: sp.csr_matrix) -> np.ndarray:
    """Users with something to predict and something to predict from."""
    return np.flatnonzero((np.diff(test.indptr) > 0) & (np.diff(train.indptr) > 0))


def rank_items(model: Recommender, users: np.ndarray, history: sp.csr_matrix, k: int,
               progress: Progress = no_progress) -> np.ndarray:
    """The top-k items per user, never one the user already has in ``history``."""
    ranked = []
    for start in range(0, len(users), _CHUNK):
        chunk = users[start:start + _CHUNK]
        scores = np.array(model.score(chunk, history), dtype=np.float32)
        seen = history[chunk]
        scores[np.repeat(np.arange(len(chunk)), np.diff(seen.indptr)), seen.indices] = -np.inf
        ranked.append(top_k(scores, k))
        progress("users ranked", start + len(chunk), len(users))
    return np.vstack(ranked)


def evaluate_model(model: Recommender, train: sp.csr_matrix, test: sp.csr_matrix, ks: tuple[int, ...],
                   users: np.ndarray | None = None, progress: Progress = no_progress) -> dict:
    users = evaluable_users(train, test) if users is None else users
    ranked = rank_items(model, users, train, max(ks), progress)
    return evaluate_ranking(ranked, test[users], ks, train.shape[1])


def _describe_split(spec: RecommendSpec, train: sp.csr_matrix, test: sp.csr_matrix, eval_users: np.ndarray) -> dict:
    return {
        "split": spec.split, "test_size": spec.test_size, "ks": list(spec.ks),
        "train_interactions": int(train.nnz), "test_interactions": int(test.nnz),
        "evaluated_users": int(len(eval_users)),
        "test_users_without_training_history": int(((np.diff(test.indptr) > 0) & (np.diff(train.indptr) == 0)).sum()),
        "test_items_unseen_in_training": int(len(np.setdiff1d(test.indices, train.indices))),
    }


def _train_one(name, train, test, eval_users, validation, spec, progress) -> tuple[ModelResult, Recommender]:
    cls = model_class(name)
    base = {"seed": spec.seed, "device": spec.device, "threads": spec.settings.torch_threads}
    grid = cls.grid(spec.settings)
    params, tune_seconds = {**base, **grid[0]}, 0.0
    # A one-entry grid has nothing to choose, except the epoch count of a model trained in epochs.
    if spec.tune and validation and (len(grid) > 1 or cls.iterative):
        started = time.perf_counter()
        params = _tune(cls, base, validation, spec, progress)
        tune_seconds = time.perf_counter() - started
    started = time.perf_counter()
    model = _fit(cls(**params), train, "training", progress)
    train_seconds = time.perf_counter() - started
    metrics = evaluate_model(model, train, test, spec.ks, eval_users, prefixed(progress, "testing"))
    return ModelResult(name, metrics, round(train_seconds, 3), round(tune_seconds, 3),
                       {k: v for k, v in model.params.items() if k not in _RUNTIME_PARAMS}), model


def _fit(model: Recommender, matrix: sp.csr_matrix, step: str, progress: Progress) -> Recommender:
    """``model.fit``, reported epoch by epoch for the models trained in epochs."""
    if model.iterative:
        return model.fit(matrix, progress=prefixed(progress, step))
    progress(step, 0, 1)
    model.fit(matrix)
    progress(step, 1, 1)
    return model


def _tune(cls: type[Recommender], base: dict, validation, spec: RecommendSpec, progress: Progress) -> dict:
    """The grid entry (and, for epoch-trained models, the epoch count) with the best validation NDCG."""
    fit, held, users = validation
    k = spec.ks[0]

    def monitor(m):
        return evaluate_model(m, fit, held, (k,), users)[f"ndcg@{k}"]

    grid = cls.grid(spec.settings)
    best_score, best_params = -np.inf, None
    for done, params in enumerate(grid):
        progress("tuning (grid)", done, len(grid))
        model = cls(**base, **params).fit(fit, monitor if cls.iterative else None,
                                          as_detail(progress, "tuning (grid)", done, len(grid)))
        score = monitor(model)
        if score > best_score:
            best_score, best_params = score, model.params
    progress("tuning (grid)", len(grid), len(grid))
    return best_params


def _validation(inter: Interactions, train_mask: np.ndarray, spec: RecommendSpec):
    share = spec.settings.validation_size / (1 - spec.test_size)
    inner = split_interactions(inter, spec.split, min(share, 0.5), spec.seed + 1, within=train_mask)
    fit, held = inter.matrix(inner.train), inter.matrix(inner.test)
    users = evaluable_users(fit, held)
    return (fit, held, users) if len(users) else None


def _skip_reason(name: str, inter: Interactions, spec: RecommendSpec) -> str | None:
    if name == "ease" and inter.shape[1] > spec.settings.ease_max_items:
        return (f"ease skipped: {inter.shape[1]:,} items is more than {spec.settings.ease_max_items:,} "
                "(it inverts a dense items x items matrix)")
    return None


def _save(registry, result, model, inter, spec, asset, asset_version, split, progress) -> ModelResult:
    """Save the model (refitted on every interaction when ``spec.refit``) with what serving needs."""
    history, started = inter.matrix(split.train), time.perf_counter()
    if spec.refit:
        history = inter.matrix()
        refit = type(model)(**{**model.params, "device": spec.device})
        model = _fit(refit, history, "refitting on all interactions", progress)
    refit_seconds = time.perf_counter() - started if spec.refit else 0.0
    progress("saving", 0, None)
    model_id, folder = registry.new_dir("recommender", result.name)
    np.savez(folder / "state.npz", **model.state())
    sp.save_npz(folder / "history.npz", history)
    np.savez(folder / "labels.npz", users=inter.users, items=inter.items)
    (folder / "model.json").write_text(json.dumps({"algorithm": result.name, "params": result.params}, default=str))
    params = {**result.params, "user": spec.user, "item": spec.item, "split": spec.split,
              "test_size": spec.test_size, "refit_on_all": spec.refit}
    metrics = {**result.metrics, "train_seconds": result.train_seconds}
    registry.record(model_id, task="recommender", algorithm=result.name, asset=asset or "(dataframe)",
                    asset_version=asset_version, metrics=metrics, params=params)
    return replace(result, model_id=model_id, refit_seconds=round(refit_seconds, 3))
