"""Top-K ranking metrics, computed from a hits matrix (users x K: was the item at rank r relevant?).

Definitions follow RecBole and Microsoft Recommenders: relevance is binary; Recall@K divides by all of the
user's test items; NDCG@K divides by the ideal DCG of min(K, relevant) hits; MAP@K averages precision at
each hit over min(K, relevant); MRR@K is the reciprocal rank of the first hit within K (0 without one).
Every metric is averaged over the evaluated users.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp


def precision_at_k(hits: np.ndarray, n_relevant: np.ndarray, k: int) -> float:
    return float(np.mean(hits[:, :k].sum(1) / k))


def recall_at_k(hits: np.ndarray, n_relevant: np.ndarray, k: int) -> float:
    return float(np.mean(hits[:, :k].sum(1) / np.maximum(n_relevant, 1)))


def hit_at_k(hits: np.ndarray, n_relevant: np.ndarray, k: int) -> float:
    return float(np.mean(hits[:, :k].any(1)))


def ndcg_at_k(hits: np.ndarray, n_relevant: np.ndarray, k: int) -> float:
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = (hits[:, :k] * discounts[: hits[:, :k].shape[1]]).sum(1)
    ideal = np.cumsum(discounts)[np.clip(np.minimum(n_relevant, k), 1, k) - 1]
    return float(np.mean(dcg / ideal))


def map_at_k(hits: np.ndarray, n_relevant: np.ndarray, k: int) -> float:
    top = hits[:, :k].astype(float)
    precision_at_rank = np.cumsum(top, 1) / np.arange(1, top.shape[1] + 1)
    return float(np.mean((precision_at_rank * top).sum(1) / np.clip(np.minimum(n_relevant, k), 1, None)))


def mrr_at_k(hits: np.ndarray, n_relevant: np.ndarray, k: int) -> float:
    top = hits[:, :k]
    first = top.argmax(1)
    return float(np.mean(np.where(top.any(1), 1.0 / (first + 1), 0.0)))


METRICS: dict[str, Callable[[np.ndarray, np.ndarray, int], float]] = {
    "ndcg": ndcg_at_k, "recall": recall_at_k, "precision": precision_at_k,
    "map": map_at_k, "hit": hit_at_k, "mrr": mrr_at_k,
}


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k best scores per row, best first."""
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, part, 1), axis=1, kind="stable")
    return np.take_along_axis(part, order, 1)


def hits_matrix(ranked: np.ndarray, relevant: sp.csr_matrix) -> np.ndarray:
    """hits[u, r]: is item ranked[u, r] among row u of ``relevant``?"""
    rel = relevant.tocsr()
    rows = np.repeat(np.arange(ranked.shape[0]), ranked.shape[1])
    return (np.asarray(rel[rows, ranked.ravel()]).reshape(ranked.shape) > 0)


def evaluate_ranking(ranked: np.ndarray, relevant: sp.csr_matrix, ks: tuple[int, ...], n_items: int) -> dict:
    """All metrics at every K, plus catalogue coverage@K (share of items recommended to anyone)."""
    hits = hits_matrix(ranked, relevant)
    n_relevant = np.diff(relevant.tocsr().indptr)
    result = {}
    for k in ks:
        for name, fn in METRICS.items():
            result[f"{name}@{k}"] = round(fn(hits, n_relevant, k), 6)
        result[f"coverage@{k}"] = round(len(np.unique(ranked[:, :k])) / n_items, 6)
    return result
