"""The recommenders that need no torch: popularity, item kNN, EASE and ALS; ``model_class`` finds any of them.

Torch models live in ``neural.py``, imported only when one is asked for, so that the others never import torch.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from stocktake.tools.progress import no_progress
from stocktake.tools.recommend.base import Recommender


class Popularity(Recommender):
    """Items ranked by how many users interacted with them: the baseline every model must beat."""

    name = "pop"

    def fit(self, train, monitor=None, progress=no_progress):
        self._state = {"popularity": np.bincount(train.indices, minlength=train.shape[1]).astype(np.float32)}
        return self

    def score(self, users, history):
        return np.broadcast_to(self._state["popularity"], (len(users), history.shape[1])).copy()


class ItemKNN(Recommender):
    """Item-based kNN: score(j) = sum of cosine similarities between j and the user's items,
    over j's ``neighbours`` most similar items."""

    name = "itemknn"

    @classmethod
    def grid(cls, settings):
        return [{"neighbours": k} for k in settings.itemknn_neighbours]

    def fit(self, train, monitor=None, progress=no_progress):
        sim = cosine_item_similarity(train)
        sim = keep_top_per_row(sim.T.tocsr(), self.params.get("neighbours", 100)).T.tocsr()
        self._state = {"data": sim.data, "indices": sim.indices, "indptr": sim.indptr,
                       "shape": np.array(sim.shape)}
        return self

    def similarity(self) -> sp.csr_matrix:
        s = self._state
        return sp.csr_matrix((s["data"], s["indices"], s["indptr"]), shape=tuple(s["shape"]))

    def score(self, users, history):
        return np.asarray((history[users] @ self.similarity()).todense())


class EASE(Recommender):
    """EASE (Steck 2019): a closed-form item-item linear model with an L2 penalty and a zero diagonal."""

    name = "ease"

    @classmethod
    def grid(cls, settings):
        return [{"l2": v} for v in settings.ease_l2]

    def fit(self, train, monitor=None, progress=no_progress):
        gram = (train.T @ train).toarray().astype(np.float32)  # float32 halves the inversion time
        gram[np.diag_indices_from(gram)] += self.params.get("l2", 200.0)
        inverse = np.linalg.inv(gram)
        weights = -inverse / np.diag(inverse)
        weights[np.diag_indices_from(weights)] = 0.0
        self._state = {"weights": weights.astype(np.float32)}
        return self

    def score(self, users, history):
        return np.asarray(history[users] @ self._state["weights"])


class ALS(Recommender):
    """Implicit-feedback matrix factorisation by alternating least squares (the ``implicit`` library)."""

    name = "als"

    @classmethod
    def grid(cls, settings):
        return [{"factors": f, "regularization": r, "alpha": a} for f, r, a in settings.als_grid]

    def fit(self, train, monitor=None, progress=no_progress):
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        # Multithreaded BLAS inside implicit's own threads slows ALS down (STACK-NOTES: 2.5x here).
        with threadpool_limits(1, "blas"):
            model = AlternatingLeastSquares(
                factors=self.params.get("factors", 64), regularization=self.params.get("regularization", 0.05),
                alpha=self.params.get("alpha", 2.0), iterations=self.params.get("iterations", 15),
                random_state=self.params.get("seed", 0),
            )
            model.fit(train.astype(np.float32).tocsr(), show_progress=False)
        self._state = {"users": np.asarray(model.user_factors), "items": np.asarray(model.item_factors)}
        return self

    def score(self, users, history):
        return self._state["users"][users] @ self._state["items"].T


def cosine_item_similarity(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Item x item cosine similarity of the columns, zero diagonal."""
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(0)).ravel())
    scaled = matrix @ sp.diags(1.0 / np.maximum(norms, 1e-12))
    sim = (scaled.T @ scaled).tocsr()
    sim.setdiag(0)
    sim.eliminate_zeros()
    return sim


def keep_top_per_row(matrix: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep each row's k largest entries."""
    matrix = matrix.tocsr()
    rows, cols, vals = [], [], []
    for r in range(matrix.shape[0]):
        start, end = matrix.indptr[r], matrix.indptr[r + 1]
        data, idx = matrix.data[start:end], matrix.indices[start:end]
        if len(data) > k:
            best = np.argpartition(-data, k - 1)[:k]
            data, idx = data[best], idx[best]
        rows.append(np.full(len(data), r)), cols.append(idx), vals.append(data)
    return sp.csr_matrix((np.concatenate(vals).astype(np.float32), (np.concatenate(rows), np.concatenate(cols))),
                         shape=matrix.shape)


def model_class(name: str) -> type[Recommender]:
    if name in ("bpr", "lightgcn"):
        from stocktake.tools.recommend.neural import BPR, LightGCN

        return {"bpr": BPR, "lightgcn": LightGCN}[name]
    return {"pop": Popularity, "itemknn": ItemKNN, "ease": EASE, "als": ALS}[name]
