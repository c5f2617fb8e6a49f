"""Hybrid search over doc chunks: dense (MiniLM, cosine) and keyword (BM25) rankings, fused.

Dense retrieval understands paraphrases ("when was the order approved?"); BM25 over snake_case-aware tokens
finds exact identifiers such as ``order_purchase_timestamp`` that embeddings blur.
"""

from __future__ import annotations

import weakref

from stocktake.errors import Option, StocktakeError, UnknownNameError
from stocktake.tools.docs.model import DocHit, DocsSettings, humanize, keyword_text, tokenize
from stocktake.vectorstore.store import DocStore, Record


class KeywordIndex:
    def __init__(self, records: list[Record]):
        from rank_bm25 import BM25Okapi

        self.records = records
        corpus = [tokenize(keyword_text(r.text)) for r in records]
        self.bm25 = BM25Okapi(corpus) if records else None

    def search(self, question: str, n: int, asset: str | None = None) -> list[tuple[Record, float]]:
        """The best ``n`` matches with their BM25 score divided by the best one (so 1.0 for the top hit)."""
        tokens = tokenize(question)
        if self.bm25 is None or not tokens:
            return []
        scores = self.bm25.get_scores(tokens)
        ranked = sorted(range(len(self.records)), key=lambda i: -scores[i])
        hits = [(self.records[i], float(scores[i])) for i in ranked if scores[i] > 0
                and (asset is None or self.records[i].metadata.get("asset") == asset)][:n]
        return [(r, score / hits[0][1]) for r, score in hits]


_keyword_indexes: weakref.WeakKeyDictionary[DocStore, tuple[int, KeywordIndex]] = weakref.WeakKeyDictionary()


def keyword_index(store: DocStore) -> KeywordIndex:
    """The BM25 index over all chunks, rebuilt only after the store changed."""
    cached = _keyword_indexes.get(store)
    if cached is None or cached[0] != store.revision:
        cached = (store.revision, KeywordIndex(store.records()))
        _keyword_indexes[store] = cached
    return cached[1]


Ranking = list[tuple[Record, float]]


def fuse(rankings: list[tuple[float, Ranking]], settings: DocsSettings) -> Ranking:
    """Combine weighted rankings: by reciprocal rank (``rrf``) or by the weighted sum of scores (``weighted``;
    cosine similarity for dense, BM25 relative to the best hit for keywords)."""
    scores: dict[str, float] = {}
    records: dict[str, Record] = {}
    for weight, ranking in rankings:
        for rank, (record, score) in enumerate(ranking, start=1):
            gain = 1.0 / (settings.rrf_k + rank) if settings.fusion == "rrf" else score
            scores[record.id] = scores.get(record.id, 0.0) + weight * gain
            records[record.id] = record
    return [(records[i], s) for i, s in sorted(scores.items(), key=lambda kv: -kv[1])]


def drop_repeats(ranking: Ranking) -> Ranking:
    """Each passage once, at its best rank: the same doc indexed from two paths (the sample docs copied to
    another folder, say) holds the same text twice, and a second copy tells the reader nothing new."""
    seen: set[str] = set()
    kept = []
    for record, score in ranking:
        if record.text not in seen:
            seen.add(record.text)
            kept.append((record, score))
    return kept


def search_docs(store: DocStore, question: str, k: int = 5, asset: str | None = None,
                settings: DocsSettings = DocsSettings(), mode: str = "hybrid") -> list[DocHit]:
    """The ``k`` chunks that best answer ``question``, optionally only those linked to catalog ``asset``.

    ``mode`` is ``hybrid`` (default), ``dense`` or ``keyword``; the single modes exist for the evaluation.
    """
    if not question.strip():
        raise StocktakeError("Empty question: ask something like \"which column holds the customer's city?\".")
    if k < 1:
        raise StocktakeError((Option("k"), f" must be at least 1 (got {k})."))
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
    dense = store.query(humanize(question), n, where={"asset": asset} if asset else None) if mode != "keyword" else []
    keyword = index.search(question, n, asset) if mode != "dense" else []
    # Fusion ranks whatever it is given, nonsense included: a question that shares no keyword with any passage
    # and comes close to none in meaning has no answer here.
    if not keyword and all(similarity < settings.min_similarity for _, similarity in dense):
        return []
    return [
        DocHit(text=r.text, source=r.metadata["source"], location=r.metadata.get("location", ""),
               asset=r.metadata.get("asset"), column=r.metadata.get("asset_column") or r.metadata.get("column"),
               score=round(score, 5), table=r.metadata.get("table"), kind=r.metadata.get("kind", "doc"))
        for r, score in drop_repeats(fuse([(settings.dense_weight, dense), (settings.keyword_weight, keyword)],
                                          settings))[:k]
    ]
