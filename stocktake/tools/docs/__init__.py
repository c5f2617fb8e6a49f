"""Schema-doc retrieval: chunk docs per table and column, link them to catalog assets, and search them hybridly.

The one-line APIs that the use cases (``stocktake.usecases.docs``) call::

    store = DocStore(ws)
    index_docs(store, ["docs/"], catalog)          -> IndexReport
    search_docs(store, "when was the order approved?", k=5, asset=None) -> list[DocHit]
    rank_hits(question, hits)                      -> the hits in the order that answers the question
    index_profile_doc(store, catalog, "orders", profile=None)
    list_docs(store); remove_docs(store, "orders.md")
"""

from stocktake.tools.docs.index import (
    index_docs,
    index_profile_doc,
    list_docs,
    refresh_profile_docs,
    remove_docs,
)
from stocktake.tools.docs.model import Chunk, DocHit, DocSource, DocsSettings, IndexReport
from stocktake.tools.docs.rank import RankSettings, rank_hits
from stocktake.tools.docs.search import search_docs
from stocktake.vectorstore.store import DocStore

__all__ = [
    "Chunk", "DocHit", "DocSource", "DocStore", "DocsSettings", "IndexReport", "RankSettings", "index_docs",
    "index_profile_doc", "list_docs", "rank_hits", "refresh_profile_docs", "remove_docs", "search_docs",
]
