"""Hybrid search over doc chunks: dense (MiniLM, cosine) and keyword (BM25) rankings fused by reciprocal rank.

Dense retrieval understands paraphrases ("when was the order approved?"); BM25 over snake_case-aware tokens
finds exact identifiers such as ``order_purchase_timestamp`` that embeddings blur.
"""

from __future__ import annotations

import weakref

from stocktake.errors import StocktakeError, UnknownNameError
from stocktake.tools.docs.model import DocHit, DocsSettings, humanize, keyword_text, tokenize
from stocktake.vectorstore.store import DocStore, Record


class KeywordIndex:
    def __init__(self, records: list[Record]):
        from rank_bm25 import BM25Okapi

        self.records = records
        corpus = [tokenize(keyword_text(r.text)) for r in records]
        self.bm25 = BM25Okapi(corpus) if records else None

    def search(self, question: str, n: int, asset: str | None = None) -> list[Record]:
        tokens = tokenize(question)
        if self.bm25 is None or not tokens:
            return []
        scores = self.bm25.get_scores(tokens)
        ranked = sorted(range(len(self.records)), key=lambda i: -scores[i])
        hits = [self.records[i] for i in ranked if scores[i] > 0
                and (asset is None or self.records[i].metadata.get("asset") == asset)]
        return hits[:n]


_keyword_indexes: weakref.WeakKeyDictionary[DocStore, tuple[int, KeywordIndex]] = weakref.WeakKeyDictionary()


def keyword_index(store: DocStore) -> KeywordIndex:
    """The BM25 index over all chunks, rebuilt only after the store changed."""
    cached = _keyword_indexes.get(store)
    if cached is None or cached[0] != store.revision:
        cached = (store.revision, KeywordIndex(store.records()))
        _keyword_indexes[store] = cached
    return cached[1]


def fuse(rankings: list[tuple[float, list[Record]]], rrf_k: int) -> list[tuple[Record, float]]:
    """Reciprocal rank fusion: sum of weight / (k + rank) over the rankings each record appears in."""
    scores: dict[str, float] = {}
    records: dict[str, Record] = {}
    for weight, ranking in rankings:
        for rank, record in enumerate(ranking, start=1):
            scores[record.id] = scores.get(record.id, 0.0) + weight / (rrf_k + rank)
            records[record.id] = record
    return [(records[i], s) for i, s in sorted(scores.items(), key=lambda kv: -kv[1])]


def search_docs(store: DocStore, question: str, k: int = 5, asset: str | None = None,
                settings: DocsSettings = DocsSettings(), mode: str = "hybrid") -> list[DocHit]:
    """The ``k`` chunks that best answer ``question``, optionally only those linked to catalog ``asset``.

    ``mode`` is ``hybrid`` (default), ``dense`` or ``keyword``; the single modes exist for the evaluation.
    """
    if not question.strip():
        raise StocktakeError("Empty question: ask something like \"which column holds the customer's city?\".")
    if k < 1:
        raise StocktakeError(f"--k must be at least 1 (got {k}).")
    if mode not in ("hybrid", "dense", "keyword"):
        raise StocktakeError(f"Unknown search mode '{mode}': use hybrid, dense or keyword.")
    index = keyword_index(store)
    if not index.records:
        return []
    if asset is not None:
        linked = sorted({r.metadata["asset"] for r in index.records if r.metadata.get("asset")})
        if not linked:
            raise StocktakeError(f"No indexed doc is linked to asset '{asset}': run `stocktake docs profile {asset}`, "
                                 "or `stocktake docs add` again after ingesting the asset so names can be matched.")
        if asset not in linked:
            raise UnknownNameError("asset linked to indexed docs", asset, linked)
    n = max(settings.candidates, k)
    rankings = []
    if mode in ("hybrid", "dense"):
        dense = store.query(humanize(question), n, where={"asset": asset} if asset else None)
        rankings.append((settings.dense_weight, [r for r, _ in dense]))
    if mode in ("hybrid", "keyword"):
        rankings.append((settings.keyword_weight, index.search(question, n, asset)))
    return [
        DocHit(text=r.text, source=r.metadata["source"], location=r.metadata.get("location", ""),
               asset=r.metadata.get("asset"), column=r.metadata.get("asset_column") or r.metadata.get("column"),
               score=round(score, 5), table=r.metadata.get("table"), kind=r.metadata.get("kind", "doc"))
        for r, score in fuse(rankings, settings.rrf_k)[:k]
    ]
