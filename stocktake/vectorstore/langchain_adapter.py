"""LangChain ``Embeddings`` over the local encoder (avoids langchain-huggingface, which downgrades the hub client)."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from stocktake.vectorstore.embeddings import LocalEncoder, shared_encoder


class LocalMiniLMEmbeddings(Embeddings):
    def __init__(self, encoder: LocalEncoder | None = None):
        self.encoder = encoder or shared_encoder()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encoder.encode(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.encoder.encode([text])[0]
