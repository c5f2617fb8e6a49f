"""Torch recommenders trained with the BPR pairwise loss: BPR matrix factorisation and LightGCN.

Both train on binary positives with one uniformly sampled negative per positive per epoch, on the GPU when
there is one. With a monitor they evaluate every few epochs, keep the best epoch's weights and stop after
three evaluations without improvement; ``params["epochs"]`` then records the best epoch count so a refit
on more data can train for as long. Saved state is plain numpy, so serving needs no torch.

On a CPU they run on ``params["threads"]`` torch threads (RecommendSettings.torch_threads): their tensors are
small, so a second thread gains little, and on a busy machine torch's threads wait on each other at every
operation; with all of them, one epoch took ten times as long on two busy cores.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import scipy.sparse as sp
import torch

from stocktake.tools.progress import Progress, no_progress
from stocktake.tools.recommend.base import Monitor, Recommender

_PATIENCE = 3


class _PairwiseModel(Recommender):
    iterative = True

    def fit(self, train: sp.csr_matrix, monitor: Monitor | None = None, progress: Progress = no_progress):
        with _torch_threads(self.params.get("threads")):
            return self._fit(train, monitor, progress)

    def _fit(self, train: sp.csr_matrix, monitor: Monitor | None, progress: Progress):
        p = self.params
        device = torch.device(p.get("device") or ("cuda" if torch.cuda.is_available() else "cpu"))
        generator = torch.Generator().manual_seed(p.get("seed", 0))
        torch.manual_seed(p.get("seed", 0))
        coo = train.tocoo()
        users = torch.as_tensor(coo.row, dtype=torch.long, device=device)
        items = torch.as_tensor(coo.col, dtype=torch.long, device=device)
        positive_keys = torch.as_tensor(np.sort(coo.row.astype(np.int64) * train.shape[1] + coo.col), device=device)
        self._build(train, device)
        optimiser = torch.optim.Adam(self._parameters(), lr=p.get("lr", 0.005))
        batch, best, best_epoch, stale = p.get("batch", 2048), -np.inf, 0, 0
        epochs = p.get("epochs", 50)
        for epoch in range(1, epochs + 1):
            negatives = _sample_negatives(users, positive_keys, train.shape[1], generator, device)
            order = torch.randperm(len(users), generator=generator).to(device)
            for start in range(0, len(order), batch):
                idx = order[start:start + batch]
                loss = self._loss(users[idx], items[idx], negatives[idx], p.get("l2", 1e-4))
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
            progress("epochs", epoch, epochs)
            if monitor is not None and epoch % p.get("eval_every", 5) == 0:
                self._state = self._export()
                value = monitor(self)
                if value > best:
                    best, best_epoch, best_state, stale = value, epoch, self._state, 0
                else:
                    stale += 1
                    if stale >= _PATIENCE:
                        break
        if monitor is not None and best_epoch:
            self._state, self.params = best_state, {**p, "epochs": best_epoch}
        else:
            self._state = self._export()
        return self

    def score(self, users, history):
        return self._state["users"][users] @ self._state["items"].T + self._state["item_bias"]


class BPR(_PairwiseModel):
    """Matrix factorisation with the Bayesian personalised ranking loss and an item bias (Rendle 2009)."""

    name = "bpr"

    @classmethod
    def grid(cls, settings):
        return [{"dim": settings.bpr_dim, "l2": l2, "lr": 0.01, "epochs": settings.bpr_max_epochs,
                 "batch": settings.neural_batch, "eval_every": settings.neural_eval_every}
                for l2 in settings.bpr_l2]

    def _build(self, train, device):
        dim = self.params.get("dim", 64)
        self._users = _embedding(train.shape[0], dim, device)
        self._items = _embedding(train.shape[1], dim, device)
        self._bias = torch.nn.Parameter(torch.zeros(train.shape[1], device=device))

    def _parameters(self):
        return [self._users, self._items, self._bias]

    def _loss(self, u, i, j, l2):
        pu, qi, qj = self._users[u], self._items[i], self._items[j]
        diff = (pu * (qi - qj)).sum(1) + self._bias[i] - self._bias[j]
        reg = (pu.square().sum() + qi.square().sum() + qj.square().sum()) / len(u)
        return -torch.nn.functional.logsigmoid(diff).mean() + l2 * reg

    def _export(self):
        return {"users": _numpy(self._users), "items": _numpy(self._items), "item_bias": _numpy(self._bias)}


class LightGCN(_PairwiseModel):
    """LightGCN (He et al. 2020): embeddings smoothed over the user-item graph, averaged over layers."""

    name = "lightgcn"

    @classmethod
    def grid(cls, settings):
        return [{"dim": settings.lightgcn_dim, "layers": settings.lightgcn_layers, "l2": 1e-4, "lr": 0.005,
                 "epochs": settings.lightgcn_max_epochs, "batch": settings.neural_batch,
                 "eval_every": settings.neural_eval_every}]

    def _build(self, train, device):
        n_users, n_items = train.shape
        self._n_users = n_users
        self._embeddings = _embedding(n_users + n_items, self.params.get("dim", 64), device)
        self._adjacency = _normalised_adjacency(train).to(device)

    def _parameters(self):
        return [self._embeddings]

    def _propagate(self):
        layer, total = self._embeddings, self._embeddings
        for _ in range(self.params.get("layers", 3)):
            layer = torch.sparse.mm(self._adjacency, layer)
            total = total + layer
        return total / (self.params.get("layers", 3) + 1)

    def _loss(self, u, i, j, l2):
        final = self._propagate()
        n = self._n_users
        pu, qi, qj = final[u], final[n + i], final[n + j]
        diff = (pu * (qi - qj)).sum(1)
        base = self._embeddings
        reg = (base[u].square().sum() + base[n + i].square().sum() + base[n + j].square().sum()) / len(u)
        return -torch.nn.functional.logsigmoid(diff).mean() + l2 * reg

    def _export(self):
        with torch.no_grad():
            final = self._propagate().detach().float().cpu().numpy()
        n_items = final.shape[0] - self._n_users
        return {"users": final[: self._n_users], "items": final[self._n_users:],
                "item_bias": np.zeros(n_items, np.float32)}


@contextmanager
def _torch_threads(threads: int | None):
    """torch's intra-op threads set to ``threads`` (None: left as they are) while the block runs."""
    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _embedding(rows: int, dim: int, device) -> torch.nn.Parameter:
    return torch.nn.Parameter(torch.randn(rows, dim, device=device) * 0.1)


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().float().cpu().numpy()


def _sample_negatives(users, positive_keys, n_items, generator, device) -> torch.Tensor:
    """One random item per positive; a second draw replaces most that hit one of the user's positives."""
    negatives = torch.randint(n_items, (len(users),), generator=generator).to(device)
    for _ in range(2):
        keys = users * n_items + negatives
        pos = torch.searchsorted(positive_keys, keys).clamp(max=len(positive_keys) - 1)
        clash = positive_keys[pos] == keys
        if not clash.any():
            break
        redraw = torch.randint(n_items, (len(users),), generator=generator).to(device)
        negatives = torch.where(clash, redraw, negatives)
    return negatives


def _normalised_adjacency(train: sp.csr_matrix) -> torch.Tensor:
    """D^-1/2 A D^-1/2 of the bipartite graph [[0, R], [R^T, 0]], binary R."""
    binary = (train > 0).astype(np.float32)
    graph = sp.bmat([[None, binary], [binary.T, None]], format="coo")
    degree = np.asarray(graph.sum(1)).ravel()
    inv_sqrt = np.where(degree > 0, 1.0 / np.sqrt(np.maximum(degree, 1e-12)), 0.0)
    values = inv_sqrt[graph.row] * graph.data * inv_sqrt[graph.col]
    index = torch.as_tensor(np.vstack([graph.row, graph.col]), dtype=torch.long)
    return torch.sparse_coo_tensor(index, torch.as_tensor(values, dtype=torch.float32), graph.shape,
                                   check_invariants=False).coalesce()
