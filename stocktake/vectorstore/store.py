"""The persistent Chroma collection of doc chunks in the workspace (``<workspace>/chroma``).

Ids are content hashes, so a source is synchronised rather than appended to: chunks already stored are kept,
chunks that vanished from the source are deleted, and only new ones are embedded.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from stocktake.catalog import Workspace, read_only_error, write_refusal
from stocktake.vectorstore.embeddings import LocalEncoder, MiniLMEmbeddingFunction, shared_encoder

COLLECTION = "stocktake_docs"
# Chroma's client fails when two threads open the same persistent path at once (the app serves several
# sessions), so opening is serialised for the whole process.
_OPEN_LOCK = threading.Lock()


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    metadata: dict


@dataclass(frozen=True)
class SyncResult:
    added: int
    removed: int
    unchanged: int


def _forget_failed_client(path: str) -> None:
    """Chroma caches a client per folder even when it failed to start, and refuses the next one for that folder."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(path, None)


class DocStore:
    """Chunks with metadata and embeddings; the model is only loaded when something needs embedding."""

    def __init__(self, ws: Workspace, encoder: LocalEncoder | None = None, collection: str = COLLECTION):
        self.ws, self.name = ws, collection
        self.encoder = encoder or shared_encoder()
        self.revision = 0  # bumped on every write, so derived indexes (keyword search) know when to rebuild
        self.read_only = False  # the workspace refused Chroma's writes: searches read a private copy
        self._collection = None
        self._copy: tempfile.TemporaryDirectory | None = None

    @property
    def path(self) -> Path:
        return self.ws.dir("chroma")

    @property
    def collection(self):
        with _OPEN_LOCK:
            if self._collection is None:
                self._collection = self._client().get_or_create_collection(
                    self.name, embedding_function=MiniLMEmbeddingFunction(self.encoder),
                    metadata={"hnsw:space": "cosine"},
                )
        return self._collection

    def _client(self):
        import chromadb
        from chromadb.config import Settings

        settings = Settings(anonymized_telemetry=False)
        try:
            return chromadb.PersistentClient(path=str(self.path), settings=settings)
        except Exception as exc:  # Chroma wraps its database's errors in its own types
            if write_refusal(exc) is None:
                raise
            _forget_failed_client(str(self.path))
        # Chroma writes even to open an index, so in a read-only workspace searches read a copy that is thrown away.
        self._copy = tempfile.TemporaryDirectory(prefix="stocktake-chroma-")
        shutil.copytree(self.path, self._copy.name, dirs_exist_ok=True, copy_function=shutil.copyfile)
        for copied in (Path(self._copy.name), *Path(self._copy.name).rglob("*")):
            copied.chmod(copied.stat().st_mode | stat.S_IWUSR)  # copytree keeps the folders' read-only modes
        self.read_only = True
        return chromadb.PersistentClient(path=self._copy.name, settings=settings)

    def _check_writable(self) -> None:
        if self.read_only:
            raise read_only_error(self.ws.root, "its doc index is read-only")

    def count(self) -> int:
        return self.collection.count()

    def records(self, where: dict | None = None) -> list[Record]:
        got = self.collection.get(where=where, include=["documents", "metadatas"])
        return [Record(i, d, m or {}) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]

    def sync_source(self, source: str, records: list[Record], embed_texts: list[str]) -> SyncResult:
        """Make the stored chunks of ``source`` exactly ``records``; metadata of kept chunks is refreshed."""
        existing = {r.id: r for r in self.records({"source": source})}
        self._check_writable()
        wanted = {r.id: (r, e) for r, e in zip(records, embed_texts)}
        stale = [i for i in existing if i not in wanted]
        new = [i for i in wanted if i not in existing]
        changed = [i for i in wanted if i in existing and existing[i].metadata != wanted[i][0].metadata]
        if stale:
            self.collection.delete(ids=stale)
        if new:
            self.collection.add(
                ids=new, documents=[wanted[i][0].text for i in new], metadatas=[wanted[i][0].metadata for i in new],
                embeddings=self.encoder.encode([wanted[i][1] for i in new]),
            )
        if changed:
            # Chroma merges metadata on update: a key the chunk no longer has is sent as None to delete it.
            self.collection.update(ids=changed, metadatas=[
                {**dict.fromkeys(existing[i].metadata), **wanted[i][0].metadata} for i in changed])
        if stale or new or changed:
            self.revision += 1
        return SyncResult(added=len(new), removed=len(stale), unchanged=len(wanted) - len(new))

    def delete_source(self, source: str) -> int:
        ids = self.collection.get(where={"source": source}, include=[])["ids"]
        self._check_writable()
        if ids:
            self.collection.delete(ids=ids)
            self.revision += 1
        return len(ids)

    def query(self, text: str, n: int, where: dict | None = None) -> list[tuple[Record, float]]:
        """The ``n`` nearest chunks to ``text`` with their cosine similarity."""
        n = min(n, self.count())
        if n == 0:
            return []
        got = self.collection.query(query_embeddings=self.encoder.encode([text]), n_results=n, where=where,
                                    include=["documents", "metadatas", "distances"])
        return [(Record(i, d, m or {}), 1.0 - dist) for i, d, m, dist in
                zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0])]
