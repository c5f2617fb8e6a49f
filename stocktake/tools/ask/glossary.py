"""What the indexed schema docs say about each column and asset, read from the doc store without embedding
anything: the planner uses it for synonyms ("shipping" is in the text of ``freight_value``) and for meanings.
"""

from __future__ import annotations

from stocktake.catalog import Catalog


def read_glossary(catalog: Catalog) -> dict[tuple[str, str], str]:
    """``(asset, column) -> text`` for columns, ``(asset, "") -> text`` for whole assets; empty without docs."""
    if not any(catalog.ws.dir("chroma").iterdir()):
        return {}
    from stocktake.vectorstore.store import DocStore

    try:
        records = DocStore(catalog.ws).records()
    except Exception:  # noqa: BLE001 - a broken or locked index must not stop a question about the data
        return {}
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
    return out
