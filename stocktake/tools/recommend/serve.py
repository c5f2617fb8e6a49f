"""Serving saved recommenders: top-N items for a user, each explained by the user's most similar items,
and a comparison of every trained recommender's metrics."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp

from stocktake.errors import Option, StocktakeError, UnknownNameError
from stocktake.registry import ModelRecord, ModelRegistry
from stocktake.tools.recommend.metrics import top_k
from stocktake.tools.recommend.base import Recommender
from stocktake.tools.recommend.models import cosine_item_similarity, model_class
from stocktake.tools.recommend.spec import RecommendSettings


@dataclass(frozen=True)
class SimilarItem:
    item: str
    similarity: float


@dataclass(frozen=True)
class Recommendation:
    rank: int
    item: str
    score: float
    because: tuple[SimilarItem, ...]  # the user's own items most similar to this one (co-interaction cosine)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class LoadedRecommender:
    record: ModelRecord
    model: Recommender
    history: sp.csr_matrix
    users: np.ndarray
    items: np.ndarray

    def user_index(self, user: str) -> int:
        found = np.flatnonzero(self.users == str(user).strip())
        if len(found) == 0:
            raise UnknownNameError(f"user in model {self.record.id}", str(user), self.users.tolist())
        return int(found[0])


def load_recommender(registry: ModelRegistry, model_id: str) -> LoadedRecommender:
    record = registry.get(model_id)
    if record.task != "recommender":
        raise StocktakeError(f"Model {model_id} is a {record.task}, not a recommender; "
                             "`stocktake recommend compare` lists the recommenders.")
    folder = record.path
    try:  # arrays only: np.load refuses pickled objects, so a tampered file is an error, never code
        meta = json.loads((folder / "model.json").read_text())
        with np.load(folder / "state.npz", allow_pickle=False) as state, \
                np.load(folder / "labels.npz", allow_pickle=False) as labels:
            model = model_class(meta["algorithm"])(**meta["params"]).load_state(dict(state))
            users, items = labels["users"], labels["items"]
        history = sp.load_npz(folder / "history.npz").tocsr()
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise StocktakeError(f"The files of model '{model_id}' in {folder} cannot be loaded "
                             f"({type(exc).__name__}: {str(exc)[:200]}); train it again.") from None
    return LoadedRecommender(record, model, history, users, items)


def recommend_for_user(registry: ModelRegistry, model_id: str, user: str, n: int = 10,
                       settings: RecommendSettings = RecommendSettings()) -> list[Recommendation]:
    """The top ``n`` items the user has not interacted with yet, best first."""
    if n < 1:
        raise StocktakeError((Option("n"), f" must be at least 1 (got {n})."))
    loaded = load_recommender(registry, model_id)
    row = loaded.user_index(user)
    scores = np.array(loaded.model.score(np.array([row]), loaded.history), dtype=np.float32)
    scores[0, loaded.history[row].indices] = -np.inf
    ranked = top_k(scores, n)[0]
    scores = scores[0]
    ranked = ranked[np.isfinite(scores[ranked])]
    because = explain(loaded.history, row, ranked, settings.explain_items)
    return [
        Recommendation(rank + 1, str(loaded.items[j]), round(float(scores[j]), 6),
                       tuple(SimilarItem(str(loaded.items[h]), round(s, 4)) for h, s in because[rank]))
        for rank, j in enumerate(ranked)
    ]


def explain(history: sp.csr_matrix, user: int, items: np.ndarray, n: int) -> list[list[tuple[int, float]]]:
    """For each item, the user's ``n`` own items with the highest co-interaction cosine similarity to it."""
    own = history[user].indices
    if len(own) == 0 or len(items) == 0:
        return [[] for _ in items]
    binary = (history > 0).astype(np.float32).tocsc()
    sim = cosine_item_similarity(binary[:, np.concatenate([items, own])].tocsr()).toarray()
    block = sim[: len(items), len(items):]  # candidate x own item
    out = []
    for row in block:
        best = np.argsort(-row, kind="stable")[:n]
        out.append([(int(own[b]), float(row[b])) for b in best if row[b] > 0])
    return out


def compare_models(registry: ModelRegistry, asset: str | None = None, metric: str = "ndcg@10") -> list[dict]:
    """Every saved recommender (of ``asset``, when given) with its test metrics, best ``metric`` first."""
    rows = [
        {"model_id": r.id, "algorithm": r.algorithm, "asset": r.asset, "asset_version": r.asset_version,
         "split": r.params.get("split"), "metrics": r.metrics, "created_at": r.created_at}
        for r in registry.list(task="recommender", asset=asset)
    ]
    if asset and not rows:
        known = sorted({r.asset for r in registry.list(task="recommender")})
        raise UnknownNameError("asset with trained recommenders", asset, known)
    return sorted(rows, key=lambda r: r["metrics"].get(metric, -1.0), reverse=True)
