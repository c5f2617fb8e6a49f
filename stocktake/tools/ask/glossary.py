"""What the indexed schema docs say about each column and asset, read from the doc store without embedding
anything: the planner uses it for synonyms ("shipping" is in the text of ``freight_value``) and for meanings.

The texts are kept in a small JSON file beside the index and read again from the store only when the index
changed (its files are newer), so a question does not import the vector store.
"""

from __future__ import annotations

import json

from stocktake.catalog import Catalog
from stocktake.files import write_cache

CACHE = "ask-glossary.json"


def read_glossary(catalog: Catalog) -> dict[tuple[str, str], str]:
    """``(asset, column) -> text`` for columns, ``(asset, "") -> text`` for whole assets; empty without docs."""
    return _saved(catalog)[0]


def documents_indexed(catalog: Catalog) -> bool:
    """Whether any schema doc is indexed, linked to an asset or not."""
    return _saved(catalog)[1] > 0


def _saved(catalog: Catalog) -> tuple[dict[tuple[str, str], str], int]:
    index = catalog.ws.dir("chroma")
    stamps = [p.stat().st_mtime for p in index.rglob("*") if p.is_file()] if index.is_dir() else []
    if not stamps:
        return {}, 0
    stamp = max(stamps)
    cache = catalog.ws.dir("cache") / CACHE
    try:
        saved = json.loads(cache.read_text())
        if saved.get("stamp") == stamp:
            return {(a, c): t for a, c, t in saved["entries"]}, int(saved["documents"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    found, documents = _from_store(catalog)
    write_cache(cache, json.dumps({"stamp": stamp, "documents": documents,
                                      "entries": [[a, c, t] for (a, c), t in found.items()]}))
    return found, documents


def _from_store(catalog: Catalog) -> tuple[dict[tuple[str, str], str], int]:
    from stocktake.vectorstore.store import DocStore

    try:
        records = DocStore(catalog.ws).records()
    except Exception:  # noqa: BLE001 - a broken or locked index must not stop a question about the data
        return {}, 0
    out: dict[tuple[str, str], str] = {}
    for record in records:
        meta = record.metadata
        asset = meta.get("asset")
        if not asset or meta.get("kind", "doc") != "doc":
            continue
        column = meta.get("asset_column") or ""
        text = record.text.split(": ", 1)[-1] if ": " in record.text[:200] else record.text
        key = (asset, column)
        out[key] = (out[key] + " " + text) if key in out else text
    return out, sum(1 for r in records if r.metadata.get("kind", "doc") == "doc")
