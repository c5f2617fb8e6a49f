"""The one shape every recommender has: ``fit(train)``, ``score(users, history)``, ``state()`` for saving.

Models trained in epochs (``iterative``) report each epoch to ``fit``'s ``progress``; the others fit in one go.
``score`` returns a users x items array of scores for the given user rows; ``history`` is the users x items
matrix the model may read (item models score from it, factor models from their learned user vectors).
The models live in ``models.py`` (numpy and scipy) and ``neural.py`` (torch); both build on this module alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import numpy as np
import scipy.sparse as sp

from stocktake.tools.progress import Progress, no_progress
from stocktake.tools.recommend.spec import RecommendSettings

Monitor = Callable[["Recommender"], float]  # validation score of a model being trained (higher is better)


class Recommender:
    name: ClassVar[str]
    iterative: ClassVar[bool] = False  # trains in epochs and can stop early on a monitor

    def __init__(self, **params):
        self.params = params

    @classmethod
    def grid(cls, settings: RecommendSettings) -> list[dict]:
        return [{}]

    def fit(self, train: sp.csr_matrix, monitor: Monitor | None = None,
            progress: Progress = no_progress) -> Recommender:
        raise NotImplementedError

    def score(self, users: np.ndarray, history: sp.csr_matrix) -> np.ndarray:
        raise NotImplementedError

    def state(self) -> dict[str, np.ndarray]:
        return dict(self._state)

    def load_state(self, arrays: dict[str, np.ndarray]) -> Recommender:
        self._state = dict(arrays)
        return self
